-- q20 in SQLite: every bid on a category-10 auction, joined over all events (see q3).
SELECT B.auction, B.bidder, B.price, B.channel, B.url, pg_ts(B.date_time), B.extra,
       A.item_name, A.description, A.initial_bid, A.reserve, pg_ts(A.date_time),
       pg_ts(A.expires), A.seller, A.category, A.extra
FROM bid AS B JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;
