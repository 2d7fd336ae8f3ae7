-- Nexmark q19: auction top 10. The ten highest bids of each auction, ranked.
CREATE MATERIALIZED VIEW nexmark_q19 AS
SELECT *
FROM (SELECT *,
             ROW_NUMBER() OVER (
                 PARTITION BY auction
                 ORDER BY price DESC
             ) AS rank_number
      FROM bid)
WHERE rank_number <= 10;
