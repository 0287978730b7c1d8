-- Cohort tables: one row per cohort (period of the first purchase day) and k = periods since, 0 .. period of T.
-- active: cohort customers with a purchase day in period cohort+k; alive: active at the period's end (T for
-- the period holding T); revenue: all rows (refunds included) of the cohort's customers in that period.
with
-- include: _scope.sql
firsts as (
    select cid, day as first_day from pd where n = 1
),
period_origin as (
    select min(first_day) as start_day from firsts
),
-- include: _periods.sql
cust_cohort as (
    select f.cid, p.q as cq
    from firsts f
    join periods p on p.p_start = cast(date_trunc($period, f.first_day) as date)
),
cohort_sizes as (
    select cq, count(*) as cohort_size from cust_cohort group by cq
),
grid as (
    select c.cq, p.q, p.q - c.cq as k, c.cohort_size, p.p_end <= cast($as_of as date) as complete
    from cohort_sizes c
    join periods p on p.q >= c.cq
),
-- A customer is active in a period once: count their first purchase day in it (no distinct over all days).
active_counts as (
    select c.cq, p.q, count(*) as active
    from pd
    join cust_cohort c on c.cid = pd.cid
    join periods p on p.p_start = cast(date_trunc($period, pd.day) as date)
    where pd.prev_day is null or date_trunc($period, pd.prev_day) <> date_trunc($period, pd.day)
    group by c.cq, p.q
),
revenue_sums as (
    select c.cq, p.q, sum(o.amount) as revenue
    from order_days o
    join cust_cohort c on c.cid = o.cid
    join periods p on p.p_start = cast(date_trunc($period, o.order_date) as date)
    group by c.cq, p.q
),
-- Each purchase day starts a span of activity that lasts until its window runs out, the next
-- purchase day, or T; the customer is alive at every period end inside a span (spans never overlap).
spans as (
    select cid, day as a, least(day + w, coalesce(next_day - 1, cast($as_of as date)), cast($as_of as date)) as b
    from pd
),
span_periods as (
    select s.cid, pa.q as q_lo, case when pb.eff_end = s.b then pb.q else pb.q - 1 end as q_hi
    from spans s
    join periods pa on pa.p_start = cast(date_trunc($period, s.a) as date)
    join periods pb on pb.p_start = cast(date_trunc($period, s.b) as date)
),
alive_steps as (
    select cid, q_lo as q, 1 as step from span_periods where q_hi >= q_lo
    union all
    select cid, q_hi + 1 as q, -1 as step from span_periods where q_hi >= q_lo
),
alive_deltas as (
    select c.cq, s.q, sum(s.step) as delta
    from alive_steps s
    join cust_cohort c on c.cid = s.cid
    group by c.cq, s.q
),
joined as (
    select
        g.cq,
        g.k,
        g.cohort_size,
        coalesce(a.active, 0) as active,
        sum(coalesce(d.delta, 0)) over (partition by g.cq order by g.k rows between unbounded preceding and current row) as alive,
        coalesce(r.revenue, 0) as revenue,
        g.complete
    from grid g
    left join active_counts a on a.cq = g.cq and a.q = g.q
    left join revenue_sums r on r.cq = g.cq and r.q = g.q
    left join alive_deltas d on d.cq = g.cq and d.q = g.q
),
final as (
    select
        p.p_start as cohort,
        j.k,
        j.cohort_size,
        j.active,
        cast(j.alive as bigint) as alive,
        j.revenue,
        j.revenue / j.cohort_size as revenue_per_customer,
        sum(j.revenue / j.cohort_size) over (partition by j.cq order by j.k rows between unbounded preceding and current row)
            as cumulative_revenue_per_customer,
        j.complete
    from joined j
    join periods p on p.q = j.cq
)
select * from final order by cohort, k
