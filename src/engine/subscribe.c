/* subscribe.c: pushing the changes of a view (or table) to API callbacks.
 *
 * Layer: engine. A subscription is a callback on an object's runtime; every change chunk the
 * object publishes is turned into text rows and handed over, one call per row, with the op. A
 * callback that returns non-zero ends its subscription (it stays allocated, stopped, until
 * eddy_unsubscribe). */
#include "engine/engine_int.h"

#include "vec/value.h"

#include <string.h>

static const EddyOp api_ops[] = {
	[OP_INSERT] = EDDY_INSERT,
	[OP_DELETE] = EDDY_DELETE,
	[OP_UPDATE_DELETE] = EDDY_UPDATE_DELETE,
	[OP_UPDATE_INSERT] = EDDY_UPDATE_INSERT,
};

static void deliver(EddySubscription *s, const Chunk *c)
{
	int n = c->ncols;
	StrBuf *text = mem_calloc((size_t)(n ? n : 1), sizeof *text);
	const char **vals = mem_calloc((size_t)(n ? n : 1), sizeof *vals);
	for (int i = 0; i < n; i++)
		sb_init(&text[i]);
	for (int r = 0; r < c->nrows && !s->stopped; r++) {
		for (int i = 0; i < n; i++) {
			Value v;
			vec_get_value(&c->cols[i], r, &v);
			sb_reset(&text[i]);
			if (v.null) {
				vals[i] = NULL;
			} else {
				value_format(&v, &text[i]);
				vals[i] = text[i].data ? text[i].data : "";
			}
		}
		if (s->fn(s->ctx, api_ops[c->ops[r]], n, vals))
			s->stopped = true;
	}
	for (int i = 0; i < n; i++)
		sb_deinit(&text[i]);
	mem_free(text);
	mem_free(vals);
}

int eng_notify_subscribers(ObjRt *rt, const Chunk *c)
{
	for (EddySubscription *s = rt->subs; s; s = s->next)
		if (!s->stopped)
			deliver(s, c);
	return 0;
}

static int snapshot_emit(void *arg, const Chunk *c, Err *e)
{
	deliver(arg, c);
	return 0;
}

int eddy_subscribe(Eddy *db, const char *view, int snapshot, EddyChangeFn fn, void *ctx,
		   EddySubscription **out, EddyError *err)
{
	Err e;
	err_clear(&e);
	*out = NULL;
	pthread_mutex_lock(&db->mu);
	CatObject *o = catalog_find(db->cat, view);
	int rc = 0;
	if (!o) {
		rc = err_set(&e, ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", view);
	} else if (o->kind != OBJ_MVIEW && o->kind != OBJ_TABLE && o->kind != OBJ_STREAM) {
		rc = err_set(&e, ERR_WRONG_OBJECT_TYPE, "cannot subscribe to %s \"%s\"",
			     objkind_name(o->kind), o->name);
		err_hint(&e, "Create a materialized view over it and subscribe to the view.");
	} else {
		EddySubscription *s = mem_calloc(1, sizeof *s);
		s->db = db;
		s->rt = o->rt;
		s->fn = fn;
		s->ctx = ctx;
		if (snapshot && o->kind != OBJ_STREAM)
			mvstore_scan(s->rt->store, snapshot_emit, s, &e);
		s->next = s->rt->subs;
		s->rt->subs = s;
		*out = s;
	}
	pthread_mutex_unlock(&db->mu);
	if (rc < 0)
		eng_export_error(&e, err);
	return rc;
}

void eddy_unsubscribe(EddySubscription *sub)
{
	if (!sub)
		return;
	struct Eddy *db = sub->db;
	pthread_mutex_lock(&db->mu);
	/* A subscription whose object was dropped waits on the orphans list. */
	EddySubscription **head = sub->rt ? &sub->rt->subs : &db->orphans;
	for (EddySubscription **p = head; *p; p = &(*p)->next) {
		if (*p == sub) {
			*p = sub->next;
			mem_free(sub);
			break;
		}
	}
	pthread_mutex_unlock(&db->mu);
}
