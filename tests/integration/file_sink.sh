#!/bin/sh
# file_sink.sh: CREATE SINK ... WITH (connector = 'file') writes what it promises (docs/sinks.md).
# Runs the CLI on small inputs and checks the files byte for byte: CSV and JSON lines, the
# partition directories (col=value, %XX escapes, NULL as __HIVE_DEFAULT_PARTITION__), part
# numbers that never overwrite earlier output, SHOW SINKS, DROP SINK, and the errors (SQLSTATE
# and message in tests/sql/ddl/sink.slt) of bad options and queries a sink cannot take. Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
. tests/integration/lib/checks.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# same NAME FILE EXPECTED: the file holds exactly EXPECTED (a printf format without arguments).
same() {
	if [ -f "$2" ] && [ "$(cat "$2")" = "$(printf "$3")" ]; then
		ok
	else
		bad "$1: $2 holds: $(cat "$2" 2>&1)"
	fi
}

# fails NAME TEXT SQL: the SQL fails with that message text (the CLI prints no SQLSTATE).
fails() {
	out=$("$EDDY" sql -c "$3" 2>&1)
	if [ $? -ne 0 ] && printf '%s' "$out" | grep -q -F "$2"; then
		ok
	else
		bad "$1: $out"
	fi
}

# One session: a stream, a CSV sink partitioned by day and a JSON sink over a view, rows before
# and after a barrier, SHOW SINKS, DROP SINK.
out=$("$EDDY" sql --format csv <<EOF 2>&1
CREATE STREAM ev (id int, day date, label varchar, amt numeric(6,2), ok boolean);
INSERT INTO ev VALUES (1, DATE '2015-07-15', 'plain', 1.50, true),
    (2, DATE '2015-07-16', 'a,b "q"', NULL, false), (3, NULL, '', 2.00, NULL);
CREATE SINK s_csv AS SELECT id, day, label, amt FROM ev
    WITH (connector = 'file', path = '$dir/csv', partition_by = 'day');
CREATE MATERIALIZED VIEW v AS SELECT id, label, amt, ok, label || '/x=%' AS tag FROM ev WHERE id > 1;
CREATE SINK s_json FROM v WITH (connector = 'file', path = '$dir/json', format = 'json',
    partition_by = 'tag', type = 'append-only');
INSERT INTO ev VALUES (4, DATE '2015-07-15', 'late', 3.25, true);
SHOW SINKS;
DROP SINK s_json;
SHOW SINKS;
EOF
)
[ $? -eq 0 ] && ok || bad "the session failed: $out"
same "csv partition 2015-07-15" "$dir/csv/day=2015-07-15/part-0.csv" '1,plain,1.50\n4,late,3.25'
same "csv quoting and NULL" "$dir/csv/day=2015-07-16/part-0.csv" '2,"a,b ""q""",'
same "csv NULL partition, empty string" "$dir/csv/day=__HIVE_DEFAULT_PARTITION__/part-0.csv" \
	'3,"",2.00'
same "json escaped partition" "$dir/json/tag=a,b \"q\"%2Fx%3D%25/part-0.json" \
	'{"id":2,"label":"a,b \\"q\\"","amt":null,"ok":false}'
same "json numbers and booleans" "$dir/json/tag=%2Fx%3D%25/part-0.json" \
	'{"id":3,"label":"","amt":2.00,"ok":null}'
same "json row after the barrier" "$dir/json/tag=late%2Fx%3D%25/part-0.json" \
	'{"id":4,"label":"late","amt":3.25,"ok":true}'
case "$out" in
*"s_csv,file,4"*"s_json,file,3"*) ok ;;
*) bad "SHOW SINKS before DROP: $out" ;;
esac
[ "$(printf '%s\n' "$out" | grep -c '^s_json,')" -eq 1 ] && ok || bad "DROP SINK s_json: $out"

# A sink created again over the same path adds part-1, never overwriting part-0.
"$EDDY" sql >/dev/null 2>&1 <<EOF
CREATE STREAM ev (id int, day date);
INSERT INTO ev VALUES (9, DATE '2015-07-15');
CREATE SINK s AS SELECT * FROM ev WITH (connector = 'file', path = '$dir/csv', partition_by = 'day');
EOF
same "second run: part-1" "$dir/csv/day=2015-07-15/part-1.csv" '9'
same "second run: part-0 kept" "$dir/csv/day=2015-07-15/part-0.csv" '1,plain,1.50\n4,late,3.25'

# A sink's rows go out: reading it fails (its SQLSTATE and the option errors are checked in
# tests/sql/ddl/sink.slt, which creates no files).
fails "reading a sink" '"s" is a sink: its rows go out, they cannot be read' \
	"CREATE STREAM ev (id int); CREATE SINK s FROM ev WITH (connector = 'file', path = '$dir/y'); SELECT * FROM s"
fails "a rejected sink creates nothing" 'invalid value for option "format"' \
	"CREATE STREAM ev (id int); CREATE SINK s FROM ev WITH (connector = 'file', path = '$dir/x', format = 'xml')"
[ ! -e "$dir/x" ] && ok || bad "a rejected sink created its directory"

finish
