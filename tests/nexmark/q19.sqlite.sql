-- q19 in SQLite. ROW_NUMBER over price DESC alone leaves the order of equal prices open, so
-- which of equal-priced bids gets which rank, and which of them enter at the 10th place, is not
-- determined. What is: the price at each rank of each auction (check 1), and that every row of
-- the view is a real bid of that auction, at most once, holding a rank whose price it has
-- (check 2: the rows of the view that pass are all its rows; the index, rolled back with the
-- check, keeps it fast).
-- check: SELECT auction, price, rank_number FROM nexmark_q19
SELECT auction, price, rn
FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn
      FROM bid)
WHERE rn <= 10;
-- check: SELECT auction, bidder, price, channel, url, date_time, extra FROM nexmark_q19
CREATE INDEX bid_by_auction ON bid (auction);
SELECT DISTINCT e.c1, e.c2, e.c3, e.c4, e.c5, e.c6, e.c7
FROM eddy_rows e
WHERE EXISTS (SELECT 1 FROM bid b
              WHERE b.auction = CAST(e.c1 AS INTEGER) AND b.bidder = e.c2 AND b.price = e.c3
                AND b.channel = e.c4 AND b.url = e.c5 AND pg_ts(b.date_time) = e.c6
                AND b.extra = e.c7);
