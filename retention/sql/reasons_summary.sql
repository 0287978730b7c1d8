-- Churn reasons in one row: reason rows in the range, the share of them whose category is controllable,
-- the lapse events of the range without a reason row within W days, and all lapse events of the range.
with
-- include: _scope.sql
-- include: _reasons.sql
row_facts as (
    select count(*) as n_rows, count(*) filter (where category = 'controllable') as n_controllable
    from reason_rows
),
lapse_facts as (
    select count(*) as lapses, count(*) filter (where not explained) as unexplained
    from lapse_explained
),
final as (
    select
        r.n_rows as "rows",
        r.n_controllable / nullif(r.n_rows, 0) as controllable_share,
        l.unexplained as unexplained_lapses,
        l.lapses
    from row_facts r, lapse_facts l
)
select * from final
