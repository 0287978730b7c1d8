-- Refresh: the order days of the appended rows (view src_orders_new), keyed, and the customers they touch.
create or replace temp table new_days as
with
-- include: _base_days.sql
final as (
    select * from keyed_days
)
select * from final;

create or replace temp table touched as
select distinct cid from new_days
