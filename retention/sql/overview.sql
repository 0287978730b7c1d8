-- What the data holds at T, in scope: customers, buyers, prospects, order rows, revenue and date range.
with
-- include: _scope.sql
buyers as (
    select count(distinct cid) as buyers from pd
),
prospects as (
    select count(*) as prospects
    from customers_k c
    join scope s on s.cid = c.cid
    where (c.signed_up_date is null or c.signed_up_date <= cast($as_of as date))
      and c.cid not in (select cid from pd)
),
order_facts as (
    select
        coalesce(sum(n_rows), 0) as order_rows,
        coalesce(sum(n_act), 0) as activity_rows,
        coalesce(sum(n_rows - n_act), 0) as refund_rows,
        coalesce(sum(amount), 0) as revenue,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from order_days
),
active_now as (
    select count(distinct cid) as active
    from pd
    where next_day is null and cast($as_of as date) - day <= w
),
final as (
    select b.buyers, p.prospects, b.buyers + p.prospects as customers, a.active, o.*
    from buyers b, prospects p, order_facts o, active_now a
)
select * from final
