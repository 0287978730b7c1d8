-- One row per customer and order_date: all rows (refunds included) and activity rows (amount >= 0 or null).
-- Profit (METRICS.md "Inputs") depends on the margin, a parameter, so the base keeps its parts and reports
-- compute `amount_costed - cost_sum + $margin * amount_uncosted`: a margin change needs no rebuild.
-- cost_sum: the cost of the rows with an amount and a cost; amount_costed / amount_uncosted: the amount of
-- the rows with / without a cost (a row without an amount has profit 0 and counts in neither).
create or replace table days as
with order_rows as (
    select
        cast(customer_id as varchar) as customer_id,
        {{order_date}} as order_date,
        {{amount}} as amount,
        {{cost}} as cost
    from src_orders
),
per_day as (
    select
        customer_id,
        order_date,
        count(*) as n_rows,
        sum(case when amount is null or amount >= 0 then 1 else 0 end) as n_act,
        coalesce(sum(amount), 0) as amount,
        coalesce(sum(cost) filter (where amount is not null), 0) as cost_sum,
        coalesce(sum(amount) filter (where cost is not null), 0) as amount_costed,
        coalesce(sum(amount) filter (where cost is null), 0) as amount_uncosted
    from order_rows
    group by customer_id, order_date
),
final as (
    select
        i.cid,
        p.order_date,
        cast(p.n_rows as integer) as n_rows,
        cast(p.n_act as integer) as n_act,
        p.amount,
        p.cost_sum,
        p.amount_costed,
        p.amount_uncosted
    from per_day p
    join ids i on i.customer_id = p.customer_id
)
select * from final
