/* oracle_lines.h: result rows as text lines, shared by the oracle tests that compare eddy with
 * SQLite (sqlite_oracle.c, nexmark_oracle.c).
 *
 * A result is a list of lines, one per row, values joined by '|' (NULL as "NULL"); sorted, two
 * results compare line by line, exactly or with a relative tolerance on numbers. Header-only:
 * each tool is its own program.
 */
#ifndef EDDY_TESTS_ORACLE_LINES_H
#define EDDY_TESTS_ORACLE_LINES_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct Lines {
	char **v;
	int n, cap;
	int ncols;
} Lines;

static inline void lines_push(Lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		abort();
	l->n++;
}

/* Empties the list, keeping its array for reuse. */
static inline void lines_clear(Lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static inline void lines_free(Lines *l)
{
	lines_clear(l);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void lines_sort(Lines *l)
{
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof *l->v, cmp_str);
}

/* Lines equal exactly, or (tol > 0) field by field with numbers within a relative tolerance. */
static inline int fields_equal(const char *a, const char *b, double tol)
{
	if (strcmp(a, b) == 0)
		return 1;
	if (tol <= 0)
		return 0;
	while (*a || *b) {
		size_t na = strcspn(a, "|"), nb = strcspn(b, "|");
		if (na != nb || strncmp(a, b, na) != 0) {
			char *ea, *eb;
			double x = strtod(a, &ea), y = strtod(b, &eb);
			if (ea != a + na || eb != b + nb)
				return 0;
			if (fabs(x - y) > tol * fmax(1.0, fmax(fabs(x), fabs(y))))
				return 0;
		}
		a += na;
		b += nb;
		if (*a != *b)
			return 0;
		if (*a) {
			a++;
			b++;
		}
	}
	return 1;
}

#endif
