/* mem.c: allocator wrapper and arenas (see mem.h). Layer: base. */
#include "base/mem.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic size_t in_use;

/* Every allocation carries its size in a 16-byte header so mem_in_use can be exact. */
#define HDR 16

static void *oom(size_t n)
{
	fprintf(stderr, "eddy: out of memory allocating %zu bytes\n", n);
	abort();
}

void *mem_alloc(size_t n)
{
	unsigned char *p = malloc(n + HDR);
	if (!p)
		return oom(n);
	*(size_t *)p = n;
	in_use += n;
	return p + HDR;
}

void *mem_calloc(size_t count, size_t n)
{
	size_t total = count * n;
	if (n && total / n != count)
		return oom(SIZE_MAX);
	void *p = mem_alloc(total);
	memset(p, 0, total);
	return p;
}

void *mem_realloc(void *p, size_t n)
{
	if (!p)
		return mem_alloc(n);
	unsigned char *h = (unsigned char *)p - HDR;
	size_t old = *(size_t *)h;
	unsigned char *q = realloc(h, n + HDR);
	if (!q)
		return oom(n);
	*(size_t *)q = n;
	in_use += n;
	in_use -= old;
	return q + HDR;
}

void mem_free(void *p)
{
	if (!p)
		return;
	unsigned char *h = (unsigned char *)p - HDR;
	in_use -= *(size_t *)h;
	free(h);
}

char *mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

char *mem_strndup(const char *s, size_t n)
{
	char *d = mem_alloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

size_t mem_in_use(void)
{
	return in_use;
}

struct ArenaCleanup {
	ArenaCleanup *next;
	void (*fn)(void *arg);
	void *arg;
};

/* Runs and forgets a's release callbacks (their records live in a's blocks). */
static void run_cleanups(Arena *a)
{
	while (a->cleanups) {
		ArenaCleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg);
	}
}

void arena_on_release(Arena *a, void (*fn)(void *arg), void *arg)
{
	ArenaCleanup *c = arena_alloc(a, sizeof *c);
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
}

struct ArenaBlock {
	ArenaBlock *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(Arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->used_total = 0;
	a->cleanups = NULL;
}

void arena_deinit(Arena *a)
{
	run_cleanups(a);
	ArenaBlock *b = a->head;
	while (b) {
		ArenaBlock *next = b->next;
		mem_free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

Arena *arena_new(size_t block_size)
{
	Arena *a = mem_alloc(sizeof *a);
	arena_init(a, block_size);
	return a;
}

void arena_free(Arena *a)
{
	if (!a)
		return;
	arena_deinit(a);
	mem_free(a);
}

void arena_reset(Arena *a)
{
	run_cleanups(a);
	/* Keep the newest block of ordinary size; free the rest. */
	ArenaBlock *keep = NULL, *b = a->head;
	while (b) {
		ArenaBlock *next = b->next;
		if (!keep && b->size == a->block_size) {
			keep = b;
		} else {
			mem_free(b);
		}
		b = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used_total = 0;
}

void *arena_alloc(Arena *a, size_t n)
{
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	ArenaBlock *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > a->block_size / 4 ? n : a->block_size;
		ArenaBlock *nb = mem_alloc(sizeof *nb + size);
		nb->size = size;
		nb->used = 0;
		if (size != a->block_size && b) {
			/* Oversized block: put it behind the current one so the current keeps filling. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->used_total += n;
	return p;
}

void *arena_calloc(Arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *arena_strdup(Arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_adopt(Arena *dst, Arena *src)
{
	/* The callbacks' records live in src's blocks, which dst now owns. */
	if (src->cleanups) {
		ArenaCleanup *last = src->cleanups;
		while (last->next)
			last = last->next;
		last->next = dst->cleanups;
		dst->cleanups = src->cleanups;
		src->cleanups = NULL;
	}
	ArenaBlock *b = src->head;
	if (!b)
		return;
	ArenaBlock *last = b;
	while (last->next)
		last = last->next;
	if (dst->head) {
		/* Keep dst's current block in front so it keeps filling. */
		last->next = dst->head->next;
		dst->head->next = b;
	} else {
		dst->head = b;
	}
	dst->used_total += src->used_total;
	src->head = NULL;
	src->used_total = 0;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
	/* Print into a stack buffer first; only long results are printed twice. */
	char tmp[256];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	char *d = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof tmp)
		memcpy(d, tmp, (size_t)n + 1);
	else
		vsnprintf(d, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return d;
}
