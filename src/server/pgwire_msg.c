/* pgwire_msg.c: PostgreSQL v3 messages and values, byte by byte.
 *
 * Layer: server. Pure functions over buffers: decoding frontend messages into structs (never
 * trusting a length or count the peer sent), encoding backend messages, and converting values
 * between eddy's text forms and PostgreSQL's binary formats. Never does I/O.
 *
 * Bodies decoded here (after the 5-byte header drawn in pgwire.h):
 *   Startup     int32 code; then for 3.0 pairs of NUL-terminated key, value; a final NUL.
 *               CancelRequest: int32 pid, int32 secret.
 *   Parse 'P'   str name, str query, int16 n, n x int32 type OID
 *   Bind 'B'    str portal, str stmt, int16 nf, nf x int16 format, int16 np,
 *               np x (int32 len (-1 NULL), len bytes), int16 nr, nr x int16 result format
 *   Describe 'D' / Close 'C'   byte 'S'|'P', str name
 *   Execute 'E' str portal, int32 max rows (0 = all)
 * Binary value formats: integers and floats big-endian; bool 1 byte; timestamp(tz) int64
 * microseconds since 2000-01-01; date int32 days since 2000-01-01; numeric int16 ndigits,
 * int16 weight, int16 sign (0 +, 0x4000 -, 0xC000 NaN), int16 dscale, ndigits x int16 base-10000
 * digits; interval int64 microseconds, int32 days, int32 months.
 */
#include "server/pgwire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading */

void pgr_init(PgReader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

const uint8_t *pgr_bytes(PgReader *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t pgr_u8(PgReader *r)
{
	const uint8_t *p = pgr_bytes(r, 1);
	return p ? p[0] : 0;
}

int16_t pgr_i16(PgReader *r)
{
	const uint8_t *p = pgr_bytes(r, 2);
	return p ? (int16_t)((p[0] << 8) | p[1]) : 0;
}

int32_t pgr_i32(PgReader *r)
{
	const uint8_t *p = pgr_bytes(r, 4);
	return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
			     p[3])
		 : 0;
}

const char *pgr_str(PgReader *r)
{
	if (r->bad)
		return "";
	const uint8_t *nul = memchr(r->p + r->off, 0, r->len - r->off);
	if (!nul) {
		r->bad = true;
		return "";
	}
	const char *s = (const char *)r->p + r->off;
	r->off = (size_t)(nul - r->p) + 1;
	return s;
}

int64_t pgm_body_len(const uint8_t hdr[5], size_t max)
{
	uint32_t len = (uint32_t)hdr[1] << 24 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 8 |
		       hdr[4];
	if (len < 4 || (size_t)len - 4 > max)
		return -1;
	return (int64_t)len - 4;
}

static int finish(PgReader *r, const char **why, const char *what)
{
	if (r->bad || r->off != r->len) {
		*why = what;
		return -1;
	}
	return 0;
}

int pgm_startup(const uint8_t *b, size_t n, PgStartup *s, const char **why)
{
	PgReader r;
	pgr_init(&r, b, n);
	memset(s, 0, sizeof *s);
	s->code = pgr_i32(&r);
	if (s->code == PG_CANCEL_CODE) {
		s->pid = pgr_i32(&r);
		s->secret = pgr_i32(&r);
		return finish(&r, why, "invalid length of cancel request packet");
	}
	if (s->code == PG_SSL_CODE || s->code == PG_GSSENC_CODE)
		return finish(&r, why, "invalid length of startup packet");
	if (r.bad) {
		*why = "invalid length of startup packet";
		return -1;
	}
	if (s->code >> 16 != 3) {
		*why = "unsupported frontend protocol";
		return -1;
	}
	for (;;) {
		const char *k = pgr_str(&r);
		if (r.bad || !*k)
			break;
		const char *v = pgr_str(&r);
		if (s->nparams < 64) {
			s->keys[s->nparams] = k;
			s->vals[s->nparams++] = v;
		}
	}
	return finish(&r, why, "invalid startup packet layout: expected terminator as last byte");
}

int pgm_parse(const uint8_t *b, size_t n, Arena *a, PgParseMsg *m, const char **why)
{
	PgReader r;
	pgr_init(&r, b, n);
	m->name = pgr_str(&r);
	m->query = pgr_str(&r);
	m->ntypes = pgr_i16(&r);
	if (m->ntypes < 0) {
		*why = "invalid number of parameter types";
		return -1;
	}
	m->types = arena_alloc(a, sizeof(uint32_t) * (size_t)(m->ntypes + 1));
	for (int i = 0; i < m->ntypes; i++)
		m->types[i] = (uint32_t)pgr_i32(&r);
	return finish(&r, why, "invalid Parse message");
}

int pgm_bind(const uint8_t *b, size_t n, Arena *a, PgBindMsg *m, const char **why)
{
	PgReader r;
	pgr_init(&r, b, n);
	m->portal = pgr_str(&r);
	m->stmt = pgr_str(&r);
	m->nfmts = pgr_i16(&r);
	if (m->nfmts < 0)
		goto bad;
	m->fmts = arena_alloc(a, sizeof(int16_t) * (size_t)(m->nfmts + 1));
	for (int i = 0; i < m->nfmts && !r.bad; i++)
		m->fmts[i] = pgr_i16(&r);
	m->nparams = pgr_i16(&r);
	if (m->nparams < 0 || r.bad)
		goto bad;
	m->vals = arena_alloc(a, sizeof(uint8_t *) * (size_t)(m->nparams + 1));
	m->lens = arena_alloc(a, sizeof(int32_t) * (size_t)(m->nparams + 1));
	for (int i = 0; i < m->nparams && !r.bad; i++) {
		int32_t len = pgr_i32(&r);
		m->lens[i] = len;
		if (len < -1)
			goto bad;
		m->vals[i] = len < 0 ? NULL : pgr_bytes(&r, (size_t)len);
	}
	m->nrfmts = pgr_i16(&r);
	if (m->nrfmts < 0 || r.bad)
		goto bad;
	m->rfmts = arena_alloc(a, sizeof(int16_t) * (size_t)(m->nrfmts + 1));
	for (int i = 0; i < m->nrfmts && !r.bad; i++)
		m->rfmts[i] = pgr_i16(&r);
	if (finish(&r, why, "invalid Bind message") < 0)
		return -1;
	if (m->nfmts > 1 && m->nfmts != m->nparams) {
		*why = "bind message has a wrong number of parameter formats";
		return -1;
	}
	return 0;
bad:
	*why = "invalid Bind message";
	return -1;
}

int pgm_target(const uint8_t *b, size_t n, char *kind, const char **name, const char **why)
{
	PgReader r;
	pgr_init(&r, b, n);
	*kind = (char)pgr_u8(&r);
	*name = pgr_str(&r);
	if (finish(&r, why, "invalid Describe or Close message") < 0)
		return -1;
	if (*kind != 'S' && *kind != 'P') {
		*why = "invalid Describe or Close message subtype";
		return -1;
	}
	return 0;
}

int pgm_execute(const uint8_t *b, size_t n, const char **portal, int32_t *max_rows,
		const char **why)
{
	PgReader r;
	pgr_init(&r, b, n);
	*portal = pgr_str(&r);
	*max_rows = pgr_i32(&r);
	return finish(&r, why, "invalid Execute message");
}

bool pgm_valid_utf8(const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			if (c == 0)
				return false;
			i++;
			continue;
		}
		int len;
		uint32_t cp;
		if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < (size_t)len)
			return false;
		for (int k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += (size_t)len;
	}
	return true;
}

/* ---- writing */

size_t pgw_begin(StrBuf *o, char type)
{
	size_t at = o->len;
	sb_putc(o, type);
	sb_append(o, "\0\0\0\0", 4);
	return at;
}

void pgw_end(StrBuf *o, size_t at)
{
	uint32_t len = (uint32_t)(o->len - at - 1);
	uint8_t *p = (uint8_t *)o->data + at + 1;
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

void pgw_i16(StrBuf *o, int v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	sb_append(o, b, 2);
}

void pgw_i32(StrBuf *o, int32_t v)
{
	uint32_t u = (uint32_t)v;
	uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
	sb_append(o, b, 4);
}

static void put_i64(StrBuf *o, int64_t v)
{
	pgw_i32(o, (int32_t)(uint32_t)((uint64_t)v >> 32));
	pgw_i32(o, (int32_t)(uint32_t)(uint64_t)v);
}

void pgw_str(StrBuf *o, const char *s)
{
	sb_append(o, s, strlen(s) + 1);
}

static void field(StrBuf *o, char code, const char *v)
{
	sb_putc(o, code);
	pgw_str(o, v);
}

void pgw_error(StrBuf *o, char type, const char *severity, const EddyError *e,
	       const char *context)
{
	size_t at = pgw_begin(o, type);
	field(o, 'S', severity);
	field(o, 'V', severity);
	field(o, 'C', e->sqlstate[0] ? e->sqlstate : "XX000");
	field(o, 'M', e->message);
	if (e->hint[0])
		field(o, 'H', e->hint);
	if (e->position > 0) {
		char pos[16];
		snprintf(pos, sizeof pos, "%d", e->position);
		field(o, 'P', pos);
	}
	if (context && *context)
		field(o, 'W', context);
	sb_putc(o, 0);
	pgw_end(o, at);
}

void pgw_simple(StrBuf *o, char type)
{
	pgw_end(o, pgw_begin(o, type));
}

void pgw_tag(StrBuf *o, const char *tag)
{
	size_t at = pgw_begin(o, 'C');
	pgw_str(o, tag);
	pgw_end(o, at);
}

void pgw_param_status(StrBuf *o, const char *name, const char *value)
{
	size_t at = pgw_begin(o, 'S');
	pgw_str(o, name);
	pgw_str(o, value);
	pgw_end(o, at);
}

void pgw_column(StrBuf *o, const char *name, uint32_t oid, int format)
{
	pgw_str(o, name);
	pgw_i32(o, 0);  /* table OID */
	pgw_i16(o, 0);  /* column number */
	pgw_i32(o, (int32_t)oid);
	pgw_i16(o, pgt_len(oid));
	pgw_i32(o, -1); /* type modifier */
	pgw_i16(o, format);
}

void pg_err(EddyError *e, const char *sqlstate, const char *fmt, ...)
{
	memset(e, 0, sizeof *e);
	snprintf(e->sqlstate, sizeof e->sqlstate, "%s", sqlstate);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

/* ---- types: one table, X(eddy type, OID, binary length (-1 variable), cast name) */
#define PG_TYPES(X)                                                                                \
	X(EDDY_BOOL, 16, 1, "boolean")                                                             \
	X(EDDY_INT2, 21, 2, "smallint")                                                            \
	X(EDDY_INT4, 23, 4, "integer")                                                             \
	X(EDDY_INT8, 20, 8, "bigint")                                                              \
	X(EDDY_FLOAT4, 700, 4, "real")                                                             \
	X(EDDY_FLOAT8, 701, 8, "double precision")                                                 \
	X(EDDY_NUMERIC, 1700, -1, "numeric")                                                       \
	X(EDDY_VARCHAR, 1043, -1, "varchar")                                                       \
	X(EDDY_TIMESTAMP, 1114, 8, "timestamp")                                                    \
	X(EDDY_TIMESTAMPTZ, 1184, 8, "timestamptz")                                                \
	X(EDDY_DATE, 1082, 4, "date")                                                              \
	X(EDDY_INTERVAL, 1186, 16, "interval")                                                     \
	X(EDDY_BOOL_ARRAY, 1000, -1, "boolean[]")                                                  \
	X(EDDY_INT2_ARRAY, 1005, -1, "smallint[]")                                                 \
	X(EDDY_INT4_ARRAY, 1007, -1, "integer[]")                                                  \
	X(EDDY_INT8_ARRAY, 1016, -1, "bigint[]")                                                   \
	X(EDDY_FLOAT4_ARRAY, 1021, -1, "real[]")                                                   \
	X(EDDY_FLOAT8_ARRAY, 1022, -1, "double precision[]")                                       \
	X(EDDY_NUMERIC_ARRAY, 1231, -1, "numeric[]")                                               \
	X(EDDY_VARCHAR_ARRAY, 1015, -1, "varchar[]")                                               \
	X(EDDY_VARCHAR_ARRAY, 1009, -1, "text[]")                                                  \
	X(EDDY_TIMESTAMP_ARRAY, 1115, -1, "timestamp[]")                                           \
	X(EDDY_TIMESTAMPTZ_ARRAY, 1185, -1, "timestamptz[]")                                       \
	X(EDDY_DATE_ARRAY, 1182, -1, "date[]")                                                     \
	X(EDDY_INTERVAL_ARRAY, 1187, -1, "interval[]")                                             \
	X(EDDY_UNKNOWN, PG_OID_TEXT, -1, "text")                                                   \
	X(EDDY_UNKNOWN, 1042, -1, "varchar") /* bpchar */

typedef struct TypeRow {
	EddyType t;
	uint32_t oid;
	int16_t len;
	const char *cast;
} TypeRow;

static const TypeRow types[] = {
#define ROW(t, oid, len, cast) {t, oid, len, cast},
	PG_TYPES(ROW)
#undef ROW
};
#define NTYPES (sizeof types / sizeof types[0])

static const TypeRow *by_oid(uint32_t oid)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].oid == oid)
			return &types[i];
	return NULL;
}

uint32_t pgt_oid(EddyType t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].t == t)
			return types[i].oid;
	return PG_OID_TEXT;
}

int16_t pgt_len(uint32_t oid)
{
	const TypeRow *r = by_oid(oid);
	return r ? r->len : -1;
}

const char *pgt_cast(uint32_t oid)
{
	const TypeRow *r = by_oid(oid);
	return r ? r->cast : NULL;
}

#define PG_EPOCH_DAYS 10957                      /* 2000-01-01 - 1970-01-01 */
#define PG_EPOCH_US (PG_EPOCH_DAYS * 86400000000LL)

/* Numeric text ("-12.034", "NaN") to PostgreSQL's base-10000 binary form. */
static int numeric_out(StrBuf *o, const char *s, EddyError *e)
{
	if (strcmp(s, "NaN") == 0) {
		pgw_i16(o, 0);
		pgw_i16(o, 0);
		pgw_i16(o, 0xC000);
		pgw_i16(o, 0);
		return 0;
	}
	int sign = 0;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? 0x4000 : 0;
	const char *dot = strchr(s, '.');
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
	const char *frac = dot ? dot + 1 : "";
	size_t flen = strlen(frac);
	for (size_t i = 0; i < ilen; i++)
		if (s[i] < '0' || s[i] > '9')
			goto bad;
	for (size_t i = 0; i < flen; i++)
		if (frac[i] < '0' || frac[i] > '9')
			goto bad;
	/* Digits aligned on base-10000 groups: pad the integer part on the left and the fraction
	 * on the right to multiples of 4. */
	size_t ipad = (4 - ilen % 4) % 4, fpad = (4 - flen % 4) % 4;
	size_t total = ipad + ilen + flen + fpad;
	char *d = mem_alloc(total + 1);
	memset(d, '0', ipad);
	memcpy(d + ipad, s, ilen);
	memcpy(d + ipad + ilen, frac, flen);
	memset(d + ipad + ilen + flen, '0', fpad);
	int ng = (int)(total / 4), igroups = (int)((ipad + ilen) / 4);
	int first = 0, last = ng - 1;
	int16_t g[4096];
	if (ng > 4096) {
		mem_free(d);
		goto bad;
	}
	for (int i = 0; i < ng; i++)
		g[i] = (int16_t)((d[i * 4] - '0') * 1000 + (d[i * 4 + 1] - '0') * 100 +
				 (d[i * 4 + 2] - '0') * 10 + (d[i * 4 + 3] - '0'));
	mem_free(d);
	while (first < ng && g[first] == 0)
		first++;
	while (last >= first && g[last] == 0)
		last--;
	int nd = last >= first ? last - first + 1 : 0;
	pgw_i16(o, nd);
	pgw_i16(o, nd ? igroups - 1 - first : 0);
	pgw_i16(o, nd ? sign : 0);
	pgw_i16(o, (int)flen);
	for (int i = first; i <= last; i++)
		pgw_i16(o, g[i]);
	return 0;
bad:
	pg_err(e, "22P02", "invalid input syntax for type numeric: \"%s\"", s);
	return -1;
}

/* Interval text as eddy prints it ("1 year 2 mons 3 days 04:05:06.5", "-00:00:01") to
 * microseconds, days and months. */
static int interval_out(StrBuf *o, const char *s, EddyError *e)
{
	int64_t us = 0, days = 0, months = 0;
	const char *p = s;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *end;
		int neg = *p == '-';
		long long v = strtoll(p, &end, 10);
		if (end == p)
			goto bad;
		if (*end == ':') {
			long long mi = 0;
			double sec = 0;
			char *e2;
			mi = strtoll(end + 1, &e2, 10);
			if (*e2 == ':')
				sec = strtod(e2 + 1, &e2);
			int64_t t = (llabs(v) * 3600 + mi * 60) * 1000000 + (int64_t)llround(sec * 1e6);
			us += neg ? -t : t;
			p = e2;
			continue;
		}
		while (*end == ' ')
			end++;
		if (strncmp(end, "year", 4) == 0)
			months += v * 12;
		else if (strncmp(end, "mon", 3) == 0)
			months += v;
		else if (strncmp(end, "day", 3) == 0)
			days += v;
		else
			goto bad;
		while (*end && *end != ' ')
			end++;
		p = end;
	}
	put_i64(o, us);
	pgw_i32(o, (int32_t)days);
	pgw_i32(o, (int32_t)months);
	return 0;
bad:
	pg_err(e, "22007", "invalid input syntax for type interval: \"%s\"", s);
	return -1;
}

int pgt_binary_out(StrBuf *o, EddyType t, const char *text, int64_t i, double f, EddyError *e)
{
	switch (t) {
	case EDDY_BOOL: {
		uint8_t b = i != 0;
		sb_append(o, &b, 1);
		return 0;
	}
	case EDDY_INT2:
		pgw_i16(o, (int)i);
		return 0;
	case EDDY_INT4:
		pgw_i32(o, (int32_t)i);
		return 0;
	case EDDY_INT8:
		put_i64(o, i);
		return 0;
	case EDDY_FLOAT4: {
		float v = (float)f;
		uint32_t u;
		memcpy(&u, &v, 4);
		pgw_i32(o, (int32_t)u);
		return 0;
	}
	case EDDY_FLOAT8: {
		int64_t u;
		memcpy(&u, &f, 8);
		put_i64(o, u);
		return 0;
	}
	case EDDY_TIMESTAMP:
	case EDDY_TIMESTAMPTZ:
		put_i64(o, i - PG_EPOCH_US);
		return 0;
	case EDDY_DATE:
		pgw_i32(o, (int32_t)(i - PG_EPOCH_DAYS));
		return 0;
	case EDDY_NUMERIC:
		return numeric_out(o, text, e);
	case EDDY_INTERVAL:
		return interval_out(o, text, e);
	default:
		if (t >= EDDY_BOOL_ARRAY) {
			pg_err(e, "0A000", "binary output of array types is not supported yet");
			return -1;
		}
		sb_puts(o, text);
		return 0;
	}
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void date_text(StrBuf *o, int64_t days)
{
	int64_t y;
	int m, d;
	civil(days, &y, &m, &d);
	if (y <= 0)
		sb_printf(o, "%04lld-%02d-%02d BC", (long long)(1 - y), m, d);
	else
		sb_printf(o, "%04lld-%02d-%02d", (long long)y, m, d);
}

static int64_t be64(const uint8_t *v)
{
	uint64_t u = 0;
	for (int k = 0; k < 8; k++)
		u = u << 8 | v[k];
	return (int64_t)u;
}

static int32_t be32(const uint8_t *v)
{
	return (int32_t)((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]);
}

static void float_text(StrBuf *o, double d, int digits)
{
	if (isnan(d))
		sb_puts(o, "NaN");
	else if (isinf(d))
		sb_puts(o, d > 0 ? "Infinity" : "-Infinity");
	else
		sb_printf(o, "%.*g", digits, d);
}

static int numeric_in(StrBuf *o, const uint8_t *v, size_t n)
{
	if (n < 8)
		return -1;
	int nd = (int16_t)(v[0] << 8 | v[1]), weight = (int16_t)(v[2] << 8 | v[3]);
	int sign = v[4] << 8 | v[5], dscale = v[6] << 8 | v[7];
	if (nd < 0 || n != 8 + 2 * (size_t)nd || dscale > 16383)
		return -1;
	if (sign == 0xC000) {
		sb_puts(o, "NaN");
		return 0;
	}
	if (sign == 0x4000)
		sb_putc(o, '-');
	/* Integer part: groups 0..weight; fraction: dscale digits after. */
	const uint8_t *g = v + 8;
#define DIGIT(k) ((k) >= 0 && (k) < nd ? (g[2 * (k)] << 8 | g[2 * (k) + 1]) : 0)
	if (weight < 0) {
		sb_putc(o, '0');
	} else {
		sb_printf(o, "%d", DIGIT(0));
		for (int k = 1; k <= weight; k++)
			sb_printf(o, "%04d", DIGIT(k));
	}
	if (dscale > 0) {
		sb_putc(o, '.');
		int written = 0;
		for (int k = weight + 1; written < dscale; k++) {
			char four[8];
			snprintf(four, sizeof four, "%04d", DIGIT(k) % 10000);
			for (int j = 0; j < 4 && written < dscale; j++, written++)
				sb_putc(o, four[j]);
		}
	}
#undef DIGIT
	return 0;
}

int pgt_binary_in(StrBuf *o, uint32_t oid, const uint8_t *v, size_t n, int param,
		  EddyError *e)
{
	int16_t want = pgt_len(oid);
	if (want > 0 && (size_t)want != n)
		goto bad;
	switch (oid) {
	case 16:
		sb_puts(o, v[0] ? "true" : "false");
		return 0;
	case 21:
		sb_printf(o, "%d", (int16_t)(v[0] << 8 | v[1]));
		return 0;
	case 23:
		sb_printf(o, "%d", be32(v));
		return 0;
	case 20:
		sb_printf(o, "%lld", (long long)be64(v));
		return 0;
	case 700: {
		uint32_t u = (uint32_t)be32(v);
		float f;
		memcpy(&f, &u, 4);
		float_text(o, f, 9);
		return 0;
	}
	case 701: {
		int64_t u = be64(v);
		double d;
		memcpy(&d, &u, 8);
		float_text(o, d, 17);
		return 0;
	}
	case 1114:
	case 1184: {
		int64_t us = be64(v) + PG_EPOCH_US;
		int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
		int64_t rem = us - days * 86400000000LL;
		date_text(o, days);
		sb_printf(o, " %02d:%02d:%02d.%06d", (int)(rem / 3600000000LL),
			  (int)(rem / 60000000 % 60), (int)(rem / 1000000 % 60), (int)(rem % 1000000));
		if (oid == 1184)
			sb_puts(o, "+00");
		return 0;
	}
	case 1082:
		date_text(o, (int64_t)be32(v) + PG_EPOCH_DAYS);
		return 0;
	case 1700:
		if (numeric_in(o, v, n) < 0)
			goto bad;
		return 0;
	case 1186: {
		int64_t us = be64(v);
		sb_printf(o, "%d mons %d days %lld microseconds", be32(v + 12), be32(v + 8),
			  (long long)us);
		return 0;
	}
	case 0:
	case PG_OID_TEXT:
	case 1043:
	case 1042:
	case 705: /* unknown */
		if (!pgm_valid_utf8((const char *)v, n)) {
			pg_err(e, "22021", "invalid byte sequence for encoding \"UTF8\"");
			return -1;
		}
		sb_append(o, v, n);
		return 0;
	default:
		pg_err(e, "0A000", "binary format for parameter $%d of type %u is not supported",
		       param, oid);
		return -1;
	}
bad:
	pg_err(e, "22P03", "incorrect binary data format in bind parameter %d", param);
	return -1;
}
