/* binder.c: statements to BoundStmts (the entry point of the binder).
 *
 * Layer: plan. Dispatches on the statement kind; binds the DDL (CREATE STREAM/TABLE/SOURCE
 * with their columns, keys, watermark and options; CREATE MATERIALIZED VIEW; DROP), the DML
 * (INSERT, DELETE, UPDATE: target checks, assignment casts, the rows to insert as a plan over
 * the target's columns) and the small statements (EXPLAIN, SHOW, DESCRIBE, FLUSH, BEGIN ...).
 * Queries are bound by bind_query.c, expressions by bind_expr.c. Never changes the catalog:
 * the engine executes what this file describes.
 */
#include <ctype.h>
#include <string.h>

#include "plan/bind_int.h"

static BoundStmt *stmt_new(Binder *b, StmtKind kind, const char *tag)
{
	BoundStmt *s = arena_calloc(b->a, sizeof *s);
	s->kind = kind;
	s->tag = tag;
	s->wm_col = -1;
	return s;
}

static char *lower_dup(Arena *a, const char *s)
{
	char *r = arena_strdup(a, s);
	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static const char *obj_tag(const char *verb, ObjKind k)
{
	switch (k) {
	case OBJ_STREAM: return verb[0] == 'C' ? "CREATE STREAM" : "DROP STREAM";
	case OBJ_TABLE: return verb[0] == 'C' ? "CREATE TABLE" : "DROP TABLE";
	case OBJ_SOURCE: return verb[0] == 'C' ? "CREATE SOURCE" : "DROP SOURCE";
	case OBJ_MVIEW:
		return verb[0] == 'C' ? "CREATE MATERIALIZED VIEW" : "DROP MATERIALIZED VIEW";
	case OBJ_SINK: return verb[0] == 'C' ? "CREATE SINK" : "DROP SINK";
	}
	return verb;
}

/* The output columns of a plan as ColumnDefs in a (a view's columns). */
static void plan_columns(Binder *b, const LogicalOp *op, int *ncols, ColumnDef **cols)
{
	*ncols = op->ncols;
	*cols = arena_alloc(b->a, (size_t)(op->ncols ? op->ncols : 1) * sizeof **cols);
	for (int i = 0; i < op->ncols; i++) {
		(*cols)[i] = op->cols[i];
		(*cols)[i].name = arena_strdup(b->a, op->cols[i].name);
	}
}

static void copy_options(Binder *b, BoundStmt *s, const AstOption *opts, int nopts,
			 const char *format)
{
	s->opts = arena_alloc(b->a, (size_t)(nopts + 1) * sizeof *s->opts);
	for (int i = 0; i < nopts; i++) {
		s->opts[i].key = lower_dup(b->a, opts[i].key);
		s->opts[i].value = arena_strdup(b->a, opts[i].value ? opts[i].value : "");
		s->opts[i].location = opts[i].location;
	}
	s->nopts = nopts;
	/* FORMAT PLAIN ENCODE JSON (RisingWave) means format='json' unless one was given. */
	const char *enc = format ? strstr(format, "ENCODE ") : NULL;
	if (enc) {
		for (int i = 0; i < nopts; i++)
			if (strcmp(s->opts[i].key, "format") == 0)
				return;
		char *v = lower_dup(b->a, enc + 7);
		v[strcspn(v, " (")] = '\0';
		s->opts[s->nopts++] = (Option){.key = "format", .value = v, .location = 0};
	}
}

/* ---- CREATE STREAM | TABLE | SOURCE */

static int find_col(const BoundStmt *s, const char *name)
{
	for (int i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return i;
	return -1;
}

static int bind_pk(Binder *b, BoundStmt *s, const AstCreate *c)
{
	int n = c->npkey;
	for (int i = 0; i < c->ncols; i++)
		n += c->cols[i].primary_key;
	if (n == 0)
		return 0;
	int loc = c->npkey ? c->pkey_location : 0;
	for (int i = 0; !loc && i < c->ncols; i++)
		if (c->cols[i].primary_key)
			loc = c->cols[i].location;
	if (s->obj_kind != OBJ_TABLE) {
		err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
			    "primary keys are not supported on %ss", objkind_name(s->obj_kind));
		err_hint(b->e, "%ss are append-only; use CREATE TABLE for keyed data.",
			 objkind_name(s->obj_kind));
		return -1;
	}
	bool col_pk = n != c->npkey;
	if (col_pk && (c->npkey || n > 1))
		return err_set_pos(b->e, ERR_SYNTAX, loc,
				   "multiple primary keys for table \"%s\" are not allowed", c->name);
	s->pk = arena_alloc(b->a, (size_t)n * sizeof *s->pk);
	if (col_pk) {
		for (int i = 0; i < c->ncols; i++)
			if (c->cols[i].primary_key)
				s->pk[s->npk++] = i;
	} else {
		for (int i = 0; i < c->npkey; i++) {
			int col = find_col(s, c->pkey[i]);
			if (col < 0)
				return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, c->pkey_location,
						   "column \"%s\" named in key does not exist",
						   c->pkey[i]);
			for (int j = 0; j < s->npk; j++)
				if (s->pk[j] == col)
					return err_set_pos(b->e, ERR_DUPLICATE_COLUMN,
							   c->pkey_location,
							   "column \"%s\" appears twice in primary "
							   "key constraint",
							   c->pkey[i]);
			s->pk[s->npk++] = col;
		}
	}
	for (int i = 0; i < s->npk; i++)
		s->cols[s->pk[i]].not_null = true;
	return 0;
}

static int bind_watermark(Binder *b, BoundStmt *s, const AstCreate *c)
{
	if (!c->wm_col)
		return 0;
	if (s->obj_kind == OBJ_TABLE)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, c->wm_location,
				   "watermarks are only supported on streams and sources");
	int col = find_col(s, c->wm_col);
	if (col < 0)
		return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, c->wm_location,
				   "column \"%s\" does not exist", c->wm_col);
	TypeId t = s->cols[col].type;
	if (t != T_TIMESTAMP && t != T_TIMESTAMPTZ)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, c->wm_location,
				   "watermark column \"%s\" must be of type timestamp or timestamp "
				   "with time zone, not type %s",
				   c->wm_col, type_name(t));
	/* The expression sees the new object's row. */
	LogicalOp row = {.ncols = s->ncols, .cols = s->cols};
	Scope scope;
	bind_scope_init(b, &scope, &row, s->name);
	BindCx cx = {.b = b, .scope = &scope, .clause = "WATERMARK"};
	Expr *x = bind_expr(&cx, c->wm_expr);
	if (!x)
		return -1;
	if (x->type == T_UNKNOWN && !(x = expr_cast(b->a, x, t, -1, false, 0, b->e)))
		return -1;
	if (x->type != t)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, c->wm_expr->location,
				   "watermark expression must be of type %s, not type %s",
				   type_name(t), type_name(x->type));
	s->wm_col = col;
	s->wm_expr = x;
	return 0;
}

static int bind_create(Binder *b, const AstStmt *st, ObjKind kind, BoundStmt **out)
{
	const AstCreate *c = &st->create;
	BoundStmt *s = stmt_new(b, STMT_CREATE, obj_tag("CREATE", kind));
	*out = s;
	s->obj_kind = kind;
	s->name = arena_strdup(b->a, c->name);
	s->if_not_exists = c->if_not_exists;
	CatObject *old = catalog_find(b->cat, c->name);
	if (old) {
		if (c->if_not_exists) {
			s->target = old; /* the engine does nothing (with a notice) */
			return 0;
		}
		return err_set(b->e, ERR_DUPLICATE_TABLE, "relation \"%s\" already exists",
			       c->name);
	}
	if (!c->has_columns && kind != OBJ_SOURCE)
		return err_set_pos(b->e, ERR_SYNTAX, st->location, "CREATE %s needs a column list",
				   kind == OBJ_STREAM ? "STREAM" : "TABLE");
	s->cols = arena_calloc(b->a, (size_t)(c->ncols ? c->ncols : 1) * sizeof *s->cols);
	for (int i = 0; i < c->ncols; i++) {
		const AstColumnDef *d = &c->cols[i];
		if (find_col(s, d->name) >= 0)
			return err_set_pos(b->e, ERR_DUPLICATE_COLUMN, d->location,
					   "column \"%s\" specified more than once", d->name);
		if (d->default_)
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, d->default_->location,
					   "DEFAULT is not supported yet");
		ColumnDef *col = &s->cols[s->ncols];
		if (bind_type(b, d->type, &col->type, &col->typmod) < 0)
			return -1;
		col->name = arena_strdup(b->a, d->name);
		col->not_null = d->not_null;
		s->ncols++;
	}
	if (bind_pk(b, s, c) < 0 || bind_watermark(b, s, c) < 0)
		return -1;
	copy_options(b, s, c->opts, c->nopts, c->format);
	return 0;
}

static int bind_create_mview(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstCreateMView *m = &st->mview;
	BoundStmt *s = stmt_new(b, STMT_CREATE, "CREATE MATERIALIZED VIEW");
	*out = s;
	s->obj_kind = OBJ_MVIEW;
	s->name = arena_strdup(b->a, m->name);
	s->if_not_exists = m->if_not_exists;
	CatObject *old = catalog_find(b->cat, m->name);
	if (old) {
		if (m->if_not_exists) {
			s->target = old;
			return 0;
		}
		return err_set(b->e, ERR_DUPLICATE_TABLE, "relation \"%s\" already exists",
			       m->name);
	}
	b->eowc_allowed = true;
	LogicalOp *q = bind_query(b, m->query, true);
	b->eowc_allowed = false;
	if (q && bind_check_no_subquery(b, q) < 0)
		return -1;
	if (q && m->emit_on_window_close)
		q = bind_window_eowc(b, q, m->query->location);
	if (!q)
		return -1;
	for (int i = 0; i < q->ncols; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(q->cols[i].name, q->cols[j].name) == 0) {
				err_set(b->e, ERR_DUPLICATE_COLUMN,
					"column \"%s\" specified more than once", q->cols[i].name);
				err_hint(b->e, "Give the columns distinct names with AS.");
				return -1;
			}
	s->query = q;
	plan_columns(b, q, &s->ncols, &s->cols);
	copy_options(b, s, m->opts, m->nopts, NULL);
	return 0;
}

/* CREATE SINK name [FROM relation | AS query] WITH (...): the query's plan, like a view's; the
 * engine checks the connector's options (connect/sink.h). Append-only sinks only, for now. */
static int bind_create_sink(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstCreateSink *k = &st->sink;
	BoundStmt *s = stmt_new(b, STMT_CREATE, "CREATE SINK");
	*out = s;
	s->obj_kind = OBJ_SINK;
	s->name = arena_strdup(b->a, k->name);
	s->if_not_exists = k->if_not_exists;
	CatObject *old = catalog_find(b->cat, k->name);
	if (old) {
		if (k->if_not_exists) {
			s->target = old;
			return 0;
		}
		return err_set(b->e, ERR_DUPLICATE_TABLE, "relation \"%s\" already exists",
			       k->name);
	}
	LogicalOp *q;
	if (k->from) {
		Scope scope;
		q = bind_relation(b, k->from, st->location, &scope, k->from);
	} else {
		q = bind_query(b, k->query, true);
	}
	if (!q)
		return -1;
	copy_options(b, s, k->opts, k->nopts, k->format);
	const char *type = NULL;
	for (int i = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].key, "type") == 0)
			type = s->opts[i].value;
	if (!q->append_only && !(type && strcmp(type, "upsert") == 0)) {
		err_set(b->e, ERR_FEATURE_NOT_SUPPORTED,
			"the query of sink \"%s\" is not append-only: it updates or deletes rows",
			k->name);
		err_hint(b->e, "Sinks take append-only queries for now (no aggregation or outer "
			       "join over changing input); sink a materialized view's changes "
			       "later, when upsert sinks exist.");
		return -1;
	}
	s->query = q;
	plan_columns(b, q, &s->ncols, &s->cols);
	return 0;
}

/* ---- DROP */

static int bind_drop(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstDrop *d = &st->drop;
	static const char *const kind_words[] = {
		[AST_OBJ_STREAM] = "stream", [AST_OBJ_TABLE] = "table",
		[AST_OBJ_SOURCE] = "source", [AST_OBJ_MVIEW] = "materialized view",
		[AST_OBJ_SINK] = "sink",     [AST_OBJ_VIEW] = "view",
	};
	static const char *const tags[] = {
		[AST_OBJ_STREAM] = "DROP STREAM", [AST_OBJ_TABLE] = "DROP TABLE",
		[AST_OBJ_SOURCE] = "DROP SOURCE", [AST_OBJ_MVIEW] = "DROP MATERIALIZED VIEW",
		[AST_OBJ_SINK] = "DROP SINK",     [AST_OBJ_VIEW] = "DROP VIEW",
	};
	static const int kinds[] = {
		[AST_OBJ_STREAM] = OBJ_STREAM, [AST_OBJ_TABLE] = OBJ_TABLE,
		[AST_OBJ_SOURCE] = OBJ_SOURCE, [AST_OBJ_MVIEW] = OBJ_MVIEW,
		[AST_OBJ_SINK] = OBJ_SINK,     [AST_OBJ_VIEW] = -1,
	};
	const char *word = kind_words[d->obj];
	BoundStmt *s = stmt_new(b, STMT_DROP, tags[d->obj]);
	*out = s;
	s->if_exists = d->if_exists;
	s->cascade = d->cascade;
	if (d->nnames > 1)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, d->name_locations[1],
				   "dropping several objects in one statement is not supported yet");
	const char *name = d->names[0];
	int loc = d->name_locations[0];
	s->name = arena_strdup(b->a, name);
	CatObject *obj = catalog_find(b->cat, name);
	if (kinds[d->obj] >= 0)
		s->obj_kind = (ObjKind)kinds[d->obj];
	if (obj && (kinds[d->obj] < 0 || obj->kind != (ObjKind)kinds[d->obj])) {
		const char *have = objkind_name(obj->kind);
		err_set_pos(b->e, ERR_WRONG_OBJECT_TYPE, loc, "\"%s\" is not a %s", name, word);
		err_hint(b->e, "Use DROP %s to remove a %s.", obj_tag("DROP", obj->kind) + 5, have);
		return -1;
	}
	if (!obj) {
		if (d->if_exists)
			return 0; /* target NULL: the engine reports a notice */
		return err_set_pos(b->e, ERR_UNDEFINED_TABLE, loc, "%s \"%s\" does not exist", word,
				   name);
	}
	s->target = obj;
	return 0;
}

/* ---- INSERT, DELETE, UPDATE */

/* The target of a DML statement: a stream or table (tables only when keyed changes). */
static CatObject *dml_target(Binder *b, const char *name, int loc, const char *verb,
			     bool tables_only)
{
	CatObject *obj = catalog_find(b->cat, name);
	if (!obj)
		return err_set_pos(b->e, ERR_UNDEFINED_TABLE, loc, "relation \"%s\" does not exist",
				   name),
		       NULL;
	if (obj->kind == OBJ_TABLE || (!tables_only && obj->kind == OBJ_STREAM))
		return obj;
	err_set_pos(b->e, ERR_WRONG_OBJECT_TYPE, loc, "cannot %s %s \"%s\"", verb,
		    objkind_name(obj->kind), name);
	if (obj->kind == OBJ_STREAM)
		err_hint(b->e, "streams are append-only");
	else if (obj->kind == OBJ_SOURCE)
		err_hint(b->e, "sources are filled by their connector");
	else
		err_hint(b->e, "materialized views are maintained from the query that defines them");
	return NULL;
}

static Expr *null_of(Binder *b, const ColumnDef *c)
{
	Value v = value_null(c->type);
	return expr_const(b->a, &v, 0);
}

static Expr *assign(Binder *b, Expr *x, const ColumnDef *c, int loc)
{
	Expr *r = expr_assign(b->a, x, c->type, c->typmod, c->name, b->e);
	if (!r)
		err_locate(b->e, loc);
	return r;
}

static int bind_insert(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstInsert *ins = &st->insert;
	BoundStmt *s = stmt_new(b, STMT_INSERT, "INSERT");
	*out = s;
	CatObject *t = dml_target(b, ins->table, ins->table_location, "insert into", false);
	if (!t)
		return -1;
	s->target = t;
	/* map[i]: the target column the i-th expression goes to. */
	int nmap = ins->cols ? ins->ncols : t->ncols;
	int *map = arena_alloc(b->a, (size_t)(nmap ? nmap : 1) * sizeof *map);
	for (int i = 0; i < nmap; i++) {
		if (!ins->cols) {
			map[i] = i;
			continue;
		}
		if ((map[i] = catobj_column(t, ins->cols[i])) < 0)
			return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, ins->table_location,
					   "column \"%s\" of relation \"%s\" does not exist",
					   ins->cols[i], t->name);
		for (int j = 0; j < i; j++)
			if (map[j] == map[i])
				return err_set_pos(b->e, ERR_DUPLICATE_COLUMN, ins->table_location,
						   "column \"%s\" specified more than once",
						   ins->cols[i]);
	}
	const AstQuery *q = ins->query;
	bool plain_values = q->kind == AST_QUERY_VALUES && !q->norder && !q->limit &&
			    !q->offset && !q->nctes;
	if (plain_values) {
		/* Each item is assigned straight to its column, as PostgreSQL does for VALUES
		 * in INSERT: '2024-01-01' goes to a timestamp column as a timestamp literal. */
		LogicalOp *op = lop_new(b->a, LOP_VALUES, t->ncols, 0);
		if (t->ncols)
			memcpy(op->cols, t->cols, (size_t)t->ncols * sizeof *op->cols);
		op->nrows = q->nrows;
		op->rows = arena_alloc(b->a, (size_t)(q->nrows ? q->nrows : 1) * sizeof *op->rows);
		op->append_only = true;
		BindCx cx = {.b = b, .clause = "VALUES"};
		for (int r = 0; r < q->nrows; r++) {
			const AstValuesRow *row = &q->rows[r];
			if (row->nitems > nmap)
				return err_set_pos(b->e, ERR_SYNTAX, row->items[nmap]->location,
						   "INSERT has more expressions than target columns");
			if (ins->cols && row->nitems < nmap)
				return err_set_pos(b->e, ERR_SYNTAX,
						   row->nitems ? row->items[0]->location
							       : q->location,
						   "INSERT has more target columns than expressions");
			Expr **vals = arena_alloc(b->a, (size_t)(t->ncols ? t->ncols : 1) *
								sizeof *vals);
			for (int c = 0; c < t->ncols; c++)
				vals[c] = NULL;
			for (int i = 0; i < row->nitems; i++) {
				const AstExpr *item = row->items[i];
				Expr *x = bind_expr(&cx, item);
				if (!x || !(x = assign(b, x, &t->cols[map[i]], item->location)))
					return -1;
				vals[map[i]] = x;
			}
			for (int c = 0; c < t->ncols; c++)
				if (!vals[c])
					vals[c] = null_of(b, &t->cols[c]);
			op->rows[r] = vals;
		}
		s->query = op;
		return 0;
	}
	LogicalOp *src = bind_query(b, q, false);
	if (!src)
		return -1;
	if (src->ncols > nmap) {
		int loc = q->kind == AST_QUERY_SELECT && q->ntargets > nmap
				  ? q->targets[nmap].location
				  : q->location;
		return err_set_pos(b->e, ERR_SYNTAX, loc,
				   "INSERT has more expressions than target columns");
	}
	if (ins->cols && src->ncols < nmap)
		return err_set_pos(b->e, ERR_SYNTAX, q->location,
				   "INSERT has more target columns than expressions");
	Expr **exprs = arena_alloc(b->a, (size_t)(t->ncols ? t->ncols : 1) * sizeof *exprs);
	const char **names = arena_alloc(b->a, (size_t)(t->ncols ? t->ncols : 1) * sizeof *names);
	for (int c = 0; c < t->ncols; c++) {
		exprs[c] = NULL;
		names[c] = t->cols[c].name;
	}
	for (int i = 0; i < src->ncols; i++) {
		Expr *x = expr_col(b->a, i, src->cols[i].type, 0);
		if (!(exprs[map[i]] = assign(b, x, &t->cols[map[i]], q->location)))
			return -1;
	}
	for (int c = 0; c < t->ncols; c++)
		if (!exprs[c])
			exprs[c] = null_of(b, &t->cols[c]);
	s->query = bind_project(b, src, t->ncols, exprs, names);
	/* The rows go to the target with its column types and modifiers. */
	if (s->query != src)
		for (int c = 0; c < t->ncols; c++)
			s->query->cols[c] = t->cols[c];
	s->ndeps = b->ndeps;
	s->deps = b->deps;
	return 0;
}

static int table_scope(Binder *b, CatObject *t, Scope *scope)
{
	LogicalOp row = {.ncols = t->ncols, .cols = t->cols};
	bind_scope_init(b, scope, &row, t->name);
	return 0;
}

static int bind_delete(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstDelete *d = &st->del;
	BoundStmt *s = stmt_new(b, STMT_DELETE, "DELETE");
	*out = s;
	CatObject *t = dml_target(b, d->table, d->table_location, "delete from", true);
	if (!t)
		return -1;
	s->target = t;
	if (d->where) {
		Scope scope;
		table_scope(b, t, &scope);
		BindCx cx = {.b = b, .scope = &scope, .clause = "WHERE"};
		if (!(s->where = bind_condition(&cx, d->where, "WHERE")))
			return -1;
	}
	return 0;
}

static int bind_update(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstUpdate *u = &st->update;
	BoundStmt *s = stmt_new(b, STMT_UPDATE, "UPDATE");
	*out = s;
	CatObject *t = dml_target(b, u->table, u->table_location, "update", true);
	if (!t)
		return -1;
	s->target = t;
	Scope scope;
	table_scope(b, t, &scope);
	BindCx cx = {.b = b, .scope = &scope, .clause = "UPDATE"};
	s->set_cols = arena_alloc(b->a, (size_t)(u->nsets ? u->nsets : 1) * sizeof *s->set_cols);
	s->set_exprs = arena_alloc(b->a, (size_t)(u->nsets ? u->nsets : 1) * sizeof *s->set_exprs);
	for (int i = 0; i < u->nsets; i++) {
		const AstSetClause *sc = &u->sets[i];
		int col = catobj_column(t, sc->col);
		if (col < 0)
			return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, sc->location,
					   "column \"%s\" of relation \"%s\" does not exist", sc->col,
					   t->name);
		for (int j = 0; j < i; j++)
			if (s->set_cols[j] == col)
				return err_set_pos(b->e, ERR_SYNTAX, sc->location,
						   "multiple assignments to same column \"%s\"",
						   sc->col);
		Expr *x = bind_expr(&cx, sc->expr);
		if (!x || !(x = assign(b, x, &t->cols[col], sc->expr->location)))
			return -1;
		s->set_cols[i] = col;
		s->set_exprs[i] = x;
		s->nsets++;
	}
	if (u->where) {
		BindCx wcx = {.b = b, .scope = &scope, .clause = "WHERE"};
		if (!(s->where = bind_condition(&wcx, u->where, "WHERE")))
			return -1;
	}
	return 0;
}

/* ---- the rest */

static int bind_stmt(Binder *b, const AstStmt *st, BoundStmt **out);

static int bind_explain(Binder *b, const AstStmt *st, BoundStmt **out)
{
	BoundStmt *s = stmt_new(b, STMT_EXPLAIN, "EXPLAIN");
	*out = s;
	const AstStmt *in = st->explain.stmt;
	if (in->kind != AST_STMT_QUERY && in->kind != AST_STMT_CREATE_MVIEW &&
	    in->kind != AST_STMT_CREATE_SINK && in->kind != AST_STMT_INSERT)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, in->location,
				   "EXPLAIN supports queries, INSERT, CREATE MATERIALIZED VIEW "
				   "and CREATE SINK");
	return bind_stmt(b, in, &s->inner);
}

static int bind_show(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstShow *sh = &st->show;
	BoundStmt *s = stmt_new(b, STMT_SHOW, "SHOW");
	*out = s;
	switch (sh->what) {
	case AST_SHOW_STREAMS: s->show_kind = OBJ_STREAM; return 0;
	case AST_SHOW_TABLES: s->show_kind = OBJ_TABLE; return 0;
	case AST_SHOW_MVIEWS: s->show_kind = OBJ_MVIEW; return 0;
	case AST_SHOW_SOURCES: s->show_kind = OBJ_SOURCE; return 0;
	case AST_SHOW_SINKS: s->show_kind = OBJ_SINK; return 0;
	case AST_SHOW_COLUMNS:
		s->kind = STMT_DESCRIBE;
		s->tag = "DESCRIBE";
		break;
	case AST_SHOW_PARAM:
		/* Settings are not kept yet: accepted and ignored, as SET is. */
		s->kind = STMT_NOOP;
		s->name = arena_strdup(b->a, sh->name ? sh->name : "");
		return 0;
	}
	if (!(s->target = catalog_find(b->cat, sh->name)))
		return err_set_pos(b->e, ERR_UNDEFINED_TABLE, sh->name_location,
				   "relation \"%s\" does not exist", sh->name);
	s->name = s->target->name;
	return 0;
}

static int bind_query_stmt(Binder *b, const AstStmt *st, BoundStmt **out)
{
	BoundStmt *s = stmt_new(b, STMT_SELECT, "SELECT");
	*out = s;
	if (!(s->query = bind_query(b, st->query, true)))
		return -1;
	s->ndeps = b->ndeps;
	s->deps = b->deps;
	return 0;
}

static int bind_stmt(Binder *b, const AstStmt *st, BoundStmt **out)
{
	int rc = 0;
	*out = NULL;
	switch (st->kind) {
	case AST_STMT_QUERY: rc = bind_query_stmt(b, st, out); break;
	case AST_STMT_CREATE_STREAM: rc = bind_create(b, st, OBJ_STREAM, out); break;
	case AST_STMT_CREATE_TABLE: rc = bind_create(b, st, OBJ_TABLE, out); break;
	case AST_STMT_CREATE_SOURCE: rc = bind_create(b, st, OBJ_SOURCE, out); break;
	case AST_STMT_CREATE_MVIEW: rc = bind_create_mview(b, st, out); break;
	case AST_STMT_CREATE_SINK: rc = bind_create_sink(b, st, out); break;
	case AST_STMT_DROP: rc = bind_drop(b, st, out); break;
	case AST_STMT_INSERT: rc = bind_insert(b, st, out); break;
	case AST_STMT_DELETE: rc = bind_delete(b, st, out); break;
	case AST_STMT_UPDATE: rc = bind_update(b, st, out); break;
	case AST_STMT_EXPLAIN: rc = bind_explain(b, st, out); break;
	case AST_STMT_SHOW: rc = bind_show(b, st, out); break;
	case AST_STMT_DESCRIBE: {
		BoundStmt *s = *out = stmt_new(b, STMT_DESCRIBE, "DESCRIBE");
		const AstDescribe *d = &st->describe;
		if (!(s->target = catalog_find(b->cat, d->name)))
			return err_set_pos(b->e, ERR_UNDEFINED_TABLE, d->name_location,
					   "relation \"%s\" does not exist", d->name);
		s->name = s->target->name;
		break;
	}
	case AST_STMT_FLUSH: *out = stmt_new(b, STMT_FLUSH, "FLUSH"); break;
	case AST_STMT_BEGIN: *out = stmt_new(b, STMT_NOOP, "BEGIN"); break;
	case AST_STMT_COMMIT: *out = stmt_new(b, STMT_NOOP, "COMMIT"); break;
	case AST_STMT_ROLLBACK: *out = stmt_new(b, STMT_NOOP, "ROLLBACK"); break;
	case AST_STMT_SET: *out = stmt_new(b, STMT_NOOP, "SET"); break;
	case AST_STMT_CREATE_USER:
	case AST_STMT_ALTER_USER:
	case AST_STMT_DROP_USER: rc = syscat_bind_user(b, st, out); break;
	}
	if (rc < 0)
		return -1;
	if (*out) {
		int off, len;
		sql_stmt_span(st, &off, &len);
		(*out)->location = off;
		(*out)->length = len;
		if ((*out)->kind == STMT_CREATE &&
		    ((*out)->obj_kind == OBJ_MVIEW || (*out)->obj_kind == OBJ_SINK)) {
			(*out)->ndeps = b->ndeps;
			(*out)->deps = b->deps;
		}
	}
	return 0;
}

int plan_bind(Catalog *cat, const AstStmt *stmt, const char *sql, Arena *a, BoundStmt **out,
	      Err *e)
{
	Binder b;
	memset(&b, 0, sizeof b);
	b.cat = cat;
	b.a = a;
	b.e = e;
	b.sql = sql;
	if (bind_stmt(&b, stmt, out) < 0) {
		if (!err_failed(e))
			err_set(e, ERR_INTERNAL, "binding failed without an error");
		*out = NULL;
		return -1;
	}
	return 0;
}
