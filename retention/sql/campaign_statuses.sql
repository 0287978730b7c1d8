-- Status (METRICS.md "Status as of T", evaluated at another date d) of each contacted customer on the day
-- before the contact and at the end of the attribution window (T when the window is still open), counted
-- per campaign, group and (status before, status after). A customer with no purchase day and no customers
-- row by d has no status yet: `not_yet`.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
moments as (
    select contact_row, cid, campaign, contact_group, 'before' as moment, contacted_at - 1 as d
    from contact_facts
    union all
    select contact_row, cid, campaign, contact_group, 'after' as moment, least(window_end, cast($as_of as date)) as d
    from contact_facts
),
-- The purchase days on or before d of each (contact, moment): a gap ends on its purchase day, so the gaps
-- of days on or before d are all on or before d.
history as (
    select
        m.contact_row,
        m.moment,
        count(*) as frequency,
        min(p.day) as first_day,
        max(p.day) as last_day,
        median(p.day - p.prev_day) filter (where p.prev_day is not null) as expected_gap,
        max(p.day) filter (where p.day - p.prev_day > p.w) as last_reactivation,
        any_value(p.w) as w
    from moments m
    join contact_pd p on p.cid = m.cid and p.day <= m.d
    group by m.contact_row, m.moment
),
statuses as (
    select
        m.contact_row,
        m.campaign,
        m.contact_group,
        m.moment,
        case
            when h.contact_row is null then
                case when k.cid is not null and (k.signed_up_date is null or k.signed_up_date <= m.d)
                     then 'prospect' else 'not_yet' end
            when m.d - h.last_day > h.w then 'lost'
            when h.last_reactivation is not null and m.d - h.last_reactivation <= h.w then 'reactivated'
            when m.d - h.first_day < $new_days then 'new'
            when h.frequency >= 2 and m.d - h.last_day > $alert_factor * h.expected_gap then 'alert'
            when h.frequency = 1 and m.d - h.last_day > h.w / 2 then 'alert'
            when h.frequency >= $loyal_min_orders then 'loyal'
            else 'at_risk'
        end as status
    from moments m
    left join history h on h.contact_row = m.contact_row and h.moment = m.moment
    left join customers_k k on k.cid = m.cid
),
pairs as (
    select
        campaign,
        contact_group,
        max(status) filter (where moment = 'before') as status_before,
        max(status) filter (where moment = 'after') as status_after
    from statuses
    group by contact_row, campaign, contact_group
),
final as (
    select campaign, contact_group, status_before, status_after, count(*) as contacts
    from pairs
    group by campaign, contact_group, status_before, status_after
)
select * from final order by campaign nulls last, contact_group desc, status_before, status_after
