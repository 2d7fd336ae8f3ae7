# lib.sh: starts and stops an `eddy server` for the pgwire integration tests (sourced).
#
# pg_start [extra server flags...]: starts $EDDY_BIN server on a fresh data directory with free
# ports on 127.0.0.1 (tries a few random ports), waits until it accepts connections and sets
# PGPORT, HTTPPORT, SRV_PID, SRV_LOG. pg_stop: SIGTERM, then checks the exit status is 0.
# check_file NAME EXPECTED-FILE ACTUAL-FILE: a pass, or a diff. add_counts: a client's counts.
# The rest (check_eq, check_has, ok, bad, finish) comes from ../lib/checks.sh.
B=${EDDY_BUILD:-build/asan}
EDDY_BIN=${EDDY_BIN:-$B/eddy}
TMP=$(mktemp -d /tmp/eddy_pgwire.XXXXXX)
. "$(dirname "$0")/lib/checks.sh"
export PGHOST=127.0.0.1 PGUSER=eddy PGDATABASE=eddy PGCONNECT_TIMEOUT=5 PGAPPNAME=eddy_test

pg_start() {
	for attempt in 1 2 3 4 5 6 7 8; do
		PGPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d " ") % 30000))
		HTTPPORT=$((PGPORT + 1))
		SRV_LOG=$TMP/server.$attempt.log
		rm -rf "$TMP/data"
		"$EDDY_BIN" server --data "$TMP/data" --pg-listen 127.0.0.1:$PGPORT \
			--http-listen 127.0.0.1:$HTTPPORT "$@" >"$SRV_LOG" 2>&1 &
		SRV_PID=$!
		i=0
		while [ $i -lt 100 ]; do
			if ! kill -0 $SRV_PID 2>/dev/null; then
				break
			fi
			if pg_isready -q -h 127.0.0.1 -p $PGPORT -t 1 2>/dev/null; then
				export PGPORT
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill -TERM $SRV_PID 2>/dev/null
		wait $SRV_PID 2>/dev/null
	done
	bad "could not start eddy server"
	cat "$SRV_LOG"
	return 1
}

pg_stop() {
	kill -TERM $SRV_PID 2>/dev/null
	wait $SRV_PID
	rc=$?
	if [ $rc -eq 0 ]; then
		ok
	else
		bad "server exit status $rc after SIGTERM"
		tail -20 "$SRV_LOG"
	fi
}

check_file() { # name expected-file actual-file
	if diff -u "$2" "$3" >"$TMP/diff" 2>&1; then
		ok
	else
		bad "$1"
		cat "$TMP/diff"
	fi
}

add_counts() { # output-file exit-status: adds a client's "N passed, N failed" line to ours
	grep -v "passed, .* failed$" "$1"
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$1")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$1")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-1}))
	[ "$2" -ne 0 ] && [ "${f:-1}" -eq 0 ] && fail=$((fail + 1))
}

trap 'rm -rf "$TMP"' EXIT
