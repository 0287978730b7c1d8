-- Facts about the whole data set: the default as-of date T is the latest order_date of any row. order_rows is
-- a bigint (a bare sum is a HUGEINT, which Python reads as a Decimal and the cache's JSON keeps as a string).
with order_facts as (
    select max(order_date) as default_as_of, min(order_date) as first_order_date, cast(sum(n_rows) as bigint) as order_rows
    from days
)
select * from order_facts
