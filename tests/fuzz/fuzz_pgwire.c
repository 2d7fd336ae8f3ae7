/* fuzz_pgwire.c: fuzz target for the PostgreSQL wire protocol decoders (src/server/pgwire*.c).
 *
 * The first input byte picks a decoder; the rest is its input: message bodies (startup, Parse,
 * Bind, Describe/Close, Execute, headers), UTF-8 validation, the SQL scanner and parameter
 * substitution, COPY statements and COPY data (text and CSV, fed in pieces), binary parameter
 * and result values, SCRAM client messages. Every decoder must reject bad input with an error,
 * never crash, hang or read out of bounds (ASan/UBSan watch).
 *
 * Two ways to run it:
 *   - `make test` builds it with main() below, which feeds a fixed number of pseudo-random and
 *     mutated valid inputs (a few seconds; tests/integration/pgwire_fuzz.sh);
 *   - libFuzzer, for long runs: the library built with clang -fsanitize=fuzzer-no-link and
 *     this file with -fsanitize=fuzzer -DEDDY_LIBFUZZER (the commands are in docs/testing.md).
 */
#include "server/pgwire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pgwire_copy.c's COPY runner and the session I/O it calls are not exercised here; under
 * libFuzzer these stand-ins keep the linker from pulling the session code (and its threads) out
 * of the library. */
#ifdef EDDY_LIBFUZZER
void srv_log(const char *level, const char *event, const char *fmt, ...)
{
}
int pgs_read_msg(PgSession *s, char *type, size_t *len)
{
	return -1;
}
void pgs_error(PgSession *s, const EddyError *e, const char *context)
{
}
int pgs_flush(PgSession *s)
{
	return -1;
}
#endif

static int count_row(void *ctx, int ncells, const char *const *cells, int64_t line)
{
	size_t *n = ctx;
	for (int i = 0; i < ncells; i++)
		if (cells[i])
			*n += strlen(cells[i]);
	return 0;
}

static void fuzz_copy(const uint8_t *d, size_t n)
{
	/* The statement up to the first newline, the data after it, fed in pieces. */
	const uint8_t *nl = memchr(d, '\n', n);
	size_t slen = nl ? (size_t)(nl - d) : n;
	char *stmt = mem_strndup((const char *)d, slen);
	PgCopyStmt c;
	EddyError e;
	if (pgcopy_parse(stmt, strlen(stmt), &c, &e) != 1) {
		memset(&c, 0, sizeof c);
		c.csv = slen % 2;
		c.delim = c.csv ? ',' : '\t';
		c.quote = c.escape = '"';
		strcpy(c.null_str, c.csv ? "" : "\\N");
	}
	mem_free(stmt);
	PgCopyDec dec;
	pgcopy_init(&dec, &c);
	size_t total = 0, off = nl ? slen + 1 : n;
	int rc = 0;
	while (off < n && rc == 0) {
		size_t piece = 1 + (d[off] % 17);
		if (piece > n - off)
			piece = n - off;
		rc = pgcopy_feed(&dec, (const char *)d + off, piece, count_row, &total, &e);
		off += piece;
	}
	if (rc == 0)
		pgcopy_finish(&dec, count_row, &total, &e);
	pgcopy_deinit(&dec);
}

static void fuzz_sql(const char *s)
{
	const char *lits[4] = {"1", "it's", NULL, "$2"};
	const char *casts[4] = {"integer", NULL, "date", NULL};
	StrBuf out;
	sb_init(&out);
	PgSubst map = {0};
	EddyError e;
	if (pgsql_substitute(s, 4, lits, casts, &out, &map, &e) == 0 && out.data) {
		int len = pgsql_byte_to_char(out.data, out.len);
		for (int pos = 1; pos <= len + 1; pos += 1 + len / 8)
			pgsql_map_pos(&map, s, out.data, pos);
	}
	pgsql_subst_deinit(&map);
	const char *p = s, *end = s + strlen(s);
	while (p < end) {
		const char *stop = pgsql_stmt_end(p, end);
		PgTok t;
		const char *q = p;
		char id[64];
		while ((q = pgsql_lex(q, stop, &t)) && t.kind != PGT_END) {
			pgsql_ident(&t, id, sizeof id);
			pgsql_string(&t, &out);
		}
		p = stop < end ? stop + 1 : end;
	}
	sb_deinit(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	/* Decoders read message bodies from a buffer of exactly their length. */
	uint8_t *body = mem_alloc(n + 1);
	memcpy(body, d, n);
	body[n] = 0;
	Arena a;
	arena_init(&a, 0);
	const char *why;
	EddyError e;
	StrBuf o;
	sb_init(&o);
	switch (which % 12) {
	case 0: {
		PgStartup st;
		pgm_startup(body, n, &st, &why);
		break;
	}
	case 1: {
		PgParseMsg m;
		pgm_parse(body, n, &a, &m, &why);
		break;
	}
	case 2: {
		PgBindMsg m;
		pgm_bind(body, n, &a, &m, &why);
		break;
	}
	case 3: {
		char kind;
		const char *name;
		pgm_target(body, n, &kind, &name, &why);
		const char *portal;
		int32_t max;
		pgm_execute(body, n, &portal, &max, &why);
		break;
	}
	case 4:
		if (n >= 5)
			pgm_body_len(body, 1 << 20);
		pgm_valid_utf8((const char *)body, n);
		break;
	case 5:
	case 6:
		fuzz_sql((const char *)body);
		break;
	case 7:
		fuzz_copy(body, n);
		break;
	case 8: {
		static const uint32_t oids[] = {16, 21, 23, 20, 700, 701, 1700, 1043, 25, 1114,
						1184, 1082, 1186, 0, 17};
		uint32_t oid = oids[(n ? body[0] : 0) % (sizeof oids / sizeof oids[0])];
		if (n)
			pgt_binary_in(&o, oid, body + 1, n - 1, 1, &e);
		break;
	}
	case 9:
		pgt_binary_out(&o, EDDY_NUMERIC, (const char *)body, 0, 0, &e);
		sb_reset(&o);
		pgt_binary_out(&o, EDDY_INTERVAL, (const char *)body, 0, 0, &e);
		break;
	case 10:
	case 11: {
		PgScram sc;
		memset(&sc, 0, sizeof sc);
		strcpy(sc.password, "pw");
		char final[256];
		if (pgscram_first(&sc, "n,,n=,r=abc", 11, &why) == 0)
			pgscram_final(&sc, (const char *)body, n, final, sizeof final, &why);
		memset(&sc, 0, sizeof sc);
		pgscram_first(&sc, (const char *)body, n, &why);
		break;
	}
	}
	sb_deinit(&o);
	arena_deinit(&a);
	mem_free(body);
	return 0;
}

#ifndef EDDY_LIBFUZZER
/* Valid inputs to mutate: one per decoder. */
static const struct {
	uint8_t which;
	const char *data;
	size_t len;
} seeds[] = {
#define SEED(w, s) {w, s, sizeof s - 1}
	SEED(0, "\x00\x03\x00\x00user\0eddy\0database\0eddy\0application_name\0psql\0\0"),
	SEED(0, "\x04\xd2\x16\x2e\x00\x00\x00\x01\x00\x00\x00\x02"),
	SEED(1, "s1\0SELECT $1::int + $2\0\x00\x02\x00\x00\x00\x17\x00\x00\x00\x00"),
	SEED(2, "\0s1\0\x00\x01\x00\x01\x00\x02\x00\x00\x00\x04\x00\x00\x00\x2a\xff\xff\xff\xff"
		"\x00\x01\x00\x01"),
	SEED(3, "Sname\0"),
	SEED(4, "Q\x00\x00\x00\x0d" "caf\xc3\xa9"),
	SEED(5, "SELECT '$1', \"$2\", $1 /* $3 /* nested */ */ -- $4\n, $2, E'\\'$3', $q$ $1 $q$;"
		"SET x = 1"),
	SEED(6, "COPY t (a, \"B\") FROM STDIN WITH (FORMAT csv, HEADER, NULL 'x')"),
	SEED(7, "COPY t FROM STDIN WITH (FORMAT csv, HEADER)\na,b\n1,\"x\ny\"\n2,\"\"\"\"\n3,\n"),
	SEED(7, "COPY t FROM STDIN\n1\t\\N\n2\t\\t\\x41\\101\\\\\n\\.\n"),
	SEED(8, "\x06\x00\x02\x00\x00\x00\x00\x00\x01\x00\x0c\x13\x88"),
	SEED(8, "\x0a\x00\x00\x00\x00\x00\x00\x00\x01"),
	SEED(9, "-12345.000678"),
	SEED(9, "1 year 2 mons -3 days 04:05:06.5"),
	SEED(10, "c=biws,r=abcXYZ,p=dGVzdA=="),
	SEED(11, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"),
#undef SEED
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	uint8_t buf[512];
	size_t nseeds = sizeof seeds / sizeof seeds[0];
	for (long i = 0; i < iters; i++) {
		size_t len;
		if (i % 4 == 0) {
			/* Pure noise. */
			len = next() % sizeof buf;
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)next();
		} else {
			/* A seed with a few bytes flipped, inserted, removed or truncated. */
			size_t s = next() % nseeds;
			len = seeds[s].len + 1;
			buf[0] = seeds[s].which;
			memcpy(buf + 1, seeds[s].data, seeds[s].len);
			int muts = 1 + (int)(next() % 4);
			for (int m = 0; m < muts && len > 1; m++) {
				size_t at = 1 + next() % (len - 1);
				switch (next() % 4) {
				case 0:
					buf[at] = (uint8_t)next();
					break;
				case 1:
					buf[at] ^= (uint8_t)(1u << (next() % 8));
					break;
				case 2:
					if (len < sizeof buf) {
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = "\0\n\"'$\\,;\xff"[next() % 9];
						len++;
					}
					break;
				default:
					len = at;
					break;
				}
			}
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz_pgwire: %ld inputs\n", iters);
	printf("1 passed, 0 failed\n");
	return 0;
}
#endif
