/* hash_join.c: symmetric hash joins over changelogs (inner, outer, semi, anti, interval).
 *
 * Layer: stream. Owns the rows of both inputs: per side, an HMap from the join key's
 * ROWCODEC_NORMALIZE encoding to a Bucket, a growable array of pointers to the Entries of the
 * rows with that key (a bucket of one row keeps the pointer in place of the array). An Entry
 * (its checkpoint link, multiplicity, place in its bucket: 32 bytes) is the value of a second
 * HMap per side, the row index, keyed by the row's exact encoding followed by the join key and
 * the row's length (the Entry finds its row there): a change finds its row in O(1) however many
 * rows share its key, and the Entry's address is stable. A bucket drops an Entry by moving its
 * last one into the hole (which updates that Entry's place), so probing stays a walk over a
 * dense array. Joins other than a plain inner join also keep per row (EntryX) the number of
 * matching rows on the other side counted with their multiplicity, the event time (interval
 * joins) and whether its key has a NULL. Rows whose key has a NULL never probe and are never
 * probed (NULL = x is not true): an inner join drops them; the others keep them (outer and anti
 * joins must output them, deletes must find them). The append-only input of an inner join
 * (a stream: Nexmark q4, q9, q20) is a log side instead: its buckets point at the rows'
 * encodings themselves, copied into 32 KiB arena blocks, with neither row index nor Entry (some
 * 100 bytes less per row); equal rows stay apart, each counting once, and since such an input
 * deletes nothing, no row has to be found. An interval join's log side puts each row's time and
 * its block before it (a record), in 32 KiB blocks (RecBlock) that count their live records and
 * are freed when the last one expires.
 *
 * Streaming: a change of one side (insert +1, delete -1; U-/U+ are deletes and inserts)
 * probes the other side's bucket, evaluates the residual over the candidate pairs a chunk at a
 * time, and emits at once, with the input row's sign: joined rows (inner and outer joins);
 * for a partner on a preserved side whose match count moves between 0 and not 0, the
 * retraction or return of its NULL-padded row (outer) or of the row itself (semi: + at the
 * first match, - at the last; anti: the reverse); for the changed row itself when it matches
 * nothing, its NULL-padded row (outer) or itself (anti), or itself when it matches (semi).
 * Then the row is added to or removed from its side with its match count. NOT IN's null-aware
 * anti join also counts the right side's rows and NULL keys: when either count crosses zero
 * every left row is re-examined.
 *
 * Batch (DF_BATCH, one barrier at the end): chunks only build both sides; at the barrier the
 * left side probes the right once, and the preserved sides' unmatched rows follow.
 *
 * Interval joins (lop->interval: inner, r_time - l_time in [lo, hi]):
 * a left row at time lt can only meet right rows with rt >= lt + lo; once the right
 * watermark wr passes lt + hi no future right row reaches it, so left rows with lt + hi < wr
 * are dropped, and right rows with rt - lo < wl (the left watermark) likewise. A bound may
 * name another column of the row's side (lop->l_hi_col, r_lo_col: r_time <= l_col + hi,
 * r_col - lo >= l_time; Nexmark q4, q9 bound bids by the auction's expires): a row's time
 * (EntryX.ts) is then that column's value, so a left row goes once wr passes its l_col + hi
 * and a right row once wl passes its r_col - lo. A row arriving below its own side's
 * watermark is late: dropped and counted (a row it should meet may be gone). Any other row
 * meets every row it can (none it can meet is gone: a right row goes only once wl passes
 * r_col - lo, which is at most lt), and a row that no future row of the other side can reach
 * is not kept: so the inputs' watermarks may be far apart (two sources read one after the
 * other) and the output is still that of the rows not late. The output's watermark on the left
 * time column is min(wl, wr - hi): no future output row carries an earlier left time; when
 * the upper bound names another column it is on the right time column instead,
 * min(wr, wl + lo), if the lower bound names that one, else there is none (bind_join.c); a
 * side marked idle (dataflow_input_idle) is left out of that minimum (both idle: the
 * maximum). An input
 * that is a changelog (a windowed aggregation's results, Nexmark q5, q7, q8) changes no row
 * below its own watermark (the aggregation drops late rows): its rows are kept until they are
 * below their own watermark as well, and its changes are never late. Barriers are
 * forwarded once both inputs delivered them. Every join is idle for its parent while both its
 * inputs are. Allocates only per distinct row held (its row index entry; a log side per 32 KiB
 * of rows): buckets grow geometrically, encodings go through reused StrBufs.
 *
 * Checkpoints: key 0x00 is the header (per side has_wm u8, wm i64, min_ts i64, idle u8,
 * total i64, nulls i64; then has_sent u8, sent_wm i64); key 0x01 (left) or 0x02 (right)
 * followed by the row index key (row encoding, join key encoding, row length u32) is one entry
 * per held row: count i64, ts i64 (an interval join's row time: of the column its bound names),
 * knull u8 (a plain inner join keeps neither: it writes 0s,
 * and restoring it skips a row with knull 1). Rows changed or gone since the last checkpoint
 * are tracked per side (ckpt_track.h), so a checkpoint writes what changed, whatever the size
 * of the buckets. Match counts are not saved: restore counts them again over the rows.
 * A log side (a plain inner join's append-only input: no row index, rows kept per key in
 * arrival order, equal rows apart) writes instead key 0x03 (left) or 0x04 (right), the join key
 * (u32 length + bytes), the row's position in its key's bucket (u64 big-endian) -> the row's
 * encoding (an interval join's: its time i64, then the encoding): positions change only when
 * rows go (a delete, an interval join's expiry), and then the bucket's rows from the first
 * gone are rewritten, so a checkpoint writes the rows appended or moved since the last; a
 * bucket emptied by expiry stays until the checkpoint that deletes its rows.
 */
#include "base/bin.h"
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct Bucket Bucket;

/* A row held by one side: the value of the side's row index, whose key starts with the row's
 * encoding (entry_row). */
typedef struct Entry {
	CkLink ck;          /* first: changed since the last checkpoint */
	int32_t count;      /* multiplicity */
	uint32_t pos;       /* its place in its bucket's entries */
} Entry;

/* The Entry of a join that counts matches or keeps times (JoinOp.ext): not a plain inner join. */
typedef struct EntryX {
	Entry e;
	int64_t matches;    /* matching rows on the other side, with multiplicity */
	int64_t ts;         /* interval joins: the row's time */
	int32_t knull;      /* the key has a NULL */
} EntryX;

/* On a log side (a plain inner join's append-only input) a bucket's elements are rows alone:
 * their exact encodings (row_skip finds their length), with no row index and no Entry. Such a
 * side is a log per key: equal rows stay separate (each counts once), nothing is deleted. */

/* A bucket's element: an Entry, or a row's encoding on a log side (held_row, held_count). */
typedef struct Held Held;

/* The rows of one key: with cap 1, `ents` holds the one pointer itself (bucket_ents). */
struct Bucket {
	Held **ents;
	uint32_t n, cap;
	/* Log sides: rows [0, ck_n) are in the store as they are now, [0, stored) are in it. */
	uint32_t ck_n, stored;
	uint8_t dirty;      /* on Side.dirty */
};

/* A block of an interval join's log side records (LOG_BLOCK bytes, or one big record):
 * freed when its last record goes. */
typedef struct RecBlock {
	uint32_t live;      /* records in it not yet freed */
	uint32_t size;      /* bytes allocated */
	uint8_t data[];
} RecBlock;

typedef struct Side {
	HMap map;            /* key -> Bucket */
	HMap idx;            /* row, key, row length -> Entry */
	StrBuf ik;           /* the row index key being looked up */
	size_t buf_bytes;    /* capacity of every bucket's array */
	int64_t rows;        /* rows held, with multiplicity */
	int64_t total;       /* inserts minus deletes seen (NOT IN's right side) */
	int64_t nulls;       /* of which with a NULL key */
	int ncols, nkeys;
	Expr **keys;
	int time_col;        /* interval: the column its watermark is on */
	int reach_col;       /* interval: the column a row's time (EntryX.ts) is read from */
	bool ext;            /* its entries are EntryX: JoinOp.ext, or an interval side's times */
	bool keep_null;      /* keeps rows whose key has a NULL (JoinOp.ext) */
	bool log;            /* inner join, append-only input: buckets of rows */
	int tsz;             /* log, interval: 16, each row's time and RecBlock before it; else 0 */
	RecBlock *rec_cur;   /* log, interval: the block records are being added to */
	uint8_t *rec_at;     /* ... its free space */
	size_t rec_left;
	size_t rec_bytes;    /* log, interval: bytes of the blocks held */
	bool ck_on;          /* log: checkpointed or restored, so changes are tracked */
	Bucket **dirty;      /* log: buckets changed since the last checkpoint */
	uint32_t ndirty, capdirty;
	Arena log_rows;      /* log: blocks of rows (never freed one by one: nothing is deleted) */
	uint8_t *log_at;     /* log: free space in the current block */
	size_t log_left;
	int64_t wm, min_ts;  /* interval: watermark, lowest time held (a lower bound) */
	int64_t max_ts;      /* interval: highest time held (an upper bound) */
	int64_t added, kept; /* interval: rows added since the last expiry scan, rows it kept */
	bool has_wm;
	bool idle;           /* interval: marked idle, its watermark does not hold the output */
	bool changelog;      /* interval: the input deletes and updates rows (below) */
	int *out_cols;       /* output columns of this side's row; NULL: not output */
	int *cand_cols;      /* candidate chunk columns of this side's row */
	TypeId *types;       /* the row's column types, then the key's (to check restored rows) */
	CkTrack ck;          /* rows changed or gone since the last checkpoint */
} Side;

typedef struct JoinOp {
	Operator op;
	JoinType type;
	bool preserved[2];   /* outer joins: the side whose unmatched rows are NULL-padded */
	bool joined;         /* emits left+right rows (not semi/anti) */
	bool ext;            /* entries are EntryX: not a plain inner join */
	Side side[2];
	Chunk *out;
	Chunk *cand;         /* candidate pairs for the residual: left columns, right columns */
	Arena scratch;       /* residual evaluation, reset per candidate chunk */
	Arena key_arena;     /* key vectors, reset per input chunk */
	StrBuf key, row;
	uint8_t keep[CHUNK_CAP];
	const Held *cand_entry[CHUNK_CAP];
	const uint8_t *cand_row[CHUNK_CAP]; /* their rows */
	uint32_t cand_len[CHUNK_CAP];
	int arrived;
	bool got[2];
	int64_t sent_wm;
	bool has_sent;
	bool quiet;          /* restore: row errors of the residual were counted already */
	StrBuf hdr;          /* the checkpoint header being written */
} JoinOp;

static EntryX *ex(const Entry *en)
{
	return (EntryX *)en;
}

/* The row of an Entry of side sd (the start of its row index key) and its length. */
static const uint8_t *entry_row(const Side *sd, const Entry *en, uint32_t *len)
{
	size_t klen;
	const uint8_t *k = hmap_key(&sd->idx, en, &klen);
	memcpy(len, k + klen - sizeof *len, sizeof *len);
	return k;
}

static Held **bucket_ents(Bucket *bk)
{
	return bk->cap <= 1 ? (Held **)&bk->ents : bk->ents;
}

/* The row of a bucket element of side sd and its length. */
static const uint8_t *held_row(const Side *sd, const Held *h, uint32_t *len)
{
	if (sd->log) {
		const uint8_t *row = (const uint8_t *)h + sd->tsz;
		*len = (uint32_t)row_skip(row, sd->types, sd->ncols);
		return row;
	}
	return entry_row(sd, (const Entry *)h, len);
}

/* Its multiplicity. */
static int64_t held_count(const Side *sd, const Held *h)
{
	return sd->log ? 1 : ((const Entry *)h)->count;
}

/* ---- Output. */

static int flush(JoinOp *j, Err *e)
{
	int rc = op_emit(&j->op, j->out, e);
	chunk_reset(j->out);
	return rc;
}

/* Appends `count` copies of a row made of the left and right rows (NULL: padded with NULLs;
 * the right one is ignored by semi/anti joins) with sign d. */
static int emit(JoinOp *j, const uint8_t *l, uint32_t ll, const uint8_t *r, uint32_t rl,
		int64_t count, int d, Err *e)
{
	for (int64_t k = 0; k < count; k++) {
		if (chunk_full(j->out) && flush(j, e) < 0)
			return -1;
		int row = j->out->nrows++;
		for (int s = 0; s < (j->joined ? 2 : 1); s++) {
			const Side *sd = &j->side[s];
			const uint8_t *p = s == 0 ? l : r;
			if (p) {
				row_decode(p, s == 0 ? ll : rl, j->out, sd->out_cols, sd->ncols, row);
				continue;
			}
			for (int c = 0; c < sd->ncols; c++)
				j->out->cols[sd->out_cols[c]].nulls[row] = 1;
		}
		j->out->ops[row] = (uint8_t)(d > 0 ? OP_INSERT : OP_DELETE);
	}
	return 0;
}

/* A row of side s with its partner's row (prow, plen bytes) of the other side, in output
 * order. */
static int emit_pair(JoinOp *j, int s, const uint8_t *row, uint32_t len, const uint8_t *prow,
		     uint32_t plen, int64_t count, int d, Err *e)
{
	if (s == 0)
		return emit(j, row, len, prow, plen, count, d, e);
	return emit(j, prow, plen, row, len, count, d, e);
}

/* The Entry p of side s alone (emit_alone). */
static int emit_entry(JoinOp *j, int s, const Entry *p, int d, Err *e);

/* A row of side s alone: NULL-padded on the other side for joined output. */
static int emit_alone(JoinOp *j, int s, const uint8_t *row, uint32_t len, int64_t count, int d,
		      Err *e)
{
	if (s == 0)
		return emit(j, row, len, NULL, 0, count, d, e);
	return emit(j, NULL, 0, row, len, count, d, e);
}

static int emit_entry(JoinOp *j, int s, const Entry *p, int d, Err *e)
{
	uint32_t len;
	const uint8_t *row = entry_row(&j->side[s], p, &len);
	return emit_alone(j, s, row, len, p->count, d, e);
}

/* ---- State. */

static Bucket *bucket_find(const Side *sd, const StrBuf *key)
{
	return hmap_find(&sd->map, key->data, key->len, hash_bytes(key->data, key->len));
}

/* Frees bk, which holds no row, and drops it from side sd. */
static void bucket_drop(Side *sd, Bucket *bk)
{
	if (bk->cap > 1) {
		sd->buf_bytes -= bk->cap * sizeof *bk->ents;
		mem_free(bk->ents);
	}
	hmap_remove_value(&sd->map, bk);
}

/* Removes en from the row index, remembering its key for the next checkpoint if the store
 * holds it. */
static void entry_remove(Side *sd, Entry *en)
{
	size_t klen;
	const void *key = hmap_key(&sd->idx, en, &klen);
	ckt_forget(&sd->ck, &en->ck, key, klen);
	hmap_remove_value(&sd->idx, en);
}

/* Removes en from its bucket bk (moving the last entry into its place) and from the row
 * index; frees the bucket when it empties. */
static void entry_drop(Side *sd, Bucket *bk, Entry *en)
{
	Held **ents = bucket_ents(bk);
	Entry *last = (Entry *)ents[--bk->n];
	ents[en->pos] = (Held *)last;
	last->pos = en->pos;
	entry_remove(sd, en);
	if (bk->n == 0)
		bucket_drop(sd, bk);
}

/* Room for one more element in bk. */
static void bucket_reserve(Side *sd, Bucket *bk)
{
	if (bk->n < bk->cap)
		return;
	/* 0 -> 1 (the pointer in place of the array) -> 4 -> 8 ... */
	uint32_t cap = bk->cap ? (bk->cap == 1 ? 4 : bk->cap * 2) : 1;
	if (cap > 1) {
		Held **ents = mem_alloc(cap * sizeof *ents);
		memcpy(ents, bucket_ents(bk), bk->n * sizeof *ents);
		if (bk->cap > 1)
			mem_free(bk->ents);
		sd->buf_bytes += (cap - (bk->cap > 1 ? bk->cap : 0)) * sizeof *ents;
		bk->ents = ents;
	}
	bk->cap = cap;
}

/* Log side: bk changed (tracked once checkpoints are on). */
static void log_touch(Side *sd, Bucket *bk)
{
	if (!sd->ck_on || bk->dirty)
		return;
	bk->dirty = 1;
	if (sd->ndirty == sd->capdirty) {
		sd->capdirty = sd->capdirty ? 2 * sd->capdirty : 64;
		sd->dirty = mem_realloc(sd->dirty, sd->capdirty * sizeof *sd->dirty);
	}
	sd->dirty[sd->ndirty++] = bk;
}

enum { LOG_BLOCK = 32 * 1024 };

/* Log side: n bytes for a row, unaligned (the arena's 16 would waste 7 bytes a row). */
static void *log_alloc(Side *sd, size_t n)
{
	if (n > LOG_BLOCK / 4)
		return arena_alloc(&sd->log_rows, n);
	if (n > sd->log_left) {
		sd->log_at = arena_alloc(&sd->log_rows, LOG_BLOCK);
		sd->log_left = LOG_BLOCK;
	}
	void *p = sd->log_at;
	sd->log_at += n;
	sd->log_left -= n;
	return p;
}

/* A log side's record time (interval joins: the i64 before the row). */
static int64_t rec_ts(const Held *h)
{
	int64_t ts;
	memcpy(&ts, h, sizeof ts);
	return ts;
}

/* Log side: appends a copy of the row (len bytes) to bk, at time ts on an interval side. */
static void log_append(Side *sd, Bucket *bk, const void *row, uint32_t len, int64_t ts)
{
	bucket_reserve(sd, bk);
	uint8_t *copy;
	if (sd->tsz) {
		/* An interval side frees its rows as the watermarks pass them: records (time,
		 * block, row) in blocks that count their live records, freed at zero (rows
		 * expire roughly in arrival order, so blocks empty whole). */
		size_t need = sd->tsz + len;
		RecBlock *b = sd->rec_cur;
		if (need > LOG_BLOCK / 4) {
			b = mem_alloc(sizeof *b + need);
			b->live = 0;
			b->size = (uint32_t)(sizeof *b + need);
			sd->rec_bytes += b->size;
			copy = b->data;
		} else {
			if (need > sd->rec_left) {
				if (b && b->live == 0) {
					sd->rec_bytes -= b->size;
					mem_free(b);
				}
				b = sd->rec_cur = mem_alloc(sizeof *b + LOG_BLOCK);
				b->live = 0;
				b->size = (uint32_t)(sizeof *b + LOG_BLOCK);
				sd->rec_bytes += b->size;
				sd->rec_at = b->data;
				sd->rec_left = LOG_BLOCK;
			}
			copy = sd->rec_at;
			sd->rec_at += need;
			sd->rec_left -= need;
		}
		b->live++;
		memcpy(copy, &ts, sizeof ts);
		memcpy(copy + sizeof ts, &b, sizeof b);
		if (ts < sd->min_ts)
			sd->min_ts = ts;
		if (ts > sd->max_ts)
			sd->max_ts = ts;
		sd->added++;
	} else {
		/* From an arena: a heap block per row would cost as much again as a short row. */
		copy = log_alloc(sd, len);
	}
	memcpy(copy + sd->tsz, row, len);
	bucket_ents(bk)[bk->n++] = (Held *)copy;
	sd->rows++;
}

/* Log side: frees the record h of an interval side, and its block with its last record (an
 * arena's row stays). */
static void log_free(Side *sd, Held *h)
{
	if (!sd->tsz)
		return;
	RecBlock *b;
	memcpy(&b, (const uint8_t *)h + sizeof(int64_t), sizeof b);
	if (--b->live == 0 && b != sd->rec_cur) {
		sd->rec_bytes -= b->size;
		mem_free(b);
	}
}

/* Log side: d copies of the row in or out. An append-only input deletes nothing; should a delete
 * come, it finds its row by a scan, and the rows after it move up (the next checkpoint rewrites
 * them); the row's bytes stay in the arena. A bucket is never freed, so Side.dirty stays
 * valid. */
static void log_update(Side *sd, const StrBuf *key, const StrBuf *row, int d, int64_t ts)
{
	if (d > 0) {
		Bucket *bk = hmap_upsert(&sd->map, key->data, key->len,
					 hash_bytes(key->data, key->len), NULL);
		for (int k = 0; k < d; k++)
			log_append(sd, bk, row->data, (uint32_t)row->len, ts);
		log_touch(sd, bk);
		return;
	}
	Bucket *bk = bucket_find(sd, key);
	for (; bk && d < 0; d++) {
		Held **ents = bucket_ents(bk);
		uint32_t i = bk->n;
		while (i-- > 0) {
			uint32_t len;
			const uint8_t *held = held_row(sd, ents[i], &len);
			if (len == row->len && memcmp(held, row->data, len) == 0)
				break;
		}
		if (i == UINT32_MAX)
			return;
		log_free(sd, ents[i]);
		memmove(ents + i, ents + i + 1, (bk->n - i - 1) * sizeof *ents);
		bk->n--;
		sd->rows--;
		if (bk->ck_n > i)
			bk->ck_n = i;
		log_touch(sd, bk);
	}
}

/* The row index key of a row: its exact encoding, the join key, the row's length. */
static void index_key(Side *sd, const StrBuf *key, const uint8_t *row, uint32_t rlen)
{
	sb_reset(&sd->ik);
	sb_append(&sd->ik, row, rlen);
	sb_append(&sd->ik, key->data, key->len);
	sb_append(&sd->ik, &rlen, sizeof rlen);
}

/* Adds a new row (the row index key in sd->ik, hash ih) with multiplicity d > 0 to side sd
 * under key. */
static Entry *entry_add(Side *sd, const StrBuf *key, uint64_t ih, int d, int64_t matches,
			int64_t ts, bool knull)
{
	bool found;
	Bucket *bk = hmap_upsert(&sd->map, key->data, key->len, hash_bytes(key->data, key->len),
				 &found);
	bucket_reserve(sd, bk);
	Entry *en = hmap_upsert(&sd->idx, sd->ik.data, sd->ik.len, ih, &found);
	en->count = d;
	if (sd->ext) {
		ex(en)->matches = matches;
		ex(en)->ts = ts;
		ex(en)->knull = knull;
	}
	en->pos = bk->n;
	bucket_ents(bk)[bk->n++] = (Held *)en;
	sd->rows += d;
	if (ts < sd->min_ts)
		sd->min_ts = ts;
	if (ts > sd->max_ts)
		sd->max_ts = ts;
	sd->added++;
	return en;
}

/* Adds d copies of the row to side sd under key (matches: its match count when new). A plain
 * inner join keeps no row whose key has a NULL: it never joins. */
static void state_update(Side *sd, const StrBuf *key, const StrBuf *row, int d, int64_t matches,
			 int64_t ts, bool knull)
{
	if (knull && !sd->keep_null)
		return;
	if (sd->log) {
		log_update(sd, key, row, d, ts);
		return;
	}
	index_key(sd, key, (const uint8_t *)row->data, (uint32_t)row->len);
	uint64_t ih = hash_bytes(sd->ik.data, sd->ik.len);
	Entry *en = hmap_find(&sd->idx, sd->ik.data, sd->ik.len, ih);
	if (en) {
		en->count += d;
		sd->rows += d;
		if (en->count <= 0) {
			sd->rows -= en->count;
			entry_drop(sd, bucket_find(sd, key), en);
		} else {
			ckt_touch(&sd->ck, &en->ck);
		}
		return;
	}
	if (d < 0)
		return; /* a delete of a row an interval join already dropped */
	en = entry_add(sd, key, ih, d, matches, ts, knull);
	ckt_touch(&sd->ck, &en->ck);
}

/* ---- Probing. */

/* Called for each partner p that matches, with its row (prow, plen bytes). */
typedef int (*PairFn)(JoinOp *j, int s, const uint8_t *row, uint32_t len, Held *p,
		      const uint8_t *prow, uint32_t plen, void *arg, Err *e);

/* Runs fn over the entries of bk (the other side of s) that match the row of side s: all of
 * them without a residual, else those for which it is true, evaluated a chunk at a time. */
static int probe(JoinOp *j, int s, const uint8_t *row, uint32_t len, Bucket *bk, PairFn fn,
		 void *arg, Err *e)
{
	const Expr *res = j->op.lop->residual;
	const Side *me = &j->side[s], *ot = &j->side[1 - s];
	Held **ents = bucket_ents(bk);
	for (uint32_t off = 0; off < bk->n;) {
		int n = 0;
		/* A log side's row length is found once per candidate (row_skip). */
		while (off < bk->n && n < CHUNK_CAP) {
			j->cand_entry[n] = ents[off++];
			j->cand_row[n] = held_row(ot, j->cand_entry[n], &j->cand_len[n]);
			n++;
		}
		if (res) {
			chunk_reset(j->cand);
			arena_reset(&j->scratch);
			for (int i = 0; i < n; i++) {
				row_decode(row, len, j->cand, me->cand_cols, me->ncols, i);
				row_decode(j->cand_row[i], j->cand_len[i], j->cand, ot->cand_cols,
					   ot->ncols, i);
			}
			j->cand->nrows = n;
			ExprCtx cx;
			df_expr_ctx(j->op.df, &cx, &j->scratch, e);
			if (expr_eval_filter(res, j->cand, j->keep, &cx) < 0)
				return -1;
			if (!j->quiet)
				df_count_row_errors(j->op.df, cx.row_errors);
		}
		for (int i = 0; i < n; i++)
			if ((!res || j->keep[i]) &&
			    fn(j, s, row, len, (Held *)j->cand_entry[i], j->cand_row[i],
			       j->cand_len[i], arg, e) < 0)
				return -1;
	}
	return 0;
}

typedef struct StreamPair {
	int d;
	int64_t m; /* matches of the changed row */
} StreamPair;

static int stream_pair(JoinOp *j, int s, const uint8_t *row, uint32_t len, Held *h,
		       const uint8_t *prow, uint32_t plen, void *arg, Err *e)
{
	StreamPair *sp = arg;
	int d = sp->d;
	int64_t count = held_count(&j->side[1 - s], h);
	sp->m += count;
	if (j->joined && emit_pair(j, s, row, len, prow, plen, count, d, e) < 0)
		return -1;
	if (!j->ext)
		return 0;
	Entry *p = (Entry *)h;
	int64_t old = ex(p)->matches;
	ex(p)->matches += d;
	bool flip = (old == 0) != (ex(p)->matches == 0);
	if (!flip)
		return 0;
	int appear = ex(p)->matches == 0 ? 1 : -1; /* the partner alone (re)appears unmatched */
	if (j->preserved[1 - s])
		return emit_entry(j, 1 - s, p, appear, e);
	if (s == 1 && j->type == JOIN_SEMI)
		return emit_entry(j, 0, p, -appear, e);
	if (s == 1 && j->type == JOIN_ANTI)
		return emit_entry(j, 0, p, appear, e);
	return 0;
}

/* NOT IN: whether a left row (key NULL or not, m matches) is output while the right side has
 * `total` rows of which `nulls` have a NULL key. */
static bool na_keep(bool knull, int64_t m, int64_t total, int64_t nulls)
{
	return total == 0 || (!knull && m == 0 && nulls == 0);
}

/* NOT IN: a right row changed (sign d) under key; `match` is the left bucket of that key. */
static int na_right_change(JoinOp *j, int d, bool knull, Bucket *match, Err *e)
{
	Side *l = &j->side[0], *r = &j->side[1];
	int64_t t0 = r->total, n0 = r->nulls;
	int64_t t1 = t0 + d, n1 = n0 + (knull ? d : 0);
	bool global = (t0 == 0) != (t1 == 0) || (n0 == 0) != (n1 == 0);
	Bucket *bk;
	for (size_t it = 0; (bk = global ? hmap_next(&l->map, &it) : match);) {
		for (uint32_t off = 0; off < bk->n; off++) {
			EntryX *en = ex((Entry *)bucket_ents(bk)[off]);
			int64_t m0 = en->matches;
			if (bk == match && !knull)
				en->matches += d;
			bool k0 = na_keep(en->knull, m0, t0, n0);
			bool k1 = na_keep(en->knull, en->matches, t1, n1);
			if (k0 != k1 && emit_entry(j, 0, &en->e, k1 ? 1 : -1, e) < 0)
				return -1;
		}
		if (!global)
			break;
	}
	return 0;
}

static bool out_of_reach(const JoinOp *j, int s, int64_t ts);

/* One change of side s in streaming mode. */
static int stream_change(JoinOp *j, int s, int d, bool knull, int64_t ts, Err *e)
{
	Side *me = &j->side[s], *ot = &j->side[1 - s];
	const uint8_t *row = (const uint8_t *)j->row.data;
	uint32_t len = (uint32_t)j->row.len;
	Bucket *bk = knull ? NULL : bucket_find(ot, &j->key);
	StreamPair sp = {d, 0};
	if (j->type == JOIN_ANTI_NA && s == 1) {
		Bucket *lb = bucket_find(ot, &j->key);
		if (na_right_change(j, d, knull, knull ? NULL : lb, e) < 0)
			return -1;
	} else if (bk && probe(j, s, row, len, bk, stream_pair, &sp, e) < 0) {
		return -1;
	}
	int64_t m = sp.m;
	int alone = 0; /* the changed row alone: 0 no, else its sign */
	if (j->preserved[s] && m == 0)
		alone = d;
	else if (s == 0 && j->type == JOIN_SEMI && m > 0)
		alone = d;
	else if (s == 0 && j->type == JOIN_ANTI && m == 0)
		alone = d;
	else if (s == 0 && j->type == JOIN_ANTI_NA && na_keep(knull, m, ot->total, ot->nulls))
		alone = d;
	if (alone && emit_alone(j, s, row, len, 1, alone, e) < 0)
		return -1;
	me->total += d;
	if (knull)
		me->nulls += d;
	if (!out_of_reach(j, s, ts))
		state_update(me, &j->key, &j->row, d, m, ts, knull);
	return 0;
}

/* ---- Interval state. */

/* Drops the rows of side s whose time is below `limit`, counting nothing (they were joined).
 * A scan visits every row held, so it waits until rows added since the last one number those
 * it kept (or every row goes): each row is visited a bounded number of times however often the
 * watermark moves, and rows out of reach meanwhile at most about double the state.
 * Keeping a row longer changes no output: the residual still holds its bounds. */
static void expire(Side *sd, int64_t limit)
{
	if (sd->min_ts >= limit || (sd->max_ts >= limit && sd->added < sd->kept + 64))
		return;
	Bucket **empty = NULL;
	size_t nempty = 0, capempty = 0;
	int64_t min = INT64_MAX, max = INT64_MIN;
	Bucket *bk;
	for (size_t it = 0; (bk = hmap_next(&sd->map, &it));) {
		uint32_t w = 0;
		Held **ents = bucket_ents(bk);
		for (uint32_t off = 0; off < bk->n; off++) {
			Held *h = ents[off];
			int64_t ts = sd->log ? rec_ts(h) : ex((Entry *)h)->ts;
			if (ts < limit) {
				/* A log side's rows after it move up: from here on the store
				 * must be rewritten (as after a delete, log_update). */
				if (sd->log && bk->ck_n > w)
					bk->ck_n = w;
				if (sd->log) {
					sd->rows--;
					log_free(sd, h);
				} else {
					sd->rows -= ((Entry *)h)->count;
					entry_remove(sd, (Entry *)h);
				}
				continue;
			}
			if (ts < min)
				min = ts;
			if (ts > max)
				max = ts;
			if (!sd->log)
				((Entry *)h)->pos = w;
			ents[w++] = h;
		}
		if (sd->log && w < bk->n)
			log_touch(sd, bk);
		bk->n = w;
		/* A log side's bucket whose rows are in the store waits for the checkpoint that
		 * deletes them (log_checkpoint drops it then). */
		if (w == 0 && (!sd->log || (!bk->dirty && bk->stored == 0))) {
			if (nempty == capempty) {
				capempty = capempty ? capempty * 2 : 16;
				empty = mem_realloc(empty, capempty * sizeof *empty);
			}
			empty[nempty++] = bk;
		}
	}
	for (size_t i = 0; i < nempty; i++)
		bucket_drop(sd, empty[i]);
	mem_free(empty);
	if (sd->rec_cur && sd->rec_cur->live == 0) {
		sd->rec_bytes -= sd->rec_cur->size;
		mem_free(sd->rec_cur);
		sd->rec_cur = NULL;
		sd->rec_left = 0;
	}
	sd->min_ts = min;
	sd->max_ts = max;
	sd->added = 0;
	sd->kept = sd->rows;
}

/* Drops the rows of side s no future change of either side can reach: below the other side's
 * watermark shifted by the bounds and, for a changelog side, below its own watermark too
 * (a row above it may still be deleted, and its joined rows with it). */
static void expire_side(JoinOp *j, int s)
{
	const LogicalOp *lop = j->op.lop;
	Side *sd = &j->side[s];
	const Side *ot = &j->side[1 - s];
	if (!ot->has_wm || (sd->changelog && !sd->has_wm))
		return;
	int64_t limit = s == 0 ? ot->wm - lop->hi_us : ot->wm + lop->lo_us;
	if (sd->changelog && sd->wm < limit)
		limit = sd->wm;
	expire(sd, limit);
}

/* Whether a row of side s at time `own` (its time column) is late: below its side's
 * watermark, so rows of the other side it should meet may be gone. A changelog side's changes
 * are never late: its watermark W promises no change below W, and the other side keeps every
 * row a change at or above W can meet. */
static bool too_late(const JoinOp *j, int s, int64_t own)
{
	const Side *sd = &j->side[s];
	return j->op.lop->interval && sd->has_wm && df_mode(j->op.df) == DF_STREAMING &&
	       !sd->changelog && own < sd->wm;
}

/* Whether a row of side s with time ts (EntryX.ts) is out of reach of every future row of the
 * other side (expire_side would drop it at once): it probes, but is not kept. A changelog
 * side keeps it: a delete of it may follow. */
static bool out_of_reach(const JoinOp *j, int s, int64_t ts)
{
	const LogicalOp *lop = j->op.lop;
	const Side *ot = &j->side[1 - s];
	if (!lop->interval || !ot->has_wm || j->side[s].changelog)
		return false;
	return s == 0 ? ts + lop->hi_us < ot->wm : ts - lop->lo_us < ot->wm;
}

/* Forwards the output watermark if it advanced: on the left time when the upper bound is on
 * it, the minimum of wl and wr - hi (a future output row has a future left row, or a future
 * right row and a left row with l_time >= r_time - hi); else on the right time when the lower
 * bound is on it, the minimum of wr and wl + lo; else none (bind_join.c). Over the active
 * sides; the maximum when both are idle. */
static int send_watermark(JoinOp *j, Err *e)
{
	const LogicalOp *lop = j->op.lop;
	const Side *l = &j->side[0], *r = &j->side[1];
	if (lop->wm_col < 0)
		return 0;
	bool on_left = lop->l_hi_col == lop->l_time;
	int64_t shift[2] = {on_left ? 0 : lop->lo_us, on_left ? -lop->hi_us : 0};
	bool hold_l = !l->idle || r->idle, hold_r = !r->idle || l->idle;
	if ((hold_l && !l->has_wm && !l->idle) || (hold_r && !r->has_wm && !r->idle))
		return 0;
	bool both_idle = l->idle && r->idle, any = false;
	int64_t w = 0;
	if (hold_l && l->has_wm) {
		w = l->wm + shift[0];
		any = true;
	}
	if (hold_r && r->has_wm) {
		int64_t rw = r->wm + shift[1];
		if (!any || (both_idle ? rw > w : rw < w))
			w = rw;
		any = true;
	}
	if (!any)
		return 0;
	if (j->has_sent && w <= j->sent_wm)
		return 0;
	j->sent_wm = w;
	j->has_sent = true;
	return op_emit_watermark(&j->op, lop->wm_col, w, e);
}

static int join_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	const LogicalOp *lop = op->lop;
	Side *sd = &j->side[port];
	if (!lop->interval || col != sd->time_col || (sd->has_wm && ts <= sd->wm))
		return 0;
	sd->wm = ts;
	sd->has_wm = true;
	expire_side(j, 0);
	expire_side(j, 1);
	return send_watermark(j, e);
}

/* An idle side (dataflow_input_idle) stops holding an interval join's output watermark back.
 * Any join is idle for its parent while both its inputs are: a plain join forwards no
 * watermark (a new row may meet rows of any age on the other side), but the operator above
 * (UNION ALL, an interval join) must not wait for one from a join whose inputs are silent. */
static int join_idle(Operator *op, int port, bool idle, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	if (j->side[port].idle == idle)
		return 0;
	bool was_idle = j->side[0].idle && j->side[1].idle;
	j->side[port].idle = idle;
	if (op->lop->interval && send_watermark(j, e) < 0)
		return -1;
	if (was_idle != (j->side[0].idle && j->side[1].idle))
		return op_emit_idle(op, !was_idle, e);
	return 0;
}

/* ---- Chunks. */

static int join_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	Side *sd = &j->side[port];
	bool batch = df_mode(op->df) == DF_BATCH;
	/* Key columns are evaluated once per chunk into a chunk of their own, in an arena apart
	 * from the residual's (probing resets that one). */
	arena_reset(&j->key_arena);
	ExprCtx cx;
	df_expr_ctx(op->df, &cx, &j->key_arena, e);
	Vector *kv = arena_alloc(&j->key_arena, (size_t)(sd->nkeys + 1) * sizeof *kv);
	for (int k = 0; k < sd->nkeys; k++) {
		Vector *v = vec_new_in(&j->key_arena, sd->keys[k]->type);
		if (expr_eval(sd->keys[k], c, v, &cx) < 0)
			return -1;
		kv[k] = *v;
	}
	df_count_row_errors(op->df, cx.row_errors);
	Chunk kc = {.ncols = sd->nkeys, .nrows = c->nrows, .cols = kv};
	int rc = 0;
	uint64_t late = 0;
	for (int r = 0; r < c->nrows && rc == 0; r++) {
		bool knull = false;
		for (int k = 0; k < sd->nkeys; k++)
			knull = knull || kv[k].nulls[r];
		int64_t ts = 0;
		if (sd->time_col >= 0) {
			if (c->cols[sd->time_col].nulls[r] || c->cols[sd->reach_col].nulls[r])
				continue; /* a NULL time meets nothing within bounds */
			ts = ((const int64_t *)c->cols[sd->reach_col].data)[r];
			if (too_late(j, port, ((const int64_t *)c->cols[sd->time_col].data)[r])) {
				late++;
				continue;
			}
		}
		sb_reset(&j->key);
		sb_reset(&j->row);
		row_encode(&kc, NULL, sd->nkeys, r, ROWCODEC_NORMALIZE, &j->key);
		row_encode(c, NULL, c->ncols, r, ROWCODEC_EXACT, &j->row);
		int d = op_sign(c->ops[r]);
		if (batch) {
			sd->total += d;
			if (knull)
				sd->nulls += d;
			state_update(sd, &j->key, &j->row, d, 0, ts, knull);
		} else {
			rc = stream_change(j, port, d, knull, ts, e);
		}
	}
	if (late)
		df_count_late(op->df, late);
	if (rc == 0 && j->out->nrows)
		rc = flush(j, e);
	return rc;
}

/* ---- Batch: build both sides, then join once at the barrier. */

/* A left row (arg) and a right row p match: each counts the other. */
static int count_pair(JoinOp *j, int s, const uint8_t *row, uint32_t len, Held *p,
		      const uint8_t *prow, uint32_t plen, void *arg, Err *e)
{
	Entry *l = arg, *r = (Entry *)p;
	if (j->ext) {
		ex(l)->matches += r->count;
		ex(r)->matches += l->count;
	}
	return 0;
}

static int batch_pair(JoinOp *j, int s, const uint8_t *row, uint32_t len, Held *p,
		      const uint8_t *prow, uint32_t plen, void *arg, Err *e)
{
	count_pair(j, s, row, len, p, prow, plen, arg, e);
	int64_t n = held_count(&j->side[0], arg) * held_count(&j->side[1], p);
	return j->joined ? emit_pair(j, 0, row, len, prow, plen, n, 1, e) : 0;
}

/* Runs fn over every matching pair of rows held (the left row as its argument). */
static int join_held(JoinOp *j, PairFn fn, Err *e)
{
	Side *l = &j->side[0], *r = &j->side[1];
	Bucket *bk;
	for (size_t it = 0; (bk = hmap_next(&l->map, &it));) {
		size_t klen;
		const void *key = hmap_key(&l->map, bk, &klen);
		Bucket *rb = hmap_find(&r->map, key, klen, hash_bytes(key, klen));
		for (uint32_t off = 0; rb && off < bk->n; off++) {
			Held *h = bucket_ents(bk)[off];
			uint32_t len;
			const uint8_t *row = held_row(l, h, &len);
			if ((!l->ext || !ex((Entry *)h)->knull) &&
			    probe(j, 0, row, len, rb, fn, h, e) < 0)
				return -1;
		}
	}
	return 0;
}

static int batch_join(JoinOp *j, Err *e)
{
	Side *r = &j->side[1];
	Bucket *bk;
	if (join_held(j, batch_pair, e) < 0)
		return -1;
	for (int s = 0; s < 2; s++) {
		Side *sd = &j->side[s];
		bool alone_unmatched = j->preserved[s] || (s == 0 && j->type == JOIN_ANTI);
		bool alone_matched = s == 0 && j->type == JOIN_SEMI;
		bool na = s == 0 && j->type == JOIN_ANTI_NA;
		if (!j->ext)
			continue; /* an inner join outputs no row alone */
		for (size_t it = 0; (bk = hmap_next(&sd->map, &it));) {
			for (uint32_t off = 0; off < bk->n; off++) {
				EntryX *en = ex((Entry *)bucket_ents(bk)[off]);
				bool out = en->matches == 0 ? alone_unmatched : alone_matched;
				if (na)
					out = na_keep(en->knull, en->matches, r->total, r->nulls);
				if (out && emit_entry(j, s, &en->e, 1, e) < 0)
					return -1;
			}
		}
	}
	return j->out->nrows ? flush(j, e) : 0;
}

static int join_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	if (!j->got[port]) {
		j->got[port] = true;
		j->arrived++;
	}
	if (j->arrived < 2)
		return 0;
	j->arrived = 0;
	j->got[0] = j->got[1] = false;
	if (df_mode(op->df) == DF_BATCH && batch_join(j, e) < 0)
		return -1;
	return op_emit_barrier(op, epoch, e);
}

/* ---- Operator. */

static const char *const TYPE_NAMES[] = {"inner", "left", "right", "full",
					 "semi",  "anti", "anti-null-aware"};

static void join_explain(const Operator *op, StrBuf *out)
{
	const JoinOp *j = (const JoinOp *)op;
	const LogicalOp *lop = op->lop;
	sb_printf(out, "%s type=%s keys=%d", lop->interval ? "IntervalJoin" : "HashJoin",
		  TYPE_NAMES[j->type], lop->njkeys);
	if (lop->residual)
		sb_puts(out, " residual");
	if (lop->interval) {
		sb_puts(out, " right-left in [");
		fmt_duration(out, lop->lo_us);
		sb_puts(out, ", ");
		fmt_duration(out, lop->hi_us);
		sb_putc(out, ']');
		/* A bound through another column: the row's own value of it sets its expiry. */
		if (lop->r_lo_col != lop->r_time)
			sb_printf(out, " lower-by=right.%s", lop->cols[j->side[0].ncols +
								     lop->r_lo_col].name);
		if (lop->l_hi_col != lop->l_time)
			sb_printf(out, " upper-by=left.%s", lop->cols[lop->l_hi_col].name);
		sb_puts(out, " state=rows of both sides, dropped below the watermarks");
	} else {
		sb_puts(out, " state=rows of both sides by key");
	}
}

static size_t join_state_bytes(const Operator *op)
{
	const JoinOp *j = (const JoinOp *)op;
	size_t n = 0;
	for (int s = 0; s < 2; s++) {
		const Side *sd = &j->side[s];
		n += sd->map.bytes + sd->idx.bytes + sd->buf_bytes + sd->log_rows.used_total +
		     sd->rec_bytes +
		     sd->capdirty * sizeof *sd->dirty +
		     (sd->map.cap + sd->idx.cap) * (sizeof *sd->map.slots + sizeof *sd->map.hashes);
	}
	return n;
}

/* ---- Checkpoints. */

static void encode_entry(const void *owner, const void *value, StrBuf *out)
{
	const Side *sd = owner;
	const Entry *en = value;
	bin_put_i64(out, en->count);
	bin_put_i64(out, sd->ext ? ex(en)->ts : 0);
	bin_put_u8(out, (uint8_t)(sd->ext && ex(en)->knull));
}

/* Log side s: rows [from, to) of bk under key 3 + s, the join key (bin_put_bytes), the row's
 * position u64 (big-endian: a bucket's rows are restored in order); value: the row. */
static int log_put(JoinOp *j, int s, Bucket *bk, uint32_t from, uint32_t to, StateWriter *w,
		   Err *e)
{
	Side *sd = &j->side[s];
	size_t klen;
	const void *key = hmap_key(&sd->map, bk, &klen);
	Held **ents = bucket_ents(bk);
	for (uint32_t i = from; i < to; i++) {
		sb_reset(&j->hdr);
		bin_put_u8(&j->hdr, (uint8_t)(3 + s));
		bin_put_bytes(&j->hdr, key, klen);
		bin_put_key_u64(&j->hdr, i);
		uint32_t len;
		const uint8_t *row = i < bk->n ? held_row(sd, ents[i], &len) : NULL;
		int rc;
		if (row && sd->tsz) {
			/* An interval side's row follows its time (j->row is free between
			 * chunks). */
			sb_reset(&j->row);
			sb_append(&j->row, row - sd->tsz, sizeof(int64_t));
			sb_append(&j->row, row, len);
			rc = w->put(w, j->hdr.data, j->hdr.len, j->row.data, j->row.len, e);
		} else {
			rc = row ? w->put(w, j->hdr.data, j->hdr.len, row, len, e)
				 : w->del(w, j->hdr.data, j->hdr.len, e);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Log side s: the rows appended (or moved) since the last checkpoint, or all of them. */
static int log_checkpoint(JoinOp *j, int s, StateWriter *w, bool full, Err *e)
{
	Side *sd = &j->side[s];
	full = full || !sd->ck_on;
	Bucket *bk;
	for (size_t it = 0; full && (bk = hmap_next(&sd->map, &it));)
		bk->ck_n = 0;
	for (size_t it = 0, i = 0;; i++) {
		if (full ? !(bk = hmap_next(&sd->map, &it)) : i >= sd->ndirty)
			break;
		if (!full)
			bk = sd->dirty[i];
		/* Rows [ck_n, n) are new or moved; [n, stored) are gone. */
		uint32_t to = bk->stored > bk->n ? bk->stored : bk->n;
		if (log_put(j, s, bk, bk->ck_n, to, w, e) < 0)
			return -1;
		bk->ck_n = bk->stored = bk->n;
		bk->dirty = 0;
		/* Emptied by an interval join's expiry: gone from the store now, so it goes. */
		if (bk->n == 0 && !full)
			bucket_drop(sd, bk);
	}
	/* A full checkpoint collects them first: the map must not change while iterated. */
	Bucket **empty = NULL;
	size_t nempty = 0;
	for (size_t it = 0; full && (bk = hmap_next(&sd->map, &it));) {
		if (bk->n == 0) {
			empty = mem_realloc(empty, (nempty + 1) * sizeof *empty);
			empty[nempty++] = bk;
		}
	}
	for (size_t i = 0; i < nempty; i++)
		bucket_drop(sd, empty[i]);
	mem_free(empty);
	sd->ndirty = sd->capdirty = 0;
	mem_free(sd->dirty);
	sd->dirty = NULL;
	sd->ck_on = true;
	return 0;
}

static int join_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	sb_reset(&j->hdr);
	for (int s = 0; s < 2; s++) {
		const Side *sd = &j->side[s];
		bin_put_u8(&j->hdr, sd->has_wm);
		bin_put_i64(&j->hdr, sd->wm);
		bin_put_i64(&j->hdr, sd->min_ts);
		bin_put_u8(&j->hdr, sd->idle);
		bin_put_i64(&j->hdr, sd->total);
		bin_put_i64(&j->hdr, sd->nulls);
	}
	bin_put_u8(&j->hdr, j->has_sent);
	bin_put_i64(&j->hdr, j->sent_wm);
	if (ckt_write_header(&j->side[0].ck, &j->hdr, w, full, e) < 0)
		return -1;
	for (int s = 0; s < 2; s++) {
		Side *sd = &j->side[s];
		if (ckt_write(&sd->ck, &sd->idx, (uint8_t)(1 + s), encode_entry, sd, w, full, e) < 0)
			return -1;
		if (sd->log && log_checkpoint(j, s, w, full, e) < 0)
			return -1;
	}
	return 0;
}

static int restore_header(JoinOp *j, const void *val, size_t vlen, Err *e)
{
	BinReader r;
	bin_reader(&r, val, vlen);
	for (int s = 0; s < 2; s++) {
		Side *sd = &j->side[s];
		sd->has_wm = bin_get_u8(&r) != 0;
		sd->wm = bin_get_i64(&r);
		sd->min_ts = bin_get_i64(&r);
		sd->idle = bin_get_u8(&r) != 0;
		sd->total = bin_get_i64(&r);
		sd->nulls = bin_get_i64(&r);
	}
	j->has_sent = bin_get_u8(&r) != 0;
	j->sent_wm = bin_get_i64(&r);
	if (!bin_done(&r))
		return err_set(e, ERR_DATA_CORRUPTED, "hash join checkpoint header does not decode");
	ckt_restored_header(&j->side[0].ck, val, vlen);
	return 0;
}

/* A row of a log side: key 3 + side, the join key, its position in the bucket (the next one:
 * entries come back in key order); value: the row. */
static int restore_log(JoinOp *j, const uint8_t *k, size_t klen, const void *val, size_t vlen,
		       Err *e)
{
	BinReader r;
	bin_reader(&r, k, klen);
	int s = bin_get_u8(&r) - 3;
	size_t keylen;
	const void *key = bin_get_bytes(&r, &keylen);
	uint64_t pos = bin_get_key_u64(&r);
	Side *sd = &j->side[s];
	size_t pre = sd->tsz ? sizeof(int64_t) : 0; /* an interval side's row's time */
	const uint8_t *row = (const uint8_t *)val + pre;
	bool ok = bin_done(&r) && sd->log && vlen >= pre &&
		  row_check(key, keylen, sd->types + sd->ncols, sd->nkeys) &&
		  row_check(row, vlen - pre, sd->types, sd->ncols);
	if (ok) {
		Bucket *bk = hmap_upsert(&sd->map, key, keylen, hash_bytes(key, keylen), NULL);
		ok = pos == bk->n;
		if (ok) {
			log_append(sd, bk, row, (uint32_t)(vlen - pre), pre ? rec_ts(val) : 0);
			bk->ck_n = bk->stored = bk->n;
			sd->ck_on = true;
		}
	}
	if (!ok)
		return err_set(e, ERR_DATA_CORRUPTED, "hash join checkpoint row does not decode");
	return 0;
}

/* A held row: key 1 + side, then its row index key (row, join key, row length). */
static int join_restore(Operator *op, const void *key, size_t klen, const void *val, size_t vlen,
			Err *e)
{
	JoinOp *j = (JoinOp *)op;
	const uint8_t *k = key;
	if (klen == 1 && k[0] == 0)
		return restore_header(j, val, vlen, e);
	if (klen > 1 && (k[0] == 3 || k[0] == 4))
		return restore_log(j, k, klen, val, vlen, e);
	BinReader r;
	bin_reader(&r, val, vlen);
	int64_t count = bin_get_i64(&r), ts = bin_get_i64(&r);
	uint8_t knull = bin_get_u8(&r);
	uint32_t rlen = 0;
	if (klen > sizeof rlen)
		memcpy(&rlen, k + klen - sizeof rlen, sizeof rlen);
	bool ok = klen > sizeof rlen && (k[0] == 1 || k[0] == 2) && bin_done(&r) && count > 0 &&
		  count <= INT32_MAX && knull <= 1 && rlen <= klen - 1 - sizeof rlen;
	Side *sd = ok ? &j->side[k[0] - 1] : NULL;
	const uint8_t *row = k + 1;
	size_t keylen = ok ? klen - 1 - sizeof rlen - rlen : 0;
	if (ok)
		ok = row_check(row, rlen, sd->types, sd->ncols) &&
		     row_check(row + rlen, keylen, sd->types + sd->ncols, sd->nkeys);
	if (ok) {
		sb_reset(&j->key);
		sb_append(&j->key, row + rlen, keylen);
		index_key(sd, &j->key, row, rlen);
		uint64_t ih = hash_bytes(sd->ik.data, sd->ik.len);
		ok = !hmap_find(&sd->idx, sd->ik.data, sd->ik.len, ih);
		/* A plain inner join keeps no row whose key has a NULL (state_update). */
		if (ok && (sd->keep_null || !knull))
			ckt_restored(&entry_add(sd, &j->key, ih, (int)count, 0, ts, knull)->ck);
	}
	if (!ok)
		return err_set(e, ERR_DATA_CORRUPTED, "hash join checkpoint entry does not decode");
	return 0;
}

/* Match counts are not saved (a change on a key with many rows would rewrite every partner):
 * they are counted again over the rows restored. Inner joins never read them. */
static int join_restore_done(Operator *op, Err *e)
{
	JoinOp *j = (JoinOp *)op;
	if (j->type == JOIN_INNER)
		return 0;
	j->quiet = true;
	int rc = join_held(j, count_pair, e);
	j->quiet = false;
	return rc;
}

static void join_free(Operator *op)
{
	JoinOp *j = (JoinOp *)op;
	for (int s = 0; s < 2; s++) {
		Side *sd = &j->side[s];
		Bucket *bk;
		for (size_t it = 0; (bk = hmap_next(&sd->map, &it));) {
			for (uint32_t i = 0; sd->log && i < bk->n; i++)
				log_free(sd, bucket_ents(bk)[i]);
			if (bk->cap > 1)
				mem_free(bk->ents);
		}
		mem_free(sd->rec_cur);
		mem_free(sd->dirty);
		arena_deinit(&sd->log_rows);
		hmap_deinit(&sd->map);
		hmap_deinit(&sd->idx);
		sb_deinit(&sd->ik);
		ckt_deinit(&sd->ck);
		mem_free(sd->out_cols);
		mem_free(sd->cand_cols);
		mem_free(sd->types);
	}
	sb_deinit(&j->hdr);
	chunk_free(j->out);
	chunk_free(j->cand);
	arena_deinit(&j->scratch);
	arena_deinit(&j->key_arena);
	sb_deinit(&j->key);
	sb_deinit(&j->row);
}

Operator *hash_join_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (df_mode(df) == DF_STREAMING && lop->njkeys == 0 && !lop->interval) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"a cross join cannot be maintained incrementally");
		err_hint(e, "join on an equality between columns of both sides, such as "
			    "ON a.x = b.y");
		return NULL;
	}
	JoinOp *j = mem_calloc(1, sizeof *j);
	j->type = lop->join_type;
	j->preserved[0] = j->type == JOIN_LEFT || j->type == JOIN_FULL;
	j->preserved[1] = j->type == JOIN_RIGHT || j->type == JOIN_FULL;
	j->joined = j->type < JOIN_SEMI;
	j->ext = j->type != JOIN_INNER;
	int nl = lop->children[0]->ncols, nr = lop->children[1]->ncols;
	TypeId *types = mem_alloc((size_t)(nl + nr + 1) * sizeof *types);
	for (int s = 0; s < 2; s++) {
		const LogicalOp *child = lop->children[s];
		Side *sd = &j->side[s];
		hmap_init(&sd->map, sizeof(Bucket));
		/* An interval join's changelog input keeps its rows' times in EntryX; an append-only
		 * one, before each row of its log. */
		sd->log = !j->ext && child->append_only;
		sd->tsz = sd->log && lop->interval ? (int)(sizeof(int64_t) + sizeof(RecBlock *)) : 0;
		sd->ext = j->ext || (lop->interval && !sd->log);
		sd->keep_null = j->ext;
		arena_init(&sd->log_rows, LOG_BLOCK);
		hmap_init(&sd->idx, sd->ext ? sizeof(EntryX) : sizeof(Entry));
		sb_init(&sd->ik);
		sd->ncols = child->ncols;
		sd->nkeys = lop->njkeys;
		sd->keys = s == 0 ? lop->lkeys : lop->rkeys;
		sd->time_col = lop->interval ? (s == 0 ? lop->l_time : lop->r_time) : -1;
		sd->reach_col = lop->interval ? (s == 0 ? lop->l_hi_col : lop->r_lo_col) : -1;
		sd->min_ts = INT64_MAX;
		sd->max_ts = INT64_MIN;
		sd->changelog = lop->interval && !child->append_only;
		sd->out_cols = mem_alloc((size_t)(child->ncols + 1) * sizeof(int));
		sd->cand_cols = mem_alloc((size_t)(child->ncols + 1) * sizeof(int));
		sd->types = mem_alloc((size_t)(child->ncols + sd->nkeys + 1) * sizeof(TypeId));
		for (int c = 0; c < child->ncols; c++) {
			sd->cand_cols[c] = (s ? nl : 0) + c;
			sd->out_cols[c] = sd->cand_cols[c];
			types[sd->cand_cols[c]] = child->cols[c].type;
			sd->types[c] = child->cols[c].type;
		}
		for (int k = 0; k < sd->nkeys; k++)
			sd->types[child->ncols + k] = sd->keys[k]->type;
		ckt_init(&sd->ck);
	}
	j->out = lop_chunk_new(lop);
	j->cand = chunk_new(types, nl + nr);
	mem_free(types);
	arena_init(&j->scratch, 0);
	arena_init(&j->key_arena, 0);
	sb_init(&j->key);
	sb_init(&j->row);
	sb_init(&j->hdr);
	sb_reserve(&j->key, 64); /* an empty key (no equi-keys) still has an address */
	sb_reserve(&j->row, 64);
	j->op.kind = lop->interval ? "IntervalJoin" : "HashJoin";
	j->op.on_chunk = join_chunk;
	j->op.on_watermark = join_watermark;
	j->op.on_barrier = join_barrier;
	j->op.on_idle = join_idle;
	j->op.explain = join_explain;
	j->op.free = join_free;
	j->op.state_bytes = join_state_bytes;
	j->op.checkpoint = join_checkpoint;
	j->op.restore = join_restore;
	j->op.restore_done = join_restore_done;
	return &j->op;
}
