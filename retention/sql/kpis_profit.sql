-- Profit per period (METRICS.md "Profit and acquisition cost"): the sum of the period's rows' profit, a row's
-- profit being amount - cost when it has a cost, else amount * $margin (0 without an amount). Same periods as
-- kpis.sql; nothing here depends on the window W.
with
-- include: _scope.sql
period_origin as (
    select min(order_date) as start_day from order_days
),
-- include: _periods.sql
-- include: _period_days.sql
period_profit as (
    select q.q, sum(o.amount_costed - o.cost_sum + $margin * o.amount_uncosted) as profit
    from order_days o join day_q q on q.day = o.order_date
    group by q.q
),
final as (
    select p.p_start as period, coalesce(v.profit, 0) as profit
    from periods p
    left join period_profit v on v.q = p.q
)
select * from final order by period
