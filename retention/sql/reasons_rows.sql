-- The reason rows of the range as a table: the customer's id in text form, the day, the code, the resolved
-- category (the row's own, else the map's; null when none), source and comment.
with
-- include: _scope.sql
-- include: _reasons.sql
final as (
    select i.customer_id, r.churned_at, r.reason, r.category, r.source, r.comment
    from reason_rows r
    join ids i on i.cid = r.cid
)
select * from final order by churned_at, customer_id, reason
