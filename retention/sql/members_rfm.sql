-- Members of an RFM cell (r = $r and f = $f), segment or value tier at T (rfm.sql); a null parameter matches all.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
snapshots as (
    select 0 as snap, cast($as_of as date) as d
),
-- include: _rfm.sql
chosen as (
    select cid
    from rfm
    where (cast($r as integer) is null or r = cast($r as integer))
      and (cast($f as integer) is null or f = cast($f as integer))
      and (cast($segment as varchar) is null or segment = cast($segment as varchar))
      and (cast($tier as varchar) is null or tier = cast($tier as varchar))
),
-- include: _members_final.sql
select * from final order by customer_id
