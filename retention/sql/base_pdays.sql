-- Purchase days (days with an activity row) with the previous and next purchase day of the same customer
-- and the customer's first purchase day.
-- The neighbours do not depend on the as-of date T except that a next day after T does not exist yet;
-- reports apply that cut.
create or replace table pdays as
with purchase_days as (
    select cid, order_date as day, n_act, amount from days where n_act > 0
),
final as (
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
)
select * from final
