-- needs: periods
-- defines: period_of_day, day_q
-- Every day from the first period's start to T with its period number q (after _periods.sql): reports join
-- dates to periods on this (a join on a date is cheap).
period_of_day as (
    select cast(unnest(generate_series(
        cast((select min(p_start) from periods) as timestamp), cast(cast($as_of as date) as timestamp), interval 1 day
    )) as date) as day
),
day_q as (
    select d.day, p.q from period_of_day d join periods p on d.day between p.p_start and p.eff_end
),
