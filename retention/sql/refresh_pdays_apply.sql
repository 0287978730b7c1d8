-- Refresh: pdays takes the rows refresh_pdays.sql computed: the redo customers' rows replaced, the tail
-- customers' new rows added and their last old row replaced by one pointing at the first new one (a delete and
-- an insert: an UPDATE joined to pdays took 20 times as long).
delete from pdays using (select cid from kinds where kind = 'redo') r where pdays.cid = r.cid;

delete from pdays using tail_last l where pdays.cid = l.cid and pdays.day = l.day;

insert into pdays by name
select * from redo_new
union all
select * from tail_new
union all
select * from tail_last
