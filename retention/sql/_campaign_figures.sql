-- needs: keyed
-- defines: sums, rates, uplifts, final
-- The figures of METRICS.md "Win-back campaigns" per (key, by_value) from keyed(key, by_value, measured,
-- held_out, won_back, revenue_won, profit_won, cost, is_open): campaigns.sql (by_value null) and the
-- campaigns_by_*.sql splits share them.
sums as (
    select
        key,
        by_value,
        count(*) filter (where measured) as contacts,
        count(*) filter (where measured and won_back) as won_back,
        coalesce(sum(revenue_won) filter (where measured), 0) as revenue_won,
        coalesce(sum(profit_won) filter (where measured), 0) as profit_won,
        coalesce(sum(cost) filter (where measured), 0) as cost,
        count(*) filter (where measured and is_open) as open_contacts,
        count(*) filter (where held_out) as control_size,
        count(*) filter (where held_out and won_back) as control_won_back,
        count(*) filter (where held_out and is_open) as control_open
    from keyed
    group by key, by_value
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
        by_value,
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
        profit_won,
        (profit_won - cost) / nullif(cost, 0) as profit_roi,
        cost / nullif(won_back, 0) / nullif(cast($acquisition_cost as double), 0) as cost_per_win_vs_acquisition,
        open_contacts,
        control_won_back,
        control_open,
        uplift - margin as uplift_low,
        uplift + margin as uplift_high
    from uplifts
)
