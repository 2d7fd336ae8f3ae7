#!/bin/sh
# http_curl.sh: the HTTP API with the real curl client against a running server.
#
# Starts the sanitizer-built `eddy server` ($EDDY_BIN) on free loopback ports (falling back to
# $EDDY_BUILD/tools/http_server_test, the HTTP listener alone, when `eddy server` cannot start),
# then: creates a stream and views via /v1/sql, ingests NDJSON and CSV with broken lines in the
# middle, reads the view back, subscribes over SSE and sees a change arrive, a subscriber that
# falls behind is cut off, checks /metrics, /healthz, /readyz, the 404/405/413/415 cases and
# 200 concurrent ingest connections. Stops the server with SIGTERM; it must exit cleanly.
# Last line: "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
EDDY=${EDDY_BIN:-$B/eddy}
. "$(dirname "$0")/lib/checks.sh"
T=$(mktemp -d)
SRV=
SSE=

cleanup() {
	[ -n "$SSE" ] && kill "$SSE" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# Starts "$@" and waits for /healthz; 0 when it answers.
start() {
	"$@" >"$T/server.log" 2>&1 &
	SRV=$!
	i=0
	while [ $i -lt 100 ]; do
		if curl -s -o /dev/null "http://$HTTP/healthz"; then
			return 0
		fi
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	kill "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	SRV=
	return 1
}

export EDDY_HTTP_MAX_BODY=1048576 EDDY_SUBSCRIBER_BUFFER=100
started=
for attempt in 1 2 3; do
	HTTP=127.0.0.1:$(free_port)
	PG=127.0.0.1:$(free_port)
	if [ -x "$EDDY" ] && start "$EDDY" server --pg-listen "$PG" --http-listen "$HTTP"; then
		started="eddy server"
		break
	fi
	if [ -x "$B/tools/http_server_test" ] &&
		start "$B/tools/http_server_test" --http-listen "$HTTP" --subscriber-buffer 100; then
		started="http_server_test"
		break
	fi
done
if [ -z "$started" ]; then
	cat "$T/server.log" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi
echo "server: $started on $HTTP"
U=http://$HTTP

sql() { curl -s -X POST --data-binary "$1" "$U/v1/sql"; }
post() { # content-type body-file path -> "body CODE"
	curl -s -w ' %{http_code}' -X POST -H "Content-Type: $1" --data-binary "@$2" "$U$3"
}

# ---- health
check_has healthz "ok" "$(curl -s "$U/healthz")"
check_has readyz "200" "$(curl -s -o /dev/null -w '%{http_code}' "$U/readyz")"

# ---- DDL through /v1/sql
r=$(sql "CREATE STREAM tx (id int NOT NULL, card varchar, amount numeric(10,2), ts timestamp);
CREATE MATERIALIZED VIEW per_card AS SELECT card, count(*) AS n, sum(amount) AS total FROM tx GROUP BY card;")
check_has create '{"results":[{"tag":"CREATE STREAM"},{"tag":"CREATE MATERIALIZED VIEW"}]}' "$r"
r=$(curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' \
	--data '{"sql": "SELECT 1 AS one, 2.5::float8 AS f, NULL AS z, true AS b, '"'"'x\"y'"'"' AS s"}' "$U/v1/sql")
check_has sql-json '"rows":[[1,2.5,null,true,"x\"y"]]' "$r"
check_has sql-json-code " 200" "$r"
r=$(curl -s -w ' %{http_code}' -X POST --data 'SELECT * FROM nope' "$U/v1/sql")
check_has sql-error '"sqlstate":"42P01"' "$r"
check_has sql-error-position '"position":15' "$r"
check_has sql-error-code " 400" "$r"
r=$(curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/json' --data '{"sq": 1}' "$U/v1/sql")
check_has sql-bad-json " 400" "$r"

# ---- SSE subscriber (started before the ingest, with the snapshot)
curl -s -N "$U/v1/subscribe/per_card?snapshot=true" >"$T/sse.out" 2>&1 &
SSE=$!

# ---- NDJSON ingest with a broken line in the middle
cat >"$T/a.ndjson" <<'EOF'
{"id": 1, "card": "a", "amount": 10.5, "ts": "2024-01-01 00:00:00"}
{"id": 2, "card": "a", "amount": "ten"}
{"id": 3, "card": "b", "amount": 2, "unknown": true
{"id": 4, "card": "b", "amount": 4}
EOF
r=$(post application/x-ndjson "$T/a.ndjson" /v1/streams/tx)
check_has ndjson-counts '"accepted":2,"rejected":2' "$r"
check_has ndjson-line2 '{"line":2,"error":"column \"amount\": invalid input syntax for type numeric: \"ten\"","sqlstate":"22P02"}' "$r"
check_has ndjson-line3 '{"line":3,"error":"invalid JSON' "$r"
check_has ndjson-code " 207" "$r"

# ---- CSV ingest with a broken line
printf 'id,card,amount\r\n5,c,1\r\n6,c\r\n7,"c",2\r\n' >"$T/a.csv"
r=$(post text/csv "$T/a.csv" /v1/streams/tx)
check_has csv-counts '"accepted":2,"rejected":1' "$r"
check_has csv-line3 '{"line":3,"error":"missing data for column \"amount\"' "$r"
check_has csv-line3-state '"sqlstate":"22P04"' "$r"
printf '8;d;3;\n' >"$T/b.csv"
r=$(curl -s -w ' %{http_code}' -X POST -H 'Content-Type: text/csv' --data-binary "@$T/b.csv" \
	"$U/v1/streams/tx?header=false&delimiter=;")
check_has csv-positional '{"accepted":1,"rejected":0,"errors":[]}' "$r"
check_has csv-positional-code ' 200' "$r"
printf '{"id":"x"}\n' >"$T/c.ndjson"
check_has all-rejected " 400" "$(post application/x-ndjson "$T/c.ndjson" /v1/streams/tx)"

# ---- the view through /v1/sql
r=$(sql "SELECT card, n, total FROM per_card ORDER BY card")
check_has view-rows '"rows":[["a",1,10.50],["b",1,4.00],["c",2,3.00],["d",1,3.00]]' "$r"

# ---- the change arrived at the subscriber
i=0
while [ $i -lt 50 ] && ! grep -q '"card":"d"' "$T/sse.out"; do
	sleep 0.1
	i=$((i + 1))
done
check_has sse-change 'data: {"op":"+","row":{"card":"d","n":1,"total":3.00}}' "$(cat "$T/sse.out")"
check_has sse-batch 'data: {"op":"+","row":{"card":"c","n":2,"total":3.00}}' "$(cat "$T/sse.out")"
kill "$SSE" 2>/dev/null
wait "$SSE" 2>/dev/null
SSE=
# The subscription goes away with its client (noticed at the next keep-alive write).
i=0
while [ $i -lt 80 ] && ! curl -s "$U/metrics" | grep -q '^eddy_http_subscribers 0'; do
	sleep 0.1
	i=$((i + 1))
done
check_has sse-gone 'eddy_http_subscribers 0' "$(curl -s "$U/metrics")"
r=$(curl -s -w ' %{http_code}' "$U/v1/subscribe/nope")
check_has sse-unknown '"sqlstate":"42P01"' "$r"
check_has sse-unknown-code " 404" "$r"

# ---- errors
check_has 404 ' 404' "$(curl -s -w ' %{http_code}' "$U/v2/nothing")"
check_has 404-json '"error":' "$(curl -s "$U/v2/nothing")"
check_has 405 ' 405' "$(curl -s -w ' %{http_code}' "$U/v1/sql")"
check_has 405-allow 'Allow: POST' "$(curl -s -i "$U/v1/sql" | tr -d '\r')"
check_has 415 ' 415' "$(post text/plain "$T/a.csv" /v1/streams/tx)"
check_has unknown-stream ' 404' "$(post text/csv "$T/a.csv" /v1/streams/nope)"
head -c 2000000 /dev/zero | tr '\0' 'x' >"$T/big.csv"
r=$(post text/csv "$T/big.csv" /v1/streams/tx)
check_has 413 ' 413' "$r"
check_has 413-json '"sqlstate":"54000"' "$r"

# ---- 200 concurrent ingest connections, all accounted for
i=1000
while [ $i -lt 1200 ]; do
	echo "{\"id\":$i,\"card\":\"p\",\"amount\":1}" >"$T/p$i.ndjson"
	i=$((i + 1))
done
ls "$T"/p*.ndjson | xargs -P 200 -I{} curl -s -o {}.out -w '%{http_code}\n' -X POST \
	-H 'Content-Type: application/x-ndjson' --data-binary @{} "$U/v1/streams/tx" >"$T/codes"
check_has parallel-200 "200" "$(sort "$T/codes" | uniq -c | tr -s ' ')"
check_has parallel-all "200" "$(grep -c '^200$' "$T/codes")"
check_has parallel-accepted "200" "$(cat "$T"/p*.out | grep -c '"accepted":1,"rejected":0')"
check_has parallel-view '[["p",200]]' "$(sql "SELECT card, n FROM per_card WHERE card = 'p'")"

# ---- a subscriber that falls behind (EDDY_SUBSCRIBER_BUFFER rows) is cut off
python3 - "$HTTP" >"$T/slow.out" 2>&1 <<'EOF' &
import socket, sys, time
host, port = sys.argv[1].split(":")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, int(port)))
s.sendall(b"GET /v1/subscribe/per_card HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(2)  # do not read: fall behind
data = b""
s.settimeout(5)
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
except Exception:
    pass
print("error-event" if b"event: error" in data else "no-error-event")
EOF
SLOW=$!
sleep 0.5
i=0
while [ $i -lt 5000 ]; do
	echo "{\"id\":$i,\"card\":\"s$i\",\"amount\":1}"
	i=$((i + 1))
done >"$T/many.ndjson"
for k in 1 2 3 4; do
	post application/x-ndjson "$T/many.ndjson" /v1/streams/tx >/dev/null
done
wait $SLOW
check_has slow-subscriber "error-event" "$(cat "$T/slow.out")"

# ---- metrics
m=$(curl -s "$U/metrics")
check_has metrics-view-rows 'eddy_view_rows{view="per_card"}' "$m"
check_has metrics-help '# HELP eddy_view_rows' "$m"
check_has metrics-type '# TYPE eddy_view_late_rows_total counter' "$m"
check_has metrics-state 'eddy_view_state_bytes{view="per_card"}' "$m"
check_has metrics-errors 'eddy_view_row_errors_total{view="per_card"} 0' "$m"
check_has metrics-stream 'eddy_stream_rows_total{stream="tx"}' "$m"
check_has metrics-ingest 'eddy_ingest_rows_total{stream="tx",result="rejected"} 4' "$m"
check_has metrics-requests 'eddy_http_requests_total{path="/v1/streams/{name}",code="207"} 2' "$m"
check_has metrics-rss 'process_resident_memory_bytes ' "$m"

# ---- SIGTERM: a clean exit
kill -TERM "$SRV"
wait "$SRV"
rc=$?
SRV=
check_has sigterm-exit "0" "$rc"
if grep -q "ERROR: \|runtime error" "$T/server.log"; then
	bad "sanitizer report in the server log"
	cat "$T/server.log"
else
	ok
fi

finish
