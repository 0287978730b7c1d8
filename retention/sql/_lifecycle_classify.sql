-- needs: pd, cust_w, status_dates, facts_at
-- defines: prospect_asks, status_order, buyer_status, first_days, prospect_status, statuses
-- facts_at from _lifecycle_facts.sql or the caller's own; status_order ... statuses via _status_rule.sql.
-- Status of every known customer at each date d of status_dates(d) (METRICS.md "Status as of T"): customers
-- in `customers` (signed up on or before d) without a purchase day by d are prospects.
prospect_asks as (
    select sd.d, c.cid, c.signed_up_date
    from status_dates sd
    cross join customers_k c
),
-- include: _status_rule.sql
