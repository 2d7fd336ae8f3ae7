#!/bin/sh
# bench_csv.sh: `eddy bench nexmark --csv DIR` (issue 6), the benchmark fed from the CSV files of
# `eddy nexmark export`: its JSON says input "csv" and counts the events asked for; the view a
# query builds from the files has the rows the generator's would (q3, a join, with --no-blackhole
# so that the rows are counted), also when the files end without a line break or one is a pipe
# (read, not mapped); too few events in the files, no files, or a bad line (named by its line in
# the file, also steps into it) fail the run with a message. Never timings. Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
. tests/integration/lib/checks.sh

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$EDDY" nexmark export --events 5000 --seed 0 --rate 10000 --base-time '2015-07-15 00:00:00' \
	--out "$dir/nx" >/dev/null 2>&1
check_run "export writes bid.csv" test -s "$dir/nx/bid.csv"

"$EDDY" bench nexmark --csv "$dir/nx" --query q0,q3 --events 5000 --warmup 500 --json \
	>"$dir/out" 2>"$dir/err"
check_run "bench --csv exits 0" test $? -eq 0
check_run "one line per query" test "$(wc -l <"$dir/out")" -eq 2
check_run "input is csv" test "$(grep -c -F '"input":"csv"' "$dir/out")" -eq 2
check_run "events as asked" test "$(grep -c -F '"events":5000,' "$dir/out")" -eq 2
check_run "events_per_core_s is a positive number" \
	grep -q -E '"events_per_core_s":[0-9]+(\.[0-9]+)?,' "$dir/out"

# The same rows from the files as from the generator (the export is of the same events).
"$EDDY" bench nexmark --csv "$dir/nx" --query q3 --events 5000 --warmup 0 --no-blackhole \
	--json >"$dir/csv" 2>/dev/null
"$EDDY" bench nexmark --query q3 --events 5000 --warmup 0 --no-blackhole --json \
	>"$dir/gen" 2>/dev/null
rows_csv=$(grep -o '"rows":[0-9]*' "$dir/csv")
rows_gen=$(grep -o '"rows":[0-9]*' "$dir/gen")
check_run "q3 has rows" test -n "$rows_csv"
check_run "q3 from the files has the generator's rows ($rows_csv, $rows_gen)" \
	test "$rows_csv" = "$rows_gen"

"$EDDY" bench nexmark --csv "$dir/nx" --query q0 --events 6000 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "more events than the files hold fails" test $? -eq 1
check_run "and says how many rows are missing" grep -q -F 'bid.csv ends 920 rows short of the first 6000 events' \
	"$dir/out"
"$EDDY" bench nexmark --csv "$dir/none" --query q0 --events 10 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "a folder without the files fails" test $? -eq 1
check_run "and names the file" grep -q -F 'could not open file' "$dir/out"
# Quoted fields (a comma, a newline inside quotes) are one field; the date_time after them is
# still found for the merge.
awk 'NR == 2 { sub(/^[0-9]+,[^,]*,/, $1 ",\"Smith, J.\nSr.\","); print; next } { print }' \
	FS=, "$dir/nx/person.csv" >"$dir/p.csv" && mv "$dir/p.csv" "$dir/nx/person.csv"
check_run "the quoted field is in the file" grep -q -F '"Smith, J.' "$dir/nx/person.csv"
"$EDDY" bench nexmark --csv "$dir/nx" --query q3 --events 5000 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "quoted fields are read" test $? -eq 0
# Files whose last line has no line break: every event is still read, the rows are the same.
cp -r "$dir/nx" "$dir/nonl"
for t in person auction bid; do
	head -c -1 "$dir/nx/$t.csv" >"$dir/nonl/$t.csv"
done
check_run "the last line has no line break" test "$(tail -c 1 "$dir/nonl/bid.csv" | od -An -c | tr -d ' ')" != '\n'
"$EDDY" bench nexmark --csv "$dir/nonl" --query q0 --events 5000 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "all 5000 events of files without a final line break" test $? -eq 0
# Only the tables the query reads are opened: q3 (auctions and persons) needs no bid.csv.
mkdir "$dir/nobid"
cp "$dir/nx/person.csv" "$dir/nx/auction.csv" "$dir/nobid/"
"$EDDY" bench nexmark --csv "$dir/nobid" --query q3 --events 5000 --warmup 0 --no-blackhole \
	--json >"$dir/out" 2>/dev/null
check_run "q3 runs without bid.csv" test $? -eq 0
check_eq "with the generator's rows" "$rows_gen" "$(grep -o '"rows":[0-9]*' "$dir/out")"
# A file that cannot be mapped (a pipe) is read in blocks: the same rows.
mkdir "$dir/pipe"
cp "$dir/nx/person.csv" "$dir/nx/auction.csv" "$dir/pipe/"
mkfifo "$dir/pipe/bid.csv"
cat "$dir/nx/bid.csv" >"$dir/pipe/bid.csv" &
"$EDDY" bench nexmark --csv "$dir/pipe" --query q0 --events 5000 --warmup 0 --no-blackhole \
	--json >"$dir/out" 2>/dev/null
rc=$?
wait
check_run "a pipe is read" test $rc -eq 0
check_eq "with every bid of the 5000 events" '"rows":4600' "$(grep -o '"rows":[0-9]*' "$dir/out")"
# A bad line several steps (of 8192 events) into a file is named by its line in the file.
"$EDDY" nexmark export --events 30000 --seed 0 --rate 10000 --base-time '2015-07-15 00:00:00' \
	--out "$dir/big" >/dev/null 2>&1
sed '20001s/^[0-9]*,/x,/' "$dir/big/bid.csv" >"$dir/bad.csv" && mv "$dir/bad.csv" "$dir/big/bid.csv"
"$EDDY" bench nexmark --csv "$dir/big" --query q0 --events 30000 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "a bad line after a few steps fails the run" test $? -eq 1
check_run "and names bid.csv line 20001" grep -q -F 'bid.csv line 20001: ' "$dir/out"
sed '3s/^[0-9]*,/x,/' "$dir/nx/bid.csv" >"$dir/bad.csv" && mv "$dir/bad.csv" "$dir/nx/bid.csv"
"$EDDY" bench nexmark --csv "$dir/nx" --query q0 --events 100 --warmup 0 --json \
	>"$dir/out" 2>/dev/null
check_run "a bad line fails the run" test $? -eq 1
check_run "and names bid.csv line 3" grep -q -F 'bid.csv line 3: ' "$dir/out"

finish
