-- Migrations between $date_from (T1) and $date_to (T2), both on or before T: each customer known at T2
-- counts once in cell (status at T1, status at T2); a customer unknown at T1 comes from `not_yet`.
with
-- include: _scope.sql
status_dates as (
    select distinct unnest([cast($date_from as date), cast($date_to as date)]) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
at_to as (
    select cid, status from statuses where d = cast($date_to as date)
),
at_from as (
    select cid, status from statuses where d = cast($date_from as date)
),
cells as (
    select coalesce(f.status, 'not_yet') as from_status, t.status as to_status, count(*) as customers
    from at_to t
    left join at_from f on f.cid = t.cid
    group by all
),
final as (
    select c.from_status, c.to_status, c.customers, coalesce(fo.status_rank, 0) as from_rank, t_o.status_rank as to_rank
    from cells c
    left join status_order fo on fo.status = c.from_status
    join status_order t_o on t_o.status = c.to_status
)
select * from final order by from_rank, to_rank
