-- One row per customer and order_date (_base_days.sql).
create or replace table days as
with
-- include: _base_days.sql
final as (
    select * from keyed_days
)
select * from final
