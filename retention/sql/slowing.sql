-- Slowing customers (METRICS.md "Win-back list and slowing customers"): customers not lost at T with a
-- purchase day before T - w (w their own window), whose purchase days or spend in (T - w, T] fell below
-- $drop_share of what their year before, (T - w - 365, T - w], would predict (baseline * w / 365), among
-- those with at least $loyal_min_orders baseline purchase days. Status from the one status rule.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
candidates as (
    select s.cid, s.status, s.w
    from statuses s
    where s.status not in ('lost', 'prospect')
      and s.first_day < cast($as_of as date) - s.w
),
day_counts as (
    select
        c.cid,
        count(*) filter (where p.day > cast($as_of as date) - c.w) as recent_days,
        count(*) filter (where p.day <= cast($as_of as date) - c.w and p.day > cast($as_of as date) - c.w - 365)
            as baseline_days
    from candidates c
    join pd p on p.cid = c.cid
    group by c.cid
),
spend_sums as (
    select
        c.cid,
        coalesce(sum(o.amount) filter (where o.order_date > cast($as_of as date) - c.w), 0) as recent_spend,
        coalesce(sum(o.amount) filter (
            where o.order_date <= cast($as_of as date) - c.w and o.order_date > cast($as_of as date) - c.w - 365
        ), 0) as baseline_spend
    from candidates c
    join order_days o on o.cid = c.cid
    group by c.cid
),
compared as (
    select
        c.cid,
        c.status,
        d.baseline_days,
        d.recent_days,
        d.baseline_days * c.w / 365.0 as expected_days,
        s.baseline_spend,
        s.recent_spend,
        s.baseline_spend * c.w / 365.0 as expected_spend,
        -- recent < share * baseline * w / 365, multiplied out by 365 so a value exactly at the share ties exactly
        d.recent_days * 365 < $drop_share * d.baseline_days * c.w as fewer_days,
        s.recent_spend * 365 < $drop_share * s.baseline_spend * c.w as less_spend
    from candidates c
    join day_counts d on d.cid = c.cid
    join spend_sums s on s.cid = c.cid
    where d.baseline_days >= $loyal_min_orders
),
listed as (
    select
        *,
        case when fewer_days and less_spend then 'both' when fewer_days then 'frequency' else 'spend' end as trigger
    from compared
    where fewer_days or less_spend
),
-- include: _attr_lists.sql
list_rows as (
    select
        l.cid,
        l.status,
        cast(l.baseline_days as bigint) as baseline_days,
        cast(l.recent_days as bigint) as recent_days,
        l.expected_days,
        l.baseline_spend,
        l.recent_spend,
        l.expected_spend,
        l.trigger,
        -- sort key: equal spends tie whatever order the threads added the amounts in
        round(l.baseline_spend, 6) as sort_key
    from listed l
),
-- include: _list_final.sql
select * from final order by sort_key desc, customer_id
