-- Early-warning list (METRICS.md "Early-warning list"): customers whose status at T is one of $statuses
-- (alert, optionally at_risk), with days silent, usual gap, overdue ratio, frequency, revenue of the last
-- 365 days and their segment attributes in long form (attr_names / attr_values, pivoted by the caller).
-- The facts and the status are the lifecycle page's (the shared _lifecycle_* steps), so both agree.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
listed as (
    select * from statuses where status in (select unnest(cast($statuses as varchar[])))
),
revenue_365 as (
    select o.cid, sum(o.amount) as revenue_365d
    from order_days o
    join listed l on l.cid = o.cid
    where o.order_date > cast($as_of as date) - 365
    group by o.cid
),
-- include: _attr_lists.sql
list_rows as (
    select
        l.cid,
        l.status,
        l.recency as days_silent,
        l.expected_gap,
        l.recency / nullif(l.expected_gap, 0) as overdue_ratio,
        l.frequency,
        coalesce(r.revenue_365d, 0) as revenue_365d,
        -- sort key: equal revenues tie whatever order the threads added the amounts in
        round(coalesce(r.revenue_365d, 0), 6) as revenue_key
    from listed l
    left join revenue_365 r on r.cid = l.cid
),
-- include: _list_final.sql
select * from final order by revenue_key desc, customer_id
