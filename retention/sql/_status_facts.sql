-- needs: fact_rows
-- defines: facts_at
-- fact_rows(d, cid, day, prev_day, w, gap_median): for each date d, the purchase days on or before d
-- of the customers asked about at d (rows of pd, or of contact_pd);
-- facts_at(d, cid, w, first_day, last_day, frequency, expected_gap, last_reactivation).
-- Each customer's facts at d (METRICS.md "Customer facts as of a date d"): one grouped pass, feeds _status_rule.sql.
facts_at as (
    select
        d,
        cid,
        any_value(w) as w,
        min(day) as first_day,
        max(day) as last_day,
        count(*) as frequency,
        -- expected_gap(c, d) = the median of the gaps on or before d = the median gap so far at the last
        -- purchase day on or before d (the base column pdays.gap_median): a streaming aggregate, where a
        -- median over the gaps would hold every gap in memory (out of memory at 100M)
        arg_max(gap_median, day) as expected_gap,
        max(case when day - prev_day > w then day end) as last_reactivation
    from fact_rows
    group by d, cid
),
