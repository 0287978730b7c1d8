-- needs:
-- defines: filter_pairs, scope, window_map, cust_w, scope_pdays, scope_days, pd, order_days
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
scope_pdays as (
    select p.*, cast($window as integer) as w
    from pdays p
),
scope_days as (
    select * from days
),
-- include: _scope_days.sql
