-- needs: scope, cust_w
-- defines: scoped_contacts, contacted, contact_pd, contact_days, contact_wins, contact_revenue, contact_facts
-- Shared steps of the campaign reports (after _scope.sql): every contacts row dated on or before T of a
-- customer in scope, with what happened in its attribution window (contacted_at, contacted_at + $attribution_days],
-- cut at T. A window that reaches past T is open: it counts with what happened up to T.
scoped_contacts as (
    select
        c.contact_row,
        c.cid,
        c.contacted_at,
        c.campaign,
        c.channel,
        c.cost,
        c.contact_group,
        cast(c.contacted_at + cast($attribution_days as integer) as date) as window_end
    from contacts c
    join scope s on s.cid = c.cid
    where c.contacted_at <= cast($as_of as date)
),
-- The purchase days and order days (on or before T) of the contacted customers only: the same rows as pd and
-- order_days of _scope.sql, without reading every customer's history when few were contacted.
contacted as (
    select distinct cid from scoped_contacts
),
contact_pd as (
    select p.cid, p.day, p.prev_day, w.w, p.gap_median
    from pdays p
    join contacted c on c.cid = p.cid
    join cust_w w on w.cid = p.cid
    where p.day <= cast($as_of as date)
),
contact_days as (
    select d.cid, d.order_date, d.amount, d.amount_costed - d.cost_sum + $margin * d.amount_uncosted as profit
    from days d
    join contacted c on c.cid = d.cid
    where d.order_date <= cast($as_of as date)
),
-- Neither holds anything after T, so joining on the whole window cuts it at T.
contact_wins as (
    select c.contact_row, min(p.day) as first_win_day
    from scoped_contacts c
    join contact_pd p on p.cid = c.cid and p.day > c.contacted_at and p.day <= c.window_end
    group by c.contact_row
),
contact_revenue as (
    select c.contact_row, sum(o.amount) as revenue_won, sum(o.profit) as profit_won
    from scoped_contacts c
    join contact_days o on o.cid = c.cid and o.order_date > c.contacted_at and o.order_date <= c.window_end
    group by c.contact_row
),
contact_facts as (
    select
        c.*,
        c.window_end > cast($as_of as date) as is_open,
        w.first_win_day is not null as won_back,
        cast(w.first_win_day - c.contacted_at as integer) as days_to_win,
        coalesce(r.revenue_won, 0) as revenue_won,
        coalesce(r.profit_won, 0) as profit_won
    from scoped_contacts c
    left join contact_wins w on w.contact_row = c.contact_row
    left join contact_revenue r on r.contact_row = c.contact_row
),
