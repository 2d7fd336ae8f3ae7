"""psycopg_scenario.py: psycopg 3 (another ecosystem's driver) against `eddy server`.

Usage: python psycopg_scenario.py PORT
The scenario of issue 5: create a stream and a view, ingest by COPY, read the view with server-side
parameters (text and binary), subscribe and receive the changes a second connection makes, provoke
each error class. Prints one line per failed check and "N passed, N failed".
"""
import sys
import threading
import time

import psycopg
from psycopg import errors

port = sys.argv[1]
dsn = f"host=127.0.0.1 port={port} user=eddy dbname=eddy connect_timeout=10"
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


with psycopg.connect(dsn, autocommit=True) as c:
    c.execute("CREATE STREAM pay (id int, card varchar, amount numeric, at timestamptz)")
    c.execute("CREATE MATERIALIZED VIEW per_card AS "
              "SELECT card, count(*) AS n, sum(amount) AS total FROM pay GROUP BY card")
    with c.cursor() as cur:
        with cur.copy("COPY pay (id, card, amount, at) FROM STDIN") as cp:
            for i in range(100):
                cp.write_row((i, f"card{i % 4}", f"{i}.50", "2024-01-01 00:00:00+00"))
    row = c.execute("SELECT count(*) FROM pay").fetchone()
    check(row == (100,), f"COPY rows: {row}")
    # Server-side parameters, text then binary.
    row = c.execute("SELECT n, total FROM per_card WHERE card = %s", ("card1",)).fetchone()
    check(row is not None and row[0] == 25, f"view by text parameter: {row}")
    with c.cursor(binary=True) as cur:
        row = cur.execute("SELECT id, card, at FROM pay WHERE id = %s", (7,)).fetchone()
        check(row is not None and row[0] == 7 and row[1] == "card3" and row[2].year == 2024,
              f"binary results: {row}")
    c.execute("INSERT INTO pay (id, card, amount) VALUES (%s, %s, %s)", (1000, "o'hara", 1))
    row = c.execute("SELECT card FROM pay WHERE id = 1000").fetchone()
    check(row == ("o'hara",), f"quoted parameter: {row}")
    # Prepared statements (psycopg prepares a query after it runs a few times).
    for i in range(6):
        row = c.execute("SELECT id FROM pay WHERE id = %s", (i,), prepare=True).fetchone()
        check(row == (i,), f"prepared {i}: {row}")

    # Errors with their classes.
    for sql, exc in [("SELEC 1", errors.SyntaxError),
                     ("SELECT * FROM nowhere", errors.UndefinedTable),
                     ("SELECT 1/0", errors.DivisionByZero),
                     ("SELECT nope FROM pay", errors.UndefinedColumn)]:
        try:
            c.execute(sql)
            check(False, f"{sql} should fail")
        except exc:
            check(True, sql)
        except Exception as e:  # noqa: BLE001
            check(False, f"{sql}: {type(e).__name__} {e}")

    # SUBSCRIBE: a second connection inserts while this one reads the changes.
    def writer():
        time.sleep(0.3)
        with psycopg.connect(dsn, autocommit=True) as w:
            w.execute("INSERT INTO pay (id, card, amount) VALUES (2000, 'new', 5)")

    t = threading.Thread(target=writer)
    t.start()
    got = []
    with c.cursor() as cur:
        try:
            for row in cur.stream("SUBSCRIBE per_card"):
                got.append(row)
                if row[0] == "insert" and row[1] == "new":
                    c.cancel()
        except errors.QueryCanceled:
            pass
    t.join()
    check(any(r[0] == "insert" and r[1] == "new" and r[2] == 1 for r in got),
          f"subscribe received the change: {got}")
    row = c.execute("SELECT 1").fetchone()
    check(row == (1,), "session usable after cancelling SUBSCRIBE")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
