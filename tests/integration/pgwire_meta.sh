#!/bin/sh
# pgwire_meta.sh: psql's meta-commands against `eddy server` (issue 5): \d, \dt, \dv, \dm, \l,
# \dn read pg_catalog relations generated from eddy's catalog (src/plan/syscat.c) and must print
# what PostgreSQL prints; outputs are compared with tests/integration/expected/meta_*.out. Then
# users: CREATE USER ... PASSWORD, \du, a SCRAM login with the right password, one with a wrong
# password (28P01), ALTER USER, DROP USER, and the users surviving a restart (the journal keeps
# their verifiers, never the passwords).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/pgwire/lib.sh
E=tests/integration/expected
if ! command -v psql >/dev/null; then
	echo "SKIP: psql is not installed (tools/install-deps.sh installs postgresql-client)"
	echo "0 passed, 1 failed"
	exit 1
fi
export EDDY_PASSWORD=boss PGPASSWORD=boss
pg_start --auth scram-sha-256 || { echo "0 passed, 1 failed"; exit 1; }

PSQL="psql -X -q -v VERBOSITY=verbose"
$PSQL >/dev/null 2>&1 <<'SQL'
CREATE STREAM pay (card varchar(16), amount numeric(10,2), ts timestamp);
CREATE TABLE cards (id integer PRIMARY KEY, owner text NOT NULL);
CREATE MATERIALIZED VIEW per_card AS SELECT card, sum(amount) AS total FROM pay GROUP BY card;
SQL
for cmd in d dt dv dm l dn; do
	$PSQL -c "\\$cmd" >"$TMP/$cmd.out" 2>&1
	check_file "psql \\$cmd" $E/meta_$cmd.out "$TMP/$cmd.out"
done
# \d name: psql 15's column, footer and publications queries (typed arrays, string_agg,
# unnest, ARRAY(SELECT ...)) for a stream, a table and a view; \d+ adds storage and the view's
# definition.
for obj in pay cards per_card; do
	$PSQL -c "\\d $obj" >"$TMP/d_$obj.out" 2>&1
	check_file "psql \\d $obj" $E/meta_d_$obj.out "$TMP/d_$obj.out"
done
$PSQL -c "\\d+ per_card" >"$TMP/dplus.out" 2>&1
check_file "psql \\d+ per_card" $E/meta_dplus_per_card.out "$TMP/dplus.out"
# A source is a foreign table: its connector is the server, its other options the FDW options.
$PSQL -c "CREATE SOURCE gen (n integer) WITH (connector = 'datagen', datagen.rows = '1')" \
	-c "\\d gen" >"$TMP/d_gen.out" 2>&1
check_file "psql \\d gen" $E/meta_d_gen.out "$TMP/d_gen.out"

# Users: the verifier is stored, SCRAM checks a login against it.
$PSQL -c "CREATE USER alice WITH PASSWORD 'wonder'" -c "CREATE USER alice" \
	-c "DROP USER nobody" >"$TMP/users.out" 2>&1
PGPASSWORD=wonder $PSQL -U alice -At -c "SELECT 'alice logged in'" >>"$TMP/users.out" 2>&1
PGPASSWORD=wrong $PSQL -U alice -At -c "SELECT 1" 2>&1 | sed 's/.*FATAL:/FATAL:/' \
	>>"$TMP/users.out"
$PSQL -c "ALTER USER alice PASSWORD 'land'" >>"$TMP/users.out" 2>&1
PGPASSWORD=wonder $PSQL -U alice -At -c "SELECT 1" 2>&1 | sed 's/.*FATAL:/FATAL:/' \
	>>"$TMP/users.out"
check_file users $E/meta_users.out "$TMP/users.out"
# \du: its query reads pg_roles with ARRAY(SELECT ...) correlated to each role.
$PSQL -c '\du' >"$TMP/du.out" 2>&1
check_file "psql \du" $E/meta_du.out "$TMP/du.out"
if grep -aq "land\|wonder" "$TMP/data/journal"; then
	bad "a password was written to the journal"
else
	ok
fi

# After a restart the user is still there (replayed from the journal's verifier).
pg_stop
"$EDDY_BIN" server --data "$TMP/data" --pg-listen 127.0.0.1:$PGPORT \
	--http-listen 127.0.0.1:$HTTPPORT --auth scram-sha-256 >"$SRV_LOG" 2>&1 &
SRV_PID=$!
i=0
while [ $i -lt 100 ] && ! pg_isready -q -h 127.0.0.1 -p $PGPORT -t 1 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
PGPASSWORD=land $PSQL -U alice -At -c "SELECT 'alice after restart'" >"$TMP/restart.out" 2>&1
$PSQL -c "DROP USER alice" >>"$TMP/restart.out" 2>&1
PGPASSWORD=land $PSQL -U alice -At -c "SELECT 1" 2>&1 | sed 's/.*FATAL:/FATAL:/' \
	>>"$TMP/restart.out"
check_file users_restart $E/meta_users_restart.out "$TMP/restart.out"
pg_stop
finish
