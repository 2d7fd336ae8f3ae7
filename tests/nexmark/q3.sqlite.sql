-- q3 in SQLite: a plain inner join over all events. A streaming inner join without time bounds
-- keeps both sides, so the view must equal the join of everything seen.
SELECT P.name, P.city, P.state, A.id
FROM auction AS A JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA');
