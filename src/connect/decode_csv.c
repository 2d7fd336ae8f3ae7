/* decode_csv.c: CSV (RFC 4180) records into the decoder's batch.
 *
 * Layer: connect. Fields are separated by the delimiter (',' by default), records by LF or CRLF.
 * A quoted field may hold delimiters, line breaks and doubled quotes ("" for "). As in
 * PostgreSQL's COPY ... CSV, an unquoted empty field is NULL and a quoted empty field ("") is the
 * empty string. With a header, the first record names the columns (unknown names are ignored, a
 * column named twice is an error for the whole input); without one, fields map to the target's
 * columns in order. Blank lines are skipped. A record with the wrong number of fields, a quote
 * inside an unquoted field, text after a closing quote or invalid UTF-8 is rejected with the line
 * it starts on and the field; an unterminated quote rejects the rest of the input.
 *
 * Unquoted fields (nearly all) are used where they stand in the input; only quoted ones are
 * copied, unquoted, into the batch text.
 *
 * Never: allocates per record (fields go into reused buffers).
 */
#include "connect/decode.h"

#include "base/mem.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef enum { REC_OK, REC_BLANK, REC_BAD } RecStatus;

typedef struct RecError {
	int field;          /* 0-based field, -1 */
	ErrCode code;
	const char *why;
} RecError;

static void add_field(Decoder *d, DecCell c)
{
	if (d->nfields == d->capfields) {
		d->capfields = d->capfields ? d->capfields * 2 : 16;
		d->fields = mem_realloc(d->fields, sizeof(DecCell) * (size_t)d->capfields);
	}
	d->fields[d->nfields++] = c;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The first byte of s[i..n) an unquoted field cannot simply pass over: the delimiter, a line
 * feed, a quote, a NUL or any byte of a multi-byte UTF-8 character; n when there is none.
 * Sixteen bytes at a time with SSE2 where there is SSE2, else eight at a time: a byte equal to c
 * turns to zero under XOR, and (x - ONES) & ~x & HIGHS marks the lowest zero byte of x exactly
 * (the marks above it may be false, so only the lowest is used). */
static size_t scan_plain(const char *s, size_t i, size_t n, char delim)
{
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8(delim), vl = _mm_set1_epi8('\n'),
		      vq = _mm_set1_epi8('"'), vz = _mm_setzero_si128();
	while (i + 16 <= n) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vd), _mm_cmpeq_epi8(w, vl)),
					   _mm_or_si128(_mm_cmpeq_epi8(w, vq), _mm_cmpeq_epi8(w, vz)));
		/* movemask takes each byte's high bit: the matches' and the non-ASCII bytes'. */
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(hit, w));
		if (m)
			return i + (size_t)__builtin_ctz(m);
		i += 16;
	}
#endif
	const uint64_t dl = ONES * (unsigned char)delim, lf = ONES * '\n', qt = ONES * '"';
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t a = w ^ dl, b = w ^ lf, c = w ^ qt;
		uint64_t hit = ((a - ONES) & ~a) | ((b - ONES) & ~b) | ((c - ONES) & ~c) |
			       ((w - ONES) & ~w) | w;
		hit &= HIGHS;
		if (hit)
			return i + (size_t)(__builtin_ctzll(hit) >> 3);
		i += 8;
	}
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == (unsigned char)delim || ch == '\n' || ch == '"' || ch == 0 || ch >= 0x80)
			return i;
		i++;
	}
	return n;
}

static void rec_fail(RecError *re, int field, ErrCode code, const char *why)
{
	if (!re->why) {
		re->field = field;
		re->code = code;
		re->why = why;
	}
}

/* Reads one record from d->pos into d->fields (texts in d->text); the first problem goes to re. */
static RecStatus record(Decoder *d, RecError *re)
{
	const char *s = d->buf;
	size_t n = d->len, i = d->pos;
	char delim = d->delim;
	d->nfields = 0;
	re->why = NULL;
	/* A blank line. */
	if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {
		d->pos = i + (s[i] == '\r' ? 2 : 1);
		d->line++;
		return REC_BLANK;
	}
	for (;;) {
		int f = d->nfields;
		size_t start = i;
		if (i < n && s[i] == '"') {
			size_t off = d->text.len;
			i++;
			bool closed = false;
			while (i < n) {
				const char *q = memchr(s + i, '"', n - i);
				size_t end = q ? (size_t)(q - s) : n;
				for (const char *nl = s + i; (nl = memchr(nl, '\n', end - (size_t)(nl - s)));
				     nl++)
					d->line++;
				sb_append(&d->text, s + i, end - i);
				i = end;
				if (!q)
					break;
				if (i + 1 < n && s[i + 1] == '"') {
					sb_putc(&d->text, '"');
					i += 2;
					continue;
				}
				i++;
				closed = true;
				break;
			}
			size_t len = d->text.len - off;
			DecCell cell = {(int64_t)off, (int32_t)len, DEC_TEXT};
			if (!closed) {
				rec_fail(re, f, ERR_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
				d->pos = n;
				add_field(d, cell);
				return REC_BAD;
			}
			add_field(d, cell);
			if (dec_utf8_valid(d->text.data + off, len) != len)
				rec_fail(re, f, ERR_CHARACTER_NOT_IN_REPERTOIRE,
					 "invalid byte sequence for encoding \"UTF8\"");
			if (i < n && s[i] != delim && s[i] != '\n' &&
			    !(s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n'))) {
				rec_fail(re, f, ERR_BAD_COPY_FILE_FORMAT,
					 "unexpected character after a closing quote");
				while (i < n && s[i] != delim && s[i] != '\n')
					i++;
			}
		} else {
			/* Used in place: plain ASCII bytes are skipped eight at a time; quotes and
			 * bytes that need the UTF-8 check are noted and passed. */
			bool quote = false, check = false;
			for (;;) {
				i = scan_plain(s, i, n, delim);
				if (i >= n || s[i] == delim || s[i] == '\n')
					break;
				if (s[i] == '"')
					quote = true;
				else
					check = true;
				i++;
			}
			size_t end = i;
			if (end > start && s[end - 1] == '\r' && (end == n || s[end] == '\n'))
				end--;
			if (end == start) {
				add_field(d, (DecCell){0, 0, DEC_NULL});
			} else {
				add_field(d, dec_in(d, s + start, end - start));
				if (quote)
					rec_fail(re, f, ERR_BAD_COPY_FILE_FORMAT,
						 "unexpected quote in an unquoted field");
				if (check && dec_utf8_valid(s + start, end - start) != end - start)
					rec_fail(re, f, ERR_CHARACTER_NOT_IN_REPERTOIRE,
						 "invalid byte sequence for encoding \"UTF8\"");
			}
		}
		if (i < n && s[i] == delim) {
			i++;
			continue;
		}
		/* End of the record: a line break (the \r of CRLF is part of it) or the input. */
		if (i < n && s[i] == '\r')
			i++;
		if (i < n && s[i] == '\n') {
			i++;
			d->line++;
		}
		break;
	}
	d->pos = i;
	return re->why ? REC_BAD : REC_OK;
}

/* The name of field f, for messages: the header's or the target column's. */
static const char *field_name(const Decoder *d, int f)
{
	if (d->csv_header) {
		if (f >= 0 && f < d->nmap && d->fieldmap[f] >= 0)
			return d->names[d->fieldmap[f]];
		return NULL;
	}
	return f >= 0 && f < d->ncols ? d->names[f] : NULL;
}

static int header(Decoder *d, Err *e)
{
	size_t mark = d->text.len;
	int64_t line = d->line;
	RecError re;
	RecStatus st;
	while ((st = record(d, &re)) == REC_BLANK && d->pos < d->len)
		line = d->line;
	if (st == REC_BLANK)
		return 0;
	if (st == REC_BAD) {
		d->text.len = mark;
		return err_set(e, re.code, "CSV header (line %lld), field %d: %s", (long long)line,
			       re.field + 1, re.why);
	}
	d->fieldmap = mem_realloc(d->fieldmap, sizeof(int) * (size_t)d->nfields);
	d->nmap = d->nfields;
	for (int f = 0; f < d->nfields; f++) {
		size_t len;
		const char *name = dec_cell_at(d, &d->fields[f], &len);
		int col = dec_column(d, name ? name : "", len, f);
		for (int g = 0; g < f && col >= 0; g++)
			if (d->fieldmap[g] == col) {
				d->text.len = mark;
				return err_set(e, ERR_DUPLICATE_COLUMN,
					       "CSV header (line %lld): column \"%s\" specified more "
					       "than once",
					       (long long)line, d->names[col]);
			}
		d->fieldmap[f] = col;
	}
	d->text.len = mark;
	return 0;
}

int dec_csv_record(Decoder *d, Err *e)
{
	if (d->csv_header && !d->header_done) {
		d->header_done = true;
		return header(d, e);
	}
	size_t mark = d->text.len;
	int64_t line = d->line;
	RecError re;
	RecStatus st = record(d, &re);
	if (st == REC_BLANK)
		return 0;
	if (st == REC_BAD) {
		const char *name = field_name(d, re.field);
		if (name)
			dec_row_fail(d, mark, line, d->csv_header ? d->fieldmap[re.field] : re.field,
				     re.code, "field %d (\"%s\"): %s", re.field + 1, name, re.why);
		else
			dec_row_fail(d, mark, line, -1, re.code, "field %d: %s", re.field + 1, re.why);
		return 0;
	}
	int want = d->csv_header ? d->nmap : d->ncols;
	if (d->nfields != want) {
		if (d->nfields > want)
			dec_row_fail(d, mark, line, -1, ERR_BAD_COPY_FILE_FORMAT,
				     "extra data after last expected column (%d fields, %d expected)",
				     d->nfields, want);
		else if (field_name(d, d->nfields))
			dec_row_fail(d, mark, line, -1, ERR_BAD_COPY_FILE_FORMAT,
				     "missing data for column \"%s\" (%d fields, %d expected)",
				     field_name(d, d->nfields), d->nfields, want);
		else
			dec_row_fail(d, mark, line, -1, ERR_BAD_COPY_FILE_FORMAT,
				     "missing data for field %d (%d fields, %d expected)",
				     d->nfields + 1, d->nfields, want);
		return 0;
	}
	DecCell *cells = dec_row_begin(d, line);
	for (int f = 0; f < d->nfields; f++) {
		int col = d->csv_header ? d->fieldmap[f] : f;
		if (col >= 0)
			cells[col] = d->fields[f];
	}
	dec_row_end(d);
	return 0;
}
