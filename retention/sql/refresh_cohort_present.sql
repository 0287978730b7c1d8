-- Refresh: which of the pairs in cohort_check (all counts 0, no entering purchase day) still hold a purchase day.
create or replace temp table cohort_present as
select distinct p.first_day, p.day
from pdays p
semi join cohort_check c on p.first_day = c.first_day and p.day = c.day
