create or replace table customers_k (cid integer, signed_up_date date)
