-- q14 in SQLite. Its own events: 20 a second from 18:50, so that the 100 000 events span the
-- hours 18 (dayTime), 19 (otherTime) and 20 (nightTime). extract(hour) is the hour of the day.
-- 0.908 * price as in q1; the filter 0.908 * price > 1000000 compared exactly in thousandths.
-- options: rate=20 base_time=2015-07-15 18:50:00
SELECT auction, bidder, dec(908 * price, 3),
       CASE WHEN h >= 8 AND h <= 18 THEN 'dayTime'
            WHEN h <= 6 OR h >= 20 THEN 'nightTime'
            ELSE 'otherTime' END,
       pg_ts(date_time)
FROM (SELECT *, CAST(strftime('%H', date_time / 1000000, 'unixepoch') AS INTEGER) AS h FROM bid)
WHERE 908 * price > 1000000000 AND 908 * price < 50000000000;
