-- q5 in DuckDB: HOP(2 s, 10 s) spelled out: each bid is in the five windows whose start is a
-- multiple of 2 s within the 10 s before it (epoch-aligned, as eddy's HOP).
WITH hb AS (
    SELECT auction, to_timestamp((epoch_us(date_time) // 2000000 - k) * 2) AS ws
    FROM bid, range(0, 5) AS t(k)),
ab AS (SELECT auction, count(*) AS num, ws FROM hb GROUP BY auction, ws),
mx AS (SELECT max(num) AS maxn, ws FROM ab GROUP BY ws)
SELECT ab.auction, ab.num FROM ab JOIN mx ON ab.ws = mx.ws AND ab.num >= mx.maxn
