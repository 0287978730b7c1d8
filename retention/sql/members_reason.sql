-- Members of a churn reason (reasons.sql): customers with a reason row of $reason in the range
-- ($date_from / $date_to inclusive, null for open), dated on or before T.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
-- include: _reasons.sql
chosen as (
    select cid from reason_rows where reason = $reason
),
-- include: _members_final.sql
select * from final order by customer_id
