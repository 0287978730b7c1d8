-- needs: pd, status_dates
-- defines: fact_rows, facts_at
-- status_dates(d): dates on or before T; facts_at via _status_facts.sql.
-- Each customer's facts at each date d of status_dates(d): every customer's purchase days on or before d;
-- feeds _lifecycle_classify.sql.
fact_rows as (
    select sd.d, p.cid, p.day, p.prev_day, p.w, p.gap_median
    from status_dates sd
    join pd p on p.day <= sd.d
),
-- include: _status_facts.sql
