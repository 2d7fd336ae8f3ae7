#!/bin/sh
# pgwire_psycopg.sh: psycopg 3 (Python) against `eddy server`, the same scenario as the libpq
# test (tests/integration/pgwire/psycopg_scenario.py). psycopg lives in build/pyvenv, made by
# tools/install-deps.sh; when the package registry was unreachable it is missing and the test
# prints SKIP (and counts nothing).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/pgwire/lib.sh
PY=build/pyvenv/bin/python
if ! [ -x "$PY" ] || ! "$PY" -c "import psycopg" 2>/dev/null; then
	echo "SKIP: psycopg is not installed in build/pyvenv (tools/install-deps.sh; offline?)"
	finish
	exit 0
fi
pg_start || { finish; exit 1; }
timeout 60 "$PY" tests/integration/pgwire/psycopg_scenario.py $PGPORT >"$TMP/py.out" 2>&1
add_counts "$TMP/py.out" $?
pg_stop
finish
