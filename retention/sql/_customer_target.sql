-- needs: ids, $customer_id (the id's text form)
-- defines: target(cid): the one customer a profile query is about
target as (
    select cid from ids where customer_id = cast($customer_id as varchar)
),
