-- The revenue KPIs per period (METRICS.md "KPIs per period"): orders, revenue, aov, the share of revenue from
-- returning customers and from the top 20% of the period's customers. Same periods as kpis.sql; nothing here
-- depends on the window W.
with
-- include: _scope.sql
period_origin as (
    select min(order_date) as start_day from order_days
),
-- include: _periods.sql
-- include: _period_days.sql
customer_period_revenue as (
    select o.cid, q.q, sum(o.n_act) as orders, sum(o.amount) as revenue
    from order_days o join day_q q on q.day = o.order_date
    group by o.cid, q.q
),
first_days as (
    -- from the base: only customers in scope are joined to it, and W plays no part here
    select cid, day as first_day from pdays where n = 1 and day <= cast($as_of as date)
),
ranked_revenue as (
    select
        r.*,
        f.first_day is not null and f.first_day < p.p_start as is_returning,
        row_number() over (partition by r.q order by r.revenue desc) as revenue_rank,
        count(*) over (partition by r.q) as n_customers
    from customer_period_revenue r
    join periods p on p.q = r.q
    left join first_days f on f.cid = r.cid
),
revenue_facts as (
    select
        q,
        sum(orders) as orders,
        sum(revenue) as revenue,
        sum(case when is_returning then revenue else 0 end) as returning_revenue,
        -- ceil(0.2 * n) in integers: (n + 4) // 5
        sum(case when revenue_rank <= (n_customers + 4) // 5 then revenue else 0 end) as top20_revenue
    from ranked_revenue
    group by q
),
final as (
    select
        p.p_start as period,
        cast(coalesce(v.orders, 0) as bigint) as orders,
        coalesce(v.revenue, 0) as revenue,
        v.revenue / nullif(v.orders, 0) as aov,
        v.returning_revenue / nullif(v.revenue, 0) as returning_revenue_share,
        v.top20_revenue / nullif(v.revenue, 0) as top20_revenue_share
    from periods p
    left join revenue_facts v on v.q = p.q
)
select * from final order by period
