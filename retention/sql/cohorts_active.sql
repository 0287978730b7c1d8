-- The active cohort table alone (cohorts --metric active): cohort, k, cohort_size, active, complete.
-- One pass over the purchase days in scope: a purchase day opens its period for its customer when the
-- previous one is before the period's start; counted per (cohort, period) with the customer's first day
-- as cohort. Without a segment filter cohorts_active_all.sql gives the same table from the rolled-up base.
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
-- include: _active_grid.sql
select * from final order by cohort, k
