-- The active cohort table alone (cohorts --metric active): cohort, k, cohort_size, active, complete.
-- One pass over the purchase days: a purchase day opens its period for its customer when the previous one
-- is before the period's start; counted per (cohort, period) with the customer's first day as cohort.
with
-- include: _scope.sql
counts as (
    select
        cast(date_trunc($period, first_day) as date) as cohort,
        cast(date_trunc($period, day) as date) as p_start,
        count(*) filter (where prev_day is null or prev_day < cast(date_trunc($period, day) as date)) as active,
        count(*) filter (where n = 1) as firsts
    from pd
    group by all
),
period_origin as (
    select min(cohort) as start_day from counts
),
-- include: _periods.sql
cohort_sizes as (
    select cohort, cast(sum(firsts) as bigint) as cohort_size from counts group by cohort having sum(firsts) > 0
),
final as (
    select
        c.cohort,
        p.q - cp.q as k,
        c.cohort_size,
        cast(coalesce(a.active, 0) as bigint) as active,
        p.p_end <= cast($as_of as date) as complete
    from cohort_sizes c
    join periods cp on cp.p_start = c.cohort
    join periods p on p.q >= cp.q
    left join counts a on a.cohort = c.cohort and a.p_start = p.p_start
)
select * from final order by cohort, k
