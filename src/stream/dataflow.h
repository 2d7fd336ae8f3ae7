/* dataflow.h: a running incremental query: operators wired into a DAG, driven by pushes.
 *
 * Layer: stream (depends on plan/, expr/, vec/). dataflow_build turns a LogicalOp tree into
 * operators (structs of callbacks, operator.h) connected push-style. The engine feeds each scan
 * input the changes of the catalog object it reads, then ends each epoch with a barrier: stateful
 * operators (aggregations) emit their accumulated changes at the barrier, so an epoch's output is
 * the net change of the whole epoch. Watermarks flow with the data; windowed state is freed once
 * the watermark passes it; rows behind the watermark that would change closed windows are dropped
 * and counted as late.
 *
 * Output is a changelog of chunks (OP_INSERT/OP_DELETE/OP_UPDATE_*) whose columns are the plan's
 * output columns, handed to the output callback. In BATCH mode the dataflow runs once over a
 * snapshot (inserts only) and may take append-only shortcuts; SORT and LIMIT are allowed there.
 */
#ifndef EDDY_STREAM_DATAFLOW_H
#define EDDY_STREAM_DATAFLOW_H

#include "base/err.h"
#include "base/strbuf.h"
#include "plan/logical.h"
#include "vec/chunk.h"

typedef struct Dataflow Dataflow;

typedef enum DataflowMode { DF_STREAMING, DF_BATCH } DataflowMode;

/* Receives the dataflow's output; returns 0, or -1 with e set to abort the push. The chunk is
 * only valid during the call. */
typedef int (*DataflowOutputFn)(void *arg, const Chunk *c, Err *e);

/* Builds the operators for `plan`. Plans the streaming mode cannot maintain (SORT/LIMIT in a
 * view, ...) fail with 0A000 and a hint saying what to write instead. The plan must outlive the
 * dataflow. */
Dataflow *dataflow_build(const LogicalOp *plan, DataflowMode mode, Err *e);
void dataflow_free(Dataflow *df);

void dataflow_set_output(Dataflow *df, DataflowOutputFn fn, void *arg);

/* Scan inputs, in the order of a depth-first walk of the plan (one per LOP_SCAN). */
int dataflow_ninputs(const Dataflow *df);
CatObject *dataflow_input(const Dataflow *df, int i);
/* The LOP_SCAN operator of input i (its object, and the time range a batch scan may prune by). */
const LogicalOp *dataflow_input_op(const Dataflow *df, int i);

/* Pushes a change chunk (columns = the scanned object's columns) into scan input i. */
int dataflow_push(Dataflow *df, int input, const Chunk *c, Err *e);
/* The watermark of scan input i's column `col` advanced to `ts` (microseconds). */
int dataflow_watermark(Dataflow *df, int input, int col, int64_t ts, Err *e);
/* Scan input i received nothing for its idle timeout (idle = true), or is active again:
 * operators with several inputs (UNION ALL, interval joins) take their watermark minimum over
 * the active inputs only (over all inputs when every one is idle). A chunk or a watermark
 * pushed into an idle input makes it active again by itself. */
int dataflow_input_idle(Dataflow *df, int input, bool idle, Err *e);
bool dataflow_input_is_idle(const Dataflow *df, int input);
/* Ends the epoch on every input: stateful operators emit their pending changes. */
int dataflow_barrier(Dataflow *df, uint64_t epoch, Err *e);

/* Counters for SHOW and metrics. */
uint64_t dataflow_late_rows(const Dataflow *df);  /* rows dropped behind the watermark */
uint64_t dataflow_row_errors(const Dataflow *df); /* rows whose expressions failed (NULLed) */
size_t dataflow_state_bytes(const Dataflow *df);  /* bytes of operator state */

/* ---- Checkpoints.
 *
 * A streaming dataflow's state (every operator's, plus its counters and input idleness) is saved
 * as key/value entries through a StateWriter, and loaded back into a freshly built dataflow of
 * the same plan. Keys are the dataflow's own: the caller stores them under a prefix of its own
 * (the view) in an ordered store and hands them back in byte order at restore. Checkpoints are
 * taken between epochs (after a barrier, never in the middle of one).
 *
 * Incremental: after a full checkpoint (or a restore) the store holds exactly what the dataflow
 * wrote, and each later checkpoint writes only what changed since the previous one: puts of new
 * or changed entries, deletes of entries that no longer exist. */
typedef struct StateWriter StateWriter;
struct StateWriter {
	int (*put)(StateWriter *w, const void *key, size_t klen, const void *val, size_t vlen,
		   Err *e);
	int (*del)(StateWriter *w, const void *key, size_t klen, Err *e);
};

/* Whether every operator of df can be checkpointed; when not, *why names the first kind that
 * cannot ("HashJoin", ...). */
bool dataflow_can_checkpoint(const Dataflow *df, const char **why);
/* Writes the state changed since the last checkpoint or restore; with `full`, all of it (the
 * store holds nothing of this dataflow). Resets the operators' change tracking. */
int dataflow_checkpoint(Dataflow *df, StateWriter *w, bool full, Err *e);
/* Loads one entry written by dataflow_checkpoint, in key order, before any message was pushed.
 * Errors: XX001 for an entry that does not decode (a damaged or foreign checkpoint). */
int dataflow_restore(Dataflow *df, const void *key, size_t klen, const void *val, size_t vlen,
		     Err *e);
/* Ends a restore: operators rebuild what they derive from the loaded entries. */
int dataflow_restore_done(Dataflow *df, Err *e);

/* ---- Parallel instances (stream/parallel.h builds them).
 *
 * dataflow_build_split builds the dataflow of one parallel instance: `split` (operator.h) may
 * put an exchange in place of any input of an operator and wrap any operator; everything else is
 * dataflow_build's. */
typedef struct DataflowSplit DataflowSplit;
Dataflow *dataflow_build_split(const LogicalOp *plan, DataflowMode mode,
			       const DataflowSplit *split, Err *e);

/* Prints the operator graph (EXPLAIN of a view), one operator a line with its state kind. */
void dataflow_explain(const Dataflow *df, StrBuf *out);

#endif
