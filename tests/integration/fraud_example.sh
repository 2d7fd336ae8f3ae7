#!/bin/sh
# fraud_example.sh: the `make run` demo (examples/fraud/) works end to end.
#
# Runs examples/fraud/run.sh itself with the sanitizer-built eddy ($EDDY_BIN) on free loopback
# ports and a temporary data directory, for a few seconds of generated card payments, and checks
# through the HTTP API, SSE and psql: every view of the example exists and fills; two reads of
# the velocity view a second apart differ; each row of far_from_home really is a payment in a
# region other than the card's home region (checked in Python against the cards and countries
# tables, not by the engine); top_declined_merchants has at most 3 rows per minute, ranked 1..n
# by declined amount; velocity_alerts holds only rows that break the rule. Then SIGTERM to
# run.sh must stop the server cleanly (exit 0, "database closed").
# Last line: "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
EDDY=${EDDY_BIN:-$B/eddy}
. "$(dirname "$0")/lib/checks.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
RUN=

cleanup() {
	[ -n "$RUN" ] && kill -TERM "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# Runs SQL through POST /v1/sql; prints the JSON answer.
sql() { curl -s "http://$HTTP/v1/sql" --data-binary "$1"; }

started=
for attempt in 1 2 3; do
	export EDDY_PG_LISTEN=127.0.0.1:$(free_port) EDDY_HTTP_LISTEN=127.0.0.1:$(free_port)
	export FRAUD_DATA=$T/data FRAUD_SECONDS=60
	HTTP=$EDDY_HTTP_LISTEN
	sh "$ROOT/examples/fraud/run.sh" "$EDDY" >"$T/run.out" 2>&1 &
	RUN=$!
	i=0
	while [ $i -lt 200 ] && kill -0 "$RUN" 2>/dev/null; do
		grep -q 'Ctrl-C stops the server' "$T/run.out" && started=1 && break
		sleep 0.05
		i=$((i + 1))
	done
	[ -n "$started" ] && break
	kill -TERM "$RUN" 2>/dev/null
	wait "$RUN" 2>/dev/null
	RUN=
done
if [ -z "$started" ]; then
	cat "$T/run.out" "$T/data.log" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi
ok

# The printed instructions name the real ports.
grep -q "psql -h 127.0.0.1 -p ${EDDY_PG_LISTEN##*:} -U eddy" "$T/run.out" && ok ||
	bad "run.sh does not print the psql command line"
grep -q "$HTTP/v1/subscribe/" "$T/run.out" && ok || bad "run.sh does not print the SSE URL"

sleep 2
sql 'SELECT * FROM card_velocity ORDER BY card_id, window_start' >"$T/v1.json"
sleep 1.2
sql 'SELECT * FROM card_velocity ORDER BY card_id, window_start' >"$T/v2.json"
sleep 1
sql 'SHOW MATERIALIZED VIEWS' >"$T/views.json"
for r in cards countries far_from_home top_declined_merchants velocity_alerts; do
	sql "SELECT * FROM $r" >"$T/$r.json"
done

# The checks over the JSON answers; prints one "ok" or "FAIL: ..." line per check.
python3 - "$T" >"$T/checks.txt" 2>&1 <<'EOF'
import json, sys, collections
d = sys.argv[1]
def rows(name):
    r = json.load(open(f"{d}/{name}.json"))["results"][0]
    cols = [c["name"] for c in r["columns"]]
    return [dict(zip(cols, x)) for x in r["rows"]]
def check(cond, what):
    print("ok" if cond else "FAIL: " + what)

views = {r["name"]: r["rows"] for r in rows("views")}
for v in ("card_velocity", "velocity_alerts", "far_from_home", "top_declined_merchants"):
    check(v in views, f"view {v} missing: {views}")
v1, v2 = rows("v1"), rows("v2")
check(len(v1) > 0, "card_velocity is empty")
check(v1 != v2, "card_velocity did not change in 1.2 s")
check(sum(r["tx"] for r in v2) > sum(r["tx"] for r in v1), "card_velocity counts did not grow")
# Each payment is in size/slide = 10 windows, one starting each minute: a card's windows are
# consecutive minutes, at least 10 of them (more once its payments span several minutes).
import datetime
starts = collections.defaultdict(list)
for r in v2:
    starts[r["card_id"]].append(datetime.datetime.fromisoformat(r["window_start"]))
def consecutive(ts):
    ts = sorted(ts)
    return len(ts) >= 10 and all((b - a).total_seconds() == 60 for a, b in zip(ts, ts[1:]))
bad = {c: len(ts) for c, ts in starts.items() if not consecutive(ts)}
check(not bad, f"cards whose windows are not 10+ consecutive minutes: {bad}")

region = {r["code"]: r["region"] for r in rows("countries")}
home = {r["card_id"]: r["home_country"] for r in rows("cards")}
far = rows("far_from_home")
check(len(far) > 0, "far_from_home is empty")
wrong = [r for r in far if home[r["card_id"]] != r["home_country"]
         or region[r["home_country"]] == region[r["country"]]]
check(not wrong, f"rows of far_from_home that are not far from home: {wrong[:3]}")

top = rows("top_declined_merchants")
check(len(top) > 0, "top_declined_merchants is empty")
by_minute = collections.defaultdict(list)
for r in top:
    by_minute[r["window_start"]].append(r)
check(all(len(rs) <= 3 for rs in by_minute.values()), f"more than 3 rows in a minute: {top}")
ranked = all(sorted(r["rn"] for r in rs) == list(range(1, len(rs) + 1)) and
             [r["declined"] for r in sorted(rs, key=lambda r: r["rn"])] ==
             sorted((r["declined"] for r in rs), reverse=True) for rs in by_minute.values())
check(ranked, f"top_declined_merchants is not ranked by declined amount: {top}")

alerts = rows("velocity_alerts")
check(all(r["tx"] > 120 or r["total"] > 60000 for r in alerts),
      f"velocity_alerts rows that break no rule: {alerts[:3]}")
EOF
while read -r line; do
	case "$line" in
	ok) ok ;;
	*) bad "${line#FAIL: }" ;;
	esac
done <"$T/checks.txt"

# Server-sent events of the velocity view arrive.
curl -sN --max-time 2 "http://$HTTP/v1/subscribe/card_velocity?snapshot=true" >"$T/sse.txt"
grep -q '^data: {"op":"+","row":{"card_id":' "$T/sse.txt" && ok ||
	bad "no SSE event from card_velocity: $(head -c 300 "$T/sse.txt")"

# psql connects as the instructions say.
if command -v psql >/dev/null; then
	out=$(psql -X -A -t -h 127.0.0.1 -p "${EDDY_PG_LISTEN##*:}" -U eddy \
		-c 'SELECT count(*) > 0 FROM top_declined_merchants' 2>&1)
	[ "$out" = "t" ] && ok || bad "psql: $out"
	# SHOW of a catalog listing goes to the engine, not to the session parameters.
	out=$(psql -X -A -t -h 127.0.0.1 -p "${EDDY_PG_LISTEN##*:}" -U eddy \
		-c 'SHOW MATERIALIZED VIEWS' 2>&1)
	case "$out" in
	*"far_from_home|"*) ok ;;
	*) bad "psql SHOW MATERIALIZED VIEWS: $out" ;;
	esac
fi

# SIGTERM to run.sh stops the server cleanly.
kill -TERM "$RUN"
wait "$RUN"
rc=$?
RUN=
[ $rc -eq 0 ] && ok || bad "run.sh exited with $rc after SIGTERM"
grep -q 'event=stopped msg="database closed"' "$T/data.log" && ok ||
	bad "server did not stop cleanly: $(tail -n 3 "$T/data.log")"

finish
