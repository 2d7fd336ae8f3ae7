#!/bin/sh
# nexmark_explain.sh: EXPLAIN shows the dataflow of every Nexmark query (issue 3, "Done means").
# For each bench/nexmark/qN.sql, runs ddl.sql (its placeholders filled with small fixed values,
# as tests/tools/nexmark_oracle.c fills them) and `EXPLAIN <the CREATE MATERIALIZED VIEW or
# CREATE SINK>` through `eddy sql`, and checks that the dataflow part of the plan names the
# operators the query needs (the table below). Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
passed=0
failed=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Per query, the operators its dataflow must show, separated by ';' (fixed strings).
expect() {
	case $1 in
	0 | 1 | 22) echo "Project;Scan bid" ;;
	2 | 14 | 21) echo "Filter;Scan bid" ;;
	3) echo "HashJoin;Scan auction;Scan person" ;;
	4) echo "HashAgg;HashJoin;Scan auction;Scan bid" ;;
	5) echo "HopAgg;IntervalJoin;HashAgg" ;;
	6) echo "OverWindow;TopN;HashJoin" ;;
	7) echo "IntervalJoin;Tumble;HashAgg" ;;
	8) echo "IntervalJoin;Tumble;HashAgg;Scan person;Scan auction" ;;
	9) echo "TopN;HashJoin;Scan auction;Scan bid" ;;
	10) echo "Sink nexmark_q10 connector=file;Project;Scan bid" ;;
	11) echo "SessionAgg;Scan bid" ;;
	12) echo "Tumble;HashAgg" ;;
	13) echo "LookupJoin;Scan bid;Scan side_input" ;;
	15 | 16 | 17) echo "HashAgg;Scan bid" ;;
	18 | 19) echo "TopN;Scan bid" ;;
	20) echo "HashJoin;Scan bid;Scan auction" ;;
	esac
}

ddl=$(sed -e 's/\${NEXMARK_EVENTS}/1000/' -e 's/\${NEXMARK_SEED}/1/' \
	-e 's/\${NEXMARK_RATE}/1000/' -e 's/\${NEXMARK_BASE_TIME}/2015-07-15 00:00:00/' \
	bench/nexmark/ddl.sql)
q=0
while [ $q -le 22 ]; do
	# Comment lines dropped so that EXPLAIN directly precedes the statement.
	stmt=$(sed -e "s|\${NEXMARK_OUT}|$dir/out|" -e '/^[[:space:]]*--/d' bench/nexmark/q$q.sql)
	out=$("$EDDY" sql --format csv -c "$ddl" -c "EXPLAIN $stmt" 2>&1)
	plan=$(printf '%s\n' "$out" | sed -n '/^Dataflow:/,/^Logical plan:/p')
	missing=""
	ops=$(expect $q)
	IFS=';'
	for op in $ops; do
		printf '%s\n' "$plan" | grep -q -F "$op" || missing="$missing [$op]"
	done
	unset IFS
	if [ -n "$ops" ] && [ -n "$plan" ] && [ -z "$missing" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL: q$q: EXPLAIN lacks$missing; it printed:"
		printf '%s\n' "$out" | head -30
		failed=$((failed + 1))
	fi
	q=$((q + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
