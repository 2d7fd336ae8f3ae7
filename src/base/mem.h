/* mem.h: the allocator wrapper and the arena.
 *
 * Layer: base. All heap memory in eddy goes through mem_alloc/mem_realloc/mem_free so that an
 * embedding program can count it; allocation failure aborts with a message (a database that
 * cannot allocate a few bytes cannot keep its promises, and every caller checking NULL would hide
 * real errors in noise). Arenas hold memory whose lifetime is one statement or one chunk: they are
 * reset, not freed, after each step, and nothing allocated from one is freed on its own.
 */
#ifndef EDDY_BASE_MEM_H
#define EDDY_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t n);              /* uninitialised; never NULL */
void *mem_calloc(size_t count, size_t n); /* zeroed; never NULL */
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Bytes currently allocated through mem_* (approximate: counts requested sizes). */
size_t mem_in_use(void);

#define ARENA_ALIGN 16

typedef struct ArenaBlock ArenaBlock;
typedef struct ArenaCleanup ArenaCleanup;

typedef struct Arena {
	ArenaBlock *head;   /* current block (newest first) */
	size_t block_size;  /* size of ordinary blocks */
	size_t used_total;  /* bytes handed out since the last reset */
	ArenaCleanup *cleanups; /* arena_on_release callbacks, newest first */
} Arena;

void arena_init(Arena *a, size_t block_size); /* block_size 0 picks a default (64 KiB) */
void arena_deinit(Arena *a);
Arena *arena_new(size_t block_size);
void arena_free(Arena *a);

/* Releases everything allocated, keeping one block for reuse. */
void arena_reset(Arena *a);

void *arena_alloc(Arena *a, size_t n);   /* ARENA_ALIGN aligned, uninitialised */
void *arena_calloc(Arena *a, size_t n);  /* zeroed */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
/* Moves every block of src into dst (src is left empty): what was allocated from src now lives
 * as long as dst. */
void arena_adopt(Arena *dst, Arena *src);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Calls fn(arg) when a is next reset or deinitialised (newest registration first): for things
 * the arena's contents own outside it, such as a compiled regular expression held by an
 * expression tree. Moves with the blocks in arena_adopt. */
void arena_on_release(Arena *a, void (*fn)(void *arg), void *arg);

#endif
