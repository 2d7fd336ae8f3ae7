/* parallel.h: a streaming dataflow run as T parallel instances over key partitions.
 *
 * Layer: stream. pardf_build builds T instances of one plan's dataflow (dataflow_build_split),
 * cut by exchanges wherever rows must meet by key: before every keyed stateful operator (hash
 * aggregation by its group columns, each side of a join by its join keys, top-N and OVER by their
 * partition columns, HOP and SESSION aggregations by their group columns other than the window's,
 * EMIT ON WINDOW CLOSE by the whole row). An exchange's sender in instance i hashes each row's key
 * (XXH3 over the ROWCODEC_NORMALIZE encoding, as the operators' own state does) and hands it to
 * instance hash % T through a bounded single-producer/single-consumer queue of chunks owned by
 * the queue; the receiver in instance j forwards a barrier once all T senders delivered it
 * (aligned), the minimum watermark over its senders, and idleness when all of them are idle. A
 * global aggregate (no group columns) runs on instance 0; the others' copies of it are gated.
 *
 * pardf_run drives the instances, each on a thread of its own: a caller's feed function pushes
 * instance i's share of the input (pardf_push/pardf_watermark, from that instance's thread),
 * barriers are injected every `barrier_every` fed chunks, and the run ends, once every feed is
 * exhausted, with a final barrier all instances agree on. Each instance's root output goes to the
 * output function with the instance's number (called from its thread).
 *
 * Never: plans with VALUES, lookup joins, NOT IN's null-aware anti join, SORT or LIMIT
 * (pardf_supported says why); checkpoints of a parallel dataflow.
 */
#ifndef EDDY_STREAM_PARALLEL_H
#define EDDY_STREAM_PARALLEL_H

#include "base/err.h"
#include "base/strbuf.h"
#include "plan/logical.h"
#include "stream/dataflow.h"
#include "vec/chunk.h"

#define PARDF_MAX_THREADS 256

typedef struct ParDataflow ParDataflow;

/* Receives instance `inst`'s output (from its thread); the chunk is valid during the call. */
typedef int (*ParOutputFn)(void *arg, int inst, const Chunk *c, Err *e);
/* Pushes instance inst's next input (pardf_push, pardf_watermark, pardf_idle); returns 1 when
 * it pushed something, 0 when the instance's input is exhausted, -1 with e set on error. */
typedef int (*ParFeedFn)(void *arg, ParDataflow *p, int inst, Err *e);

/* Whether the plan can run as parallel instances; when not, *why names what cannot. */
bool pardf_supported(const LogicalOp *plan, const char **why);

/* Builds `threads` instances (1 .. PARDF_MAX_THREADS) of the plan's streaming dataflow. Plans
 * pardf_supported refuses fail with 0A000. The plan must outlive the result. */
ParDataflow *pardf_build(const LogicalOp *plan, int threads, Err *e);
void pardf_free(ParDataflow *p);

int pardf_threads(const ParDataflow *p);
/* Exchanges in one instance (the plan's cuts). */
int pardf_exchanges(const ParDataflow *p);
void pardf_set_output(ParDataflow *p, ParOutputFn fn, void *arg);
/* The dataflow of instance i (its inputs are the plan's scans, as dataflow_build numbers them). */
Dataflow *pardf_instance(const ParDataflow *p, int i);

/* For the feed function only (from instance inst's thread). */
int pardf_push(ParDataflow *p, int inst, int input, const Chunk *c, Err *e);
int pardf_watermark(ParDataflow *p, int inst, int input, int col, int64_t ts, Err *e);
int pardf_idle(ParDataflow *p, int inst, int input, bool idle, Err *e);

/* Runs every instance to the end of its input; returns 0, or -1 with e set to the first error
 * of any instance. Can run once. */
int pardf_run(ParDataflow *p, ParFeedFn feed, void *arg, int barrier_every, Err *e);

/* Counters summed over the instances. */
uint64_t pardf_late_rows(const ParDataflow *p);
uint64_t pardf_row_errors(const ParDataflow *p);
size_t pardf_state_bytes(const ParDataflow *p);

/* Instance 0's operator graph, exchanges included. */
void pardf_explain(const ParDataflow *p, StrBuf *out);

#endif
