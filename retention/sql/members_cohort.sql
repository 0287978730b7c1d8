-- Members of a cohort cell (cohorts.sql): customers whose first purchase day is in the period $cohort,
-- counted in `active` at k (a purchase day in period cohort + k) or `alive` at k (a span of activity covering
-- the period's end, T for the period holding T; a span lasts from a purchase day until its window runs out,
-- the next purchase day or T). $target is the first day of period cohort + k.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
cohort_members as (
    select cid from pd where n = 1 and cast(date_trunc($period, day) as date) = cast($cohort as date)
),
-- include: _spans.sql
period_origin as (
    select cast($target as date) as start_day
),
-- include: _periods.sql
-- the spans of activity cohorts.sql counts, at the end of period cohort + k (q = 0) as cohorts.sql cuts it
chosen as (
    select distinct s.cid
    from spans s
    join cohort_members c on c.cid = s.cid
    join periods t on t.q = 0
    where case $measure
        when 'active' then s.day between t.p_start and t.eff_end
        else s.a <= t.eff_end and s.b >= t.eff_end
    end
),
-- include: _members_final.sql
select * from final order by customer_id
