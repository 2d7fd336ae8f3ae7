/* hmap.c: open-addressing hash map over stable entries (see hmap.h). Layer: base.
 *
 * Deletion uses backward-shift (no tombstones), so probe sequences stay short under the churn of
 * streaming state where groups come and go. */
#include "base/hmap.h"

#include "base/mem.h"

#include <string.h>

struct HMapEntry {
	uint64_t hash;
	uint32_t klen;
	uint32_t pad_;
	_Alignas(16) unsigned char value[]; /* value_size bytes (rounded to 16), then the key */
};

static size_t vsize(const HMap *m)
{
	return (m->value_size + 15) & ~(size_t)15;
}

void hmap_init(HMap *m, size_t value_size)
{
	m->cap = 0;
	m->count = 0;
	m->slots = NULL;
	m->hashes = NULL;
	m->value_size = value_size;
	m->bytes = 0;
}

void hmap_deinit(HMap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		mem_free(m->slots[i]);
	mem_free(m->slots);
	mem_free(m->hashes);
	hmap_init(m, m->value_size);
}

static HMapEntry *entry_of(const void *value)
{
	return (HMapEntry *)((unsigned char *)value - offsetof(HMapEntry, value));
}

static const unsigned char *key_of(const HMap *m, const HMapEntry *e)
{
	return e->value + vsize(m);
}

const void *hmap_key(const HMap *m, const void *value, size_t *klen)
{
	HMapEntry *e = entry_of(value);
	*klen = e->klen;
	return key_of(m, e);
}

static void grow(HMap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	HMapEntry **slots = mem_calloc(ncap, sizeof *slots);
	uint64_t *hashes = mem_calloc(ncap, sizeof *hashes);
	for (size_t i = 0; i < m->cap; i++) {
		HMapEntry *e = m->slots[i];
		if (!e)
			continue;
		size_t j = e->hash & (ncap - 1);
		while (slots[j])
			j = (j + 1) & (ncap - 1);
		slots[j] = e;
		hashes[j] = e->hash;
	}
	mem_free(m->slots);
	mem_free(m->hashes);
	m->slots = slots;
	m->hashes = hashes;
	m->cap = ncap;
}

static size_t probe(const HMap *m, const void *key, size_t klen, uint64_t hash, bool *hit)
{
	size_t mask = m->cap - 1, i = hash & mask;
	for (;;) {
		HMapEntry *e = m->slots[i];
		if (!e) {
			*hit = false;
			return i;
		}
		if (m->hashes[i] == hash && e->klen == klen && memcmp(key_of(m, e), key, klen) == 0) {
			*hit = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

void *hmap_find(const HMap *m, const void *key, size_t klen, uint64_t hash)
{
	if (!m->count)
		return NULL;
	bool hit;
	size_t i = probe(m, key, klen, hash, &hit);
	return hit ? m->slots[i]->value : NULL;
}

void *hmap_upsert(HMap *m, const void *key, size_t klen, uint64_t hash, bool *found)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		grow(m);
	bool hit;
	size_t i = probe(m, key, klen, hash, &hit);
	if (found)
		*found = hit;
	if (hit)
		return m->slots[i]->value;
	size_t size = sizeof(HMapEntry) + vsize(m) + klen;
	HMapEntry *e = mem_alloc(size);
	e->hash = hash;
	e->klen = (uint32_t)klen;
	memset(e->value, 0, vsize(m));
	memcpy(e->value + vsize(m), key, klen);
	m->slots[i] = e;
	m->hashes[i] = hash;
	m->count++;
	m->bytes += size;
	return e->value;
}

static void remove_at(HMap *m, size_t i)
{
	HMapEntry *e = m->slots[i];
	m->bytes -= sizeof(HMapEntry) + vsize(m) + e->klen;
	mem_free(e);
	m->count--;
	size_t mask = m->cap - 1, j = i;
	/* Backward shift: pull later members of the cluster into the hole when allowed. */
	for (;;) {
		m->slots[i] = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (!m->slots[j])
				return;
			size_t home = m->hashes[j] & mask;
			/* Can the entry at j move to i? Only if its home is not cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		m->slots[i] = m->slots[j];
		m->hashes[i] = m->hashes[j];
		i = j;
	}
}

bool hmap_remove(HMap *m, const void *key, size_t klen, uint64_t hash)
{
	if (!m->count)
		return false;
	bool hit;
	size_t i = probe(m, key, klen, hash, &hit);
	if (hit)
		remove_at(m, i);
	return hit;
}

void hmap_remove_value(HMap *m, void *value)
{
	HMapEntry *e = entry_of(value);
	hmap_remove(m, key_of(m, e), e->klen, e->hash);
}

void *hmap_next(const HMap *m, size_t *it)
{
	while (*it < m->cap) {
		size_t i = (*it)++;
		if (m->slots[i])
			return m->slots[i]->value;
	}
	return NULL;
}
