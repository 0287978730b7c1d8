-- Distinct values per segment attribute, for filter widgets (attributes with few values only).
with value_counts as (
    select attribute, value, count(*) as customers
    from attrs
    group by attribute, value
),
attribute_sizes as (
    select attribute, count(*) as n_values from value_counts group by attribute
),
final as (
    select v.attribute, v.value, v.customers
    from value_counts v
    join attribute_sizes s on s.attribute = v.attribute
    where s.n_values <= $max_values
)
select * from final order by attribute, value
