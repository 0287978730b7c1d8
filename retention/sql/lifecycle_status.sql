-- Per customer status at T with the facts behind it (recency, frequency, expected gap, first and last day).
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
final as (
    select
        i.customer_id,
        s.status,
        o.status_rank,
        s.recency,
        cast(s.frequency as integer) as frequency,
        s.expected_gap,
        s.first_day,
        s.last_day,
        s.last_reactivation,
        s.w as window_days
    from statuses s
    join ids i on i.cid = s.cid
    join status_order o on o.status = s.status
)
select * from final order by customer_id
