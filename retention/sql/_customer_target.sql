-- needs: 
-- defines: target
-- target(cid): the one customer a profile query is about, from the base table ids and $customer_id (the id's text form).
target as (
    select cid from ids where customer_id = cast($customer_id as varchar)
),
