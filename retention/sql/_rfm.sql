-- needs: pd, order_days, snapshots
-- defines: rfm_buyers, rfm_money, rfm_facts, rfm_ranks, rfm_scores, rfm
-- RFM facts, scores, segments and value tiers of the customers with a purchase day on or before each
-- snapshot date d. Needs a CTE snapshots(snap, d) with every d on or before T (pd and order_days of
-- _scope.sql are cut at T). Ranks are taken per snapshot, among that date's customers.
rfm_buyers as (
    select s.snap, s.d, p.cid, max(p.day) as last_day, count(*) as frequency
    from snapshots s
    join pd p on p.day <= s.d
    group by s.snap, s.d, p.cid
),
rfm_money as (
    select s.snap, o.cid, sum(o.amount) as monetary
    from snapshots s
    join order_days o on o.order_date <= s.d
    group by s.snap, o.cid
),
rfm_facts as (
    select
        b.snap,
        b.cid,
        b.d - b.last_day as recency,
        b.frequency,
        coalesce(m.monetary, 0) as monetary,
        -- Sums of doubles differ in the last bits with the order of addition: rank on a rounded key so
        -- that equal amounts tie whatever order DuckDB's threads added them in.
        round(coalesce(m.monetary, 0), 6) as monetary_key
    from rfm_buyers b
    left join rfm_money m on m.snap = b.snap and m.cid = b.cid
),
-- rank - 1 and n - 1 per snapshot: percent_rank = r0 / n1 (0 when n1 = 0), kept in integers so that
-- score = min(5, 1 + floor(5 * percent_rank)) and the tier cut-offs are exact.
rfm_ranks as (
    select
        *,
        count(*) over (partition by snap) - 1 as n1,
        rank() over (partition by snap order by recency desc) - 1 as r0,
        rank() over (partition by snap order by frequency) - 1 as f0,
        rank() over (partition by snap order by monetary_key) - 1 as m0
    from rfm_facts
),
rfm_scores as (
    select
        snap,
        cid,
        recency,
        frequency,
        monetary,
        cast(case when n1 = 0 then 1 else least(5, 1 + (5 * r0) // n1) end as integer) as r,
        cast(case when n1 = 0 then 1 else least(5, 1 + (5 * f0) // n1) end as integer) as f,
        cast(case when n1 = 0 then 1 else least(5, 1 + (5 * m0) // n1) end as integer) as m,
        case
            when n1 = 0 then 'low'
            when 5 * m0 >= 4 * n1 then 'high'  -- percent_rank >= 0.8
            when 2 * m0 >= n1 then 'mid'       -- percent_rank >= 0.5
            else 'low'
        end as tier
    from rfm_ranks
),
-- The segment of METRICS.md from (R, F): the rule is written once, in codes.segment_of; $rf_segments holds
-- its answer for each of the 25 cells, r-major (codes.RF_SEGMENTS, from Params.sql()).
rfm as (
    select
        *,
        cast($rf_segments as varchar[])[(r - 1) * 5 + f] as segment
    from rfm_scores
),
