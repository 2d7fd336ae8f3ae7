-- q17 in SQLite: per auction and day (two days: the default events cross midnight). avg: see q4.
-- tolerance: 1e-9
SELECT auction,
       strftime('%Y-%m-%d', date_time / 1000000, 'unixepoch') AS day,
       count(*),
       sum(price < 10000),
       sum(price >= 10000 AND price < 1000000),
       sum(price >= 1000000),
       min(price),
       max(price),
       avg(price),
       sum(price)
FROM bid
GROUP BY auction, day;
