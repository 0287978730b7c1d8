-- needs: pd, cust_w, status_dates, facts_at
-- defines: prospect_asks, status_order, buyer_status, first_days, prospect_status, statuses
-- facts_at from _lifecycle_facts.sql or the caller's own; status_order ... statuses via _status_rule.sql.
-- Status of every known customer at each date d of status_dates(d) (METRICS.md "Status as of T"): customers
-- in `customers` (signed up on or before d) without a purchase day by d are prospects.
-- Only the (d, customer) pairs that can be prospects: signed up by d (or no sign-up date) and no purchase day
-- by d. _status_rule.sql checks the same again; asking it about every customer at every date would hand it
-- dates x customers rows (48M at a million customers over 48 months), nearly all of them buyers.
prospect_asks as (
    select sd.d, c.cid, c.signed_up_date
    from customers_k c
    left join (select cid, day as first_day from pd where n = 1) f on f.cid = c.cid
    -- two inequalities (no OR): a range join, not a loop over every pair
    join status_dates sd
        on sd.d >= coalesce(c.signed_up_date, date '0001-01-01') and sd.d < coalesce(f.first_day, date '9999-12-31')
),
-- include: _status_rule.sql
