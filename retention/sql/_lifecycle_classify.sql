-- needs: pd, cust_w, status_dates, facts_at
-- defines: status_order, buyer_status, first_days, prospect_status, statuses
-- Status of every known customer at each date d of status_dates(d) (METRICS.md "Status as of T", first
-- matching rule wins). Needs _scope.sql, status_dates(d) and facts_at(d, cid, w, first_day, last_day,
-- frequency, expected_gap, last_reactivation) for the customers with a purchase day on or before d;
-- customers in `customers` (signed up on or before d) without a purchase day by d are prospects.
status_order as (
    select * from (values
        ('prospect', 1), ('lost', 2), ('reactivated', 3), ('new', 4), ('alert', 5), ('loyal', 6), ('at_risk', 7)
    ) as t(status, status_rank)
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
        sd.d,
        c.cid,
        'prospect' as status,
        cast(null as bigint) as recency,
        cast(0 as bigint) as frequency,
        cast(null as double) as expected_gap,
        cast(null as date) as first_day,
        cast(null as date) as last_day,
        cast(null as date) as last_reactivation,
        w.w
    from status_dates sd
    join customers_k c on c.signed_up_date is null or c.signed_up_date <= sd.d
    join cust_w w on w.cid = c.cid
    left join first_days f on f.cid = c.cid
    where f.first_day is null or f.first_day > sd.d
),
statuses as (
    select * from buyer_status
    union all
    select * from prospect_status
),
