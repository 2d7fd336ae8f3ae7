#!/bin/sh
# nexmark_state.sh: memory stays bounded for windowed queries (issue 3, item 5).
#
# Runs bench/nexmark/q5.sql (HOP, a join of two windowed aggregations) and q7.sql (TUMBLE grouped
# by window_end, joined back to the bids on a time interval) over a bounded nexmark source, and
# samples each view's operator state (SHOW MATERIALIZED VIEWS state_bytes, apart from the view's
# stored rows, rows_bytes) every 5% of the bids, through the library API
# (tests/tools/state_probe.c, optimised build). Once windows close (10 seconds of event time =
# 100 000 events at the default rate), the state must stop growing: the largest sample in the
# second half of the run is at most 1.3 times the largest between 20% and 50%. A leak grows
# linearly, which is at least 2.5 times from the middle to the end. After the source ends (its
# final watermark closes every window) the state must shrink below half its peak.
#
# 1.5 million events by default (about 10 s of CPU); EDDY_LONG_TESTS=1 runs the 10 million events of
# the issue. Last line: "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
B=${EDDY_BUILD:-build/asan}
PROBE=$B/rel/state_probe
[ -x "$PROBE" ] || PROBE=$B/tools/state_probe
EVENTS=1500000
[ "${EDDY_LONG_TESTS:-0}" = 1 ] && EVENTS=10000000
BIDS=$((EVENTS / 50 * 46)) # 46 of every 50 events are bids
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

DDL=$(sed -e "s/\${NEXMARK_EVENTS}/$EVENTS/" -e 's/${NEXMARK_SEED}/0/' \
	-e 's/${NEXMARK_RATE}/10000/' -e 's/${NEXMARK_BASE_TIME}/2015-07-15 00:00:00/' \
	bench/nexmark/ddl.sql)
. tests/integration/lib/checks.sh
if "$PROBE" "$BIDS" $((BIDS / 20)) "$DDL" "$(cat bench/nexmark/q5.sql)" \
	"$(cat bench/nexmark/q7.sql)" >"$OUT"; then
	ok
else
	bad "state_probe exited with an error"
fi
cat "$OUT"

for v in nexmark_q5 nexmark_q7; do
	verdict=$(awk -v view="$v" -v total="$BIDS" '
		{ split($1, b, "="); split($2, n, "="); split($3, s, "=") }
		n[2] != view { next }
		b[2] >= total { final = s[2]; next }
		b[2] >= total * 0.2 && b[2] <= total * 0.5 && s[2] > early { early = s[2] }
		b[2] > total * 0.5 && s[2] > late { late = s[2] }
		END {
			if (early == 0 || late == 0 || final == "") { print "no samples"; exit }
			if (late > 1.3 * early) { printf "grows: %d then %d bytes\n", early, late; exit }
			if (final * 2 > late) { printf "not freed: %d bytes at the end\n", final; exit }
			printf "ok %d %d %d\n", early, late, final
		}' "$OUT")
	case $verdict in
	ok*)
		echo "ok $v: peak state $(echo "$verdict" | cut -d' ' -f2) bytes at 20-50%," \
			"$(echo "$verdict" | cut -d' ' -f3) after, $(echo "$verdict" | cut -d' ' -f4) at the end"
		ok
		;;
	*)
		bad "$v: $verdict"
		;;
	esac
done
finish
