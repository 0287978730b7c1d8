-- Refresh: the moved pairs replace their rows in cohort_days; a pair without any purchase day has none.
delete from cohort_days using cohort_moved m where cohort_days.first_day = m.first_day and cohort_days.day = m.day;

insert into cohort_days by name
select m.first_day, m.day, m.opens_week, m.opens_month, m.opens_quarter, m.firsts
from cohort_moved m
where not exists (select 1 from cohort_check c where c.first_day = m.first_day and c.day = m.day)
    or exists (select 1 from cohort_present p where p.first_day = m.first_day and p.day = m.day)
