-- needs: _scope.sql
-- defines: status_dates(d) holding T only, and every known customer's status at T (statuses, status_order...)
-- through _lifecycle_facts.sql and _lifecycle_classify.sql
status_dates as (
    select cast($as_of as date) as d
),
-- include: _lifecycle_facts.sql
-- include: _lifecycle_classify.sql
