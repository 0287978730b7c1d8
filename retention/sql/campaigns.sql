-- Win-back figures per {{key}} (campaign, channel or group): over the measured rows (treatment rows; every
-- row of the group when split by group) contacts, won back, revenue won, cost, open contacts; over the
-- held-out rows (control rows; none when split by group) the control group's size and rate; the uplift
-- and its 95% normal-approximation interval.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
keyed as (
    select
        {{key}} as key,
        cast(null as varchar) as by_value,
        {{measured}} as measured,
        {{held_out}} as held_out,
        won_back,
        revenue_won,
        profit_won,
        cost,
        is_open
    from contact_facts
),
-- include: _campaign_figures.sql
select * from final order by key nulls last
