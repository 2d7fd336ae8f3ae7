#!/usr/bin/env python3
"""peers.py: the Nexmark questions answered by other systems, measured, one JSON line each.

Part of bench/compare/ (issue 6), run by bench/compare/run.sh; never by `make test`.

  peers.py duckdb   DATA_DIR EVENTS [qN ...]   DuckDB in batch over the CSV files of
                                               `eddy nexmark export` (bench/nexmark/qN.sql, or
                                               bench/compare/duckdb/qN.sql where rewritten)
  peers.py sqlite   DATA_DIR EVENTS [qN ...]   SQLite (the oracle's tests/nexmark/qN.sqlite.sql)
  peers.py postgres DATA_DIR EVENTS [K]        PostgreSQL, the "traditional approach" to q7: insert
                                               each bid as it comes, re-query the current window's
                                               highest bid every K bids, as an application would

Each query runs in a fresh child process, so that its peak resident memory is its own. Throughput
per core is events / CPU seconds (user + system) of the process doing the work. For the batch
peers two figures are given: `query_*` (the question alone, once the data is loaded: the peer's
best case) and `total_*` (loading the CSV files too). PostgreSQL's CPU is its backend's (read
from /proc) plus the client's.
"""
import json
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def vm_hwm(pid="self"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def vm_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


def tables_of(sql):
    return [t for t in ("person", "auction", "bid") if re.search(r"\b%s\b" % t, sql)]


# The queries DuckDB answers. Those with a file in duckdb/ are rewritten there (HOP, TUMBLE,
# regexp_match); the others are eddy's own text (bench/nexmark/qN.sql), translated by duckdb_sql.
DUCKDB_QUERIES = ["q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q14", "q15",
                  "q16", "q17", "q18", "q19", "q20", "q21", "q22"]


def duckdb_sql(q):
    own = os.path.join(HERE, "duckdb", q + ".sql")
    if os.path.exists(own):
        text = open(own).read()
    else:
        text = open(os.path.join(ROOT, "bench", "nexmark", q + ".sql")).read()
        text = re.sub(r"CREATE MATERIALIZED VIEW \w+ AS", "", text)
        # PostgreSQL's to_char patterns as DuckDB's strftime ('mm' is read as minutes, as
        # RisingWave's q16 means it).
        text = text.replace("to_char(date_time, 'YYYY-MM-DD')", "strftime(date_time, '%Y-%m-%d')")
        text = text.replace("to_char(date_time, 'HH:mm')", "strftime(date_time, '%H:%M')")
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--"))
    return text.strip().rstrip(";")


def one_duckdb(data, events, q):
    import duckdb
    sql = duckdb_sql(q)
    con = duckdb.connect()
    con.execute("SET threads = 1")  # per core: one thread, as eddy's engine

    def load():
        for t in tables_of(sql):
            con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_csv('{data}/{t}.csv', "
                        "header = true)")
    return timed_batch("duckdb", duckdb.__version__, con, load, sql)


def timed_batch(peer, version, con, load, sql):
    """Loads the tables (load()), then answers sql into a temporary table, timing both."""
    base_rss = vm_rss()
    c0, t0 = cpu(), time.monotonic()
    load()
    c1, t1 = cpu(), time.monotonic()
    con.execute(f"CREATE TEMP TABLE out AS {sql}")
    rows = con.execute("SELECT count(*) FROM out").fetchone()[0]
    c2, t2 = cpu(), time.monotonic()
    return {"peer": peer, "version": version, "threads": 1,
            "load_cpu_s": c1 - c0, "query_cpu_s": c2 - c1, "query_wall_s": t2 - t1,
            "total_cpu_s": c2 - c0, "total_wall_s": t2 - t0, "rows": rows,
            "peak_rss_bytes": vm_hwm(), "base_rss_bytes": base_rss}


def us_of(ts):
    # 'YYYY-MM-DD HH:MM:SS.ffffff' -> microseconds since 1970 (as the oracle stores them)
    import calendar
    d, t = ts.split(" ")
    y, mo, da = d.split("-")
    hms, _, frac = t.partition(".")
    h, mi, s = hms.split(":")
    secs = calendar.timegm((int(y), int(mo), int(da), int(h), int(mi), int(s)))
    return secs * 1000000 + int((frac + "000000")[:6])


def pg_ts(us):
    # the oracle's pg_ts: microseconds -> PostgreSQL's timestamp text
    import datetime
    if us is None:
        return None
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    s = t.strftime("%Y-%m-%d %H:%M:%S")
    return s + (".%06d" % t.microsecond).rstrip("0") if t.microsecond else s


def dec(v, scale):
    # the oracle's dec: an integer scaled by 10^scale as decimal text
    if v is None:
        return None
    if scale <= 0:
        return str(v)
    a = abs(v)
    return "%s%d.%0*d" % ("-" if v < 0 else "", a // 10 ** scale, scale, a % 10 ** scale)


def split_part(s, d, n):
    if s is None or d is None or n is None:
        return None
    if d == "":
        return s if n == 1 else ""
    parts = s.split(d)
    return parts[n - 1] if 1 <= n <= len(parts) else ""


def one_sqlite(data, events, q):
    import csv
    import sqlite3
    text = open(os.path.join(ROOT, "tests", "nexmark", q + ".sqlite.sql")).read()
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("--"))
    sql = text.split(";")[0]
    con = sqlite3.connect(":memory:")
    # The oracle's helper functions (C there; Python here, which is slower: see RESULTS.md).
    con.create_function("pg_ts", 1, pg_ts, deterministic=True)
    con.create_function("dec", 2, dec, deterministic=True)
    con.create_function("split_part", 3, split_part, deterministic=True)

    def load():
        for t in tables_of(sql):
            with open(f"{data}/{t}.csv", newline="") as f:
                rd = csv.reader(f)
                hdr = next(rd)
                ints = {"id", "initial_bid", "reserve", "seller", "category", "auction",
                        "bidder", "price"}
                tss = {"date_time", "expires"}
                cols = ", ".join(f"{c} INTEGER" if c in ints or c in tss else f"{c} TEXT"
                                 for c in hdr)
                con.execute(f"CREATE TABLE {t} ({cols})")
                conv = [int if c in ints else us_of if c in tss else str for c in hdr]
                ins = f"INSERT INTO {t} VALUES ({', '.join('?' * len(hdr))})"
                con.executemany(ins, ([fn(v) for fn, v in zip(conv, r)] for r in rd))
        con.commit()
    return timed_batch("sqlite", sqlite3.sqlite_version, con, load, sql)


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


def postgres(data, events, k):
    """q7's question the traditional way: every bid an INSERT (autocommit), and every k bids the
    application asks PostgreSQL for the highest bid of the current 10-second window."""
    import csv
    import datetime
    import psycopg
    con = psycopg.connect(os.environ.get("PG_DSN", "dbname=postgres"), autocommit=True)
    cur = con.cursor()
    cur.execute("DROP TABLE IF EXISTS nexmark_bid")
    cur.execute("CREATE TABLE nexmark_bid (auction bigint, bidder bigint, price bigint, "
                "channel varchar, url varchar, date_time timestamp, extra varchar)")
    cur.execute("CREATE INDEX ON nexmark_bid (date_time)")
    cur.execute("SELECT pg_backend_pid(), version()")
    pid, version = cur.fetchone()
    q = ("SELECT auction, price, bidder, date_time FROM nexmark_bid "
         "WHERE date_time >= %s AND date_time < %s AND price = "
         "(SELECT max(price) FROM nexmark_bid WHERE date_time >= %s AND date_time < %s)")
    ins = "INSERT INTO nexmark_bid VALUES (%s, %s, %s, %s, %s, %s, %s)"
    s0, c0, t0 = proc_cpu(pid), cpu(), time.monotonic()
    n = 0
    answers = 0
    with open(f"{data}/bid.csv", newline="") as f:
        rd = csv.reader(f)
        next(rd)
        for r in rd:
            cur.execute(ins, r)
            n += 1
            if n % k == 0:
                ts = datetime.datetime.fromisoformat(r[5])
                ws = ts.replace(second=ts.second // 10 * 10, microsecond=0)
                we = ws + datetime.timedelta(seconds=10)
                cur.execute(q, (ws, we, ws, we))
                answers += len(cur.fetchall())
    s1, c1, t1 = proc_cpu(pid), cpu(), time.monotonic()
    rss = vm_hwm(pid)
    cur.execute("DROP TABLE nexmark_bid")
    con.close()
    return {"peer": "postgres", "version": version.split(",")[0], "threads": 1,
            "query": "q7", "bids": n, "requery_every": k, "answers": answers,
            "server_cpu_s": s1 - s0, "client_cpu_s": c1 - c0,
            "total_cpu_s": (s1 - s0) + (c1 - c0), "total_wall_s": t1 - t0,
            "peak_rss_bytes": rss, "events": events}


def main():
    if sys.argv[1:] == ["list"]:
        print(",".join(DUCKDB_QUERIES))
        return
    if len(sys.argv) >= 5 and sys.argv[1] == "--one":
        peer, data, events, q = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        try:
            r = (one_duckdb if peer == "duckdb" else one_sqlite)(data, events, q)
        except Exception as e:  # a query the peer cannot run is reported, not fatal
            r = {"peer": peer, "error": str(e).splitlines()[0][:300]}
        r.update({"query": q, "events": events})
        print(json.dumps(r))
        return
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    peer, data, events = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if peer == "postgres":
        k = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
        print(json.dumps(postgres(data, events, k)), flush=True)
        return
    qs = sys.argv[4:] or DUCKDB_QUERIES
    for q in qs:
        out = subprocess.run([sys.executable, __file__, "--one", peer, data, str(events), q],
                             capture_output=True, text=True)
        line = out.stdout.strip().splitlines()[-1:] or [json.dumps(
            {"peer": peer, "query": q, "events": events, "error": out.stderr.strip()[-300:]})]
        print(line[0], flush=True)


if __name__ == "__main__":
    main()
