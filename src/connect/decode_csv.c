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
 * copied, unquoted, into the batch text. The common record (unquoted fields, the right number
 * of them) is read in one pass that classifies its bytes 32 at a time (record_fast, SSE2 or
 * AVX2); every other record, and any record the pass is unsure of, goes to the general reader
 * (record), which decides alone what is accepted and what each error says.
 *
 * Never: allocates per record (fields go into reused buffers).
 */
#include "connect/decode.h"

#include "base/mem.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DEC_AVX2 1 /* an AVX2 variant, used where the processor has AVX2 (csv_avx2) */
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

#ifdef __SSE2__
/* Bits of the 32 bytes at s (bit k for s[k]): the delimiters into *dl, the bytes with the high
 * bit (non-ASCII) into *hi; returned, the bytes that end the fast path: line feed, quote, NUL.
 * With SSE2 (every x86-64) in two halves, with AVX2 where the processor has it in one. */
static inline uint32_t block32_sse2(const char *s, char delim, uint32_t *dl, uint32_t *hi)
{
	const __m128i vd = _mm_set1_epi8(delim), vl = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
		      vz = _mm_setzero_si128();
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
	*dl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, vd)) |
	      (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vd)) << 16;
	*hi = (uint32_t)_mm_movemask_epi8(a) | (uint32_t)_mm_movemask_epi8(b) << 16;
	__m128i sa = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, vl), _mm_cmpeq_epi8(a, vq)),
				  _mm_cmpeq_epi8(a, vz));
	__m128i sb = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, vl), _mm_cmpeq_epi8(b, vq)),
				  _mm_cmpeq_epi8(b, vz));
	return (uint32_t)_mm_movemask_epi8(sa) | (uint32_t)_mm_movemask_epi8(sb) << 16;
}

#ifdef DEC_AVX2
__attribute__((target("avx2"))) static inline uint32_t block32_avx2(const char *s, char delim,
								    uint32_t *dl, uint32_t *hi)
{
	__m256i w = _mm256_loadu_si256((const __m256i *)(const void *)s);
	*dl = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(w, _mm256_set1_epi8(delim)));
	*hi = (uint32_t)_mm256_movemask_epi8(w);
	__m256i sp = _mm256_or_si256(
		_mm256_or_si256(_mm256_cmpeq_epi8(w, _mm256_set1_epi8('\n')),
				_mm256_cmpeq_epi8(w, _mm256_set1_epi8('"'))),
		_mm256_cmpeq_epi8(w, _mm256_setzero_si256()));
	return (uint32_t)_mm256_movemask_epi8(sp);
}
#endif

/* Field f of the record, s[a..b), into its column's cell (an empty field is NULL); map: the
 * header's field-to-column map, NULL for fields in column order. */
static inline void put_field(const int *map, DecCell *cells, int f, size_t a, size_t b)
{
	int col = map ? map[f] : f;
	if (col >= 0)
		cells[col] = b > a ? (DecCell){(int64_t)a, (int32_t)(b - a), DEC_INPUT}
				   : (DecCell){0, 0, DEC_NULL};
}

/* The common record in one pass: unquoted fields, the right number of them, a line feed at
 * its end at least 32 bytes before the end of the input, no NUL, valid UTF-8. The record's
 * bytes are classified 32 at a time (delimiters; line feed, quote, NUL; non-ASCII) and each
 * delimiter closes a field, straight into the row's cells. Returns false having kept nothing
 * for any other record (blank, quoted, bad, last in the input): record() reads it with the
 * same rules, the fields it accepts here it accepts there, so this is a shortcut only. `wide`
 * is a constant where this is inlined: the AVX2 or the SSE2 blocks. */
__attribute__((always_inline)) static inline bool record_fast_body(Decoder *d, bool wide)
{
	const char *s = d->buf;
	size_t n = d->len, i = d->pos, start = i, fstart = i;
	int want = d->csv_header ? d->nmap : d->ncols;
	const int *map = d->csv_header ? d->fieldmap : NULL;
	char delim = d->delim;
	if (i + 32 > n || s[i] == '\n' || s[i] == '\r' || want < 1)
		return false;
	/* Every column gets a cell below when the fields cover them all; else NULL first. */
	bool full = d->csv_header ? d->csv_full : true;
	DecCell *cells = full ? dec_row_slot(d, d->line) : dec_row_begin(d, d->line);
	int f = 0;
	uint32_t anyhi = 0;
	for (; i + 32 <= n; i += 32) {
		uint32_t dl, hi, sp;
#ifdef DEC_AVX2
		if (wide)
			sp = block32_avx2(s + i, delim, &dl, &hi);
		else
#endif
			sp = block32_sse2(s + i, delim, &dl, &hi);
		anyhi |= hi;
		uint32_t below = sp ? (sp & -sp) - 1 : ~UINT32_C(0); /* bytes before the first stop */
		for (uint32_t m = dl & below; m; m &= m - 1) {
			size_t at = i + (size_t)__builtin_ctz(m);
			if (f >= want - 1)
				return false; /* too many fields */
			put_field(map, cells, f++, fstart, at);
			fstart = at + 1;
		}
		if (!sp)
			continue;
		size_t at = i + (size_t)__builtin_ctz(sp);
		if (s[at] != '\n' || f != want - 1)
			return false;
		size_t end = at;
		if (end > fstart && s[end - 1] == '\r')
			end--; /* CRLF */
		put_field(map, cells, f, fstart, end);
		/* Delimiters and line feeds are ASCII, so the record is valid UTF-8 exactly when each
		 * field is. */
		if (anyhi && dec_utf8_valid(s + start, at - start) != at - start)
			return false;
		d->pos = at + 1;
		d->line++;
		dec_row_end(d);
		return true;
	}
	(void)wide;
	return false;
}

static bool record_fast_sse2(Decoder *d)
{
	return record_fast_body(d, false);
}

#ifdef DEC_AVX2
__attribute__((target("avx2"))) static bool record_fast_avx2(Decoder *d)
{
	return record_fast_body(d, true);
}
#endif

static bool record_fast(Decoder *d)
{
#ifdef DEC_AVX2
	if (d->csv_avx2)
		return record_fast_avx2(d);
#endif
	return record_fast_sse2(d);
}
#else
static bool record_fast(Decoder *d)
{
	(void)d;
	return false;
}
#endif

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
	int mapped = 0;
	for (int f = 0; f < d->nfields; f++)
		mapped += d->fieldmap[f] >= 0;
	d->csv_full = mapped == d->ncols; /* no column named twice: each has its field */
	d->text.len = mark;
	return 0;
}

int dec_csv_record(Decoder *d, Err *e)
{
	if (d->csv_header && !d->header_done) {
		d->header_done = true;
		return header(d, e);
	}
	if (!d->csv_general && record_fast(d))
		return 0;
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
