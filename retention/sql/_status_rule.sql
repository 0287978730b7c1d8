-- needs: pd, cust_w, facts_at, prospect_asks
-- defines: status_order, buyer_status, first_days, prospect_status, statuses
-- Reads $status_codes (codes.STATUS in rule order, from Params.sql()); facts_at(d, cid, w, first_day, last_day,
-- frequency, expected_gap, last_reactivation) for the customers with a purchase day on or before d (_status_facts.sql);
-- prospect_asks(d, cid, signed_up_date): the customers rows (customers_k) to check for rule 1 at d.
-- status_order(status, status_rank); statuses(d, cid, status, recency, frequency, expected_gap, first_day, last_day,
-- last_reactivation, w).
-- The status rule of METRICS.md "Status as of T" (first matching rule wins), evaluated at dates d: the one
-- place it is written (lifecycle, alerts, win-back, slowing, members and campaigns all include it).
status_order as (
    select
        unnest(cast($status_codes as varchar[])) as status,
        cast(generate_subscripts(cast($status_codes as varchar[]), 1) as integer) as status_rank
),
buyer_status as (
    select
        d,
        cid,
        case
            when d - last_day > w then 'lost'
            when d - last_reactivation <= w then 'reactivated'
            when d - first_day < $new_days then 'new'
            when frequency >= 2 and d - last_day > $alert_factor * expected_gap then 'alert'
            when frequency = 1 and d - last_day > w / 2.0 then 'alert'
            when frequency >= $loyal_min_orders then 'loyal'
            else 'at_risk'
        end as status,
        d - last_day as recency,
        frequency,
        expected_gap,
        first_day,
        last_day,
        last_reactivation,
        w
    from facts_at
),
first_days as (
    select cid, day as first_day from pd where n = 1
),
prospect_status as (
    select
        a.d,
        a.cid,
        'prospect' as status,
        cast(null as bigint) as recency,
        cast(0 as bigint) as frequency,
        cast(null as double) as expected_gap,
        cast(null as date) as first_day,
        cast(null as date) as last_day,
        cast(null as date) as last_reactivation,
        w.w
    from prospect_asks a
    join cust_w w on w.cid = a.cid
    left join first_days f on f.cid = a.cid
    where (a.signed_up_date is null or a.signed_up_date <= a.d)
      and (f.first_day is null or f.first_day > a.d)
),
statuses as (
    select * from buyer_status
    union all
    select * from prospect_status
),
