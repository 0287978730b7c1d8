-- How many of an import's rows an append adds: the new rows, those whose order_id the table in use has
-- already, and the old rows.
with old as (
    select {{old_id}} as order_id from read_parquet($old, union_by_name = true, hive_partitioning = $hive)
),
new as (
    select cast(order_id as varchar) as order_id from read_parquet($new)
),
final as (
    select
        (select count(*) from old) as old_rows,
        (select count(*) from new) as new_rows,
        (select count(*) from new where order_id in (select order_id from old where order_id is not null))
            as skipped
)
select * from final
