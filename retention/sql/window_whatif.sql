-- What-if over a grid of windows $windows, one window W for everyone (the per-segment map is ignored):
-- lost_share(W) = customers with T - last(c, T) > W / customers with a purchase day on or before T, and
-- the churn rate (METRICS.md KPI) of the last complete period p = [start_p, end_p] under W.
--
-- Churn rate without a scan per W: let q0 = last(c, start_p - 1) and r0 = start_p - 1 - q0; c is in
-- active_start(W) iff r0 <= W. Only q0 and the purchase days q in p can lapse inside p (an earlier day
-- lapses before q0), and q does iff its next purchase day is after q + W and q + W + 1 <= end_p (the
-- lower bound start_p holds once r0 <= W), i.e. iff W < m_q = least(next_day, end_p) - q. With
-- M(c) = max m_q, c lapses in p iff r0 <= W < M(c), so
--   active_start(W) = #(r0 <= W),  lapses(W) = #(r0 <= W) - #(greatest(r0, M) <= W),
-- three one-dimensional histograms joined with the grid.
with
-- include: _scope.sql
grid as (
    select distinct unnest(cast($windows as integer[])) as w
),
holding_t as (
    select cast(date_trunc($period, cast($as_of as date)) as date) as p_start
),
step as (
    select cast($period_step as interval) as len
),
last_complete as (
    -- the period holding T when T is its last day, else the one before it
    select
        case when cast(h.p_start + s.len as date) - 1 = cast($as_of as date) then h.p_start
             else cast(h.p_start - s.len as date) end as start_p,
        case when cast(h.p_start + s.len as date) - 1 = cast($as_of as date) then cast($as_of as date)
             else h.p_start - 1 end as end_p
    from holding_t h, step s
),
open_silences as (
    select cast($as_of as date) - day as s from pd where next_day is null
),
-- q0 of each customer with a purchase day before start_p, and its m_q0
at_start as (
    select
        pd.cid,
        (l.start_p - 1) - pd.day as r0,
        least(coalesce(pd.next_day, l.end_p), l.end_p) - pd.day as m
    from pd, last_complete l
    where pd.day <= l.start_p - 1 and (pd.next_day is null or pd.next_day > l.start_p - 1)
),
in_period as (
    select pd.cid, least(coalesce(pd.next_day, l.end_p), l.end_p) - pd.day as m
    from pd, last_complete l
    where pd.day between l.start_p and l.end_p
),
per_customer as (
    select a.cid, a.r0, greatest(a.m, coalesce(max(i.m), a.m)) as big_m
    from at_start a
    left join in_period i on i.cid = a.cid
    group by a.cid, a.r0, a.m
),
hist as (
    select 'silence' as kind, s as x, count(*) as n from open_silences group by s
    union all
    select 'active' as kind, r0 as x, count(*) as n from per_customer group by r0
    union all
    select 'stays' as kind, greatest(r0, big_m) as x, count(*) as n from per_customer group by greatest(r0, big_m)
),
per_window as (
    select
        g.w,
        coalesce(sum(h.n) filter (where h.kind = 'silence'), 0) as customers,
        coalesce(sum(h.n) filter (where h.kind = 'silence' and h.x > g.w), 0) as lost,
        coalesce(sum(h.n) filter (where h.kind = 'active' and h.x <= g.w), 0) as active_start,
        coalesce(sum(h.n) filter (where h.kind = 'stays' and h.x <= g.w), 0) as never_lapsed
    from grid g
    cross join hist h
    group by g.w
),
final as (
    select
        g.w as "window",
        cast(p.lost as double) / nullif(p.customers, 0) as lost_share,
        cast(p.active_start - p.never_lapsed as double) / nullif(p.active_start, 0) as churn_rate,
        cast(coalesce(p.lost, 0) as bigint) as lost,
        cast(coalesce(p.customers, 0) as bigint) as customers,
        cast(coalesce(p.active_start, 0) as bigint) as active_start,
        cast(coalesce(p.active_start - p.never_lapsed, 0) as bigint) as lapsed,
        l.start_p as period_start,
        l.end_p as period_end
    from grid g
    left join per_window p on p.w = g.w
    cross join last_complete l
)
select * from final order by "window"
