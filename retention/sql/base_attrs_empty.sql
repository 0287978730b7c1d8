create or replace table attrs (cid integer, attribute varchar, value varchar)
