-- needs:
-- defines: filter_pairs, scope, window_map, cust_w, scope_pdays, scope_days, pd, order_days
-- Shared first steps of every report: the customers in scope (segment filter), each one's window W
-- (per-segment map, else the global W) and their purchase days on or before T.
filter_pairs as (
    select unnest(cast($filter_pairs as varchar[])) as pair
),
scope as (
    select cid from ids where $n_filters = 0
    union all
    select a.cid
    from attrs a
    where $n_filters > 0 and a.attribute || chr(31) || a.value in (select pair from filter_pairs)
    group by a.cid
    having count(distinct a.attribute) = $n_filters
),
window_map as (
    select unnest(cast($wmap_values as varchar[])) as value, unnest(cast($wmap_days as integer[])) as w
),
cust_w as (
    select s.cid, coalesce(m.w, $window) as w
    from scope s
    left join attrs a on a.cid = s.cid and a.attribute = $window_by
    left join window_map m on m.value = a.value
),
scope_pdays as (
    select p.*, w.w
    from pdays p
    join cust_w w on w.cid = p.cid
),
scope_days as (
    select d.*
    from days d
    join scope s on s.cid = d.cid
),
-- include: _scope_days.sql
