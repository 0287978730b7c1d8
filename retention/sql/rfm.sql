-- RFM scores, segment and value tier of each customer with a purchase day on or before T (METRICS.md
-- "RFM and value tiers"), in scope.
with
-- include: _scope.sql
snapshots as (
    select 0 as snap, cast($as_of as date) as d
),
-- include: _rfm.sql
final as (
    select i.customer_id, x.recency, x.frequency, x.monetary, x.r, x.f, x.m, x.segment, x.tier
    from rfm x
    join ids i on i.cid = x.cid
)
select * from final order by customer_id
