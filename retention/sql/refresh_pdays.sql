-- Refresh: the purchase days of the touched customers. Two kinds (kinds):
-- - tail: the customer has purchase days and every appended row is later than the last one (a daily append:
--   nearly everyone). The old rows stay; the last one gets its next day; the new purchase days (from the
--   merged days, which carry an older refund-only day's amount on the same date) follow it, numbered on from
--   it, with the customer's first day, and the median gap over every gap up to each (old ones included).
-- - redo: anyone else (new customers, rows on or before the last purchase day): all their purchase days are
--   computed again from all their order days, by the full build's rule (_base_pdays.sql).
-- touched_old: the touched customers' rows before (one scan of pdays). Nothing is written to pdays here
-- (refresh_pdays_apply.sql); the rows that leave and enter it are kept for cohort_days
-- (refresh_cohort_days.sql).
create or replace temp table touched_old as
select p.*, p.rowid as row_id from pdays p semi join touched t on p.cid = t.cid;

create or replace temp table kinds as
with old_last as (
    select cid, max(day) as last_day, max(n) as last_n, min(first_day) as first_day
    from touched_old
    group by cid
),
new_first as (
    select cid, min(order_date) as first_new from new_days group by cid
),
final as (
    select
        f.cid,
        case when o.last_day is not null and f.first_new > o.last_day then 'tail' else 'redo' end as kind,
        o.last_day,
        o.last_n,
        o.first_day
    from new_first f
    left join old_last o on o.cid = f.cid
)
select * from final;

create or replace temp table redo_old as
select o.* exclude (row_id) from touched_old o semi join (select cid from kinds where kind = 'redo') r on o.cid = r.cid;

create or replace temp table redo_new as
with day_rows as (
    select d.* from days d semi join (select cid from kinds where kind = 'redo') r on d.cid = r.cid
),
-- include: _base_pdays.sql
final as (
    select * from pdays_rows
)
select * from final;

create or replace temp table tail_new as
with fresh as (
    select m.cid, m.order_date as day, m.n_act, m.amount, false as is_old
    from merged_days m
    join kinds k on k.cid = m.cid and k.kind = 'tail'
    where m.n_act > 0
),
seeded as (
    select * from fresh
    union all
    -- the last old purchase day, so the first new one gets it as its previous day
    select k.cid, k.last_day, null, null, true from kinds k where k.kind = 'tail'
),
neighbours as (
    select
        cid,
        day,
        is_old,
        n_act,
        amount,
        lag(day) over w as prev_day,
        lead(day) over w as next_day,
        row_number() over w - 1 as k
    from seeded
    window w as (partition by cid order by day)
),
gaps as (
    select o.cid, o.day, o.day - o.prev_day as gap
    from touched_old o
    semi join (select distinct cid from fresh) f on o.cid = f.cid
    where o.prev_day is not null
    union all
    select cid, day, day - prev_day from neighbours where not is_old
),
medians as (
    select r.cid, r.day, quantile_cont(g.gap, 0.5) as gap_median
    from neighbours r
    join gaps g on g.cid = r.cid and g.day <= r.day
    where not r.is_old
    group by r.cid, r.day
),
final as (
    select
        r.cid,
        r.day,
        r.prev_day,
        r.next_day,
        cast(k.last_n + r.k as integer) as n,
        k.first_day,
        r.n_act,
        r.amount,
        m.gap_median
    from neighbours r
    join kinds k on k.cid = r.cid
    join medians m on m.cid = r.cid and m.day = r.day
    where not r.is_old
)
select * from final;

-- the tail customers' last old purchase day, now with its next day
create or replace temp table tail_last as
with first_new as (
    select cid, min(day) as next_day from tail_new group by cid
),
final as (
    select o.* replace (f.next_day as next_day)
    from touched_old o
    join kinds k on k.cid = o.cid and k.kind = 'tail' and o.day = k.last_day
    join first_new f on f.cid = o.cid
)
select * from final;

-- the rows that leave pdays (by row id: a delete joined on the key columns took 2-4 times as long): every old
-- row of the redo customers, the last one of the tail customers that have new purchase days
create or replace temp table pdays_leaving as
select o.row_id from touched_old o semi join (select cid from kinds where kind = 'redo') r on o.cid = r.cid
union all
select row_id from tail_last
