-- Purchase days with their neighbours, first day and running median gap (_base_pdays.sql).
create or replace table pdays as
with day_rows as (
    select * from days
),
-- include: _base_pdays.sql
final as (
    select * from pdays_rows
)
select * from final
