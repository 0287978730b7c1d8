-- Contact rows with a row number (contacts are counted as rows, not distinct customers).
create or replace table contacts as
with
-- include: _keyed_rows.sql
final as (
    select
        cast(row_number() over () as integer) as contact_row,
        cid,
        {{contacted_date}} as contacted_at,
        cast(campaign as varchar) as campaign,
        {{channel}} as channel,
        {{cost}} as cost,
        {{group}} as contact_group
    from keyed
)
select * from final
