-- One customer's contacts dated on or before T (in scope), each with its attribution window and outcome:
-- the same contact_facts as the campaign reports, so won_back and revenue_won match them.
with
-- include: _scope.sql
-- include: _campaign_contacts.sql
-- include: _customer_target.sql
final as (
    select
        f.contacted_at,
        f.campaign,
        f.channel,
        f.contact_group,
        f.cost,
        f.window_end,
        f.is_open,
        f.won_back,
        f.days_to_win,
        f.revenue_won
    from contact_facts f
    join target t on t.cid = f.cid
)
select * from final order by contacted_at, campaign, contact_group
