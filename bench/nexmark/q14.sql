-- Nexmark q14: calculation. Bids worth between 1 and 50 million in euros (0.908 * price), with the
-- part of the day they were made in. (Flink's count_char(extra, 'c') is a user-defined function;
-- RisingWave leaves it out and so does eddy.)
CREATE MATERIALIZED VIEW nexmark_q14 AS
SELECT auction,
       bidder,
       0.908 * price as price,
       CASE
           WHEN
                       extract(hour from date_time) >= 8 AND
                       extract(hour from date_time) <= 18
               THEN 'dayTime'
           WHEN
                       extract(hour from date_time) <= 6 OR
                       extract(hour from date_time) >= 20
               THEN 'nightTime'
           ELSE 'otherTime'
           END       AS bidTimeType,
       date_time
FROM bid
WHERE 0.908 * price > 1000000
  AND 0.908 * price < 50000000;
