-- needs: list_rows, attr_lists
-- defines: final
-- list_rows(cid, ...the list's columns, its sort key last), attr_lists from _attr_lists.sql; reads the base table ids.
-- final(customer_id, the list's columns, attr_names, attr_values).
-- The end of every customer list (early warning, win-back, slowing): the id's text form first, the segment
-- attributes in long form last (queries.common.with_attributes pivots them).
final as (
    select i.customer_id, r.* exclude (cid), a.attr_names, a.attr_values
    from list_rows r
    join ids i on i.cid = r.cid
    left join attr_lists a on a.cid = r.cid
)
