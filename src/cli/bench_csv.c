/* bench_csv.c: `eddy bench nexmark --csv DIR`: the Nexmark events read from CSV files.
 *
 * Layer: cli. The input side of the benchmark when eddy must read the same files as a peer
 * (Flink, DuckDB: bench/compare/): DIR holds person.csv, auction.csv and bid.csv as `eddy
 * nexmark export` writes them (a header line, then the events in event order). Instead of the
 * generator's sources, the benchmark creates three STREAMs of the same columns with the standard
 * watermark (bench_csv_ddl), then bench_csv_feed pushes the files through eddy's real CSV ingest
 * path, eddy_ingest, while the clock runs (bench.c owns the clock, the query and the report).
 *
 * Order: the three files are merged by date_time (ties: person, auction, bid, as the generator
 * numbers them), so the engine sees the events as the generator makes them. Ingesting one event
 * at a time would measure call overhead, so the merged sequence is cut into steps of STEP events
 * and each step is ingested table by table (person, auction, bid): events of different tables
 * within a step (under a second of event time at 10 000 events/s) reach the engine out of order
 * by less than the watermark's 4 seconds, so none is late.
 *
 * Reading: each file is read through a fixed buffer that grows only to the longest record, so
 * the files' size never shows in peak memory; reading is part of the measured work, as it is
 * for the peers that read the files. The streams keep at most 1 MB of history each (RETAIN).
 * Dates compare as text: `eddy nexmark export` writes them in one fixed format.
 *
 * Owns: the cursors and batch buffers of one call. Never: drops a rejected line silently (a line
 * eddy_ingest rejects fails the run), keeps the files in memory.
 */
#include "cli/cli.h"

#include "base/mem.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <string.h>

/* Events per step of the merge (see above). */
#define STEP 8192
#define READ_BLOCK (1 << 20)

/* The streams keep 1 MB of history each in memory (retention): the queries need none, and the
 * peers keep none, so peak memory compares the queries' state, not a copy of the input. */
#define RETAIN "WITH (retention_bytes = '1MB')"

static const char csv_ddl[] =
	"CREATE STREAM person (id bigint, name varchar, email_address varchar, "
	"credit_card varchar, city varchar, state varchar, date_time timestamp, extra varchar, "
	"WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) " RETAIN ";\n"
	"CREATE STREAM auction (id bigint, item_name varchar, description varchar, "
	"initial_bid bigint, reserve bigint, date_time timestamp, expires timestamp, "
	"seller bigint, category bigint, extra varchar, "
	"WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) " RETAIN ";\n"
	"CREATE STREAM bid (auction bigint, bidder bigint, price bigint, channel varchar, "
	"url varchar, date_time timestamp, extra varchar, "
	"WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) " RETAIN ";\n"
	"CREATE TABLE side_input (key bigint PRIMARY KEY, value varchar);\n";

const char *bench_csv_ddl(void)
{
	return csv_ddl;
}

static const char *const tables[] = {"person", "auction", "bid"};
enum { NTABLES = 3 };

/* One file: a read buffer, the current record in it, and the batch being built. */
typedef struct Cursor {
	const char *name;
	FILE *f;
	char *buf;
	size_t cap, len, pos;  /* buf[pos..len) not yet consumed */
	int eof;
	const char *rec;       /* the current record (with its newline), NULL at the end */
	size_t reclen;
	int quoted;            /* the record has a double quote */
	const char *ts;        /* its date_time field */
	size_t tslen;
	int tscol;             /* date_time's field index, from the header */
	int64_t line;          /* the current record's number, the header's 1 (its line in the
				* file unless a quoted field holds a newline) */
	int64_t batch_line;    /* the number of the batch's first record */
	StrBuf header, batch;  /* the header line; the batch (header first) */
} Cursor;

/* Where the record at p ends (after its newline), or NULL when buf[..len) holds no complete
 * record. A newline inside double quotes belongs to the field (RFC 4180). *quoted says whether
 * the record has a quote at all: most have none, and are found with memchr alone. */
static const char *record_end(const char *p, const char *end, int at_eof, int *quoted)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*quoted = memchr(p, '"', (size_t)((nl ? nl : end) - p)) != NULL;
	if (!*quoted)
		return nl ? nl + 1 : at_eof ? end : NULL;
	int in = 0;
	for (; p < end; p++) {
		if (*p == '"')
			in = !in;
		else if (*p == '\n' && !in)
			return p + 1;
	}
	return at_eof ? end : NULL;
}

/* Field k of a record (quotes kept: a date_time is never quoted); *out NULL when it has fewer
 * fields. Without quotes, commas are found with memchr. */
static void record_field(const char *rec, size_t len, int quoted, int k, const char **out,
			 size_t *outlen)
{
	const char *p = rec, *end = rec + len;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (int i = 0;; i++) {
		const char *start = p;
		if (!quoted) {
			p = memchr(p, ',', (size_t)(end - p));
			if (!p)
				p = end;
		} else {
			int in = 0;
			while (p < end && (in || *p != ',')) {
				if (*p == '"')
					in = !in;
				p++;
			}
		}
		if (i == k || p >= end) {
			*out = i == k ? start : NULL;
			*outlen = i == k ? (size_t)(p - start) : 0;
			return;
		}
		p++;
	}
}

/* Moves to the next record; sets c->rec NULL at the end of the file. */
static int cursor_next(Cursor *c, EddyError *err)
{
	for (;;) {
		const char *end = record_end(c->buf + c->pos, c->buf + c->len, c->eof, &c->quoted);
		if (end && end > c->buf + c->pos) {
			c->rec = c->buf + c->pos;
			c->reclen = (size_t)(end - c->rec);
			c->pos += c->reclen;
			c->line++;
			return 0;
		}
		if (c->eof) {
			c->rec = NULL;
			return 0;
		}
		/* Keep the partial record, make room, read on. */
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
		if (c->cap - c->len < READ_BLOCK / 2) {
			c->cap *= 2;
			c->buf = mem_realloc(c->buf, c->cap);
		}
		size_t n = fread(c->buf + c->len, 1, c->cap - c->len, c->f);
		c->len += n;
		if (n == 0) {
			if (ferror(c->f)) {
				snprintf(err->sqlstate, sizeof err->sqlstate, "58030");
				snprintf(err->message, sizeof err->message, "could not read %s.csv",
					 c->name);
				return -1;
			}
			c->eof = 1;
		}
	}
}

/* The current record's date_time; an error when it has none. */
static int cursor_stamp(Cursor *c, EddyError *err)
{
	if (!c->rec)
		return 0;
	record_field(c->rec, c->reclen, c->quoted, c->tscol, &c->ts, &c->tslen);
	if (c->ts && c->tslen > 0)
		return 0;
	snprintf(err->sqlstate, sizeof err->sqlstate, "22P04");
	snprintf(err->message, sizeof err->message, "%s.csv line %lld: no date_time field",
		 c->name, (long long)c->line);
	return -1;
}

static int cursor_open(Cursor *c, const char *dir, const char *name, EddyError *err)
{
	memset(c, 0, sizeof *c);
	c->name = name;
	sb_init(&c->header);
	sb_init(&c->batch);
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.csv", dir, name);
	c->f = fopen(path, "rb");
	if (!c->f) {
		snprintf(err->sqlstate, sizeof err->sqlstate, "58P01");
		snprintf(err->message, sizeof err->message, "could not open file \"%.400s\"",
			 path);
		return -1;
	}
	c->cap = READ_BLOCK;
	c->buf = mem_alloc(c->cap);
	if (cursor_next(c, err) < 0)
		return -1;
	/* The header names the columns: eddy_ingest maps them, we need date_time's place. */
	c->tscol = -1;
	for (int k = 0; c->rec && c->tscol < 0; k++) {
		const char *f;
		size_t n;
		record_field(c->rec, c->reclen, c->quoted, k, &f, &n);
		if (!f)
			break;
		if (n == 9 && memcmp(f, "date_time", 9) == 0)
			c->tscol = k;
	}
	if (c->tscol < 0) {
		snprintf(err->sqlstate, sizeof err->sqlstate, "22P04");
		snprintf(err->message, sizeof err->message,
			 "%.400s: the header line names no date_time column", path);
		return -1;
	}
	sb_append(&c->header, c->rec, c->reclen);
	if (c->reclen == 0 || c->rec[c->reclen - 1] != '\n')
		sb_putc(&c->header, '\n');
	sb_append(&c->batch, c->header.data, c->header.len);
	if (cursor_next(c, err) < 0)
		return -1;
	c->batch_line = c->line;
	return cursor_stamp(c, err);
}

static void cursor_close(Cursor *c)
{
	if (c->f)
		fclose(c->f);
	mem_free(c->buf);
	sb_deinit(&c->header);
	sb_deinit(&c->batch);
}

/* Ingests the cursor's batch (if it has records) and starts the next one. */
static int cursor_flush(Eddy *db, Cursor *c, EddyError *err)
{
	if (c->batch.len > c->header.len) {
		EddyIngestOptions opts = {.csv_header = 1, .csv_delimiter = ','};
		EddyIngestResult res;
		EddyLineError le;
		if (eddy_ingest(db, c->name, EDDY_FORMAT_CSV, c->batch.data, c->batch.len, &opts,
				&res, &le, 1, err) < 0)
			return -1;
		if (res.rejected > 0) {
			/* Line 1 of the batch is the header; its line 2 is the file's batch_line. */
			snprintf(err->sqlstate, sizeof err->sqlstate, "%s", le.sqlstate);
			snprintf(err->message, sizeof err->message, "%s.csv line %lld: %s", c->name,
				 (long long)(c->batch_line + le.line - 2), le.message);
			return -1;
		}
	}
	sb_reset(&c->batch);
	sb_append(&c->batch, c->header.data, c->header.len);
	c->batch_line = c->line;
	return 0;
}

/* The cursor whose record comes first in event order, or NULL when all are at their end. */
static Cursor *first(Cursor *cs)
{
	Cursor *best = NULL;
	for (int t = 0; t < NTABLES; t++) {
		Cursor *c = &cs[t];
		if (!c->rec)
			continue;
		if (!best) {
			best = c;
			continue;
		}
		size_t n = c->tslen < best->tslen ? c->tslen : best->tslen;
		int cmp = memcmp(c->ts, best->ts, n);
		if (cmp < 0 || (cmp == 0 && c->tslen < best->tslen))
			best = c;
	}
	return best;
}

int bench_csv_feed(Eddy *db, const char *dir, int64_t events, EddyError *err)
{
	Cursor cs[NTABLES];
	memset(cs, 0, sizeof cs);
	int rc = 0;
	for (int t = 0; t < NTABLES && rc == 0; t++)
		rc = cursor_open(&cs[t], dir, tables[t], err);
	int64_t fed = 0;
	while (rc == 0 && fed < events) {
		Cursor *c = first(cs);
		if (!c) {
			snprintf(err->sqlstate, sizeof err->sqlstate, "22023");
			snprintf(err->message, sizeof err->message,
				 "%.400s holds %lld events, fewer than the %lld asked for", dir,
				 (long long)fed, (long long)events);
			rc = -1;
			break;
		}
		sb_append(&c->batch, c->rec, c->reclen);
		if (c->rec[c->reclen - 1] != '\n')
			sb_putc(&c->batch, '\n');
		fed++;
		rc = cursor_next(c, err);
		if (rc == 0)
			rc = cursor_stamp(c, err);
		if (rc == 0 && (fed % STEP == 0 || fed == events))
			for (int t = 0; t < NTABLES && rc == 0; t++)
				rc = cursor_flush(db, &cs[t], err);
	}
	for (int t = 0; t < NTABLES; t++)
		cursor_close(&cs[t]);
	return rc;
}
