-- Members of a migration cell (status at $date_from, status at $date_to; `not_yet` when unknown at
-- $date_from), as lifecycle_migrations.sql counts it; status_dates also holds T for the status column.
with
-- include: _scope.sql
status_dates as (
    select distinct unnest([cast($date_from as date), cast($date_to as date), cast($as_of as date)]) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
at_to as (
    select cid, status from statuses where d = cast($date_to as date)
),
at_from as (
    select cid, status from statuses where d = cast($date_from as date)
),
chosen as (
    select t.cid
    from at_to t
    left join at_from f on f.cid = t.cid
    where coalesce(f.status, 'not_yet') = $from_status and t.status = $to_status
),
-- include: _members_final.sql
select * from final order by customer_id
