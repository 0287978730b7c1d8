-- What the contacts table holds, whatever the filters and T: rows, and the first and last contact day.
with table_facts as (
    select count(*) as contact_rows, min(contacted_at) as first_contact, max(contacted_at) as last_contact
    from contacts
),
final as (
    select * from table_facts
)
select * from final
