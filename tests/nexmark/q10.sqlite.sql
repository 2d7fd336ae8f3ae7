-- q10 in SQLite: the sink's SELECT. eddy's side is the files the sink wrote (every line of every
-- part file under ${NEXMARK_OUT}/q10, with date and time read back from the partition
-- directories date=.../time=.../), so a row filed under the wrong partition differs here. to_char(ts, 'YYYY-MM-DD') is the date; 'HH:MI' is
-- PostgreSQL's HH (hour of the 12-hour clock, 01-12: midnight is 12) and MI (minute). The
-- default events cross midnight, so both 11 and 12 appear.
SELECT auction, bidder, price, pg_ts(date_time),
       strftime('%Y-%m-%d', date_time / 1000000, 'unixepoch'),
       printf('%02d:%s',
              (CAST(strftime('%H', date_time / 1000000, 'unixepoch') AS INTEGER) + 11) % 12 + 1,
              strftime('%M', date_time / 1000000, 'unixepoch'))
FROM bid;
