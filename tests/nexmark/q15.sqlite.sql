-- q15 in SQLite. The default events cross midnight, so there are two days. count(*) FILTER is a
-- sum of the condition (0 when no row matches, as count gives), count(DISTINCT x) FILTER (WHERE
-- c) counts the distinct x of the rows where c holds (CASE gives NULL elsewhere, which count
-- skips).
SELECT strftime('%Y-%m-%d', date_time / 1000000, 'unixepoch') AS day,
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
GROUP BY day;
