/* decode.c: the batch, error list and UTF-8 checks the ingest decoders share (see decode.h).
 *
 * Layer: connect. Owns the Decoder's buffers; they grow to fit the largest batch seen and are
 * reused after that. Never allocates per row.
 */
#include "connect/decode.h"

#include "base/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void dec_init(Decoder *d, DecFormat fmt, const char *const *names, int ncols)
{
	memset(d, 0, sizeof *d);
	d->format = fmt;
	d->names = names;
	d->ncols = ncols;
	d->csv_header = true;
	d->delim = ',';
	sb_init(&d->key);
	sb_init(&d->scratch);
	sb_init(&d->text);
	d->line = 1;
#if defined(__x86_64__) && defined(__GNUC__)
	d->csv_avx2 = __builtin_cpu_supports("avx2");
#endif
}

void dec_csv_options(Decoder *d, bool header, char delim)
{
	d->csv_header = header;
	d->delim = delim ? delim : ',';
}

void dec_input(Decoder *d, const char *buf, size_t len)
{
	d->buf = buf;
	d->len = len;
	d->pos = 0;
	d->line = 1;
	d->header_done = false;
	d->nmap = 0;
	d->csv_full = false;
	/* A UTF-8 byte order mark is not data. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		d->pos = 3;
}

void dec_deinit(Decoder *d)
{
	mem_free(d->fields);
	mem_free(d->fieldmap);
	mem_free(d->keyguess);
	mem_free(d->cells);
	mem_free(d->lines);
	mem_free(d->errs);
	sb_deinit(&d->key);
	sb_deinit(&d->scratch);
	sb_deinit(&d->text);
	memset(d, 0, sizeof *d);
}

static void reserve_rows(Decoder *d, int rows)
{
	d->caprows = rows;
	d->cells = mem_realloc(d->cells,
			       sizeof(DecCell) * (size_t)rows * (size_t)(d->ncols ? d->ncols : 1));
	d->lines = mem_realloc(d->lines, sizeof(int64_t) * (size_t)rows);
}

int dec_next(Decoder *d, int maxrows, Err *e)
{
	d->nrows = 0;
	d->nerrs = 0;
	sb_reset(&d->text);
	if (maxrows < 1)
		maxrows = 1;
	/* The first batch's rows sized from the input (a record takes 16 bytes or more, mostly)
	 * rather than grown by doubling, which copies them. */
	if (d->caprows == 0) {
		size_t est = (d->len - d->pos) / 16 + 1;
		reserve_rows(d, est < (size_t)maxrows ? (int)est : maxrows);
	}
	while (d->pos < d->len && d->nrows < maxrows && d->nerrs < maxrows) {
		if (d->format == DEC_CSV) {
			if (dec_csv_record(d, e) < 0)
				return -1;
			continue;
		}
		const char *p = d->buf + d->pos;
		const char *nl = memchr(p, '\n', d->len - d->pos);
		size_t n = nl ? (size_t)(nl - p) : d->len - d->pos;
		d->pos += n + (nl != NULL);
		dec_ndjson_line(d, p, n, d->line++);
	}
	return d->nrows > 0 || d->nerrs > 0;
}

DecCell dec_put(Decoder *d, const char *p, size_t n)
{
	DecCell c = {(int64_t)d->text.len, (int32_t)n, DEC_TEXT};
	sb_append(&d->text, p, n);
	return c;
}

DecCell *dec_row_slot(Decoder *d, int64_t line)
{
	if (d->nrows == d->caprows)
		reserve_rows(d, d->caprows ? d->caprows * 2 : 64);
	d->lines[d->nrows] = line;
	return d->cells + (size_t)d->nrows * (size_t)d->ncols;
}

DecCell *dec_row_begin(Decoder *d, int64_t line)
{
	DecCell *cells = dec_row_slot(d, line);
	memset(cells, 0, sizeof(DecCell) * (size_t)d->ncols); /* DEC_NULL */
	return cells;
}

void dec_row_end(Decoder *d)
{
	d->nrows++;
}

void dec_row_fail(Decoder *d, size_t text_mark, int64_t line, int column, ErrCode code,
		  const char *fmt, ...)
{
	d->text.len = text_mark;
	if (d->nerrs == d->caperrs) {
		d->caperrs = d->caperrs ? d->caperrs * 2 : 16;
		d->errs = mem_realloc(d->errs, sizeof(DecError) * (size_t)d->caperrs);
	}
	DecError *r = &d->errs[d->nerrs++];
	r->line = line;
	r->column = column;
	r->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
}

int dec_column(const Decoder *d, const char *key, size_t n, int guess)
{
	if (guess >= 0 && guess < d->ncols && strncmp(d->names[guess], key, n) == 0 &&
	    d->names[guess][n] == '\0')
		return guess;
	for (int i = 0; i < d->ncols; i++)
		if (strncmp(d->names[i], key, n) == 0 && d->names[i][n] == '\0')
			return i;
	for (int i = 0; i < d->ncols; i++)
		if (strncasecmp(d->names[i], key, n) == 0 && d->names[i][n] == '\0')
			return i;
	return -1;
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF; and,
 * as PostgreSQL's text, no NUL bytes. */
size_t dec_utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		/* Eight ASCII bytes at a time (none of them NUL). */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) ||
			    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += len;
	}
	return n;
}
