-- The rows of an append that the orders table does not have yet, written as one more file of its orders/
-- folder: rows whose order_id is already there are left out (the file's own columns, a column cast to text
-- where the table holds it as text).
copy (
    with old as (
        select {{old_id}} as order_id from read_parquet($old, union_by_name = true, hive_partitioning = $hive)
    ),
    new as (
        select {{new_columns}} from read_parquet($new)
    ),
    fresh as (
        select * from new
        where {{fresh}}
    )
    select * from fresh
) to $out (format parquet, compression zstd)
