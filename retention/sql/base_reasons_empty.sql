create or replace table reasons (cid integer, churned_at date, reason varchar, category varchar, source varchar, comment varchar)
