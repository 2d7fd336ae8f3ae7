/* nexmark.c: the Nexmark generator, its connector callbacks and its CSV export (see nexmark.h).
 *
 * Layer: connect. Owns the event rules; never touches storage or plans.
 *
 * The rules follow the reference Flink generator (nexmark/nexmark: GeneratorConfig and the
 * Person, Auction, Bid, Price and Strings generators), re-expressed for a columnar,
 * counter-based generator:
 *   - event n: person if n % 50 == 0, auction if n % 50 in 1..3, bid otherwise;
 *   - person id 1000 + n / 50; auction id 1000 + (n / 50) * 3 + (n % 50 - 1);
 *   - seller: 3/4 the hot seller (last person / 100) * 100, else a random one of the last 1000
 *     people plus 10 "lead" ids not created yet; bidder: 3/4 the hot bidder
 *     (last person / 100) * 100 + 1, else the same random choice; bid auction: 1/2 the hot
 *     auction (last auction / 100) * 100, else a random one of the last 100 auctions plus 10 leads
 *     (Flink's leads deliberately refer to a few ids that appear a moment later);
 *   - prices round(10^(6U) * 100), log-uniform over 100..10^8; reserve = initial_bid + price;
 *   - channel: 1/2 one of Google, Facebook, Baidu, Apple with a fixed url each, else
 *     "channel-N" (N < 10000) whose url ends in "&channel_id=" |bitreverse32(N)| 90 % of the time;
 *   - extra: letters padding the event's estimated size (Flink's currentSize: 8 bytes per number
 *     plus string lengths) to an average of 200 / 500 / 100 bytes, the padding uniform within
 *     +-20 % of its mean;
 *   - expires = date_time + 1 us + U[0, 2 * horizon), horizon the time until 1666 events later
 *     (when 100 more auctions will have been created).
 * Where eddy departs from Flink's code, on purpose: times are microseconds, not milliseconds;
 * Flink's bid generator adds the first person id twice to the bidder (a bug that makes no bidder
 * join a person) and eddy adds it once; its channel urls come from an unseeded Random and eddy's
 * from the seed; random words never start or end with a space (Flink trims them, which makes the
 * size estimate slightly off), so no trimming is needed.
 *
 * Randomness: each event draws its numbers from a generator seeded with hash(seed, n); strings
 * draw their letters from separate streams hash(seed ^ stream, n), so a reader that does not
 * need a string column (say, extra) skips its letters without changing any other value.
 */
#include "connect/nexmark.h"

#include "base/strbuf.h"
#include "connect/genutil.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- schemas */

#define PERSON_COLS(X)                                                                             \
	X(P_ID, "id", T_INT8)                                                                      \
	X(P_NAME, "name", T_VARCHAR)                                                               \
	X(P_EMAIL, "email_address", T_VARCHAR)                                                     \
	X(P_CARD, "credit_card", T_VARCHAR)                                                        \
	X(P_CITY, "city", T_VARCHAR)                                                               \
	X(P_STATE, "state", T_VARCHAR)                                                             \
	X(P_DATE_TIME, "date_time", T_TIMESTAMP)                                                   \
	X(P_EXTRA, "extra", T_VARCHAR)

#define AUCTION_COLS(X)                                                                            \
	X(A_ID, "id", T_INT8)                                                                      \
	X(A_ITEM, "item_name", T_VARCHAR)                                                          \
	X(A_DESC, "description", T_VARCHAR)                                                        \
	X(A_INITIAL, "initial_bid", T_INT8)                                                        \
	X(A_RESERVE, "reserve", T_INT8)                                                            \
	X(A_DATE_TIME, "date_time", T_TIMESTAMP)                                                   \
	X(A_EXPIRES, "expires", T_TIMESTAMP)                                                       \
	X(A_SELLER, "seller", T_INT8)                                                              \
	X(A_CATEGORY, "category", T_INT8)                                                          \
	X(A_EXTRA, "extra", T_VARCHAR)

#define BID_COLS(X)                                                                                \
	X(B_AUCTION, "auction", T_INT8)                                                            \
	X(B_BIDDER, "bidder", T_INT8)                                                              \
	X(B_PRICE, "price", T_INT8)                                                                \
	X(B_CHANNEL, "channel", T_VARCHAR)                                                         \
	X(B_URL, "url", T_VARCHAR)                                                                 \
	X(B_DATE_TIME, "date_time", T_TIMESTAMP)                                                   \
	X(B_EXTRA, "extra", T_VARCHAR)

#define COL_ENUM(id, name, type) id,
enum { PERSON_COLS(COL_ENUM) P__N };
enum { AUCTION_COLS(COL_ENUM) A__N };
enum { BID_COLS(COL_ENUM) B__N };
#undef COL_ENUM

typedef struct ColSpec {
	const char *name;
	TypeId type;
} ColSpec;

#define COL_SPEC(id, name, type) {name, type},
static const ColSpec person_cols[] = {PERSON_COLS(COL_SPEC)};
static const ColSpec auction_cols[] = {AUCTION_COLS(COL_SPEC)};
static const ColSpec bid_cols[] = {BID_COLS(COL_SPEC)};
#undef COL_SPEC

static const struct {
	const char *name;
	int share;
	const ColSpec *cols;
	int ncols;
} tables[] = {
	{"person", 1, person_cols, P__N},
	{"auction", 3, auction_cols, A__N},
	{"bid", 46, bid_cols, B__N},
};

int nexmark_ncols(NexmarkTable t)
{
	return tables[t].ncols;
}

const char *nexmark_col_name(NexmarkTable t, int i)
{
	return tables[t].cols[i].name;
}

TypeId nexmark_col_type(NexmarkTable t, int i)
{
	return tables[t].cols[i].type;
}

/* ---- the event sequence */

#define NUM_ACTIVE_PEOPLE 1000
#define NUM_IN_FLIGHT_AUCTIONS 100
#define ID_LEAD 10
#define HOT_RATIO 100
#define NUM_CATEGORIES 5
#define FIRST_CATEGORY 10
#define NUM_CHANNELS 10000
/* Events until NUM_IN_FLIGHT_AUCTIONS more auctions exist: 100 * 50 / 3. */
#define EVENTS_FOR_AUCTIONS (NUM_IN_FLIGHT_AUCTIONS * NEXMARK_TOTAL_PROPORTION / 3)

/* Random streams: numbers of an event, and the letters of each string field. */
enum { S_EVENT, S_EMAIL, S_ITEM, S_DESC, S_EXTRA, S_URL, S_HOT_URL, S__N };

NexmarkTable nexmark_event_table(int64_t n)
{
	int r = (int)(n % NEXMARK_TOTAL_PROPORTION);
	return r == 0 ? NEXMARK_PERSON : r <= 3 ? NEXMARK_AUCTION : NEXMARK_BID;
}

int64_t nexmark_event_time(const NexmarkOpts *o, int64_t n)
{
	return gen_time_at(o->base_time_us, o->rate, n);
}

static inline int64_t last_person(int64_t n) /* base 0 */
{
	return n / NEXMARK_TOTAL_PROPORTION;
}

static inline int64_t last_auction(int64_t n) /* base 0; -1 before the first */
{
	int64_t epoch = n / NEXMARK_TOTAL_PROPORTION, off = n % NEXMARK_TOTAL_PROPORTION;
	if (off == 0)
		return epoch * 3 - 1;
	return epoch * 3 + (off <= 3 ? off - 1 : 2);
}

/* One of the last NUM_ACTIVE_PEOPLE people, or one of the ID_LEAD about to join (base 0). */
static inline int64_t random_person(GenRng *r, int64_t n)
{
	int64_t num = last_person(n) + 1;
	int64_t active = num < NUM_ACTIVE_PEOPLE ? num : NUM_ACTIVE_PEOPLE;
	return num - active + (int64_t)gen_below(r, (uint64_t)(active + ID_LEAD));
}

static inline int64_t random_auction(GenRng *r, int64_t n)
{
	int64_t max = last_auction(n);
	int64_t min = max - NUM_IN_FLIGHT_AUCTIONS > 0 ? max - NUM_IN_FLIGHT_AUCTIONS : 0;
	return min + (int64_t)gen_below(r, (uint64_t)(max - min + 1 + ID_LEAD));
}

/* Prices are (int64_t)(exp(6 U ln 10) * 100 + 0.5) with libm's exp: round(10^(6U) * 100).
 * exp is a tenth of a simple query's time, so a table-driven one stands in for it:
 * exp(x) = 2^(k/64) * e^f with k = round(x * 64 / ln 2), |f| <= ln 2 / 128, e^f by its Taylor
 * polynomial of degree 5 (truncation below 4e-17), 2^(j/64) from a table of 64 (tab, made by
 * price_table). Its relative error is a few 1e-16, so it rounds to the same integer as libm
 * does unless the value lies within 1e-12 (relative) of a rounding boundary; those few (about
 * one price in 10^5 at the largest prices, fewer below) are computed with libm's exp, and every
 * price is exactly the one the plain formula gives. */
#define LN2_64_HI (6.93147180369123816490e-01 / 64) /* ln 2 / 64, its first 32 bits */
#define LN2_64_LO (1.90821492927058770002e-10 / 64) /* the rest */

static void price_table(double *tab)
{
	for (int j = 0; j < 64; j++)
		tab[j] = exp2(j / 64.0);
}

static inline int64_t next_price(const double *tab, GenRng *r)
{
	double x = gen_unit(r) * (6.0 * M_LN10); /* 0 <= x < 13.82 */
	int k = (int)(x * (64 / M_LN2) + 0.5);
	double f = (x - k * LN2_64_HI) - k * LN2_64_LO;
	double ef = 1 + f * (1 + f * (1 / 2.0 + f * (1 / 6.0 + f * (1 / 24.0 + f * (1 / 120.0)))));
	uint64_t bits = (uint64_t)(1023 + (k >> 6)) << 52; /* 2^(k / 64), k < 1300 */
	double scale;
	memcpy(&scale, &bits, sizeof scale);
	double v = tab[k & 63] * ef * scale * 100.0;
	double w = floor(v + 0.5), frac = v + 0.5 - w, margin = v * 1e-12 + 1e-9;
	if (frac < margin || frac > 1 - margin)
		return (int64_t)(exp(x) * 100.0 + 0.5);
	return (int64_t)w;
}

/* Length of the padding that brings an event of `current` bytes to `avg` on average: uniform
 * within +-20 % of want = avg - current. The 20 % is want / 5 rounded to the nearest integer,
 * which is never a tie (a fifth of an integer ends in .0, .2, .4, .6 or .8), so (want + 2) / 5
 * gives exactly what lround(want * 0.2) gives. */
static inline int extra_len(GenRng *r, int current, int avg)
{
	if (current > avg)
		return 0;
	int want = avg - current;
	int delta = (want + 2) / 5;
	return want - delta + (delta ? (int)gen_below(r, (uint64_t)(2 * delta)) : 0);
}

/* A word of n >= 3 characters: letters, and inside it `special` about once in 13. Byte i of
 * the i / 8-th draw picks character i: a byte b < 20 not at either end gives `special`, any
 * other 'a' + b * 26 / 256. Eight letters are made at once (gen_letters8) and the few specials
 * patched in after. */
static void word(GenRng *r, char *p, int n, char special)
{
	GenRng g = *r; /* stores through p could alias *r */
	for (int i = 0; i < n; i += 8) {
		uint64_t x = gen_next(&g);
		uint64_t w = gen_letters8(x);
		memcpy(p + i, &w, (size_t)(n - i < 8 ? n - i : 8));
		/* The bytes below 20: their high bit is clear, and so is that of (b & 0x7f) + 108
		 * (108 + 20 = 128; no byte carries into the next). */
		uint64_t low = ~(((x & 0x7f7f7f7f7f7f7f7fULL) + 0x6c6c6c6c6c6c6c6cULL) | x) &
			       0x8080808080808080ULL;
		for (; low; low &= low - 1) {
			int at = i + (__builtin_ctzll(low) >> 3);
			if (at > 0 && at < n - 1)
				p[at] = special;
		}
	}
	*r = g;
}

static const char *const states[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
static const char *const cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise",
				     "Portland", "Bend", "Redmond", "Seattle", "Kent",
				     "Cheyenne"};
static const char *const first_names[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
					  "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
static const char *const last_names[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
					 "Walton", "Smith",  "Jones",   "Noris"};
static const char *const hot_channels[] = {"Google", "Facebook", "Baidu", "Apple"};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define URL_MAX 96

static uint32_t bitreverse32(uint32_t x)
{
	x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
	x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
	x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
	x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
	return (x >> 16) | (x << 16);
}

/* The url of channel `num` (stream S_URL) or of hot channel `num` (S_HOT_URL). */
static int make_url(uint64_t seed, int stream, int num, char *buf)
{
	GenRng r = gen_rng(seed, (uint64_t)stream, (uint64_t)num);
	static const char head[] = "https://www.nexmark.com/", tail[] = "item.htm?query=1";
	int len = (int)sizeof head - 1;
	memcpy(buf, head, (size_t)len);
	for (int i = 0; i < 3; i++) {
		int n = 3 + (int)gen_below(&r, 2);
		word(&r, buf + len, n, '_');
		len += n;
		buf[len++] = '/';
	}
	memcpy(buf + len, tail, sizeof tail - 1);
	len += (int)sizeof tail - 1;
	if (stream == S_URL && gen_below(&r, 10) > 0) {
		int32_t rev = (int32_t)bitreverse32((uint32_t)num);
		memcpy(buf + len, "&channel_id=", 12);
		len += 12;
		len += gen_utoa((uint64_t)llabs((long long)rev), buf + len);
	}
	return len;
}

/* ---- the reader
 *
 * nx_next makes a chunk in two passes. The first walks the chunk's events in order and draws
 * each event's random choices into a small record (the draws come from the event's own
 * generator, in the same order whatever the columns); the second writes the projected columns
 * one after the other, each a tight loop over the records. The strings of a column share one
 * arena block of the chunk: the chunk owns them (or they are static: cities, states, the hot
 * channels' names), as a reader may be closed while its chunks live on. The strings that repeat
 * (names, channels and their urls) are made once in the reader's tables and copied from there. */

typedef struct PersonEv {
	int64_t n;
	uint8_t name, city, state, elen1, elen2;
	int16_t card[4];
	int xlen;
} PersonEv;

typedef struct AuctionEv {
	int64_t n, seller, category, initial, reserve, t, expires;
	int item_len, desc_len, xlen;
} AuctionEv;

typedef struct BidEv {
	int64_t n, auction, bidder, price;
	int channel; /* a hot channel's number when hot, else an ordinary channel's */
	bool hot;
	int xlen;
} BidEv;

#define NUM_NAMES (NELEM(first_names) * NELEM(last_names))

typedef struct NxReader {
	SourceReader base;
	NexmarkOpts o;
	int64_t next_n;     /* the next event number to look at */
	int64_t end;        /* one past the last event number */
	int64_t step_us;    /* time between events when exact, else 0 */
	int nproj;
	int *proj;
	uint64_t key[S__N]; /* gen_stream_key(seed, stream) of each random stream */
	double exp2_64[64]; /* 2^(j / 64), for next_price */
	Str hot_name[4];
	char hot_url[4][URL_MAX];
	int hot_url_len[4];
	/* "First Last" for every pair of names, index first * NELEM(last_names) + last. */
	Str names[NUM_NAMES];
	char name_text[NUM_NAMES][16];
	/* Names and urls of the NUM_CHANNELS ordinary channels, made on first use (url_len 0:
	 * not yet): a function of the seed and the channel number, cached because half of all
	 * bids carry one. The lengths (20 KB) are apart from the text (a megabyte): sizing a
	 * chunk's column reads only them. */
	struct ChannelLen {
		uint8_t name_len, url_len;
	} *channel_len;
	struct ChannelText {
		char name[16];
		char url[URL_MAX - 16];
	} *channel_text;
	/* The records of the chunk being made (pass one), CHUNK_CAP of the reader's table. */
	union {
		PersonEv *person;
		AuctionEv *auction;
		BidEv *bid;
		void *any;
	} ev;
} NxReader;

/* Channel num's name and url lengths, its text made first if not yet. */
static inline struct ChannelLen channel(NxReader *rd, int num)
{
	struct ChannelLen *cl = &rd->channel_len[num];
	if (!cl->url_len) {
		struct ChannelText *ct = &rd->channel_text[num];
		memcpy(ct->name, "channel-", 8);
		cl->name_len = (uint8_t)(8 + gen_utoa((uint64_t)num, ct->name + 8));
		char buf[URL_MAX];
		int len = make_url(rd->o.seed, S_URL, num, buf);
		assert(len <= (int)sizeof ct->url);
		memcpy(ct->url, buf, (size_t)len);
		cl->url_len = (uint8_t)len;
	}
	return *cl;
}

static inline int64_t event_time(const NxReader *r, int64_t n)
{
	return r->step_us ? r->o.base_time_us + n * r->step_us : nexmark_event_time(&r->o, n);
}

static inline Str cstr(const char *s)
{
	Str r = {s, (uint32_t)strlen(s)};
	return r;
}

/* Writes v (< 10000) as four digits. */
static inline void put4(char *p, int v)
{
	p[0] = (char)('0' + v / 1000);
	p[1] = (char)('0' + v / 100 % 10);
	p[2] = (char)('0' + v / 10 % 10);
	p[3] = (char)('0' + v % 10);
}

/* Pass one: the random choices of each event, drawn from its own generator. */

static void draw_person(NxReader *rd, int64_t n, PersonEv *ev)
{
	GenRng r = gen_rng_at(rd->key[S_EVENT], (uint64_t)n);
	int first = (int)gen_below(&r, NELEM(first_names));
	int last = (int)gen_below(&r, NELEM(last_names));
	ev->n = n;
	ev->name = (uint8_t)(first * NELEM(last_names) + last);
	ev->elen1 = (uint8_t)(3 + gen_below(&r, 4));
	ev->elen2 = (uint8_t)(3 + gen_below(&r, 2));
	for (int i = 0; i < 4; i++)
		ev->card[i] = (int16_t)gen_below(&r, 10000);
	ev->city = (uint8_t)gen_below(&r, NELEM(cities));
	ev->state = (uint8_t)gen_below(&r, NELEM(states));
	int email_len = ev->elen1 + 1 + ev->elen2 + 4;
	int current = 8 + (int)rd->names[ev->name].len + email_len + 19 +
		      (int)strlen(cities[ev->city]) + 2;
	ev->xlen = extra_len(&r, current, 200);
}

static void draw_auction(NxReader *rd, int64_t n, AuctionEv *ev)
{
	GenRng r = gen_rng_at(rd->key[S_EVENT], (uint64_t)n);
	ev->n = n;
	ev->seller = gen_below(&r, 4) ? last_person(n) / HOT_RATIO * HOT_RATIO
				      : random_person(&r, n);
	ev->category = FIRST_CATEGORY + (int64_t)gen_below(&r, NUM_CATEGORIES);
	ev->initial = next_price(rd->exp2_64, &r);
	ev->t = event_time(rd, n);
	int64_t horizon = event_time(rd, n + EVENTS_FOR_AUCTIONS) - ev->t;
	ev->expires =
		ev->t + 1 + (int64_t)gen_below(&r, (uint64_t)(horizon > 0 ? 2 * horizon : 1));
	ev->item_len = 3 + (int)gen_below(&r, 17);
	ev->desc_len = 3 + (int)gen_below(&r, 97);
	ev->reserve = ev->initial + next_price(rd->exp2_64, &r);
	ev->xlen = extra_len(&r, 8 + ev->item_len + ev->desc_len + 40, 500);
}

static void draw_bid(NxReader *rd, int64_t n, BidEv *ev)
{
	GenRng r = gen_rng_at(rd->key[S_EVENT], (uint64_t)n);
	ev->n = n;
	ev->auction = gen_below(&r, 2) ? last_auction(n) / HOT_RATIO * HOT_RATIO
				       : random_auction(&r, n);
	ev->bidder = gen_below(&r, 4) ? last_person(n) / HOT_RATIO * HOT_RATIO + 1
				      : random_person(&r, n);
	ev->price = next_price(rd->exp2_64, &r);
	ev->hot = gen_below(&r, 2) > 0;
	ev->channel = (int)gen_below(&r, ev->hot ? NELEM(hot_channels) : NUM_CHANNELS);
	ev->xlen = extra_len(&r, 32, 100);
}

/* Pass two: one column of k records. */

#define I64(c, j) VEC_DATA(&(c)->cols[j], int64_t)
#define STR(c, j) VEC_DATA(&(c)->cols[j], Str)
/* d[i] = EXPR for every record i (EXPR reads ev[i]). */
#define FILL(d, EXPR)                                                                              \
	do {                                                                                       \
		for (int i = 0; i < k; i++)                                                        \
			(d)[i] = (EXPR);                                                           \
	} while (0)

/* p: one arena block with LEN bytes for each record i (the strings of one column). */
#define COLUMN_TEXT(p, c, LEN)                                                                     \
	size_t total_ = 1;                                                                         \
	for (int i = 0; i < k; i++)                                                                \
		total_ += (size_t)(LEN);                                                           \
	char *p = arena_alloc(&(c)->arena, total_)

/* Random letters of stream `stream` for each record's event (extra). */
#define FILL_LETTERS(d, c, stream, LEN)                                                            \
	do {                                                                                       \
		COLUMN_TEXT(p_, c, LEN);                                                           \
		for (int i = 0; i < k; i++) {                                                      \
			GenRng g_ = gen_rng_at(rd->key[stream], (uint64_t)ev[i].n);                \
			uint32_t len_ = (uint32_t)(LEN);                                           \
			gen_letters(&g_, p_, len_);                                                \
			(d)[i] = (Str){p_, len_};                                                  \
			p_ += len_;                                                                \
		}                                                                                  \
	} while (0)

/* For each record i where WHEN: a copy of the LEN bytes at SRC (the chunk must own its strings:
 * readers may be closed while their chunks live on). */
#define FILL_COPY(d, c, WHEN, SRC, LEN)                                                            \
	do {                                                                                       \
		COLUMN_TEXT(p_, c, (WHEN) ? (LEN) : 0);                                            \
		for (int i = 0; i < k; i++) {                                                      \
			if (!(WHEN))                                                               \
				continue;                                                          \
			uint32_t len_ = (uint32_t)(LEN);                                           \
			memcpy(p_, (SRC), len_);                                                   \
			(d)[i] = (Str){p_, len_};                                                  \
			p_ += len_;                                                                \
		}                                                                                  \
	} while (0)

/* A random word of stream `stream` for each record's event (item_name, description). */
#define FILL_WORDS(d, c, stream, LEN)                                                              \
	do {                                                                                       \
		COLUMN_TEXT(p_, c, LEN);                                                           \
		for (int i = 0; i < k; i++) {                                                      \
			GenRng g_ = gen_rng_at(rd->key[stream], (uint64_t)ev[i].n);                \
			int len_ = (LEN);                                                          \
			word(&g_, p_, len_, ' ');                                                  \
			(d)[i] = (Str){p_, (uint32_t)len_};                                        \
			p_ += len_;                                                                \
		}                                                                                  \
	} while (0)

static void fill_person(NxReader *rd, Chunk *c, int j, int row, int k)
{
	const PersonEv *ev = rd->ev.person;
	int64_t *iv = I64(c, j) + row;
	Str *sv = STR(c, j) + row;
	switch (rd->proj[j]) {
	case P_ID:
		FILL(iv, NEXMARK_FIRST_ID + last_person(ev[i].n));
		break;
	case P_NAME:
		FILL_COPY(sv, c, true, rd->names[ev[i].name].p, rd->names[ev[i].name].len);
		break;
	case P_EMAIL: {
		COLUMN_TEXT(p, c, ev[i].elen1 + ev[i].elen2 + 5);
		for (int i = 0; i < k; i++) {
			int e1 = ev[i].elen1, e2 = ev[i].elen2;
			GenRng s = gen_rng_at(rd->key[S_EMAIL], (uint64_t)ev[i].n);
			word(&s, p, e1, ' ');
			p[e1] = '@';
			word(&s, p + e1 + 1, e2, ' ');
			memcpy(p + e1 + 1 + e2, ".com", 4);
			sv[i] = (Str){p, (uint32_t)(e1 + e2 + 5)};
			p += e1 + e2 + 5;
		}
		break;
	}
	case P_CARD: {
		COLUMN_TEXT(p, c, 19);
		for (int i = 0; i < k; i++, p += 19) {
			for (int q = 0; q < 4; q++) {
				put4(p + 5 * q, ev[i].card[q]);
				if (q < 3)
					p[5 * q + 4] = ' ';
			}
			sv[i] = (Str){p, 19};
		}
		break;
	}
	case P_CITY:
		FILL(sv, cstr(cities[ev[i].city]));
		break;
	case P_STATE:
		FILL(sv, cstr(states[ev[i].state]));
		break;
	case P_DATE_TIME:
		FILL(iv, event_time(rd, ev[i].n));
		break;
	case P_EXTRA:
		FILL_LETTERS(sv, c, S_EXTRA, ev[i].xlen);
		break;
	}
}

static void fill_auction(NxReader *rd, Chunk *c, int j, int row, int k)
{
	const AuctionEv *ev = rd->ev.auction;
	int64_t *iv = I64(c, j) + row;
	Str *sv = STR(c, j) + row;
	switch (rd->proj[j]) {
	case A_ID:
		FILL(iv, NEXMARK_FIRST_ID + last_auction(ev[i].n));
		break;
	case A_ITEM:
		FILL_WORDS(sv, c, S_ITEM, ev[i].item_len);
		break;
	case A_DESC:
		FILL_WORDS(sv, c, S_DESC, ev[i].desc_len);
		break;
	case A_INITIAL:
		FILL(iv, ev[i].initial);
		break;
	case A_RESERVE:
		FILL(iv, ev[i].reserve);
		break;
	case A_DATE_TIME:
		FILL(iv, ev[i].t);
		break;
	case A_EXPIRES:
		FILL(iv, ev[i].expires);
		break;
	case A_SELLER:
		FILL(iv, NEXMARK_FIRST_ID + ev[i].seller);
		break;
	case A_CATEGORY:
		FILL(iv, ev[i].category);
		break;
	case A_EXTRA:
		FILL_LETTERS(sv, c, S_EXTRA, ev[i].xlen);
		break;
	}
}

static void fill_bid(NxReader *rd, Chunk *c, int j, int row, int k)
{
	const BidEv *ev = rd->ev.bid;
	int64_t *iv = I64(c, j) + row;
	Str *sv = STR(c, j) + row;
	switch (rd->proj[j]) {
	case B_AUCTION:
		FILL(iv, NEXMARK_FIRST_ID + ev[i].auction);
		break;
	case B_BIDDER:
		FILL(iv, NEXMARK_FIRST_ID + ev[i].bidder);
		break;
	case B_PRICE:
		FILL(iv, ev[i].price);
		break;
	case B_CHANNEL:
		for (int i = 0; i < k; i++)
			if (ev[i].hot)
				sv[i] = rd->hot_name[ev[i].channel];
		FILL_COPY(sv, c, !ev[i].hot, rd->channel_text[ev[i].channel].name,
			  channel(rd, ev[i].channel).name_len);
		break;
	case B_URL:
		FILL_COPY(sv, c, true,
			  ev[i].hot ? rd->hot_url[ev[i].channel] : rd->channel_text[ev[i].channel].url,
			  ev[i].hot ? rd->hot_url_len[ev[i].channel]
				    : channel(rd, ev[i].channel).url_len);
		break;
	case B_DATE_TIME:
		FILL(iv, event_time(rd, ev[i].n));
		break;
	case B_EXTRA:
		FILL_LETTERS(sv, c, S_EXTRA, ev[i].xlen);
		break;
	}
}

#undef FILL
#undef COLUMN_TEXT
#undef FILL_LETTERS
#undef FILL_WORDS
#undef FILL_COPY

/* The first event number >= n of the reader's table. */
static inline int64_t next_of(NexmarkTable t, int64_t n)
{
	int64_t r = n % NEXMARK_TOTAL_PROPORTION;
	switch (t) {
	case NEXMARK_PERSON:
		return r ? n + NEXMARK_TOTAL_PROPORTION - r : n;
	case NEXMARK_AUCTION:
		return r == 0 ? n + 1 : r > 3 ? n + NEXMARK_TOTAL_PROPORTION - r + 1 : n;
	default:
		return r < 4 ? n + 4 - r : n;
	}
}

static int nx_next(SourceReader *base, Chunk *out, Err *e)
{
	NxReader *rd = (NxReader *)base;
	if (out->ncols != rd->nproj)
		return err_set(e, ERR_INTERNAL, "nexmark reader: chunk has %d columns, reader %d",
			       out->ncols, rd->nproj);
	int64_t n = rd->next_n;
	NexmarkTable t = rd->o.table;
	int room = source_room(base);
	if (room > CHUNK_CAP - out->nrows)
		room = CHUNK_CAP - out->nrows;
	int k = 0;
	for (; k < room; k++, n++) {
		n = next_of(t, n);
		if (n >= rd->end)
			break;
		switch (t) {
		case NEXMARK_PERSON:
			draw_person(rd, n, &rd->ev.person[k]);
			break;
		case NEXMARK_AUCTION:
			draw_auction(rd, n, &rd->ev.auction[k]);
			break;
		default:
			draw_bid(rd, n, &rd->ev.bid[k]);
			break;
		}
	}
	rd->next_n = n;
	int row = out->nrows;
	for (int j = 0; j < rd->nproj; j++) {
		memset(out->cols[j].nulls + row, 0, (size_t)k);
		switch (t) {
		case NEXMARK_PERSON:
			fill_person(rd, out, j, row, k);
			break;
		case NEXMARK_AUCTION:
			fill_auction(rd, out, j, row, k);
			break;
		default:
			fill_bid(rd, out, j, row, k);
			break;
		}
	}
	memset(out->ops + row, OP_INSERT, (size_t)k);
	out->nrows = row + k;
	return k;
}

/* Passes over the next `rows` rows of the reader's table: an event's number is a function of
 * its row number (each block of NEXMARK_TOTAL_PROPORTION events holds `share` rows of a table,
 * after the shares of the tables before it), so nothing is drawn. */
static int nx_skip(SourceReader *base, int64_t rows, Err *e)
{
	NxReader *rd = (NxReader *)base;
	NexmarkTable t = rd->o.table;
	int64_t share = tables[t].share, first = 0;
	for (int i = 0; i < (int)t; i++)
		first += tables[i].share;
	int64_t n = next_of(t, rd->next_n);
	if (n >= rd->end)
		return 0;
	int64_t row = n / NEXMARK_TOTAL_PROPORTION * share + n % NEXMARK_TOTAL_PROPORTION - first;
	row += rows;
	rd->next_n = row / share * NEXMARK_TOTAL_PROPORTION + first + row % share;
	(void)e;
	return 0;
}

static void nx_close(SourceReader *base)
{
	NxReader *rd = (NxReader *)base;
	mem_free(rd->proj);
	mem_free(rd->channel_len);
	mem_free(rd->channel_text);
	mem_free(rd->ev.any);
	mem_free(rd);
}

SourceReader *nexmark_reader(const NexmarkOpts *o, const int *proj, int nproj, Err *e)
{
	if (!o->has_table) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"nexmark.table.type\" is required");
		return NULL;
	}
	NxReader *rd = mem_calloc(1, sizeof *rd);
	rd->o = *o;
	rd->nproj = proj ? nproj : tables[o->table].ncols;
	rd->proj = mem_alloc(sizeof(int) * (size_t)(rd->nproj ? rd->nproj : 1));
	for (int i = 0; i < rd->nproj; i++)
		rd->proj[i] = proj ? proj[i] : i;
	rd->end = o->events < 0 ? INT64_MAX : o->events;
	if (o->rate >= 1 && o->rate <= 1e6 && o->rate == floor(o->rate) &&
	    1000000 % (int64_t)o->rate == 0)
		rd->step_us = 1000000 / (int64_t)o->rate;
	for (int s = 0; s < S__N; s++)
		rd->key[s] = gen_stream_key(o->seed, (uint64_t)s);
	price_table(rd->exp2_64);
	for (int i = 0; i < NELEM(hot_channels); i++)
		rd->hot_name[i] = cstr(hot_channels[i]);
	for (int i = 0; i < NELEM(hot_channels); i++)
		rd->hot_url_len[i] = make_url(o->seed, S_HOT_URL, i, rd->hot_url[i]);
	for (int f = 0; f < NELEM(first_names); f++)
		for (int l = 0; l < NELEM(last_names); l++) {
			int i = f * NELEM(last_names) + l;
			int len = snprintf(rd->name_text[i], sizeof rd->name_text[i], "%s %s",
					   first_names[f], last_names[l]);
			rd->names[i] = (Str){rd->name_text[i], (uint32_t)len};
		}
	if (o->table == NEXMARK_BID) {
		rd->channel_len = mem_calloc(NUM_CHANNELS, sizeof *rd->channel_len);
		rd->channel_text = mem_alloc(NUM_CHANNELS * sizeof *rd->channel_text);
	}
	size_t evsize = o->table == NEXMARK_PERSON    ? sizeof(PersonEv)
			: o->table == NEXMARK_AUCTION ? sizeof(AuctionEv)
						      : sizeof(BidEv);
	rd->ev.any = mem_alloc(evsize * CHUNK_CAP);
	rd->base.next = nx_next;
	rd->base.skip_rows = nx_skip;
	rd->base.close = nx_close;
	rd->base.bounded = o->events >= 0;
	rd->base.rate = o->rate * tables[o->table].share / NEXMARK_TOTAL_PROPORTION;
	return &rd->base;
}

/* ---- options */

void nexmark_opts_default(NexmarkOpts *o)
{
	memset(o, 0, sizeof *o);
	o->table = NEXMARK_BID;
	o->has_table = false;
	o->events = -1;
	o->seed = 0;
	o->rate = NEXMARK_DEFAULT_RATE;
	o->base_time_us = NEXMARK_DEFAULT_BASE_TIME_US;
}

/* Options RisingWave's nexmark DDL passes that mean nothing here (split.num: parallel readers;
 * min.event.gap.in.ns: wall-clock pacing, which eddy takes from nexmark.rate; max.chunk.size:
 * rows per chunk, fixed at CHUNK_CAP; use.real.time: wall-clock event times). */
static const char *const ignored[] = {"nexmark.split.num", "nexmark.min.event.gap.in.ns",
				      "nexmark.max.chunk.size", "nexmark.use.real.time"};

int nexmark_opts_parse(const Option *opts, int nopts, NexmarkOpts *o, Err *e)
{
	for (int i = 0; i < nopts; i++) {
		const Option *op = &opts[i];
		const char *k = op->key;
		if (!strcmp(k, "connector"))
			continue;
		bool skip = false;
		for (int j = 0; j < NELEM(ignored); j++)
			skip |= !strcmp(k, ignored[j]);
		if (skip)
			continue;
		if (!strcmp(k, "nexmark.table.type")) {
			int t = 0;
			for (; t < NEXMARK__TABLES; t++)
				if (op->value && !strcasecmp(op->value, tables[t].name))
					break;
			if (t == NEXMARK__TABLES) {
				gen_bad_value(op, e);
				err_hint(e, "The table types are Person, Auction and Bid.");
				return -1;
			}
			o->table = (NexmarkTable)t;
			o->has_table = true;
		} else if (!strcmp(k, "nexmark.events") || !strcmp(k, "nexmark.event.num")) {
			int64_t v;
			if (gen_opt_int64(op, &v, e) < 0)
				return -1;
			if (v < -1)
				return gen_bad_value(op, e);
			o->events = v;
		} else if (!strcmp(k, "nexmark.seed")) {
			int64_t v;
			if (gen_opt_int64(op, &v, e) < 0)
				return -1;
			o->seed = (uint64_t)v;
		} else if (!strcmp(k, "nexmark.rate")) {
			double v;
			if (gen_opt_double(op, &v, e) < 0)
				return -1;
			if (!(v > 0) || v > 1e12)
				return gen_bad_value(op, e);
			o->rate = v;
		} else if (!strcmp(k, "nexmark.base_time")) {
			if (gen_opt_timestamp(op, &o->base_time_us, e) < 0)
				return -1;
		} else {
			err_set(e, ERR_INVALID_PARAMETER_VALUE, "unknown option \"%s\"", k);
			if (op->location > 0)
				err_locate(e, op->location);
			return -1;
		}
	}
	return 0;
}

/* Maps declared columns onto the table's schema. */
static int map_columns(NexmarkTable t, const ColumnDef *cols, int ncols, int *proj, Err *e)
{
	for (int i = 0; i < ncols; i++) {
		int k = 0;
		for (; k < tables[t].ncols; k++)
			if (!strcmp(cols[i].name, tables[t].cols[k].name))
				break;
		if (k == tables[t].ncols) {
			err_set(e, ERR_SYNTAX, "column \"%s\" is not a column of nexmark table type %s",
				cols[i].name, tables[t].name);
			StrBuf sb;
			sb_init(&sb);
			for (int c = 0; c < tables[t].ncols; c++)
				sb_printf(&sb, "%s%s %s", c ? ", " : "", tables[t].cols[c].name,
					  type_name(tables[t].cols[c].type));
			err_hint(e, "Its columns are: %s.", sb.data);
			sb_deinit(&sb);
			return -1;
		}
		if (cols[i].type != tables[t].cols[k].type)
			return err_set(e, ERR_SYNTAX,
				       "column \"%s\" of nexmark table type %s has type %s, not %s",
				       cols[i].name, tables[t].name,
				       type_name(tables[t].cols[k].type), type_name(cols[i].type));
		proj[i] = k;
	}
	return 0;
}

int nexmark_check(const Option *opts, int nopts, ColumnDef **cols, int *ncols, Arena *a,
		  Err *e)
{
	NexmarkOpts o;
	nexmark_opts_default(&o);
	if (nexmark_opts_parse(opts, nopts, &o, e) < 0)
		return -1;
	if (!o.has_table)
		return err_set(e, ERR_INVALID_PARAMETER_VALUE,
			       "option \"nexmark.table.type\" is required");
	if (*ncols == 0) {
		int n = tables[o.table].ncols;
		ColumnDef *defs = arena_calloc(a, sizeof(ColumnDef) * (size_t)n);
		for (int i = 0; i < n; i++) {
			defs[i].name = arena_strdup(a, tables[o.table].cols[i].name);
			defs[i].type = tables[o.table].cols[i].type;
			defs[i].typmod = -1;
			defs[i].not_null = false;
		}
		*cols = defs;
		*ncols = n;
		return 0;
	}
	int proj[64];
	if (*ncols > 64)
		return err_set(e, ERR_SYNTAX, "a nexmark source has at most %d columns",
			       tables[o.table].ncols);
	return map_columns(o.table, *cols, *ncols, proj, e);
}

SourceReader *nexmark_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e)
{
	NexmarkOpts o;
	nexmark_opts_default(&o);
	if (nexmark_opts_parse(opts, nopts, &o, e) < 0)
		return NULL;
	if (!o.has_table) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"nexmark.table.type\" is required");
		return NULL;
	}
	if (ncols == 0)
		return nexmark_reader(&o, NULL, 0, e);
	if (ncols > 64) {
		err_set(e, ERR_SYNTAX, "a nexmark source has at most %d columns",
			tables[o.table].ncols);
		return NULL;
	}
	int proj[64];
	if (map_columns(o.table, cols, ncols, proj, e) < 0)
		return NULL;
	return nexmark_reader(&o, proj, ncols, e);
}

/* ---- CSV export */

static void csv_field(StrBuf *sb, const char *p, size_t n)
{
	bool quote = false;
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (!quote) {
		sb_append(sb, p, n);
		return;
	}
	sb_putc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			sb_putc(sb, '"');
		sb_putc(sb, p[i]);
	}
	sb_putc(sb, '"');
}

static void csv_chunk(StrBuf *sb, const Chunk *c)
{
	for (int r = 0; r < c->nrows; r++) {
		for (int j = 0; j < c->ncols; j++) {
			const Vector *v = &c->cols[j];
			if (j)
				sb_putc(sb, ',');
			if (v->nulls[r])
				continue;
			if (v->type == T_VARCHAR) {
				Str s = VEC_DATA(v, Str)[r];
				csv_field(sb, s.p, s.len);
			} else if (v->type == T_TIMESTAMP) {
				char buf[32];
				int len = gen_format_timestamp(VEC_DATA(v, int64_t)[r], buf);
				sb_append(sb, buf, (size_t)len);
			} else {
				sb_printf(sb, "%lld", (long long)VEC_DATA(v, int64_t)[r]);
			}
		}
		sb_putc(sb, '\n');
	}
}

static int mkdirs(const char *dir, Err *e)
{
	char path[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof path)
		return err_set(e, ERR_IO, "invalid directory \"%s\"", dir);
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != 0)
			continue;
		char saved = path[i];
		path[i] = 0;
		if (mkdir(path, 0777) < 0 && errno != EEXIST)
			return err_set(e, ERR_IO, "could not create directory \"%s\": %s", path,
				       strerror(errno));
		path[i] = saved;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ERR_IO, "\"%s\" is not a directory", dir);
	return 0;
}

static int export_table(const NexmarkOpts *opts, NexmarkTable t, const char *dir, Err *e)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.csv", dir, tables[t].name);
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(e, ERR_IO, "could not open file \"%s\" for writing: %s", path,
			       strerror(errno));
	NexmarkOpts o = *opts;
	o.table = t;
	o.has_table = true;
	SourceReader *rd = nexmark_reader(&o, NULL, 0, e);
	TypeId types[16];
	for (int i = 0; i < tables[t].ncols; i++)
		types[i] = tables[t].cols[i].type;
	Chunk *c = chunk_new(types, tables[t].ncols);
	StrBuf sb;
	sb_init(&sb);
	for (int i = 0; i < tables[t].ncols; i++)
		sb_printf(&sb, "%s%s", i ? "," : "", tables[t].cols[i].name);
	sb_putc(&sb, '\n');
	int rc = 0;
	for (;;) {
		chunk_reset(c);
		int n = rd->next(rd, c, e);
		if (n < 0) {
			rc = -1;
			break;
		}
		csv_chunk(&sb, c);
		if (n == 0 || sb.len >= (1 << 20)) {
			if (sb.len && fwrite(sb.data, 1, sb.len, f) != sb.len) {
				rc = err_set(e, ERR_IO, "could not write to file \"%s\": %s", path,
					     strerror(errno));
				break;
			}
			sb_reset(&sb);
		}
		if (n == 0)
			break;
	}
	sb_deinit(&sb);
	chunk_free(c);
	rd->close(rd);
	if (fclose(f) != 0 && rc == 0)
		rc = err_set(e, ERR_IO, "could not write to file \"%s\": %s", path,
			     strerror(errno));
	return rc;
}

int nexmark_export(const NexmarkOpts *o, const char *dir, Err *e)
{
	if (o->events < 0)
		return err_set(e, ERR_INVALID_PARAMETER_VALUE,
			       "nexmark export needs a bounded number of events");
	if (mkdirs(dir, e) < 0)
		return -1;
	for (int t = 0; t < NEXMARK__TABLES; t++)
		if (export_table(o, (NexmarkTable)t, dir, e) < 0)
			return -1;
	return 0;
}
