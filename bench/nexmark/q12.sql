-- Nexmark q12: processing-time windows. How many bids each bidder makes in 10-second windows of
-- processing time (Flink's view B adds p_time = PROCTIME() to every bid; here a CTE does).
CREATE MATERIALIZED VIEW nexmark_q12 AS
WITH B AS (SELECT *, proctime() AS p_time FROM bid)
SELECT bidder, count(*) as bid_count, window_start, window_end
FROM TUMBLE(B, p_time, INTERVAL '10' SECOND)
GROUP BY bidder, window_start, window_end;
