/* parallel.c: T instances of one dataflow over key partitions, run on T threads (parallel.h).
 *
 * Layer: stream. Owns the instances (one Dataflow each, built by dataflow_build_split with this
 * file's cut and wrap rules), the exchanges between them (exchange.c), the threads and the
 * protocol that ends a run. Never evaluates expressions or holds operator state of its own.
 *
 * Fragments: the operators of an instance connected without crossing an exchange. Each has a
 * busy flag, set while a call runs inside it (a receiver pushing upward, the feed pushing into a
 * scan, a barrier); a sender waiting for room drains only receivers of fragments that are not
 * busy, so no operator is ever re-entered in the middle of a call. No deadlock: the root's
 * fragment never waits, and a fragment F a sender waits on is busy on instance j only while j
 * itself waits on a fragment above F; so the highest waited-on fragment is always drained.
 *
 * Ending a run: an instance whose feed is exhausted publishes how many barriers it injected and
 * keeps draining until every instance is done; then all pad their barriers to the same count and
 * inject one final barrier, and an instance stops once each of its receivers forwarded that final
 * barrier (everything sent to it before has arrived: queues are FIFO).
 */
#include "stream/parallel.h"

#include "base/mem.h"
#include "stream/exchange.h"
#include "stream/operator.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

typedef struct Inst {
	ParDataflow *p;
	int i;
	Dataflow *df;
	Operator **recvs;
	int nrecvs, caprecvs;
	int *busy;       /* per fragment */
	int nfrags;
	int *scan_frag;  /* per input: its fragment */
	int *recv_frag;  /* per receiver: its fragment */
	bool *frag_scan; /* per fragment: it holds a scan */
	uint64_t injected; /* barriers injected into the scans */
	pthread_t th;
	int rc;
	Err err;
} Inst;

struct ParDataflow {
	const LogicalOp *plan;
	int T;
	Inst *inst;
	Exchange **xs;
	int nx, capx;
	int building;    /* the instance being built */
	int cutno;       /* the next cut of that instance */
	void **owned;    /* key column arrays made for cuts */
	int nowned, capowned;
	DataflowSplit split;
	ParOutputFn out_fn;
	void *out_arg;
	ParFeedFn feed;
	void *feed_arg;
	int barrier_every;
	_Atomic int failed;
	_Atomic int ndone;
	_Atomic uint64_t max_epochs;
	pthread_mutex_t err_mu;
	Err first_err;
	bool has_err;
};

/* ---- What can run in parallel. */

bool pardf_supported(const LogicalOp *plan, const char **why)
{
	const char *w = NULL;
	switch (plan->kind) {
	case LOP_VALUES:
		w = "VALUES";
		break;
	case LOP_SORT:
		w = "ORDER BY";
		break;
	case LOP_LIMIT:
		w = "LIMIT";
		break;
	case LOP_SESSION:
		w = "SESSION without aggregation";
		break;
	case LOP_SCAN:
		if (plan->subq)
			w = "a per-row subquery";
		break;
	case LOP_JOIN:
		if (plan->lookup)
			w = "a lookup join";
		else if (plan->join_type == JOIN_ANTI_NA)
			w = "NOT IN (null-aware anti join)";
		break;
	default:
		break;
	}
	if (w) {
		if (why)
			*why = w;
		return false;
	}
	for (int i = 0; i < plan->nchildren; i++)
		if (!pardf_supported(plan->children[i], why))
			return false;
	return true;
}

/* ---- Building: where the plan is cut, and by which key. */

static int *own_cols(ParDataflow *p, int n)
{
	if (p->nowned == p->capowned) {
		p->capowned = p->capowned ? p->capowned * 2 : 8;
		p->owned = mem_realloc(p->owned, (size_t)p->capowned * sizeof *p->owned);
	}
	int *cols = mem_calloc((size_t)n + 1, sizeof *cols);
	p->owned[p->nowned++] = cols;
	return cols;
}

/* The exchange of input `port` of lop (made on instance 0's build, shared by the others), or
 * NULL when that input needs none. */
static Exchange *cut_exchange(ParDataflow *p, const LogicalOp *lop, int port)
{
	const LogicalOp *in = lop->children[port];
	int n = 0;
	const int *kcols = NULL;
	Expr *const *kexprs = NULL;
	switch (lop->kind) {
	case LOP_AGG:
		n = lop->ngroup;
		kcols = lop->group_cols;
		break;
	case LOP_HOP_AGG:
	case LOP_SESSION_AGG: {
		/* Group columns count in the window's output: the input's columns, then
		 * window_start and window_end, which are not part of the partition key. */
		int *cols = own_cols(p, lop->ngroup);
		for (int k = 0; k < lop->ngroup; k++)
			if (lop->group_cols[k] < lop->window->ncols - 2)
				cols[n++] = lop->group_cols[k];
		kcols = cols;
		break;
	}
	case LOP_TOPN:
	case LOP_OVER:
		n = lop->npart;
		kcols = lop->part_cols;
		break;
	case LOP_JOIN:
		n = lop->njkeys;
		kexprs = port == 0 ? lop->lkeys : lop->rkeys;
		break;
	case LOP_EOWC: {
		int *cols = own_cols(p, in->ncols);
		for (int c = 0; c < in->ncols; c++)
			cols[n++] = c;
		kcols = cols;
		break;
	}
	default:
		return NULL;
	}
	Exchange *x = xchg_new(p->T, in, n, kcols, kexprs);
	if (p->nx == p->capx) {
		p->capx = p->capx ? p->capx * 2 : 4;
		p->xs = mem_realloc(p->xs, (size_t)p->capx * sizeof *p->xs);
	}
	p->xs[p->nx++] = x;
	return x;
}

static bool needs_cut(const LogicalOp *lop)
{
	switch (lop->kind) {
	case LOP_AGG:
	case LOP_HOP_AGG:
	case LOP_SESSION_AGG:
	case LOP_TOPN:
	case LOP_OVER:
	case LOP_JOIN:
	case LOP_EOWC:
		return true;
	default:
		return false;
	}
}

static int inst_wait(void *ctx, Err *e);

/* Adds op to df over its one child; `wired` makes op the child's parent (messages flow). */
static void hang_over(Dataflow *df, Operator *op, const LogicalOp *lop, Operator *child,
		      bool wired)
{
	op->lop = lop;
	op->nchildren = 1;
	op->children = mem_calloc(1, sizeof *op->children);
	op->children[0] = child;
	if (wired) {
		child->parent = op;
		child->port = 0;
	}
	df_add_op(df, op);
}

static Operator *split_cut(const DataflowSplit *s, Dataflow *df, const LogicalOp *lop, int port,
			   Operator *child, Err *e)
{
	ParDataflow *p = s->arg;
	if (!needs_cut(lop))
		return child;
	Inst *in = &p->inst[p->building];
	Exchange *x;
	if (p->building == 0) {
		x = cut_exchange(p, lop, port);
		if (!x)
			return child;
	} else {
		/* Every instance builds the same plan in the same order: the same cuts. */
		x = p->xs[p->cutno];
	}
	p->cutno++;
	Operator *snd = xchg_sender_new(x, p->building, inst_wait, in);
	hang_over(df, snd, child->lop, child, true);
	/* The sender hangs below the receiver for EXPLAIN only: nothing flows along that edge. */
	Operator *rcv = xchg_receiver_new(x, p->building);
	hang_over(df, rcv, lop->children[port], snd, false);
	if (in->nrecvs == in->caprecvs) {
		in->caprecvs = in->caprecvs ? in->caprecvs * 2 : 4;
		in->recvs = mem_realloc(in->recvs, (size_t)in->caprecvs * sizeof *in->recvs);
	}
	in->recvs[in->nrecvs++] = rcv;
	return rcv;
}

static Operator *split_wrap(const DataflowSplit *s, Dataflow *df, const LogicalOp *lop,
			    Operator *op, Err *e)
{
	ParDataflow *p = s->arg;
	if (lop->kind != LOP_AGG || lop->ngroup > 0 || p->building == 0)
		return op;
	Operator *g = gate_op_new();
	hang_over(df, g, lop, op, true);
	return g;
}

/* The top of the fragment holding op: the root, or the sender of an exchange. */
static Operator *frag_top(Operator *op)
{
	while (op->parent)
		op = op->parent;
	return op;
}

static int frag_of(Operator **tops, int *n, Operator *top)
{
	for (int i = 0; i < *n; i++)
		if (tops[i] == top)
			return i;
	tops[*n] = top;
	return (*n)++;
}

/* Numbers the instance's fragments and hands each receiver its fragment's busy flag. */
static void assign_frags(Inst *in)
{
	int ninputs = dataflow_ninputs(in->df);
	Operator **tops = mem_calloc((size_t)(in->nrecvs + ninputs + 1), sizeof *tops);
	int n = 0;
	int *rf = mem_calloc((size_t)in->nrecvs + 1, sizeof *rf);
	for (int r = 0; r < in->nrecvs; r++)
		rf[r] = frag_of(tops, &n, frag_top(in->recvs[r]));
	in->scan_frag = mem_calloc((size_t)ninputs + 1, sizeof *in->scan_frag);
	for (int k = 0; k < ninputs; k++)
		in->scan_frag[k] = frag_of(tops, &n, frag_top(df_input(in->df, k)));
	in->nfrags = n;
	in->busy = mem_calloc((size_t)n + 1, sizeof *in->busy);
	in->frag_scan = mem_calloc((size_t)n + 1, sizeof *in->frag_scan);
	for (int k = 0; k < ninputs; k++)
		in->frag_scan[in->scan_frag[k]] = true;
	for (int r = 0; r < in->nrecvs; r++)
		xchg_receiver_set_busy(in->recvs[r], &in->busy[rf[r]]);
	in->recv_frag = rf;
	mem_free(tops);
}

static int inst_output(void *arg, const Chunk *c, Err *e)
{
	Inst *in = arg;
	ParDataflow *p = in->p;
	return p->out_fn ? p->out_fn(p->out_arg, in->i, c, e) : 0;
}

ParDataflow *pardf_build(const LogicalOp *plan, int threads, Err *e)
{
	const char *why = NULL;
	if (threads < 1 || threads > PARDF_MAX_THREADS) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "threads must be between 1 and %d",
			PARDF_MAX_THREADS);
		return NULL;
	}
	if (!pardf_supported(plan, &why)) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"parallel dataflows do not support %s yet", why);
		return NULL;
	}
	ParDataflow *p = mem_calloc(1, sizeof *p);
	p->plan = plan;
	p->T = threads;
	p->inst = mem_calloc((size_t)threads, sizeof *p->inst);
	p->split = (DataflowSplit){.cut = split_cut, .wrap = split_wrap, .arg = p};
	pthread_mutex_init(&p->err_mu, NULL);
	for (int i = 0; i < threads; i++) {
		Inst *in = &p->inst[i];
		in->p = p;
		in->i = i;
		p->building = i;
		p->cutno = 0;
		in->df = dataflow_build_split(plan, DF_STREAMING, &p->split, e);
		if (!in->df) {
			pardf_free(p);
			return NULL;
		}
		dataflow_set_output(in->df, inst_output, in);
		assign_frags(in);
	}
	return p;
}

void pardf_free(ParDataflow *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->T; i++) {
		Inst *in = &p->inst[i];
		dataflow_free(in->df);
		mem_free(in->recvs);
		mem_free(in->busy);
		mem_free(in->scan_frag);
		mem_free(in->recv_frag);
		mem_free(in->frag_scan);
	}
	for (int i = 0; i < p->nx; i++)
		xchg_free(p->xs[i]);
	for (int i = 0; i < p->nowned; i++)
		mem_free(p->owned[i]);
	mem_free(p->owned);
	mem_free(p->xs);
	mem_free(p->inst);
	pthread_mutex_destroy(&p->err_mu);
	mem_free(p);
}

int pardf_threads(const ParDataflow *p)
{
	return p->T;
}

int pardf_exchanges(const ParDataflow *p)
{
	return p->nx;
}

void pardf_set_output(ParDataflow *p, ParOutputFn fn, void *arg)
{
	p->out_fn = fn;
	p->out_arg = arg;
}

Dataflow *pardf_instance(const ParDataflow *p, int i)
{
	return p->inst[i].df;
}

/* ---- Running. */

static int run_failed(Err *e)
{
	return err_set(e, ERR_INTERNAL, "another parallel instance failed");
}

/* Whether receiver r is ahead of its fragment: it forwarded more barriers than another input
 * of the fragment (a receiver, or the scans). Operators with several inputs align barriers by
 * counting one per input, as a single dataflow delivers them, so an input must not deliver
 * barrier e + 1 before every other input delivered barrier e: such a receiver waits. */
static bool recv_ahead(const Inst *in, int r)
{
	uint64_t ep = xchg_receiver_epoch(in->recvs[r]);
	if (ep == 0)
		return false;
	int f = in->recv_frag[r];
	if (in->frag_scan[f] && in->injected < ep)
		return true;
	for (int k = 0; k < in->nrecvs; k++)
		if (in->recv_frag[k] == f && xchg_receiver_epoch(in->recvs[k]) < ep)
			return true;
	return false;
}

/* One pass over the instance's receivers; returns the messages processed, or -1. */
static int inst_drain(Inst *in, Err *e)
{
	int n = 0;
	for (int r = 0; r < in->nrecvs; r++) {
		int k = xchg_receiver_drain(in->recvs[r], !recv_ahead(in, r), e);
		if (k < 0)
			return -1;
		n += k;
	}
	return n;
}

static int inst_wait(void *ctx, Err *e)
{
	Inst *in = ctx;
	if (atomic_load(&in->p->failed))
		return run_failed(e);
	int n = inst_drain(in, e);
	if (n < 0)
		return -1;
	if (n == 0)
		sched_yield();
	return 0;
}

int pardf_push(ParDataflow *p, int inst, int input, const Chunk *c, Err *e)
{
	Inst *in = &p->inst[inst];
	int *busy = &in->busy[in->scan_frag[input]];
	*busy = 1;
	int rc = dataflow_push(in->df, input, c, e);
	*busy = 0;
	return rc;
}

int pardf_watermark(ParDataflow *p, int inst, int input, int col, int64_t ts, Err *e)
{
	Inst *in = &p->inst[inst];
	int *busy = &in->busy[in->scan_frag[input]];
	*busy = 1;
	int rc = dataflow_watermark(in->df, input, col, ts, e);
	*busy = 0;
	return rc;
}

int pardf_idle(ParDataflow *p, int inst, int input, bool idle, Err *e)
{
	Inst *in = &p->inst[inst];
	int *busy = &in->busy[in->scan_frag[input]];
	*busy = 1;
	int rc = dataflow_input_idle(in->df, input, idle, e);
	*busy = 0;
	return rc;
}

static int inst_barrier(Inst *in, uint64_t epoch, Err *e)
{
	int ninputs = dataflow_ninputs(in->df);
	for (int k = 0; k < ninputs; k++)
		in->busy[in->scan_frag[k]] = 1;
	in->injected = epoch;
	int rc = dataflow_barrier(in->df, epoch, e);
	for (int k = 0; k < ninputs; k++)
		in->busy[in->scan_frag[k]] = 0;
	return rc;
}

static bool inst_finished(const Inst *in, uint64_t final)
{
	for (int r = 0; r < in->nrecvs; r++)
		if (xchg_receiver_epoch(in->recvs[r]) < final)
			return false;
	return true;
}

static int inst_run(Inst *in, Err *e)
{
	ParDataflow *p = in->p;
	uint64_t epoch = 0;
	for (int fed = 1;; fed++) {
		if (atomic_load(&p->failed))
			return run_failed(e);
		int r = p->feed(p->feed_arg, p, in->i, e);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (fed % p->barrier_every == 0 && inst_barrier(in, ++epoch, e) < 0)
			return -1;
		if (inst_drain(in, e) < 0)
			return -1;
	}
	uint64_t m = atomic_load(&p->max_epochs);
	while (m < epoch && !atomic_compare_exchange_weak(&p->max_epochs, &m, epoch))
		;
	atomic_fetch_add(&p->ndone, 1);
	while (atomic_load(&p->ndone) < p->T)
		if (inst_wait(in, e) < 0)
			return -1;
	uint64_t final = atomic_load(&p->max_epochs) + 1;
	while (epoch < final)
		if (inst_barrier(in, ++epoch, e) < 0)
			return -1;
	while (!inst_finished(in, final))
		if (inst_wait(in, e) < 0)
			return -1;
	return 0;
}

static void *inst_thread(void *arg)
{
	Inst *in = arg;
	ParDataflow *p = in->p;
	err_clear(&in->err);
	in->rc = inst_run(in, &in->err);
	if (in->rc < 0) {
		pthread_mutex_lock(&p->err_mu);
		/* The first real error wins over the others' "another instance failed". */
		if (!p->has_err && !atomic_load(&p->failed)) {
			p->first_err = in->err;
			p->has_err = true;
		}
		atomic_store(&p->failed, 1);
		pthread_mutex_unlock(&p->err_mu);
	}
	return NULL;
}

int pardf_run(ParDataflow *p, ParFeedFn feed, void *arg, int barrier_every, Err *e)
{
	p->feed = feed;
	p->feed_arg = arg;
	p->barrier_every = barrier_every > 0 ? barrier_every : 1;
	int started = 1;
	for (int i = 1; i < p->T; i++) {
		if (pthread_create(&p->inst[i].th, NULL, inst_thread, &p->inst[i]) != 0) {
			atomic_store(&p->failed, 1);
			break;
		}
		started++;
	}
	if (started == p->T)
		inst_thread(&p->inst[0]);
	for (int i = 1; i < started; i++)
		pthread_join(p->inst[i].th, NULL);
	if (started < p->T && !p->has_err)
		return err_set(e, ERR_INTERNAL, "cannot start %d threads", p->T);
	if (atomic_load(&p->failed)) {
		if (p->has_err)
			*e = p->first_err;
		else
			run_failed(e);
		return -1;
	}
	return 0;
}

uint64_t pardf_late_rows(const ParDataflow *p)
{
	uint64_t n = 0;
	for (int i = 0; i < p->T; i++)
		n += dataflow_late_rows(p->inst[i].df);
	return n;
}

uint64_t pardf_row_errors(const ParDataflow *p)
{
	uint64_t n = 0;
	for (int i = 0; i < p->T; i++)
		n += dataflow_row_errors(p->inst[i].df);
	return n;
}

size_t pardf_state_bytes(const ParDataflow *p)
{
	size_t n = 0;
	for (int i = 0; i < p->T; i++)
		n += dataflow_state_bytes(p->inst[i].df);
	return n;
}

void pardf_explain(const ParDataflow *p, StrBuf *out)
{
	sb_printf(out, "%d instances, %d exchanges each; instance 0:\n", p->T, p->nx);
	dataflow_explain(p->inst[0].df, out);
}
