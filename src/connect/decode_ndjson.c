/* decode_ndjson.c: newline-delimited JSON, one object per line, into the decoder's batch.
 *
 * Layer: connect. A line holds one JSON object (RFC 8259) whose keys name target columns.
 * Values become cell text: strings unescaped (\uXXXX included, surrogate pairs combined),
 * numbers as written, true/false as "true"/"false", null as SQL NULL, nested objects and arrays
 * as their JSON text. Unknown keys are ignored; a key given twice keeps its last value (as jsonb
 * does). A line that is not one well-formed object, holds invalid UTF-8 or a \u0000 escape is
 * rejected with the 1-based character position and the field it was in.
 *
 * Cells point into the input where the text stands as it is (numbers, true/false, strings without
 * escapes or non-ASCII bytes); only the other strings are unescaped into the batch text.
 *
 * Never: allocates per line (strings unescape into reused buffers), recurses without bound
 * (nesting is limited to 64 levels).
 */
#include "connect/decode.h"

#include "base/mem.h"

#include <string.h>

#define MAX_DEPTH 64

typedef struct Line {
	Decoder *d;
	const char *s;
	size_t n, i;
	const char *why;     /* what is wrong, NULL while nothing is */
	ErrCode code;
} Line;

static int fail(Line *l, const char *why)
{
	if (!l->why) {
		l->why = why;
		l->code = ERR_INVALID_TEXT_REPRESENTATION;
	}
	return -1;
}

static void skip_ws(Line *l)
{
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
		l->i++;
	}
}

static int hex4(Line *l, unsigned *out)
{
	if (l->n - l->i < 4)
		return fail(l, "invalid \\u escape: four hexadecimal digits expected");
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = l->s[l->i + (size_t)k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(l, "invalid \\u escape: four hexadecimal digits expected");
	}
	l->i += 4;
	*out = v;
	return 0;
}

static void put_utf8(StrBuf *out, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sb_append(out, b, n);
}

/* A string whose opening quote is at l->i, unescaped and appended to out (not NUL-terminated). */
static int string(Line *l, StrBuf *out)
{
	l->i++;
	for (;;) {
		size_t start = l->i;
		while (l->i < l->n) {
			unsigned char c = (unsigned char)l->s[l->i];
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			l->i++;
		}
		sb_append(out, l->s + start, l->i - start);
		if (l->i >= l->n)
			return fail(l, "unterminated string");
		unsigned char c = (unsigned char)l->s[l->i];
		if (c == '"') {
			l->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(l, "control character in string (escape it)");
		if (c >= 0x80) {
			/* One multi-byte sequence, checked. */
			size_t k = 1;
			while (k < 4 && l->i + k < l->n && ((unsigned char)l->s[l->i + k] & 0xC0) == 0x80)
				k++;
			if (dec_utf8_valid(l->s + l->i, k) != k || k == 1) {
				l->code = ERR_CHARACTER_NOT_IN_REPERTOIRE;
				l->why = l->why ? l->why : "invalid byte sequence for encoding \"UTF8\"";
				return -1;
			}
			sb_append(out, l->s + l->i, k);
			l->i += k;
			continue;
		}
		/* A backslash escape. */
		l->i++;
		if (l->i >= l->n)
			return fail(l, "unterminated string");
		char e = l->s[l->i++];
		switch (e) {
		case '"':
		case '\\':
		case '/':
			sb_putc(out, e);
			break;
		case 'b':
			sb_putc(out, '\b');
			break;
		case 'f':
			sb_putc(out, '\f');
			break;
		case 'n':
			sb_putc(out, '\n');
			break;
		case 'r':
			sb_putc(out, '\r');
			break;
		case 't':
			sb_putc(out, '\t');
			break;
		case 'u': {
			unsigned cp;
			if (hex4(l, &cp) < 0)
				return -1;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(l, "Unicode low surrogate must follow a high surrogate");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				unsigned lo;
				if (l->n - l->i < 2 || l->s[l->i] != '\\' || l->s[l->i + 1] != 'u')
					return fail(l, "Unicode high surrogate must be followed by a low "
						       "surrogate");
				l->i += 2;
				if (hex4(l, &lo) < 0)
					return -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(l, "Unicode high surrogate must be followed by a low "
						       "surrogate");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (cp == 0)
				return fail(l, "\\u0000 cannot be converted to text");
			put_utf8(out, cp);
			break;
		}
		default:
			return fail(l, "invalid escape sequence");
		}
	}
}

static int number(Line *l)
{
	const char *s = l->s;
	size_t i = l->i;
	if (i < l->n && s[i] == '-')
		i++;
	if (i < l->n && s[i] == '0') {
		i++;
	} else if (i < l->n && s[i] >= '1' && s[i] <= '9') {
		while (i < l->n && s[i] >= '0' && s[i] <= '9')
			i++;
	} else {
		return fail(l, "invalid number");
	}
	if (i < l->n && s[i] == '.') {
		i++;
		if (i >= l->n || s[i] < '0' || s[i] > '9')
			return fail(l, "invalid number: digits expected after '.'");
		while (i < l->n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < l->n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < l->n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= l->n || s[i] < '0' || s[i] > '9')
			return fail(l, "invalid number: digits expected in the exponent");
		while (i < l->n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	l->i = i;
	return 0;
}

static int literal(Line *l, const char *word)
{
	size_t n = strlen(word);
	if (l->n - l->i < n || memcmp(l->s + l->i, word, n) != 0)
		return fail(l, "invalid token (expected a value)");
	l->i += n;
	return 0;
}

/* Any value at l->i, checked and stepped over (nested ones too). */
static int value(Line *l, int depth)
{
	if (l->i >= l->n)
		return fail(l, "value expected");
	char c = l->s[l->i];
	switch (c) {
	case '"':
		sb_reset(&l->d->scratch);
		return string(l, &l->d->scratch);
	case 't':
		return literal(l, "true");
	case 'f':
		return literal(l, "false");
	case 'n':
		return literal(l, "null");
	case '{':
	case '[': {
		if (depth >= MAX_DEPTH)
			return fail(l, "nesting too deep");
		char close = c == '{' ? '}' : ']';
		l->i++;
		skip_ws(l);
		if (l->i < l->n && l->s[l->i] == close) {
			l->i++;
			return 0;
		}
		for (;;) {
			skip_ws(l);
			if (c == '{') {
				if (l->i >= l->n || l->s[l->i] != '"')
					return fail(l, "object key expected");
				sb_reset(&l->d->scratch);
				if (string(l, &l->d->scratch) < 0)
					return -1;
				skip_ws(l);
				if (l->i >= l->n || l->s[l->i] != ':')
					return fail(l, "':' expected after an object key");
				l->i++;
				skip_ws(l);
			}
			if (value(l, depth + 1) < 0)
				return -1;
			skip_ws(l);
			if (l->i < l->n && l->s[l->i] == ',') {
				l->i++;
				continue;
			}
			if (l->i < l->n && l->s[l->i] == close) {
				l->i++;
				return 0;
			}
			return fail(l, c == '{' ? "',' or '}' expected" : "',' or ']' expected");
		}
	}
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return number(l);
		return fail(l, "invalid token (expected a value)");
	}
}

/* The value of column col (or of an ignored key, col < 0) into the row's cells. */
static int field(Line *l, DecCell *cells, int col)
{
	Decoder *d = l->d;
	if (l->i >= l->n)
		return fail(l, "value expected");
	char c = l->s[l->i];
	if (c == '"' && col >= 0) {
		/* A string of plain ASCII without escapes (nearly all) is used where it stands. */
		size_t j = l->i + 1;
		while (j < l->n) {
			unsigned char b = (unsigned char)l->s[j];
			if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80)
				break;
			j++;
		}
		if (j < l->n && l->s[j] == '"') {
			cells[col] = dec_in(d, l->s + l->i + 1, j - l->i - 1);
			l->i = j + 1;
			return 0;
		}
		size_t off = d->text.len;
		if (string(l, &d->text) < 0)
			return -1;
		cells[col] = (DecCell){(int64_t)off, (int32_t)(d->text.len - off), DEC_TEXT};
		return 0;
	}
	size_t start = l->i;
	if (value(l, 0) < 0)
		return -1;
	if (col < 0)
		return 0;
	/* Numbers, true and false are used as they stand in the input. */
	if (c == 'n')
		cells[col] = (DecCell){0, 0, DEC_NULL};
	else
		cells[col] = dec_in(d, l->s + start, l->i - start);
	return 0;
}

/* The object key whose opening quote is at l->i, into *k, *kn: a plain key (ASCII, no escape:
 * nearly every key) is used in place, any other is unescaped into d->key. */
static int key(Line *l, const char **k, size_t *kn)
{
	size_t j = l->i + 1;
	while (j < l->n) {
		unsigned char c = (unsigned char)l->s[j];
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			break;
		j++;
	}
	if (j < l->n && l->s[j] == '"') {
		*k = l->s + l->i + 1;
		*kn = j - l->i - 1;
		l->i = j + 1;
		return 0;
	}
	sb_reset(&l->d->key);
	if (string(l, &l->d->key) < 0)
		return -1;
	*k = l->d->key.data;
	*kn = l->d->key.len;
	return 0;
}

/* Whether column name `name` is exactly k[0..n) (k holds no NUL, so the loop stops at name's). */
static bool name_is(const char *name, const char *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name[i] != k[i])
			return false;
	return name[n] == '\0';
}

void dec_ndjson_line(Decoder *d, const char *p, size_t n, int64_t line)
{
	Line l = {.d = d, .s = p, .n = n, .i = 0, .why = NULL};
	skip_ws(&l);
	if (l.i >= n)
		return; /* a blank line */
	size_t mark = d->text.len;
	DecCell *cells = dec_row_begin(d, line);
	int nkeys = 0;
	int col = -1;
	bool named = false; /* the key of the field being read is known */
	const char *kp = NULL; /* that key, kn bytes (not NUL-terminated) */
	size_t kn = 0;
	if (p[l.i] != '{') {
		fail(&l, "a JSON object expected");
		goto bad;
	}
	l.i++;
	skip_ws(&l);
	if (l.i < n && p[l.i] == '}') {
		l.i++;
		goto end;
	}
	for (;;) {
		skip_ws(&l);
		if (l.i >= n || p[l.i] != '"') {
			fail(&l, "object key expected");
			goto bad;
		}
		named = false;
		if (key(&l, &kp, &kn) < 0)
			goto bad;
		named = true;
		if (nkeys >= d->capguess) {
			int cap = d->capguess ? d->capguess * 2 : 16;
			d->keyguess = mem_realloc(d->keyguess, sizeof(int) * (size_t)cap);
			for (int k = d->capguess; k < cap; k++)
				d->keyguess[k] = -1;
			d->capguess = cap;
		}
		/* The column this key named on the previous line, checked here without a call. */
		int guess = d->keyguess[nkeys];
		if (guess >= 0 && guess < d->ncols && name_is(d->names[guess], kp, kn))
			col = guess;
		else
			col = dec_column(d, kp, kn, guess);
		if (col >= 0)
			d->keyguess[nkeys] = col;
		nkeys++;
		skip_ws(&l);
		if (l.i >= n || p[l.i] != ':') {
			fail(&l, "':' expected after an object key");
			goto bad;
		}
		l.i++;
		skip_ws(&l);
		if (field(&l, cells, col) < 0)
			goto bad;
		skip_ws(&l);
		if (l.i < n && p[l.i] == ',') {
			l.i++;
			continue;
		}
		if (l.i < n && p[l.i] == '}') {
			l.i++;
			break;
		}
		fail(&l, "',' or '}' expected");
		goto bad;
	}
end:
	skip_ws(&l);
	if (l.i < n) {
		named = false;
		fail(&l, "unexpected data after the object");
		goto bad;
	}
	dec_row_end(d);
	return;
bad:
	if (named)
		dec_row_fail(d, mark, line, col, l.code,
			     "invalid JSON in field \"%.*s\" at character %zu: %s",
			     (int)(kn < 64 ? kn : 64), kp, l.i + 1, l.why);
	else
		dec_row_fail(d, mark, line, -1, l.code, "invalid JSON at character %zu: %s", l.i + 1,
			     l.why);
}
