-- Nexmark q3: local item suggestion. Who sells in category 10 in Oregon, Idaho or California.
-- The states are upper case as the Flink generator writes them (RisingWave's own generator
-- writes them in lower case and its text says 'or', 'id', 'ca').
CREATE MATERIALIZED VIEW nexmark_q3 AS
SELECT P.name,
       P.city,
       P.state,
       A.id
FROM auction AS A
         INNER JOIN person AS P on A.seller = P.id
WHERE A.category = 10
  and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
