-- Customers per status at T: all seven statuses in rule order, zeros included.
with
-- include: _scope.sql
-- include: _statuses_at_t.sql
counts as (
    select status, count(*) as customers from statuses group by status
),
final as (
    select o.status, coalesce(c.customers, 0) as customers, o.status_rank
    from status_order o
    left join counts c on c.status = o.status
)
select * from final order by status_rank
