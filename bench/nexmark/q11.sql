-- Nexmark q11: user sessions. How many bids each bidder made in each session of activity, a
-- session ending after 10 seconds without a bid (Flink's SESSION group window, per bidder;
-- window_end is the last bid's time plus the gap).
CREATE MATERIALIZED VIEW nexmark_q11 AS
SELECT bidder,
       count(*)     as bid_count,
       window_start as starttime,
       window_end   as endtime
FROM SESSION(bid, date_time, INTERVAL '10' SECOND)
GROUP BY bidder, window_start, window_end;
