/* session.c: SESSION windows: aggregation over gap-based, merging sessions.
 *
 * Layer: stream. LOP_SESSION_AGG groups rows by a partition key (the group columns other than
 * window_start/window_end) into sessions: a row at time t covers [t, t + gap]; rows whose
 * covers touch or overlap are in one session [first t, last t + gap) (Flink's rule). Each
 * partition keeps its sessions sorted by start, disjoint, each with its aggregate states (one
 * heap block; AggFunc.merge combines the states when a row bridges two sessions).
 *
 * Two modes, chosen from the input:
 *   - append-only input (a stream, a source, and every batch run): sessions only grow and
 *     merge, so the states alone are kept (the fast path);
 *   - changelog input (a table, a view with retractions) in a streaming dataflow: a delete can
 *     shrink a session, remove it, or split it in two, which no aggregate state can answer.
 *     Each partition also holds its open sessions' rows (time, multiplicity, and the columns
 *     the aggregates read, encoded), sorted by time. An insert goes the fast path and is held;
 *     a delete takes its row out and marks the session that held it stale; at the barrier each
 *     stale session is rebuilt from the rows left (one pass, init + update: the states never
 *     see a retraction, so every aggregate works; many deletes in one session cost one pass).
 *     An update is a delete and an insert.
 *
 * Output at the barrier, per changed partition: rows of sessions swallowed by a merge or
 * emptied by deletes are retracted; a session whose bounds changed is retracted and inserted
 * again (- then +), one whose results alone changed gets U- / U+, a new one +. So the view
 * always equals the sessions of the input so far.
 *
 * Watermarks: a session whose end is below the time watermark W can no longer grow (a row at
 * t >= W would not touch it) nor change (a watermark promises no change below it): its state
 * and rows are freed after the barrier. A row that touches no open session and whose own cover
 * ends below W is late: dropped and counted, as is a delete of a row no open session holds. No
 * watermark leaves the operator: merging can move a session's start back.
 *
 * Checkpoints (dataflow.h), one entry per open session so that a change rewrites only the
 * sessions it touched (a partition of a table without watermark keeps every session):
 *
 *   key 0x00                     header: u8 has_wm, u8 wm_pending, i64 wm (little endian)
 *   key 0x01 | part | start      one session: `part` is the partition key (row encoding of the
 *                                partition columns, ROWCODEC_NORMALIZE), `start` 8 bytes
 *                                big-endian, sign flipped (bin_put_key_i64), so entries come
 *                                back grouped by partition in start order. Value:
 *       i64 end | u8 emitted | [emitted: i64 pstart, i64 pend, bytes prev (results last
 *       emitted, row encoding)] | per aggregate: bytes (AggFunc.save) |
 *       [changelog mode: u32 nrows, per row: i64 ts, u32 mult, bytes (encoded columns)]
 *
 * (`bytes` is a u32 length then the bytes.) Changes are tracked per partition (a CkLink list,
 * ckpt_track.h) and per session (a flag and the start the store holds it under); keys of
 * stored sessions that were merged away, emptied or closed wait in the tracker's `gone` list.
 */
#include "base/bin.h"
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <assert.h>
#include <string.h>

typedef struct Sess {
	int64_t start, end;
	char *states;             /* heap: the aggregates' states */
	char *prev;               /* heap: results last emitted, encoded; NULL: not emitted */
	uint32_t prev_len;
	int64_t pstart, pend;     /* bounds last emitted */
	uint8_t changed;          /* to emit at the next barrier */
	uint8_t ck_dirty;         /* to write at the next checkpoint */
	uint8_t ck_saved;         /* the checkpoint store holds it, under ck_start */
	uint8_t stale;            /* rows left it: rebuild bounds and states at the barrier */
	int64_t ck_start;
} Sess;

/* A retraction owed at the next barrier: a swallowed or emptied session's last emitted row. */
typedef struct Retired {
	int64_t start, end;
	char *prev;
	uint32_t prev_len;
} Retired;

/* A held row (changelog mode): its time, how many copies are live, and the columns the
 * aggregates read (row encoding, ROWCODEC_EXACT), inline when short. */
#define HROW_INLINE 24

typedef struct HRow {
	int64_t ts;
	uint32_t mult, len;
	union {
		char inl[HROW_INLINE];
		char *heap;
	} u;
} HRow;

typedef struct Part {
	CkLink ck;                /* first: in the list of partitions with changed sessions */
	Sess *s;
	int n, cap;
	HRow *rows;               /* changelog mode: the open sessions' rows, sorted by ts */
	int nrows, caprows;
	Retired *ret;
	int nret, capret;
	struct Part *next_dirty;
	uint8_t dirty;
} Part;

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

typedef struct SessionOp {
	Operator op;
	int naggs, nkey;
	const AggCall *aggs;
	int *key_cols, *out_cols;
	int ws_out, we_out;
	size_t states_size;
	size_t *off;
	HMap parts;
	Part *dirty;
	bool has_wm, wm_pending;
	int64_t wm;
	size_t heap;              /* bytes of sessions, states, held rows and retractions */
	StrBuf key, row;
	Chunk *out;
	Arena scratch;
	/* Changelog mode. */
	bool hold;
	int npay;
	int *pay_cols;            /* input columns the aggregates read (arguments, filters) */
	TypeId *pay_types;
	int *arg_pay, *filt_pay;  /* per aggregate: its argument / filter in pay_cols, -1: none */
	StrBuf pay;               /* the current row's encoded columns */
	Chunk *feed;              /* held rows decoded to rebuild a session */
	void **stp;               /* CHUNK_CAP state pointers */
	uint8_t *skip;            /* CHUNK_CAP FILTER flags */
	/* Checkpoints. */
	CkTrack ck;
	StrBuf hdr, ckkey, ckval, ckagg;
	TypeId *key_types, *res_types;
} SessionOp;

static inline const char *hrow_data(const HRow *h)
{
	return h->len <= HROW_INLINE ? h->u.inl : h->u.heap;
}

static void states_destroy(SessionOp *so, char *st)
{
	for (int i = 0; i < so->naggs; i++)
		if (so->aggs[i].fn->destroy)
			so->aggs[i].fn->destroy(so->aggs[i].fn, st + so->off[i]);
}

static void states_init(SessionOp *so, char *st)
{
	memset(st, 0, so->states_size);
	for (int i = 0; i < so->naggs; i++)
		so->aggs[i].fn->init(so->aggs[i].fn, st + so->off[i]);
}

static void sess_free(SessionOp *so, Sess *s)
{
	states_destroy(so, s->states);
	mem_free(s->states);
	mem_free(s->prev);
	so->heap -= so->states_size + s->prev_len;
}

/* Appends the checkpoint key of the session of p starting at start (without the tag). */
static void sess_key(SessionOp *so, Part *p, int64_t start, StrBuf *out)
{
	size_t klen;
	const void *key = hmap_key(&so->parts, p, &klen);
	sb_append(out, key, klen);
	bin_put_key_i64(out, start);
}

/* Session s of p goes away: its stored entry (if any) is deleted at the next checkpoint. */
static void sess_drop(SessionOp *so, Part *p, Sess *s)
{
	if (s->ck_saved) {
		sb_reset(&so->ckkey);
		sess_key(so, p, s->ck_start, &so->ckkey);
		bin_put_bytes(&so->ck.gone, so->ckkey.data, so->ckkey.len);
	}
	sess_free(so, s);
}

/* Session s of p changed: emit it at the barrier, write it at the next checkpoint. */
static void sess_touch(SessionOp *so, Part *p, Sess *s)
{
	s->changed = 1;
	s->ck_dirty = 1;
	ckt_touch(&so->ck, &p->ck);
}

/* Session s's last emitted row is owed a retraction (it was merged away or emptied). */
static void retire(SessionOp *so, Part *p, Sess *s)
{
	if (!s->prev)
		return;
	if (p->nret == p->capret) {
		p->capret = p->capret ? 2 * p->capret : 4;
		p->ret = mem_realloc(p->ret, (size_t)p->capret * sizeof *p->ret);
	}
	p->ret[p->nret++] = (Retired){s->pstart, s->pend, s->prev, s->prev_len};
	s->prev = NULL; /* now owned by the retraction, its bytes still counted in heap */
	s->prev_len = 0;
}

static void part_dirty(SessionOp *so, Part *p)
{
	if (!p->dirty) {
		p->dirty = 1;
		p->next_dirty = so->dirty;
		so->dirty = p;
	}
}

/* Makes room for `more` sessions in p. */
static void sess_reserve(SessionOp *so, Part *p, int more)
{
	if (p->n + more <= p->cap)
		return;
	int cap = p->cap ? 2 * p->cap : 2;
	while (cap < p->n + more)
		cap *= 2;
	p->s = mem_realloc(p->s, (size_t)cap * sizeof *p->s);
	so->heap += (size_t)(cap - p->cap) * sizeof *p->s;
	p->cap = cap;
}

/* Opens empty sessions at [at, at + k) of p (their states init'ed, bounds unset). */
static void sess_open(SessionOp *so, Part *p, int at, int k)
{
	sess_reserve(so, p, k);
	memmove(p->s + at + k, p->s + at, (size_t)(p->n - at) * sizeof *p->s);
	p->n += k;
	for (int j = at; j < at + k; j++) {
		Sess *s = &p->s[j];
		memset(s, 0, sizeof *s);
		s->states = mem_alloc(so->states_size);
		states_init(so, s->states);
		so->heap += so->states_size;
	}
}

/* Places a row at time t in partition p: the session it extends, merges or opens; NULL when
 * the row is late. */
static Sess *place(SessionOp *so, Part *p, int64_t t, Err *e, int *rc)
{
	int64_t gap = so->op.lop->gap_us;
	int lo = 0;
	while (lo < p->n && p->s[lo].end < t)
		lo++;
	int hi = lo; /* sessions [lo, hi) touch [t, t + gap] */
	while (hi < p->n && p->s[hi].start <= t + gap)
		hi++;
	if (lo == hi) {
		if (so->has_wm && t + gap < so->wm)
			return NULL;
		sess_open(so, p, lo, 1);
		Sess *s = &p->s[lo];
		s->start = t;
		s->end = t + gap;
		sess_touch(so, p, s);
		return s;
	}
	Sess *s = &p->s[lo];
	if (t < s->start)
		s->start = t;
	if (t + gap > s->end)
		s->end = t + gap;
	for (int j = lo + 1; j < hi; j++) {
		Sess *o = &p->s[j];
		for (int i = 0; i < so->naggs; i++)
			if (so->aggs[i].fn->merge(so->aggs[i].fn, s->states + so->off[i],
						  o->states + so->off[i], e) < 0)
				*rc = -1;
		if (o->end > s->end)
			s->end = o->end;
		s->stale |= o->stale;
		retire(so, p, o);
		sess_drop(so, p, o);
	}
	if (hi > lo + 1) {
		memmove(p->s + lo + 1, p->s + hi, (size_t)(p->n - hi) * sizeof *p->s);
		p->n -= hi - lo - 1;
	}
	sess_touch(so, p, s);
	return s;
}

/* ---- Held rows (changelog mode). */

/* The index of the first held row of p at time >= t. */
static int rows_lower(const Part *p, int64_t t)
{
	int lo = 0, hi = p->nrows;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (p->rows[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The held row (t, pay) of p, or -1. */
static int rows_find(const Part *p, int64_t t, const StrBuf *pay)
{
	for (int i = rows_lower(p, t); i < p->nrows && p->rows[i].ts == t; i++)
		if (p->rows[i].len == pay->len && memcmp(hrow_data(&p->rows[i]), pay->data,
							 pay->len) == 0)
			return i;
	return -1;
}

/* Holds one more copy of the row (t, pay) in p. */
static void hold_add(SessionOp *so, Part *p, int64_t t, const void *pay, uint32_t len,
		     uint32_t mult)
{
	int at = rows_lower(p, t);
	for (int i = at; i < p->nrows && p->rows[i].ts == t; i++, at++) {
		HRow *h = &p->rows[i];
		if (h->len == len && memcmp(hrow_data(h), pay, len) == 0) {
			h->mult += mult;
			return;
		}
	}
	if (p->nrows == p->caprows) {
		int cap = p->caprows ? 2 * p->caprows : 4;
		p->rows = mem_realloc(p->rows, (size_t)cap * sizeof *p->rows);
		so->heap += (size_t)(cap - p->caprows) * sizeof *p->rows;
		p->caprows = cap;
	}
	memmove(p->rows + at + 1, p->rows + at, (size_t)(p->nrows - at) * sizeof *p->rows);
	p->nrows++;
	HRow *h = &p->rows[at];
	h->ts = t;
	h->mult = mult;
	h->len = len;
	if (len > HROW_INLINE) {
		h->u.heap = mem_alloc(len);
		so->heap += len;
	}
	memcpy(len > HROW_INLINE ? h->u.heap : h->u.inl, pay, len);
}

/* Frees held rows [from, to) of p and closes the gap. */
static void hold_cut(SessionOp *so, Part *p, int from, int to)
{
	if (from == to)
		return;
	for (int i = from; i < to; i++)
		if (p->rows[i].len > HROW_INLINE) {
			so->heap -= p->rows[i].len;
			mem_free(p->rows[i].u.heap);
		}
	memmove(p->rows + from, p->rows + to, (size_t)(p->nrows - to) * sizeof *p->rows);
	p->nrows -= to - from;
}

/* Updates session x's states with rows decoded into so->feed. */
static int feed_states(SessionOp *so, Sess *x, Err *e)
{
	Chunk *c = so->feed;
	for (int i = 0; i < so->naggs; i++) {
		const AggCall *call = &so->aggs[i];
		for (int r = 0; r < c->nrows; r++)
			so->stp[r] = x->states + so->off[i];
		const uint8_t *skip = NULL;
		if (so->filt_pay[i] >= 0) {
			const Vector *fv = &c->cols[so->filt_pay[i]];
			for (int r = 0; r < c->nrows; r++)
				so->skip[r] = fv->nulls[r] || !VEC_DATA(fv, uint8_t)[r];
			skip = so->skip;
		}
		const Vector *arg = so->arg_pay[i] >= 0 ? &c->cols[so->arg_pay[i]] : NULL;
		if (call->fn->update(call->fn, so->stp, arg, c->ops, skip, c->nrows, e) < 0)
			return -1;
	}
	chunk_reset(c);
	return 0;
}

/* Aggregates held rows [from, to) of p (each as often as its multiplicity) into session x. */
static int feed_rows(SessionOp *so, Part *p, Sess *x, int from, int to, Err *e)
{
	Chunk *c = so->feed;
	chunk_reset(c);
	for (int i = from; i < to; i++) {
		const HRow *h = &p->rows[i];
		for (uint32_t m = 0; m < h->mult; m++) {
			if (chunk_full(c) && feed_states(so, x, e) < 0)
				return -1;
			int r = c->nrows++;
			row_decode(hrow_data(h), h->len, c, NULL, so->npay, r);
			c->ops[r] = OP_INSERT;
		}
	}
	return c->nrows ? feed_states(so, x, e) : 0;
}

/* The session of p holding time t (it holds a row at t). */
static int sess_at(const Part *p, int64_t t)
{
	int lo = 0, hi = p->n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (p->s[mid].start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	assert(lo > 0 && t < p->s[lo - 1].end);
	return lo - 1;
}

/* Rebuilds session j of p from its held rows after some of them left: the rows left may form
 * no session (its row is retracted), one (new bounds or results: the session keeps what it
 * emitted, so the barrier sends U-/U+ or -/+), or several (a split: the others are new).
 * Bounds left too wide by deletes are sound: neighbours never touch a session's rows, so the
 * rows in its bounds form whole sessions. Returns how many sessions it made, -1 on error. */
static int rebuild(SessionOp *so, Part *p, int j, Err *e)
{
	int64_t gap = so->op.lop->gap_us;
	int a = rows_lower(p, p->s[j].start), b = rows_lower(p, p->s[j].end - gap + 1);
	if (a == b) {
		retire(so, p, &p->s[j]);
		sess_drop(so, p, &p->s[j]);
		memmove(p->s + j, p->s + j + 1, (size_t)(p->n - j - 1) * sizeof *p->s);
		p->n--;
		return 0;
	}
	p->s[j].stale = 0;
	int parts = 1;
	for (int i = a + 1; i < b; i++)
		parts += p->rows[i].ts > p->rows[i - 1].ts + gap;
	if (parts > 1)
		sess_open(so, p, j + 1, parts - 1);
	states_destroy(so, p->s[j].states);
	states_init(so, p->s[j].states);
	int from = a;
	for (int i = a + 1; i <= b; i++) {
		if (i < b && p->rows[i].ts <= p->rows[i - 1].ts + gap)
			continue;
		Sess *x = &p->s[j++];
		x->start = p->rows[from].ts;
		x->end = p->rows[i - 1].ts + gap;
		sess_touch(so, p, x);
		if (feed_rows(so, p, x, from, i, e) < 0)
			return -1;
		from = i;
	}
	return parts;
}

/* Rebuilds the sessions of p that deletes made stale (once per barrier, however many rows
 * left them). */
static int rebuild_stale(SessionOp *so, Part *p, Err *e)
{
	for (int j = 0; j < p->n;) {
		if (!p->s[j].stale) {
			j++;
			continue;
		}
		int made = rebuild(so, p, j, e);
		if (made < 0)
			return -1;
		j += made;
	}
	return 0;
}

/* A delete (or the old half of an update) of the row (t, so->pay) in partition key so->key:
 * the session holding it goes stale; *late when no open session holds it. */
static void take_row(SessionOp *so, int64_t t, bool *late)
{
	Part *p = hmap_find(&so->parts, so->key.data, so->key.len,
			    hash_bytes(so->key.data, so->key.len));
	int i = p ? rows_find(p, t, &so->pay) : -1;
	if (i < 0) {
		*late = true;
		return;
	}
	if (--p->rows[i].mult == 0)
		hold_cut(so, p, i, i + 1);
	part_dirty(so, p);
	Sess *s = &p->s[sess_at(p, t)];
	s->stale = 1;
	sess_touch(so, p, s);
}

static int session_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	SessionOp *so = (SessionOp *)op;
	const Vector *time = &c->cols[op->lop->time_col];
	uint64_t late = 0;
	int rc = 0;
	for (int r = 0; r < c->nrows && rc == 0; r++) {
		if (time->nulls[r])
			continue;
		int64_t t = VEC_DATA(time, int64_t)[r];
		if (op_sign(c->ops[r]) < 0 && !so->hold)
			return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				       "SESSION windows cannot retract rows");
		sb_reset(&so->key);
		row_encode(c, so->key_cols, so->nkey, r, ROWCODEC_NORMALIZE, &so->key);
		if (so->hold) {
			sb_reset(&so->pay);
			row_encode(c, so->pay_cols, so->npay, r, ROWCODEC_EXACT, &so->pay);
		}
		if (op_sign(c->ops[r]) < 0) {
			bool is_late = false;
			take_row(so, t, &is_late);
			late += is_late;
			continue;
		}
		Part *p = hmap_upsert(&so->parts, so->key.data, so->key.len,
				      hash_bytes(so->key.data, so->key.len), NULL);
		part_dirty(so, p); /* even when late: the barrier drops it if it stays empty */
		Sess *s = place(so, p, t, e, &rc);
		if (!s) {
			late++;
			continue;
		}
		if (so->hold)
			hold_add(so, p, t, so->pay.data, (uint32_t)so->pay.len, 1);
		for (int i = 0; i < so->naggs && rc == 0; i++) {
			const AggCall *call = &so->aggs[i];
			if (call->filter >= 0) {
				const Vector *fv = &c->cols[call->filter];
				if (fv->nulls[r] || !VEC_DATA(fv, uint8_t)[r])
					continue;
			}
			void *st = s->states + so->off[i];
			Vector one, *arg = NULL;
			if (call->arg >= 0) {
				const Vector *v = &c->cols[call->arg];
				one = (Vector){.type = v->type,
					       .data = (char *)v->data + (size_t)r * type_size(v->type),
					       .nulls = v->nulls + r};
				arg = &one;
			}
			rc = call->fn->update(call->fn, &st, arg, c->ops + r, NULL, 1, e);
		}
	}
	if (late)
		df_count_late(op->df, late);
	return rc;
}

static int flush_out(SessionOp *so, Err *e)
{
	int rc = op_emit(&so->op, so->out, e);
	chunk_reset(so->out);
	arena_reset(&so->scratch);
	return rc;
}

static int put_row(SessionOp *so, const void *key, size_t klen, int64_t start, int64_t end,
		   const char *res, size_t len, Op o, Err *e)
{
	if (chunk_full(so->out) && flush_out(so, e) < 0)
		return -1;
	Chunk *out = so->out;
	int r = out->nrows++;
	if (so->nkey)
		row_decode(key, klen, out, so->out_cols, so->nkey, r);
	if (so->ws_out >= 0) {
		VEC_DATA(&out->cols[so->ws_out], int64_t)[r] = start;
		out->cols[so->ws_out].nulls[r] = 0;
	}
	if (so->we_out >= 0) {
		VEC_DATA(&out->cols[so->we_out], int64_t)[r] = end;
		out->cols[so->we_out].nulls[r] = 0;
	}
	row_decode(res, len, out, so->out_cols + so->nkey, so->naggs, r);
	out->ops[r] = (uint8_t)o;
	return 0;
}

static int emit_part(SessionOp *so, Part *p, Err *e)
{
	size_t klen;
	const void *key = hmap_key(&so->parts, p, &klen);
	for (int i = 0; i < p->nret; i++) {
		Retired *x = &p->ret[i];
		int rc = put_row(so, key, klen, x->start, x->end, x->prev, x->prev_len, OP_DELETE, e);
		so->heap -= x->prev_len;
		mem_free(x->prev);
		if (rc < 0) {
			/* The rest stay owned by the list (freed with the partition). */
			memmove(p->ret, p->ret + i + 1, (size_t)(p->nret - i - 1) * sizeof *p->ret);
			p->nret -= i + 1;
			return -1;
		}
	}
	p->nret = 0;
	for (int j = 0; j < p->n; j++) {
		Sess *s = &p->s[j];
		if (!s->changed)
			continue;
		s->changed = 0;
		sb_reset(&so->row);
		for (int i = 0; i < so->naggs; i++) {
			Value v;
			so->aggs[i].fn->final(so->aggs[i].fn, s->states + so->off[i], &v,
					      &so->scratch);
			row_encode_value(&v, ROWCODEC_EXACT, &so->row);
		}
		if (s->prev) {
			bool same_bounds = s->pstart == s->start && s->pend == s->end;
			if (same_bounds && s->prev_len == so->row.len &&
			    memcmp(s->prev, so->row.data, so->row.len) == 0)
				continue;
			if (put_row(so, key, klen, s->pstart, s->pend, s->prev, s->prev_len,
				    same_bounds ? OP_UPDATE_DELETE : OP_DELETE, e) < 0 ||
			    put_row(so, key, klen, s->start, s->end, so->row.data, so->row.len,
				    same_bounds ? OP_UPDATE_INSERT : OP_INSERT, e) < 0)
				return -1;
		} else if (put_row(so, key, klen, s->start, s->end, so->row.data, so->row.len,
				   OP_INSERT, e) < 0) {
			return -1;
		}
		so->heap += so->row.len;
		so->heap -= s->prev_len;
		s->prev = mem_realloc(s->prev, so->row.len ? so->row.len : 1);
		memcpy(s->prev, so->row.data, so->row.len);
		s->prev_len = (uint32_t)so->row.len;
		s->pstart = s->start;
		s->pend = s->end;
	}
	return 0;
}

/* Frees everything p owns (its sessions are no longer stored, or the operator goes). */
static void part_clear(SessionOp *so, Part *p)
{
	for (int j = 0; j < p->n; j++)
		sess_free(so, &p->s[j]);
	for (int i = 0; i < p->nret; i++) {
		so->heap -= p->ret[i].prev_len;
		mem_free(p->ret[i].prev);
	}
	hold_cut(so, p, 0, p->nrows);
	so->heap -= (size_t)p->cap * sizeof *p->s + (size_t)p->caprows * sizeof *p->rows;
	mem_free(p->s);
	mem_free(p->rows);
	mem_free(p->ret);
	ckt_forget(&so->ck, &p->ck, NULL, 0); /* unlinks; a partition itself is never stored */
	memset(p, 0, sizeof *p);
}

/* Removes partition p, which holds no session and owes no retraction. */
static void part_remove(SessionOp *so, Part *p)
{
	part_clear(so, p);
	hmap_remove_value(&so->parts, p);
}

/* Frees the sessions that can no longer change (with their rows); partitions left empty go.
 * Sessions are disjoint and sorted, so their ends are sorted too: the closed ones come first. */
static void close_sessions(SessionOp *so)
{
	Part *p, *gone = NULL;
	for (size_t it = 0; (p = hmap_next(&so->parts, &it));) {
		int k = 0;
		while (k < p->n && p->s[k].end < so->wm)
			k++;
		if (k && p->nrows)
			hold_cut(so, p, 0, k < p->n ? rows_lower(p, p->s[k].start) : p->nrows);
		for (int j = 0; j < k; j++)
			sess_drop(so, p, &p->s[j]);
		if (k) {
			memmove(p->s, p->s + k, (size_t)(p->n - k) * sizeof *p->s);
			p->n -= k;
		}
		if (p->n == 0 && p->nret == 0) {
			p->next_dirty = gone;
			gone = p;
		}
	}
	while (gone) {
		p = gone;
		gone = p->next_dirty;
		part_remove(so, p);
	}
}

static int session_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	SessionOp *so = (SessionOp *)op;
	chunk_reset(so->out);
	arena_reset(&so->scratch);
	while (so->dirty) {
		Part *p = so->dirty;
		so->dirty = p->next_dirty;
		p->dirty = 0;
		if ((so->hold && rebuild_stale(so, p, e) < 0) || emit_part(so, p, e) < 0)
			return -1;
		if (p->n == 0)
			part_remove(so, p); /* emptied by deletes, or only late rows came */
	}
	if (flush_out(so, e) < 0)
		return -1;
	if (so->wm_pending) {
		so->wm_pending = false;
		close_sessions(so);
	}
	return op_emit_barrier(op, epoch, e);
}

static int session_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	SessionOp *so = (SessionOp *)op;
	if (col != op->lop->time_col || (so->has_wm && ts <= so->wm))
		return 0;
	so->has_wm = true;
	so->wm = ts;
	so->wm_pending = true;
	return 0;
}

/* ---- Checkpoints (the format is at the top of the file). */

static void encode_sess(SessionOp *so, Part *p, const Sess *s, StrBuf *out)
{
	bin_put_i64(out, s->end);
	bin_put_u8(out, s->prev != NULL);
	if (s->prev) {
		bin_put_i64(out, s->pstart);
		bin_put_i64(out, s->pend);
		bin_put_bytes(out, s->prev, s->prev_len);
	}
	for (int i = 0; i < so->naggs; i++) {
		sb_reset(&so->ckagg);
		so->aggs[i].fn->save(so->aggs[i].fn, s->states + so->off[i], &so->ckagg);
		bin_put_bytes(out, so->ckagg.data, so->ckagg.len);
	}
	if (!so->hold)
		return;
	int64_t gap = so->op.lop->gap_us;
	int a = rows_lower(p, s->start), b = rows_lower(p, s->end - gap + 1);
	bin_put_u32(out, (uint32_t)(b - a));
	for (int i = a; i < b; i++) {
		bin_put_i64(out, p->rows[i].ts);
		bin_put_u32(out, p->rows[i].mult);
		bin_put_bytes(out, hrow_data(&p->rows[i]), p->rows[i].len);
	}
}

static int sess_write(SessionOp *so, Part *p, Sess *s, StateWriter *w, Err *e)
{
	sb_reset(&so->ckkey);
	bin_put_u8(&so->ckkey, 1);
	sess_key(so, p, s->start, &so->ckkey);
	sb_reset(&so->ckval);
	encode_sess(so, p, s, &so->ckval);
	s->ck_dirty = 0;
	s->ck_saved = 1;
	s->ck_start = s->start;
	return w->put(w, so->ckkey.data, so->ckkey.len, so->ckval.data, so->ckval.len, e);
}

/* Deletes of stored sessions: those gone, then those whose start moved (their new key is put
 * after every delete, so a start taken over by another session is never deleted late). */
static int write_dels(SessionOp *so, StateWriter *w, Err *e)
{
	BinReader r;
	bin_reader(&r, so->ck.gone.data, so->ck.gone.len);
	while (r.p < r.end) {
		size_t klen;
		const void *key = bin_get_bytes(&r, &klen);
		sb_reset(&so->ckkey);
		bin_put_u8(&so->ckkey, 1);
		sb_append(&so->ckkey, key, klen);
		if (w->del(w, so->ckkey.data, so->ckkey.len, e) < 0)
			return -1;
	}
	for (CkLink *l = so->ck.head.next; l != &so->ck.head; l = l->next) {
		Part *p = (Part *)l;
		for (int j = 0; j < p->n; j++) {
			Sess *s = &p->s[j];
			if (!s->ck_dirty || !s->ck_saved || s->ck_start == s->start)
				continue;
			sb_reset(&so->ckkey);
			bin_put_u8(&so->ckkey, 1);
			sess_key(so, p, s->ck_start, &so->ckkey);
			if (w->del(w, so->ckkey.data, so->ckkey.len, e) < 0)
				return -1;
			s->ck_saved = 0;
		}
	}
	return 0;
}

static int session_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	SessionOp *so = (SessionOp *)op;
	sb_reset(&so->hdr);
	bin_put_u8(&so->hdr, so->has_wm);
	bin_put_u8(&so->hdr, so->wm_pending);
	bin_put_i64(&so->hdr, so->wm);
	if (ckt_write_header(&so->ck, &so->hdr, w, full, e) < 0)
		return -1;
	Part *p;
	if (full) {
		for (size_t it = 0; (p = hmap_next(&so->parts, &it));)
			for (int j = 0; j < p->n; j++)
				if (sess_write(so, p, &p->s[j], w, e) < 0)
					return -1;
	} else {
		if (write_dels(so, w, e) < 0)
			return -1;
		for (CkLink *l = so->ck.head.next; l != &so->ck.head; l = l->next) {
			p = (Part *)l;
			for (int j = 0; j < p->n; j++)
				if (p->s[j].ck_dirty && sess_write(so, p, &p->s[j], w, e) < 0)
					return -1;
		}
	}
	for (CkLink *l = so->ck.head.next, *next; l != &so->ck.head; l = next) {
		next = l->next;
		l->changed = 0;
	}
	so->ck.head.next = so->ck.head.prev = &so->ck.head;
	sb_reset(&so->ck.gone);
	return 0;
}

static int corrupt(Err *e)
{
	return err_set(e, ERR_DATA_CORRUPTED, "SESSION checkpoint entry does not decode");
}

/* Loads the aggregate states of a session from r into st (init'ed). */
static int load_states(SessionOp *so, BinReader *r, char *st, Err *e)
{
	for (int i = 0; i < so->naggs; i++) {
		size_t n;
		const void *q = bin_get_bytes(r, &n);
		if (r->bad)
			return corrupt(e);
		if (so->aggs[i].fn->load(so->aggs[i].fn, st + so->off[i], q, n, e) < 0)
			return -1;
	}
	return 0;
}

/* Loads the held rows of session s of p from r (they follow p's rows in time order). */
static int load_rows(SessionOp *so, BinReader *r, Part *p, const Sess *s, Err *e)
{
	int64_t gap = so->op.lop->gap_us;
	uint32_t n = bin_get_u32(r);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		int64_t ts = bin_get_i64(r);
		uint32_t mult = bin_get_u32(r);
		size_t len;
		const void *q = bin_get_bytes(r, &len);
		if (r->bad || mult == 0 || ts < s->start || ts > s->end - gap ||
		    (p->nrows && ts < p->rows[p->nrows - 1].ts) ||
		    !row_check(q, len, so->pay_types, so->npay))
			return corrupt(e);
		hold_add(so, p, ts, q, (uint32_t)len, mult);
	}
	return r->bad ? corrupt(e) : 0;
}

static int restore_sess(SessionOp *so, const uint8_t *k, size_t klen, const void *val,
			size_t vlen, Err *e)
{
	int64_t gap = so->op.lop->gap_us;
	BinReader kr, r;
	bin_reader(&kr, k + klen - 8, 8);
	int64_t start = bin_get_key_i64(&kr);
	const uint8_t *pk = k + 1;
	size_t pklen = klen - 9;
	if (!row_check(pk, pklen, so->key_types, so->nkey))
		return corrupt(e);
	bin_reader(&r, val, vlen);
	int64_t end = bin_get_i64(&r);
	bool emitted = bin_get_u8(&r) != 0;
	int64_t pstart = 0, pend = 0;
	size_t plen = 0;
	const void *prev = NULL;
	if (emitted) {
		pstart = bin_get_i64(&r);
		pend = bin_get_i64(&r);
		prev = bin_get_bytes(&r, &plen);
		if (!row_check(prev, plen, so->res_types, so->naggs))
			return corrupt(e);
	}
	Part *p = hmap_upsert(&so->parts, pk, pklen, hash_bytes(pk, pklen), NULL);
	if (r.bad || end - gap < start || (p->n && p->s[p->n - 1].end >= start)) {
		if (p->n == 0)
			part_remove(so, p);
		return corrupt(e);
	}
	sess_open(so, p, p->n, 1);
	Sess *s = &p->s[p->n - 1];
	s->start = s->ck_start = start;
	s->end = end;
	s->ck_saved = 1;
	if (emitted) {
		s->prev = mem_alloc(plen ? plen : 1);
		memcpy(s->prev, prev, plen);
		s->prev_len = (uint32_t)plen;
		s->pstart = pstart;
		s->pend = pend;
		so->heap += plen;
	}
	if (load_states(so, &r, s->states, e) < 0 ||
	    (so->hold && load_rows(so, &r, p, s, e) < 0))
		return -1;
	return bin_done(&r) ? 0 : corrupt(e);
}

static int session_restore(Operator *op, const void *key, size_t klen, const void *val,
			   size_t vlen, Err *e)
{
	SessionOp *so = (SessionOp *)op;
	const uint8_t *k = key;
	if (klen == 1 && k[0] == 0) {
		BinReader r;
		bin_reader(&r, val, vlen);
		so->has_wm = bin_get_u8(&r) != 0;
		so->wm_pending = bin_get_u8(&r) != 0;
		so->wm = bin_get_i64(&r);
		if (!bin_done(&r))
			return err_set(e, ERR_DATA_CORRUPTED,
				       "SESSION checkpoint header does not decode");
		ckt_restored_header(&so->ck, val, vlen);
		return 0;
	}
	if (klen < 9 || k[0] != 1)
		return corrupt(e);
	return restore_sess(so, k, klen, val, vlen, e);
}

static size_t session_state_bytes(const Operator *op)
{
	const SessionOp *so = (const SessionOp *)op;
	return so->parts.bytes + so->parts.cap * (sizeof(void *) + 8) + so->heap;
}

static void session_explain(const Operator *op, StrBuf *out)
{
	const SessionOp *so = (const SessionOp *)op;
	sb_puts(out, "SessionAgg gap=");
	fmt_duration(out, op->lop->gap_us);
	sb_puts(out, " group=[");
	for (int i = 0; i < op->lop->ngroup; i++)
		sb_printf(out, "%s%s", i ? ", " : "", op->lop->cols[i].name);
	sb_puts(out, so->hold ? "] state=sessions+rows" : "] state=sessions");
}

static void session_free(Operator *op)
{
	SessionOp *so = (SessionOp *)op;
	Part *p;
	for (size_t it = 0; (p = hmap_next(&so->parts, &it));)
		part_clear(so, p);
	hmap_deinit(&so->parts);
	mem_free(so->off);
	mem_free(so->key_cols);
	mem_free(so->out_cols);
	mem_free(so->pay_cols);
	mem_free(so->pay_types);
	mem_free(so->arg_pay);
	mem_free(so->filt_pay);
	mem_free(so->stp);
	mem_free(so->skip);
	mem_free(so->key_types);
	mem_free(so->res_types);
	sb_deinit(&so->key);
	sb_deinit(&so->row);
	sb_deinit(&so->pay);
	sb_deinit(&so->hdr);
	sb_deinit(&so->ckkey);
	sb_deinit(&so->ckval);
	sb_deinit(&so->ckagg);
	ckt_deinit(&so->ck);
	chunk_free(so->out);
	chunk_free(so->feed);
	arena_deinit(&so->scratch);
}

/* The index of input column c among the columns held per row, added when new. */
static int pay_index(SessionOp *so, const LogicalOp *in, int c)
{
	if (c < 0)
		return -1;
	for (int i = 0; i < so->npay; i++)
		if (so->pay_cols[i] == c)
			return i;
	so->pay_cols[so->npay] = c;
	so->pay_types[so->npay] = in->cols[c].type;
	return so->npay++;
}

/* Changelog mode: which input columns each held row keeps, and the buffers to rebuild. */
static void hold_init(SessionOp *so, const LogicalOp *lop)
{
	const LogicalOp *in = lop->children[0];
	size_t n = 2 * (size_t)lop->naggs + 1;
	so->hold = true;
	so->pay_cols = mem_calloc(n, sizeof *so->pay_cols);
	so->pay_types = mem_calloc(n, sizeof *so->pay_types);
	so->arg_pay = mem_calloc(n, sizeof *so->arg_pay);
	so->filt_pay = mem_calloc(n, sizeof *so->filt_pay);
	for (int i = 0; i < lop->naggs; i++) {
		so->arg_pay[i] = pay_index(so, in, lop->aggs[i].arg);
		so->filt_pay[i] = pay_index(so, in, lop->aggs[i].filter);
	}
	so->feed = chunk_new(so->pay_types, so->npay);
	so->stp = mem_calloc(CHUNK_CAP, sizeof *so->stp);
	so->skip = mem_calloc(CHUNK_CAP, 1);
}

/* Checkpoints need every aggregate to save and load its state. */
static void ckpt_init(SessionOp *so, const LogicalOp *lop)
{
	const LogicalOp *in = lop->children[0];
	ckt_init(&so->ck);
	sb_init(&so->hdr);
	sb_init(&so->ckkey);
	sb_init(&so->ckval);
	sb_init(&so->ckagg);
	so->key_types = mem_calloc((size_t)so->nkey + 1, sizeof *so->key_types);
	for (int i = 0; i < so->nkey; i++)
		so->key_types[i] = in->cols[so->key_cols[i]].type;
	so->res_types = mem_calloc((size_t)lop->naggs + 1, sizeof *so->res_types);
	for (int i = 0; i < lop->naggs; i++) {
		so->res_types[i] = lop->aggs[i].fn->result_type;
		if (!lop->aggs[i].fn->save || !lop->aggs[i].fn->load)
			return;
	}
	so->op.checkpoint = session_checkpoint;
	so->op.restore = session_restore;
}

Operator *session_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (lop->gap_us <= 0) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "session gap must be positive");
		return NULL;
	}
	for (int i = 0; i < lop->naggs; i++) {
		if (!lop->aggs[i].fn->merge) {
			err_set(e, ERR_INTERNAL, "aggregate %s cannot merge sessions",
				lop->aggs[i].fn->name);
			return NULL;
		}
	}
	int n = lop->window->ncols - 2;
	SessionOp *so = mem_calloc(1, sizeof *so);
	so->naggs = lop->naggs;
	so->aggs = lop->aggs;
	so->key_cols = mem_calloc((size_t)lop->ngroup + 1, sizeof *so->key_cols);
	so->out_cols = mem_calloc((size_t)(lop->ngroup + lop->naggs) + 1, sizeof *so->out_cols);
	so->ws_out = so->we_out = -1;
	for (int g = 0; g < lop->ngroup; g++) {
		int c = lop->group_cols[g];
		if (c == n)
			so->ws_out = g;
		else if (c == n + 1)
			so->we_out = g;
		else {
			so->key_cols[so->nkey] = c;
			so->out_cols[so->nkey++] = g;
		}
	}
	for (int i = 0; i < lop->naggs; i++)
		so->out_cols[so->nkey + i] = lop->ngroup + i;
	so->off = mem_calloc((size_t)lop->naggs + 1, sizeof *so->off);
	size_t off = 0;
	for (int i = 0; i < lop->naggs; i++) {
		so->off[i] = off;
		off += ALIGN16(lop->aggs[i].fn->state_size);
	}
	so->states_size = off ? off : 16;
	hmap_init(&so->parts, sizeof(Part));
	sb_init(&so->key);
	sb_reserve(&so->key, 16); /* never NULL, even for the empty key of one partition */
	sb_init(&so->row);
	sb_init(&so->pay);
	so->out = lop_chunk_new(lop);
	arena_init(&so->scratch, 0);
	if (df_mode(df) == DF_STREAMING && !lop->children[0]->append_only)
		hold_init(so, lop);
	ckpt_init(so, lop);
	so->op.kind = "SessionAgg";
	so->op.on_chunk = session_chunk;
	so->op.on_watermark = session_watermark;
	so->op.on_barrier = session_barrier;
	so->op.explain = session_explain;
	so->op.free = session_free;
	so->op.state_bytes = session_state_bytes;
	return &so->op;
}
