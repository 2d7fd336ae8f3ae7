#!/bin/sh
# bench/run.sh [EVENTS]: the Nexmark benchmark of issue 6, then bench/RESULTS.md.
#
# Builds the release eddy (make all, into build/ or $REL), runs `eddy bench nexmark --query all
# --json` on EVENTS events (default 1 000 000) into bench/results/nexmark.json, then on every
# core into bench/results/scaling.json, saves the machine's description, and runs
# bench/report.py. Add the peers with bench/compare/run.sh and
# the profile with bench/profile.sh first, or after (then rerun bench/report.py).
# Never part of `make test`: its numbers belong to the machine it ran on.
set -e
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
REL=${REL:-build}
if ! make -j2 REL="$REL" all >/dev/null; then
	[ -x "$REL/eddy" ] || exit 1
	echo "$0: the build failed; measuring the existing $REL/eddy" >&2
fi
mkdir -p bench/results
python3 bench/report.py --machine "$REL/eddy" >bench/results/machine.json
"$REL/eddy" bench nexmark --query all --events "$EVENTS" --threads 1 --json \
	>bench/results/nexmark.json ||
	true # queries the engine cannot run yet are reported in the JSON, not fatal
# The same on every core, for the scaling table.
T=$(nproc)
if [ "$T" -gt 1 ]; then
	"$REL/eddy" bench nexmark --query all --events "$EVENTS" --threads "$T" --json \
		>bench/results/scaling.json || true
fi
python3 bench/report.py
