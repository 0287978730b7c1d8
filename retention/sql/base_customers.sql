-- Customers rows keyed by cid, and their sign-up date in the configured zone.
create or replace view src_customers_k as
select i.cid, s.*
from src_customers s
join ids i on i.customer_id = cast(s.customer_id as varchar);

create or replace table customers_k as
select cid, {{signed_up_date}} as signed_up_date from src_customers_k
