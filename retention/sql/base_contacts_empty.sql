create or replace table contacts (contact_row integer, cid integer, contacted_at date, campaign varchar, channel varchar, cost double, contact_group varchar)
