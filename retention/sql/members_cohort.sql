-- Members of a cohort cell (cohorts.sql): customers whose first purchase day is in the period $cohort,
-- counted in `active` at k (a purchase day in period cohort + k) or `alive` at k (a span of activity covering
-- the period's end, T for the period holding T; a span lasts from a purchase day until its window runs out,
-- the next purchase day or T). $target is the first day of period cohort + k.
with
-- include: _scope.sql
status_dates as (
    select cast($as_of as date) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
target as (
    select
        cast($target as date) as p_start,
        least(
            cast(cast($target as date) + case $period when 'week' then interval 7 day when 'month' then interval 1 month
                                                      else interval 3 month end as date) - 1,
            cast($as_of as date)) as eff_end
),
cohort_members as (
    select cid from pd where n = 1 and cast(date_trunc($period, day) as date) = cast($cohort as date)
),
chosen as (
    select distinct p.cid
    from pd p
    join cohort_members c on c.cid = p.cid
    cross join target t
    where case $measure
        when 'active' then p.day between t.p_start and t.eff_end
        else p.day <= t.eff_end
             and least(p.day + p.w, coalesce(p.next_day - 1, cast($as_of as date)), cast($as_of as date)) >= t.eff_end
    end
),
-- include: _members_final.sql
select * from final order by customer_id
