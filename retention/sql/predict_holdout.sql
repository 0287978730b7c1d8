-- The holdout check's count (METRICS.md "Holdout check"): purchase days in (T, T + $holdout_days] of each
-- customer in scope with a purchase day on or before T. The one report that reads rows after T.
with
-- include: _scope.sql
buyers as (
    select distinct cid from pd
),
final as (
    select i.customer_id, cast(count(p.day) as integer) as actual
    from buyers b
    join ids i on i.cid = b.cid
    left join pdays p
        on p.cid = b.cid
        and p.day > cast($as_of as date)
        and p.day <= cast($as_of as date) + cast($holdout_days as integer)
    group by i.customer_id
)
select * from final order by customer_id
