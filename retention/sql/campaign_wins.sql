-- How quickly the contacted come back: for each group and day d = 1 .. $attribution_days after the contact,
-- the contacts (of one campaign, or all when $campaign is null) with a purchase day in (contacted_at,
-- contacted_at + d], and their share of the group's contacts (open contacts included, as in the rates).
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
chosen as (
    select contact_group, won_back, days_to_win
    from contact_facts
    where cast($campaign as varchar) is null or campaign = cast($campaign as varchar)
),
group_sizes as (
    select contact_group, count(*) as contacts from chosen group by contact_group
),
first_wins as (
    select contact_group, days_to_win as day, count(*) as wins
    from chosen
    where won_back
    group by contact_group, days_to_win
),
day_grid as (
    select cast(unnest(generate_series(1, cast($attribution_days as integer))) as integer) as day
),
final as (
    select
        g.contact_group,
        d.day,
        g.contacts,
        cast(sum(coalesce(w.wins, 0)) over (
            partition by g.contact_group order by d.day rows between unbounded preceding and current row
        ) as bigint) as won_back,
        cast(sum(coalesce(w.wins, 0)) over (
            partition by g.contact_group order by d.day rows between unbounded preceding and current row
        ) as double) / g.contacts as won_back_share
    from group_sizes g
    cross join day_grid d
    left join first_wins w on w.contact_group = g.contact_group and w.day = d.day
)
select * from final order by contact_group desc, day
