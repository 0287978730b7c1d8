-- needs: day_rows
-- defines: purchase_days, neighbours, pdays_rows
-- Purchase days (days with an activity row) of the order days in day_rows (all of `days`; the customers
-- with appended rows in retention/refresh.py, all their days) with the previous and next purchase day of
-- the same customer and the customer's first purchase day, and the median gap so far.
-- The neighbours do not depend on the as-of date T except that a next day after T does not exist yet;
-- reports apply that cut.
purchase_days as (
    select cid, order_date as day, n_act, amount from day_rows where n_act > 0
),
neighbours as (
    select
        cid,
        day,
        lag(day) over w as prev_day,
        lead(day) over w as next_day,
        cast(row_number() over w as integer) as n,
        first_value(day) over w as first_day,
        n_act,
        amount
    from purchase_days
    window w as (partition by cid order by day)
),
-- gap_median: the median gap between the customer's purchase days up to this one (null before the second),
-- the expected gap as of this day. It depends on nothing a report chooses, and a running median is the
-- costliest step of the status mix over periods, so it is computed once here.
pdays_rows as (
    select
        *,
        quantile_cont(day - prev_day, 0.5) over (
            partition by cid order by day rows between unbounded preceding and current row
        ) as gap_median
    from neighbours
),
