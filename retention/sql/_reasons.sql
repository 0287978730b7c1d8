-- needs: scope, pd
-- defines: cat_map, reasons_to_t, reason_rows, lapse_events, lapse_explained
-- Churn reasons in the chosen range (after _scope.sql): the reason rows with their category resolved, and
-- the lapse events of the range, each marked explained when a reason row of the same customer (any row on or
-- before T, in the range or not) lies within the customer's W days of the lapse day.
-- $date_from / $date_to: inclusive bounds of the range, null for open.
cat_map as (
    select unnest(cast($cat_reasons as varchar[])) as reason, unnest(cast($cat_values as varchar[])) as category
),
reasons_to_t as (
    select r.*
    from reasons r
    join scope s on s.cid = r.cid
    where r.churned_at <= cast($as_of as date)
),
-- A category on the row wins; else the configured reason -> category map; else none (uncategorised).
reason_rows as (
    select r.cid, r.churned_at, r.reason, coalesce(r.category, m.category) as category, r.source, r.comment
    from reasons_to_t r
    left join cat_map m on m.reason = r.reason
    where (cast($date_from as date) is null or r.churned_at >= cast($date_from as date))
      and (cast($date_to as date) is null or r.churned_at <= cast($date_to as date))
),
-- A purchase day with no next purchase day within its window lapses on day + w + 1, if that day is on or before T.
lapse_events as (
    select cid, day + w + 1 as lapse_day, w
    from pd
    where (next_day is null or next_day > day + w)
      and day + w + 1 <= cast($as_of as date)
      and (cast($date_from as date) is null or day + w + 1 >= cast($date_from as date))
      and (cast($date_to as date) is null or day + w + 1 <= cast($date_to as date))
),
lapse_explained as (
    select
        l.cid,
        l.lapse_day,
        l.w,
        exists (
            select 1
            from reasons_to_t r
            where r.cid = l.cid and abs(r.churned_at - l.lapse_day) <= l.w
        ) as explained
    from lapse_events l
),
