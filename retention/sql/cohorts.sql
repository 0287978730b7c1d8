-- Cohort tables: one row per cohort (period of the first purchase day) and k = periods since, 0 .. period of T.
-- active: cohort customers with a purchase day in period cohort+k; alive: active at the period's end (T for
-- the period holding T); revenue: all rows (refunds included) of the cohort's customers in that period.
--
-- One pass over the purchase days (pd is read once, so it is never materialised): each purchase day is
-- reduced to three period starts (its customer's cohort, its own period, and the period from which the span
-- of activity it starts no longer covers a period end), grouped into at most periods^3 rows; sizes, active
-- counts and alive deltas all come from that small table. Revenue is one pass over the order days.
with
-- include: _scope.sql
-- include: _spans.sql
pd_keys as (
    select
        cast(date_trunc($period, first_day) as date) as cohort,
        cast(date_trunc($period, day) as date) as pa,
        -- first purchase day of its period for this customer: counts once in `active`
        prev_day is null or prev_day < cast(date_trunc($period, day) as date) as opens_period,
        n = 1 as is_first,
        -- the span of activity a purchase day starts (_spans.sql): `b` is its last day
        b
    from spans
),
pd_stops as (
    select
        cohort,
        pa,
        opens_period,
        is_first,
        -- the first period whose end the span does not cover: the one after b's period when b is that
        -- period's (effective) end, else b's own period
        case
            when b = least(
                cast(date_trunc($period, b) + cast($period_step as interval) as date) - 1,
                cast($as_of as date))
            then cast(date_trunc($period, b) + cast($period_step as interval) as date)
            else cast(date_trunc($period, b) as date)
        end as stop
    from pd_keys
),
agg as (
    select
        cohort,
        pa,
        stop,
        count(*) filter (where opens_period) as opened,
        count(*) filter (where is_first) as firsts,
        count(*) filter (where stop > pa) as spans
    from pd_stops
    group by cohort, pa, stop
),
period_origin as (
    select min(cohort) as start_day from agg
),
-- include: _periods.sql
cohort_sizes as (
    select cohort, cast(sum(firsts) as bigint) as cohort_size from agg group by cohort having sum(firsts) > 0
),
active_counts as (
    select cohort, pa as p_start, cast(sum(opened) as bigint) as active from agg group by cohort, pa
),
alive_deltas as (
    select cohort, p_start, sum(delta) as delta
    from (
        select cohort, pa as p_start, spans as delta from agg where spans > 0
        union all
        select cohort, stop as p_start, -spans as delta from agg where spans > 0
    )
    group by cohort, p_start
),
firsts as (
    -- the cohort of each customer in scope with a purchase day on or before T (from the base table, so that
    -- pd stays read once)
    select p.cid, cast(date_trunc($period, p.day) as date) as cohort
    from pdays p
    join scope s on s.cid = p.cid
    where p.n = 1 and p.day <= cast($as_of as date)
),
revenue_sums as (
    select f.cohort, cast(date_trunc($period, d.order_date) as date) as p_start, sum(d.amount) as revenue
    from days d
    join firsts f on f.cid = d.cid
    where d.order_date <= cast($as_of as date)
    group by all
),
grid as (
    select c.cohort, cp.q as cq, p.p_start, p.q - cp.q as k, c.cohort_size, p.p_end <= cast($as_of as date) as complete
    from cohort_sizes c
    join periods cp on cp.p_start = c.cohort
    join periods p on p.q >= cp.q
),
joined as (
    select
        g.cohort,
        g.cq,
        g.k,
        g.cohort_size,
        coalesce(a.active, 0) as active,
        sum(coalesce(d.delta, 0)) over (partition by g.cq order by g.k rows between unbounded preceding and current row) as alive,
        coalesce(r.revenue, 0) as revenue,
        g.complete
    from grid g
    left join active_counts a on a.cohort = g.cohort and a.p_start = g.p_start
    left join revenue_sums r on r.cohort = g.cohort and r.p_start = g.p_start
    left join alive_deltas d on d.cohort = g.cohort and d.p_start = g.p_start
),
final as (
    select
        cohort,
        k,
        cohort_size,
        cast(active as bigint) as active,
        cast(alive as bigint) as alive,
        revenue,
        revenue / cohort_size as revenue_per_customer,
        sum(revenue / cohort_size) over (partition by cq order by k rows between unbounded preceding and current row)
            as cumulative_revenue_per_customer,
        complete
    from joined
)
select * from final order by cohort, k
