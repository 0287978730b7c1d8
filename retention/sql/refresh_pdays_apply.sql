-- Refresh: pdays takes the rows refresh_pdays.sql computed: the redo customers' rows replaced, the tail
-- customers' new rows added and their last old row pointed at the first new one.
delete from pdays using (select cid from kinds where kind = 'redo') r where pdays.cid = r.cid;

insert into pdays by name select * from redo_new;

insert into pdays by name select * from tail_new;

update pdays set next_day = f.next_day
from (
    select k.cid, k.last_day, min(t.day) as next_day
    from tail_new t
    join kinds k on k.cid = t.cid
    group by k.cid, k.last_day
) f
where pdays.cid = f.cid and pdays.day = f.last_day
