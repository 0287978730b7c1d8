-- Members of a KPI event set of the period starting $period_start (kpis.sql): `new` (the first purchase day
-- in the period), `reactivations` (a purchase day in the period after a gap longer than the window), `lapses`
-- (a purchase day with no next purchase day within its window, whose lapse day day + w + 1 is in the period,
-- on or before T). Customers with at least one event.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
-- include: _kpi_events.sql
period_origin as (
    select cast($period_start as date) as start_day
),
-- include: _periods.sql
-- the events as kpis.sql counts them, in the period (q = 0) as kpis.sql cuts it
chosen as (
    select e.cid
    from pd_events e
    join periods t on t.q = 0
    where case $event
        when 'new' then e.is_new and e.day between t.p_start and t.eff_end
        when 'reactivations' then e.is_reactivation and e.day between t.p_start and t.eff_end
        else e.lapse_day between t.p_start and t.eff_end
    end
),
-- include: _members_final.sql
select * from final order by customer_id
