-- The codes a `members` set can name, whatever T and filters: reason codes and campaign names in the data.
with
final as (
    select 'reason' as kind, reason as value from reasons group by reason
    union all
    select 'campaign' as kind, campaign as value from contacts where campaign is not null group by campaign
)
select * from final order by kind, value
