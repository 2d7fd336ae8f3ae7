/* ckpt_track.c: change tracking for incremental checkpoints of hash-map state (ckpt_track.h).
 *
 * Layer: stream. Keeps a circular list of the changed entries of one map and the keys of the
 * removed ones; owns only those lists and its scratch buffers.
 */
#include "stream/ckpt_track.h"

#include "base/bin.h"

#include <string.h>

void ckt_init(CkTrack *t)
{
	memset(t, 0, sizeof *t);
	t->head.next = t->head.prev = &t->head;
	sb_init(&t->gone);
	sb_init(&t->hdr);
	sb_init(&t->key);
	sb_init(&t->val);
}

void ckt_deinit(CkTrack *t)
{
	sb_deinit(&t->gone);
	sb_deinit(&t->hdr);
	sb_deinit(&t->key);
	sb_deinit(&t->val);
}

void ckt_forget(CkTrack *t, CkLink *l, const void *key, size_t klen)
{
	if (l->changed) {
		l->prev->next = l->next;
		l->next->prev = l->prev;
		l->changed = 0;
	}
	if (l->stored)
		bin_put_bytes(&t->gone, key, klen);
}

static void entry_key(CkTrack *t, uint8_t tag, const void *key, size_t klen)
{
	sb_reset(&t->key);
	bin_put_u8(&t->key, tag);
	sb_append(&t->key, key, klen);
}

static int put_entry(CkTrack *t, const HMap *m, uint8_t tag, CktEncodeFn enc, const void *owner,
		     CkLink *l, StateWriter *w, Err *e)
{
	size_t klen;
	const void *key = hmap_key(m, l, &klen);
	entry_key(t, tag, key, klen);
	sb_reset(&t->val);
	enc(owner, l, &t->val);
	l->changed = 0;
	l->stored = 1;
	return w->put(w, t->key.data, t->key.len, t->val.data, t->val.len, e);
}

int ckt_write(CkTrack *t, const HMap *m, uint8_t tag, CktEncodeFn enc, const void *owner,
	      StateWriter *w, bool full, Err *e)
{
	int rc = 0;
	if (full) {
		void *v;
		for (size_t it = 0; rc == 0 && (v = hmap_next(m, &it));)
			rc = put_entry(t, m, tag, enc, owner, v, w, e);
	} else {
		/* Deletes first: an entry removed and then created again is a put after its del. */
		BinReader r;
		bin_reader(&r, t->gone.data, t->gone.len);
		while (rc == 0 && r.p < r.end) {
			size_t klen;
			const void *key = bin_get_bytes(&r, &klen);
			entry_key(t, tag, key, klen);
			rc = w->del(w, t->key.data, t->key.len, e);
		}
		for (CkLink *l = t->head.next, *next; rc == 0 && l != &t->head; l = next) {
			next = l->next;
			rc = put_entry(t, m, tag, enc, owner, l, w, e);
		}
	}
	if (rc < 0)
		return -1;
	t->head.next = t->head.prev = &t->head;
	sb_reset(&t->gone);
	return 0;
}

int ckt_write_header(CkTrack *t, const StrBuf *hdr, StateWriter *w, bool full, Err *e)
{
	if (!full && hdr->len == t->hdr.len && memcmp(hdr->data, t->hdr.data, hdr->len) == 0)
		return 0;
	sb_reset(&t->hdr);
	sb_append(&t->hdr, hdr->data, hdr->len);
	uint8_t key = 0;
	return w->put(w, &key, 1, hdr->data, hdr->len, e);
}

void ckt_restored_header(CkTrack *t, const void *val, size_t n)
{
	sb_reset(&t->hdr);
	sb_append(&t->hdr, val, n);
}
