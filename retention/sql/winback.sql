-- The win-back list (METRICS.md "Win-back list and slowing customers"): customers lost at T (the one status
-- rule), with what they spent in their last year with us (last(c) - 365 < order_date <= last(c)), whether
-- they were loyal, their latest treatment contact on or before T (control rows were not contacted; the first
-- campaign by name on a shared day) and their latest recorded reason (the first code on a shared day).
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
lost as (
    select cid, recency, frequency, last_day from statuses where status = 'lost'
),
revenues as (
    select
        l.cid,
        coalesce(sum(o.amount), 0) as lifetime_revenue,
        coalesce(sum(o.amount) filter (where o.order_date > l.last_day - 365 and o.order_date <= l.last_day), 0)
            as revenue_last_year
    from lost l
    join order_days o on o.cid = l.cid
    group by l.cid
),
last_contacts as (
    select c.cid, c.contacted_at, c.campaign
    from contacts c
    join lost l on l.cid = c.cid
    where c.contact_group = 'treatment' and c.contacted_at <= cast($as_of as date)
    qualify row_number() over (partition by c.cid order by c.contacted_at desc, c.campaign nulls last) = 1
),
last_reasons as (
    select r.cid, r.reason
    from reasons r
    join lost l on l.cid = r.cid
    where r.churned_at <= cast($as_of as date)
    qualify row_number() over (partition by r.cid order by r.churned_at desc, r.reason) = 1
),
listed as (
    select cid from lost
),
-- include: _attr_lists.sql
list_rows as (
    select
        l.cid,
        l.recency as days_silent,
        l.last_day as last_purchase,
        cast(l.frequency as bigint) as frequency,
        coalesce(v.lifetime_revenue, 0) as lifetime_revenue,
        coalesce(v.revenue_last_year, 0) as revenue_last_year,
        l.frequency >= $loyal_min_orders as was_loyal,
        c.contacted_at as last_contacted_at,
        c.campaign as last_campaign,
        coalesce(cast($as_of as date) - c.contacted_at <= $recent_contact_days, false) as recently_contacted,
        r.reason as last_reason,
        -- sort key: equal revenues tie whatever order the threads added the amounts in
        round(coalesce(v.revenue_last_year, 0), 6) as sort_key
    from lost l
    left join revenues v on v.cid = l.cid
    left join last_contacts c on c.cid = l.cid
    left join last_reasons r on r.cid = l.cid
),
-- include: _list_final.sql
select * from final order by sort_key desc, customer_id
