/* hmap.h: a hash map from byte-string keys to fixed-size values with stable addresses.
 *
 * Layer: base. The state of hash aggregation, primary-key tables and materialized views. Each
 * entry is one heap block holding the value (value_size bytes, 16-byte aligned, zeroed when new)
 * followed by a copy of the key; the table is open addressing over entry pointers with the hash
 * kept beside them, so lookups touch the entry only on a probable match. An entry's address never
 * changes while it lives, so callers may keep pointers to values across inserts.
 */
#ifndef EDDY_BASE_HMAP_H
#define EDDY_BASE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct HMapEntry HMapEntry;

typedef struct HMap {
	HMapEntry **slots;
	uint64_t *hashes;
	size_t cap;        /* power of two */
	size_t count;
	size_t value_size;
	size_t bytes;      /* heap bytes of entries (keys and values) */
} HMap;

void hmap_init(HMap *m, size_t value_size);
void hmap_deinit(HMap *m);

/* The value stored under key, or NULL. */
void *hmap_find(const HMap *m, const void *key, size_t klen, uint64_t hash);
/* The value stored under key, inserting a zeroed one if absent (*found says which). */
void *hmap_upsert(HMap *m, const void *key, size_t klen, uint64_t hash, bool *found);
/* Removes key; returns false if it was absent. */
bool hmap_remove(HMap *m, const void *key, size_t klen, uint64_t hash);
/* Removes the entry whose value is `value` (a pointer returned by find/upsert). */
void hmap_remove_value(HMap *m, void *value);

/* The key of the entry whose value is `value`. */
const void *hmap_key(const HMap *m, const void *value, size_t *klen);

/* Iteration: `for (size_t it = 0; (v = hmap_next(m, &it));)`. The map must not change during
 * an iteration: collect what to remove, then remove it. */
void *hmap_next(const HMap *m, size_t *it);

static inline size_t hmap_count(const HMap *m)
{
	return m->count;
}

#endif
