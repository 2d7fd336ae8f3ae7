#!/bin/sh
# pgwire_psql.sh: the real psql against `eddy server` (issue 5): a script with a stream, a view,
# INSERT, COPY FROM STDIN in CSV and text, \copy, SELECT, SET/SHOW, errors with their SQLSTATE
# (VERBOSITY=verbose), invalid UTF-8, a client vanishing mid-COPY; then SIGTERM must end the
# server with status 0. Outputs are compared with tests/integration/pgwire/*.expected.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/pgwire/lib.sh
D=tests/integration/pgwire
if ! command -v psql >/dev/null; then
	echo "SKIP: psql is not installed (tools/install-deps.sh installs postgresql-client)"
	echo "0 passed, 1 failed"
	exit 1
fi
pg_start || { echo "0 passed, 1 failed"; exit 1; }

PSQL="psql -X -q -v VERBOSITY=verbose"
$PSQL -f $D/psql_basic.sql >"$TMP/basic.out" 2>&1
check_file psql_basic $D/psql_basic.expected "$TMP/basic.out"

# \copy reads a client-side file and sends it as COPY FROM STDIN.
printf 'id,sym,qty,price\n10,EAST,2,3.5\n11,EAST,4,3.75\n' >"$TMP/in.csv"
$PSQL -c "\\copy trades FROM '$TMP/in.csv' WITH (FORMAT csv, HEADER true)" \
	-c "SELECT * FROM by_sym WHERE sym = 'EAST'" >"$TMP/copy.out" 2>&1
check_file psql_backslash_copy $D/psql_copy.expected "$TMP/copy.out"

# Invalid UTF-8 in the query text: an error, and the session goes on.
printf "SELECT 'caf\351';\nSELECT 'still here' AS s;\n" >"$TMP/bad.sql"
$PSQL <"$TMP/bad.sql" >"$TMP/utf8.out" 2>&1
check_file psql_invalid_utf8 $D/psql_utf8.expected "$TMP/utf8.out"

# A client that vanishes in the middle of a COPY loses that COPY only.
{
	(
		printf 'COPY trades FROM STDIN;\n100\tGONE\t1\t1\n'
		sleep 1.5
	) | timeout -s KILL 0.7 psql -X -q >/dev/null 2>&1
} 2>/dev/null
$PSQL -At -c "SELECT count(*) FROM trades WHERE sym = 'GONE'" >"$TMP/gone.out" 2>&1
echo 0 >"$TMP/gone.expected"
check_file psql_vanish_mid_copy "$TMP/gone.expected" "$TMP/gone.out"

pg_stop
finish
