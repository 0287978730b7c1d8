-- How the (validated, ISO-8601) text dates of a staged import are written: how many carry a time of day,
-- and how many an offset or zone, which decides DATE, TIMESTAMP or TIMESTAMPTZ on write.
with written as (
    select {{date_column}} as value
    from {{source}}
    where nullif(trim({{date_column}}), '') is not null
),
final as (
    select
        count(*) as n_values,
        count(*) filter (where length(value) > 10) as with_time,
        count(*) filter (where regexp_matches(value, $zone_pattern)) as with_zone
    from written
)
select * from final
