-- Reason rows of the range counted per key (period of churned_at, cohort = period of the first purchase day,
-- or the value of one segment attribute), reason and resolved category ('uncategorised' when none).
-- {{key}} is one of the allow-listed expressions of retention/queries/reasons.py.
with
-- include: _scope.sql
-- include: _reasons.sql
firsts as (
    select cid, day as first_day from pd where n = 1
),
keyed as (
    select {{key}} as key, r.reason, coalesce(r.category, 'uncategorised') as category
    from reason_rows r
    left join firsts f on f.cid = r.cid
    left join attrs a on a.cid = r.cid and a.attribute = $attribute
),
final as (
    select key, reason, category, count(*) as count
    from keyed
    group by key, reason, category
)
select * from final order by key nulls last, reason, category
