-- q8 in SQLite: GROUP BY without aggregates is DISTINCT; windows as in q7.
WITH p AS (SELECT DISTINCT id, name, (date_time / 10000000) * 10000000 AS ws FROM person),
     a AS (SELECT DISTINCT seller, (date_time / 10000000) * 10000000 AS ws FROM auction)
SELECT p.id, p.name, pg_ts(p.ws) FROM p JOIN a ON p.id = a.seller AND p.ws = a.ws;
