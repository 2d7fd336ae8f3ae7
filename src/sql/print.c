/* print.c: syntax trees back to SQL text (sql_print, sql_print_expr, sql_print_query).
 *
 * Layer: sql (depends on base/ only). The output is normalized so that it can be compared and
 * parsed again to the same tree: keywords in upper case, every operator expression (unary,
 * binary, IS, BETWEEN, IN) wrapped in parentheses, identifiers quoted only when they must be
 * (upper case letters, odd characters, or a keyword PostgreSQL would not take as a name),
 * strings with '' doubling. It never fails and never allocates beyond the StrBuf.
 */
#include <stdbool.h>
#include <string.h>

#include "sql/keywords.h"
#include "sql/parser.h"

static void print_query(const AstQuery *q, StrBuf *out);

static bool simple_word(const char *s)
{
	if (!s || !*s)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || *s == '_' || (unsigned char)*s >= 0x80))
		return false;
	for (const char *c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (!((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_' || u == '$' ||
		      u >= 0x80))
			return false;
	}
	return true;
}

static void put_quoted(StrBuf *out, const char *s, char q)
{
	sb_putc(out, q);
	for (const char *c = s; *c; c++) {
		if (*c == q)
			sb_putc(out, q);
		sb_putc(out, *c);
	}
	sb_putc(out, q);
}

/* A name as a ColId: bare when it reads back the same, quoted otherwise. */
static void put_ident(StrBuf *out, const char *s)
{
	if (simple_word(s)) {
		Keyword kw = kw_lookup(s, (int)strlen(s));
		if (kw == KW__NONE || kw_table[kw].cat == KW_UNRESERVED) {
			sb_puts(out, s);
			return;
		}
	}
	put_quoted(out, s, '"');
}

/* A name where any word reads back (option keys, setting names, function names, labels). */
static void put_label(StrBuf *out, const char *s)
{
	if (simple_word(s))
		sb_puts(out, s);
	else
		put_quoted(out, s, '"');
}

static void put_string(StrBuf *out, const char *s) { put_quoted(out, s, '\''); }

static void put_upper(StrBuf *out, const char *s)
{
	for (const char *c = s; *c; c++)
		sb_putc(out, (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c);
}

static void put_ident_list(StrBuf *out, char **names, int n)
{
	sb_putc(out, '(');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		put_ident(out, names[i]);
	}
	sb_putc(out, ')');
}

/* True when every word of a multi-word type name is a keyword (double precision,
 * timestamp with time zone ...): printed in upper case, unquoted. */
static bool keyword_type(const char *name)
{
	const char *w = name;
	bool multi = strchr(name, ' ') != NULL;
	while (*w) {
		const char *e = strchr(w, ' ');
		int n = e ? (int)(e - w) : (int)strlen(w);
		Keyword kw = kw_lookup(w, n);
		if (kw == KW__NONE && multi)
			return false;
		if (kw == KW__NONE && !multi)
			return false;
		w += n;
		while (*w == ' ')
			w++;
	}
	return true;
}

static void print_type(const AstType *t, StrBuf *out)
{
	const char *name = t->name;
	const char *rest = NULL;
	if (strncmp(name, "timestamp ", 10) == 0 || strncmp(name, "time ", 5) == 0)
		rest = strchr(name, ' ');
	Keyword single = strchr(name, ' ') ? KW__NONE : kw_lookup(name, (int)strlen(name));
	if (single != KW__NONE && kw_table[single].cat == KW_RESERVED) {
		put_quoted(out, name, '"');
	} else if (keyword_type(name)) {
		if (rest) {
			StrBuf w;
			sb_init(&w);
			sb_append(&w, name, (size_t)(rest - name));
			put_upper(out, w.data);
			sb_deinit(&w);
		} else {
			put_upper(out, name);
		}
	} else if (strchr(name, '.') && !strchr(name, '"')) {
		sb_puts(out, name);
	} else if (simple_word(name)) {
		/* Any non-keyword name reads back as a type (int4, text, timestamptz, date). */
		put_upper(out, name);
	} else {
		put_quoted(out, name, '"');
	}
	if (t->nmods) {
		sb_putc(out, '(');
		for (int i = 0; i < t->nmods; i++)
			sb_printf(out, "%s%d", i ? "," : "", t->mods[i]);
		sb_putc(out, ')');
	}
	if (rest && keyword_type(name))
		put_upper(out, rest);
	if (t->array)
		sb_puts(out, "[]");
}

static void print_order(const AstOrderItem *items, int n, StrBuf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		sql_print_expr(items[i].expr, out);
		if (items[i].desc)
			sb_puts(out, " DESC");
		if (items[i].nulls == AST_NULLS_FIRST)
			sb_puts(out, " NULLS FIRST");
		else if (items[i].nulls == AST_NULLS_LAST)
			sb_puts(out, " NULLS LAST");
	}
}

static void print_list(AstExpr *const *xs, int n, StrBuf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		sql_print_expr(xs[i], out);
	}
}

static void print_bound(AstFrameBound b, const AstExpr *off, StrBuf *out)
{
	switch (b) {
	case AST_BOUND_UNBOUNDED_PRECEDING: sb_puts(out, "UNBOUNDED PRECEDING"); break;
	case AST_BOUND_UNBOUNDED_FOLLOWING: sb_puts(out, "UNBOUNDED FOLLOWING"); break;
	case AST_BOUND_CURRENT_ROW: sb_puts(out, "CURRENT ROW"); break;
	case AST_BOUND_PRECEDING:
	case AST_BOUND_FOLLOWING:
		sql_print_expr(off, out);
		sb_puts(out, b == AST_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
		break;
	case AST_BOUND_NONE: break;
	}
}

static void print_window(const AstWindow *w, StrBuf *out)
{
	const char *sep = "";
	sb_puts(out, " OVER (");
	if (w->npartition) {
		sb_puts(out, "PARTITION BY ");
		print_list(w->partition, w->npartition, out);
		sep = " ";
	}
	if (w->norder) {
		sb_puts(out, sep);
		sb_puts(out, "ORDER BY ");
		print_order(w->order, w->norder, out);
		sep = " ";
	}
	if (w->frame != AST_FRAME_DEFAULT) {
		sb_puts(out, sep);
		sb_puts(out, w->frame == AST_FRAME_ROWS    ? "ROWS "
			     : w->frame == AST_FRAME_RANGE ? "RANGE "
							   : "GROUPS ");
		if (w->end != AST_BOUND_NONE) {
			sb_puts(out, "BETWEEN ");
			print_bound(w->start, w->start_offset, out);
			sb_puts(out, " AND ");
			print_bound(w->end, w->end_offset, out);
		} else {
			print_bound(w->start, w->start_offset, out);
		}
	}
	sb_putc(out, ')');
}

static void print_func(const AstExpr *x, StrBuf *out)
{
	AstExpr *const *a = x->func.args;
	int n = x->func.nargs;
	switch (x->func.syntax) {
	case AST_CALL_SQLVALUE:
		put_upper(out, x->func.name);
		return;
	case AST_CALL_EXTRACT: {
		const char *f = a[0]->lit.text;
		sb_puts(out, "EXTRACT(");
		if (simple_word(f) && kw_lookup(f, (int)strlen(f)) == KW__NONE)
			sb_puts(out, f);
		else if (simple_word(f))
			put_upper(out, f);
		else
			put_string(out, f);
		sb_puts(out, " FROM ");
		sql_print_expr(a[1], out);
		sb_putc(out, ')');
		return;
	}
	case AST_CALL_SUBSTRING:
		sb_puts(out, "SUBSTRING(");
		sql_print_expr(a[0], out);
		sb_puts(out, " FROM ");
		sql_print_expr(a[1], out);
		if (n > 2) {
			sb_puts(out, " FOR ");
			sql_print_expr(a[2], out);
		}
		sb_putc(out, ')');
		return;
	case AST_CALL_TRIM: {
		const char *name = x->func.name;
		sb_puts(out, "TRIM(");
		sb_puts(out, strcmp(name, "ltrim") == 0	  ? "LEADING "
			     : strcmp(name, "rtrim") == 0 ? "TRAILING "
							  : "BOTH ");
		if (n == 2) {
			sql_print_expr(a[1], out);
			sb_puts(out, " FROM ");
			sql_print_expr(a[0], out);
		} else {
			sb_puts(out, "FROM ");
			print_list(a, n, out);
		}
		sb_putc(out, ')');
		return;
	}
	case AST_CALL_POSITION:
		sb_puts(out, "POSITION(");
		sql_print_expr(a[1], out);
		sb_puts(out, " IN ");
		sql_print_expr(a[0], out);
		sb_putc(out, ')');
		return;
	case AST_CALL_ARRAY:
		sb_puts(out, "ARRAY[");
		for (int i = 0; i < n; i++) {
			if (i)
				sb_puts(out, ", ");
			sql_print_expr(a[i], out);
		}
		sb_putc(out, ']');
		return;
	case AST_CALL_PLAIN:
		break;
	}
	const char *name = x->func.name;
	const char *dot = strchr(name, '.');
	if (dot && simple_word(dot + 1)) {
		sb_append(out, name, (size_t)(dot - name));
		sb_putc(out, '.');
		sb_puts(out, dot + 1);
	} else if (simple_word(name) && (kw_lookup(name, (int)strlen(name)) == KW__NONE ||
					 kw_table[kw_lookup(name, (int)strlen(name))].cat != KW_RESERVED)) {
		sb_puts(out, name);
	} else {
		put_quoted(out, name, '"');
	}
	sb_putc(out, '(');
	if (x->func.star)
		sb_putc(out, '*');
	if (x->func.distinct)
		sb_puts(out, "DISTINCT ");
	print_list(a, n, out);
	if (x->func.norder) {
		sb_puts(out, " ORDER BY ");
		print_order(x->func.order, x->func.norder, out);
	}
	sb_putc(out, ')');
	if (x->func.filter) {
		sb_puts(out, " FILTER (WHERE ");
		sql_print_expr(x->func.filter, out);
		sb_putc(out, ')');
	}
	if (x->func.over)
		print_window(x->func.over, out);
}

static const char *is_word(AstIsTest t)
{
	switch (t) {
	case AST_IS_NULL: return "NULL";
	case AST_IS_TRUE: return "TRUE";
	case AST_IS_FALSE: return "FALSE";
	case AST_IS_UNKNOWN: return "UNKNOWN";
	case AST_IS_DISTINCT_FROM: return "DISTINCT FROM";
	}
	return "";
}

static void print_literal(const AstExpr *x, StrBuf *out)
{
	switch (x->lit.kind) {
	case AST_LIT_INTEGER:
	case AST_LIT_DECIMAL:
		sb_puts(out, x->lit.text);
		break;
	case AST_LIT_STRING:
		put_string(out, x->lit.text);
		break;
	case AST_LIT_BOOL:
		put_upper(out, x->lit.text);
		break;
	case AST_LIT_NULL:
		sb_puts(out, "NULL");
		break;
	case AST_LIT_TYPED:
		print_type(x->lit.type, out);
		sb_putc(out, ' ');
		put_string(out, x->lit.text);
		break;
	}
}

void sql_print_expr(const AstExpr *x, StrBuf *out)
{
	switch (x->kind) {
	case AST_COLUMN:
		if (x->column.table) {
			put_ident(out, x->column.table);
			sb_putc(out, '.');
		}
		if (x->column.star)
			sb_putc(out, '*');
		else if (x->column.table)
			put_label(out, x->column.name);
		else
			put_ident(out, x->column.name);
		break;
	case AST_LITERAL:
		print_literal(x, out);
		break;
	case AST_PARAM:
		sb_printf(out, "$%d", x->param.index);
		break;
	case AST_UNARY:
		sb_putc(out, '(');
		put_upper(out, x->unary.op);
		sb_putc(out, ' ');
		sql_print_expr(x->unary.arg, out);
		sb_putc(out, ')');
		break;
	case AST_BINARY:
		sb_putc(out, '(');
		sql_print_expr(x->binary.left, out);
		sb_putc(out, ' ');
		put_upper(out, x->binary.op);
		sb_putc(out, ' ');
		sql_print_expr(x->binary.right, out);
		if (x->binary.escape) {
			sb_puts(out, " ESCAPE ");
			sql_print_expr(x->binary.escape, out);
		}
		sb_putc(out, ')');
		break;
	case AST_IS:
		sb_putc(out, '(');
		sql_print_expr(x->is.arg, out);
		sb_puts(out, x->is.negated ? " IS NOT " : " IS ");
		sb_puts(out, is_word(x->is.test));
		if (x->is.right) {
			sb_putc(out, ' ');
			sql_print_expr(x->is.right, out);
		}
		sb_putc(out, ')');
		break;
	case AST_BETWEEN:
		sb_putc(out, '(');
		sql_print_expr(x->between.arg, out);
		sb_puts(out, x->between.negated ? " NOT BETWEEN " : " BETWEEN ");
		if (x->between.symmetric)
			sb_puts(out, "SYMMETRIC ");
		sql_print_expr(x->between.low, out);
		sb_puts(out, " AND ");
		sql_print_expr(x->between.high, out);
		sb_putc(out, ')');
		break;
	case AST_IN_LIST:
	case AST_IN_SUBQUERY:
		sb_putc(out, '(');
		sql_print_expr(x->in.arg, out);
		sb_puts(out, x->in.negated ? " NOT IN (" : " IN (");
		if (x->kind == AST_IN_LIST)
			print_list(x->in.list, x->in.nlist, out);
		else
			print_query(x->in.query, out);
		sb_puts(out, "))");
		break;
	case AST_EXISTS:
		sb_puts(out, "EXISTS (");
		print_query(x->sub.query, out);
		sb_putc(out, ')');
		break;
	case AST_SUBQUERY:
		sb_putc(out, '(');
		print_query(x->sub.query, out);
		sb_putc(out, ')');
		break;
	case AST_CASE:
		sb_puts(out, "CASE");
		if (x->kase.operand) {
			sb_putc(out, ' ');
			sql_print_expr(x->kase.operand, out);
		}
		for (int i = 0; i < x->kase.nwhens; i++) {
			sb_puts(out, " WHEN ");
			sql_print_expr(x->kase.whens[i].cond, out);
			sb_puts(out, " THEN ");
			sql_print_expr(x->kase.whens[i].result, out);
		}
		if (x->kase.else_) {
			sb_puts(out, " ELSE ");
			sql_print_expr(x->kase.else_, out);
		}
		sb_puts(out, " END");
		break;
	case AST_CAST:
		if (x->cast.colons) {
			const AstExpr *a = x->cast.arg;
			/* -5::int would read back as -(5::int). */
			bool wrap = a->kind == AST_LITERAL && a->lit.text && a->lit.text[0] == '-';
			if (wrap)
				sb_putc(out, '(');
			sql_print_expr(a, out);
			if (wrap)
				sb_putc(out, ')');
			sb_puts(out, "::");
			print_type(x->cast.type, out);
		} else {
			sb_puts(out, "CAST(");
			sql_print_expr(x->cast.arg, out);
			sb_puts(out, " AS ");
			print_type(x->cast.type, out);
			sb_putc(out, ')');
		}
		break;
	case AST_FUNC:
		print_func(x, out);
		break;
	case AST_SUBSCRIPT:
		/* Parenthesized, as PostgreSQL requires for anything but a column. */
		sb_putc(out, '(');
		sql_print_expr(x->subscript.arg, out);
		sb_puts(out, ")[");
		sql_print_expr(x->subscript.index, out);
		sb_putc(out, ']');
		break;
	}
}

/* ---- queries */

static void print_alias(const AstAlias *al, StrBuf *out)
{
	if (!al)
		return;
	sb_puts(out, " AS ");
	put_ident(out, al->name);
	if (al->ncols) {
		sb_putc(out, ' ');
		put_ident_list(out, al->cols, al->ncols);
	}
}

static void print_ref(const AstTableRef *r, StrBuf *out)
{
	switch (r->kind) {
	case AST_REF_TABLE:
		if (r->schema) {
			put_ident(out, r->schema);
			sb_putc(out, '.');
		}
		put_ident(out, r->name);
		if (r->as_of) {
			sb_puts(out, " FOR SYSTEM_TIME AS OF ");
			sql_print_expr(r->as_of, out);
		}
		break;
	case AST_REF_SUBQUERY:
		sb_putc(out, '(');
		print_query(r->query, out);
		sb_putc(out, ')');
		break;
	case AST_REF_FUNC:
		sql_print_expr(r->func, out);
		break;
	case AST_REF_JOIN: {
		static const char *const names[] = {
			[AST_JOIN_INNER] = "JOIN", [AST_JOIN_LEFT] = "LEFT JOIN",
			[AST_JOIN_RIGHT] = "RIGHT JOIN", [AST_JOIN_FULL] = "FULL JOIN",
			[AST_JOIN_CROSS] = "CROSS JOIN"};
		if (r->alias)
			sb_putc(out, '(');
		print_ref(r->left, out);
		sb_puts(out, r->natural ? " NATURAL " : " ");
		sb_puts(out, names[r->join]);
		sb_putc(out, ' ');
		bool wrap = r->right->kind == AST_REF_JOIN && !r->right->alias;
		if (wrap)
			sb_putc(out, '(');
		print_ref(r->right, out);
		if (wrap)
			sb_putc(out, ')');
		if (r->on) {
			sb_puts(out, " ON ");
			sql_print_expr(r->on, out);
		} else if (r->nusing) {
			sb_puts(out, " USING ");
			put_ident_list(out, r->using_cols, r->nusing);
		}
		if (r->alias)
			sb_putc(out, ')');
		break;
	}
	}
	print_alias(r->alias, out);
}

static bool has_tail(const AstQuery *q)
{
	return q->norder || q->limit || q->limit_all || q->offset || q->nctes ||
	       q->emit_on_window_close;
}

static void print_setop_child(const AstQuery *q, StrBuf *out)
{
	bool wrap = q->kind == AST_QUERY_SETOP || has_tail(q);
	if (wrap)
		sb_putc(out, '(');
	print_query(q, out);
	if (wrap)
		sb_putc(out, ')');
}

static void print_query(const AstQuery *q, StrBuf *out)
{
	if (q->nctes) {
		sb_puts(out, q->recursive ? "WITH RECURSIVE " : "WITH ");
		for (int i = 0; i < q->nctes; i++) {
			if (i)
				sb_puts(out, ", ");
			put_ident(out, q->ctes[i].name);
			if (q->ctes[i].ncols) {
				sb_putc(out, ' ');
				put_ident_list(out, q->ctes[i].cols, q->ctes[i].ncols);
			}
			sb_puts(out, " AS (");
			print_query(q->ctes[i].query, out);
			sb_putc(out, ')');
		}
		sb_putc(out, ' ');
	}
	switch (q->kind) {
	case AST_QUERY_SELECT:
		sb_puts(out, "SELECT ");
		if (q->distinct) {
			sb_puts(out, "DISTINCT ");
			if (q->ndistinct_on) {
				sb_puts(out, "ON (");
				print_list(q->distinct_on, q->ndistinct_on, out);
				sb_puts(out, ") ");
			}
		}
		for (int i = 0; i < q->ntargets; i++) {
			if (i)
				sb_puts(out, ", ");
			sql_print_expr(q->targets[i].expr, out);
			if (q->targets[i].alias) {
				sb_puts(out, " AS ");
				put_label(out, q->targets[i].alias);
			}
		}
		if (q->nfrom) {
			sb_puts(out, " FROM ");
			for (int i = 0; i < q->nfrom; i++) {
				if (i)
					sb_puts(out, ", ");
				print_ref(q->from[i], out);
			}
		}
		if (q->where) {
			sb_puts(out, " WHERE ");
			sql_print_expr(q->where, out);
		}
		if (q->ngroup_by) {
			sb_puts(out, " GROUP BY ");
			print_list(q->group_by, q->ngroup_by, out);
		}
		if (q->having) {
			sb_puts(out, " HAVING ");
			sql_print_expr(q->having, out);
		}
		break;
	case AST_QUERY_VALUES:
		sb_puts(out, "VALUES ");
		for (int i = 0; i < q->nrows; i++) {
			sb_puts(out, i ? ", (" : "(");
			print_list(q->rows[i].items, q->rows[i].nitems, out);
			sb_putc(out, ')');
		}
		break;
	case AST_QUERY_SETOP: {
		static const char *const ops[] = {[AST_SETOP_UNION] = " UNION ",
						  [AST_SETOP_INTERSECT] = " INTERSECT ",
						  [AST_SETOP_EXCEPT] = " EXCEPT "};
		print_setop_child(q->left, out);
		sb_puts(out, ops[q->setop]);
		if (q->all)
			sb_puts(out, "ALL ");
		print_setop_child(q->right, out);
		break;
	}
	}
	if (q->norder) {
		sb_puts(out, " ORDER BY ");
		print_order(q->order, q->norder, out);
	}
	if (q->limit_all)
		sb_puts(out, " LIMIT ALL");
	if (q->limit) {
		sb_puts(out, " LIMIT ");
		sql_print_expr(q->limit, out);
	}
	if (q->offset) {
		sb_puts(out, " OFFSET ");
		sql_print_expr(q->offset, out);
	}
	if (q->emit_on_window_close)
		sb_puts(out, " EMIT ON WINDOW CLOSE");
}

void sql_print_query(const AstQuery *q, StrBuf *out) { print_query(q, out); }

/* ---- statements */

static void print_options(const AstOption *o, int n, StrBuf *out)
{
	sb_puts(out, " WITH (");
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		bool bare = true;
		for (const char *k = o[i].key; *k && bare; k++)
			if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_' ||
			      *k == '.'))
				bare = false;
		/* Each dotted part must start like a word. */
		for (const char *k = o[i].key; bare && k; k = strchr(k, '.'), k = k ? k + 1 : NULL)
			if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
				bare = false;
		if (bare)
			sb_puts(out, o[i].key);
		else
			put_string(out, o[i].key);
		sb_puts(out, " = ");
		switch (o[i].kind) {
		case AST_OPT_STRING: put_string(out, o[i].value); break;
		case AST_OPT_NUMBER: sb_puts(out, o[i].value); break;
		case AST_OPT_IDENT: put_label(out, o[i].value); break;
		}
	}
	sb_putc(out, ')');
}

static void print_create(const AstStmt *s, StrBuf *out)
{
	const AstCreate *c = &s->create;
	sb_puts(out, s->kind == AST_STMT_CREATE_STREAM ? "CREATE STREAM "
		     : s->kind == AST_STMT_CREATE_TABLE ? "CREATE TABLE " : "CREATE SOURCE ");
	if (c->if_not_exists)
		sb_puts(out, "IF NOT EXISTS ");
	put_ident(out, c->name);
	if (c->has_columns) {
		const char *sep = "";
		sb_puts(out, " (");
		for (int i = 0; i < c->ncols; i++) {
			const AstColumnDef *d = &c->cols[i];
			sb_puts(out, sep);
			sep = ", ";
			put_ident(out, d->name);
			sb_putc(out, ' ');
			print_type(d->type, out);
			if (d->not_null)
				sb_puts(out, " NOT NULL");
			if (d->primary_key)
				sb_puts(out, " PRIMARY KEY");
			if (d->default_) {
				sb_puts(out, " DEFAULT ");
				sql_print_expr(d->default_, out);
			}
		}
		if (c->npkey) {
			sb_puts(out, sep);
			sep = ", ";
			sb_puts(out, "PRIMARY KEY ");
			put_ident_list(out, c->pkey, c->npkey);
		}
		if (c->wm_col) {
			sb_puts(out, sep);
			sb_puts(out, "WATERMARK FOR ");
			put_ident(out, c->wm_col);
			sb_puts(out, " AS ");
			sql_print_expr(c->wm_expr, out);
		}
		sb_putc(out, ')');
	}
	if (c->nopts)
		print_options(c->opts, c->nopts, out);
	if (c->format) {
		sb_puts(out, " FORMAT ");
		sb_puts(out, c->format);
	}
}

static void print_name_list(char *const *names, int n, StrBuf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		put_ident(out, names[i]);
	}
}

void sql_print(const AstStmt *s, StrBuf *out)
{
	switch (s->kind) {
	case AST_STMT_QUERY:
		print_query(s->query, out);
		break;
	case AST_STMT_CREATE_STREAM:
	case AST_STMT_CREATE_TABLE:
	case AST_STMT_CREATE_SOURCE:
		print_create(s, out);
		break;
	case AST_STMT_CREATE_MVIEW:
		sb_puts(out, "CREATE MATERIALIZED VIEW ");
		if (s->mview.if_not_exists)
			sb_puts(out, "IF NOT EXISTS ");
		put_ident(out, s->mview.name);
		if (s->mview.nopts)
			print_options(s->mview.opts, s->mview.nopts, out);
		sb_puts(out, " AS ");
		print_query(s->mview.query, out);
		break;
	case AST_STMT_CREATE_SINK:
		sb_puts(out, "CREATE SINK ");
		if (s->sink.if_not_exists)
			sb_puts(out, "IF NOT EXISTS ");
		put_ident(out, s->sink.name);
		if (s->sink.from) {
			sb_puts(out, " FROM ");
			put_ident(out, s->sink.from);
		} else {
			sb_puts(out, " AS ");
			print_query(s->sink.query, out);
		}
		if (s->sink.nopts)
			print_options(s->sink.opts, s->sink.nopts, out);
		if (s->sink.format) {
			sb_puts(out, " FORMAT ");
			sb_puts(out, s->sink.format);
		}
		break;
	case AST_STMT_DROP: {
		static const char *const objs[] = {
			[AST_OBJ_STREAM] = "STREAM", [AST_OBJ_TABLE] = "TABLE",
			[AST_OBJ_SOURCE] = "SOURCE", [AST_OBJ_MVIEW] = "MATERIALIZED VIEW",
			[AST_OBJ_SINK] = "SINK", [AST_OBJ_VIEW] = "VIEW"};
		sb_printf(out, "DROP %s ", objs[s->drop.obj]);
		if (s->drop.if_exists)
			sb_puts(out, "IF EXISTS ");
		print_name_list(s->drop.names, s->drop.nnames, out);
		if (s->drop.cascade)
			sb_puts(out, " CASCADE");
		break;
	}
	case AST_STMT_INSERT:
		sb_puts(out, "INSERT INTO ");
		put_ident(out, s->insert.table);
		if (s->insert.ncols) {
			sb_putc(out, ' ');
			put_ident_list(out, s->insert.cols, s->insert.ncols);
		}
		sb_putc(out, ' ');
		print_query(s->insert.query, out);
		break;
	case AST_STMT_DELETE:
		sb_puts(out, "DELETE FROM ");
		put_ident(out, s->del.table);
		if (s->del.where) {
			sb_puts(out, " WHERE ");
			sql_print_expr(s->del.where, out);
		}
		break;
	case AST_STMT_UPDATE:
		sb_puts(out, "UPDATE ");
		put_ident(out, s->update.table);
		sb_puts(out, " SET ");
		for (int i = 0; i < s->update.nsets; i++) {
			if (i)
				sb_puts(out, ", ");
			put_ident(out, s->update.sets[i].col);
			sb_puts(out, " = ");
			sql_print_expr(s->update.sets[i].expr, out);
		}
		if (s->update.where) {
			sb_puts(out, " WHERE ");
			sql_print_expr(s->update.where, out);
		}
		break;
	case AST_STMT_EXPLAIN:
		sb_puts(out, s->explain.verbose ? "EXPLAIN VERBOSE " : "EXPLAIN ");
		sql_print(s->explain.stmt, out);
		break;
	case AST_STMT_SHOW:
		switch (s->show.what) {
		case AST_SHOW_STREAMS: sb_puts(out, "SHOW STREAMS"); break;
		case AST_SHOW_TABLES: sb_puts(out, "SHOW TABLES"); break;
		case AST_SHOW_MVIEWS: sb_puts(out, "SHOW MATERIALIZED VIEWS"); break;
		case AST_SHOW_SOURCES: sb_puts(out, "SHOW SOURCES"); break;
		case AST_SHOW_SINKS: sb_puts(out, "SHOW SINKS"); break;
		case AST_SHOW_COLUMNS:
			sb_puts(out, "SHOW COLUMNS FROM ");
			put_ident(out, s->show.name);
			break;
		case AST_SHOW_PARAM:
			sb_puts(out, "SHOW ");
			put_label(out, s->show.name);
			break;
		}
		break;
	case AST_STMT_DESCRIBE:
		sb_puts(out, "DESCRIBE ");
		put_ident(out, s->describe.name);
		break;
	case AST_STMT_FLUSH: sb_puts(out, "FLUSH"); break;
	case AST_STMT_BEGIN: sb_puts(out, "BEGIN"); break;
	case AST_STMT_COMMIT: sb_puts(out, "COMMIT"); break;
	case AST_STMT_ROLLBACK: sb_puts(out, "ROLLBACK"); break;
	case AST_STMT_SET:
		sb_puts(out, s->set.local ? "SET LOCAL " : "SET ");
		put_label(out, s->set.name);
		sb_puts(out, " = ");
		if (strcmp(s->set.value, "DEFAULT") == 0)
			sb_puts(out, "DEFAULT");
		else
			put_string(out, s->set.value);
		break;
	case AST_STMT_CREATE_USER:
	case AST_STMT_ALTER_USER:
	case AST_STMT_DROP_USER:
		sb_puts(out, s->kind == AST_STMT_CREATE_USER  ? "CREATE USER "
			     : s->kind == AST_STMT_ALTER_USER ? "ALTER USER "
							      : "DROP USER ");
		if (s->user.if_exists)
			sb_puts(out, "IF EXISTS ");
		put_ident(out, s->user.name);
		if (s->user.has_password) {
			sb_puts(out, " PASSWORD ");
			if (s->user.password)
				put_string(out, s->user.password);
			else
				sb_puts(out, "NULL");
		}
		break;
	}
}
