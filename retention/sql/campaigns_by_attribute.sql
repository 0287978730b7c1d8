-- Win-back figures per campaign and value of the segment attribute $by_attribute (METRICS.md "Win-back
-- campaigns", split by an attribute): `none` for a customer without a value.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
contact_keys as (
    select c.contact_row, coalesce(a.value, 'none') as by_value
    from contact_facts c
    left join attrs a on a.cid = c.cid and a.attribute = $by_attribute
),
-- include: _campaign_keyed.sql
-- include: _campaign_figures.sql
select * from final order by key nulls last, by_value
