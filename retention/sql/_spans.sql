-- needs: pd
-- defines: spans
-- spans: every column of pd, and a, b.
-- Spans of activity (METRICS.md "Active"): a purchase day `a` keeps the customer active until its window runs
-- out, the next purchase day or T (`b`, its last day); spans of one customer never overlap. A customer is
-- active at d when a span holds d.
spans as (
    select *, day as a, least(day + w, coalesce(next_day - 1, cast($as_of as date)), cast($as_of as date)) as b
    from pd
),
