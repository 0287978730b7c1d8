-- The overview `validate` prints for orders: rows, date range, distinct customers and refund rows.
with order_rows as (
    select
        cast(customer_id as varchar) as customer_id,
        {{order_date}} as order_date,
        {{amount}} as amount
    from src_orders
),
final as (
    select
        count(*) as n_rows,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(distinct customer_id) as customers,
        count(*) filter (where amount < 0) as refund_rows
    from order_rows
)
select * from final
