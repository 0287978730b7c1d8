-- needs: chosen, statuses
-- defines: member_ids, member_status, listed, attr_lists, final
-- The members of a set (after a CTE chosen(cid) and the lifecycle steps with T among status_dates): one row
-- per customer, sorted by customer_id as text, with the status at T and the segment attributes in long form
-- (attr_names / attr_values, pivoted by the caller). `members` of CLI.md.
member_ids as (
    select distinct cid from chosen
),
member_status as (
    select cid, status from statuses where d = cast($as_of as date)
),
listed as (
    select cid from member_ids
),
-- include: _attr_lists.sql
final as (
    select i.customer_id, s.status, a.attr_names, a.attr_values
    from member_ids m
    join ids i on i.cid = m.cid
    left join member_status s on s.cid = m.cid
    left join attr_lists a on a.cid = m.cid
)
