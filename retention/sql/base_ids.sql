-- Every customer id seen in any table, with a dense integer key for fast joins.
create or replace table ids as
with all_ids as (
    select cast(customer_id as varchar) as customer_id from src_orders
    {{customer_ids}}
    {{reason_ids}}
    {{contact_ids}}
),
distinct_ids as (
    select distinct customer_id from all_ids where customer_id is not null
),
final as (
    select cast(row_number() over (order by customer_id) as integer) as cid, customer_id
    from distinct_ids
)
select * from final
