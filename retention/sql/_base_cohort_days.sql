-- needs: cohort_pdays
-- defines: cohort_rows
-- The active cohort tables of every customer at once, rolled up by (first purchase day, purchase day) from
-- cohort_pdays (all of `pdays`; in retention/refresh.py the rows of the (first day, day) pairs an append
-- touched): at most days x days rows whatever the number of customers, so `cohorts --metric active` without
-- a segment filter reads about a million rows instead of every purchase day. For each period kind, the
-- purchase days that open their period for their customer (the previous purchase day is before the period's
-- start), and the customers whose first purchase day it is. Nothing here depends on T, W or a filter: a
-- report keeps the rows with day <= T (a customer's first day is on or before every day of theirs).
cohort_rows as (
    select
        first_day,
        day,
        cast(count(*) filter (where prev_day is null or prev_day < cast(date_trunc('week', day) as date)) as integer)
            as opens_week,
        cast(count(*) filter (where prev_day is null or prev_day < cast(date_trunc('month', day) as date)) as integer)
            as opens_month,
        cast(count(*) filter (where prev_day is null or prev_day < cast(date_trunc('quarter', day) as date)) as integer)
            as opens_quarter,
        cast(count(*) filter (where n = 1) as integer) as firsts
    from cohort_pdays
    group by first_day, day
),
