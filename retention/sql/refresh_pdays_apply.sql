-- Refresh: pdays takes the rows refresh_pdays.sql computed: the redo customers' rows replaced, the tail
-- customers' new rows added and their last old row replaced by one pointing at the first new one (a delete and
-- an insert: an UPDATE joined to pdays took 20 times as long).
delete from pdays where rowid in (select row_id from pdays_leaving);

insert into pdays by name
select * from redo_new
union all
select * from tail_new
union all
select * exclude (row_id) from tail_last
