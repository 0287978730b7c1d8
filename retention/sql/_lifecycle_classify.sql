-- needs: _scope.sql, status_dates(d), facts_at (_lifecycle_facts.sql or the caller's own)
-- defines: prospect_asks, and via _status_rule.sql status_order, buyer_status, first_days, prospect_status, statuses
-- Status of every known customer at each date d of status_dates(d) (METRICS.md "Status as of T"): customers
-- in `customers` (signed up on or before d) without a purchase day by d are prospects.
prospect_asks as (
    select sd.d, c.cid, c.signed_up_date
    from status_dates sd
    cross join customers_k c
),
-- include: _status_rule.sql
