-- The first and last churned_at of the reason rows on or before T in scope (bounds for the page's date range).
with
-- include: _scope.sql
-- include: _reasons.sql
final as (
    select min(churned_at) as first_churned_at, max(churned_at) as last_churned_at from reasons_to_t
)
select * from final
