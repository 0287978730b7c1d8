-- Baseline for issue 23's `kpis` target: the three cohort tables (METRICS.md "Periods and cohorts": active,
-- alive, revenue per cohort and k) straight from the orders files, in DuckDB SQL tuned by hand, with the
-- defaults of the reports: period month, W = 90, T = the latest order date, time zone UTC.
--
--     python bench/kpis_target.py --baseline-only DATA    (runs this file on DATA/orders)
--
-- The runner sets the variable `orders` to the list of Parquet files and TimeZone to UTC. The output has
-- the columns of `python -m retention cohorts --metric all` (bench/kpis_target.py --check compares them).
--
-- The tuning: the order rows are read once and reduced to one row per (customer, day); purchase days get
-- their next day and the customer's first day from one window; `active` counts the purchase days that open
-- their month for their customer (the previous purchase day is in an earlier month), so no count(distinct);
-- `alive` is a running sum of +1 / -1 steps at the months where a span of activity starts and stops
-- covering a month end; revenue is summed per (customer, month) before the join to the cohorts.
with
order_rows as (
    select
        cast(customer_id as varchar) as c,
        cast(ordered_at as date) as d,
        amount
    from read_parquet(getvariable('orders'))
),
cust_days as (
    select
        c,
        d,
        bool_or(amount is null or amount >= 0) as act,
        coalesce(sum(amount), 0) as amt
    from order_rows
    group by c, d
),
t as (
    select max(d) as t from cust_days
),
pdays as (
    select
        c,
        d,
        lag(d) over w as prev_d,
        lead(d) over w as next_d,
        min(d) over w0 as first_d
    from cust_days
    where act
    window w as (partition by c order by d), w0 as (partition by c)
),
marks as (
    select
        cast(date_trunc('month', p.first_d) as date) as cohort,
        cast(date_trunc('month', p.d) as date) as pa,
        p.prev_d is null or p.prev_d < cast(date_trunc('month', p.d) as date) as opens,
        p.d = p.first_d as is_first,
        -- the span of activity from d: through b = min(d + W, next day - 1, T)
        least(p.d + 90, coalesce(p.next_d - 1, t.t), t.t) as b,
        t.t
    from pdays p, t
),
marks2 as (
    select
        cohort,
        pa,
        opens,
        is_first,
        -- the first month whose end (T for the month holding T) the span no longer covers
        case
            when b = least(cast(date_trunc('month', b) + interval 1 month as date) - 1, t)
            then cast(date_trunc('month', b) + interval 1 month as date)
            else cast(date_trunc('month', b) as date)
        end as stop
    from marks
),
agg as (
    select
        cohort,
        pa,
        stop,
        count(*) filter (where opens) as opened,
        count(*) filter (where is_first) as firsts,
        count(*) filter (where stop > pa) as spans
    from marks2
    group by all
),
sizes as (
    select cohort, sum(firsts) as cohort_size from agg group by cohort having sum(firsts) > 0
),
active as (
    select cohort, pa as p, sum(opened) as active from agg group by all
),
alive_steps as (
    select cohort, p, sum(step) as step
    from (
        select cohort, pa as p, spans as step from agg where spans > 0
        union all
        select cohort, stop as p, -spans as step from agg where spans > 0
    )
    group by all
),
cohort_of as (
    select c, cast(date_trunc('month', first_d) as date) as cohort from pdays where d = first_d
),
revenue as (
    select o.cohort, r.p, sum(r.amt) as revenue
    from (
        select c, cast(date_trunc('month', d) as date) as p, sum(amt) as amt
        from cust_days
        group by all
    ) r
    join cohort_of o using (c)
    group by all
),
months as (
    select cast(unnest(generate_series(
        cast((select min(cohort) from sizes) as timestamp),
        cast(date_trunc('month', (select t from t)) as timestamp),
        interval 1 month
    )) as date) as p
),
grid as (
    select
        s.cohort,
        m.p,
        datediff('month', s.cohort, m.p) as k,
        s.cohort_size,
        cast(m.p + interval 1 month as date) - 1 <= (select t from t) as complete
    from sizes s
    join months m on m.p >= s.cohort
),
joined as (
    select
        g.cohort,
        g.k,
        cast(g.cohort_size as bigint) as cohort_size,
        cast(coalesce(a.active, 0) as bigint) as active,
        cast(sum(coalesce(st.step, 0)) over (partition by g.cohort order by g.k) as bigint) as alive,
        coalesce(r.revenue, 0) as revenue,
        g.complete
    from grid g
    left join active a on a.cohort = g.cohort and a.p = g.p
    left join alive_steps st on st.cohort = g.cohort and st.p = g.p
    left join revenue r on r.cohort = g.cohort and r.p = g.p
)
select
    cohort,
    k,
    cohort_size,
    active,
    alive,
    revenue,
    revenue / cohort_size as revenue_per_customer,
    sum(revenue / cohort_size) over (partition by cohort order by k) as cumulative_revenue_per_customer,
    complete
from joined
order by cohort, k
