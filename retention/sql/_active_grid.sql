-- needs: counts
-- defines: period_origin, cohort_sizes, final
-- The active cohort table from `counts` (cohort, p_start, active, firsts): every period from the cohort's to
-- the one holding T, with zeros where no customer of the cohort bought.
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
