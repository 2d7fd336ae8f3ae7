/* batch.h: running a query once over the current contents of what it reads.
 *
 * Layer: batch (depends on stream/, plan/). A batch query is a DF_BATCH dataflow fed with a
 * snapshot of every object it scans (the engine supplies those rows through `scan`), ended with
 * one barrier; sorting and limits happen inside it. The result rows arrive in order. Scans of
 * per-row subqueries (LopSubquery) never reach `scan`: batch.c computes their rows.
 */
#ifndef EDDY_BATCH_BATCH_H
#define EDDY_BATCH_BATCH_H

#include "plan/logical.h"
#include "stream/dataflow.h"

/* Supplies the current rows of `obj` by calling emit with insert chunks. */
typedef int (*BatchScanFn)(void *arg, CatObject *obj,
			   int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg,
			   Err *e);

/* Runs `plan` and hands its result rows, in order, to `out` (inserts only). */
int batch_run(const LogicalOp *plan, BatchScanFn scan, void *scan_arg, DataflowOutputFn out,
	      void *out_arg, Err *e);

/* Supplies the rows of the LOP_SCAN `scan`: those of scan->obj, or (scan->scan_by_time) at least
 * those whose event time is in the scan's range; the filter above the scan drops the rest. */
typedef int (*BatchScanOpFn)(void *arg, const LogicalOp *scan,
			     int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg,
			     Err *e);

/* batch_run with a scan callback that sees the whole scan operator. */
int batch_run_scans(const LogicalOp *plan, BatchScanOpFn scan, void *scan_arg,
		    DataflowOutputFn out, void *out_arg, Err *e);

/* Result rows copied out of a run (the chunks a dataflow hands its output are transient):
 * pass batch_rows_add as the output callback and a zeroed BatchRows as its argument. */
typedef struct BatchRows {
	Chunk **chunks;
	int n, cap;
} BatchRows;
int batch_rows_add(void *rows, const Chunk *c, Err *e);
void batch_rows_free(BatchRows *rows);

/* batch_run_scans that stops with 57014 "canceling statement due to user request" soon after
 * *cancel (read between chunks and subquery rows; NULL: never) becomes non-zero. */
int batch_run_cancel(const LogicalOp *plan, BatchScanOpFn scan, void *scan_arg,
		     DataflowOutputFn out, void *out_arg, const volatile int *cancel, Err *e);

#endif
