/* operator.h: the private shape of a dataflow operator (stream/ only).
 *
 * Layer: stream. An operator is a struct of callbacks. Messages travel push-style from the
 * inputs (scans, VALUES) towards the root: a chunk of changes, a watermark (an output column of
 * the sender whose values will not fall below `ts` any more), or a barrier ending an epoch. A
 * sender calls its parent's callback with the port (child index) it is wired to; the root hands
 * chunks to the dataflow's output function. Chunks passed along are valid only during the call
 * (strings in them may point into the sender's scratch), so an operator that keeps rows copies
 * or encodes them. Operators never allocate per row: output chunks are allocated once and
 * reused with chunk_reset, expression scratch comes from an arena reset per chunk.
 *
 * Every operator kind lives in its own file (project.c, filter.c, tumble.c, hash_agg.c,
 * union_all.c, values.c, sort.c, limit.c) and exposes one constructor, called by dataflow.c.
 */
#ifndef EDDY_STREAM_OPERATOR_H
#define EDDY_STREAM_OPERATOR_H

#include "base/strbuf.h"
#include "expr/expr.h"
#include "plan/logical.h"
#include "stream/dataflow.h"
#include "vec/chunk.h"

typedef struct Operator Operator;

struct Operator {
	const char *kind;          /* "Project", "HashAgg", ... */
	Dataflow *df;
	const LogicalOp *lop;      /* the plan node it runs */
	Operator *parent;          /* NULL for the root: output goes to the dataflow's output */
	int port;                  /* which input of the parent this operator feeds */
	int nchildren;
	Operator **children;       /* for EXPLAIN and freeing */

	int (*on_chunk)(Operator *op, int port, const Chunk *c, Err *e);
	int (*on_watermark)(Operator *op, int port, int col, int64_t ts, Err *e);
	int (*on_barrier)(Operator *op, int port, uint64_t epoch, Err *e);
	void (*free)(Operator *op);                        /* frees the kind's own state */
	void (*explain)(const Operator *op, StrBuf *out);  /* one line, no newline */
	size_t (*state_bytes)(const Operator *op);         /* NULL: stateless */
	/* Input `port` went idle (or active again): multi-input operators stop (or resume)
	 * holding their watermark back for it. NULL: a single-input operator passes it on, a
	 * multi-input one ignores it. */
	int (*on_idle)(Operator *op, int port, bool idle, Err *e);
	/* Checkpoints (dataflow.h): an operator holding state across messages (rows, groups,
	 * watermarks, flags) implements all three; one that holds none sets `stateless`. The
	 * dataflow prefixes the keys with the operator's number, so keys are the operator's own.
	 * checkpoint writes the entries changed since the last checkpoint or restore (everything
	 * when `full`) and forgets its changes; restore receives the entries back in key order
	 * before any message; restore_done (may be NULL) runs once after the last entry. */
	bool stateless;
	int (*checkpoint)(Operator *op, StateWriter *w, bool full, Err *e);
	int (*restore)(Operator *op, const void *key, size_t klen, const void *val, size_t vlen,
		       Err *e);
	int (*restore_done)(Operator *op, Err *e);
};

/* ---- Sending downstream (dataflow.c). */
int op_emit(Operator *op, const Chunk *c, Err *e);
int op_emit_watermark(Operator *op, int col, int64_t ts, Err *e);
int op_emit_barrier(Operator *op, uint64_t epoch, Err *e);
/* Tells the nearest operator above that handles idleness (on_idle) that this input went idle
 * or active, through any single-input operators in between. */
int op_emit_idle(Operator *op, bool idle, Err *e);

/* Default callbacks: forward the message unchanged. */
int op_forward_chunk(Operator *op, int port, const Chunk *c, Err *e);
int op_forward_watermark(Operator *op, int port, int col, int64_t ts, Err *e);
int op_forward_barrier(Operator *op, int port, uint64_t epoch, Err *e);

/* ---- Dataflow services to operators (dataflow.c). */
DataflowMode df_mode(const Dataflow *df);
void df_count_late(Dataflow *df, uint64_t n);
void df_count_row_errors(Dataflow *df, uint64_t n);
/* Fills an evaluation context for the dataflow's mode over `arena`. */
void df_expr_ctx(const Dataflow *df, ExprCtx *cx, Arena *arena, Err *e);

/* A chunk with the column types of a plan node's output. */
Chunk *lop_chunk_new(const LogicalOp *lop);

/* Copies rows [0, n) of columns of src into dst columns starting at dcol (same types),
 * referencing strings as they are (valid while src is). */
void chunk_copy_cols(Chunk *dst, int dcol, const Chunk *src, int n);

/* Prints a duration in microseconds as "60s", "250ms" or "7us". */
void fmt_duration(StrBuf *out, int64_t us);

/* ---- Splitting a dataflow into parallel instances (dataflow_build_split, parallel.c).
 * `cut` runs once input `port` of `lop` is built as `child`, before the operator of `lop`: it
 * returns the operator to wire in the child's place (the child itself, or an exchange receiver
 * after it put the matching sender over the child). `wrap` runs once lop's operator is built and
 * wired: it returns the operator its parent sees (op itself, or a wrapper over it). Both return
 * NULL with e set on failure, and register what they create with df_add_op. */
struct DataflowSplit {
	Operator *(*cut)(const DataflowSplit *s, Dataflow *df, const LogicalOp *lop, int port,
			 Operator *child, Err *e);
	Operator *(*wrap)(const DataflowSplit *s, Dataflow *df, const LogicalOp *lop,
			  Operator *op, Err *e);
	void *arg;
};

/* Adds an operator made outside build (an exchange's sender or receiver, a wrapper) to df, so
 * the dataflow frees it, counts its state and numbers it. */
void df_add_op(Dataflow *df, Operator *op);
/* The dataflow's root operator (where its output leaves), and the scan operator of input i. */
Operator *df_root(const Dataflow *df);
Operator *df_input(const Dataflow *df, int i);

/* ---- Constructors: each allocates an Operator (mem_calloc of its own struct whose first
 * member is the Operator) and sets its callbacks; returns NULL with e set when the plan node
 * cannot run in this mode. */
Operator *scan_op_new(Dataflow *df, const LogicalOp *lop, int input, Err *e);
Operator *project_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *filter_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *tumble_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *hash_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *union_all_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *values_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *sort_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *limit_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *hop_op_new(Dataflow *df, const LogicalOp *lop, Err *e);          /* hop.c */
Operator *hop_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e);      /* hop.c */
Operator *session_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e);  /* session.c */
Operator *eowc_op_new(Dataflow *df, const LogicalOp *lop, Err *e);         /* eowc.c */
/* Group top-N and OVER windows (over_window.c). */
Operator *topn_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *over_op_new(Dataflow *df, const LogicalOp *lop, Err *e);
Operator *hash_join_op_new(Dataflow *df, const LogicalOp *lop, Err *e); /* hash_join.c */
Operator *lookup_join_op_new(Dataflow *df, const LogicalOp *lop, Err *e); /* lookup_join.c */

/* The window start of time t for windows of `size` shifted by `offset` (floor, also for
 * negative times). */
static inline int64_t tumble_start(int64_t t, int64_t size, int64_t offset)
{
	int64_t m = (t - offset) % size;
	if (m < 0)
		m += size;
	return t - m;
}

#endif
