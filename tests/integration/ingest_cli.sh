#!/bin/sh
# ingest_cli.sh: `eddy ingest` appends NDJSON and CSV in batches, prints "acked N" per durable
# batch, reports bad lines with their file line on stderr, writes them to STREAM_rejected, keeps
# the good rows, and the rows survive a reopen. Last line "N passed, N failed".
E=${EDDY_BIN:-build/asan/eddy}
. "$(dirname "$0")/lib/checks.sh"
T=$(mktemp -d /tmp/eddy_ingest_cli_XXXXXX)
"$E" sql --data "$T/d" -c "CREATE STREAM bid (auction bigint, price int, note varchar)" >/dev/null
printf '%s\n' '{"auction":1,"price":5}' '{"auction":"x"}' 'not json' '{"auction":2,"price":7}' \
	'{"auction":3,"price":9,"note":"a\"b"}' >"$T/in.ndjson"
out=$("$E" ingest --data "$T/d" bid "$T/in.ndjson" --batch 2 2>"$T/err")
check_eq "ndjson acked" "acked 1
acked 2
acked 3" "$out"
check_eq "ndjson errors" 'line 2: column "auction": invalid input syntax for type bigint: "x" (SQLSTATE 22P02)
line 3: invalid JSON at character 1: a JSON object expected (SQLSTATE 22P02)
eddy ingest: 3 rows acknowledged, 2 lines rejected' "$(cat "$T/err")"
printf 'price,auction\n4,10\n"x\ny",11\n6,12\n' | "$E" ingest --data "$T/d" bid - --format csv \
	--batch 1 >"$T/out" 2>"$T/err"
check_eq "csv acked" "acked 1
acked 1
acked 2" "$(cat "$T/out")"
check_eq "csv error line" 'line 3: column "price": invalid input syntax for type integer: "x
y" (SQLSTATE 22P02)' "$(head -2 "$T/err")"
res=$("$E" sql --data "$T/d" --format csv -c "SELECT auction, price FROM bid ORDER BY 1" \
	-c "SELECT line, raw, sqlstate FROM bid_rejected ORDER BY line, raw")
check_eq "rows after reopen" 'auction,price
1,5
2,7
3,9
10,4
12,6
line,raw,sqlstate
2,"{""auction"":""x""}",22P02
3,"""x
y"",11",22P02
3,not json,22P02' "$res"
"$E" ingest --data "$T/d" nosuch "$T/in.ndjson" >/dev/null 2>"$T/err"
check_eq "unknown stream status" 1 $?
check_eq "unknown stream message" 'eddy ingest: relation "nosuch" does not exist (SQLSTATE 42P01)' \
	"$(head -1 "$T/err")"
"$E" ingest bid >/dev/null 2>&1
check_eq "usage status" 2 $?
rm -rf "$T"
finish
