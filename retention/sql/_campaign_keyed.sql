-- needs: contact_facts, contact_keys
-- defines: keyed
-- The contacts of contact_facts keyed by campaign and contact_keys(contact_row, by_value), the value each
-- campaigns_by_*.sql split gives a contact, for _campaign_figures.sql.
keyed as (
    select
        c.campaign as key,
        k.by_value,
        c.contact_group = 'treatment' as measured,
        c.contact_group = 'control' as held_out,
        c.won_back,
        c.revenue_won,
        c.profit_won,
        c.cost,
        c.is_open
    from contact_facts c
    join contact_keys k on k.contact_row = c.contact_row
),
