-- Nexmark q1: currency conversion. Every bid's price from dollars to euros.
CREATE MATERIALIZED VIEW nexmark_q1 AS
SELECT auction,
       bidder,
       0.908 * price as price,
       date_time
FROM bid;
