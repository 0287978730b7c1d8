-- The columns of a file to import, as its reader sees them (no rows are read).
with source as (
    select * from {{reader}}
),
final as (
    select * from source limit 0
)
select * from final
