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

/* A batch of input: whole records (lines; CSV records may span lines inside quotes). */
typedef struct Batch {
	char *buf;
	size_t len, cap;
	int64_t *starts; /* per record: byte offset in buf, */
	int64_t *lines;  /* first line in the file, */
	int64_t *blines; /* and first line in buf (1-based) */
	int64_t bufline; /* the line of buf the next record starts on */
	size_t nrec, caprec;
	size_t head;     /* CSV: bytes of the header line repeated at the start of every batch */
} Batch;

static void batch_add(Batch *b, const char *rec, size_t n, int64_t line)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->buf = realloc(b->buf, b->cap);
	}
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
	for (size_t i = 0; i < n; i++)
		b->bufline += rec[i] == '\n';
	memcpy(b->buf + b->len, rec, n);
	b->len += n;
	b->buf[b->len] = '\0';
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

/* Ingests one batch; line numbers of its errors are relative to the batch text. */
static int flush_batch(Ingest *in, Batch *b, const EddyIngestOptions *opts)
{
	if (b->nrec == 0 || (b->head && b->nrec == 1))
		return 0;
	size_t maxerr = b->nrec;
	EddyLineError *errs = calloc(maxerr, sizeof *errs);
	EddyIngestResult res = {0};
	EddyError err;
	int rc = eddy_ingest(in->db, in->stream, in->fmt, b->buf, b->len, opts, &res, errs,
			     (int)maxerr, &err);
	if (rc != 0) {
		fprintf(stderr, "eddy ingest: %s (SQLSTATE %s)\n", err.message, err.sqlstate);
		free(errs);
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
	free(errs);
	in->acked += res.accepted;
	in->rejected += res.rejected;
	printf("acked %lld\n", (long long)in->acked);
	fflush(stdout);
	/* Keep the CSV header for the next batch. */
	b->len = b->head;
	b->nrec = b->head ? 1 : 0;
	b->bufline = b->head ? 2 : 1;
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
	Batch b = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0, rec_line = 0;
	int rc = 0;
	/* A CSV record continues over newlines inside quotes: count quotes to find its end. */
	char *rec = NULL;
	size_t reclen = 0, reccap = 0;
	bool open_quote = false;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (reclen == 0)
			rec_line = lineno;
		if (reclen + (size_t)n + 1 > reccap) {
			reccap = (reclen + (size_t)n + 1) * 2;
			rec = realloc(rec, reccap);
		}
		memcpy(rec + reclen, line, (size_t)n);
		reclen += (size_t)n;
		if (fmt == EDDY_FORMAT_CSV)
			for (ssize_t i = 0; i < n; i++)
				if (line[i] == '"')
					open_quote = !open_quote;
		if (open_quote)
			continue;
		if (fmt == EDDY_FORMAT_CSV && rec_line == 1) {
			batch_add(&b, rec, reclen, rec_line);
			b.head = b.len;
		} else {
			batch_add(&b, rec, reclen, rec_line);
		}
		reclen = 0;
		if (b.nrec - (b.head ? 1 : 0) >= (size_t)batch_n && flush_batch(&in, &b, &opts) != 0)
			rc = 1;
	}
	if (reclen)
		batch_add(&b, rec, reclen, rec_line);
	if (flush_batch(&in, &b, &opts) != 0)
		rc = 1;
	if (ferror(f)) {
		fprintf(stderr, "eddy ingest: read error: %s\n", strerror(errno));
		rc = 1;
	}
	fprintf(stderr, "eddy ingest: %lld rows acknowledged, %lld lines rejected\n",
		(long long)in.acked, (long long)in.rejected);
	free(rec);
	free(line);
	free(b.buf);
	free(b.starts);
	free(b.lines);
	free(b.blines);
	if (f != stdin)
		fclose(f);
	eddy_close(in.db);
	return rc;
}
