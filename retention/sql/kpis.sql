-- KPIs per period (METRICS.md "KPIs per period"), the ones that depend on the window W: one row per period
-- from the one holding the earliest order_date in scope to the one holding T, empty periods included; "end"
-- of the period holding T is T. The revenue KPIs, which do not depend on W, are kpis_revenue.sql (so moving
-- the window slider does not recompute them).
with
-- include: _scope.sql
period_origin as (
    select min(order_date) as start_day from order_days
),
-- include: _periods.sql
-- include: _period_days.sql
-- A span of activity counts at every period end inside it.
-- include: _spans.sql
-- include: _kpi_events.sql
span_periods as (
    select s.cid, qa.q as q_lo, case when p.eff_end = s.b then qb.q else qb.q - 1 end as q_hi
    from spans s
    join day_q qa on qa.day = s.a
    join day_q qb on qb.day = s.b
    join periods p on p.q = qb.q
),
active_steps as (
    select q_lo as q, count(*) as step from span_periods where q_hi >= q_lo group by q_lo
    union all
    select q_hi + 1 as q, -count(*) as step from span_periods where q_hi >= q_lo group by q_hi
),
active_end as (
    select p.q, sum(coalesce(s.step, 0)) over (order by p.q rows between unbounded preceding and current row) as active_end
    from periods p
    left join (select q, sum(step) as step from active_steps group by q) s on s.q = p.q
),
-- Customers active at the end of period q - 1, i.e. on start_q - 1 (the ones counted in active_start of q).
start_spans as (
    select cid, q_lo + 1 as q_from, q_hi + 1 as q_to from span_periods where q_hi >= q_lo
),
-- One pass over the purchase days: the first one of a customer in a period (its previous purchase day is
-- before the period) marks a buyer; when that previous day is within the window of start_p - 1, the
-- customer was active at the start and bought again in the period (repeat).
purchase_flows as (
    select
        q.q,
        count(*) filter (where pd.is_new) as new,
        count(*) filter (where pd.is_reactivation) as reactivations,
        count(*) filter (where pd.prev_day is null or pd.prev_day < p.p_start) as buyers,
        count(*) filter (where pd.prev_day < p.p_start and pd.prev_day >= p.p_start - 1 - pd.w) as repeated
    from pd_events pd
    join day_q q on q.day = pd.day
    join periods p on p.q = q.q
    group by q.q
),
lapse_events as (
    select pd.cid, q.q
    from pd_events pd join day_q q on q.day = pd.lapse_day
),
lapse_counts as (
    select q, count(*) as lapses from lapse_events group by q
),
churned as (
    select l.q, count(distinct l.cid) as churned
    from lapse_events l
    join start_spans s on s.cid = l.cid and l.q between s.q_from and s.q_to
    group by l.q
),
joined as (
    select
        p.p_start as period,
        p.p_end <= cast($as_of as date) as complete,
        cast(coalesce(lag(a.active_end) over (order by p.q), 0) as bigint) as active_start,
        cast(a.active_end as bigint) as active_end,
        coalesce(f.new, 0) as new,
        coalesce(f.reactivations, 0) as reactivations,
        coalesce(l.lapses, 0) as lapses,
        coalesce(c.churned, 0) as churned,
        coalesce(f.repeated, 0) as repeated,
        coalesce(f.buyers, 0) as buyers
    from periods p
    join active_end a on a.q = p.q
    left join purchase_flows f on f.q = p.q
    left join lapse_counts l on l.q = p.q
    left join churned c on c.q = p.q
),
final as (
    select
        period,
        complete,
        active_start,
        active_end,
        new,
        reactivations,
        lapses,
        churned / nullif(active_start, 0) as churn_rate,
        1 - churned / nullif(active_start, 0) as retention_rate,
        repeated / nullif(active_start, 0) as repeat_rate,
        buyers
    from joined
)
select * from final order by period
