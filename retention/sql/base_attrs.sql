-- Segment attributes in long form (cid, attribute, value as text); no row for a missing value.
create or replace table attrs as
with unpivoted as (
    {{unions}}
),
final as (
    select cid, attribute, value from unpivoted where value is not null and value <> ''
)
select * from final
