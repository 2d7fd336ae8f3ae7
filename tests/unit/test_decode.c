/* test_decode.c: the NDJSON and CSV ingest decoders (src/connect/decode*.c) on valid and broken
 * input: escapes, \u escapes and surrogate pairs, numbers, nulls, missing and extra fields, CRLF,
 * blank lines, bad lines between good ones, invalid UTF-8; each row and error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "connect/decode.h"

#include <stdio.h>
#include <string.h>

static const char *const COLS[] = {"id", "name", "amount"};

/* Decodes what d was given (batches of `batch` rows) into out: "L: a|b|NULL" per row and
 * "L! SQLSTATE col=N message" per error, in the order the batches give them; then frees d. */
static void render(Decoder *d, int batch, StrBuf *out)
{
	Err e;
	err_clear(&e);
	int rc;
	while ((rc = dec_next(d, batch, &e)) > 0) {
		for (int r = 0; r < d->nrows; r++) {
			sb_printf(out, "%lld:", (long long)d->lines[r]);
			for (int c = 0; c < d->ncols; c++) {
				size_t n;
				const char *s = dec_cell(d, r, c, &n);
				if (s) {
					sb_puts(out, c ? "|" : " ");
					sb_append(out, s, n);
				} else {
					sb_printf(out, "%sNULL", c ? "|" : " ");
				}
			}
			sb_putc(out, '\n');
		}
		for (int i = 0; i < d->nerrs; i++)
			sb_printf(out, "%lld! %s col=%d %s\n", (long long)d->errs[i].line,
				  err_sqlstate(d->errs[i].code), d->errs[i].column, d->errs[i].msg);
	}
	if (rc < 0)
		sb_printf(out, "FATAL %s %s\n", err_sqlstate(e.code), e.msg);
	dec_deinit(d);
}

/* Decodes all of in (batches of `batch` rows) and renders it (render). */
static char *decode_all(DecFormat fmt, bool header, const char *in, size_t len, int batch,
			StrBuf *out)
{
	Decoder d;
	dec_init(&d, fmt, COLS, 3);
	dec_csv_options(&d, header, 0);
	dec_input(&d, in, len);
	sb_reset(out);
	render(&d, batch, out);
	return out->data ? out->data : "";
}

static void check(DecFormat fmt, bool header, const char *in, const char *want)
{
	StrBuf out;
	sb_init(&out);
	static char got[8192];
	snprintf(got, sizeof got, "%s", decode_all(fmt, header, in, strlen(in), 1000, &out));
	sb_deinit(&out);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "input:\n%s\ngot:\n%s\nwant:\n%s", in, got, want);
		fail();
	}
}

#define NDJSON(in, want) check(DEC_NDJSON, false, in, want)
#define CSV(in, want) check(DEC_CSV, true, in, want)
#define CSV_NOHDR(in, want) check(DEC_CSV, false, in, want)

static void test_ndjson_values(void **state)
{
	NDJSON("{\"id\": 1, \"name\": \"a\", \"amount\": 2.5}\n"
	       "{\"amount\":-0.5e+3,\"id\":2,\"name\":null}\n"
	       "{\"id\":true,\"name\":false}\n"
	       "{}\n",
	       "1: 1|a|2.5\n2: 2|NULL|-0.5e+3\n3: true|false|NULL\n4: NULL|NULL|NULL\n");
	/* Extra keys ignored, case-insensitive match, last duplicate wins, nested kept as JSON. */
	NDJSON("{\"x\":{\"a\":[1,2]},\"ID\":7,\"id\":8,\"name\":[1, {\"b\":null}],\"amount\":{}}",
	       "1: 8|[1, {\"b\":null}]|{}\n");
}

static void test_ndjson_escapes(void **state)
{
	NDJSON("{\"name\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}\n",
	       "1: NULL|q\"b\\s/n\nt\tr\rb\bf\f|NULL\n");
	/* \u escapes: ASCII, two- and three-byte, and a surrogate pair (U+1F600). */
	NDJSON("{\"name\":\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"}",
	       "1: NULL|A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|NULL\n");
	/* Raw UTF-8 passes through. */
	NDJSON("{\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", "1: NULL|caf\xc3\xa9 \xf0\x9f\x98\x80|NULL\n");
	NDJSON("{\"name\":\"\\ud83d\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 16: Unicode high "
	       "surrogate must be followed by a low surrogate\n");
	NDJSON("{\"name\":\"\\ude00x\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 16: Unicode low "
	       "surrogate must follow a high surrogate\n");
	NDJSON("{\"name\":\"\\u12g4\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 12: invalid \\u "
	       "escape: four hexadecimal digits expected\n");
	NDJSON("{\"name\":\"\\u0000\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 16: \\u0000 cannot be "
	       "converted to text\n");
	NDJSON("{\"name\":\"\\x\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 12: invalid escape "
	       "sequence\n");
	NDJSON("{\"name\":\"a\tb\"}",
	       "1! 22P02 col=1 invalid JSON in field \"name\" at character 11: control character "
	       "in string (escape it)\n");
}

static void test_ndjson_broken_lines(void **state)
{
	/* A broken line between good ones, blank lines, CRLF: the good lines are kept. */
	NDJSON("{\"id\":1}\r\n"
	       "\n"
	       "   \r\n"
	       "{\"id\":2, \"name\": \"x\"\r\n"
	       "{\"id\":3}\n"
	       "[1,2]\n"
	       "{\"id\":4} x\n"
	       "{\"id\":01}\n"
	       "{\"id\":1.}\n"
	       "{\"id\":1e}\n"
	       "{\"id\":tru}\n"
	       "{\"id\" 5}\n"
	       "{id:5}\n"
	       "{\"name\":\"unterminated}\n"
	       "{\"id\":-}\n"
	       "{\"id\":6}",
	       "1: 1|NULL|NULL\n5: 3|NULL|NULL\n16: 6|NULL|NULL\n"
	       "4! 22P02 col=1 invalid JSON in field \"name\" at character 22: ',' or '}' "
	       "expected\n"
	       "6! 22P02 col=-1 invalid JSON at character 1: a JSON object expected\n"
	       "7! 22P02 col=-1 invalid JSON at character 10: unexpected data after the object\n"
	       "8! 22P02 col=0 invalid JSON in field \"id\" at character 8: ',' or '}' expected\n"
	       "9! 22P02 col=0 invalid JSON in field \"id\" at character 7: invalid number: digits "
	       "expected after '.'\n"
	       "10! 22P02 col=0 invalid JSON in field \"id\" at character 7: invalid number: "
	       "digits expected in the exponent\n"
	       "11! 22P02 col=0 invalid JSON in field \"id\" at character 7: invalid token "
	       "(expected a value)\n"
	       "12! 22P02 col=0 invalid JSON in field \"id\" at character 7: ':' expected after an "
	       "object key\n"
	       "13! 22P02 col=-1 invalid JSON at character 2: object key expected\n"
	       "14! 22P02 col=1 invalid JSON in field \"name\" at character 23: unterminated "
	       "string\n"
	       "15! 22P02 col=0 invalid JSON in field \"id\" at character 7: invalid number\n");
}

static void test_ndjson_utf8(void **state)
{
	NDJSON("{\"id\":1}\n{\"name\":\"a\xff\"}\n{\"name\":\"\xc0\x80\"}\n{\"name\":\"\xed\xa0\x80\"}\n"
	       "{\"name\":\"\xe2\x82\"}\n{\"id\":2}\n",
	       "1: 1|NULL|NULL\n6: 2|NULL|NULL\n"
	       "2! 22021 col=1 invalid JSON in field \"name\" at character 11: invalid byte "
	       "sequence for encoding \"UTF8\"\n"
	       "3! 22021 col=1 invalid JSON in field \"name\" at character 10: invalid byte "
	       "sequence for encoding \"UTF8\"\n"
	       "4! 22021 col=1 invalid JSON in field \"name\" at character 10: invalid byte "
	       "sequence for encoding \"UTF8\"\n"
	       "5! 22021 col=1 invalid JSON in field \"name\" at character 10: invalid byte "
	       "sequence for encoding \"UTF8\"\n");
	/* Nesting is bounded. */
	char deep[400];
	int n = sprintf(deep, "{\"name\":");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	StrBuf out;
	sb_init(&out);
	const char *got = decode_all(DEC_NDJSON, false, deep, strlen(deep), 10, &out);
	assert_non_null(strstr(got, "nesting too deep"));
	sb_deinit(&out);
}

static void test_csv_header(void **state)
{
	CSV("amount,id,other,name\r\n"
	    "1.5,1,zz,\"a,b\"\r\n"
	    "2,2,,\"say \"\"hi\"\"\"\n"
	    "\n"
	    ",3,,\"\"\n"
	    "4,4,x,\"two\nlines\"\n"
	    "5,5,x,e\xc3\xa9",
	    "2: 1|a,b|1.5\n3: 2|say \"hi\"|2\n5: 3||NULL\n6: 4|two\nlines|4\n8: 5|e\xc3\xa9|5\n");
	/* Header matched case-insensitively; a column named twice refuses the input. */
	CSV("ID,Name\n1,x\n", "2: 1|x|NULL\n");
	CSV("id,name,ID\n1,x,2\n",
	    "FATAL 42701 CSV header (line 1): column \"id\" specified more than once\n");
	CSV("id,\"name\n", "FATAL 22P04 CSV header (line 1), field 2: unterminated CSV quoted field\n");
	CSV("", "");
	CSV("\n\nid\n\n7\n", "5: 7|NULL|NULL\n");
}

static void test_csv_broken(void **state)
{
	CSV("id,name,amount\n"
	    "1,a,1\n"
	    "2,b\n"
	    "3,c,3,4\n"
	    "4,d\"x,4\n"
	    "5,\"e\"x,5\n"
	    "6,\xff,6\n"
	    "7,g,7\n"
	    "8,\"h,8\n"
	    "9,i,9\n",
	    "2: 1|a|1\n8: 7|g|7\n"
	    "3! 22P04 col=-1 missing data for column \"amount\" (2 fields, 3 expected)\n"
	    "4! 22P04 col=-1 extra data after last expected column (4 fields, 3 expected)\n"
	    "5! 22P04 col=1 field 2 (\"name\"): unexpected quote in an unquoted field\n"
	    "6! 22P04 col=1 field 2 (\"name\"): unexpected character after a closing quote\n"
	    "7! 22021 col=1 field 2 (\"name\"): invalid byte sequence for encoding \"UTF8\"\n"
	    "9! 22P04 col=1 field 2 (\"name\"): unterminated CSV quoted field\n");
}

static void test_csv_positional(void **state)
{
	CSV_NOHDR("1,a,2\r\n2,,\r\n3\n4,b,5,6\n", "1: 1|a|2\n2: 2|NULL|NULL\n"
						  "3! 22P04 col=-1 missing data for column \"name\" "
						  "(1 fields, 3 expected)\n"
						  "4! 22P04 col=-1 extra data after last expected column "
						  "(4 fields, 3 expected)\n");
	/* A byte order mark is skipped; a custom delimiter. */
	Decoder d;
	dec_init(&d, DEC_CSV, COLS, 3);
	dec_csv_options(&d, false, '|');
	const char in[] = "\xEF\xBB\xBF"
			  "1|x,y|2\n";
	dec_input(&d, in, sizeof in - 1);
	Err e;
	err_clear(&e);
	assert_int_equal(dec_next(&d, 10, &e), 1);
	assert_int_equal(d.nrows, 1);
	size_t n;
	const char *s = dec_cell(&d, 0, 0, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(s, "1", 1);
	s = dec_cell(&d, 0, 1, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "x,y", 3);
	assert_int_equal(dec_next(&d, 10, &e), 0);
	dec_deinit(&d);
}

/* Small batches: buffers reused, line numbers continue across batches. */
static void test_batches(void **state)
{
	StrBuf in, out;
	sb_init(&in);
	sb_init(&out);
	for (int i = 1; i <= 1000; i++)
		if (i % 100 == 0)
			sb_printf(&in, "{\"id\":%d,\n", i);
		else
			sb_printf(&in, "{\"id\":%d,\"name\":\"n%d\"}\n", i, i);
	Decoder d;
	dec_init(&d, DEC_NDJSON, COLS, 3);
	dec_input(&d, in.data, in.len);
	Err e;
	err_clear(&e);
	int rows = 0, errs = 0;
	while (dec_next(&d, 7, &e) > 0) {
		for (int r = 0; r < d.nrows; r++) {
			char want[32];
			snprintf(want, sizeof want, "%lld", (long long)d.lines[r]);
			size_t n;
			const char *s = dec_cell(&d, r, 0, &n);
			assert_int_equal(n, strlen(want));
			assert_memory_equal(s, want, n);
			rows++;
		}
		for (int i = 0; i < d.nerrs; i++)
			assert_int_equal(d.errs[i].line % 100, 0);
		errs += d.nerrs;
	}
	assert_int_equal(rows, 990);
	assert_int_equal(errs, 10);
	dec_deinit(&d);
	sb_deinit(&in);
	sb_deinit(&out);
}

/* Decodes in[0..len) with the one-pass reader of common records on or off (csv_general). */
static void decode_csv_mode(bool general, bool avx2, bool header, const char *const *cols,
			    int ncols, const char *in, size_t len, int batch, StrBuf *out)
{
	Decoder d;
	dec_init(&d, DEC_CSV, cols, ncols);
	dec_csv_options(&d, header, 0);
	d.csv_general = general;
	d.csv_avx2 = d.csv_avx2 && avx2;
	dec_input(&d, in, len);
	sb_reset(out);
	render(&d, batch, out);
}

/* The one-pass reader (SSE2 and AVX2) takes only records the general reader reads the same
 * way: random inputs of long and short records, most plain, some with quotes, CRLF, blank lines,
 * empty fields, valid and invalid UTF-8, NUL, too many or too few fields, a header naming the
 * columns in another order or ignoring one, decode alike either way (rows, cells, lines,
 * errors). */
static void test_csv_one_pass(void **state)
{
	static const char *const cols[] = {"a", "b", "c", "d"};
#define PIECE(s) {s, sizeof s - 1}
	static const struct {
		const char *s;
		size_t n;
	} pieces[] = {
		PIECE("x"), PIECE("hello world"), PIECE("12345"), PIECE("2015-07-15 00:00:00.000100"),
		PIECE(""), PIECE("https://www.nexmark.com/kez/qpsv/vcp/item.htm?query=1"),
		PIECE("\"q,u\"\"o\nted\""), PIECE("caf\xc3\xa9"), PIECE("bad\xff"), PIECE("nul\0x"),
		PIECE("ab\"c"), PIECE("\r"), PIECE("tail\r"),
		PIECE("a-long-field-of-plain-ascii-text-that-spans-more-than-one-block-of-32-bytes"),
	};
#undef PIECE
	enum { NPIECES = sizeof pieces / sizeof *pieces };
	static const char *const headers[] = {"a,b,c,d\n", "d,c,b,a\n", "a,zz,c,d,b\n", "b,d\r\n"};
	static const int header_fields[] = {4, 4, 5, 2};
	StrBuf in, fast, general;
	sb_init(&in);
	sb_init(&fast);
	sb_init(&general);
	uint64_t seed = 12345;
	for (int round = 0; round < 300; round++) {
		sb_reset(&in);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		bool header = (seed >> 40) % 3 != 0;
		int h = (int)((seed >> 20) % 4);
		if (header)
			sb_puts(&in, headers[h]);
		int want = header ? header_fields[h] : 4;
		int rare = 2 + (int)((seed >> 50) % 30); /* odd records one in `rare` */
		for (int rec = 0; rec < 60; rec++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			int nf = want;
			if ((seed >> 33) % (unsigned)rare == 0)
				nf += (int)((seed >> 13) % 3) - 1; /* too few or too many */
			if ((seed >> 23) % (unsigned)(rare * 2) == 0) {
				sb_puts(&in, (seed >> 3) % 2 ? "\n" : "\r\n"); /* blank line */
				continue;
			}
			for (int f = 0; f < nf; f++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				int k = (int)((seed >> 33) % NPIECES);
				/* Mostly the plain pieces, the odd ones one in `rare`. */
				if (k >= 6 && k <= 12 && (seed >> 45) % (unsigned)rare != 0)
					k = (int)((seed >> 50) % 6);
				if (k == 13 || (seed >> 17) % 4 == 0)
					k = (seed >> 9) % 2 ? 13 : 5;
				if (f)
					sb_putc(&in, ',');
				sb_append(&in, pieces[k].s, pieces[k].n);
			}
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			if (rec < 59 || (seed >> 30) % 2)
				sb_puts(&in, (seed >> 40) % (unsigned)rare == 0 ? "\r\n" : "\n");
		}
		int batch = 1 + (int)((seed >> 35) % 70);
		decode_csv_mode(true, false, header, cols, 4, in.data, in.len, batch, &general);
		/* The one-pass reader with SSE2, then with AVX2 where the processor has it. */
		for (int avx2 = 0; avx2 < 2; avx2++) {
			decode_csv_mode(false, avx2, header, cols, 4, in.data, in.len, batch, &fast);
			if (fast.len != general.len ||
			    memcmp(fast.data, general.data, fast.len) != 0)
				fail_msg("round %d (avx2 %d) differs:\n--- one pass:\n%.*s\n"
					 "--- general:\n%.*s",
					 round, avx2, (int)fast.len, fast.data, (int)general.len,
					 general.data);
		}
	}
	sb_deinit(&in);
	sb_deinit(&fast);
	sb_deinit(&general);
}

static void test_utf8_valid(void **state)
{
	assert_int_equal(dec_utf8_valid("abcdefghijkl", 12), 12);
	assert_int_equal(dec_utf8_valid("abcdefgh\xf4\x8f\xbf\xbf", 12), 12);
	assert_int_equal(dec_utf8_valid("abcdefgh\xf4\x90\x80\x80", 12), 8); /* > U+10FFFF */
	assert_int_equal(dec_utf8_valid("ab\xe0\x80\x80", 5), 2);             /* overlong */
	assert_int_equal(dec_utf8_valid("ab\xf8\x88\x80\x80\x80", 7), 2);
	assert_int_equal(dec_utf8_valid("\xc3", 1), 0);
	assert_int_equal(dec_utf8_valid("abcdefgh\0bc", 11), 8); /* NUL, as in PostgreSQL text */
	assert_int_equal(dec_utf8_valid("ab\0", 3), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson_values),   cmocka_unit_test(test_ndjson_escapes),
		cmocka_unit_test(test_ndjson_broken_lines), cmocka_unit_test(test_ndjson_utf8),
		cmocka_unit_test(test_csv_header),      cmocka_unit_test(test_csv_broken),
		cmocka_unit_test(test_csv_positional),  cmocka_unit_test(test_batches),
		cmocka_unit_test(test_utf8_valid),      cmocka_unit_test(test_csv_one_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
