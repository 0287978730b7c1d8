-- One customer's order days on or before T (refund-only days included), looked up by the id's text form:
-- the day, its rows, activity rows (amount >= 0 or null), the amount of all rows and whether it is a purchase day.
with
-- include: _customer_target.sql
final as (
    select
        d.order_date,
        d.n_rows,
        d.n_act,
        d.amount,
        d.n_act > 0 as is_purchase
    from days d
    join target t on t.cid = d.cid
    where d.order_date <= cast($as_of as date)
)
select * from final order by order_date
