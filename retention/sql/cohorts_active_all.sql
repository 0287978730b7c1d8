-- cohorts_active.sql for every customer (no segment filter; W plays no part in `active`): the same table
-- from base_cohort_days, the purchase days rolled up by (first day, day), so its cost does not grow with
-- the number of customers.
with
counts as (
    select
        cast(date_trunc($period, first_day) as date) as cohort,
        cast(date_trunc($period, day) as date) as p_start,
        sum(case $period when 'week' then opens_week when 'month' then opens_month else opens_quarter end) as active,
        sum(firsts) as firsts
    from cohort_days
    where day <= cast($as_of as date)
    group by all
),
-- include: _active_grid.sql
select * from final order by cohort, k
