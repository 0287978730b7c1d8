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
        quantile_cont(p.day - p.prev_day, 0.5) as expected_gap,
        max(case when p.day - p.prev_day > p.w then p.day end) as last_reactivation
    from status_dates sd
    join pd p on p.day <= sd.d
    group by sd.d, p.cid
),
