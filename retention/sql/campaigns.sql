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
        {{measured}} as measured,
        {{held_out}} as held_out,
        won_back,
        revenue_won,
        cost,
        is_open
    from contact_facts
),
sums as (
    select
        key,
        count(*) filter (where measured) as contacts,
        count(*) filter (where measured and won_back) as won_back,
        coalesce(sum(revenue_won) filter (where measured), 0) as revenue_won,
        coalesce(sum(cost) filter (where measured), 0) as cost,
        count(*) filter (where measured and is_open) as open_contacts,
        count(*) filter (where held_out) as control_size,
        count(*) filter (where held_out and won_back) as control_won_back,
        count(*) filter (where held_out and is_open) as control_open
    from keyed
    group by key
),
rates as (
    select
        *,
        won_back / nullif(contacts, 0) as win_back_rate,
        control_won_back / nullif(control_size, 0) as control_rate
    from sums
),
uplifts as (
    select
        *,
        win_back_rate - control_rate as uplift,
        1.96 * sqrt(
            win_back_rate * (1 - win_back_rate) / nullif(contacts, 0)
            + control_rate * (1 - control_rate) / nullif(control_size, 0)
        ) as margin
    from rates
),
final as (
    select
        key,
        contacts,
        won_back,
        win_back_rate,
        revenue_won,
        cost,
        cost / nullif(won_back, 0) as cost_per_win,
        (revenue_won - cost) / nullif(cost, 0) as roi,
        control_size,
        control_rate,
        uplift,
        open_contacts,
        control_won_back,
        control_open,
        uplift - margin as uplift_low,
        uplift + margin as uplift_high
    from uplifts
)
select * from final order by key nulls last
