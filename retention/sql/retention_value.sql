-- The facts at T behind the retention value (METRICS.md "Retention value"): the customers active at T
-- (a purchase day on or before T, silent no longer than their window), their revenue and profit of the
-- last 365 days (T - 365 < order_date <= T), and the revenue of every row in scope in that range.
with
-- include: _scope.sql
last_days as (
    select cid, max(day) as last_day, any_value(w) as w from pd group by cid
),
active as (
    select cid from last_days where cast($as_of as date) - last_day <= w
),
last_year as (
    select
        o.cid,
        o.amount,
        o.amount_costed - o.cost_sum + $margin * o.amount_uncosted as profit
    from order_days o
    where o.order_date > cast($as_of as date) - 365
),
sums as (
    select
        (select count(*) from active) as active_customers,
        coalesce(sum(l.amount) filter (where a.cid is not null), 0) as active_revenue,
        coalesce(sum(l.profit) filter (where a.cid is not null), 0) as active_profit,
        coalesce(sum(l.amount), 0) as annual_revenue
    from last_year l
    left join active a on a.cid = l.cid
),
final as (
    select * from sums
)
select * from final
