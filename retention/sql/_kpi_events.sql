-- needs: pd
-- defines: pd_events
-- pd_events: every column of pd, and is_new, is_reactivation, lapse_day.
-- The KPI events of each purchase day (METRICS.md "KPIs per period"): `new` (the first purchase day), a
-- reactivation (it follows a gap > W), and the day it lapses on (`lapse_day`, day + W + 1, when no next
-- purchase day comes within its window; null otherwise). kpis.sql counts them, members_kpi.sql lists them.
pd_events as (
    select
        *,
        n = 1 as is_new,
        day - prev_day > w as is_reactivation,
        case when next_day is null or next_day - day > w then day + w + 1 end as lapse_day
    from pd
),
