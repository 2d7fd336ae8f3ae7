#!/bin/sh
# backup.sh: `eddy backup` while a server ingests, then `eddy restore` and checks of the copy.
#
# Starts the sanitizer-built `eddy server --data D` ($EDDY_BIN) on free loopback ports with a
# stream (small segments, so the log rolls), a table and two views (an aggregate and a join with
# the table). A background loop alternates: POST one NDJSON batch of 200 rows to the stream (its
# rows carry v = i), then INSERT the table row 1000+i. Two backups are taken during that ingest,
# each restored into a fresh directory and opened with `eddy sql --data R`: every view equals its
# query re-run over the restored stream and table, the stream's row count lies between the counts
# before and after the backup, and the table holds i-1 or i loop rows when the stream's last batch
# is i (a cut the database really passed through, across the journal and the log). A damaged
# backup is refused with XX001 (nothing written), a restore into a non-empty directory is refused. Last line: "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
EDDY=${EDDY_BIN:-$B/eddy}
. "$(dirname "$0")/lib/checks.sh"
T=$(mktemp -d)
SRV=
ING=

cleanup() {
	touch "$T/stop"
	[ -n "$ING" ] && wait "$ING" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

started=
for attempt in 1 2 3; do
	HTTP=127.0.0.1:$(free_port)
	PG=127.0.0.1:$(free_port)
	"$EDDY" server --data "$T/d" --pg-listen "$PG" --http-listen "$HTTP" >"$T/server.log" 2>&1 &
	SRV=$!
	i=0
	while [ $i -lt 100 ] && ! curl -s -o /dev/null "http://$HTTP/healthz"; do
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if curl -s -o /dev/null "http://$HTTP/healthz"; then
		started=1
		break
	fi
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SRV=
done
if [ -z "$started" ]; then
	cat "$T/server.log"
	echo "0 passed, 1 failed"
	exit 1
fi
U=http://$HTTP
sql() { curl -s -X POST --data-binary "$1" "$U/v1/sql"; }
count() { sql "SELECT count(*) FROM ev" | sed 's/.*"rows":\[\[\([0-9]*\)\]\].*/\1/'; }

r=$(sql "CREATE STREAM ev (k int, v int, p varchar) WITH (segment_bytes = '4kB');
CREATE TABLE dim (k int, name varchar);
INSERT INTO dim VALUES (0, 'zero'), (1, 'one'), (2, 'two');
CREATE MATERIALIZED VIEW mv_agg AS SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k;
CREATE MATERIALIZED VIEW mv_join AS
  SELECT d.name, count(*) AS n, sum(e.v) AS s FROM ev e JOIN dim d ON e.k = d.k GROUP BY d.name")
check_has "ddl" '"CREATE MATERIALIZED VIEW"},{"tag":"CREATE MATERIALIZED VIEW"' "$r"

# The ingest loop: stream batch i (200 rows, v = i), then table row 1000+i (a journal record).
python3 -c "
for j in range(200): print('{\"k\":%d,\"v\":VV,\"p\":\"%x\"}' % (j % 4, j * 2654435761 % 2**32))" \
	>"$T/template.nd"
(
	i=1
	while [ ! -e "$T/stop" ]; do
		sed "s/VV/$i/" "$T/template.nd" >"$T/batch.nd"
		curl -s -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' \
			--data-binary @"$T/batch.nd" "$U/v1/streams/ev"
		sql "INSERT INTO dim VALUES (1000 + $i, 'loop')" >/dev/null
		i=$((i + 1))
	done
) &
ING=$!

# Checks a restored directory: views = their queries, counts in range, table/stream cut.
verify() { # name dir count_before count_after
	q() { "$EDDY" sql --data "$2" --format csv -c "$1" 2>&1; }
	a=$(q "SELECT * FROM mv_agg ORDER BY k" "$2")
	b=$(q "SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k ORDER BY k" "$2")
	[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "$1: mv_agg [$a] != query [$b]"
	a=$(q "SELECT * FROM mv_join ORDER BY name" "$2")
	b=$(q "SELECT d.name, count(*) AS n, sum(e.v) AS s FROM ev e JOIN dim d ON e.k = d.k
	       GROUP BY d.name ORDER BY name" "$2")
	[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "$1: mv_join [$a] != query [$b]"
	n=$(q "SELECT count(*) FROM ev" "$2" | tail -1)
	[ "$n" -ge "$3" ] 2>/dev/null && [ "$n" -le "$4" ] && ok ||
		bad "$1: $n rows, expected between $3 and $4"
	maxv=$(q "SELECT max(v) FROM ev" "$2" | tail -1)
	loops=$(q "SELECT count(*) FROM dim WHERE k >= 1000" "$2" | tail -1)
	cut=$((maxv - loops))
	case "$cut" in
	0 | 1) ok ;;
	*) bad "$1: stream batch and table rows are from different moments ($cut)" ;;
	esac
}

sleep 0.5
for k in 1 2; do
	before=$(count)
	"$EDDY" backup --data "$T/d" --out "$T/b$k.tar" 2>"$T/err"
	rc=$?
	after=$(count)
	[ $rc -eq 0 ] && ok || bad "backup $k: exit $rc: $(cat "$T/err")"
	"$EDDY" restore "$T/b$k.tar" --data "$T/r$k" 2>"$T/err" && ok ||
		bad "restore $k: $(cat "$T/err")"
	verify "backup $k" "$T/r$k" "$before" "$after"
	check_has "backup $k: nonempty" "1" "$([ "$before" -gt 0 ] && echo 1)"
	sleep 0.5
done
touch "$T/stop"
wait "$ING"
ING=

# A restore refuses a directory that is not empty.
"$EDDY" restore "$T/b1.tar" --data "$T/r1" 2>"$T/err"
check_eq "non-empty target: exit" 1 "$?"
check_has "non-empty target: message" "exists but is not empty" "$(cat "$T/err")"

# A damaged byte anywhere in the archive is found before anything is written.
python3 - "$T/b2.tar" "$T/bad.tar" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[512 + 100] ^= 0x40  # inside the first file's data
open(sys.argv[2], 'wb').write(b)
EOF
"$EDDY" restore "$T/bad.tar" --data "$T/rbad" 2>"$T/err"
check_eq "corrupted: exit" 1 "$?"
check_has "corrupted: message" "is corrupted: checksum or size mismatch for \"journal\" (SQLSTATE XX001)" \
	"$(cat "$T/err")"
check_has "corrupted: nothing written" "absent" "$([ -e "$T/rbad" ] || echo absent)"
head -c 2000 "$T/b2.tar" >"$T/short.tar"
"$EDDY" restore "$T/short.tar" --data "$T/rshort" 2>"$T/err"
check_has "truncated: message" "XX001" "$(cat "$T/err")"

# The server is still fine and its directory untouched by the backups.
check_has "server alive" '"rows":[[' "$(sql "SELECT count(*) FROM mv_agg")"
kill "$SRV"
wait "$SRV"
check_eq "server exit" 0 "$?"
SRV=

finish
