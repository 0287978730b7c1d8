-- One customer's row in the data: whether the id is known at all (any table), the sign-up day and the
-- segment attributes (one row each; attribute null when the customer has none).
with
target as (
    select cid, customer_id from ids where customer_id = cast($customer_id as varchar)
),
final as (
    select t.customer_id, c.signed_up_date, a.attribute, a.value
    from target t
    left join customers_k c on c.cid = t.cid
    left join attrs a on a.cid = t.cid
)
select * from final order by attribute nulls first
