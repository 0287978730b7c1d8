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
running_facts as (
    select
        cid,
        day,
        least(coalesce(next_day - 1, cast($as_of as date)), cast($as_of as date)) as until_day,
        w,
        min(day) over running as first_day,
        cast(n as bigint) as frequency,
        gap_median as expected_gap,
        max(case when day - prev_day > w then day end) over running as last_reactivation
    from pd
    window running as (partition by cid order by day rows between unbounded preceding and current row)
),
-- The period ends inside [day, until_day]: from the period holding day to the one holding until_day,
-- less that one when its end falls after until_day.
covered as (
    select
        r.*,
        pa.q as q_lo,
        case when pb.eff_end = r.until_day then pb.q else pb.q - 1 end as q_hi
    from running_facts r
    join periods pa on pa.p_start = cast(date_trunc($period, r.day) as date)
    join periods pb on pb.p_start = cast(date_trunc($period, r.until_day) as date)
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
    from (select *, unnest(generate_series(q_lo, q_hi)) as q from covered where q_hi >= q_lo) c
    join periods p on p.q = c.q
),
-- include: _lifecycle_classify.sql
counts as (
    select d, status, count(*) as customers from statuses group by d, status
),
final as (
    select p.p_start as period, p.eff_end as period_end, p.p_end <= cast($as_of as date) as complete,
           o.status, coalesce(c.customers, 0) as customers, o.status_rank
    from periods p
    cross join status_order o
    left join counts c on c.d = p.eff_end and c.status = o.status
)
select * from final order by period, status_rank
