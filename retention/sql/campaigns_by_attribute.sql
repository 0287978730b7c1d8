-- Win-back figures per campaign and value of the segment attribute $by_attribute (METRICS.md "Win-back
-- campaigns", split by an attribute): `none` for a customer without a value.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
keyed as (
    select
        c.campaign as key,
        coalesce(a.value, 'none') as by_value,
        c.contact_group = 'treatment' as measured,
        c.contact_group = 'control' as held_out,
        c.won_back,
        c.revenue_won,
        c.profit_won,
        c.cost,
        c.is_open
    from contact_facts c
    left join attrs a on a.cid = c.cid and a.attribute = $by_attribute
),
-- include: _campaign_figures.sql
select * from final order by key nulls last, by_value
