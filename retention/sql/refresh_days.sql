-- Refresh: an order day of the appended rows adds its counts and sums to the day the base has for the same
-- customer and date (or is a new day). Each part is a count or a sum, so the merged row is the full build's.
create or replace temp table merged_days as
select
    n.cid,
    n.order_date,
    cast(n.n_rows + coalesce(d.n_rows, 0) as integer) as n_rows,
    cast(n.n_act + coalesce(d.n_act, 0) as integer) as n_act,
    n.amount + coalesce(d.amount, 0) as amount,
    n.cost_sum + coalesce(d.cost_sum, 0) as cost_sum,
    n.amount_costed + coalesce(d.amount_costed, 0) as amount_costed,
    n.amount_uncosted + coalesce(d.amount_uncosted, 0) as amount_uncosted
from new_days n
left join days d on d.cid = n.cid and d.order_date = n.order_date;

delete from days using merged_days m where days.cid = m.cid and days.order_date = m.order_date;

insert into days by name select * from merged_days
