/* exchange.h: the exchange between parallel dataflow instances (private to stream/parallel.c).
 *
 * Layer: stream. An Exchange is one cut of the plan, shared by the T instances: T x T bounded
 * single-producer/single-consumer queues of messages (a chunk of rows, a watermark, a barrier,
 * an idle mark), queue (i, j) written only by instance i's sender and read only by instance j's
 * receiver. The sender is the top of a fragment below the cut (it has no parent); the receiver
 * is a leaf of the fragment above, fed only by xchg_receiver_drain. Chunks in a queue are owned
 * by the queue's slots and reused, so a sender copies rows (strings too) into them.
 */
#ifndef EDDY_STREAM_EXCHANGE_H
#define EDDY_STREAM_EXCHANGE_H

#include "stream/operator.h"

typedef struct Exchange Exchange;

/* A sender whose queue is full calls this to let its instance make progress elsewhere (drain
 * receivers of fragments not on its call stack); returns -1 with e set when the run failed. */
typedef int (*XWaitFn)(void *ctx, Err *e);

/* A cut of `threads` instances over rows of `in`'s columns, keyed by the columns kcols[0..n)
 * or, when kexprs is set, by those expressions over the row; n = 0 sends every row to
 * instance 0. */
Exchange *xchg_new(int threads, const LogicalOp *in, int n, const int *kcols,
		   Expr *const *kexprs);
void xchg_free(Exchange *x);

Operator *xchg_sender_new(Exchange *x, int inst, XWaitFn wait, void *ctx);
Operator *xchg_receiver_new(Exchange *x, int inst);
/* The receiver processes nothing while *busy (its fragment is on the instance's call stack),
 * and sets it while it pushes upward. */
void xchg_receiver_set_busy(Operator *recv, int *busy);
/* Takes the messages published in the receiver's queues (always: a full queue must never wait
 * on its consumer) and, when `process` and its fragment is not busy, processes what it holds;
 * returns how many messages it took or processed, or -1. */
int xchg_receiver_drain(Operator *recv, bool process, Err *e);
/* The last barrier epoch the receiver forwarded (0 none). */
uint64_t xchg_receiver_epoch(const Operator *recv);

/* Drops chunks, forwards everything else: the copies of a global aggregation on instances
 * other than 0, which would each emit the aggregate's one row. */
Operator *gate_op_new(void);

#endif
