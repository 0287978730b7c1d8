-- Churn reason rows: codes and categories trimmed and lower-cased, an empty reason read as 'unknown'.
create or replace table reasons as
with
-- include: _keyed_rows.sql
final as (
    select
        cid,
        {{churned_date}} as churned_at,
        coalesce(lower({{reason}}), 'unknown') as reason,
        lower({{category}}) as category,
        {{source}} as source,
        {{comment}} as comment
    from keyed
)
select * from final
