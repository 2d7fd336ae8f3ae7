-- Nexmark q0: pass-through. Every bid, as it comes (the cost of reading and writing).
CREATE MATERIALIZED VIEW nexmark_q0 AS
SELECT auction, bidder, price, date_time
FROM bid;
