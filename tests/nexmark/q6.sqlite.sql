-- q6 in SQLite. The winning bid of an auction is its highest price made during its lifetime;
-- among equal highest prices ROW_NUMBER's choice is not determined by the query, and the choice
-- changes which time the OVER window orders by: here the earliest wins (ties of the highest
-- price within an auction are rare; if one shows up as a difference, it is this). The average
-- is over the current row and the 10 before it, by the winning bid's time, per seller
-- (bid times are all distinct, so that order is total). avg: see q4.
-- tolerance: 1e-9
WITH w AS (SELECT A.seller, B.price AS final, B.date_time,
                  ROW_NUMBER() OVER (PARTITION BY A.id, A.seller
                                     ORDER BY B.price DESC, B.date_time ASC) AS rank
           FROM auction A JOIN bid B ON A.id = B.auction
           WHERE B.date_time BETWEEN A.date_time AND A.expires)
SELECT seller,
       avg(final) OVER (PARTITION BY seller ORDER BY date_time
                        ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM w WHERE rank <= 1;
