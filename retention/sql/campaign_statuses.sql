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
-- The status rule at each (customer, d) of a moment: the same facts (_status_facts.sql) and the same rule
-- (_status_rule.sql) as the lifecycle reports, over the contacted customers' purchase days on or before d.
status_asks as (
    select distinct cid, d from moments
),
fact_rows as (
    select a.d, p.cid, p.day, p.prev_day, p.w, p.gap_median
    from status_asks a
    join contact_pd p on p.cid = a.cid and p.day <= a.d
),
-- include: _status_facts.sql
prospect_asks as (
    select a.d, a.cid, k.signed_up_date
    from status_asks a
    join customers_k k on k.cid = a.cid
),
-- include: _status_rule.sql
moment_statuses as (
    select m.contact_row, m.campaign, m.contact_group, m.moment, coalesce(s.status, 'not_yet') as status
    from moments m
    left join statuses s on s.cid = m.cid and s.d = m.d
),
pairs as (
    select
        campaign,
        contact_group,
        max(status) filter (where moment = 'before') as status_before,
        max(status) filter (where moment = 'after') as status_after
    from moment_statuses
    group by contact_row, campaign, contact_group
),
final as (
    select campaign, contact_group, status_before, status_after, count(*) as contacts
    from pairs
    group by campaign, contact_group, status_before, status_after
)
select * from final order by campaign nulls last, contact_group desc, status_before, status_after
