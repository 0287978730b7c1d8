-- Write a validated staged table with the contract's types: dates as DATE, TIMESTAMP or TIMESTAMPTZ,
-- amount and cost as DOUBLE; customer_id and every other column as read.
copy (
    with converted as (
        select {{columns}} from {{source}}
    )
    select * from converted
) to $out (format parquet, compression zstd)
