-- Members of a lifecycle status at T (the customers `status` counts in $status).
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
chosen as (
    select cid from statuses where d = cast($as_of as date) and status = $status
),
-- include: _members_final.sql
select * from final order by customer_id
