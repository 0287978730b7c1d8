-- Rows of one raw table (Parquet keeps the count in its footer, so this reads no data pages).
with final as (
    select count(*) as n_rows
    from {{source}}
)
select * from final
