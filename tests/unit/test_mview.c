/* test_mview.c: unit tests of MvStore, the stored rows of views (multisets) and tables (keyed).
 *
 * Changelog chunks are built by hand; the store's content is read back with mvstore_scan and
 * compared as sorted text rows. Covers duplicates, update pairs, deletes of absent rows
 * (anomalies), keyed upserts and lookups, scans longer than one chunk, and the byte count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "stream/mview.h"
#include "vec/value.h"

static const TypeId TYPES[3] = { T_INT4, T_VARCHAR, T_NUMERIC };

/* "+ 1,abc,1.50; - 2,NULL,0": one row per ';', op then values. */
static Chunk *mk_chunk(const char *spec)
{
	Chunk *c = chunk_new(TYPES, 3);
	const char *p = spec;
	Err e;
	err_clear(&e);
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		int r = c->nrows++;
		Op op = OP_INSERT;
		if (strncmp(p, "U-", 2) == 0)
			op = OP_UPDATE_DELETE;
		else if (strncmp(p, "U+", 2) == 0)
			op = OP_UPDATE_INSERT;
		else if (*p == '-')
			op = OP_DELETE;
		c->ops[r] = (uint8_t)op;
		p = strchr(p, ' ') + 1;
		for (int i = 0; i < 3; i++) {
			size_t n = strcspn(p, ",;");
			if (n == 4 && strncmp(p, "NULL", 4) == 0) {
				c->cols[i].nulls[r] = 1;
			} else {
				Value v;
				assert_int_equal(value_parse(TYPES[i], p, n, &v, &c->arena, &e), 0);
				vec_set_value(&c->cols[i], r, &v, &c->arena);
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
	return c;
}

static void apply(MvStore *s, const char *spec)
{
	Chunk *c = mk_chunk(spec);
	mvstore_apply(s, c);
	chunk_free(c);
}

typedef struct Lines {
	StrBuf text;
	int chunks;
} Lines;

static int collect(void *arg, const Chunk *c, Err *e)
{
	Lines *l = arg;
	l->chunks++;
	for (int r = 0; r < c->nrows; r++)
		assert_int_equal(c->ops[r], OP_INSERT);
	chunk_print(c, &l->text);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The store's rows as sorted text lines; the caller frees the result. */
static char *content(MvStore *s, int *chunks)
{
	Lines l = { { 0 }, 0 };
	sb_init(&l.text);
	Err e;
	err_clear(&e);
	assert_int_equal(mvstore_scan(s, collect, &l, &e), 0);
	if (chunks)
		*chunks = l.chunks;
	char *text = l.text.data ? l.text.data : "";
	size_t n = 0;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	char **lines = mem_calloc(n + 1, sizeof *lines);
	size_t k = 0;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		lines[k++] = p;
	qsort(lines, k, sizeof *lines, cmp_line);
	StrBuf out;
	sb_init(&out);
	sb_puts(&out, "");
	for (size_t i = 0; i < k; i++) {
		sb_puts(&out, lines[i]);
		sb_putc(&out, '\n');
	}
	mem_free(lines);
	sb_deinit(&l.text);
	return sb_take(&out);
}

static void assert_content(MvStore *s, const char *want)
{
	char *got = content(s, NULL);
	assert_string_equal(got, want);
	mem_free(got);
}

static void test_multiset(void **state)
{
	MvStore *s = mvstore_new(TYPES, 3, NULL, 0);
	assert_content(s, "");
	size_t empty = mvstore_bytes(s);
	apply(s, "+ 1,a,1.50; + 1,a,1.50; + 2,NULL,NULL; + 3,c,2");
	assert_int_equal(s->nrows, 4);
	assert_content(s, "+ 1,a,1.50\n+ 1,a,1.50\n+ 2,NULL,NULL\n+ 3,c,2\n");
	assert_true(mvstore_bytes(s) > empty);
	/* Stored rows keep their exact value: 1.5 is not the row 1.50. */
	apply(s, "- 1,a,1.5");
	assert_int_equal(s->anomalies, 1);
	apply(s, "- 1,a,1.50; U- 3,c,2; U+ 3,c,4");
	assert_int_equal(s->nrows, 3);
	assert_content(s, "+ 1,a,1.50\n+ 2,NULL,NULL\n+ 3,c,4\n");
	apply(s, "- 1,a,1.50; - 1,a,1.50; - 2,NULL,NULL; U- 9,z,9");
	assert_int_equal(s->anomalies, 3);
	assert_int_equal(s->nrows, 1);
	assert_content(s, "+ 3,c,4\n");
	apply(s, "- 3,c,4");
	assert_int_equal(s->nrows, 0);
	assert_int_equal(hmap_count(&s->rows), 0);
	mvstore_free(s);
}

static void test_keyed(void **state)
{
	int pk[1] = { 0 };
	MvStore *s = mvstore_new(TYPES, 3, pk, 1);
	apply(s, "+ 1,a,1; + 2,b,2; + 3,NULL,NULL");
	assert_int_equal(s->nrows, 3);
	assert_content(s, "+ 1,a,1\n+ 2,b,2\n+ 3,NULL,NULL\n");
	/* An update pair replaces the row under its key. */
	apply(s, "U- 2,b,2; U+ 2,bb,22");
	assert_content(s, "+ 1,a,1\n+ 2,bb,22\n+ 3,NULL,NULL\n");
	/* Lookup by key: the row comes back whole. */
	Chunk *probe = mk_chunk("+ 2,NULL,NULL; + 7,NULL,NULL");
	Chunk *dst = chunk_new(TYPES, 3);
	assert_true(mvstore_lookup(s, probe, 0, dst, 0));
	dst->nrows = 1;
	dst->ops[0] = OP_INSERT;
	StrBuf sb;
	sb_init(&sb);
	chunk_print(dst, &sb);
	assert_string_equal(sb.data, "+ 2,bb,22\n");
	assert_false(mvstore_lookup(s, probe, 1, dst, 0));
	/* Delete by key, whatever the other columns say; absent keys are anomalies. */
	apply(s, "- 1,x,0; - 7,q,0");
	assert_int_equal(s->anomalies, 1);
	/* An insert over a live key is an anomaly too; the newer row wins. */
	apply(s, "+ 3,new,3");
	assert_int_equal(s->anomalies, 2);
	assert_int_equal(s->nrows, 2);
	assert_content(s, "+ 2,bb,22\n+ 3,new,3\n");
	assert_true(mvstore_bytes(s) > sizeof *s);
	sb_deinit(&sb);
	chunk_free(probe);
	chunk_free(dst);
	mvstore_free(s);
}

static int fail_emit(void *arg, const Chunk *c, Err *e)
{
	return err_set(e, ERR_INTERNAL, "stop");
}

static void test_scan_many(void **state)
{
	MvStore *s = mvstore_new(TYPES, 3, NULL, 0);
	Chunk *c = chunk_new(TYPES, 3);
	/* 1500 distinct rows and one row stored 700 times: the scan spans chunks. */
	for (int i = 0; i < 2200; i++) {
		int r = c->nrows++;
		Value k = value_int(T_INT4, i < 1500 ? i : -1);
		vec_set_value(&c->cols[0], r, &k, NULL);
		c->cols[1].nulls[r] = 1;
		c->cols[2].nulls[r] = 1;
		c->ops[r] = OP_INSERT;
		if (chunk_full(c)) {
			mvstore_apply(s, c);
			chunk_reset(c);
		}
	}
	mvstore_apply(s, c);
	chunk_free(c);
	assert_int_equal(s->nrows, 2200);
	int chunks = 0;
	char *text = content(s, &chunks);
	assert_int_equal(chunks, 3);
	size_t lines = 0, dup = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	for (char *p = strstr(text, "+ -1,"); p; p = strstr(p + 1, "+ -1,"))
		dup++;
	assert_int_equal(lines, 2200);
	assert_int_equal(dup, 700);
	mem_free(text);
	Err e;
	err_clear(&e);
	assert_int_equal(mvstore_scan(s, fail_emit, NULL, &e), -1);
	assert_string_equal(e.msg, "stop");
	mvstore_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiset),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_scan_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
