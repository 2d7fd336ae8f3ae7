/* batch.c: running a query once over a snapshot (see batch.h).
 *
 * Layer: batch (above stream/). A query is a DF_BATCH dataflow: each scan input is fed the
 * current rows of the object it reads (through the caller's `scan`, once per input, so an
 * object read twice is scanned twice), then one barrier ends the only epoch. Aggregations emit
 * each group once, as an insert, at that barrier; SORT and LIMIT operators inside the dataflow
 * put the rows in order. Owns nothing beyond the call.
 */
#include "batch/batch.h"

typedef struct Feed {
	Dataflow *df;
	int input;
} Feed;

static int feed(void *arg, const Chunk *c, Err *e)
{
	Feed *f = arg;
	return dataflow_push(f->df, f->input, c, e);
}

int batch_run_scans(const LogicalOp *plan, BatchScanOpFn scan, void *scan_arg,
		    DataflowOutputFn out, void *out_arg, Err *e)
{
	Dataflow *df = dataflow_build(plan, DF_BATCH, e);
	if (!df)
		return -1;
	dataflow_set_output(df, out, out_arg);
	int rc = 0;
	for (int i = 0; i < dataflow_ninputs(df) && rc == 0; i++) {
		Feed f = { df, i };
		rc = scan(scan_arg, dataflow_input_op(df, i), feed, &f, e);
	}
	if (rc == 0)
		rc = dataflow_barrier(df, 1, e);
	dataflow_free(df);
	return rc < 0 ? -1 : 0;
}

/* batch_run's object-only callback, seen through batch_run_scans. */
typedef struct ObjScan {
	BatchScanFn fn;
	void *arg;
} ObjScan;

static int obj_scan(void *arg, const LogicalOp *scan,
		    int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg, Err *e)
{
	ObjScan *o = arg;
	return o->fn(o->arg, scan->obj, emit, emit_arg, e);
}

int batch_run(const LogicalOp *plan, BatchScanFn scan, void *scan_arg, DataflowOutputFn out,
	      void *out_arg, Err *e)
{
	ObjScan o = { scan, scan_arg };
	return batch_run_scans(plan, obj_scan, &o, out, out_arg, e);
}
