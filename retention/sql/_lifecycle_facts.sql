-- needs: pd, status_dates
-- defines: facts_at
-- Each customer's facts at each date d of status_dates(d) (on or before T): one grouped pass over the
-- purchase days on or before d. Needs _scope.sql and status_dates; feeds _lifecycle_classify.sql.
facts_at as (
    select
        sd.d,
        p.cid,
        any_value(p.w) as w,
        min(p.day) as first_day,
        max(p.day) as last_day,
        count(*) as frequency,
        -- the median gap so far at the last purchase day on or before d (a base column): a streaming
        -- aggregate, where a median over the gaps would hold every gap in memory (out of memory at 100M)
        arg_max(p.gap_median, p.day) as expected_gap,
        max(case when p.day - p.prev_day > p.w then p.day end) as last_reactivation
    from status_dates sd
    join pd p on p.day <= sd.d
    group by sd.d, p.cid
),
