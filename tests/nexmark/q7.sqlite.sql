-- q7 in SQLite. TUMBLE(bid, date_time, 10 s): window_end = floor(t / 10 s) * 10 s + 10 s. Every
-- bid whose price equals some window's maximum and whose time is within [end - 10 s, end] (both
-- ends included, so a bid at exactly a window's end may match that window too) is a row.
WITH m AS (SELECT max(price) AS maxprice, (date_time / 10000000) * 10000000 + 10000000 AS we
           FROM bid GROUP BY 2)
SELECT B.auction, B.price, B.bidder, pg_ts(B.date_time)
FROM bid B JOIN m ON B.price = m.maxprice
WHERE B.date_time BETWEEN m.we - 10000000 AND m.we;
