-- Segment (or value tier) migrations between T1 = $date_from and T2 = $date_to (METRICS.md "Segment
-- migrations"): each customer with a purchase day on or before T2 counts once in (level at T1, level at
-- T2), with scores computed among each date's own customers; no purchase day by T1 starts from not_yet.
with
-- include: _scope.sql
snapshots as (
    select 1 as snap, cast($date_from as date) as d
    union all
    select 2 as snap, cast($date_to as date) as d
),
-- include: _rfm.sql
levels as (
    select snap, cid, case when $level = 'tier' then tier else segment end as level from rfm
),
pairs as (
    select coalesce(a.level, 'not_yet') as from_segment, b.level as to_segment
    from levels b
    left join levels a on a.cid = b.cid and a.snap = 1
    where b.snap = 2
),
final as (
    select from_segment, to_segment, count(*) as customers
    from pairs
    group by from_segment, to_segment
)
select * from final
