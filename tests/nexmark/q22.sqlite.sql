-- q22 in SQLite: split_part is a helper registered by the oracle with PostgreSQL's meaning (the
-- n-th field, '' past the last one).
SELECT auction, bidder, price, channel,
       split_part(url, '/', 4), split_part(url, '/', 5), split_part(url, '/', 6)
FROM bid;
