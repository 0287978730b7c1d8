-- What the data holds at T, in scope: customers, buyers, prospects, order rows, revenue and date range.
with
-- include: _scope.sql
-- Each buyer has one purchase day on or before T without a next one (next_day is null in pd): their last.
last_days as (
    select cid, day, w from pd where next_day is null
),
buyers as (
    select count(*) as buyers, count(*) filter (where cast($as_of as date) - day <= w) as active
    from last_days
),
prospects as (
    select count(*) as prospects
    from customers_k c
    join scope s on s.cid = c.cid
    where (c.signed_up_date is null or c.signed_up_date <= cast($as_of as date))
      and c.cid not in (select cid from last_days)
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
final as (
    select b.buyers, p.prospects, b.buyers + p.prospects as customers, b.active, o.*
    from buyers b, prospects p, order_facts o
)
select * from final
