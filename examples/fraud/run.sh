#!/bin/sh
# run.sh: the job of `make run`: `eddy server` with the financial risk-control example loaded.
#
# Usage: examples/fraud/run.sh [path/to/eddy]        (default build/eddy)
#
# Starts the server on a fresh data directory ($FRAUD_DATA, default build/run-data, wiped first)
# on the default ports (or EDDY_PG_LISTEN / EDDY_HTTP_LISTEN, which the server reads too), loads
# schema.sql, cards.sql and views.sql of this folder through the HTTP API (the current UTC time
# becomes the event time of the first generated payment), prints how to connect, and stays in
# the foreground until Ctrl-C (SIGINT) or SIGTERM, which stop the server cleanly.
# FRAUD_SECONDS=N stops it after N seconds instead (tests). The server's log goes to
# $FRAUD_DATA.log. Exits non-zero when the server does not start or a file does not load.
EDDY=${1:-build/eddy}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${FRAUD_DATA:-build/run-data}
LOG=$DATA.log
PG=${EDDY_PG_LISTEN:-127.0.0.1:4566}
HTTP=${EDDY_HTTP_LISTEN:-127.0.0.1:4567}
SECONDS_TO_RUN=${FRAUD_SECONDS:-0}
SRV=

die() {
	echo "run.sh: $*" >&2
	[ -n "$SRV" ] && kill -INT "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	exit 1
}

# Stops the server on Ctrl-C or SIGTERM and waits until it has closed the database.
stop() {
	trap '' INT TERM
	echo
	echo "stopping eddy server (pid $SRV) ..."
	kill -INT "$SRV" 2>/dev/null
	wait "$SRV"
	rc=$?
	tail -n 1 "$LOG"
	exit $rc
}

[ -x "$EDDY" ] || die "no eddy binary at $EDDY (run make first)"
command -v curl >/dev/null || die "curl is needed (tools/install-deps.sh installs it)"
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")"

trap stop INT TERM
"$EDDY" server --data "$DATA" --pg-listen "$PG" --http-listen "$HTTP" >"$LOG" 2>&1 &
SRV=$!

# Waits for this server's "ready" log line (both listeners accept): asking the port instead
# could reach another server that already holds it.
i=0
until grep -q 'event=ready\|"event":"ready"' "$LOG"; do
	kill -0 "$SRV" 2>/dev/null || {
		cat "$LOG" >&2
		SRV=
		die "eddy server did not start (is another server on $PG or $HTTP?)"
	}
	i=$((i + 1))
	[ $i -lt 200 ] || die "eddy server is not ready after 10 s"
	sleep 0.05
done

now=$(date -u '+%Y-%m-%d %H:%M:%S')
for f in schema cards views; do
	out=$(sed "s/@BASE_TIME@/$now/" "$HERE/$f.sql" |
		curl -s -w '\n%{http_code}' "http://$HTTP/v1/sql" --data-binary @-)
	case "$out" in
	*"
200") ;;
	*) die "loading $f.sql failed: $out" ;;
	esac
done

host=${PG%:*}
port=${PG##*:}
cat <<EOF
eddy server is running (pid $SRV) with the fraud example of examples/fraud/ loaded:
card payments are generated at 40 per second from $now UTC (log: $LOG).

Connect with psql:
    psql -h $host -p $port -U eddy

    SELECT card_id, max(tx) AS tx, max(total) AS total     -- after a minute or so
        FROM velocity_alerts GROUP BY card_id ORDER BY card_id;
    SELECT * FROM far_from_home ORDER BY ts DESC LIMIT 5;
    SELECT * FROM top_declined_merchants ORDER BY window_start DESC, rn;
    SELECT card_id, window_start, tx, total FROM card_velocity     -- the last 10 minutes
        WHERE window_end BETWEEN now() AND now() + INTERVAL '1 minute'
        ORDER BY tx DESC LIMIT 5;
    \\watch 1                                       -- psql repeats the query every second
    SHOW MATERIALIZED VIEWS;

Or with curl:
    curl -s $HTTP/v1/sql -d 'SELECT * FROM top_declined_merchants ORDER BY window_start DESC, rn'
    curl -sN $HTTP/v1/subscribe/velocity_alerts?snapshot=true     # every change, as it happens
    curl -s $HTTP/metrics | grep eddy_view_rows

The SQL is in examples/fraud/*.sql. Ctrl-C stops the server.
EOF

if [ "$SECONDS_TO_RUN" -gt 0 ]; then
	# In the background so that a signal is handled at once, not after the sleep.
	sleep "$SECONDS_TO_RUN" &
	wait $!
	stop
fi
# wait returns early when a trapped signal arrives; stop() then exits. A server that ends on
# its own (killed from elsewhere) ends the script with its status.
wait "$SRV"
rc=$?
echo "eddy server exited with status $rc" >&2
tail -n 5 "$LOG" >&2
exit $rc
