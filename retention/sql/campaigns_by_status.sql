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
keyed as (
    select
        c.campaign as key,
        coalesce(s.status, 'not_yet') as by_value,
        c.contact_group = 'treatment' as measured,
        c.contact_group = 'control' as held_out,
        c.won_back,
        c.revenue_won,
        c.profit_won,
        c.cost,
        c.is_open
    from contact_facts c
    left join statuses s on s.cid = c.cid and s.d = c.contacted_at - 1
),
-- include: _campaign_figures.sql
select * from final order by key nulls last, by_value
