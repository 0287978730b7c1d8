-- Members of a campaign's won-back treatment contacts (campaigns.sql, _campaign_contacts.sql): customers with
-- a treatment contact of $campaign dated on or before T that was won back within the attribution window.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
-- include: _campaign_contacts.sql
chosen as (
    select cid from contact_facts where campaign = $campaign and contact_group = 'treatment' and won_back
),
-- include: _members_final.sql
select * from final order by customer_id
