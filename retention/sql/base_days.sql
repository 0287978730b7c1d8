-- One row per customer and order_date: all rows (refunds included) and activity rows (amount >= 0 or null).
create or replace table days as
with order_rows as (
    select cast(customer_id as varchar) as customer_id, {{order_date}} as order_date, {{amount}} as amount
    from src_orders
),
per_day as (
    select
        customer_id,
        order_date,
        count(*) as n_rows,
        sum(case when amount is null or amount >= 0 then 1 else 0 end) as n_act,
        coalesce(sum(amount), 0) as amount
    from order_rows
    group by customer_id, order_date
),
final as (
    select i.cid, p.order_date, cast(p.n_rows as integer) as n_rows, cast(p.n_act as integer) as n_act, p.amount
    from per_day p
    join ids i on i.customer_id = p.customer_id
)
select * from final
