/* agg.h: aggregate functions as structs of callbacks.
 *
 * Layer: expr. An AggFunc describes one resolved aggregate (a name and an argument type): the size
 * of its per-group state, how a chunk of input rows updates many groups' states at once (each
 * row carries its op: inserts add, deletes retract), and how a state becomes a value. Hash
 * aggregation owns the states (state_size bytes each, zeroed, then init) and knows nothing of
 * what they mean. An aggregate that cannot retract says so (retractable = false) and the planner
 * feeds it append-only input only; none pretends.
 *
 * Functions: count(*), count(x), sum, avg, min, max, count/sum/avg(DISTINCT x), stddev,
 * stddev_samp, stddev_pop, variance, var_samp, var_pop, first_value/last_value (append-only),
 * approx_percentile(x, fraction) and string_agg(text, delimiter) (append-only; both resolved by
 * agg_resolve_param with their constant second argument).
 */
#ifndef EDDY_EXPR_AGG_H
#define EDDY_EXPR_AGG_H

#include "base/err.h"
#include "base/mem.h"
#include "base/strbuf.h"
#include "vec/chunk.h"
#include "vec/value.h"

typedef struct AggFunc AggFunc;

struct AggFunc {
	const char *name;
	TypeId arg_type;     /* T_NULL for count(*) */
	TypeId result_type;
	size_t state_size;
	bool retractable;    /* accepts OP_DELETE / OP_UPDATE_DELETE rows */
	void (*init)(const AggFunc *f, void *state);
	/* Applies rows [0, n): row r updates states[r] with sign op_sign(ops[r]). arg is NULL for
	 * count(*). Rows with skip[r] != 0 are ignored (FILTER), skip may be NULL. Errors: 22003 when a
	 * sum overflows its result type. */
	int (*update)(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		      const uint8_t *skip, int n, Err *e);
	/* The current result of a state (strings copied into a). */
	void (*final)(const AggFunc *f, const void *state, Value *out, Arena *a);
	/* Frees what init/update allocated outside the state; NULL when nothing is. */
	void (*destroy)(const AggFunc *f, void *state);
	/* Heap bytes held outside the state block, for state-size reporting; NULL means 0. */
	size_t (*heap_bytes)(const AggFunc *f, const void *state);
	/* Combines state src into dst (as if dst had also seen src's rows), for windows that
	 * share partial states (HOP panes, merging SESSION windows). dst was init'ed; src is
	 * unchanged. min/max may keep only what their result needs (src's extremes). NULL: the
	 * aggregate cannot be combined. Errors: 22003 when a sum leaves its result type. */
	int (*merge)(const AggFunc *f, void *dst, const void *src, Err *e);
	/* Checkpoints: save appends the whole state (including what it holds outside the block)
	 * to out; load restores it into an init'ed state from exactly those bytes, failing with
	 * XX001 when they do not decode. Every aggregate implements both. */
	void (*save)(const AggFunc *f, const void *state, StrBuf *out);
	int (*load)(const AggFunc *f, void *state, const void *p, size_t n, Err *e);
};

/* Shared DISTINCT state. Aggregates of one aggregation that are DISTINCT over the same argument
 * (count(DISTINCT x) FILTER (WHERE a), count(DISTINCT x) FILTER (WHERE b), sum(DISTINCT x), ...)
 * may share one state per group instead of one each: a hash table from each value to k
 * multiplicities, one per member aggregate, so a row costs one lookup whatever k is. Member j's
 * result counts (or sums) the values whose multiplicity j is positive. The owner lays out the
 * states (agg_dset_size(k) bytes, zeroed: that is the empty state) and says per row which
 * members count it (bit j of mask[r]; 0 skips the row). At most AGG_DSET_MAX members.
 *
 * Checkpoint bytes: len u32, then len times: the value (as agg.c's VALUE) and k multiplicities
 * i64 (no value twice, none with all multiplicities 0), saved in one canonical order. With
 * k = 1 these are the bytes of the aggregate's own multiset state, so a checkpoint of a lone
 * count(DISTINCT x) written before states were shared still loads. */
#define AGG_DSET_MAX 64
/* Whether f is a DISTINCT aggregate whose argument type the shared state supports. */
bool agg_dset_shareable(const AggFunc *f);
size_t agg_dset_size(int k);
/* Applies rows [0, n): row r with mask[r] != 0 and a non-NULL argument adds op_sign(ops[r])
 * to the multiplicities mask[r] selects of its value in states[r]. */
int agg_dset_update(void **states, TypeId t, int k, const Vector *arg, const uint8_t *ops,
		    const uint64_t *mask, int n);
/* The result of member j, aggregate f (resolved with distinct, agg_dset_shareable). */
void agg_dset_final(const AggFunc *f, const void *state, int k, int j, Value *out);
void agg_dset_destroy(void *state, TypeId t, int k);
size_t agg_dset_heap_bytes(const void *state, TypeId t, int k);
void agg_dset_save(const void *state, TypeId t, int k, StrBuf *out);
/* Restores into an empty state; XX001 when the bytes do not decode (the state is left empty). */
int agg_dset_load(void *state, TypeId t, int k, const void *p, size_t n, Err *e);

/* Resolves an aggregate call. `star` for count(*); `distinct` for agg(DISTINCT x);
 * `append_only` lets the resolver pick a variant that cannot retract (cheaper min/max).
 * Unknown aggregate or argument type: 42883 "function sum(text) does not exist". */
const AggFunc *agg_resolve(const char *name, TypeId arg, bool star, bool distinct,
			   bool append_only, Err *e);

/* Resolves an aggregate taking a constant second argument, approx_percentile(x, fraction):
 * `param` is the constant's value. Errors: 42883 for an unknown name or argument types, 22023
 * when the fraction is NULL or outside [0, 1], 54000 past 256 distinct fractions. */
const AggFunc *agg_resolve_param(const char *name, TypeId arg, const Value *param, Err *e);

/* Whether aggregate `name` takes a constant second argument (approx_percentile, string_agg). */
bool agg_has_param(const char *name);

/* Whether `name` is an aggregate function name (so the binder can tell f(x) calls apart). */
bool agg_is_aggregate(const char *name);

#endif
