-- Churn reasons: per reason the rows in the range, their share and cumulative share (sorted by count
-- descending, then reason), the lost revenue (each row: the customer's amount, refunds included, with
-- churned_at - 365 < order_date <= churned_at) and the rows per resolved category.
with
-- include: _scope.sql
-- include: _reasons.sql
row_keys as (
    select cid, churned_at, reason, count(*) as n
    from reason_rows
    group by cid, churned_at, reason
),
key_revenue as (
    select k.reason, k.n * coalesce(sum(o.amount), 0) as revenue
    from row_keys k
    left join order_days o
        on o.cid = k.cid and o.order_date > k.churned_at - 365 and o.order_date <= k.churned_at
    group by k.cid, k.churned_at, k.reason, k.n
),
revenue_per_reason as (
    select reason, sum(revenue) as lost_revenue from key_revenue group by reason
),
counts as (
    select
        reason,
        count(*) as count,
        count(*) filter (where category = 'controllable') as controllable,
        count(*) filter (where category = 'uncontrollable') as uncontrollable,
        count(*) filter (where category is null) as uncategorised
    from reason_rows
    group by reason
),
ranked as (
    select
        c.*,
        sum(c.count) over (order by c.count desc, c.reason rows between unbounded preceding and current row) as running,
        sum(c.count) over () as total
    from counts c
),
final as (
    select
        r.reason,
        r.count,
        r.count / r.total as share,
        r.running / r.total as cumulative_share,
        coalesce(v.lost_revenue, 0) as lost_revenue,
        r.controllable,
        r.uncontrollable,
        r.uncategorised
    from ranked r
    left join revenue_per_reason v on v.reason = r.reason
)
select * from final order by count desc, reason
