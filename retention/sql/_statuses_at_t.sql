-- needs: pd, cust_w
-- defines: status_dates, fact_rows, facts_at, prospect_asks, status_order, buyer_status, first_days, prospect_status, statuses
-- status_dates(d) holds T only; every known customer's status at T through _lifecycle_facts.sql and _lifecycle_classify.sql.
status_dates as (
    select cast($as_of as date) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
