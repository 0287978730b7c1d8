-- needs: period_origin
-- defines: period_grid, periods
-- Periods from the one holding period_origin.start_day to the one holding T, numbered q = 0, 1, ...
-- eff_end is the period's end, or T for the period holding T; complete when the whole period is on or before T.
period_grid as (
    select cast(unnest(generate_series(
        cast(date_trunc($period, (select min(start_day) from period_origin)) as timestamp),
        cast(date_trunc($period, cast($as_of as date)) as timestamp),
        cast($period_step as interval)
    )) as date) as p_start
),
periods as (
    select
        p_start,
        cast(p_start + cast($period_step as interval) as date) - 1 as p_end,
        least(cast(p_start + cast($period_step as interval) as date) - 1, cast($as_of as date)) as eff_end,
        cast(row_number() over (order by p_start) - 1 as integer) as q
    from period_grid
),
