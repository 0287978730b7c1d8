-- Facts about the whole data set: the default as-of date T is the latest order_date of any row.
with order_facts as (
    select max(order_date) as default_as_of, min(order_date) as first_order_date, sum(n_rows) as order_rows
    from days
)
select * from order_facts
