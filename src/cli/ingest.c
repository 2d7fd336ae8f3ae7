/* ingest.c: `eddy ingest --data DIR STREAM [FILE|-] [--format ndjson|csv] [--batch N]`.
 *
 * Layer: cli. Reads NDJSON or CSV from a file or standard input, N records at a time, hands each
 * batch to eddy_ingest and prints `acked TOTAL` on standard output once the batch is durable (as
 * the stream's fsync option defines it), so a test or a pipe can see exactly what was
 * acknowledged. A malformed record is reported on standard error with its line number, counted,
 * and written to the dead-letter stream <STREAM>_rejected (created on first use); it never stops
 * the good records. Only include/eddy.h is used.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A batch of input: whole records (lines; CSV records may span lines inside quotes), read from the
 * file straight into buf, so a record's bytes are copied once (by fread) before the decoder sees
 * them. buf[0..len) holds the batch's records, buf[len..fill) what was read after them (the start
 * of the next record); a flush hands buf[0..len) to eddy_ingest and moves the rest to the front. */
typedef struct Batch {
	char *buf;
	size_t len, fill, cap;
	int64_t *starts; /* per record: byte offset in buf, */
	int64_t *lines;  /* first line in the file, */
	int64_t *blines; /* and first line in buf (1-based) */
	int64_t bufline; /* the line of buf the next record starts on */
	size_t nrec, caprec;
	size_t head;     /* CSV: bytes of the header line repeated at the start of every batch */
} Batch;

#define READ_CHUNK (1u << 20)

/* Takes buf[len..end) as the next record, starting on line `line` of the file and holding
 * `newlines` line breaks. */
static void batch_take(Batch *b, size_t end, int64_t line, int64_t newlines)
{
	if (b->nrec == b->caprec) {
		b->caprec = b->caprec ? b->caprec * 2 : 256;
		b->starts = realloc(b->starts, b->caprec * sizeof *b->starts);
		b->lines = realloc(b->lines, b->caprec * sizeof *b->lines);
		b->blines = realloc(b->blines, b->caprec * sizeof *b->blines);
	}
	if (b->bufline == 0)
		b->bufline = 1;
	b->starts[b->nrec] = (int64_t)b->len;
	b->blines[b->nrec] = b->bufline;
	b->lines[b->nrec++] = line;
	b->bufline += newlines;
	b->len = end;
}

/* Reads up to READ_CHUNK more bytes after buf[fill]; returns how many (0 at the end or on error). */
static size_t batch_read(Batch *b, FILE *f)
{
	if (b->fill + READ_CHUNK + 1 > b->cap) {
		b->cap = (b->fill + READ_CHUNK + 1) * 2;
		b->buf = realloc(b->buf, b->cap);
	}
	return fread(b->buf + b->fill, 1, READ_CHUNK, f);
}

/* The end of the record starting at buf[len] (after its line break) and the line breaks it holds,
 * or 0 when buf[len..fill) holds no whole record yet. A CSV record ends at the first line break
 * outside quotes. */
static size_t record_end(const Batch *b, bool csv, int64_t *newlines)
{
	bool open_quote = false;
	*newlines = 0;
	if (b->len == b->fill)
		return 0;
	const char *p = b->buf + b->len, *lim = b->buf + b->fill;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(lim - p));
		if (!nl)
			return 0;
		++*newlines;
		if (csv)
			for (const char *q = p; (q = memchr(q, '"', (size_t)(nl - q))); q++)
				open_quote = !open_quote;
		if (!open_quote)
			return (size_t)(nl + 1 - b->buf);
		p = nl + 1;
	}
}

/* The record holding line `bline` of the batch text (the decoder's line numbers). */
static size_t record_of(const Batch *b, int64_t bline)
{
	size_t lo = 0, hi = b->nrec;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (b->blines[mid] <= bline)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

typedef struct Ingest {
	Eddy *db;
	const char *stream;
	char dead[200];
	bool dead_ready;
	EddyFormat fmt;
	int64_t acked, rejected;
} Ingest;

static int write_dead_letter(Ingest *in, int64_t line, const char *raw, size_t rawlen,
			     const EddyLineError *le)
{
	EddyError err;
	if (!in->dead_ready) {
		char sql[512];
		snprintf(sql, sizeof sql,
			 "CREATE STREAM IF NOT EXISTS \"%s\" (line bigint, raw varchar, error varchar,"
			 " sqlstate varchar)",
			 in->dead);
		if (eddy_exec(in->db, sql, NULL, NULL, &err) != 0) {
			fprintf(stderr, "eddy ingest: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
			return -1;
		}
		in->dead_ready = true;
	}
	while (rawlen && (raw[rawlen - 1] == '\n' || raw[rawlen - 1] == '\r'))
		rawlen--;
	char *copy = strndup(raw, rawlen);
	EddyValue v[4] = {{.type = EDDY_INT8, .v.i = line},
			  {.type = EDDY_VARCHAR, .v.s = copy},
			  {.type = EDDY_VARCHAR, .v.s = le->message},
			  {.type = EDDY_VARCHAR, .v.s = le->sqlstate}};
	int rc = eddy_insert(in->db, in->dead, NULL, 4, v, 1, &err);
	free(copy);
	if (rc != 0)
		fprintf(stderr, "eddy ingest: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
	return rc;
}

/* Starts the next batch: keeps the CSV header, and the bytes read after the batch. */
static void batch_next(Batch *b)
{
	memmove(b->buf + b->head, b->buf + b->len, b->fill - b->len);
	b->fill = b->head + (b->fill - b->len);
	b->len = b->head;
	b->nrec = b->head ? 1 : 0;
	b->bufline = b->head ? 2 : 1;
}

/* Ingests one batch; line numbers of its errors are relative to the batch text. errs has room
 * for every record of a batch. */
static int flush_batch(Ingest *in, Batch *b, const EddyIngestOptions *opts, EddyLineError *errs)
{
	if (b->nrec == 0 || (b->head && b->nrec == 1))
		return 0;
	EddyIngestResult res = {0};
	EddyError err;
	/* The decoders want the text NUL-terminated: borrow the byte after it for that. */
	char saved = b->buf[b->len];
	b->buf[b->len] = '\0';
	int rc = eddy_ingest(in->db, in->stream, in->fmt, b->buf, b->len, opts, &res, errs,
			     (int)b->nrec, &err);
	b->buf[b->len] = saved;
	if (rc != 0) {
		/* The batch is dropped, not sent again: part of it may be in (a call inserts in
		 * sub-batches), and a resend would add that part twice. */
		fprintf(stderr, "eddy ingest: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
		batch_next(b);
		return -1;
	}
	for (int i = 0; i < res.nerrors; i++) {
		size_t r = record_of(b, errs[i].line);
		int64_t line = b->lines[r] + errs[i].line - b->blines[r];
		fprintf(stderr, "line %lld: %s (SQLSTATE %s)\n", (long long)line, errs[i].message,
			errs[i].sqlstate);
		size_t end = r + 1 < b->nrec ? (size_t)b->starts[r + 1] : b->len;
		if (write_dead_letter(in, line, b->buf + b->starts[r], end - (size_t)b->starts[r],
				      &errs[i]) != 0)
			rc = -1;
	}
	in->acked += res.accepted;
	in->rejected += res.rejected;
	printf("acked %lld\n", (long long)in->acked);
	fflush(stdout);
	batch_next(b);
	return rc;
}

static int usage_error(const char *msg)
{
	fprintf(stderr,
		"eddy ingest: %s\nusage: eddy ingest --data DIR STREAM [FILE|-] "
		"[--format ndjson|csv] [--batch N]\n",
		msg);
	return 2;
}

int cli_ingest(int argc, char **argv)
{
	const char *dir = NULL, *stream = NULL, *file = NULL;
	EddyFormat fmt = EDDY_FORMAT_NDJSON;
	long batch_n = 1000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--data") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			const char *f = argv[++i];
			if (strcmp(f, "ndjson") == 0 || strcmp(f, "json") == 0)
				fmt = EDDY_FORMAT_NDJSON;
			else if (strcmp(f, "csv") == 0)
				fmt = EDDY_FORMAT_CSV;
			else
				return usage_error("--format must be ndjson or csv");
		} else if (strcmp(a, "--batch") == 0 && i + 1 < argc) {
			char *end;
			batch_n = strtol(argv[++i], &end, 10);
			if (*end || batch_n < 1 || batch_n > 1000000)
				return usage_error("--batch must be a number from 1 to 1000000");
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option");
		} else if (!stream) {
			stream = a;
		} else if (!file) {
			file = a;
		} else {
			return usage_error("too many arguments");
		}
	}
	if (!dir || !stream)
		return usage_error("--data DIR and STREAM are required");
	FILE *f = stdin;
	if (file && strcmp(file, "-") != 0 && !(f = fopen(file, "r"))) {
		fprintf(stderr, "eddy ingest: could not open \"%s\": %s\n", file, strerror(errno));
		return 1;
	}
	Ingest in = {.stream = stream, .fmt = fmt};
	snprintf(in.dead, sizeof in.dead, "%s_rejected", stream);
	EddyError err;
	if (eddy_open(dir, &in.db, &err) != 0) {
		fprintf(stderr, "eddy ingest: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
		if (f != stdin)
			fclose(f);
		return 1;
	}
	EddyIngestOptions opts = {.csv_header = 1, .csv_delimiter = ','};
	/* One error slot per record of a batch (and the CSV header), allocated once. */
	EddyLineError *errs = malloc(((size_t)batch_n + 1) * sizeof *errs);
	Batch b = {0};
	bool csv = fmt == EDDY_FORMAT_CSV, eof = false;
	int64_t lineno = 1; /* the line the next record starts on */
	int rc = 0;
	while (!eof || b.len < b.fill) {
		int64_t newlines;
		size_t end = record_end(&b, csv, &newlines);
		if (end == 0) {
			if (!eof) {
				size_t n = batch_read(&b, f);
				b.fill += n;
				eof = n == 0;
				continue;
			}
			/* The last record has no line break (or an open quote): it ends the input. */
			end = b.fill;
		}
		int64_t line = lineno;
		lineno += newlines;
		batch_take(&b, end, line, newlines);
		if (csv && line == 1)
			b.head = b.len;
		if (b.nrec - (b.head ? 1 : 0) >= (size_t)batch_n &&
		    flush_batch(&in, &b, &opts, errs) != 0)
			rc = 1;
	}
	if (flush_batch(&in, &b, &opts, errs) != 0)
		rc = 1;
	if (ferror(f)) {
		fprintf(stderr, "eddy ingest: read error: %s\n", strerror(errno));
		rc = 1;
	}
	fprintf(stderr, "eddy ingest: %lld rows acknowledged, %lld lines rejected\n",
		(long long)in.acked, (long long)in.rejected);
	free(errs);
	free(b.buf);
	free(b.starts);
	free(b.lines);
	free(b.blines);
	if (f != stdin)
		fclose(f);
	eddy_close(in.db);
	return rc;
}
