#!/bin/sh
# pgwire_tls.sh: TLS on the PostgreSQL protocol, with real clients.
#
# Makes a self-signed certificate for "localhost" with `openssl req`, starts `eddy server
# --tls-cert --tls-key`, and checks: psql with sslmode=require reports an SSL connection and
# runs queries; sslmode=verify-full against the certificate works (and fails against another
# CA); libpq's whole scenario (tests/tools/pg_client.c: extended query, COPY, SUBSCRIBE and its
# cancel, 200 sessions, SCRAM on a second TLS server) runs with PGSSLMODE=require; plain
# connections (sslmode=disable) still work; bytes sent after an SSLRequest before its answer
# end the connection; a server without a certificate refuses sslmode=require; a server given a
# missing certificate or a key that does not match does not start.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/pgwire/lib.sh

if ! command -v openssl >/dev/null; then
	echo "pgwire_tls: openssl is missing"
	echo "0 passed, 1 failed"
	exit 1
fi
cert() { # name: a self-signed P-256 certificate for localhost in $TMP/name.{crt,key}
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		-keyout "$TMP/$1.key" -out "$TMP/$1.crt" 2>/dev/null
}
cert server
cert other

# A server without a certificate: sslmode=require fails, prefer falls back to plain text.
pg_start || { finish; exit 1; }
out=$(psql -X -At "sslmode=require" -c 'SELECT 1' 2>&1)
check_has "require without a certificate" "server does not support SSL, but SSL was required" "$out"
out=$(psql -X -At "sslmode=prefer" -c 'SELECT 1' 2>&1)
check_has "prefer without a certificate" "1" "$out"
pg_stop

# Settings that cannot work stop the server at start, with a reason.
"$EDDY_BIN" server --pg-listen 127.0.0.1:1 --http-listen 127.0.0.1:1 --tls-cert "$TMP/nope.crt" \
	--tls-key "$TMP/server.key" >"$TMP/bad1.log" 2>&1
rc=$?
[ $rc -ne 0 ] && ok || bad "server started with a missing certificate"
check_has "missing certificate" "cannot load tls_cert" "$(cat "$TMP/bad1.log")"
"$EDDY_BIN" server --pg-listen 127.0.0.1:1 --http-listen 127.0.0.1:1 --tls-cert "$TMP/server.crt" \
	--tls-key "$TMP/other.key" >"$TMP/bad2.log" 2>&1
check_has "key of another certificate" "key values mismatch" "$(cat "$TMP/bad2.log")"
EDDY_TLS_CERT=$TMP/server.crt "$EDDY_BIN" server --pg-listen 127.0.0.1:1 \
	--http-listen 127.0.0.1:1 >"$TMP/bad3.log" 2>&1
check_has "certificate without key" "tls_cert and tls_key must be set together" "$(cat "$TMP/bad3.log")"

# A server with a certificate (the SCRAM one first, for pg_client's second half).
EDDY_PASSWORD=s3cret pg_start --auth scram-sha-256 --tls-cert "$TMP/server.crt" \
	--tls-key "$TMP/server.key" || { finish; exit 1; }
SCRAM_PORT=$PGPORT SCRAM_PID=$SRV_PID SCRAM_LOG=$SRV_LOG
EDDY_TLS_CERT=$TMP/server.crt EDDY_TLS_KEY=$TMP/server.key pg_start ||
	{ kill -TERM $SCRAM_PID; finish; exit 1; }

out=$(psql -X "sslmode=require" -c '\conninfo' 2>&1)
check_has "psql sslmode=require" "SSL connection (protocol: TLSv1.3" "$out"
out=$(psql -X -At "sslmode=require" -c "CREATE STREAM pay (card varchar, amount numeric)" \
	-c "CREATE MATERIALIZED VIEW per_card AS SELECT card, sum(amount) AS total FROM pay GROUP BY card" \
	-c "INSERT INTO pay VALUES ('a', 1.5), ('a', 2), ('b', 7)" \
	-c "SELECT card, total FROM per_card ORDER BY card" 2>&1)
check_has "queries over TLS" "a|3.5
b|7" "$out"
printf 'c\t4\nc\t5\n' >"$TMP/pay.tsv"
out=$(psql -X -At "sslmode=require" -c "\\copy pay FROM '$TMP/pay.tsv'" \
	-c "SELECT total FROM per_card WHERE card = 'c'" 2>&1)
check_has "COPY over TLS" "COPY 2
9" "$out"
out=$(psql -X -At "sslmode=verify-full host=localhost sslrootcert=$TMP/server.crt" \
	-c 'SELECT 42' 2>&1)
check_has "verify-full with the server's certificate" "42" "$out"
out=$(psql -X -At "sslmode=verify-full host=localhost sslrootcert=$TMP/other.crt" \
	-c 'SELECT 42' 2>&1)
check_has "verify-full with another CA" "certificate verify failed" "$out"
out=$(psql -X -At "sslmode=disable" -c 'SELECT 43' 2>&1)
check_has "plain connection to a TLS server" "43" "$out"
out=$(EDDY_PASSWORD= PGPASSWORD=wrong psql -X -At "sslmode=require port=$SCRAM_PORT" \
	-c 'SELECT 1' 2>&1)
check_has "SCRAM over TLS, wrong password" "password authentication failed" "$out"

# Plain bytes after SSLRequest, before the server's answer: FATAL 08P01, in plain text.
out=$(python3 - "$PGPORT" <<'EOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack("!ii", 8, 80877103) + b"Q\0\0\0\x0dSELECT 1\0")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data[:1], b"received unencrypted data after SSL request" in data)
EOF
)
check_has "data after SSLRequest" "b'E' True" "$out"
check_has "log shows TLS sessions" "tls=TLSv1.3" "$(cat "$SRV_LOG")"

# libpq's full scenario over TLS.
bin="$B/tools/pg_client"
if [ -x "$bin" ]; then
	PGSSLMODE=require "$bin" $PGPORT $SCRAM_PORT eddy s3cret >"$TMP/client.out" 2>&1
	add_counts "$TMP/client.out" $?
else
	bad "$bin is missing (build it with make test)"
fi
pg_stop
SRV_PID=$SCRAM_PID SRV_LOG=$SCRAM_LOG
pg_stop
finish
