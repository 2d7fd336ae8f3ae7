#!/bin/sh
# history_prune.sh: SQL over a stream's stored history on a data directory. A WHERE range on the
# event-time column (>=/<, >/<=, BETWEEN, =) reads only the log batches whose [min, max] event
# time meets it (SHOW STREAMS reports the last scan's batches read and skipped) and still counts
# exactly; retention by size deletes old segments, so SELECT no longer sees their rows, while a
# view created before keeps what it counted. Last line "N passed, N failed".
E=${EDDY_BIN:-build/asan/eddy}
. "$(dirname "$0")/lib/checks.sh"
T=$(mktemp -d /tmp/eddy_history_prune_XXXXXX)
q() { "$E" sql --data "$T/$1" --format csv -c "$2" -c "SHOW STREAMS" | grep -v '^name,\|^count$'; }

# 48 INSERTs (one log batch each), one every half hour from midnight, 3 rows each.
{
	echo "CREATE STREAM s (id bigint, ts timestamp, WATERMARK FOR ts AS ts);"
	i=0
	while [ $i -lt 48 ]; do
		h=$((i / 2)) m=$((i % 2 * 30))
		t=$(printf '2024-01-01 %02d:%02d' $h $m)
		echo "INSERT INTO s VALUES ($((i * 3)), '$t:00'), ($((i * 3 + 1)), '$t:10'), ($((i * 3 + 2)), '$t:20');"
		i=$((i + 1))
	done
} >"$T/load.sql"
"$E" sql --data "$T/d" -f "$T/load.sql" >/dev/null 2>"$T/err"
check_eq "load" "" "$(cat "$T/err")"
check_eq "one hour" "6
s,144,2024-01-01 23:30:20,2,46" \
	"$(q d "SELECT count(*) FROM s WHERE ts >= '2024-01-01 05:00' AND ts < '2024-01-01 06:00'")"
check_eq "gt le" "3
s,144,2024-01-01 23:30:20,1,47" \
	"$(q d "SELECT count(*) FROM s WHERE ts > '2024-01-01 05:00:20' AND ts <= '2024-01-01 05:30:20'")"
check_eq "between" "5
s,144,2024-01-01 23:30:20,3,45" \
	"$(q d "SELECT count(*) FROM s WHERE ts BETWEEN '2024-01-01 10:00:20' AND '2024-01-01 11:00:00'")"
check_eq "or: no pruning" "5
s,144,2024-01-01 23:30:20,48,0" \
	"$(q d "SELECT count(*) FROM s WHERE ts BETWEEN '2024-01-01 10:00:20' AND '2024-01-01 11:00:00' OR id < 0")"
check_eq "constant first" "1
s,144,2024-01-01 23:30:20,1,47" \
	"$(q d "SELECT count(*) FROM s WHERE '2024-01-01 07:30:10' = ts")"
# The log's time index skips the whole segment: no batch header is even read.
check_eq "empty range" "0
s,144,2024-01-01 23:30:20,0,0" \
	"$(q d "SELECT count(*) FROM s WHERE ts < '2023-12-31' AND id >= 0")"
check_eq "no range: every batch" "144
s,144,2024-01-01 23:30:20,48,0" "$(q d "SELECT count(*) FROM s WHERE id >= 0")"
check_eq "in memory: exact, no log" "2
s,3,2024-01-01 01:00:00,0,0" "$("$E" sql --format csv \
	-c "CREATE STREAM s (ts timestamp, WATERMARK FOR ts AS ts)" \
	-c "INSERT INTO s VALUES ('2024-01-01 00:00')" \
	-c "INSERT INTO s VALUES ('2024-01-01 00:30'), ('2024-01-01 01:00')" \
	-c "SELECT count(*) FROM s WHERE ts >= '2024-01-01 00:10'" -c "SHOW STREAMS" |
	grep -v '^name,\|^count$')"

# Retention: 1 kB segments, at most 2 kB kept. The view counts everything it ever saw.
{
	echo "CREATE STREAM r (id bigint, pad varchar, ts timestamp, WATERMARK FOR ts AS ts)"
	echo "  WITH (retention = '7 days', retention_bytes = '2kB', segment_bytes = '1kB');"
	echo "CREATE MATERIALIZED VIEW rv AS SELECT count(*) AS n, min(id) AS lo FROM r;"
	i=0 pad=$(printf '%0100d' 0)
	while [ $i -lt 60 ]; do
		echo "INSERT INTO r VALUES ($i, '$pad', '2024-01-01 00:00:00'::timestamp + INTERVAL '$i minutes');"
		i=$((i + 1))
	done
} >"$T/ret.sql"
echo "SELECT n, lo FROM rv; SELECT count(*), min(id), max(id) FROM r;" >>"$T/ret.sql"
"$E" sql --data "$T/r" --format csv -f "$T/ret.sql" >"$T/out" 2>"$T/err"
check_eq "retention load" "" "$(grep -v 'retention: removing segment' "$T/err")"
if grep -q 'retention: removing segment' "$T/err"; then ok; else
	bad "retention: no segment removal reported"; fi
# In the same session: the view never re-reads the log, so it still counts every row.
# (After a reopen the view is rebuilt by replaying the log, which no longer holds the deleted
# rows: see "Retention" in docs/storage.md.)
check_eq "view keeps its results" "60,0" "$(grep -A1 '^n,lo$' "$T/out" | tail -1)"
out=$(tail -1 "$T/out")
n=${out%%,*} rest=${out#*,} lo=${rest%%,*}
if [ "$n" -gt 0 ] && [ "$n" -lt 60 ] && [ "$lo" -gt 0 ] && [ "$rest" = "$lo,59" ] &&
	[ "$n" -eq $((60 - lo)) ]; then ok; else
	bad "retention: SELECT sees $out (want a suffix of ids, some gone)"; fi
segs=$(ls "$T/r/streams/r" | grep -c '\.seg$')
if [ "$segs" -le 3 ]; then ok; else
	bad "retention: $segs segment files left"; fi
rm -rf "$T"
finish
