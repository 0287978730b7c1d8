-- The summary of an import's written rows: orders (activity rows), refund rows, the date range.
with order_rows as (
    select
        {{order_date}} as order_date,
        {{amount}} as amount
    from src_orders
),
final as (
    select
        count(*) filter (where amount is null or amount >= 0) as orders,
        count(*) filter (where amount < 0) as refunds,
        min(order_date) as first_date,
        max(order_date) as last_date
    from order_rows
)
select * from final
