/* session.c: SESSION windows: aggregation over gap-based, merging sessions.
 *
 * Layer: stream. LOP_SESSION_AGG groups rows by a partition key (the group columns other than
 * window_start/window_end) into sessions: a row at time t covers [t, t + gap]; rows whose
 * covers touch or overlap are in one session [first t, last t + gap) (Flink's rule). Each
 * partition keeps its sessions sorted by start, disjoint, each with its aggregate states (one
 * heap block; AggFunc.merge combines the states when a row bridges two sessions).
 *
 * Output at the barrier, per changed partition: rows of sessions swallowed by a merge are
 * retracted; a session whose bounds changed is retracted and inserted again (- then +), one whose
 * results alone changed gets U- / U+, a new one +. So the view always equals the sessions of the
 * input so far.
 *
 * Input must be append-only (deletes could split sessions; rejected with 0A000 in a view).
 * Watermarks: a session whose end is below the time watermark W can no longer grow (a row at
 * t >= W would not touch it): its state is freed after the barrier. A row that touches no open
 * session and whose own cover ends below W is late: dropped and counted. No watermark leaves
 * the operator: merging can move a session's start back.
 */
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct Sess {
	int64_t start, end;
	char *states;             /* heap: the aggregates' states */
	char *prev;               /* heap: results last emitted, encoded; NULL: not emitted */
	uint32_t prev_len;
	int64_t pstart, pend;     /* bounds last emitted */
	uint8_t changed;
} Sess;

/* A retraction owed at the next barrier: a swallowed session's last emitted row. */
typedef struct Retired {
	int64_t start, end;
	char *prev;
	uint32_t prev_len;
} Retired;

typedef struct Part {
	Sess *s;
	int n, cap;
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
	size_t heap;              /* bytes of sessions, states and retractions */
	StrBuf key, row;
	Chunk *out;
	Arena scratch;
} SessionOp;

static void states_destroy(SessionOp *so, char *st)
{
	for (int i = 0; i < so->naggs; i++)
		if (so->aggs[i].fn->destroy)
			so->aggs[i].fn->destroy(so->aggs[i].fn, st + so->off[i]);
}

static void sess_free(SessionOp *so, Sess *s)
{
	states_destroy(so, s->states);
	mem_free(s->states);
	mem_free(s->prev);
	so->heap -= so->states_size + s->prev_len;
}

static void part_dirty(SessionOp *so, Part *p)
{
	if (!p->dirty) {
		p->dirty = 1;
		p->next_dirty = so->dirty;
		so->dirty = p;
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
		if (p->n == p->cap) {
			int cap = p->cap ? 2 * p->cap : 2;
			p->s = mem_realloc(p->s, (size_t)cap * sizeof *p->s);
			so->heap += (size_t)(cap - p->cap) * sizeof *p->s;
			p->cap = cap;
		}
		memmove(p->s + lo + 1, p->s + lo, (size_t)(p->n - lo) * sizeof *p->s);
		p->n++;
		Sess *s = &p->s[lo];
		memset(s, 0, sizeof *s);
		s->start = t;
		s->end = t + gap;
		s->states = mem_calloc(1, so->states_size);
		so->heap += so->states_size;
		for (int i = 0; i < so->naggs; i++)
			so->aggs[i].fn->init(so->aggs[i].fn, s->states + so->off[i]);
		s->changed = 1;
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
		if (o->prev) {
			if (p->nret == p->capret) {
				p->capret = p->capret ? 2 * p->capret : 4;
				p->ret = mem_realloc(p->ret, (size_t)p->capret * sizeof *p->ret);
			}
			p->ret[p->nret++] = (Retired){o->pstart, o->pend, o->prev, o->prev_len};
			o->prev = NULL; /* now owned by the retraction */
		}
		sess_free(so, o);
	}
	if (hi > lo + 1) {
		memmove(p->s + lo + 1, p->s + hi, (size_t)(p->n - hi) * sizeof *p->s);
		p->n -= hi - lo - 1;
	}
	s->changed = 1;
	return s;
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
		if (op_sign(c->ops[r]) < 0)
			return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				       "SESSION windows cannot retract rows");
		sb_reset(&so->key);
		row_encode(c, so->key_cols, so->nkey, r, ROWCODEC_NORMALIZE, &so->key);
		Part *p = hmap_upsert(&so->parts, so->key.data, so->key.len,
				      hash_bytes(so->key.data, so->key.len), NULL);
		Sess *s = place(so, p, VEC_DATA(time, int64_t)[r], e, &rc);
		if (!s) {
			late++;
			continue;
		}
		part_dirty(so, p);
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
		if (rc < 0)
			return -1;
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

static void part_clear(SessionOp *so, Part *p)
{
	for (int j = 0; j < p->n; j++)
		sess_free(so, &p->s[j]);
	for (int i = 0; i < p->nret; i++) {
		so->heap -= p->ret[i].prev_len;
		mem_free(p->ret[i].prev);
	}
	so->heap -= (size_t)p->cap * sizeof *p->s;
	mem_free(p->s);
	mem_free(p->ret);
	memset(p, 0, sizeof *p);
}

/* Frees the sessions that can no longer grow; partitions left empty go. */
static void close_sessions(SessionOp *so)
{
	Part *p, *gone = NULL;
	for (size_t it = 0; (p = hmap_next(&so->parts, &it));) {
		int keep = 0;
		for (int j = 0; j < p->n; j++) {
			if (p->s[j].end < so->wm)
				sess_free(so, &p->s[j]);
			else
				p->s[keep++] = p->s[j];
		}
		p->n = keep;
		if (p->n == 0 && p->nret == 0) {
			p->next_dirty = gone;
			gone = p;
		}
	}
	while (gone) {
		p = gone;
		gone = p->next_dirty;
		part_clear(so, p);
		hmap_remove_value(&so->parts, p);
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
		if (emit_part(so, p, e) < 0)
			return -1;
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

static size_t session_state_bytes(const Operator *op)
{
	const SessionOp *so = (const SessionOp *)op;
	return so->parts.bytes + so->parts.cap * (sizeof(void *) + 8) + so->heap;
}

static void session_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "SessionAgg gap=");
	fmt_duration(out, op->lop->gap_us);
	sb_puts(out, " group=[");
	for (int i = 0; i < op->lop->ngroup; i++)
		sb_printf(out, "%s%s", i ? ", " : "", op->lop->cols[i].name);
	sb_puts(out, "] state=sessions");
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
	sb_deinit(&so->key);
	sb_deinit(&so->row);
	chunk_free(so->out);
	arena_deinit(&so->scratch);
}

Operator *session_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (lop->gap_us <= 0) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "session gap must be positive");
		return NULL;
	}
	if (df_mode(df) == DF_STREAMING && !lop->children[0]->append_only) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"SESSION windows need an append-only input, but this one has updates or "
			"deletes");
		err_hint(e, "Aggregate sessions over a stream (CREATE STREAM), not a table.");
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
	sb_init(&so->row);
	so->out = lop_chunk_new(lop);
	arena_init(&so->scratch, 0);
	so->op.kind = "SessionAgg";
	so->op.on_chunk = session_chunk;
	so->op.on_watermark = session_watermark;
	so->op.on_barrier = session_barrier;
	so->op.explain = session_explain;
	so->op.free = session_free;
	so->op.state_bytes = session_state_bytes;
	return &so->op;
}
