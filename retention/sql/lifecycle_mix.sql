-- Customers per status at the end of every period (T for the period holding T), from the period of the
-- earliest order_date in scope: one row per period and status, zeros included.
-- Unlike the one-date reports, the facts come from running window functions over the purchase days
-- (each one carries the customer's facts as of that day) and each purchase day then stands for the
-- period ends up to the next purchase day: grouping the days before every period end again would cost
-- purchase days x periods.
with
-- include: _scope.sql
period_origin as (
    select min(order_date) as start_day from order_days
),
-- include: _periods.sql
status_dates as (
    select eff_end as d from periods
),
-- The customers with a reactivation event (a gap > w): a few percent of the purchase days are theirs, and
-- only their days need the running window for the latest reactivation so far; everyone else's is null.
reactivated as (
    select distinct cid from pd where day - prev_day > w
),
running_facts as (
    select
        p.cid,
        p.day,
        least(coalesce(p.next_day - 1, cast($as_of as date)), cast($as_of as date)) as until_day,
        p.w,
        p.first_day,
        cast(p.n as bigint) as frequency,
        p.gap_median as expected_gap,
        cast(null as date) as last_reactivation
    from pd p
    anti join reactivated r on r.cid = p.cid
    union all
    select
        p.cid,
        p.day,
        least(coalesce(p.next_day - 1, cast($as_of as date)), cast($as_of as date)) as until_day,
        p.w,
        p.first_day,
        cast(p.n as bigint) as frequency,
        p.gap_median as expected_gap,
        max(case when p.day - p.prev_day > p.w then p.day end) over running as last_reactivation
    from pd p
    semi join reactivated r on r.cid = p.cid
    window running as (partition by p.cid order by p.day rows between unbounded preceding and current row)
),
-- The period ends inside [day, until_day]: from the period holding day to the one holding until_day,
-- less that one when its end falls after until_day. Those from the day the purchase day lapses on
-- (day + w + 1, METRICS.md "Lapse event") are period ends where the customer is lost (rule 2 of the status
-- rule: d - last_day > w, and a customer with a purchase day is no prospect): q_lost is the first of them
-- (q_hi + 1 when the lapse comes after until_day). Only the period ends before it are classified row by row
-- (_lifecycle_classify.sql); the lost ones, most of the customer x period pairs at scale, are counted as
-- +1 / -1 steps over q.
covered as (
    select
        r.*,
        pa.q as q_lo,
        case when pb.eff_end = r.until_day then pb.q else pb.q - 1 end as q_hi,
        case when r.day + r.w + 1 <= r.until_day then pl.q end as q_lapse
    from running_facts r
    join periods pa on pa.p_start = cast(date_trunc($period, r.day) as date)
    join periods pb on pb.p_start = cast(date_trunc($period, r.until_day) as date)
    left join periods pl on pl.p_start = cast(date_trunc($period, r.day + r.w + 1) as date)
),
ranges as (
    -- (greatest() skips nulls: the case keeps a null q_lapse meaning "not lost in the range")
    select *, case when q_lapse is null then q_hi + 1 else greatest(q_lapse, q_lo) end as q_lost
    from covered
    where q_hi >= q_lo
),
facts_at as (
    select
        p.eff_end as d,
        c.cid,
        c.w,
        c.first_day,
        c.day as last_day,
        c.frequency,
        c.expected_gap,
        c.last_reactivation
    from (select *, unnest(generate_series(q_lo, q_lost - 1)) as q from ranges where q_lost > q_lo) c
    join periods p on p.q = c.q
),
lost_steps as (
    select q, sum(step) as step
    from (
        select q_lost as q, count(*) as step from ranges where q_lost <= q_hi group by q_lost
        union all
        select q_hi + 1 as q, -count(*) as step from ranges where q_lost <= q_hi group by q_hi
    )
    group by q
),
lost_counts as (
    select
        p.eff_end as d,
        sum(coalesce(s.step, 0)) over (order by p.q rows between unbounded preceding and current row) as customers
    from periods p
    left join lost_steps s on s.q = p.q
),
-- include: _lifecycle_classify.sql
counts as (
    select d, status, cast(sum(customers) as bigint) as customers
    from (
        select d, status, count(*) as customers from statuses group by d, status
        union all
        select d, 'lost' as status, cast(customers as bigint) from lost_counts where customers > 0
    )
    group by d, status
),
final as (
    select p.p_start as period, p.eff_end as period_end, p.p_end <= cast($as_of as date) as complete,
           o.status, coalesce(c.customers, 0) as customers, o.status_rank
    from periods p
    cross join status_order o
    left join counts c on c.d = p.eff_end and c.status = o.status
)
select * from final order by period, status_rank
