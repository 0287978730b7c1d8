-- Lapse events of the range per period of the lapse day: all of them, and those with no reason row
-- of the same customer within W days ("no reason recorded").
with
-- include: _scope.sql
-- include: _reasons.sql
final as (
    select
        cast(date_trunc($period, lapse_day) as date) as period,
        count(*) as lapses,
        count(*) filter (where not explained) as unexplained
    from lapse_explained
    group by 1
)
select * from final order by period
