-- Refresh: cohort_days moves by the counts (the rule of _base_cohort_days.sql) of the purchase days that enter
-- pdays (the tail customers' new ones, the redo customers' new ones) minus those of the ones that leave it
-- (the redo customers' old ones). A next day does not count, so the tail customers' old rows change nothing.
-- A pair whose counts all end at 0 keeps its row while any purchase day falls in it (refresh_cohort_present.sql
-- looks, for the pairs no entering day falls in), as in a full build.
create or replace temp table cohort_add as
with cohort_pdays as (
    select * from tail_new
    union all
    select * from redo_new
),
-- include: _base_cohort_days.sql
final as (
    select * from cohort_rows
)
select * from final;

create or replace temp table cohort_del as
with cohort_pdays as (
    select * from redo_old
),
-- include: _base_cohort_days.sql
final as (
    select * from cohort_rows
)
select * from final;

create or replace temp table cohort_moved as
with pairs as (
    select first_day, day from cohort_add
    union
    select first_day, day from cohort_del
),
final as (
    select
        g.first_day,
        g.day,
        cast(coalesce(c.opens_week, 0) + coalesce(a.opens_week, 0) - coalesce(d.opens_week, 0) as integer)
            as opens_week,
        cast(coalesce(c.opens_month, 0) + coalesce(a.opens_month, 0) - coalesce(d.opens_month, 0) as integer)
            as opens_month,
        cast(coalesce(c.opens_quarter, 0) + coalesce(a.opens_quarter, 0) - coalesce(d.opens_quarter, 0) as integer)
            as opens_quarter,
        cast(coalesce(c.firsts, 0) + coalesce(a.firsts, 0) - coalesce(d.firsts, 0) as integer) as firsts,
        a.first_day is not null as entered
    from pairs g
    left join cohort_days c on c.first_day = g.first_day and c.day = g.day
    left join cohort_add a on a.first_day = g.first_day and a.day = g.day
    left join cohort_del d on d.first_day = g.first_day and d.day = g.day
)
select * from final;

create or replace temp table cohort_check as
select first_day, day from cohort_moved
where not entered and opens_week = 0 and opens_month = 0 and opens_quarter = 0 and firsts = 0
