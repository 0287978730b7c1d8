-- Every customer id seen in any table, with a dense integer key for fast joins (_base_ids_numbered.sql says
-- which order the keys follow: stable when order files are appended). {{order_files}}: the order rows with
-- the place of their file (customer_id, file_index), from the engine (engine.order_files).
create or replace table ids as
with order_ids as (
    select cast(customer_id as varchar) as customer_id, min(file_index) + 1 as rank
    from {{order_files}}
    group by 1
),
all_ids as (
    select customer_id, rank from order_ids
    {{customer_ids}}
    {{reason_ids}}
    {{contact_ids}}
),
ranked as (
    select customer_id, min(rank) as rank from all_ids where customer_id is not null group by customer_id
),
-- include: _base_ids_numbered.sql
final as (
    select cid, customer_id from numbered
)
select * from final
