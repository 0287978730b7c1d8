-- Members of a KPI event set of the period starting $period_start (kpis.sql): `new` (the first purchase day
-- in the period), `reactivations` (a purchase day in the period after a gap longer than the window), `lapses`
-- (a purchase day with no next purchase day within its window, whose lapse day day + w + 1 is in the period,
-- on or before T). Customers with at least one event.
with
-- include: _scope.sql
status_dates as (
    select cast($as_of as date) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
target as (
    select
        cast($period_start as date) as p_start,
        least(
            cast(cast($period_start as date) + case $period when 'week' then interval 7 day when 'month' then interval 1 month
                                                            else interval 3 month end as date) - 1,
            cast($as_of as date)) as eff_end
),
chosen as (
    select p.cid
    from pd p
    cross join target t
    where case $event
        when 'new' then p.n = 1 and p.day between t.p_start and t.eff_end
        when 'reactivations' then p.day - p.prev_day > p.w and p.day between t.p_start and t.eff_end
        else (p.next_day is null or p.next_day - p.day > p.w) and p.day + p.w + 1 between t.p_start and t.eff_end
    end
),
-- include: _members_final.sql
select * from final order by customer_id
