-- Append an import's new rows to the table in use: rows whose order_id is already there are left out,
-- the rest follow the old rows (columns matched by name, a column only one side has is null on the other).
copy (
    with old as (
        select {{old_columns}} from read_parquet($old, union_by_name = true, hive_partitioning = $hive)
    ),
    new as (
        select {{new_columns}} from read_parquet($new)
    ),
    fresh as (
        select * from new
        where {{fresh}}
    ),
    final as (
        select * from old
        union all by name
        select * from fresh
    )
    select * from final
) to $out (format parquet, compression zstd)
