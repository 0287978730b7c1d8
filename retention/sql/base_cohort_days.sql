-- Purchase days rolled up by (first purchase day, purchase day) (_base_cohort_days.sql).
create or replace table cohort_days as
with cohort_pdays as (
    select * from pdays
),
-- include: _base_cohort_days.sql
final as (
    select * from cohort_rows
)
select * from final
