/* catalog.c: the named objects of a database, kept in creation order.
 *
 * Layer: catalog (above expr/, below plan/). Owns the CatObject structs and their arenas; knows
 * nothing of running anything (the engine's runtime state hangs off `rt` and must be released
 * through the on_drop callback before an object is freed). Lookup is a linear scan by name: a
 * database holds tens of objects, not millions, and creation order is what SHOW and cascading
 * drops need anyway. Never parses or binds SQL.
 */
#include "catalog/catalog.h"

#include <string.h>
#include <strings.h>

struct Catalog {
	CatObject **objs; /* creation order: a view always comes after what it reads */
	int nobjs, cap;
	uint64_t next_id;
	CatUser **users;  /* CREATE USER, in creation order */
	int nusers, capusers;
};

static const char *const kind_names[] = {
#define OBJKIND_NAME(k, name, plural) name,
	OBJKIND_LIST(OBJKIND_NAME)
#undef OBJKIND_NAME
};

const char *objkind_name(ObjKind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "object";
}

Catalog *catalog_new(void)
{
	Catalog *cat = mem_calloc(1, sizeof *cat);
	cat->next_id = 1;
	return cat;
}

static void object_free(CatObject *obj)
{
	arena_deinit(&obj->arena);
	mem_free(obj);
}

static void user_free(CatUser *u)
{
	mem_free(u->name);
	mem_free(u->verifier);
	mem_free(u);
}

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	return memcpy(mem_alloc(n), s, n);
}

CatUser *catalog_find_user(const Catalog *cat, const char *name)
{
	for (int i = 0; i < cat->nusers; i++)
		if (strcmp(cat->users[i]->name, name) == 0)
			return cat->users[i];
	return NULL;
}

CatUser *catalog_create_user(Catalog *cat, const char *name, const char *verifier, Err *e)
{
	if (catalog_find_user(cat, name))
		return err_set(e, ERR_DUPLICATE_OBJECT, "role \"%s\" already exists", name), NULL;
	if (cat->nusers == cat->capusers) {
		cat->capusers = cat->capusers ? cat->capusers * 2 : 8;
		cat->users = mem_realloc(cat->users, (size_t)cat->capusers * sizeof *cat->users);
	}
	CatUser *u = mem_calloc(1, sizeof *u);
	u->id = cat->next_id++;
	u->name = dup_or_null(name);
	u->verifier = dup_or_null(verifier);
	cat->users[cat->nusers++] = u;
	return u;
}

void catalog_set_user_verifier(CatUser *u, const char *verifier)
{
	mem_free(u->verifier);
	u->verifier = dup_or_null(verifier);
}

int catalog_drop_user(Catalog *cat, const char *name)
{
	for (int i = 0; i < cat->nusers; i++) {
		if (strcmp(cat->users[i]->name, name) != 0)
			continue;
		user_free(cat->users[i]);
		memmove(cat->users + i, cat->users + i + 1,
			(size_t)(cat->nusers - i - 1) * sizeof *cat->users);
		cat->nusers--;
		return 0;
	}
	return -1;
}

int catalog_user_count(const Catalog *cat) { return cat->nusers; }
CatUser *catalog_user_at(const Catalog *cat, int i) { return cat->users[i]; }

void catalog_free(Catalog *cat)
{
	if (!cat)
		return;
	/* Views first, so nothing is freed while something still points at it. */
	for (int i = cat->nobjs - 1; i >= 0; i--)
		object_free(cat->objs[i]);
	mem_free(cat->objs);
	for (int i = 0; i < cat->nusers; i++)
		user_free(cat->users[i]);
	mem_free(cat->users);
	mem_free(cat);
}

CatObject *catalog_find(const Catalog *cat, const char *name)
{
	for (int i = 0; i < cat->nobjs; i++)
		if (strcmp(cat->objs[i]->name, name) == 0)
			return cat->objs[i];
	return NULL;
}

CatObject *catalog_create(Catalog *cat, ObjKind kind, const char *name, Err *e)
{
	if (catalog_find(cat, name)) {
		/* PostgreSQL says "relation" whatever the existing object is. */
		err_set(e, ERR_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
		return NULL;
	}
	CatObject *obj = mem_calloc(1, sizeof *obj);
	arena_init(&obj->arena, 4096);
	obj->id = cat->next_id++;
	obj->kind = kind;
	obj->name = arena_strdup(&obj->arena, name);
	obj->wm_col = -1;
	obj->append_only = kind == OBJ_STREAM || kind == OBJ_SOURCE;
	if (cat->nobjs == cat->cap) {
		cat->cap = cat->cap ? cat->cap * 2 : 16;
		cat->objs = mem_realloc(cat->objs, (size_t)cat->cap * sizeof *cat->objs);
	}
	cat->objs[cat->nobjs++] = obj;
	return obj;
}

static int index_of(const Catalog *cat, const CatObject *obj)
{
	for (int i = 0; i < cat->nobjs; i++)
		if (cat->objs[i] == obj)
			return i;
	return -1;
}

static bool depends_on(const CatObject *obj, const CatObject *dep)
{
	for (int i = 0; i < obj->ndeps; i++)
		if (obj->deps[i] == dep)
			return true;
	return false;
}

int catalog_drop(Catalog *cat, CatObject *obj, bool cascade,
		 void (*on_drop)(void *arg, CatObject *obj), void *arg, Err *e)
{
	int at = index_of(cat, obj);
	if (at < 0)
		return err_set(e, ERR_INTERNAL, "object \"%s\" is not in the catalog", obj->name);

	/* Mark obj and everything that reads it, directly or through other views. Dependents always
	 * come later in creation order, so one forward pass finds them all. */
	bool *doomed = mem_calloc((size_t)cat->nobjs, sizeof *doomed);
	doomed[at] = true;
	int first_dependent = -1;
	for (int i = at + 1; i < cat->nobjs; i++) {
		for (int j = at; j < i && !doomed[i]; j++)
			if (doomed[j] && depends_on(cat->objs[i], cat->objs[j]))
				doomed[i] = true;
		if (doomed[i] && first_dependent < 0)
			first_dependent = i;
	}
	if (first_dependent >= 0 && !cascade) {
		CatObject *d = cat->objs[first_dependent];
		mem_free(doomed);
		err_set(e, ERR_DEPENDENT_OBJECTS,
			"cannot drop %s %s because other objects depend on it", objkind_name(obj->kind),
			obj->name);
		err_hint(e,
			 "%s %s depends on %s %s. Use DROP ... CASCADE to drop the dependent objects "
			 "too.",
			 objkind_name(d->kind), d->name, objkind_name(obj->kind), obj->name);
		return -1;
	}

	/* Drop in reverse creation order: readers before what they read. */
	for (int i = cat->nobjs - 1; i >= at; i--) {
		if (!doomed[i])
			continue;
		CatObject *victim = cat->objs[i];
		if (on_drop)
			on_drop(arg, victim);
		memmove(&cat->objs[i], &cat->objs[i + 1],
			(size_t)(cat->nobjs - i - 1) * sizeof *cat->objs);
		memmove(&doomed[i], &doomed[i + 1], (size_t)(cat->nobjs - i - 1) * sizeof *doomed);
		cat->nobjs--;
		object_free(victim);
	}
	mem_free(doomed);
	return 0;
}

int catalog_count(const Catalog *cat)
{
	return cat->nobjs;
}

CatObject *catalog_at(const Catalog *cat, int i)
{
	return i >= 0 && i < cat->nobjs ? cat->objs[i] : NULL;
}

const char *catobj_option(const CatObject *obj, const char *key)
{
	for (int i = 0; i < obj->nopts; i++)
		if (strcasecmp(obj->opts[i].key, key) == 0)
			return obj->opts[i].value;
	return NULL;
}

int catobj_column(const CatObject *obj, const char *name)
{
	for (int i = 0; i < obj->ncols; i++)
		if (strcmp(obj->cols[i].name, name) == 0)
			return i;
	return -1;
}
