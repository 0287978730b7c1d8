-- needs: scope_pdays, scope_days
-- defines: pd, order_days
-- The last shared first steps of _scope.sql and _scope_all.sql: the purchase days (with W) and all order days
-- of the customers in scope, on or before T; a next purchase day after T is cut (null).
pd as (
    select
        cid,
        day,
        prev_day,
        case when next_day <= cast($as_of as date) then next_day end as next_day,
        n,
        n_act,
        amount,
        w,
        first_day,
        gap_median
    from scope_pdays
    where day <= cast($as_of as date)
),
order_days as (
    select cid, order_date, n_rows, n_act, amount, cost_sum, amount_costed, amount_uncosted
    from scope_days
    where order_date <= cast($as_of as date)
),
