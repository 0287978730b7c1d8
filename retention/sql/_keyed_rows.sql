-- needs:
-- defines: keyed
-- The rows of an optional table ({{rows_of}}: src_churn_reasons, src_contacts) with each customer's cid.
keyed as (
    select i.cid, s.*
    from {{rows_of}} s
    join ids i on i.customer_id = cast(s.customer_id as varchar)
),
