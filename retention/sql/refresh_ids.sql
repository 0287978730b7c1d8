-- Refresh (retention/refresh.py): the customer ids first seen in the appended order files ($new_files, which
-- rank after the $old_files older ones), keyed after every existing key (from $cid_offset).
insert into ids by name
with new_ids as (
    select cast(customer_id as varchar) as customer_id, min(file_index) + 1 + $old_files as rank
    from read_parquet($new_files, union_by_name = true, hive_partitioning = $order_hive)
    group by 1
),
ranked as (
    select n.customer_id, n.rank
    from new_ids n
    anti join ids i on i.customer_id = n.customer_id
    where n.customer_id is not null
),
-- include: _base_ids_numbered.sql
final as (
    select cid, customer_id from numbered
)
select * from final
