/* array.c: one-dimensional arrays, encoding and text I/O (format drawn in array.h).
 *
 * Layer: vec. Owns the array encoding and PostgreSQL's array_in/array_out text rules; elements
 * are encoded by rowcodec.c and printed and parsed by value_text.c, so an element of an array
 * reads and prints exactly as a scalar of its type.
 */
#include "vec/array.h"
#include "vec/rowcodec.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void arr_build_init(ArrBuild *b, TypeId elem)
{
	sb_init(&b->sb);
	b->n = 0;
	b->elem = elem;
	uint32_t zero = 0;
	sb_append(&b->sb, &zero, sizeof zero);
}

void arr_build_deinit(ArrBuild *b)
{
	sb_deinit(&b->sb);
}

void arr_build_push(ArrBuild *b, const Value *v)
{
	Value x = *v;
	x.type = b->elem;
	row_encode_value(&x, ROWCODEC_EXACT, &b->sb);
	b->n++;
}

Str arr_build_finish(ArrBuild *b, Arena *a)
{
	memcpy(b->sb.data, &b->n, sizeof b->n);
	char *d = arena_alloc(a, b->sb.len);
	memcpy(d, b->sb.data, b->sb.len);
	Str s = {d, (uint32_t)b->sb.len};
	sb_reset(&b->sb);
	b->n = 0;
	uint32_t zero = 0;
	sb_append(&b->sb, &zero, sizeof zero);
	return s;
}

uint32_t arr_count(Str a)
{
	uint32_t n = 0;
	if (a.len >= sizeof n)
		memcpy(&n, a.p, sizeof n);
	return n;
}

void arr_iter_init(ArrIter *it, Str a, TypeId elem)
{
	it->p = (const unsigned char *)a.p + (a.len >= 4 ? 4 : a.len);
	it->end = (const unsigned char *)a.p + a.len;
	it->left = arr_count(a);
	it->elem = elem;
}

bool arr_next(ArrIter *it, Value *out)
{
	if (it->left == 0 || it->p >= it->end)
		return false;
	it->p += row_decode_value(it->p, it->elem, out);
	it->left--;
	return true;
}

bool arr_get(Str a, TypeId elem, int64_t i, Value *out)
{
	if (i < 1 || i > arr_count(a))
		return false;
	ArrIter it;
	arr_iter_init(&it, a, elem);
	for (int64_t k = 1; arr_next(&it, out); k++)
		if (k == i)
			return true;
	return false;
}

/* ---- text input (PostgreSQL's array_in, one dimension) */

/* PostgreSQL adds the reason as a DETAIL line, which eddy's errors do not carry: the detail
 * strings below stay for the reader of this code. */
static int malformed(Err *e, const char *s, size_t n, const char *detail)
{
	(void)detail;
	return err_set(e, ERR_INVALID_TEXT_REPRESENTATION, "malformed array literal: \"%.*s\"",
		       (int)n, s);
}

int arr_parse(TypeId t, const char *s, size_t n, Str *out, Arena *a, Err *e)
{
	TypeId elem = type_elem(t);
	size_t i = 0;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i == n || s[i] != '{')
		return malformed(e, s, n, "Array value must start with \"{\" or dimension information.");
	i++;
	ArrBuild b;
	arr_build_init(&b, elem);
	StrBuf el;
	sb_init(&el);
	int rc = -1;
	bool first = true;
	for (;;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (first && i < n && s[i] == '}') {
			i++;
			break;
		}
		first = false;
		if (i < n && s[i] == '{') {
			err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				"multidimensional arrays are not supported");
			goto done;
		}
		sb_reset(&el);
		bool quoted = false;
		if (i < n && s[i] == '"') {
			quoted = true;
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				sb_putc(&el, s[i]);
			}
			if (i == n) {
				malformed(e, s, n, "Unexpected end of input.");
				goto done;
			}
			i++;
			while (i < n && isspace((unsigned char)s[i]))
				i++;
		} else {
			size_t keep = 0; /* length up to the last character that is not a space */
			for (; i < n && s[i] != ',' && s[i] != '}'; i++) {
				if (s[i] == '"' || s[i] == '{') {
					malformed(e, s, n, "Unexpected array element.");
					goto done;
				}
				if (s[i] == '\\' && i + 1 < n) {
					sb_putc(&el, s[++i]);
					keep = el.len;
					continue;
				}
				sb_putc(&el, s[i]);
				if (!isspace((unsigned char)s[i]))
					keep = el.len;
			}
			el.len = keep;
			if (keep == 0) {
				malformed(e, s, n,
					  i < n ? (s[i] == ',' ? "Unexpected \",\" character."
							       : "Unexpected \"}\" character.")
						: "Unexpected end of input.");
				goto done;
			}
		}
		if (i == n) {
			malformed(e, s, n, "Unexpected end of input.");
			goto done;
		}
		Value v;
		if (!quoted && el.len == 4 && strncasecmp(el.data, "NULL", 4) == 0) {
			v = value_null(elem);
		} else if (value_parse(elem, el.data ? el.data : "", el.len, &v, NULL, e) < 0) {
			goto done;
		}
		arr_build_push(&b, &v);
		if (s[i] == '}') {
			i++;
			break;
		}
		if (s[i] != ',') {
			malformed(e, s, n, "Unexpected array element.");
			goto done;
		}
		i++;
	}
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i != n) {
		malformed(e, s, n, "Junk after closing right brace.");
		goto done;
	}
	*out = arr_build_finish(&b, a);
	rc = 0;
done:
	sb_deinit(&el);
	arr_build_deinit(&b);
	return rc;
}

/* ---- text output (PostgreSQL's array_out) */

static bool needs_quotes(const char *p, size_t n)
{
	if (n == 0 || (n == 4 && strncasecmp(p, "NULL", 4) == 0))
		return true;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '{' || p[i] == '}' || p[i] == ',' || p[i] == '"' || p[i] == '\\' ||
		    isspace((unsigned char)p[i]))
			return true;
	return false;
}

void arr_format(TypeId t, Str a, StrBuf *out)
{
	ArrIter it;
	arr_iter_init(&it, a, type_elem(t));
	StrBuf el;
	sb_init(&el);
	Value v;
	sb_putc(out, '{');
	for (bool first = true; arr_next(&it, &v); first = false) {
		if (!first)
			sb_putc(out, ',');
		if (v.null) {
			sb_puts(out, "NULL");
			continue;
		}
		sb_reset(&el);
		value_format(&v, &el);
		if (!needs_quotes(el.data, el.len)) {
			sb_append(out, el.data, el.len);
			continue;
		}
		sb_putc(out, '"');
		for (size_t i = 0; i < el.len; i++) {
			if (el.data[i] == '"' || el.data[i] == '\\')
				sb_putc(out, '\\');
			sb_putc(out, el.data[i]);
		}
		sb_putc(out, '"');
	}
	sb_putc(out, '}');
	sb_deinit(&el);
}

int arr_compare(TypeId elem, Str a, Str b)
{
	ArrIter ia, ib;
	arr_iter_init(&ia, a, elem);
	arr_iter_init(&ib, b, elem);
	Value x, y;
	for (;;) {
		bool hx = arr_next(&ia, &x), hy = arr_next(&ib, &y);
		if (!hx || !hy)
			return hx == hy ? 0 : (hx ? 1 : -1);
		int c = value_compare(&x, &y);
		if (c)
			return c;
	}
}

bool arr_check(Str a, TypeId elem)
{
	if (a.len < 4)
		return false;
	uint32_t n = arr_count(a);
	size_t off = 4;
	for (uint32_t k = 0; k < n; k++) {
		size_t w = row_value_size(a.p + off, a.len - off, elem);
		if (w == 0)
			return false;
		off += w;
	}
	return off == a.len;
}

void arr_normalize(Str a, TypeId elem, StrBuf *out)
{
	ArrIter it;
	arr_iter_init(&it, a, elem);
	uint32_t n = arr_count(a);
	sb_append(out, &n, sizeof n);
	Value v;
	while (arr_next(&it, &v))
		row_encode_value(&v, ROWCODEC_NORMALIZE, out);
}
