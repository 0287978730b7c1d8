-- needs:
-- defines: filter_pairs, scope, window_map, cust_w, pd, order_days
-- The shared first steps of _scope.sql when there is no segment filter and no window map: every
-- customer is in scope with the global W, so the purchase days need no join (same CTEs, same columns).
filter_pairs as (
    select cast(null as varchar) as pair where false
),
scope as (
    select cid from ids
),
window_map as (
    select cast(null as varchar) as value, cast(null as integer) as w where false
),
cust_w as (
    select cid, cast($window as integer) as w from ids
),
pd as (
    select
        p.cid,
        p.day,
        p.prev_day,
        case when p.next_day <= cast($as_of as date) then p.next_day end as next_day,
        p.n,
        p.n_act,
        p.amount,
        cast($window as integer) as w,
        p.first_day,
        p.gap_median
    from pdays p
    where p.day <= cast($as_of as date)
),
order_days as (
    select d.cid, d.order_date, d.n_rows, d.n_act, d.amount, d.cost_sum, d.amount_costed, d.amount_uncosted
    from days d
    where d.order_date <= cast($as_of as date)
),
