-- q5 in SQLite. HOP(bid, date_time, 2 s, 10 s): a bid at time t is in the five windows whose
-- start s is a multiple of 2 s (windows are aligned to 1970-01-01, as RisingWave and Flink align
-- them) with s <= t < s + 10 s, i.e. s = floor(t / 2 s) * 2 s - k * 2 s for k = 0..4. The
-- result has no window column, so equal (auction, num) rows of different windows repeat, and
-- are compared as a multiset.
WITH k(k) AS (VALUES (0), (1), (2), (3), (4)),
     hb AS (SELECT auction, (date_time / 2000000) * 2000000 - k * 2000000 AS ws FROM bid, k),
     ab AS (SELECT auction, count(*) AS num, ws FROM hb GROUP BY auction, ws),
     mx AS (SELECT max(num) AS maxn, ws FROM ab GROUP BY ws)
SELECT ab.auction, ab.num FROM ab JOIN mx ON ab.ws = mx.ws AND ab.num >= mx.maxn;
