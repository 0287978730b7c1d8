-- The per-customer summary the prediction models read (METRICS.md "Predictions"), for the customers in
-- scope with a purchase day on or before T, time in days: x repeat purchase days, t_x = last - first,
-- age = T - first, n_spend = repeat purchase days with a day amount > 0, spend = their mean day amount.
with
-- include: _scope.sql
per_customer as (
    select
        cid,
        cast(count(*) - 1 as integer) as x,
        cast(max(day) - min(first_day) as integer) as t_x,
        cast(cast($as_of as date) - min(first_day) as integer) as age,
        cast(count(*) filter (where n > 1 and amount > 0) as integer) as n_spend,
        avg(amount) filter (where n > 1 and amount > 0) as spend
    from pd
    group by cid
),
final as (
    select i.customer_id, c.cid, c.x, c.t_x, c.age, c.n_spend, c.spend
    from per_customer c
    join ids i on i.cid = c.cid
)
select * from final order by customer_id
