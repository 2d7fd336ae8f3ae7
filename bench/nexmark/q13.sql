-- Nexmark q13: bounded side-input join. Every bid enriched with the side input's value for its
-- auction id modulo 10000 (side_input is the table ddl.sql creates and side_input.sql fills).
CREATE MATERIALIZED VIEW nexmark_q13 AS
SELECT B.auction, B.bidder, B.price, B.date_time, S.value
FROM bid B join side_input FOR SYSTEM_TIME AS OF PROCTIME() S on mod(B.auction, 10000) = S.key;
