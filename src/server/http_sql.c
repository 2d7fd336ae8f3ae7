/* http_sql.c: POST /v1/sql, statements in, JSON results out; and the JSON text helpers.
 *
 * Layer: server. The body (SQL text, or {"sql": "..."}) runs through eddy_exec; each statement
 * that succeeds adds {"tag", "columns": [{"name", "type"}], "rows": [[...]]} to "results".
 * Values: integers, floats and numerics are JSON numbers (their exact text: a JSON number
 * token keeps every digit, as PostgreSQL's to_json does), NaN and infinities are strings,
 * booleans true/false, NULL null, everything else (timestamps, intervals, text) a string in
 * PostgreSQL's text form. The first failing statement ends the request: 400 with
 * {"error": {...}} and the results of the statements before it.
 *
 * Never: calls back into the engine from the result callback (it runs under the engine's lock).
 */
#include "server/http_int.h"

#include <stdio.h>
#include <string.h>

void json_string(StrBuf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	sb_putc(out, '"');
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_append(out, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			sb_puts(out, "\\\"");
			break;
		case '\\':
			sb_puts(out, "\\\\");
			break;
		case '\n':
			sb_puts(out, "\\n");
			break;
		case '\r':
			sb_puts(out, "\\r");
			break;
		case '\t':
			sb_puts(out, "\\t");
			break;
		default: {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			sb_puts(out, u);
		}
		}
	}
	sb_append(out, run, (size_t)(s - run));
	sb_putc(out, '"');
}

void json_error(StrBuf *out, const char *sqlstate, const char *message, int position,
		const char *hint)
{
	sb_puts(out, "\"error\":{\"sqlstate\":");
	json_string(out, sqlstate);
	sb_puts(out, ",\"message\":");
	json_string(out, message);
	if (position > 0)
		sb_printf(out, ",\"position\":%d", position);
	if (hint && *hint) {
		sb_puts(out, ",\"hint\":");
		json_string(out, hint);
	}
	sb_putc(out, '}');
}

/* Whether text is a finite number in JSON's grammar (so it can be written as is). */
static bool json_number_text(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

void json_value(StrBuf *out, EddyType t, const char *text)
{
	if (!text) {
		sb_puts(out, "null");
		return;
	}
	switch (t) {
	case EDDY_BOOL:
		sb_puts(out, text[0] == 't' ? "true" : "false");
		return;
	case EDDY_INT2:
	case EDDY_INT4:
	case EDDY_INT8:
	case EDDY_FLOAT4:
	case EDDY_FLOAT8:
	case EDDY_NUMERIC:
		if (json_number_text(text)) {
			sb_puts(out, text);
			return;
		}
		break;
	default:
		break;
	}
	json_string(out, text);
}

/* ---- A small reader for {"sql": "..."}: one flat object; other members are skipped. */

typedef struct JRead {
	const char *s;
	size_t n, i;
} JRead;

static void jr_ws(JRead *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
			       r->s[r->i] == '\r'))
		r->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at r->i (opening quote) into out (NULL: skipped). \u escapes are written as UTF-8;
 * surrogate pairs combined. */
static int jr_string(JRead *r, StrBuf *out)
{
	if (r->i >= r->n || r->s[r->i] != '"')
		return -1;
	r->i++;
	while (r->i < r->n) {
		char c = r->s[r->i++];
		if (c == '"')
			return 0;
		if ((unsigned char)c < 0x20)
			return -1;
		if (c != '\\') {
			if (out)
				sb_putc(out, c);
			continue;
		}
		if (r->i >= r->n)
			return -1;
		char e = r->s[r->i++];
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
		const char *k = e ? strchr(from, e) : NULL;
		if (k) {
			if (out)
				sb_putc(out, to[k - from]);
			continue;
		}
		if (e != 'u')
			return -1;
		unsigned cp = 0;
		for (int pass = 0; pass < 2; pass++) {
			if (r->n - r->i < 4)
				return -1;
			unsigned v = 0;
			for (int j = 0; j < 4; j++) {
				int x = hexval(r->s[r->i + (size_t)j]);
				if (x < 0)
					return -1;
				v = v << 4 | (unsigned)x;
			}
			r->i += 4;
			if (pass == 0 && v >= 0xD800 && v <= 0xDBFF) {
				if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
					return -1;
				r->i += 2;
				cp = v;
				continue;
			}
			if (pass == 1) {
				if (v < 0xDC00 || v > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (v - 0xDC00);
			} else {
				if (v >= 0xDC00 && v <= 0xDFFF)
					return -1;
				cp = v;
			}
			break;
		}
		if (cp == 0)
			return -1;
		if (!out)
			continue;
		if (cp < 0x80) {
			sb_putc(out, (char)cp);
		} else if (cp < 0x800) {
			sb_putc(out, (char)(0xC0 | cp >> 6));
			sb_putc(out, (char)(0x80 | (cp & 0x3F)));
		} else if (cp < 0x10000) {
			sb_putc(out, (char)(0xE0 | cp >> 12));
			sb_putc(out, (char)(0x80 | (cp >> 6 & 0x3F)));
			sb_putc(out, (char)(0x80 | (cp & 0x3F)));
		} else {
			sb_putc(out, (char)(0xF0 | cp >> 18));
			sb_putc(out, (char)(0x80 | (cp >> 12 & 0x3F)));
			sb_putc(out, (char)(0x80 | (cp >> 6 & 0x3F)));
			sb_putc(out, (char)(0x80 | (cp & 0x3F)));
		}
	}
	return -1;
}

/* Skips a scalar member value (numbers, literals); nested values are not expected here. */
static int jr_skip_scalar(JRead *r)
{
	size_t start = r->i;
	while (r->i < r->n && r->s[r->i] != ',' && r->s[r->i] != '}' && r->s[r->i] != ' ' &&
	       r->s[r->i] != '\n' && r->s[r->i] != '\t' && r->s[r->i] != '\r' &&
	       r->s[r->i] != '{' && r->s[r->i] != '[' && r->s[r->i] != '"')
		r->i++;
	return r->i > start ? 0 : -1;
}

int json_member_string(const char *body, size_t len, const char *key, StrBuf *out)
{
	JRead r = {body, len, 0};
	StrBuf name;
	sb_init(&name);
	int found = -1;
	jr_ws(&r);
	if (r.i >= r.n || r.s[r.i] != '{')
		goto out;
	r.i++;
	jr_ws(&r);
	if (r.i < r.n && r.s[r.i] == '}')
		goto out;
	for (;;) {
		jr_ws(&r);
		sb_reset(&name);
		if (jr_string(&r, &name) < 0)
			goto bad;
		jr_ws(&r);
		if (r.i >= r.n || r.s[r.i] != ':')
			goto bad;
		r.i++;
		jr_ws(&r);
		bool want = name.data && strcmp(name.data, key) == 0;
		if (r.i < r.n && r.s[r.i] == '"') {
			if (want)
				sb_reset(out);
			if (jr_string(&r, want ? out : NULL) < 0)
				goto bad;
			if (want)
				found = 0;
		} else if (jr_skip_scalar(&r) < 0) {
			goto bad;
		}
		jr_ws(&r);
		if (r.i < r.n && r.s[r.i] == ',') {
			r.i++;
			continue;
		}
		if (r.i < r.n && r.s[r.i] == '}')
			break;
		goto bad;
	}
	r.i++;
	jr_ws(&r);
	if (r.i != r.n)
		goto bad;
	goto out;
bad:
	found = -1;
out:
	sb_deinit(&name);
	if (found == 0 && !out->data)
		sb_puts(out, "");
	return found;
}

/* ---- Running the statements. */

typedef struct SqlOut {
	StrBuf json;
	int nresults;
} SqlOut;

static int on_result(void *ctx, EddyResult *res)
{
	SqlOut *o = ctx;
	StrBuf *j = &o->json;
	sb_puts(j, o->nresults++ ? ",{\"tag\":" : "{\"tag\":");
	json_string(j, eddy_result_tag(res));
	int ncols = eddy_result_ncols(res);
	if (ncols > 0) {
		sb_puts(j, ",\"columns\":[");
		for (int k = 0; k < ncols; k++) {
			sb_puts(j, k ? ",{\"name\":" : "{\"name\":");
			json_string(j, eddy_result_colname(res, k));
			sb_puts(j, ",\"type\":");
			json_string(j, eddy_type_name(eddy_result_coltype(res, k)));
			sb_putc(j, '}');
		}
		sb_puts(j, "],\"rows\":[");
		bool first = true;
		while (eddy_result_next(res)) {
			sb_puts(j, first ? "[" : ",[");
			first = false;
			for (int k = 0; k < ncols; k++) {
				if (k)
					sb_putc(j, ',');
				json_value(j, eddy_result_coltype(res, k), eddy_result_text(res, k));
			}
			sb_putc(j, ']');
		}
		sb_putc(j, ']');
	}
	sb_putc(j, '}');
	return 0;
}

enum MHD_Result http_sql(Http *h, struct MHD_Connection *c, const char *route, const char *sql)
{
	SqlOut o;
	sb_init(&o.json);
	o.nresults = 0;
	sb_puts(&o.json, "{\"results\":[");
	EddyError err;
	int rc = eddy_exec(h->srv->db, sql, on_result, &o, &err);
	sb_putc(&o.json, ']');
	int code = MHD_HTTP_OK;
	if (rc < 0) {
		code = MHD_HTTP_BAD_REQUEST;
		sb_putc(&o.json, ',');
		json_error(&o.json, err.sqlstate, err.message, err.position, err.hint);
	}
	sb_puts(&o.json, "}\n");
	enum MHD_Result r =
		http_reply(h, c, route, code, "application/json", o.json.data, o.json.len);
	sb_deinit(&o.json);
	return r;
}
