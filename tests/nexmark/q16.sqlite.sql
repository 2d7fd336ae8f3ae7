-- q16 in SQLite: q15 per channel too. "minute" is max(to_char(date_time, 'HH:mm')): in
-- PostgreSQL's to_char HH is the hour of the 12-hour clock (01-12) and mm is the MONTH (01-12),
-- not the minute (that is MI); the maximum is taken over that text.
SELECT channel,
       strftime('%Y-%m-%d', date_time / 1000000, 'unixepoch') AS day,
       max(printf('%02d:%s',
                  (CAST(strftime('%H', date_time / 1000000, 'unixepoch') AS INTEGER) + 11) % 12
                      + 1,
                  strftime('%m', date_time / 1000000, 'unixepoch'))),
       count(*),
       sum(price < 10000),
       sum(price >= 10000 AND price < 1000000),
       sum(price >= 1000000),
       count(DISTINCT bidder),
       count(DISTINCT CASE WHEN price < 10000 THEN bidder END),
       count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN bidder END),
       count(DISTINCT CASE WHEN price >= 1000000 THEN bidder END),
       count(DISTINCT auction),
       count(DISTINCT CASE WHEN price < 10000 THEN auction END),
       count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN auction END),
       count(DISTINCT CASE WHEN price >= 1000000 THEN auction END)
FROM bid
GROUP BY day, channel;
