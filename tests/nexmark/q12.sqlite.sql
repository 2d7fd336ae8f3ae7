-- q12 in SQLite. Processing-time windows depend on when eddy reads each bid, so which window
-- a bid lands in is not determined. What is: every bid is counted exactly once, so the counts of
-- a bidder over all windows add up to the bidder's bids; and every window is 10 s long.
-- check: SELECT bidder, sum(bid_count) FROM nexmark_q12 GROUP BY bidder
SELECT bidder, count(*) FROM bid GROUP BY bidder;
-- check: SELECT DISTINCT window_end - window_start FROM nexmark_q12
SELECT '00:00:10';
