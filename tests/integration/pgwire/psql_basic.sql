-- psql_basic.sql: a stream, a view, inserts, COPY in CSV and text, queries, errors.
CREATE STREAM trades (id int, sym varchar, qty int, price numeric);
CREATE MATERIALIZED VIEW by_sym AS SELECT sym, count(*) AS n, sum(qty) AS qty FROM trades GROUP BY sym;
INSERT INTO trades VALUES (1, 'ACME', 10, 1.50), (2, 'BOLT', 5, 20.00);
COPY trades (id, sym, qty, price) FROM STDIN WITH (FORMAT csv, HEADER);
id,sym,qty,price
3,ACME,7,1.55
4,"BOLT, Inc",1,19.5
5,ACME,,1.60
\.
COPY trades FROM STDIN;
6	CART	3	7.25
7	CART	\N	7.30
\.
SELECT * FROM by_sym ORDER BY sym;
SELECT id, sym, qty FROM trades WHERE qty IS NULL ORDER BY id;
SELECT 1 AS one, 'two'::varchar AS two, 3.5::float8 AS three, true AS four, DATE '2024-02-29' AS five;
BEGIN;
SELECT count(*) FROM trades;
COMMIT;
SET application_name = 'eddy psql test';
SHOW application_name;
SHOW server_version;
SHOW TimeZone;
SET TimeZone = 'Europe/Paris';
SELECT 1/0;
SELECT * FROM missing;
SELEC 1;
SELECT nope FROM trades;
SHOW no_such_setting;
COPY trades FROM STDIN WITH (FORMAT csv);
8,DART,1,1
9,DART,x,1
\.
SELECT count(*) FROM trades;
