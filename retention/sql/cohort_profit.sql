-- Profit of each cohort per k (METRICS.md "Periods and cohorts", the profit twin of `revenue`): the profit of
-- all rows of the cohort's customers in period cohort+k, a row's profit being amount - cost with a cost, else
-- amount * $margin. Cells without rows are absent (the caller's cohort table has every cell).
with
-- include: _scope.sql
firsts as (
    select cid, cast(date_trunc($period, day) as date) as cohort from pd where n = 1
),
period_origin as (
    select min(cohort) as start_day from firsts
),
-- include: _periods.sql
profit_sums as (
    select
        f.cohort,
        cast(date_trunc($period, o.order_date) as date) as p_start,
        sum(o.amount_costed - o.cost_sum + $margin * o.amount_uncosted) as profit
    from order_days o
    join firsts f on f.cid = o.cid
    group by all
),
final as (
    select s.cohort, cast(p.q - c.q as integer) as k, s.profit
    from profit_sums s
    join periods c on c.p_start = s.cohort
    join periods p on p.p_start = s.p_start
    where p.q >= c.q
)
select * from final order by cohort, k
