#!/bin/sh
# nexmark_explain.sh: EXPLAIN shows the dataflow of every Nexmark query (issue 3, "Done means").
# For each bench/nexmark/qN.sql, runs ddl.sql (its placeholders filled with small fixed values,
# as tests/tools/nexmark_oracle.c fills them) and `EXPLAIN <the CREATE MATERIALIZED VIEW or
# CREATE SINK>` through `eddy sql`, and checks that the dataflow part of the plan names the
# operators the query needs (the table below), and that the logical plan shows the optimizer's
# pushed filters and narrowed join inputs where the query has them. Last line "N passed, N
# failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
. tests/integration/lib/checks.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Per query, the operators its dataflow must show, separated by ';' (fixed strings).
expect() {
	case $1 in
	0 | 1 | 22) echo "Project;Scan bid" ;;
	2 | 14 | 21) echo "Filter;Scan bid" ;;
	3) echo "HashJoin;Scan auction;Scan person" ;;
	4) echo "HashAgg;IntervalJoin;upper-by=left.expires;Scan auction;Scan bid" ;;
	5) echo "HopAgg;IntervalJoin;HashAgg" ;;
	6) echo "OverWindow;TopN;IntervalJoin;upper-by=left.expires" ;;
	7) echo "IntervalJoin;Tumble;HashAgg" ;;
	8) echo "IntervalJoin;Tumble;HashAgg;Scan person;Scan auction" ;;
	9) echo "TopN;IntervalJoin;upper-by=left.expires;Scan auction;Scan bid" ;;
	10) echo "Sink nexmark_q10 connector=file;Project;Scan bid" ;;
	11) echo "SessionAgg;Scan bid" ;;
	12) echo "Tumble;HashAgg" ;;
	13) echo "LookupJoin;Scan bid;Scan side_input" ;;
	15 | 16 | 17) echo "HashAgg;Scan bid" ;;
	18 | 19) echo "TopN;Scan bid" ;;
	20) echo "HashJoin;Scan bid;Scan auction" ;;
	esac
}

# Per query, what its logical plan must show of the optimizer's work (plan/optimize.c): the
# filters below the joins of q3 and q20, the join inputs of q4, q7 and q9 and the inputs of
# the aggregations of q5, q7, q8, q11, q12 and q15-q17 (and of their windows) narrowed to the
# columns used above them, q7 still an interval join, q4 and q9 interval joins bounded by the
# auction's expires.
expect_logical() {
	case $1 in
	3) echo "Join type=inner keys=[(seller = id)] (append-only);Filter (category = 10);Filter ((state = 'OR') OR (state = 'ID') OR (state = 'CA'));Project [id, date_time, seller]" ;;
	4) echo "interval=date_time-date_time in ['00:00:00', '00:00:00'] upper-by=expires;Project [id, date_time, expires, category];Project [auction, price, date_time]" ;;
	5) echo "HopAgg time=date_time;Project [auction, date_time] (append-only) watermark=date_time" ;;
	7) echo "interval=date_time-date_time;Project [auction, bidder, price, date_time];Project [price, window_start, window_end] (append-only);Project [price, date_time] (append-only)" ;;
	8) echo "Project [id, name, window_start, window_end] (append-only);Project [seller, window_start, window_end] (append-only)" ;;
	11) echo "SessionAgg time=date_time;Project [bidder, date_time] (append-only) watermark=date_time" ;;
	12) echo "Project [bidder, window_start, window_end] (append-only);Project [bidder, date_time, proctime() AS p_time]" ;;
	15) echo "Project [to_char(date_time, 'YYYY-MM-DD'), (price < 10000), ((price >= 10000) AND (price < 1000000)), (price >= 1000000), bidder, auction] (append-only)" ;;
	16) echo "Project [to_char(date_time, 'YYYY-MM-DD'), channel, to_char(date_time, 'HH:mm'), (price < 10000)" ;;
	17) echo "Project [auction, to_char(date_time, 'YYYY-MM-DD'), (price < 10000), ((price >= 10000) AND (price < 1000000)), (price >= 1000000), price] (append-only)" ;;
	9) echo "upper-by=expires;Project [id, item_name, description, initial_bid, reserve, date_time, expires, seller, category] ;Project [auction, bidder, price, date_time]" ;;
	20) echo "Join type=inner keys=[(auction = id)] (append-only);Filter (category = 10)" ;;
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
	logical=$(printf '%s\n' "$out" | sed -n '/^Logical plan:/,$p')
	IFS=';'
	for op in $(expect_logical $q); do
		printf '%s\n' "$logical" | grep -q -F "$op" || missing="$missing [$op]"
	done
	unset IFS
	if [ -n "$ops" ] && [ -n "$plan" ] && [ -z "$missing" ]; then
		ok
	else
		bad "q$q: EXPLAIN lacks$missing; it printed:"
		printf '%s\n' "$out" | head -30
	fi
	q=$((q + 1))
done
finish
