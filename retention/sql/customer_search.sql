-- Customers whose id or any attribute value starts with $prefix (as typed, lower-cased, upper-cased or capitalised): the first
-- $max_rows by customer_id, with what matched. A prefix is a range on the text (>= prefix, < prefix + the
-- highest character), which DuckDB answers from the tables' min/max statistics instead of a full text match.
with
prefixes as (
    select distinct unnest([
        cast($prefix as varchar), lower(cast($prefix as varchar)), upper(cast($prefix as varchar)),
        upper(left(cast($prefix as varchar), 1)) || substr(cast($prefix as varchar), 2)
    ]) as lo
),
id_hits as (
    select i.cid, cast(null as varchar) as attribute, i.customer_id as value
    from ids i
    join prefixes p on i.customer_id >= p.lo and i.customer_id < p.lo || chr(1114111)
    order by i.customer_id
    limit $max_rows
),
attr_hits as (
    select a.cid, a.attribute, a.value
    from attrs a
    join prefixes p on a.value >= p.lo and a.value < p.lo || chr(1114111)
    join ids i on i.cid = a.cid
    order by i.customer_id
    limit $max_rows * 4
),
-- one row per customer: the id when it matched, else its first matching attribute (the window over the
-- attribute hits alone: Spark 4.3's optimizer fails on a window over a union, PLAN_VALIDATION_FAILED_RULE_IN_BATCH)
first_attr as (
    select cid, attribute, value
    from (select *, row_number() over (partition by cid order by attribute, value) as rn from attr_hits)
    where rn = 1
),
hits as (
    select cid, attribute, value from id_hits
    union all
    select f.cid, f.attribute, f.value from first_attr f where not exists (select 1 from id_hits h where h.cid = f.cid)
),
final as (
    select i.customer_id, h.attribute, h.value
    from hits h
    join ids i on i.cid = h.cid
)
select * from final order by customer_id limit $max_rows
