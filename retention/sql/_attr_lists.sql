-- needs: listed
-- defines: attr_lists
-- attr_lists(cid, attr_names, attr_values): the segment attributes of the customers of a CTE listed(cid),
-- as two lists in attribute order (queries.common.with_attributes turns them into one column each).
attr_lists as (
    select a.cid, list(a.attribute order by a.attribute) as attr_names, list(a.value order by a.attribute) as attr_values
    from attrs a
    join listed l on l.cid = a.cid
    group by a.cid
),
