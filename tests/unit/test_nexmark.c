/* test_nexmark.c: the Nexmark generator: event mix, ids, references between the three sources,
 * prices, padding, times, determinism, bounds, schema checks, option errors and CSV export. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "connect/nexmark.h"
#include "connect/source.h"
#include "vec/rowcodec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXOPT 12

typedef struct Opts {
	Option o[MAXOPT];
	int n;
} Opts;

static void opt(Opts *os, const char *k, const char *v)
{
	os->o[os->n].key = (char *)k;
	os->o[os->n].value = (char *)v;
	os->o[os->n].location = 0;
	os->n++;
}

static Opts nx(const char *type, const char *events)
{
	Opts os = {.n = 0};
	opt(&os, "connector", "nexmark");
	opt(&os, "nexmark.table.type", type);
	if (events)
		opt(&os, "nexmark.events", events);
	return os;
}

/* Reads every row of a source into one chunk list; returns the total rows. */
typedef struct Rows {
	Chunk *chunks[256];
	int nchunks;
	int rows;
} Rows;

static Rows *read_all(Opts *os, const ColumnDef *cols, int ncols)
{
	Err e;
	err_clear(&e);
	ColumnDef *defs = (ColumnDef *)cols;
	int n = ncols;
	Arena a;
	arena_init(&a, 0);
	assert_int_equal(source_check("nexmark", os->o, os->n, &defs, &n, &a, &e), 0);
	SourceReader *r = source_open("nexmark", os->o, os->n, defs, n, &e);
	assert_non_null(r);
	assert_true(r->bounded);
	TypeId types[16];
	for (int i = 0; i < n; i++)
		types[i] = defs[i].type;
	Rows *rs = calloc(1, sizeof *rs);
	for (;;) {
		Chunk *c = chunk_new(types, n);
		int got = r->next(r, c, &e);
		assert_true(got >= 0);
		if (got == 0) {
			chunk_free(c);
			break;
		}
		assert_true(rs->nchunks < 256);
		rs->chunks[rs->nchunks++] = c;
		rs->rows += got;
	}
	r->close(r);
	arena_deinit(&a);
	return rs;
}

static void rows_free(Rows *rs)
{
	for (int i = 0; i < rs->nchunks; i++)
		chunk_free(rs->chunks[i]);
	free(rs);
}

static const Vector *cell(const Rows *rs, int row, int col, int *r)
{
	*r = row % CHUNK_CAP;
	return &rs->chunks[row / CHUNK_CAP]->cols[col];
}

static int64_t i64(const Rows *rs, int row, int col)
{
	int r;
	const Vector *v = cell(rs, row, col, &r);
	return VEC_DATA(v, int64_t)[r];
}

static Str str(const Rows *rs, int row, int col)
{
	int r;
	const Vector *v = cell(rs, row, col, &r);
	return VEC_DATA(v, Str)[r];
}

#define BASE NEXMARK_DEFAULT_BASE_TIME_US

/* Event numbers of the i-th row of each table type. */
static int64_t person_n(int i) { return 50 * (int64_t)i; }
static int64_t auction_n(int i) { return 50 * (int64_t)(i / 3) + 1 + i % 3; }
static int64_t bid_n(int i) { return 50 * (int64_t)(i / 46) + 4 + i % 46; }

static void test_mix_ids_and_times(void **state)
{
	Opts p = nx("Person", "1000"), a = nx("AUCTION", "1000"), b = nx("bid", "1000");
	Rows *pr = read_all(&p, NULL, 0), *ar = read_all(&a, NULL, 0), *br = read_all(&b, NULL, 0);
	/* 1:3:46 of 1000 events. */
	assert_int_equal(pr->rows, 20);
	assert_int_equal(ar->rows, 60);
	assert_int_equal(br->rows, 920);
	for (int i = 0; i < pr->rows; i++) {
		assert_int_equal(i64(pr, i, 0), 1000 + i);
		assert_int_equal(i64(pr, i, 6), BASE + person_n(i) * 100);
	}
	for (int i = 0; i < ar->rows; i++) {
		assert_int_equal(i64(ar, i, 0), 1000 + i);
		assert_int_equal(i64(ar, i, 5), BASE + auction_n(i) * 100);
		assert_true(i64(ar, i, 6) > i64(ar, i, 5));
		assert_true(i64(ar, i, 8) >= 10 && i64(ar, i, 8) <= 14);
		assert_true(i64(ar, i, 4) > i64(ar, i, 3));
	}
	for (int i = 0; i < br->rows; i++)
		assert_int_equal(i64(br, i, 5), BASE + bid_n(i) * 100);
	rows_free(pr);
	rows_free(ar);
	rows_free(br);
}

static void test_references(void **state)
{
	Opts a = nx("auction", "100000"), b = nx("bid", "100000");
	Rows *ar = read_all(&a, NULL, 0), *br = read_all(&b, NULL, 0);
	int exist = 0;
	for (int i = 0; i < ar->rows; i++) {
		int64_t n = auction_n(i), seller = i64(ar, i, 7);
		int64_t last_person = 1000 + n / 50;
		assert_true(seller >= 1000 && seller <= last_person + 10);
		exist += seller <= last_person;
	}
	assert_true(exist > ar->rows * 95 / 100);
	int auction_ok = 0, bidder_ok = 0;
	for (int i = 0; i < br->rows; i++) {
		int64_t n = bid_n(i), auction = i64(br, i, 0), bidder = i64(br, i, 1);
		int64_t last_auction = 1000 + (n / 50) * 3 + 2, last_person = 1000 + n / 50;
		assert_true(auction >= 1000 && auction <= last_auction + 10);
		assert_true(bidder >= 1000 && bidder <= last_person + 10);
		auction_ok += auction <= last_auction;
		bidder_ok += bidder <= last_person;
	}
	assert_true(auction_ok > br->rows * 95 / 100);
	assert_true(bidder_ok > br->rows * 95 / 100);
	rows_free(ar);
	rows_free(br);
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_prices_channels_extra(void **state)
{
	Opts b = nx("bid", "100000");
	Rows *br = read_all(&b, NULL, 0);
	int64_t *prices = malloc(sizeof(int64_t) * (size_t)br->rows);
	double extra = 0;
	int hot = 0, with_id = 0;
	for (int i = 0; i < br->rows; i++) {
		prices[i] = i64(br, i, 2);
		assert_true(prices[i] >= 100 && prices[i] <= 100000000);
		Str x = str(br, i, 6);
		assert_true(x.len >= 54 && x.len < 82);
		for (uint32_t k = 0; k < x.len; k++)
			assert_true(x.p[k] >= 'a' && x.p[k] <= 'z');
		extra += x.len;
		Str ch = str(br, i, 3), url = str(br, i, 4);
		assert_true(url.len > 24 && !memcmp(url.p, "https://www.nexmark.com/", 24));
		if (ch.len > 8 && !memcmp(ch.p, "channel-", 8)) {
			with_id += memmem(url.p, url.len, "&channel_id=", 12) != NULL;
		} else {
			hot++;
			assert_null(memmem(url.p, url.len, "&channel_id=", 12));
		}
	}
	/* Log-uniform over 10^2..10^8: the median is near 10^5. */
	qsort(prices, (size_t)br->rows, sizeof *prices, cmp64);
	int64_t median = prices[br->rows / 2];
	assert_true(median > 50000 && median < 200000);
	assert_true(prices[br->rows / 10] < 1000 * 100 / 10 * 4); /* 10th percentile near 4e3 */
	/* Bids average 100 bytes: 32 for the numbers, the rest extra. */
	extra /= br->rows;
	assert_true(32 + extra > 95 && 32 + extra < 105);
	assert_true(hot > br->rows * 45 / 100 && hot < br->rows * 55 / 100);
	int cold = br->rows - hot;
	assert_true(with_id > cold * 85 / 100 && with_id < cold * 95 / 100);
	free(prices);
	rows_free(br);

	/* Persons average 200 bytes and auctions 500, by Flink's estimate of their size. */
	Opts p = nx("person", "100000"), a = nx("auction", "100000");
	Rows *pr = read_all(&p, NULL, 0), *ar = read_all(&a, NULL, 0);
	double size = 0;
	for (int i = 0; i < pr->rows; i++) {
		size += 8;
		for (int c = 1; c <= 7; c++)
			if (c != 6)
				size += str(pr, i, c).len;
		Str st = str(pr, i, 5);
		assert_int_equal(st.len, 2);
		Str cc = str(pr, i, 3);
		assert_int_equal(cc.len, 19);
		Str em = str(pr, i, 2);
		assert_non_null(memchr(em.p, '@', em.len));
	}
	size /= pr->rows;
	assert_true(size > 190 && size < 210);
	size = 0;
	for (int i = 0; i < ar->rows; i++)
		size += 8 + str(ar, i, 1).len + str(ar, i, 2).len + 40 + str(ar, i, 9).len;
	size /= ar->rows;
	assert_true(size > 475 && size < 525);
	rows_free(pr);
	rows_free(ar);
}

static bool same_bids(const Rows *x, const Rows *y)
{
	if (x->rows != y->rows)
		return false;
	for (int i = 0; i < x->rows; i++) {
		for (int c = 0; c < 7; c++) {
			if (c == 3 || c == 4 || c == 6) {
				Str a = str(x, i, c), b = str(y, i, c);
				if (a.len != b.len || memcmp(a.p, b.p, a.len))
					return false;
			} else if (i64(x, i, c) != i64(y, i, c)) {
				return false;
			}
		}
	}
	return true;
}

static void test_determinism_and_projection(void **state)
{
	Opts b1 = nx("bid", "5000"), b2 = nx("bid", "5000"), b3 = nx("bid", "5000");
	opt(&b1, "nexmark.seed", "7");
	opt(&b2, "nexmark.seed", "7");
	opt(&b3, "nexmark.seed", "8");
	Rows *x = read_all(&b1, NULL, 0), *y = read_all(&b2, NULL, 0), *z = read_all(&b3, NULL, 0);
	assert_true(same_bids(x, y));
	assert_false(same_bids(x, z));
	/* Declared columns, a subset in another order, see the same values. */
	ColumnDef cols[] = {{(char *)"price", T_INT8, -1, false},
			    {(char *)"extra", T_VARCHAR, -1, false},
			    {(char *)"auction", T_INT8, -1, false}};
	Rows *p = read_all(&b1, cols, 3);
	assert_int_equal(p->rows, x->rows);
	for (int i = 0; i < p->rows; i++) {
		assert_int_equal(i64(p, i, 0), i64(x, i, 2));
		assert_int_equal(i64(p, i, 2), i64(x, i, 0));
		Str a = str(p, i, 1), b = str(x, i, 6);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.p, b.p, a.len);
	}
	rows_free(x);
	rows_free(y);
	rows_free(z);
	rows_free(p);
}

/* Row `row` of rs, encoded exactly. */
static void encode_row(const Rows *rs, int row, StrBuf *out)
{
	const Chunk *c = rs->chunks[row / CHUNK_CAP];
	sb_reset(out);
	row_encode(c, NULL, c->ncols, row % CHUNK_CAP, 0, out);
}

/* skip_rows passes over rows without drawing them: a reader that skips and reads in turns sees the
 * rows at the same places as one that reads them all (as parallel instances use it), and
 * skipping past the end ends the source. */
static void test_skip(void **state)
{
	static const char *const types[] = {"person", "auction", "bid"};
	static const int64_t skips[] = {0, 1, 1023, 46, 3, 2048, 5000};
	StrBuf a, b;
	sb_init(&a);
	sb_init(&b);
	for (int t = 0; t < 3; t++) {
		Opts o = nx(types[t], "100000");
		Rows *all = read_all(&o, NULL, 0);
		Err e;
		err_clear(&e);
		ColumnDef *defs = NULL;
		int n = 0;
		Arena ar;
		arena_init(&ar, 0);
		assert_int_equal(source_check("nexmark", o.o, o.n, &defs, &n, &ar, &e), 0);
		SourceReader *r = source_open("nexmark", o.o, o.n, defs, n, &e);
		assert_non_null(r->skip_rows);
		TypeId ty[16];
		for (int i = 0; i < n; i++)
			ty[i] = defs[i].type;
		Chunk *c = chunk_new(ty, n);
		int64_t pos = 0;
		for (int k = 0; pos < all->rows; k++) {
			int64_t sk = skips[k % 7];
			assert_int_equal(r->skip_rows(r, sk, &e), 0);
			pos += sk;
			chunk_reset(c);
			int got = r->next(r, c, &e);
			if (pos >= all->rows) {
				assert_int_equal(got, 0);
				break;
			}
			assert_int_equal(got, all->rows - pos < CHUNK_CAP ? all->rows - pos : CHUNK_CAP);
			Rows one = {.chunks = {c}, .nchunks = 1, .rows = got};
			for (int j = 0; j < got; j++) {
				encode_row(all, (int)pos + j, &a);
				encode_row(&one, j, &b);
				assert_int_equal(a.len, b.len);
				assert_memory_equal(a.data, b.data, a.len);
			}
			pos += got;
		}
		assert_int_equal(r->skip_rows(r, 1, &e), 0);
		chunk_reset(c);
		assert_int_equal(r->next(r, c, &e), 0);
		chunk_free(c);
		r->close(r);
		arena_deinit(&ar);
		rows_free(all);
	}
	sb_deinit(&a);
	sb_deinit(&b);
}

static void test_rate_base_time_and_reader(void **state)
{
	Opts b = nx("bid", "200");
	opt(&b, "nexmark.rate", "1000");
	opt(&b, "nexmark.base_time", "2024-01-01 00:00:00");
	opt(&b, "nexmark.split.num", "4");
	opt(&b, "nexmark.min.event.gap.in.ns", "100000");
	opt(&b, "nexmark.max.chunk.size", "256");
	Rows *br = read_all(&b, NULL, 0);
	assert_int_equal(br->rows, 4 * 46);
	for (int i = 0; i < br->rows; i++)
		assert_int_equal(i64(br, i, 5), INT64_C(1704067200000000) + bid_n(i) * 1000);
	rows_free(br);
	/* A rate that does not divide a second: times round down. */
	NexmarkOpts o;
	nexmark_opts_default(&o);
	o.rate = 3;
	assert_int_equal(nexmark_event_time(&o, 1), BASE + 333333);
	assert_int_equal(nexmark_event_time(&o, 3), BASE + 1000000);
	/* Unbounded by default; the reader's rate is its own rows per second. */
	Opts u = nx("bid", NULL);
	Err e;
	err_clear(&e);
	SourceReader *r = source_open("nexmark", u.o, u.n, NULL, 0, &e);
	assert_non_null(r);
	assert_false(r->bounded);
	assert_true(r->rate > 9199 && r->rate < 9201);
	r->close(r);
	/* nexmark.event.num is RisingWave's name for nexmark.events. */
	Opts rw = {.n = 0};
	opt(&rw, "connector", "nexmark");
	opt(&rw, "nexmark.table.type", "Person");
	opt(&rw, "nexmark.event.num", "500");
	Rows *pr = read_all(&rw, NULL, 0);
	assert_int_equal(pr->rows, 10);
	rows_free(pr);
}

static void expect_fail(Opts *os, const ColumnDef *cols, int ncols, const char *state,
			 const char *msg)
{
	Err e;
	err_clear(&e);
	Arena a;
	arena_init(&a, 0);
	ColumnDef *defs = (ColumnDef *)cols;
	int n = ncols;
	assert_int_equal(source_check(os->o[0].value, os->o, os->n, &defs, &n, &a, &e), -1);
	assert_string_equal(err_sqlstate(e.code), state);
	assert_string_equal(e.msg, msg);
	err_clear(&e);
	assert_null(source_open(os->o[0].value, os->o, os->n, cols, ncols, &e));
	assert_string_equal(err_sqlstate(e.code), state);
	arena_deinit(&a);
}

static void test_schema_and_errors(void **state)
{
	Err e;
	err_clear(&e);
	Arena a;
	arena_init(&a, 0);
	Opts b = nx("Bid", NULL);
	ColumnDef *defs = NULL;
	int n = 0;
	assert_int_equal(source_check("NEXMARK", b.o, b.n, &defs, &n, &a, &e), 0);
	assert_int_equal(n, 7);
	const char *names[] = {"auction", "bidder", "price", "channel", "url", "date_time", "extra"};
	for (int i = 0; i < 7; i++)
		assert_string_equal(defs[i].name, names[i]);
	assert_int_equal(defs[5].type, T_TIMESTAMP);
	n = 0;
	Opts p = nx("person", NULL);
	assert_int_equal(source_check("nexmark", p.o, p.n, &defs, &n, &a, &e), 0);
	assert_int_equal(n, 8);
	assert_string_equal(defs[2].name, "email_address");
	n = 0;
	Opts au = nx("auction", NULL);
	assert_int_equal(source_check("nexmark", au.o, au.n, &defs, &n, &a, &e), 0);
	assert_int_equal(n, 10);
	assert_string_equal(defs[6].name, "expires");
	arena_deinit(&a);

	ColumnDef bad_name[] = {{(char *)"auction", T_INT8, -1, false},
				{(char *)"bidderz", T_INT8, -1, false}};
	expect_fail(&b, bad_name, 2, "42601",
		     "column \"bidderz\" is not a column of nexmark table type bid");
	ColumnDef bad_type[] = {{(char *)"price", T_INT4, -1, false}};
	expect_fail(&b, bad_type, 1, "42601",
		     "column \"price\" of nexmark table type bid has type bigint, not integer");

	Opts o1 = {.n = 0};
	opt(&o1, "connector", "nexmark");
	expect_fail(&o1, NULL, 0, "22023", "option \"nexmark.table.type\" is required");
	Opts o2 = nx("Bids", NULL);
	expect_fail(&o2, NULL, 0, "22023", "invalid value for option \"nexmark.table.type\": \"Bids\"");
	Opts o3 = nx("bid", "abc");
	expect_fail(&o3, NULL, 0, "22023", "invalid value for option \"nexmark.events\": \"abc\"");
	Opts o4 = nx("bid", NULL);
	opt(&o4, "nexmark.rate", "0");
	expect_fail(&o4, NULL, 0, "22023", "invalid value for option \"nexmark.rate\": \"0\"");
	Opts o5 = nx("bid", NULL);
	opt(&o5, "nexmark.base_time", "yesterday");
	expect_fail(&o5, NULL, 0, "22023",
		     "invalid value for option \"nexmark.base_time\": \"yesterday\"");
	Opts o6 = nx("bid", NULL);
	opt(&o6, "nexmark.sead", "1");
	expect_fail(&o6, NULL, 0, "22023", "unknown option \"nexmark.sead\"");
	Opts o7 = nx("bid", NULL);
	o7.o[0].value = (char *)"foo";
	expect_fail(&o7, NULL, 0, "42704", "unknown connector \"foo\"");

	err_clear(&e);
	n = 0;
	assert_int_equal(source_check(NULL, b.o, b.n, &defs, &n, NULL, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22023");
	assert_string_equal(e.msg, "option \"connector\" is required");
}

/* Reads a file's lines (at most max) into a malloc'ed buffer. */
static int count_lines(const char *path, char *first_data, size_t cap)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (n == 1)
			snprintf(first_data, cap, "%s", line);
		n++;
	}
	fclose(f);
	return n;
}

static void test_export(void **state)
{
	char dir[] = "/tmp/eddy_nexmark_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[256];
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	NexmarkOpts o;
	nexmark_opts_default(&o);
	o.events = 10000;
	o.seed = 3;
	Err e;
	err_clear(&e);
	assert_int_equal(nexmark_export(&o, sub, &e), 0);

	char path[512], first[4096];
	snprintf(path, sizeof path, "%s/person.csv", sub);
	assert_int_equal(count_lines(path, first, sizeof first), 1 + 200);
	snprintf(path, sizeof path, "%s/auction.csv", sub);
	assert_int_equal(count_lines(path, first, sizeof first), 1 + 600);
	snprintf(path, sizeof path, "%s/bid.csv", sub);
	assert_int_equal(count_lines(path, first, sizeof first), 1 + 9200);
	FILE *f = fopen(path, "r");
	char header[256];
	assert_non_null(fgets(header, sizeof header, f));
	fclose(f);
	assert_string_equal(header, "auction,bidder,price,channel,url,date_time,extra\n");

	/* The first bid as the reader produces it. */
	Opts b = nx("bid", "10000");
	opt(&b, "nexmark.seed", "3");
	Rows *br = read_all(&b, NULL, 0);
	char expect[4096];
	Str ch = str(br, 0, 3), url = str(br, 0, 4), x = str(br, 0, 6);
	snprintf(expect, sizeof expect, "%lld,%lld,%lld,%.*s,%.*s,2015-07-15 00:00:00.000400,%.*s\n",
		 (long long)i64(br, 0, 0), (long long)i64(br, 0, 1), (long long)i64(br, 0, 2),
		 (int)ch.len, ch.p, (int)url.len, url.p, (int)x.len, x.p);
	assert_string_equal(first, expect);
	rows_free(br);

	o.events = -1;
	assert_int_equal(nexmark_export(&o, sub, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22023");

	const char *files[] = {"person.csv", "auction.csv", "bid.csv"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", sub, files[i]);
		unlink(path);
	}
	rmdir(sub);
	snprintf(path, sizeof path, "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mix_ids_and_times),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_prices_channels_extra),
		cmocka_unit_test(test_determinism_and_projection),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_rate_base_time_and_reader),
		cmocka_unit_test(test_schema_and_errors),
		cmocka_unit_test(test_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
