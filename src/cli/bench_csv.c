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
 * Reading: each file is read through a buffer that grows only to a few times the longest run of
 * its records in one step (a few MB), so the files' size never shows in peak memory. (Mapping
 * the files saved no measurable CPU and made peak RSS depend on the page cache: file pages the
 * kernel maps around a fault count as resident until given back.) Reading is part of the
 * measured work, as it is for the peers that read the files. The records of one table within a
 * step are consecutive in its file, so a step's batch is a slice of the buffer, not a copy: the header line is written over the
 * consumed bytes just before the slice (there is always room for it) and eddy_ingest gets header
 * and records as one input. The merge finds each record's end and its date_time in one pass of
 * 32-byte blocks (record_scan; records with quotes take the general functions), and compares
 * the record first in event order only with the one that would come next (the table that won
 * keeps winning for runs of records). The streams keep at most 1 MB of history each (RETAIN).
 * Dates compare as text: `eddy nexmark export` writes them in one fixed format.
 *
 * Only the tables the query reads are opened (bench_csv_tables: the scans in the query's
 * EXPLAIN; q3 and q8 read no bids, most queries no persons), as a peer reading the files reads
 * only the tables its query names. How many rows of each table the first N events hold follows
 * from the generator's numbering (table_rows: every block of 50 events holds 1 person, 3
 * auctions and 46 bids), so the merge runs over the tables read, each up to its share.
 *
 * Owns: the cursors and read buffers of one call. Never: drops a rejected line silently (a line
 * eddy_ingest rejects fails the run), keeps the files in memory.
 */
#include "cli/cli.h"

#include "base/mem.h"
#include "base/strbuf.h"
#include "connect/nexmark.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCAN_AVX2 1 /* an AVX2 record_scan, used where the processor has AVX2 */
#endif

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

/* Rows of table t (person, auction, bid) among the first n events of the generator's sequence,
 * which `eddy nexmark export` writes: every block of NEXMARK_TOTAL_PROPORTION events holds each
 * table's share, in table order. */
static int64_t table_rows(int t, int64_t n)
{
	static const int share[NTABLES] = {
#define TABLE_SHARE(id, name, sh) sh,
		NEXMARK_TABLE_LIST(TABLE_SHARE)
#undef TABLE_SHARE
	};
	int64_t first = 0;
	for (int i = 0; i < t; i++)
		first += share[i];
	int64_t r = n % NEXMARK_TOTAL_PROPORTION - first;
	return n / NEXMARK_TOTAL_PROPORTION * share[t] + (r < 0 ? 0 : r < share[t] ? r : share[t]);
}

/* One file: a read buffer, the current record in it, and the batch: the records fed since the
 * last flush, buf[batch..) up to the current record. */
typedef struct Cursor {
	const char *name;
	FILE *f;
	char *buf;
	size_t cap, len, pos;  /* buf[pos..len) not yet consumed */
	size_t batch;          /* where the batch starts; never below header.len, the room the
				* header is written into */
	int eof;
	const char *rec;       /* the current record (with its newline), NULL at the end */
	size_t reclen;
	int quoted;            /* the record has a double quote */
	int stamped;           /* ts was found with the record */
	const char *ts;        /* its date_time field */
	size_t tslen;
	int tscol;             /* date_time's field index, from the header (-1 before) */
	int64_t line;          /* the current record's number, the header's 1 (its line in the
				* file unless a quoted field holds a newline) */
	int64_t batch_line;    /* the number of the batch's first record */
	StrBuf header;         /* the header line, with its newline */
	int unread;            /* the query reads no column of this table: never opened */
	int64_t left;          /* rows of the table still to feed */
	int done;              /* no more rows to feed (unread, or left reached 0) */
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

/* The record at p, in one pass: its end (after the newline) into *rend and field k (as
 * record_field gives it: NULL when the record has fewer fields) into *f, *flen. 32 bytes at a
 * time, commas counted until field k has ended. False, with nothing set, when the record has a
 * quote or its newline is not found 32 bytes or more before end: record_end and record_field
 * then do the work. */
#ifdef __SSE2__
/* Bits of the 32 bytes at s: the commas into *commas; returned, line feeds and quotes. With
 * SSE2 in two halves, with AVX2 (where the processor has it) in one. */
static inline uint32_t scan32_sse2(const char *s, uint32_t *commas)
{
	const __m128i vc = _mm_set1_epi8(','), vl = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"');
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
	*commas = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vc)) |
		  (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vc)) << 16;
	return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, vl), _mm_cmpeq_epi8(a, vq))) |
	       (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, vl), _mm_cmpeq_epi8(b, vq)))
		       << 16;
}

#ifdef SCAN_AVX2
__attribute__((target("avx2"))) static inline uint32_t scan32_avx2(const char *s, uint32_t *commas)
{
	__m256i w = _mm256_loadu_si256((const __m256i *)(const void *)s);
	*commas = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(w, _mm256_set1_epi8(',')));
	return (uint32_t)_mm256_movemask_epi8(
		_mm256_or_si256(_mm256_cmpeq_epi8(w, _mm256_set1_epi8('\n')),
				_mm256_cmpeq_epi8(w, _mm256_set1_epi8('"'))));
}
#endif

__attribute__((always_inline)) static inline int record_scan_body(const char *p, const char *end,
								  int k, const char **rend,
								  const char **f, size_t *flen,
								  int wide)
{
	const char *fs = k == 0 ? p : NULL, *fe = NULL;
	int commas = 0;
	for (const char *s = p; s + 32 <= end; s += 32) {
		uint32_t cm, stop;
#ifdef SCAN_AVX2
		if (wide)
			stop = scan32_avx2(s, &cm);
		else
#endif
			stop = scan32_sse2(s, &cm);
		if (!fe) {
			/* Commas only until field k has ended. */
			uint32_t m = cm & (stop ? (stop & -stop) - 1 : ~UINT32_C(0));
			for (; m; m &= m - 1) {
				const char *at = s + __builtin_ctz(m);
				if (++commas == k) {
					fs = at + 1;
				} else if (commas == k + 1) {
					fe = at;
					break;
				}
			}
		}
		if (!stop)
			continue;
		const char *nl = s + __builtin_ctz(stop);
		if (*nl != '\n')
			return 0;
		if (fs && !fe) {
			/* The last field: the record's line break is not part of it. */
			fe = nl;
			while (fe > fs && (fe[-1] == '\r' || fe[-1] == '\n'))
				fe--;
		}
		*rend = nl + 1;
		*f = fs;
		*flen = fs ? (size_t)(fe - fs) : 0;
		return 1;
	}
	(void)wide;
	return 0;
}

static int record_scan_sse2(const char *p, const char *end, int k, const char **rend,
			    const char **f, size_t *flen)
{
	return record_scan_body(p, end, k, rend, f, flen, 0);
}

#ifdef SCAN_AVX2
__attribute__((target("avx2"))) static int record_scan_avx2(const char *p, const char *end, int k,
							     const char **rend, const char **f,
							     size_t *flen)
{
	return record_scan_body(p, end, k, rend, f, flen, 1);
}
#endif
#endif

static int record_scan(const char *p, const char *end, int k, const char **rend, const char **f,
		       size_t *flen)
{
#ifdef SCAN_AVX2
	if (__builtin_cpu_supports("avx2"))
		return record_scan_avx2(p, end, k, rend, f, flen);
#endif
#ifdef __SSE2__
	return record_scan_sse2(p, end, k, rend, f, flen);
#else
	(void)p, (void)end, (void)k, (void)rend, (void)f, (void)flen;
	return 0;
#endif
}

/* Moves to the next record; sets c->rec NULL at the end of the file. */
static int cursor_next(Cursor *c, EddyError *err)
{
	const char *rend;
	if (c->tscol >= 0 && record_scan(c->buf + c->pos, c->buf + c->len, c->tscol, &rend, &c->ts,
					 &c->tslen)) {
		c->rec = c->buf + c->pos;
		c->reclen = (size_t)(rend - c->rec);
		c->pos += c->reclen;
		c->quoted = 0;
		c->stamped = 1;
		c->line++;
		return 0;
	}
	c->stamped = 0;
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
		/* Keep the batch and the partial record after room for the header, read on. */
		size_t room = c->header.len, shift = c->batch > room ? c->batch - room : 0;
		memmove(c->buf + room, c->buf + c->batch, c->len - c->batch);
		c->len -= shift;
		c->pos -= shift;
		c->batch -= shift;
		/* Room to read at least three times what was kept, so the batch is moved seldom. */
		if (c->cap - c->len < READ_BLOCK / 2 || c->cap - c->len < 3 * (c->len - room)) {
			while (c->cap - c->len < READ_BLOCK / 2 || c->cap - c->len < 3 * (c->len - room))
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
	if (!c->stamped)
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
	c->tscol = -1;
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
	c->batch = c->pos;
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
}

/* Ingests the cursor's batch (if it has records) and starts the next one. */
static int cursor_flush(Eddy *db, Cursor *c, EddyError *err)
{
	if (c->unread)
		return 0;
	size_t end = c->rec ? (size_t)(c->rec - c->buf) : c->pos;
	if (end > c->batch) {
		/* The header goes over consumed bytes (or is still there, before the first batch). */
		size_t h = c->header.len;
		char *in = c->buf + c->batch - h;
		memcpy(in, c->header.data, h);
		EddyIngestOptions opts = {.csv_header = 1, .csv_delimiter = ','};
		EddyIngestResult res;
		EddyLineError le;
		if (eddy_ingest(db, c->name, EDDY_FORMAT_CSV, in, end - c->batch + h, &opts, &res,
				&le, 1, err) < 0)
			return -1;
		if (res.rejected > 0) {
			/* Line 1 of the batch is the header; its line 2 is the file's batch_line. */
			snprintf(err->sqlstate, sizeof err->sqlstate, "%s", le.sqlstate);
			snprintf(err->message, sizeof err->message, "%s.csv line %lld: %s", c->name,
				 (long long)(c->batch_line + le.line - 2), le.message);
			return -1;
		}
	}
	c->batch = end;
	c->batch_line = c->line;
	return 0;
}

/* Whether a's record comes before b's (a has one): an earlier date_time, or the same one and
 * a's table first (person, auction, bid); any record comes before the end of a file. */
static inline int before(const Cursor *a, const Cursor *b)
{
	if (!b->rec || b->done)
		return 1;
	size_t n = a->tslen < b->tslen ? a->tslen : b->tslen, i = 0;
	/* As memcmp, eight bytes at a time (big-endian words compare as the bytes do). */
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a->ts + i, 8);
		memcpy(&y, b->ts + i, 8);
		if (x != y)
			return __builtin_bswap64(x) < __builtin_bswap64(y);
	}
	for (; i < n; i++)
		if (a->ts[i] != b->ts[i])
			return (unsigned char)a->ts[i] < (unsigned char)b->ts[i];
	if (a->tslen != b->tslen)
		return a->tslen < b->tslen;
	return a < b;
}

/* The cursor whose record comes first in event order, apart from `skip`; NULL when all are at
 * their end. */
static Cursor *first(Cursor *cs, const Cursor *skip)
{
	Cursor *best = NULL;
	for (int t = 0; t < NTABLES; t++) {
		Cursor *c = &cs[t];
		if (c != skip && c->rec && !c->done && (!best || before(c, best)))
			best = c;
	}
	return best;
}

/* Collects the text of EXPLAIN's rows. */
static int plan_text(void *ctx, EddyResult *res)
{
	while (eddy_result_next(res))
		if (!eddy_result_isnull(res, 0))
			sb_printf(ctx, "%s\n", eddy_result_text(res, 0));
	return 0;
}

unsigned bench_csv_tables(Eddy *db, const char *query)
{
	StrBuf sql, plan;
	sb_init(&sql);
	sb_init(&plan);
	sb_printf(&sql, "EXPLAIN %s", query);
	EddyError err;
	unsigned mask = 0;
	if (eddy_exec(db, sql.data, plan_text, &plan, &err) < 0 || !plan.data) {
		mask = (1u << NTABLES) - 1;
	} else {
		for (int t = 0; t < NTABLES; t++) {
			char scan[32];
			snprintf(scan, sizeof scan, "Scan %s (", tables[t]);
			if (strstr(plan.data, scan))
				mask |= 1u << t;
		}
	}
	sb_deinit(&sql);
	sb_deinit(&plan);
	return mask;
}

int bench_csv_feed(Eddy *db, const char *dir, int64_t events, unsigned tables_read,
		   EddyError *err)
{
	Cursor cs[NTABLES];
	memset(cs, 0, sizeof cs);
	int rc = 0;
	int64_t fed = 0, target = 0;
	for (int t = 0; t < NTABLES && rc == 0; t++) {
		if (!(tables_read & (1u << t))) {
			cs[t].name = tables[t];
			cs[t].unread = cs[t].done = 1;
			continue;
		}
		rc = cursor_open(&cs[t], dir, tables[t], err);
		cs[t].left = table_rows(t, events);
		cs[t].done = cs[t].left == 0;
		target += cs[t].left;
	}
	/* c comes first, runner up after it: while c's next record still comes before runner's
	 * (which does not move meanwhile), c stays first. */
	Cursor *c = NULL, *runner = NULL;
	if (rc == 0) {
		c = first(cs, NULL);
		runner = first(cs, c);
	}
	while (rc == 0 && fed < target) {
		if (!c) {
			const Cursor *s = NULL;
			for (int t = 0; t < NTABLES && !s; t++)
				if (!cs[t].done)
					s = &cs[t];
			snprintf(err->sqlstate, sizeof err->sqlstate, "22023");
			snprintf(err->message, sizeof err->message,
				 "%.300s/%s.csv ends %lld rows short of the first %lld events", dir,
				 s ? s->name : "?", (long long)(s ? s->left : 0), (long long)events);
			rc = -1;
			break;
		}
		fed++; /* the batch now ends after c->rec */
		c->done = --c->left == 0;
		rc = cursor_next(c, err);
		if (rc == 0 && !c->done)
			rc = cursor_stamp(c, err);
		if (rc == 0 && (!c->rec || c->done || (runner && !before(c, runner)))) {
			c = first(cs, NULL);
			runner = first(cs, c);
		}
		if (rc == 0 && (fed % STEP == 0 || fed == target))
			for (int t = 0; t < NTABLES && rc == 0; t++)
				rc = cursor_flush(db, &cs[t], err);
	}
	for (int t = 0; t < NTABLES; t++)
		cursor_close(&cs[t]);
	return rc;
}
