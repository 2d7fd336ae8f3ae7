-- q7 in DuckDB: highest bid per 10 s tumbling window (TUMBLE as time_bucket).
SELECT B.auction, B.price, B.bidder, B.date_time
FROM bid B
JOIN (SELECT max(price) AS maxprice,
             time_bucket(INTERVAL '10 seconds', date_time) + INTERVAL '10 seconds' AS date_time
      FROM bid GROUP BY 2) B1 ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time
