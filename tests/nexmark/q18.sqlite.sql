-- q18 in SQLite: the latest bid per (bidder, auction). Bid times are distinct, so it is
-- determined.
SELECT auction, bidder, price, channel, url, pg_ts(date_time)
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rn
      FROM bid)
WHERE rn <= 1;
