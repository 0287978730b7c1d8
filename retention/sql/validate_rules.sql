-- Input rules of one raw table (METRICS.md "Inputs") in a single aggregate pass: for rule i,
-- r{i}_rows counts the rows breaking it and r{i}_example is the smallest value among them, as text.
-- The rule conditions are built in retention/validate.py from the table's schema (allow-listed columns).
with rule_counts as (
    select
        count(*) as n_rows
        {{rule_aggregates}}
    from {{source}}
),
final as (
    select * from rule_counts
)
select * from final
