-- q13 in SQLite. The side input holds keys 0..9999 with their text as value, built here
-- independently of bench/nexmark/side_input.sql. It is complete before the view starts, so the
-- processing-time lookup join sees all of it for every bid. (That later table changes leave
-- earlier output alone is checked in tests/sql/join/lookup.slt.)
CREATE TEMP TABLE side_input AS
    WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 9999)
    SELECT k AS key, CAST(k AS TEXT) AS value FROM i;
SELECT B.auction, B.bidder, B.price, pg_ts(B.date_time), S.value
FROM bid B JOIN side_input S ON B.auction % 10000 = S.key;
