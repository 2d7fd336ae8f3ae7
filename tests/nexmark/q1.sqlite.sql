-- q1 in SQLite: 0.908 * price is a numeric of scale 3 in PostgreSQL (0.908 has scale 3, price
-- scale 0), computed exactly here as the integer 908 * price printed with three decimals.
SELECT auction, bidder, dec(908 * price, 3), pg_ts(date_time) FROM bid;
