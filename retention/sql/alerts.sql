-- Early-warning list (METRICS.md "Early-warning list"): customers whose status at T is one of $statuses
-- (alert, optionally at_risk), with days silent, usual gap, overdue ratio, frequency, revenue of the last
-- 365 days and their segment attributes in long form (attr_names / attr_values, pivoted by the caller).
-- The facts and the status below follow METRICS.md "Customer facts" and "Status as of T"; the CTEs
-- customer_facts .. customer_status are meant to be replaced by the shared status query once it exists.
with
-- include: _scope.sql
customer_facts as (
    select
        cid,
        any_value(w) as w,
        min(day) as first_day,
        max(day) as last_day,
        count(*) as frequency,
        -- median of the gaps between consecutive purchase days (mean of the middle two for an even count)
        median(day - prev_day) filter (where prev_day is not null) as expected_gap,
        -- latest reactivation event: a purchase day after a gap longer than the customer's window
        max(day) filter (where prev_day is not null and day - prev_day > w) as last_reactivation
    from pd
    group by cid
),
customer_status as (
    select
        *,
        cast($as_of as date) - last_day as recency,
        case
            when cast($as_of as date) - last_day > w then 'lost'
            when cast($as_of as date) - last_reactivation <= w then 'reactivated'
            when cast($as_of as date) - first_day < $new_days then 'new'
            when frequency >= 2 and cast($as_of as date) - last_day > $alert_factor * expected_gap then 'alert'
            when frequency = 1 and cast($as_of as date) - last_day > cast(w as double) / 2 then 'alert'
            when frequency >= $loyal_min_orders then 'loyal'
            else 'at_risk'
        end as status
    from customer_facts
),
listed as (
    select * from customer_status where status in (select unnest(cast($statuses as varchar[])))
),
revenue_365 as (
    select o.cid, sum(o.amount) as revenue_365d
    from order_days o
    join listed l on l.cid = o.cid
    where o.order_date > cast($as_of as date) - 365
    group by o.cid
),
attr_lists as (
    select a.cid, list(a.attribute order by a.attribute) as attr_names, list(a.value order by a.attribute) as attr_values
    from attrs a
    join listed l on l.cid = a.cid
    group by a.cid
),
final as (
    select
        i.customer_id,
        l.status,
        l.recency as days_silent,
        l.expected_gap,
        l.recency / nullif(l.expected_gap, 0) as overdue_ratio,
        l.frequency,
        coalesce(r.revenue_365d, 0) as revenue_365d,
        -- sort key: equal revenues tie whatever order the threads added the amounts in
        round(coalesce(r.revenue_365d, 0), 6) as revenue_key,
        a.attr_names,
        a.attr_values
    from listed l
    join ids i on i.cid = l.cid
    left join revenue_365 r on r.cid = l.cid
    left join attr_lists a on a.cid = l.cid
)
select * from final order by revenue_key desc, customer_id
