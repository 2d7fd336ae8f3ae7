-- q9 in SQLite. The order (price DESC, date_time ASC) is total (bid times are distinct), so the
-- winning bid is determined.
WITH w AS (SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,
                  ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.date_time ASC)
                      AS rownum
           FROM auction A JOIN bid B ON A.id = B.auction
           WHERE B.date_time BETWEEN A.date_time AND A.expires)
SELECT id, item_name, description, initial_bid, reserve, pg_ts(date_time), pg_ts(expires),
       seller, category, auction, bidder, price, pg_ts(bid_date_time)
FROM w WHERE rownum <= 1;
