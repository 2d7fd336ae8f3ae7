/* test_catalog.c: the catalog: create, find, options, columns, drop with dependencies.
 *
 * Layer: tests (catalog). Builds objects by hand, the way the engine does after binding, and
 * checks lookups, id order, the 42P07 and 2BP01 errors and cascading drops in reverse
 * dependency order with the on_drop callback seeing every victim before it is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"

static CatObject *make(Catalog *cat, ObjKind kind, const char *name, int ndeps,
		       CatObject **deps)
{
	Err e;
	err_clear(&e);
	CatObject *o = catalog_create(cat, kind, name, &e);
	assert_non_null(o);
	o->ncols = 2;
	o->cols = arena_calloc(&o->arena, 2 * sizeof *o->cols);
	o->cols[0] = (ColumnDef){.name = arena_strdup(&o->arena, "a"), .type = T_INT4, .typmod = -1};
	o->cols[1] = (ColumnDef){.name = arena_strdup(&o->arena, "ts"), .type = T_TIMESTAMP,
				 .typmod = -1};
	if (ndeps) {
		o->ndeps = ndeps;
		o->deps = arena_alloc(&o->arena, (size_t)ndeps * sizeof *o->deps);
		memcpy(o->deps, deps, (size_t)ndeps * sizeof *deps);
	}
	return o;
}

static void test_create_find(void **state)
{
	(void)state;
	Catalog *cat = catalog_new();
	CatObject *s = make(cat, OBJ_STREAM, "s", 0, NULL);
	CatObject *t = make(cat, OBJ_TABLE, "t", 0, NULL);
	assert_ptr_equal(catalog_find(cat, "s"), s);
	assert_ptr_equal(catalog_find(cat, "t"), t);
	assert_null(catalog_find(cat, "u"));
	assert_true(s->id < t->id);
	assert_true(s->append_only);
	assert_false(t->append_only);
	assert_int_equal(s->wm_col, -1);
	assert_int_equal(catalog_count(cat), 2);
	assert_ptr_equal(catalog_at(cat, 0), s);
	assert_ptr_equal(catalog_at(cat, 1), t);
	assert_null(catalog_at(cat, 2));
	assert_int_equal(catobj_column(s, "ts"), 1);
	assert_int_equal(catobj_column(s, "nope"), -1);

	Err e;
	err_clear(&e);
	assert_null(catalog_create(cat, OBJ_MVIEW, "s", &e));
	assert_string_equal(err_sqlstate(e.code), "42P07");
	assert_string_equal(e.msg, "relation \"s\" already exists");
	catalog_free(cat);
}

static void test_options_and_names(void **state)
{
	(void)state;
	Catalog *cat = catalog_new();
	CatObject *s = make(cat, OBJ_SOURCE, "src", 0, NULL);
	s->nopts = 2;
	s->opts = arena_calloc(&s->arena, 2 * sizeof *s->opts);
	s->opts[0] = (Option){.key = "connector", .value = "datagen"};
	s->opts[1] = (Option){.key = "nexmark.table.type", .value = "Bid"};
	assert_string_equal(catobj_option(s, "connector"), "datagen");
	assert_string_equal(catobj_option(s, "nexmark.table.type"), "Bid");
	assert_null(catobj_option(s, "format"));
	assert_string_equal(objkind_name(OBJ_STREAM), "stream");
	assert_string_equal(objkind_name(OBJ_MVIEW), "materialized view");
	catalog_free(cat);
}

typedef struct Dropped {
	char names[8][16];
	int n;
} Dropped;

static void on_drop(void *arg, CatObject *obj)
{
	Dropped *d = arg;
	strcpy(d->names[d->n++], obj->name);
}

static void test_drop_dependencies(void **state)
{
	(void)state;
	Catalog *cat = catalog_new();
	CatObject *s = make(cat, OBJ_STREAM, "s", 0, NULL);
	CatObject *t = make(cat, OBJ_TABLE, "t", 0, NULL);
	CatObject *v1 = make(cat, OBJ_MVIEW, "v1", 1, &s);
	CatObject *v2 = make(cat, OBJ_MVIEW, "v2", 1, &v1);
	(void)v2;
	Err e;
	err_clear(&e);
	Dropped d = {.n = 0};

	/* Blocked without CASCADE, naming a dependent. */
	assert_int_equal(catalog_drop(cat, s, false, on_drop, &d, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "2BP01");
	assert_string_equal(e.msg, "cannot drop stream s because other objects depend on it");
	assert_non_null(strstr(e.hint, "materialized view v1 depends on stream s"));
	assert_non_null(strstr(e.hint, "CASCADE"));
	assert_int_equal(d.n, 0);
	assert_int_equal(catalog_count(cat), 4);

	/* A view nobody reads drops alone. */
	err_clear(&e);
	CatObject *v3 = make(cat, OBJ_MVIEW, "v3", 1, &t);
	assert_int_equal(catalog_drop(cat, v3, false, on_drop, &d, &e), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.names[0], "v3");
	assert_null(catalog_find(cat, "v3"));

	/* CASCADE drops readers first, transitively. */
	d.n = 0;
	assert_int_equal(catalog_drop(cat, s, true, on_drop, &d, &e), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.names[0], "v2");
	assert_string_equal(d.names[1], "v1");
	assert_string_equal(d.names[2], "s");
	assert_int_equal(catalog_count(cat), 1);
	assert_ptr_equal(catalog_at(cat, 0), t);

	/* Ids keep increasing after drops. */
	CatObject *s2 = make(cat, OBJ_STREAM, "s", 0, NULL);
	assert_true(s2->id > t->id);
	assert_true(s2->id > 5);
	catalog_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_find),
		cmocka_unit_test(test_options_and_names),
		cmocka_unit_test(test_drop_dependencies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
