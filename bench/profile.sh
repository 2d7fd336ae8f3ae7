#!/bin/sh
# bench/profile.sh [EVENTS] [QUERIES]: where eddy spends its instructions, per query.
#
# Runs `eddy bench nexmark --query qN --events EVENTS --warmup 0` (default 100 000 events) under
# valgrind --tool=callgrind for each query (default: the slowest ones), and writes the top
# functions by self cost (instructions) per query into bench/results/profile.txt, which
# bench/report.py puts into RESULTS.md. Raw callgrind files stay in build/bench-profile/.
# callgrind counts instructions, not time: cache misses are not in these numbers.
set -e
cd "$(dirname "$0")/.."
EVENTS=${1:-100000}
QUERIES=${2:-"q4 q5 q6 q7 q9 q16 q18 q19 q20 q21 q22"}
REL=${REL:-build}
if ! make -j2 REL="$REL" all >/dev/null; then
	[ -x "$REL/eddy" ] || exit 1
	echo "$0: the build failed; measuring the existing $REL/eddy" >&2
fi
OUT=build/bench-profile
mkdir -p "$OUT" bench/results
: >bench/results/profile.txt
for q in $QUERIES; do
	f="$OUT/callgrind.$q"
	# The child process does the work; --trace-children follows it, and the child's file is
	# the one with the most instructions.
	rm -f "$f".*
	valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$f.%p" \
		"$REL/eddy" bench nexmark --query "$q" --events "$EVENTS" --warmup 0 --threads 1 --json \
		>/dev/null 2>"$OUT/valgrind.$q.log"
	big=$(ls -S "$f".* | head -1)
	{
		echo "== $q ($EVENTS events)"
		callgrind_annotate --threshold=100 "$big" 2>/dev/null |
			sed -n '/^ *Ir/,$p' | grep -E '^ *[0-9,]+ \(' | head -13 |
			sed -e 's/ \[[^]]*\]$//' -e 's|/work/main/||'
		echo
	} >>bench/results/profile.txt
done
echo "profile.sh: wrote bench/results/profile.txt" >&2
