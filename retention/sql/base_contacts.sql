-- Contact rows with a row number (contacts are counted as rows, not distinct customers).
create or replace table contacts as
with
-- include: _keyed_rows.sql
contact_rows as (
    select
        cid,
        {{contacted_date}} as contacted_at,
        cast(campaign as varchar) as campaign,
        {{channel}} as channel,
        {{cost}} as cost,
        {{group}} as contact_group
    from keyed
),
-- Numbered in an order every engine follows (rows equal in every column are interchangeable).
final as (
    select
        cast(row_number() over (
            order by cid, contacted_at, campaign, channel, cost, contact_group
        ) as integer) as contact_row,
        cid,
        contacted_at,
        campaign,
        channel,
        cost,
        contact_group
    from contact_rows
)
select * from final
