/* ckpt_track.h: which entries of an operator's hash map changed since its last checkpoint.
 *
 * Layer: stream (private to stream/). Incremental checkpoints (dataflow.h) write only the
 * entries new or changed since the previous checkpoint and delete the ones that are gone. An
 * operator keeping its state in an HMap starts each value with a CkLink (its first member, so
 * the value and the link share an address) and tells the tracker when an entry changes
 * (ckt_touch: a flag test and a list link, no allocation) and before it removes one
 * (ckt_forget: the key is remembered only when the store holds the entry). ckt_write then
 * writes the deletes and the changed entries under key `tag` + the map key, and forgets the
 * changes. The operator's small header (watermarks, flags) goes through ckt_write_header,
 * which writes it under the one-byte key 0x00 only when its bytes differ from the last ones.
 * Never reads or writes a store itself: it only calls the StateWriter it is given.
 */
#ifndef EDDY_STREAM_CKPT_TRACK_H
#define EDDY_STREAM_CKPT_TRACK_H

#include "base/hmap.h"
#include "base/strbuf.h"
#include "stream/dataflow.h"

#include <stdbool.h>
#include <stdint.h>

/* The first member of a tracked HMap value (zeroed when new, as HMap values are). */
typedef struct CkLink {
	struct CkLink *prev, *next; /* in the changed list while `changed` */
	uint8_t changed;            /* changed since the last checkpoint */
	uint8_t stored;             /* the store holds an entry for it */
} CkLink;

typedef struct CkTrack {
	CkLink head;     /* sentinel of the circular changed list */
	StrBuf gone;     /* keys of stored entries removed since: u32 length + bytes each */
	StrBuf hdr;      /* the header as last written or restored */
	StrBuf key, val; /* scratch */
} CkTrack;

/* Appends the checkpoint value of one map value (its CkLink included) to out. */
typedef void (*CktEncodeFn)(const void *owner, const void *value, StrBuf *out);

void ckt_init(CkTrack *t);
void ckt_deinit(CkTrack *t);

/* Entry l changed (or is new). */
static inline void ckt_touch(CkTrack *t, CkLink *l)
{
	if (l->changed)
		return;
	l->changed = 1;
	l->next = t->head.next;
	l->prev = &t->head;
	t->head.next->prev = l;
	t->head.next = l;
}

/* Entry l, whose map key is key, is about to be removed from its map. */
void ckt_forget(CkTrack *t, CkLink *l, const void *key, size_t klen);

/* Writes the entries of m changed since the last checkpoint (all of them when `full`) under
 * `tag` + their map key, after the deletes of the removed ones. */
int ckt_write(CkTrack *t, const HMap *m, uint8_t tag, CktEncodeFn enc, const void *owner,
	      StateWriter *w, bool full, Err *e);

/* Writes hdr under key 0x00 when `full` or when it differs from the last header written. */
int ckt_write_header(CkTrack *t, const StrBuf *hdr, StateWriter *w, bool full, Err *e);

/* Restore: the header's bytes came from the store; an entry came from the store. */
void ckt_restored_header(CkTrack *t, const void *val, size_t n);

static inline void ckt_restored(CkLink *l)
{
	l->stored = 1;
}

#endif
