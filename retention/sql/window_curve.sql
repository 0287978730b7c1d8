-- Return curve (METRICS.md "Return curve and the recommended window"), overall (segment '*') and per
-- value of the attribute $by: of all silences that lasted d days, the share that ended in a return.
-- A silence is a closed gap g (day - prev_day, both on or before T) or the open one s = T - last(c, T).
-- return_share(d) = #(g > d) / (#(g > d) + #(s >= d)) for d = 1 .. $max_days, null when nobody is left.
-- Silence lengths are binned (longer than $max_days into one bin) and turned into suffix sums, so the
-- cost is one pass over the purchase days plus (segments x $max_days) small rows, never a scan per d.
with
-- include: _scope.sql
segment_of as (
    select cid, value as segment from attrs where attribute = $by
),
silences as (
    select cid, day - prev_day as x, 1 as is_closed from pd where prev_day is not null
    union all
    select cid, cast($as_of as date) - day as x, 0 as is_closed from pd where next_day is null
),
-- One histogram per segment value (null: customers without a value), bins capped at $max_days + 1.
segment_bins as (
    select
        g.segment,
        least(s.x, $max_days + 1) as x,
        sum(s.is_closed) as n_closed,
        sum(1 - s.is_closed) as n_open
    from silences s
    left join segment_of g on g.cid = s.cid
    group by all
),
bins as (
    select 0 as seg_order, '*' as segment, x, sum(n_closed) as n_closed, sum(n_open) as n_open
    from segment_bins
    group by x
    union all
    select 1 as seg_order, segment, x, n_closed, n_open
    from segment_bins
    where segment is not null
),
segments as (
    select distinct seg_order, segment from bins
),
dense as (
    select s.seg_order, s.segment, r.x, coalesce(b.n_closed, 0) as n_closed, coalesce(b.n_open, 0) as n_open
    from segments s
    cross join range(0, $max_days + 2) r(x)
    left join bins b on b.seg_order = s.seg_order and b.segment = s.segment and b.x = r.x
),
suffix as (
    select
        seg_order,
        segment,
        x as days,
        -- closed gaps with g > d: the bins strictly after d; open silences with s >= d: from d on
        coalesce(sum(n_closed) over (partition by seg_order, segment order by x
                                     rows between 1 following and unbounded following), 0) as returned,
        sum(n_open) over (partition by seg_order, segment order by x
                          rows between current row and unbounded following) as still_silent,
        sum(n_closed + n_open) over (partition by seg_order, segment) as silences
    from dense
),
final as (
    select
        segment,
        cast(days as integer) as days,
        cast(returned as bigint) as returned,
        cast(still_silent as bigint) as still_silent,
        cast(returned as double) / nullif(returned + still_silent, 0) as return_share,
        cast(silences as bigint) as silences,
        seg_order
    from suffix
    where days between 1 and $max_days
)
select * from final order by seg_order, segment, days
