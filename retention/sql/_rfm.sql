-- needs: pd, order_days, snapshots
-- defines: rfm_days, rfm_buyers, rfm_money, rfm_facts, rfm_ranks, rfm_scores, rfm
-- RFM facts, scores, segments and value tiers of the customers with a purchase day on or before each
-- snapshot date d. Needs a CTE snapshots(snap, d) with every d on or before T (pd and order_days of
-- _scope.sql are cut at T). Ranks are taken per snapshot, among that date's customers.
-- One grouped pass over the order days for all three facts: the purchase days are the order days with an
-- activity row (n_act > 0, the rows of pd), so last purchase day and frequency need no second pass over pd.
rfm_days as (
    select
        s.snap,
        s.d,
        o.cid,
        max(o.order_date) filter (where o.n_act > 0) as last_day,
        count(*) filter (where o.n_act > 0) as frequency,
        sum(o.amount) as monetary
    from snapshots s
    join order_days o on o.order_date <= s.d
    group by s.snap, s.d, o.cid
),
rfm_buyers as (
    select snap, d, cid, last_day, frequency from rfm_days where frequency > 0
),
rfm_money as (
    select snap, cid, monetary from rfm_days
),
rfm_facts as (
    select
        snap,
        cid,
        d - last_day as recency,
        frequency,
        coalesce(monetary, 0) as monetary,
        -- Sums of doubles differ in the last bits with the order of addition: rank on a rounded key so
        -- that equal amounts tie whatever order DuckDB's threads added them in.
        round(coalesce(monetary, 0), 6) as monetary_key
    from rfm_days
    where frequency > 0
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
