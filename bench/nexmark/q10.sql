-- Nexmark q10: log to file system. Every bid, with its day and hour:minute, written to files
-- partitioned by both. A sink, not a view: the files under ${NEXMARK_OUT}/q10/ are the result
-- (the runner substitutes ${NEXMARK_OUT} as it does ddl.sql's placeholders). The SELECT is
-- RisingWave's; 'HH:MI' is PostgreSQL's 12-hour clock, as in RisingWave.
CREATE SINK nexmark_q10 AS
SELECT auction,
       bidder,
       price,
       date_time,
       TO_CHAR(date_time, 'YYYY-MM-DD') as date,
       TO_CHAR(date_time, 'HH:MI')      as time
FROM bid
WITH ( connector = 'file', path = '${NEXMARK_OUT}/q10', format = 'csv',
       partition_by = 'date,time', type = 'append-only');
