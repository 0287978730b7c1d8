-- Revenue and profit of all order rows on or before T of the customers in scope (METRICS.md "Profit"):
-- the ratio turns predicted value into predicted profit. {{profit}} is the day's profit expression
-- (amount * $margin without a cost column).
with
-- include: _scope.sql
final as (
    select sum(d.amount) as revenue, sum({{profit}}) as profit
    from order_days o
    join days d on d.cid = o.cid and d.order_date = o.order_date
)
select * from final
