-- customer_ids that appear more than once in customers, compared by their text form (as every report does).
-- Null and empty ids are left to the "customer_id in every row" rule.
with ids as (
    select cast(customer_id as varchar) as customer_id
    from src_customers
),
repeated as (
    select customer_id, count(*) as n
    from ids
    where customer_id is not null and trim(customer_id) <> ''
    group by customer_id
    having count(*) > 1
),
final as (
    select
        cast(coalesce(sum(n), 0) as bigint) as n_rows,
        count(*) as n_ids,
        min(customer_id) as example
    from repeated
)
select * from final
