-- The export's order ids (text) that are not the integer type the orders table holds its ids as, written as
-- that integer is (a leading zero, a sign or a space would change the id): 0 lets the new part write them as
-- integers, so the files of the orders folder agree on the column's kind.
with new as (
    select order_id from read_parquet($new)
),
misfits as (
    select count(*) as n from new
    where order_id is not null
        and (try_cast(order_id as {{id_type}}) is null or cast(try_cast(order_id as {{id_type}}) as varchar) <> order_id)
)
select n from misfits
