-- Win-back figures per campaign and value tier before the contact (METRICS.md "Win-back campaigns", split by
-- tier_before): the tier at contacted_at - 1 among the customers with a purchase day on or before that day
-- (_rfm.sql with one snapshot per contact day), `none` for a customer without one.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
snapshots as (
    select distinct cast(contacted_at - 1 as date) as snap, cast(contacted_at - 1 as date) as d from contact_facts
),
-- include: _rfm.sql
contact_keys as (
    select c.contact_row, coalesce(r.tier, 'none') as by_value
    from contact_facts c
    left join rfm r on r.cid = c.cid and r.snap = c.contacted_at - 1
),
-- include: _campaign_keyed.sql
-- include: _campaign_figures.sql
select * from final order by key nulls last, by_value
