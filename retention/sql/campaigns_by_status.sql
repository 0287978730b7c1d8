-- Win-back figures per campaign and status before the contact (METRICS.md "Win-back campaigns", split by
-- status_before): the customer's status at contacted_at - 1 by the one status rule (_lifecycle_*.sql),
-- `not_yet` when the customer had none that day.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
status_dates as (
    select distinct cast(contacted_at - 1 as date) as d from contact_facts
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
contact_keys as (
    select c.contact_row, coalesce(s.status, 'not_yet') as by_value
    from contact_facts c
    left join statuses s on s.cid = c.cid and s.d = c.contacted_at - 1
),
-- include: _campaign_keyed.sql
-- include: _campaign_figures.sql
select * from final order by key nulls last, by_value
