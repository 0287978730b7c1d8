-- Each customer's profit (METRICS.md "Inputs", Profit) of all rows on or before T, for the customers in scope
-- with a purchase day on or before T: the profit twin of monetary.
with
-- include: _scope.sql
buyers as (
    select distinct cid from pd
),
final as (
    select i.customer_id, coalesce(sum(o.amount_costed - o.cost_sum + $margin * o.amount_uncosted), 0) as profit
    from buyers b
    join ids i on i.cid = b.cid
    left join order_days o on o.cid = b.cid
    group by i.customer_id
)
select * from final order by customer_id
