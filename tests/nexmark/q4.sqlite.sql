-- q4 in SQLite. BETWEEN includes both ends, as in PostgreSQL. PostgreSQL's avg of bigint is an
-- exact numeric, SQLite's a double: compared with a relative tolerance.
-- tolerance: 1e-9
SELECT Q.category, avg(Q.final)
FROM (SELECT max(B.price) AS final, A.category
      FROM auction A JOIN bid B ON A.id = B.auction
      WHERE B.date_time BETWEEN A.date_time AND A.expires
      GROUP BY A.id, A.category) Q
GROUP BY Q.category;
