-- needs: ranked
-- defines: numbered
-- The integer key of each customer id, after ranked(customer_id, rank): ids of rank 0 (the customers,
-- churn_reasons and contacts tables) first, then order ids by the first order file they appear in (files
-- oldest first: by modification time, then name; rank = 1 + the file's place), within a rank by the id's
-- text. An appended order file ranks after every older one, so its new ids come after every existing key and
-- no key changes (retention/refresh.py numbers them from $cid_offset, the highest key so far; a full build
-- from 0).
numbered as (
    select cast($cid_offset + row_number() over (order by rank, customer_id) as integer) as cid, customer_id
    from ranked
),
