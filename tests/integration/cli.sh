#!/bin/sh
# cli.sh: the `eddy` command as a user runs it: `eddy sql` in its three output formats, from
# -c, -f and standard input, errors and exit status, a data directory across runs, and
# `eddy nexmark export` agreeing with the nexmark sources.
EDDY=${EDDY_BIN:-build/eddy}
. "$(dirname "$0")/lib/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$EDDY" sql --format csv -c "SELECT 1 AS a, 'x,y' AS b, NULL::int AS c, '' AS d")
check_eq "csv" 'a,b,c,d
1,"x,y",,""' "$out"

out=$("$EDDY" sql --format json -c "SELECT 2 AS n, 'q\"t' AS s, true AS b, 1.50 AS m, NULL AS z")
check_eq "json" '{"n":2,"s":"q\"t","b":true,"m":1.50,"z":null}' "$out"

out=$("$EDDY" sql -c "SELECT 42 AS answer, 'left' AS side")
check_eq "table" ' answer | side
--------+------
     42 | left
(1 row)
' "$out
"

printf "CREATE TABLE t (k int PRIMARY KEY, v varchar);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n" >"$tmp/setup.sql"
out=$(echo "SELECT count(*) FROM t" | "$EDDY" sql --format csv -f "$tmp/setup.sql" -f -)
check_eq "-f file then stdin" 'count
2' "$(echo "$out" | tail -2)"

# An error: psql-style message with the line and a caret, exit status 1, nothing after it runs.
out=$("$EDDY" sql --format csv -c "SELECT 1 AS one" -c "SELECT nope FROM nowhere" -c "SELECT 3" 2>"$tmp/err")
status=$?
check_eq "error exit status" 1 "$status"
check_eq "statements before the error ran" 'one
1' "$out"
check_eq "error text" 'ERROR:  relation "nowhere" does not exist
LINE 1: SELECT nope FROM nowhere
                         ^' "$(cat "$tmp/err")"

# A data directory keeps the catalog and rows across runs; a view comes back with them.
"$EDDY" sql --data "$tmp/db" -c "CREATE STREAM s (k varchar, v int); CREATE MATERIALIZED VIEW m AS SELECT k, sum(v) AS total FROM s GROUP BY k; INSERT INTO s VALUES ('a', 1), ('b', 2), ('a', 3)" >/dev/null
"$EDDY" sql --data "$tmp/db" -c "INSERT INTO s VALUES ('b', 10)" >/dev/null
out=$("$EDDY" sql --data "$tmp/db" --format csv -c "SELECT * FROM m ORDER BY k")
check_eq "data directory" 'k,total
a,4
b,12' "$out"

# nexmark export holds exactly what the sources produce with the same options.
"$EDDY" nexmark export --events 5000 --seed 3 --rate 1000 --out "$tmp/nx"
for t in person auction bid; do
	T=$(echo "$t" | sed 's/./\U&/')
	want=$("$EDDY" sql --format csv -c "CREATE SOURCE s WITH (connector='nexmark', nexmark.table.type='$T', nexmark.events='5000', nexmark.seed='3', nexmark.rate='1000'); SELECT count(*) FROM s" | tail -1)
	got=$(($(wc -l <"$tmp/nx/$t.csv") - 1))
	check_eq "export $t rows" "$want" "$got"
done
first=$(sed -n 2p "$tmp/nx/bid.csv" | cut -d, -f1-3)
want=$("$EDDY" sql --format csv -c "CREATE SOURCE s WITH (connector='nexmark', nexmark.table.type='Bid', nexmark.events='5000', nexmark.seed='3', nexmark.rate='1000'); SELECT auction, bidder, price FROM s ORDER BY date_time LIMIT 1" | tail -1)
check_eq "export first bid" "$want" "$first"

out=$("$EDDY" nexmark export --events 10 2>&1)
check_eq "export usage error" "eddy nexmark export: --events and --out are required" "$out"

finish
