-- Churn reason rows: codes and categories trimmed and lower-cased, an empty reason read as 'unknown'.
create or replace table reasons as
with keyed as (
    select i.cid, s.*
    from src_churn_reasons s
    join ids i on i.customer_id = cast(s.customer_id as varchar)
),
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
