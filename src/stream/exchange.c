/* exchange.c: the hash exchange between parallel dataflow instances (see exchange.h).
 *
 * Layer: stream. Owns the queues of one cut and its two operators. The queue of (i, j) is a
 * ring of XQ_SLOTS messages with a head (advanced by the consumer j) and a tail (advanced by the
 * producer i), each on a cache line of its own; a slot is written by the producer while it is
 * not yet published (between tail and tail + 1) and read by the consumer until it advances the
 * head past it, so neither ever touches a slot the other owns: release stores publish, acquire
 * loads observe. A slot's chunk is allocated on first use and reset when reused.
 *
 * Sender: the key (columns, or expressions evaluated once per chunk) is hashed a column at a
 * time (hash_column: equal SQL values hash alike), each row goes to instance hash % T, and the
 * rows of one destination are appended to the chunk being filled for it a column at a time
 * (chunk_append_sel), published when full. Watermarks, barriers and idle marks first publish
 * every partly filled chunk (so they never overtake rows), then go to all T receivers. A full
 * queue makes the sender call its instance's wait function, which drains other fragments'
 * receivers so two instances waiting on each other both make progress.
 *
 * Receiver: takes messages from the T queues in turn. A barrier from sender s holds queue s
 * until every sender delivered its barrier (aligned barriers), then goes upward once. The
 * watermark of a column is the minimum over the senders that are not idle (over all of them when
 * every one is); the receiver is idle when all its senders are. Never: a message processed while
 * the receiver's fragment is busy (re-entering operators in the middle of a call).
 */
#include "stream/exchange.h"

#include "base/hash.h"
#include "base/mem.h"
#include "vec/rowcodec.h"

#include <stdatomic.h>
#include <string.h>

#define XQ_SLOTS 16

enum { XM_CHUNK, XM_WATERMARK, XM_BARRIER, XM_IDLE };

typedef struct XSlot {
	uint8_t kind;
	bool idle;
	int col;
	int64_t ts;
	uint64_t epoch;
	Chunk *c;
} XSlot;

typedef struct XQueue {
	_Atomic uint32_t head; /* next slot the consumer reads */
	char pad1[64 - sizeof(uint32_t)];
	_Atomic uint32_t tail; /* next slot the producer publishes */
	char pad2[64 - sizeof(uint32_t)];
	XSlot slots[XQ_SLOTS];
} XQueue;

struct Exchange {
	int T;
	int ncols;
	TypeId *types;
	int nkeys;
	const int *kcols;
	Expr *const *kexprs;
	XQueue *q; /* q[from * T + to] */
};

Exchange *xchg_new(int threads, const LogicalOp *in, int n, const int *kcols,
		   Expr *const *kexprs)
{
	Exchange *x = mem_calloc(1, sizeof *x);
	x->T = threads;
	x->ncols = in->ncols;
	x->types = mem_alloc((size_t)(in->ncols + 1) * sizeof *x->types);
	for (int i = 0; i < in->ncols; i++)
		x->types[i] = in->cols[i].type;
	x->nkeys = n;
	x->kcols = kcols;
	x->kexprs = kexprs;
	x->q = mem_calloc((size_t)threads * (size_t)threads, sizeof *x->q);
	return x;
}

void xchg_free(Exchange *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->T * x->T; i++)
		for (int s = 0; s < XQ_SLOTS; s++)
			if (x->q[i].slots[s].c)
				chunk_free(x->q[i].slots[s].c);
	mem_free(x->q);
	mem_free(x->types);
	mem_free(x);
}

/* ---- Sender. */

typedef struct SendOp {
	Operator op;
	Exchange *x;
	int inst;
	XWaitFn wait;
	void *ctx;
	uint32_t *tail;  /* per destination: the producer's copy of its queue's tail */
	bool *filling;   /* per destination: the slot at tail holds rows not yet published */
	Arena key_arena; /* key expression results; reset per chunk */
	StrBuf key;      /* one key value's encoding (types hashed by their encoding) */
	uint64_t *hash;  /* CHUNK_CAP: the rows' key hashes */
	uint16_t *sel;   /* T x CHUNK_CAP: per destination, its rows of the chunk */
	int *nsel;       /* per destination: how many */
} SendOp;

static XQueue *out_queue(SendOp *s, int to)
{
	return &s->x->q[s->inst * s->x->T + to];
}

/* Waits for a free slot in the queue to `to` and returns it (not yet published). */
static XSlot *reserve(SendOp *s, int to, Err *e)
{
	XQueue *q = out_queue(s, to);
	while (s->tail[to] - atomic_load_explicit(&q->head, memory_order_acquire) >= XQ_SLOTS)
		if (s->wait(s->ctx, e) < 0)
			return NULL;
	return &q->slots[s->tail[to] % XQ_SLOTS];
}

static void publish(SendOp *s, int to)
{
	s->tail[to]++;
	atomic_store_explicit(&out_queue(s, to)->tail, s->tail[to], memory_order_release);
	s->filling[to] = false;
}

static int flush_all(SendOp *s)
{
	for (int to = 0; to < s->x->T; to++)
		if (s->filling[to])
			publish(s, to);
	return 0;
}

/* Sends a control message to every receiver, after the rows sent before it. */
static int broadcast(SendOp *s, const XSlot *m, Err *e)
{
	flush_all(s);
	for (int to = 0; to < s->x->T; to++) {
		XSlot *slot = reserve(s, to, e);
		if (!slot)
			return -1;
		slot->kind = m->kind;
		slot->idle = m->idle;
		slot->col = m->col;
		slot->ts = m->ts;
		slot->epoch = m->epoch;
		publish(s, to);
	}
	return 0;
}

/* Hashes a NULL key value. */
#define NULL_HASH 0x6a09e667f3bcc909ULL

/* Mixes key column v of every row into h: integers of every width and dates as their 64-bit
 * value (so equal values of different integer types meet), strings as their bytes, other types
 * through their ROWCODEC_NORMALIZE encoding (equal values, equal bytes: 1.0 and 1.00). */
static void hash_column(SendOp *s, const Vector *v, int n, uint64_t *h)
{
	const uint8_t *nulls = v->nulls;
	switch (v->type) {
#define HASH_INTS(ctype)                                                                       \
	for (int r = 0; r < n; r++)                                                            \
		h[r] = hash_combine(h[r], nulls[r] ? NULL_HASH                                  \
						 : hash_u64((uint64_t)(int64_t)VEC_DATA(v, ctype)[r])); \
	break
	case T_INT2:
		HASH_INTS(int16_t);
	case T_INT4:
	case T_DATE:
		HASH_INTS(int32_t);
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		HASH_INTS(int64_t);
#undef HASH_INTS
	case T_VARCHAR:
	case T_UNKNOWN:
		for (int r = 0; r < n; r++) {
			const Str *x = &VEC_DATA(v, Str)[r];
			h[r] = hash_combine(h[r], nulls[r] ? NULL_HASH : hash_bytes(x->p, x->len));
		}
		break;
	default:
		for (int r = 0; r < n; r++) {
			Value val;
			vec_get_value(v, r, &val);
			sb_reset(&s->key);
			row_encode_value(&val, ROWCODEC_NORMALIZE, &s->key);
			h[r] = hash_combine(h[r], hash_bytes(s->key.data, s->key.len));
		}
	}
}

/* Sorts the rows of c by destination instance: s->sel[to * CHUNK_CAP ...] holds the rows for
 * `to` in their order, s->nsel[to] how many. */
static int route(SendOp *s, const Chunk *c, Err *e)
{
	Exchange *x = s->x;
	memset(s->nsel, 0, (size_t)x->T * sizeof *s->nsel);
	if (x->T == 1 || x->nkeys == 0) {
		for (int r = 0; r < c->nrows; r++)
			s->sel[r] = (uint16_t)r;
		s->nsel[0] = c->nrows;
		return 0;
	}
	uint64_t *h = s->hash;
	memset(h, 0, (size_t)c->nrows * sizeof *h);
	if (x->kexprs) {
		arena_reset(&s->key_arena);
		ExprCtx cx;
		df_expr_ctx(s->op.df, &cx, &s->key_arena, e);
		for (int k = 0; k < x->nkeys; k++) {
			Vector *v = vec_new_in(&s->key_arena, x->kexprs[k]->type);
			/* Rows whose key fails to evaluate are counted by the join itself. */
			if (expr_eval(x->kexprs[k], c, v, &cx) < 0)
				return -1;
			hash_column(s, v, c->nrows, h);
		}
	} else {
		for (int k = 0; k < x->nkeys; k++)
			hash_column(s, &c->cols[x->kcols[k]], c->nrows, h);
	}
	for (int r = 0; r < c->nrows; r++) {
		int to = (int)(h[r] % (uint64_t)x->T);
		s->sel[to * CHUNK_CAP + s->nsel[to]++] = (uint16_t)r;
	}
	return 0;
}

static int send_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	SendOp *s = (SendOp *)op;
	Exchange *x = s->x;
	if (route(s, c, e) < 0)
		return -1;
	for (int to = 0; to < x->T; to++) {
		const uint16_t *sel = s->sel + (size_t)to * CHUNK_CAP;
		for (int done = 0; done < s->nsel[to];) {
			XSlot *slot = &out_queue(s, to)->slots[s->tail[to] % XQ_SLOTS];
			if (!s->filling[to]) {
				slot = reserve(s, to, e);
				if (!slot)
					return -1;
				slot->kind = XM_CHUNK;
				if (!slot->c)
					slot->c = chunk_new(x->types, x->ncols);
				else
					chunk_reset(slot->c);
				s->filling[to] = true;
			}
			int n = s->nsel[to] - done;
			if (n > CHUNK_CAP - slot->c->nrows)
				n = CHUNK_CAP - slot->c->nrows;
			chunk_append_sel(slot->c, c, sel + done, n);
			done += n;
			if (chunk_full(slot->c))
				publish(s, to);
		}
	}
	return 0;
}

static int send_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	XSlot m = {.kind = XM_WATERMARK, .col = col, .ts = ts};
	return broadcast((SendOp *)op, &m, e);
}

static int send_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	XSlot m = {.kind = XM_BARRIER, .epoch = epoch};
	return broadcast((SendOp *)op, &m, e);
}

static int send_idle(Operator *op, int port, bool idle, Err *e)
{
	XSlot m = {.kind = XM_IDLE, .idle = idle};
	return broadcast((SendOp *)op, &m, e);
}

static void send_explain(const Operator *op, StrBuf *out)
{
	const SendOp *s = (const SendOp *)op;
	sb_puts(out, "ExchangeSend");
	if (s->x->nkeys == 0) {
		sb_puts(out, " (all rows to instance 0)");
		return;
	}
	sb_puts(out, " hash(");
	for (int k = 0; k < s->x->nkeys; k++) {
		if (s->x->kexprs)
			sb_printf(out, "%skey%d", k ? ", " : "", k + 1);
		else
			sb_printf(out, "%s#%d", k ? ", " : "", s->x->kcols[k]);
	}
	sb_putc(out, ')');
}

static void send_free(Operator *op)
{
	SendOp *s = (SendOp *)op;
	mem_free(s->tail);
	mem_free(s->filling);
	mem_free(s->hash);
	mem_free(s->sel);
	mem_free(s->nsel);
	arena_deinit(&s->key_arena);
	sb_deinit(&s->key);
}

Operator *xchg_sender_new(Exchange *x, int inst, XWaitFn wait, void *ctx)
{
	SendOp *s = mem_calloc(1, sizeof *s);
	s->x = x;
	s->inst = inst;
	s->wait = wait;
	s->ctx = ctx;
	s->tail = mem_calloc((size_t)x->T, sizeof *s->tail);
	s->filling = mem_calloc((size_t)x->T, sizeof *s->filling);
	s->hash = mem_alloc(CHUNK_CAP * sizeof *s->hash);
	s->sel = mem_alloc((size_t)x->T * CHUNK_CAP * sizeof *s->sel);
	s->nsel = mem_calloc((size_t)x->T, sizeof *s->nsel);
	arena_init(&s->key_arena, 0);
	sb_init(&s->key);
	s->op.kind = "ExchangeSend";
	s->op.on_chunk = send_chunk;
	s->op.on_watermark = send_watermark;
	s->op.on_barrier = send_barrier;
	s->op.on_idle = send_idle;
	s->op.explain = send_explain;
	s->op.free = send_free;
	return &s->op;
}

/* ---- Receiver. */

/* Messages taken out of one sender's queue, waiting to be processed (FIFO). */
typedef struct Pending {
	XSlot *m;
	int head, n, cap;
} Pending;

typedef struct RecvOp {
	Operator op;
	Exchange *x;
	int inst;
	int *busy;
	uint32_t *head;  /* per sender: the consumer's copy of its queue's head */
	Pending *pend;   /* per sender */
	Chunk **spare;   /* processed chunks, handed back to the queues' slots */
	int nspare, capspare;
	bool *held;      /* per sender: its barrier arrived, the others' not yet */
	int nheld;
	bool *idle;      /* per sender */
	int nidle;
	bool idle_out;
	int64_t *wm;     /* [sender * ncols + col] */
	int64_t *wm_out; /* [col]: the last watermark forwarded */
	uint64_t epoch;  /* the last barrier forwarded */
} RecvOp;

static XQueue *in_queue(RecvOp *r, int from)
{
	return &r->x->q[from * r->x->T + r->inst];
}

/* Forwards the watermark of col if its minimum over the senders rose. */
static int forward_wm(RecvOp *r, int col, Err *e)
{
	int T = r->x->T, n = r->x->ncols;
	bool all_idle = r->nidle == T;
	int64_t m = INT64_MAX;
	for (int s = 0; s < T; s++)
		if (all_idle || !r->idle[s])
			m = r->wm[s * n + col] < m ? r->wm[s * n + col] : m;
	if (m == INT64_MAX || m <= r->wm_out[col])
		return 0;
	r->wm_out[col] = m;
	return op_emit_watermark(&r->op, col, m, e);
}

static int take(RecvOp *r, int from, const XSlot *m, Err *e)
{
	int T = r->x->T;
	switch (m->kind) {
	case XM_CHUNK:
		return op_emit(&r->op, m->c, e);
	case XM_WATERMARK: {
		int64_t *w = &r->wm[from * r->x->ncols + m->col];
		if (m->ts > *w)
			*w = m->ts;
		return forward_wm(r, m->col, e);
	}
	case XM_BARRIER:
		r->held[from] = true;
		if (++r->nheld < T)
			return 0;
		memset(r->held, 0, (size_t)T * sizeof *r->held);
		r->nheld = 0;
		r->epoch = m->epoch;
		return op_emit_barrier(&r->op, m->epoch, e);
	case XM_IDLE:
		if (r->idle[from] == m->idle)
			return 0;
		r->idle[from] = m->idle;
		r->nidle += m->idle ? 1 : -1;
		if ((r->nidle == T) != r->idle_out) {
			r->idle_out = r->nidle == T;
			if (op_emit_idle(&r->op, r->idle_out, e) < 0)
				return -1;
		}
		for (int c = 0; c < r->x->ncols; c++)
			if (forward_wm(r, c, e) < 0)
				return -1;
		return 0;
	}
	return 0;
}

/* Moves every published message of sender s's queue into its pending list, so the queue never
 * stays full while the receiver waits (for a barrier, for its fragment): senders blocked on it
 * could be the very ones it waits for. A slot's chunk goes with its message; the slot gets a
 * spare chunk back (or none: the sender then makes one). */
static int pull(RecvOp *r, int s)
{
	XQueue *q = in_queue(r, s);
	Pending *p = &r->pend[s];
	uint32_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	int n = 0;
	for (; r->head[s] != tail; r->head[s]++, n++) {
		XSlot *slot = &q->slots[r->head[s] % XQ_SLOTS];
		if (p->head + p->n == p->cap) {
			if (p->head > 0) {
				memmove(p->m, p->m + p->head, (size_t)p->n * sizeof *p->m);
				p->head = 0;
			} else {
				p->cap = p->cap ? p->cap * 2 : 16;
				p->m = mem_realloc(p->m, (size_t)p->cap * sizeof *p->m);
			}
		}
		p->m[p->head + p->n++] = *slot;
		slot->c = slot->kind == XM_CHUNK && r->nspare ? r->spare[--r->nspare]
							      : slot->kind == XM_CHUNK ? NULL : slot->c;
	}
	if (n)
		atomic_store_explicit(&q->head, r->head[s], memory_order_release);
	return n;
}

static void give_back(RecvOp *r, Chunk *c)
{
	if (r->nspare == r->capspare) {
		r->capspare = r->capspare ? r->capspare * 2 : 8;
		r->spare = mem_realloc(r->spare, (size_t)r->capspare * sizeof *r->spare);
	}
	r->spare[r->nspare++] = c;
}

int xchg_receiver_drain(Operator *op, bool process, Err *e)
{
	RecvOp *r = (RecvOp *)op;
	int n = 0;
	for (int s = 0; s < r->x->T; s++)
		n += pull(r, s);
	if (!process || *r->busy)
		return n;
	*r->busy = 1;
	int rc = 0;
	for (int s = 0; s < r->x->T && rc == 0; s++) {
		Pending *p = &r->pend[s];
		/* A barrier holds its sender's messages until the other senders' barrier came; at
		 * most one barrier is forwarded per call (the caller aligns the fragment's inputs). */
		uint64_t ep = r->epoch;
		while (p->n > 0 && !r->held[s] && rc == 0 && r->epoch == ep) {
			XSlot m = p->m[p->head++];
			p->n--;
			if (p->n == 0)
				p->head = 0;
			rc = take(r, s, &m, e);
			if (m.kind == XM_CHUNK)
				give_back(r, m.c);
			n++;
		}
	}
	*r->busy = 0;
	return rc < 0 ? -1 : n;
}

uint64_t xchg_receiver_epoch(const Operator *op)
{
	return ((const RecvOp *)op)->epoch;
}

void xchg_receiver_set_busy(Operator *op, int *busy)
{
	((RecvOp *)op)->busy = busy;
}

static int recv_never(Operator *op, int port, const Chunk *c, Err *e)
{
	return err_set(e, ERR_INTERNAL, "exchange receiver pushed from below");
}

static void recv_explain(const Operator *op, StrBuf *out)
{
	sb_printf(out, "Exchange (from %d instances)", ((const RecvOp *)op)->x->T);
}

static void recv_free(Operator *op)
{
	RecvOp *r = (RecvOp *)op;
	for (int s = 0; s < r->x->T; s++) {
		Pending *p = &r->pend[s];
		for (int i = 0; i < p->n; i++)
			if (p->m[p->head + i].kind == XM_CHUNK && p->m[p->head + i].c)
				chunk_free(p->m[p->head + i].c);
		mem_free(p->m);
	}
	mem_free(r->pend);
	for (int i = 0; i < r->nspare; i++)
		chunk_free(r->spare[i]);
	mem_free(r->spare);
	mem_free(r->head);
	mem_free(r->held);
	mem_free(r->idle);
	mem_free(r->wm);
	mem_free(r->wm_out);
}

Operator *xchg_receiver_new(Exchange *x, int inst)
{
	RecvOp *r = mem_calloc(1, sizeof *r);
	r->x = x;
	r->inst = inst;
	r->head = mem_calloc((size_t)x->T, sizeof *r->head);
	r->pend = mem_calloc((size_t)x->T, sizeof *r->pend);
	r->held = mem_calloc((size_t)x->T, sizeof *r->held);
	r->idle = mem_calloc((size_t)x->T, sizeof *r->idle);
	size_t nwm = (size_t)x->T * (size_t)(x->ncols + 1);
	r->wm = mem_alloc(nwm * sizeof *r->wm);
	for (size_t i = 0; i < nwm; i++)
		r->wm[i] = INT64_MIN;
	r->wm_out = mem_alloc((size_t)(x->ncols + 1) * sizeof *r->wm_out);
	for (int i = 0; i <= x->ncols; i++)
		r->wm_out[i] = INT64_MIN;
	r->op.kind = "Exchange";
	r->op.on_chunk = recv_never;
	r->op.on_watermark = op_forward_watermark;
	r->op.on_barrier = op_forward_barrier;
	r->op.explain = recv_explain;
	r->op.free = recv_free;
	r->op.stateless = true; /* what it holds is in flight, not state (no checkpoints anyway) */
	return &r->op;
}

/* ---- Gate. */

static int gate_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	return 0;
}

static void gate_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Gate (the aggregate's row comes from instance 0)");
}

static void gate_free(Operator *op)
{
	(void)op;
}

Operator *gate_op_new(void)
{
	Operator *g = mem_calloc(1, sizeof *g);
	g->kind = "Gate";
	g->on_chunk = gate_chunk;
	g->on_watermark = op_forward_watermark;
	g->on_barrier = op_forward_barrier;
	g->explain = gate_explain;
	g->free = gate_free;
	g->stateless = true;
	return g;
}
