-- q8 in DuckDB: new users (TUMBLE as time_bucket).
SELECT P.id, P.name, P.starttime
FROM (SELECT id, name, time_bucket(INTERVAL '10 seconds', date_time) AS starttime
      FROM person GROUP BY id, name, starttime) P
JOIN (SELECT seller, time_bucket(INTERVAL '10 seconds', date_time) AS starttime
      FROM auction GROUP BY seller, starttime) A
  ON P.id = A.seller AND P.starttime = A.starttime
