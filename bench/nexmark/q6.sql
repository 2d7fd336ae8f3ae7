-- Nexmark q6: average selling price by seller. For each auction its winning (highest) bid made
-- during its lifetime; per seller, the average of the winning price over the current and the 10
-- preceding auctions, in the order of the winning bids' times.
-- RisingWave's text (e2e q6_group_top1) orders the bids by price ascending; this follows Flink's
-- q6, which takes the highest price as every other Nexmark query does.
CREATE MATERIALIZED VIEW nexmark_q6 AS
SELECT
    Q.seller,
    AVG(Q.final) OVER
        (PARTITION BY Q.seller ORDER BY Q.date_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
    as avg
FROM (
    SELECT ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) as rank,
           A.seller, B.price as final, B.date_time
    FROM auction AS A, bid AS B
    WHERE A.id = B.auction and B.date_time between A.date_time and A.expires
) AS Q
WHERE Q.rank <= 1;
