/* syscat.c: the system catalog as PostgreSQL clients read it (pg_catalog, information_schema).
 *
 * Layer: plan. psql's \d commands and drivers' introspection read pg_class, pg_attribute,
 * pg_namespace, pg_type, pg_roles ... . Here each such relation is generated from the catalog
 * when a query names it: the binder gets a VALUES operator holding the relation's rows as of now
 * (a database holds tens of objects, so this costs microseconds), so every query feature works on
 * them unchanged and nothing can be written to them. Nothing is keyed on query text: the rows
 * are what the catalog holds, the functions below are what PostgreSQL's do.
 *
 * Mapping (docs/server.md): streams and tables are relkind 'r' (tables), sources 'f' (foreign
 * tables: their rows live outside), materialized views 'm'; user objects live in schema public
 * and have oid 16384 + id (PostgreSQL's first normal oid), system relations keep PostgreSQL's
 * oids, the bootstrap user "eddy" is oid 10, CREATE USER users 16384 + id. Oid columns are bigint.
 *
 * The catalog functions (pg_get_userbyid, format_type, pg_table_is_visible, ...) are SQL
 * expressions over their arguments arg1, arg2 ..., written out from the catalog when bound (a
 * CASE over the users for pg_get_userbyid), then bound like any expression. Also here: the
 * casts to regclass / regtype / oid ..., and binding CREATE / ALTER / DROP USER (the engine runs
 * them, engine/syscat.c). Never changes the catalog.
 */
#include "plan/bind_int.h"

#include "sql/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OID_FIRST_NORMAL 16384
#define OID_BOOTSTRAP_USER 10
#define OID_NS_CATALOG 11
#define OID_NS_PUBLIC 2200
#define OID_NS_INFO 13183
#define OID_DATABASE 16384
#define UTF8_ENCODING 6
#define EDDY_SYSCAT_VERSION "0.1.0"

/* ---- types as pg_type lists them: eddy's types, then the ones only catalog columns have. */

typedef struct SysType {
	int oid;
	const char *typname;
	const char *format;  /* format_type's name */
	int len;
	char category;
	TypeId type;         /* eddy's type of values (T_NULL: a catalog-only type) */
	int elem;            /* typelem: an array's element type oid, else 0 */
} SysType;

static const SysType sys_types[] = {
	{16, "bool", "boolean", 1, 'B', T_BOOL, 0},
	{21, "int2", "smallint", 2, 'N', T_INT2, 0},
	{23, "int4", "integer", 4, 'N', T_INT4, 0},
	{20, "int8", "bigint", 8, 'N', T_INT8, 0},
	{700, "float4", "real", 4, 'N', T_FLOAT4, 0},
	{701, "float8", "double precision", 8, 'N', T_FLOAT8, 0},
	{1700, "numeric", "numeric", -1, 'N', T_NUMERIC, 0},
	{1043, "varchar", "character varying", -1, 'S', T_VARCHAR, 0},
	{1114, "timestamp", "timestamp without time zone", 8, 'D', T_TIMESTAMP, 0},
	{1184, "timestamptz", "timestamp with time zone", 8, 'D', T_TIMESTAMPTZ, 0},
	{1082, "date", "date", 4, 'D', T_DATE, 0},
	{1186, "interval", "interval", 16, 'T', T_INTERVAL, 0},
	{25, "text", "text", -1, 'S', T_NULL, 0},
	{19, "name", "name", 64, 'S', T_NULL, 0},
	{18, "char", "\"char\"", 1, 'Z', T_NULL, 0},
	{26, "oid", "oid", 4, 'N', T_NULL, 0},
	/* arrays (typcategory 'A'), after their element types */
	{1000, "_bool", "boolean[]", -1, 'A', T_BOOL_ARRAY, 16},
	{1005, "_int2", "smallint[]", -1, 'A', T_INT2_ARRAY, 21},
	{1007, "_int4", "integer[]", -1, 'A', T_INT4_ARRAY, 23},
	{1016, "_int8", "bigint[]", -1, 'A', T_INT8_ARRAY, 20},
	{1021, "_float4", "real[]", -1, 'A', T_FLOAT4_ARRAY, 700},
	{1022, "_float8", "double precision[]", -1, 'A', T_FLOAT8_ARRAY, 701},
	{1231, "_numeric", "numeric[]", -1, 'A', T_NUMERIC_ARRAY, 1700},
	{1015, "_varchar", "character varying[]", -1, 'A', T_VARCHAR_ARRAY, 1043},
	{1115, "_timestamp", "timestamp without time zone[]", -1, 'A', T_TIMESTAMP_ARRAY, 1114},
	{1185, "_timestamptz", "timestamp with time zone[]", -1, 'A', T_TIMESTAMPTZ_ARRAY, 1184},
	{1182, "_date", "date[]", -1, 'A', T_DATE_ARRAY, 1082},
	{1187, "_interval", "interval[]", -1, 'A', T_INTERVAL_ARRAY, 1186},
	{1009, "_text", "text[]", -1, 'A', T_NULL, 25},
	{1028, "_oid", "oid[]", -1, 'A', T_NULL, 26},
};
#define NTYPES ((int)(sizeof sys_types / sizeof sys_types[0]))

static const SysType *type_of(TypeId t)
{
	for (int i = 0; i < NTYPES; i++)
		if (sys_types[i].type == t)
			return &sys_types[i];
	return &sys_types[7]; /* varchar: never reached for eddy's own types */
}

/* Column type codes of the relations below: o oid, n name, t text, c "char", b bool, s int2,
 * i int4, f float4, z timestamptz. Values are bigint, text or their own type. */
static TypeId code_type(char c)
{
	switch (c) {
	case 'o': return T_INT8;
	case 'b': return T_BOOL;
	case 's': return T_INT2;
	case 'i': return T_INT4;
	case 'f': return T_FLOAT4;
	case 'z': return T_TIMESTAMPTZ;
	case 'S': return T_INT2_ARRAY;
	case 'O': return T_INT8_ARRAY;
	case 'T': return T_VARCHAR_ARRAY;
	default: return T_VARCHAR;
	}
}

static int code_typoid(char c)
{
	switch (c) {
	case 'o': return 26;
	case 'n': return 19;
	case 'c': return 18;
	case 'b': return 16;
	case 's': return 21;
	case 'i': return 23;
	case 'f': return 700;
	case 'z': return 1184;
	case 'S': return 1005;
	case 'O': return 1028;
	case 'T': return 1009;
	default: return 25;
	}
}

/* ---- row generation */

typedef struct Gen {
	Binder *b;
	LogicalOp *op;
	const char *codes;  /* one code per column */
	int cap;
	Err *e;
} Gen;

/* Appends one row; vals[i] is column i's text (NULL: SQL NULL). */
static void row(Gen *g, const char *const *vals)
{
	LogicalOp *op = g->op;
	if (op->nrows == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		Expr ***rows = arena_alloc(g->b->a, (size_t)g->cap * sizeof *rows);
		if (op->nrows)
			memcpy(rows, op->rows, (size_t)op->nrows * sizeof *rows);
		op->rows = rows;
	}
	Expr **r = arena_alloc(g->b->a, (size_t)op->ncols * sizeof *r);
	for (int c = 0; c < op->ncols; c++) {
		TypeId t = op->cols[c].type;
		Value v = value_null(t);
		const char *s = vals[c];
		if (s) {
			switch (t) {
			case T_VARCHAR:
				v.null = false;
				v.u.s.p = arena_strdup(g->b->a, s);
				v.u.s.len = (uint32_t)strlen(s);
				break;
			case T_BOOL: v = value_int(T_BOOL, s[0] == 't'); break;
			case T_FLOAT4:
				v.null = false;
				v.u.f = strtod(s, NULL);
				break;
			case T_TIMESTAMPTZ: break; /* never set */
			case T_INT2_ARRAY:
			case T_INT8_ARRAY:
			case T_VARCHAR_ARRAY:
				if (value_parse(t, s, strlen(s), &v, g->b->a, g->e) < 0)
					v = value_null(t); /* the generators write well-formed arrays */
				break;
			default: v = value_int(t, strtoll(s, NULL, 10)); break;
			}
		}
		r[c] = expr_const(g->b->a, &v, 0);
	}
	op->rows[op->nrows++] = r;
}

/* Formats a number into one of a row's buffers. */
#define NUM(buf, x) (snprintf(buf, sizeof buf, "%lld", (long long)(x)), (const char *)buf)

typedef struct SysRel SysRel;
typedef void (*GenFn)(Gen *g, const SysRel *rel);

struct SysRel {
	const char *schema;  /* "pg_catalog" or "information_schema" */
	const char *name;
	int oid;
	char kind;           /* relkind: 'r' table, 'v' view */
	const char *cols;    /* "name:code name:code ..." */
	GenFn gen;           /* NULL: always empty */
};

static int64_t obj_oid(const CatObject *o) { return OID_FIRST_NORMAL + (int64_t)o->id; }
static int64_t user_oid(const CatUser *u)
{
	return strcmp(u->name, CATALOG_BOOTSTRAP_USER) == 0 ? OID_BOOTSTRAP_USER
							     : OID_FIRST_NORMAL + (int64_t)u->id;
}

static char relkind_of(const CatObject *o)
{
	switch (o->kind) {
	case OBJ_STREAM:
	case OBJ_TABLE: return 'r';
	case OBJ_SOURCE: return 'f';
	case OBJ_MVIEW: return 'm';
	default: return 0; /* not a relation */
	}
}

/* PostgreSQL's atttypmod: the declared modifier + 4 (VARHDRSZ), -1 none. */
static int pg_typmod(const ColumnDef *c) { return c->typmod >= 0 ? c->typmod + 4 : -1; }

static const SysRel sys_rels[];
static const int nsys_rels;

static int ncodes(const SysRel *r)
{
	int n = 0;
	for (const char *p = r->cols; *p; p++)
		n += *p == ':';
	return n;
}

static void gen_namespace(Gen *g, const SysRel *rel)
{
	char o[24], w[24];
	NUM(w, OID_BOOTSTRAP_USER);
	const char *r1[] = {NUM(o, OID_NS_CATALOG), "pg_catalog", w, NULL};
	row(g, r1);
	const char *r2[] = {NUM(o, OID_NS_PUBLIC), "public", w, NULL};
	row(g, r2);
	const char *r3[] = {NUM(o, OID_NS_INFO), "information_schema", w, NULL};
	row(g, r3);
}

static void class_row(Gen *g, int64_t oid, const char *name, int64_t ns, char kind, int natts)
{
	char o[24], n[24], w[24], k[2] = {kind, 0}, a[24];
	const char *v[] = {NUM(o, oid), name, NUM(n, ns), "0", "0", NUM(w, OID_BOOTSTRAP_USER),
			   kind == 'r' || kind == 'm' ? "2" : "0", "0", "0", "-1", "0", "f", "f",
			   "p", k, NUM(a, natts), "0", "f", "f", "f", "f", "f", "t", "d", "f",
			   NULL, NULL, NULL, "0"};
	row(g, v);
}

static void gen_class(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < nsys_rels; i++) {
		const SysRel *r = &sys_rels[i];
		class_row(g, r->oid, r->name,
			  strcmp(r->schema, "pg_catalog") == 0 ? OID_NS_CATALOG : OID_NS_INFO,
			  r->kind, ncodes(r));
	}
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (relkind_of(o))
			class_row(g, obj_oid(o), o->name, OID_NS_PUBLIC, relkind_of(o), o->ncols);
	}
}

static void attr_row(Gen *g, int64_t rel, const char *name, int typoid, int len, int num,
		     int typmod, bool notnull)
{
	char r[24], t[24], l[24], n[24], m[24];
	/* attstorage as PostgreSQL's types have it: plain for fixed widths, main for numeric,
	 * extended for the other variable-width types. */
	const char *storage = len > 0 ? "p" : typoid == 1700 ? "m" : "x";
	const char *v[] = {NUM(r, rel), name, NUM(t, typoid), NUM(l, len), NUM(n, num),
			   NUM(m, typmod), notnull ? "t" : "f", "f", "", "", "f", "t", "0", "0",
			   storage, "", "-1", NULL, NULL};
	row(g, v);
}

static void gen_attribute(Gen *g, const SysRel *rel)
{
	char name[64];
	for (int i = 0; i < nsys_rels; i++) {
		const SysRel *r = &sys_rels[i];
		int num = 0;
		for (const char *p = r->cols; *p;) {
			size_t k = strcspn(p, ":");
			snprintf(name, sizeof name, "%.*s", (int)k, p);
			char code = p[k + 1];
			const SysType *st = NULL;
			for (int j = 0; j < NTYPES; j++)
				if (sys_types[j].oid == code_typoid(code))
					st = &sys_types[j];
			attr_row(g, r->oid, name, st->oid, st->len, ++num, -1, false);
			p += k + 2;
			p += *p == ' ';
		}
	}
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (!relkind_of(o))
			continue;
		for (int c = 0; c < o->ncols; c++) {
			const SysType *st = type_of(o->cols[c].type);
			attr_row(g, obj_oid(o), o->cols[c].name, st->oid, st->len, c + 1,
				 pg_typmod(&o->cols[c]), o->cols[c].not_null);
		}
	}
}

static void gen_type(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < NTYPES; i++) {
		const SysType *t = &sys_types[i];
		char o[24], ns[24], w[24], l[24], el[24], c[2] = {t->category, 0};
		const char *v[] = {NUM(o, t->oid), t->typname, NUM(ns, OID_NS_CATALOG),
				   NUM(w, OID_BOOTSTRAP_USER), NUM(l, t->len), "b", c, "t", "0",
				   NUM(el, t->elem), "0", "-1", t->category == 'S' ? "100" : "0"};
		row(g, v);
	}
}

static void gen_am(Gen *g, const SysRel *rel)
{
	const char *v[] = {"2", "heap", "heap_tableam_handler", "t"};
	row(g, v);
}

static void gen_roles(Gen *g, const SysRel *rel)
{
	Catalog *cat = g->b->cat;
	char o[24];
	bool boot = catalog_find_user(cat, CATALOG_BOOTSTRAP_USER) != NULL;
	if (!boot) {
		const char *v[] = {NUM(o, OID_BOOTSTRAP_USER), CATALOG_BOOTSTRAP_USER, "t", "t", "t",
				   "t", "t", "t", "-1", "********", NULL, "t"};
		row(g, v);
	}
	for (int i = 0; i < catalog_user_count(cat); i++) {
		const CatUser *u = catalog_user_at(cat, i);
		bool su = strcmp(u->name, CATALOG_BOOTSTRAP_USER) == 0;
		const char *s = su ? "t" : "f";
		const char *v[] = {NUM(o, user_oid(u)), u->name, s, "t", s, s, "t", s, "-1",
				   "********", NULL, s};
		row(g, v);
	}
}

/* pg_user: the same users under other column names. */
static void gen_user(Gen *g, const SysRel *rel)
{
	Catalog *cat = g->b->cat;
	char o[24];
	if (!catalog_find_user(cat, CATALOG_BOOTSTRAP_USER)) {
		const char *v[] = {CATALOG_BOOTSTRAP_USER, NUM(o, OID_BOOTSTRAP_USER), "t", "t", "t",
				   "t", "********"};
		row(g, v);
	}
	for (int i = 0; i < catalog_user_count(cat); i++) {
		const CatUser *u = catalog_user_at(cat, i);
		const char *s = strcmp(u->name, CATALOG_BOOTSTRAP_USER) == 0 ? "t" : "f";
		const char *v[] = {u->name, NUM(o, user_oid(u)), s, s, s, s, "********"};
		row(g, v);
	}
}

static void gen_database(Gen *g, const SysRel *rel)
{
	char o[24], w[24], e[24];
	const char *v[] = {NUM(o, OID_DATABASE), "eddy", NUM(w, OID_BOOTSTRAP_USER),
			   NUM(e, UTF8_ENCODING), "c", "f", "t", "-1", "C.UTF-8", "C.UTF-8",
			   NULL, NULL};
	row(g, v);
}

static void gen_constraint(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (o->kind != OBJ_TABLE || o->npk == 0)
			continue;
		StrBuf key;
		sb_init(&key);
		sb_putc(&key, '{');
		for (int k = 0; k < o->npk; k++)
			sb_printf(&key, "%s%d", k ? "," : "", o->pk[k] + 1);
		sb_putc(&key, '}');
		char oid[24], ns[24], rel_oid[24];
		char *name = arena_printf(g->b->a, "%s_pkey", o->name);
		/* The constraint's oid: the table's, negated, cannot clash with any other oid. */
		const char *v[] = {NUM(oid, -obj_oid(o)), name, NUM(ns, OID_NS_PUBLIC), "p",
				   NUM(rel_oid, obj_oid(o)), key.data};
		row(g, v);
		sb_deinit(&key);
	}
}

/* The collations eddy's strings compare by (bytes, so all three are "C"). */
static void gen_collation(Gen *g, const SysRel *rel)
{
	static const char *const rows[][2] = {{"100", "default"}, {"950", "C"}, {"951", "POSIX"}};
	char ns[24], w[24];
	for (int i = 0; i < 3; i++) {
		const char *v[] = {rows[i][0], rows[i][1], NUM(ns, OID_NS_CATALOG),
				   NUM(w, OID_BOOTSTRAP_USER), i ? "c" : "d", "-1", "C", "C"};
		row(g, v);
	}
}

/* A view's definition as pg_get_viewdef and pg_matviews show it: the query after AS as it was
 * written, with PostgreSQL's leading space and closing semicolon. */
static const char *view_definition(Binder *b, const CatObject *o)
{
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	if (sql_parse(o->sql, b->a, &st, &n, &e) < 0 || n != 1 ||
	    st[0]->kind != AST_STMT_CREATE_MVIEW)
		return o->sql;
	const char *q = o->sql + st[0]->mview.query_offset;
	size_t len = strlen(q);
	while (len && (q[len - 1] == ';' || q[len - 1] == ' ' || q[len - 1] == '\n'))
		len--;
	return arena_printf(b->a, " %.*s;", (int)len, q);
}

static void gen_matviews(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (o->kind == OBJ_MVIEW) {
			const char *v[] = {"public", o->name, CATALOG_BOOTSTRAP_USER, NULL, "f", "t",
					   view_definition(g->b, o)};
			row(g, v);
		}
	}
}

static void gen_tables(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (relkind_of(o) == 'r' || relkind_of(o) == 'f') {
			const char *v[] = {"public", o->name, CATALOG_BOOTSTRAP_USER, NULL, "f", "f",
					   "f", "f"};
			row(g, v);
		}
	}
}

static void gen_is_schemata(Gen *g, const SysRel *rel)
{
	static const char *const names[] = {"pg_catalog", "public", "information_schema"};
	for (int i = 0; i < 3; i++) {
		const char *v[] = {"eddy", names[i], CATALOG_BOOTSTRAP_USER};
		row(g, v);
	}
}

static void gen_is_tables(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < nsys_rels; i++) {
		const SysRel *r = &sys_rels[i];
		const char *v[] = {"eddy", r->schema, r->name,
				   r->kind == 'v' ? "VIEW" : "BASE TABLE", "NO"};
		row(g, v);
	}
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		char k = relkind_of(o);
		if (!k)
			continue;
		const char *type = k == 'f' ? "FOREIGN" : k == 'm' ? "MATERIALIZED VIEW"
							       : "BASE TABLE";
		const char *v[] = {"eddy", "public", o->name, type, o->kind == OBJ_TABLE ? "YES"
											 : "NO"};
		row(g, v);
	}
}

/* Sources are foreign tables: each has its own foreign server named after its connector, and
 * its other WITH options as the table's options ('name=value' elements, as PostgreSQL keeps
 * them). The server's oid is the source's oid + SERVER_OID_OFFSET. */
#define SERVER_OID_OFFSET 1000000000

static const char *connector_of(const CatObject *o)
{
	for (int k = 0; k < o->nopts; k++)
		if (strcmp(o->opts[k].key, "connector") == 0)
			return o->opts[k].value;
	return "";
}

static void gen_foreign_server(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (o->kind != OBJ_SOURCE)
			continue;
		char oid[24], w[24];
		const char *v[] = {NUM(oid, obj_oid(o) + SERVER_OID_OFFSET), connector_of(o),
				   NUM(w, OID_BOOTSTRAP_USER), "0", NULL, NULL, NULL, NULL};
		row(g, v);
	}
}

static void gen_foreign_table(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (o->kind != OBJ_SOURCE)
			continue;
		/* {"k=v",...}: every element quoted, quotes and backslashes escaped. */
		StrBuf opts;
		sb_init(&opts);
		sb_putc(&opts, '{');
		for (int k = 0, n = 0; k < o->nopts; k++) {
			if (strcmp(o->opts[k].key, "connector") == 0)
				continue;
			sb_puts(&opts, n++ ? ",\"" : "\"");
			char *kv = arena_printf(g->b->a, "%s=%s", o->opts[k].key, o->opts[k].value);
			for (const char *c = kv; *c; c++) {
				if (*c == '"' || *c == '\\')
					sb_putc(&opts, '\\');
				sb_putc(&opts, *c);
			}
			sb_putc(&opts, '"');
		}
		sb_putc(&opts, '}');
		char rel_oid[24], srv[24];
		const char *v[] = {NUM(rel_oid, obj_oid(o)), NUM(srv, obj_oid(o) + SERVER_OID_OFFSET),
				   opts.data};
		row(g, v);
		sb_deinit(&opts);
	}
}

static void gen_is_columns(Gen *g, const SysRel *rel)
{
	for (int i = 0; i < catalog_count(g->b->cat); i++) {
		const CatObject *o = catalog_at(g->b->cat, i);
		if (!relkind_of(o))
			continue;
		for (int c = 0; c < o->ncols; c++) {
			const ColumnDef *d = &o->cols[c];
			const SysType *st = type_of(d->type);
			char pos[24], len[24], prec[24], scale[24];
			bool vc = d->type == T_VARCHAR && d->typmod >= 0;
			bool num = d->type == T_NUMERIC && d->typmod >= 0;
			const char *v[] = {"eddy", "public", o->name, d->name, NUM(pos, c + 1), NULL,
					   d->not_null ? "NO" : "YES", st->format,
					   vc ? NUM(len, d->typmod) : NULL,
					   num ? NUM(prec, d->typmod >> 16) : NULL,
					   num ? NUM(scale, d->typmod & 0xffff) : NULL, st->typname};
			row(g, v);
		}
	}
}

static const SysRel sys_rels[] = {
	{"pg_catalog", "pg_namespace", 2615, 'r', "oid:o nspname:n nspowner:o nspacl:T",
	 gen_namespace},
	{"pg_catalog", "pg_class", 1259, 'r',
	 "oid:o relname:n relnamespace:o reltype:o reloftype:o relowner:o relam:o relfilenode:o "
	 "reltablespace:o relpages:i reltuples:f relhasindex:b relisshared:b relpersistence:c "
	 "relkind:c relnatts:s relchecks:s relhasrules:b relhastriggers:b relhassubclass:b "
	 "relrowsecurity:b relforcerowsecurity:b relispopulated:b relreplident:c "
	 "relispartition:b relacl:T reloptions:T relpartbound:t reltoastrelid:o",
	 gen_class},
	{"pg_catalog", "pg_attribute", 1249, 'r',
	 "attrelid:o attname:n atttypid:o attlen:s attnum:s atttypmod:i attnotnull:b "
	 "atthasdef:b attidentity:c attgenerated:c attisdropped:b attislocal:b attinhcount:i "
	 "attcollation:o attstorage:c attcompression:c attstattarget:i attoptions:T "
	 "attfdwoptions:T",
	 gen_attribute},
	{"pg_catalog", "pg_type", 1247, 'r',
	 "oid:o typname:n typnamespace:o typowner:o typlen:s typtype:c typcategory:c "
	 "typisdefined:b typrelid:o typelem:o typbasetype:o typtypmod:i typcollation:o",
	 gen_type},
	{"pg_catalog", "pg_am", 2601, 'r', "oid:o amname:n amhandler:t amtype:c", gen_am},
	{"pg_catalog", "pg_index", 2610, 'r',
	 "indexrelid:o indrelid:o indnatts:s indisunique:b indisprimary:b indkey:S", NULL},
	{"pg_catalog", "pg_attrdef", 2604, 'r', "oid:o adrelid:o adnum:s adbin:t", NULL},
	{"pg_catalog", "pg_constraint", 2606, 'r',
	 "oid:o conname:n connamespace:o contype:c conrelid:o conkey:S", gen_constraint},
	{"pg_catalog", "pg_description", 2609, 'r',
	 "objoid:o classoid:o objsubid:i description:t", NULL},
	{"pg_catalog", "pg_database", 1262, 'r',
	 "oid:o datname:n datdba:o encoding:i datlocprovider:c datistemplate:b datallowconn:b "
	 "datconnlimit:i datcollate:t datctype:t daticulocale:t datacl:T",
	 gen_database},
	{"pg_catalog", "pg_roles", 12001, 'v',
	 "oid:o rolname:n rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b "
	 "rolreplication:b rolconnlimit:i rolpassword:t rolvaliduntil:z rolbypassrls:b",
	 gen_roles},
	{"pg_catalog", "pg_user", 12002, 'v',
	 "usename:n usesysid:o usecreatedb:b usesuper:b userepl:b usebypassrls:b passwd:t",
	 gen_user},
	{"pg_catalog", "pg_auth_members", 1261, 'r',
	 "roleid:o member:o grantor:o admin_option:b", NULL},
	{"pg_catalog", "pg_matviews", 12003, 'v',
	 "schemaname:n matviewname:n matviewowner:n tablespace:n hasindexes:b ispopulated:b "
	 "definition:t",
	 gen_matviews},
	{"pg_catalog", "pg_views", 12004, 'v',
	 "schemaname:n viewname:n viewowner:n definition:t", NULL},
	{"pg_catalog", "pg_tables", 12005, 'v',
	 "schemaname:n tablename:n tableowner:n tablespace:n hasindexes:b hasrules:b "
	 "hastriggers:b rowsecurity:b",
	 gen_tables},
	{"pg_catalog", "pg_collation", 3456, 'r',
	 "oid:o collname:n collnamespace:o collowner:o collprovider:c collencoding:i "
	 "collcollate:t collctype:t",
	 gen_collation},
	{"pg_catalog", "pg_inherits", 2611, 'r',
	 "inhrelid:o inhparent:o inhseqno:i inhdetachpending:b", NULL},
	{"pg_catalog", "pg_policy", 3256, 'r',
	 "oid:o polname:n polrelid:o polcmd:c polpermissive:b polroles:O polqual:t "
	 "polwithcheck:t",
	 NULL},
	{"pg_catalog", "pg_statistic_ext", 3381, 'r',
	 "oid:o stxrelid:o stxname:n stxnamespace:o stxowner:o stxstattarget:i stxkeys:S "
	 "stxkind:T",
	 NULL},
	{"pg_catalog", "pg_publication", 6104, 'r',
	 "oid:o pubname:n pubowner:o puballtables:b pubinsert:b pubupdate:b pubdelete:b "
	 "pubtruncate:b pubviaroot:b",
	 NULL},
	{"pg_catalog", "pg_publication_namespace", 6237, 'r', "oid:o pnpubid:o pnnspid:o", NULL},
	{"pg_catalog", "pg_publication_rel", 6106, 'r',
	 "oid:o prpubid:o prrelid:o prqual:t prattrs:S", NULL},
	{"pg_catalog", "pg_trigger", 2620, 'r',
	 "oid:o tgrelid:o tgparentid:o tgname:n tgfoid:o tgtype:s tgenabled:c tgisinternal:b",
	 NULL},
	{"pg_catalog", "pg_foreign_server", 1417, 'r',
	 "oid:o srvname:n srvowner:o srvfdw:o srvtype:t srvversion:t srvacl:T srvoptions:T",
	 gen_foreign_server},
	{"pg_catalog", "pg_foreign_table", 3118, 'r', "ftrelid:o ftserver:o ftoptions:T",
	 gen_foreign_table},
	{"pg_catalog", "pg_rewrite", 2618, 'r',
	 "oid:o rulename:n ev_class:o ev_type:c ev_enabled:c is_instead:b", NULL},
	{"information_schema", "schemata", 13001, 'v',
	 "catalog_name:n schema_name:n schema_owner:n", gen_is_schemata},
	{"information_schema", "tables", 13002, 'v',
	 "table_catalog:n table_schema:n table_name:n table_type:t is_insertable_into:t",
	 gen_is_tables},
	{"information_schema", "columns", 13003, 'v',
	 "table_catalog:n table_schema:n table_name:n column_name:n ordinal_position:i "
	 "column_default:t is_nullable:t data_type:t character_maximum_length:i "
	 "numeric_precision:i numeric_scale:i udt_name:n",
	 gen_is_columns},
};
static const int nsys_rels = (int)(sizeof sys_rels / sizeof sys_rels[0]);

/* The system relation a name refers to: "pg_class" and "pg_catalog.pg_class" (pg_catalog is
 * searched first), "information_schema.tables" (only qualified, as it is not on the path). */
static const SysRel *find_rel(const char *name)
{
	const char *dot = strchr(name, '.');
	for (int i = 0; i < nsys_rels; i++) {
		const SysRel *r = &sys_rels[i];
		if (!dot ? strcmp(r->schema, "pg_catalog") == 0 && strcmp(r->name, name) == 0
			 : strncmp(r->schema, name, (size_t)(dot - name)) == 0 &&
				   r->schema[dot - name] == '\0' && strcmp(r->name, dot + 1) == 0)
			return r;
	}
	return NULL;
}

LogicalOp *syscat_relation(Binder *b, const char *name, int loc, Scope *scope, const char *qual)
{
	const SysRel *r = find_rel(name);
	if (!r) {
		if (strncmp(name, "pg_catalog.", 11) == 0 ||
		    strncmp(name, "information_schema.", 19) == 0)
			err_set_pos(b->e, ERR_UNDEFINED_TABLE, loc, "relation \"%s\" does not exist",
				    name);
		return NULL;
	}
	int n = ncodes(r);
	LogicalOp *op = lop_new(b->a, LOP_VALUES, n, 0);
	op->append_only = true;
	char *codes = arena_alloc(b->a, (size_t)n + 1);
	int c = 0;
	for (const char *p = r->cols; *p; c++) {
		size_t k = strcspn(p, ":");
		op->cols[c].name = arena_printf(b->a, "%.*s", (int)k, p);
		codes[c] = p[k + 1];
		op->cols[c].type = code_type(p[k + 1]);
		op->cols[c].typmod = -1;
		p += k + 2;
		p += *p == ' ';
	}
	codes[n] = '\0';
	Gen g = {.b = b, .op = op, .codes = codes, .e = b->e};
	if (r->gen)
		r->gen(&g, r);
	if (!op->rows)
		op->rows = arena_alloc(b->a, sizeof *op->rows);
	bind_scope_init(b, scope, op, qual && strchr(qual, '.') ? strchr(qual, '.') + 1 : qual);
	return op;
}

/* ---- catalog functions: SQL over arg1, arg2 ... */

typedef struct ColList {
	Expr **v;
	int n, cap;
} ColList;

static void collect_col(Expr *col, void *arg)
{
	ColList *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = mem_realloc(l->v, (size_t)l->cap * sizeof *l->v);
	}
	l->v[l->n++] = col;
}

/* Binds `sql` with args[i] standing for arg<i+1> (each first coerced to types[i]). */
static Expr *macro(BindCx *cx, const char *sql, Expr **args, const TypeId *types, int n, int loc)
{
	Binder *b = cx->b;
	Err *e = b->e;
	Expr **typed = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *typed);
	Scope s = {.ncols = n};
	s.names = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *s.names);
	s.quals = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *s.quals);
	s.types = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *s.types);
	for (int i = 0; i < n; i++) {
		typed[i] = args[i]->type == types[i]
				   ? args[i]
				   : expr_cast(b->a, args[i], types[i], -1, true, loc, e);
		if (!typed[i])
			return NULL;
		s.names[i] = arena_printf(b->a, "arg%d", i + 1);
		s.quals[i] = NULL;
		s.types[i] = types[i];
	}
	AstExpr *ast;
	if (sql_parse_expr(sql, b->a, &ast, e) < 0)
		return NULL;
	BindCx mcx = {.b = b, .scope = &s, .clause = "a catalog function"};
	Expr *x = bind_expr(&mcx, ast);
	if (!x)
		return NULL;
	/* Replace the argument columns: collect them and their numbers first, as the substitutes
	 * hold columns of the caller's row and a node may be reached more than once (a simple
	 * CASE compares the same argument node in every WHEN). */
	ColList cols = {0};
	expr_walk_cols(x, collect_col, &cols);
	int *nums = arena_alloc(b->a, (size_t)(cols.n ? cols.n : 1) * sizeof *nums);
	for (int i = 0; i < cols.n; i++)
		nums[i] = cols.v[i]->col;
	for (int i = 0; i < cols.n; i++)
		*cols.v[i] = *typed[nums[i]];
	mem_free(cols.v);
	if (x->type == T_UNKNOWN)
		x = expr_cast(b->a, x, T_VARCHAR, -1, false, loc, e);
	return x;
}

/* CASE arg1 WHEN <oid> THEN '<name>' ... over the users (pg_get_userbyid, ::regrole). */
static void users_case(Binder *b, StrBuf *sb)
{
	sb_printf(sb, "CASE arg1");
	if (!catalog_find_user(b->cat, CATALOG_BOOTSTRAP_USER))
		sb_printf(sb, " WHEN %d THEN '%s'", OID_BOOTSTRAP_USER, CATALOG_BOOTSTRAP_USER);
	for (int i = 0; i < catalog_user_count(b->cat); i++) {
		const CatUser *u = catalog_user_at(b->cat, i);
		sb_printf(sb, " WHEN %lld THEN ", (long long)user_oid(u));
		sb_puts(sb, "'");
		for (const char *p = u->name; *p; p++)
			sb_puts(sb, *p == '\'' ? "''" : (char[2]){*p, 0});
		sb_puts(sb, "'");
	}
	sb_puts(sb, " ELSE 'unknown (OID=' || arg1::text || ')' END");
}

/* Appends 'text' as an SQL string literal. */
static void put_lit(StrBuf *sb, const char *s)
{
	sb_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_putc(sb, '\'');
		sb_putc(sb, *s);
	}
	sb_putc(sb, '\'');
}

/* CASE arg1 WHEN <relation oid> THEN '<name>' ... (::regclass of an oid, pg_get_viewdef). */
static void rels_case(Binder *b, StrBuf *sb, bool viewdef)
{
	sb_puts(sb, "CASE arg1");
	if (!viewdef)
		for (int i = 0; i < nsys_rels; i++)
			sb_printf(sb, " WHEN %d THEN '%s'", sys_rels[i].oid, sys_rels[i].name);
	for (int i = 0; i < catalog_count(b->cat); i++) {
		const CatObject *o = catalog_at(b->cat, i);
		if (!relkind_of(o) || (viewdef && o->kind != OBJ_MVIEW))
			continue;
		sb_printf(sb, " WHEN %lld THEN ", (long long)obj_oid(o));
		put_lit(sb, viewdef ? view_definition(b, o) : o->name);
	}
	sb_puts(sb, viewdef ? " ELSE NULL::text END" : " ELSE arg1::text END");
}

/* format_type(type oid, typmod) as PostgreSQL prints types. */
static void format_type_sql(StrBuf *sb, const char *typmod)
{
	sb_puts(sb, "CASE arg1");
	for (int i = 0; i < NTYPES; i++) {
		const SysType *t = &sys_types[i];
		sb_printf(sb, " WHEN %d THEN '%s'", t->oid, t->format);
		if (t->type == T_VARCHAR && typmod)
			sb_printf(sb, " || CASE WHEN %s >= 4 THEN '(' || (%s - 4)::text || ')' ELSE '' "
				      "END", typmod, typmod);
		if (t->type == T_NUMERIC && typmod)
			sb_printf(sb, " || CASE WHEN %s >= 4 THEN '(' || ((%s - 4) / 65536)::text || "
				      "',' || ((%s - 4) %% 65536)::text || ')' ELSE '' END",
				  typmod, typmod, typmod);
	}
	sb_puts(sb, " ELSE '\?\?\?' END");
}

/* The relations visible on the search path (pg_catalog, public) without qualification. */
static void visible_sql(Binder *b, StrBuf *sb)
{
	sb_puts(sb, "arg1 IN (");
	int n = 0;
	for (int i = 0; i < nsys_rels; i++)
		if (strcmp(sys_rels[i].schema, "pg_catalog") == 0)
			sb_printf(sb, "%s%d", n++ ? ", " : "", sys_rels[i].oid);
	for (int i = 0; i < catalog_count(b->cat); i++) {
		const CatObject *o = catalog_at(b->cat, i);
		if (relkind_of(o) && !find_rel(o->name))
			sb_printf(sb, ", %lld", (long long)obj_oid(o));
	}
	sb_puts(sb, ")");
}

typedef enum FnId {
	FN_USERBYID, FN_VISIBLE, FN_FORMAT_TYPE, FN_ENCODING, FN_GET_EXPR, FN_NULL_TEXT,
	FN_ARRAY_TO_STRING, FN_SCHEMA, FN_SCHEMAS, FN_DATABASE, FN_USER, FN_VERSION, FN_TRUE,
	FN_VIEWDEF, FN_FALSE, FN_QUOTE_IDENT, FN_QUOTE_LITERAL,
} FnId;

typedef struct SysFunc {
	const char *name;
	int min, max;        /* argument counts */
	FnId id;
	TypeId types[3];     /* argument types */
} SysFunc;

static const SysFunc sys_funcs[] = {
	{"pg_get_userbyid", 1, 1, FN_USERBYID, {T_INT8}},
	{"pg_table_is_visible", 1, 1, FN_VISIBLE, {T_INT8}},
	{"format_type", 2, 2, FN_FORMAT_TYPE, {T_INT8, T_INT4}},
	{"pg_encoding_to_char", 1, 1, FN_ENCODING, {T_INT4}},
	{"pg_get_expr", 2, 3, FN_GET_EXPR, {T_VARCHAR, T_INT8, T_BOOL}},
	{"obj_description", 1, 2, FN_NULL_TEXT, {T_INT8, T_VARCHAR}},
	{"col_description", 2, 2, FN_NULL_TEXT, {T_INT8, T_INT4}},
	{"shobj_description", 2, 2, FN_NULL_TEXT, {T_INT8, T_VARCHAR}},
	{"pg_get_indexdef", 1, 3, FN_NULL_TEXT, {T_INT8, T_INT4, T_BOOL}},
	{"pg_get_statisticsobjdef_columns", 1, 1, FN_NULL_TEXT, {T_INT8}},
	{"pg_relation_is_publishable", 1, 1, FN_FALSE, {T_INT8}},
	{"array_to_string", 2, 2, FN_ARRAY_TO_STRING, {T_VARCHAR, T_VARCHAR}},
	{"current_schema", 0, 0, FN_SCHEMA, {T_NULL}},
	{"current_schemas", 1, 1, FN_SCHEMAS, {T_BOOL}},
	{"current_database", 0, 0, FN_DATABASE, {T_NULL}},
	{"current_catalog", 0, 0, FN_DATABASE, {T_NULL}},
	{"current_user", 0, 0, FN_USER, {T_NULL}},
	{"current_role", 0, 0, FN_USER, {T_NULL}},
	{"session_user", 0, 0, FN_USER, {T_NULL}},
	{"user", 0, 0, FN_USER, {T_NULL}},
	{"version", 0, 0, FN_VERSION, {T_NULL}},
	{"has_table_privilege", 2, 3, FN_TRUE, {T_VARCHAR, T_VARCHAR, T_VARCHAR}},
	{"has_schema_privilege", 2, 3, FN_TRUE, {T_VARCHAR, T_VARCHAR, T_VARCHAR}},
	{"pg_has_role", 2, 3, FN_TRUE, {T_VARCHAR, T_VARCHAR, T_VARCHAR}},
	{"pg_get_viewdef", 1, 2, FN_VIEWDEF, {T_INT8, T_BOOL}},
	{"quote_ident", 1, 1, FN_QUOTE_IDENT, {T_VARCHAR}},
	{"quote_literal", 1, 1, FN_QUOTE_LITERAL, {T_VARCHAR}},
};

Expr *syscat_func(BindCx *cx, const char *name, Expr **args, int nargs, int loc)
{
	const SysFunc *f = NULL;
	for (size_t i = 0; i < sizeof sys_funcs / sizeof sys_funcs[0]; i++)
		if (strcmp(sys_funcs[i].name, name) == 0 && nargs >= sys_funcs[i].min &&
		    nargs <= sys_funcs[i].max)
			f = &sys_funcs[i];
	/* array_to_string of a real array is the function table's; this one reads array text. */
	if (!f || (f->id == FN_ARRAY_TO_STRING && type_is_array(args[0]->type)))
		return NULL;
	Binder *b = cx->b;
	StrBuf sb;
	sb_init(&sb);
	switch (f->id) {
	case FN_USERBYID: users_case(b, &sb); break;
	case FN_VISIBLE: visible_sql(b, &sb); break;
	case FN_FORMAT_TYPE: format_type_sql(&sb, "arg2"); break;
	case FN_ENCODING:
		sb_printf(&sb, "CASE arg1 WHEN %d THEN 'UTF8' ELSE '' END", UTF8_ENCODING);
		break;
	case FN_GET_EXPR: sb_puts(&sb, "arg1"); break;
	case FN_NULL_TEXT: sb_puts(&sb, "NULL::text"); break;
	case FN_ARRAY_TO_STRING: sb_puts(&sb, "replace(btrim(arg1, '{}'), ',', arg2)"); break;
	case FN_SCHEMA: sb_puts(&sb, "'public'"); break;
	case FN_SCHEMAS:
		sb_puts(&sb, "CASE WHEN arg1 THEN '{pg_catalog,public}'::text[] ELSE "
			     "'{public}'::text[] END");
		break;
	case FN_DATABASE: sb_puts(&sb, "'eddy'"); break;
	case FN_USER: sb_puts(&sb, "'" CATALOG_BOOTSTRAP_USER "'"); break;
	case FN_VERSION:
		sb_puts(&sb, "'PostgreSQL 15.0 (eddy " EDDY_SYSCAT_VERSION "), a streaming SQL "
			     "database'");
		break;
	case FN_TRUE: sb_puts(&sb, "true"); break;
	case FN_FALSE: sb_puts(&sb, "false"); break; /* eddy publishes nothing */
	case FN_VIEWDEF: rels_case(b, &sb, true); break;
	case FN_QUOTE_IDENT:
		/* Quoted unless a plain lower-case identifier (PostgreSQL also quotes keywords). */
		sb_puts(&sb, "CASE WHEN arg1 ~ '^[a-z_][a-z0-9_$]*$' THEN arg1 ELSE "
			     "'\"' || replace(arg1, '\"', '\"\"') || '\"' END");
		break;
	case FN_QUOTE_LITERAL:
		sb_puts(&sb, "'''' || replace(arg1, '''', '''''') || ''''");
		break;
	}
	Expr *x = macro(cx, sb.data, args, f->types, nargs, loc);
	sb_deinit(&sb);
	if (!x)
		err_locate(b->e, loc);
	return x;
}

/* x = ANY (a), x <> ALL (a) over a real array: x and the elements converted to their common
 * type, then array_any_eq / array_all_ne (expr/func.c). */
static Expr *quantified_array(BindCx *cx, Expr **args, bool all, int loc)
{
	Binder *b = cx->b;
	TypeId types[2] = {args[0]->type, type_elem(args[1]->type)}, common;
	if (!expr_common_type(types, 2, all ? "ALL" : "ANY", &common, b->e)) {
		err_locate(b->e, loc);
		return NULL;
	}
	if (common == T_NULL || common == T_UNKNOWN)
		common = T_VARCHAR;
	TypeId at = type_array_of(common);
	if (at == T_NULL || !(args[0] = expr_cast(b->a, args[0], common, -1, false, loc, b->e)) ||
	    !(args[1] = expr_cast(b->a, args[1], at, -1, true, loc, b->e))) {
		if (!err_failed(b->e))
			err_set(b->e, ERR_UNDEFINED_FUNCTION, "operator does not exist: %s = %s",
				type_name(types[0]), type_name(args[1]->type));
		err_locate(b->e, loc);
		return NULL;
	}
	Expr *r = expr_func(b->a, all ? "array_all_ne" : "array_any_eq", args, 2, loc, b->e);
	if (!r)
		err_locate(b->e, loc);
	return r;
}

/* `a = ANY (array)` and `a <> ALL (array)` over array text ('{1,2}', as the catalog's array
 * columns and ARRAY(SELECT ...) hold them): whether a's text is one of the elements. Elements
 * are compared as written, so quoted elements ("a b") do not match. */
Expr *syscat_quantified(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const AstExpr *q = x->binary.right, *arr = q->func.args[0];
	bool all = strcmp(q->func.name, "all") == 0;
	if (arr->kind == AST_SUBQUERY)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, q->location,
				   "%s (subquery) is not supported yet", all ? "ALL" : "ANY"),
		       err_hint(b->e, "write x IN (SELECT ...) or EXISTS (SELECT ...)"), NULL;
	if (strcmp(x->binary.op, all ? "<>" : "=") != 0)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "only = ANY (array) and <> ALL (array) are supported"),
		       NULL;
	Expr *args[2] = {bind_expr(cx, x->binary.left), NULL};
	if (!args[0] || !(args[1] = bind_expr(cx, arr)))
		return NULL;
	if (type_is_array(args[1]->type))
		return quantified_array(cx, args, all, x->location);
	static const TypeId types[] = {T_VARCHAR, T_VARCHAR};
	Expr *r = macro(cx,
			all ? "position(',' || arg1 || ',' in ',' || btrim(arg2, '{}') || ',') = 0"
			    : "position(',' || arg1 || ',' in ',' || btrim(arg2, '{}') || ',') > 0",
			args, types, 2, x->location);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

/* The oid of a relation named by text ('x', 'public.x', 'pg_catalog.pg_class'), -1 none. */
static int64_t rel_oid_by_name(Binder *b, const char *name)
{
	const SysRel *r = find_rel(name);
	if (r)
		return r->oid;
	if (strncmp(name, "public.", 7) == 0)
		name += 7;
	const CatObject *o = catalog_find(b->cat, name);
	return o && relkind_of(o) ? obj_oid(o) : -1;
}

Expr *syscat_cast(BindCx *cx, Expr *arg, const char *type, int loc)
{
	Binder *b = cx->b;
	if (strncmp(type, "pg_catalog.", 11) == 0)
		type += 11;
	bool text_arg = arg->type == T_UNKNOWN || arg->type == T_VARCHAR;
	static const TypeId oid_t[] = {T_INT8};
	StrBuf sb;
	sb_init(&sb);
	Expr *x = NULL;
	if (strcmp(type, "oid") == 0 || strcmp(type, "regproc") == 0) {
		x = expr_cast(b->a, arg, T_INT8, -1, true, loc, b->e);
	} else if (strcmp(type, "name") == 0 || strcmp(type, "\"char\"") == 0) {
		x = expr_cast(b->a, arg, T_VARCHAR, -1, true, loc, b->e);
	} else if (strcmp(type, "regclass") == 0 && text_arg) {
		/* 'name'::regclass is the relation's oid, looked up now. */
		Value v;
		if (!expr_is_const(arg) || bind_eval_const(b, arg, &v) < 0 || v.null) {
			sb_deinit(&sb);
			return err_failed(b->e) ? NULL
						 : (err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
								"only constant names can be cast to "
								"regclass"),
						    NULL);
		}
		char *name = arena_printf(b->a, "%.*s", (int)v.u.s.len, v.u.s.p);
		int64_t oid = rel_oid_by_name(b, name);
		if (oid < 0) {
			sb_deinit(&sb);
			return err_set_pos(b->e, ERR_UNDEFINED_TABLE, loc,
					   "relation \"%s\" does not exist", name),
			       NULL;
		}
		Value o = value_int(T_INT8, oid);
		x = expr_const(b->a, &o, loc);
	} else if (strcmp(type, "regclass") == 0) {
		rels_case(b, &sb, false);
	} else if (strcmp(type, "regtype") == 0 && !text_arg) {
		format_type_sql(&sb, NULL);
	} else if (strcmp(type, "regrole") == 0 && !text_arg) {
		users_case(b, &sb);
	} else if (strcmp(type, "regnamespace") == 0 && !text_arg) {
		sb_printf(&sb, "CASE arg1 WHEN %d THEN 'pg_catalog' WHEN %d THEN 'public' WHEN %d "
			       "THEN 'information_schema' ELSE arg1::text END",
			  OID_NS_CATALOG, OID_NS_PUBLIC, OID_NS_INFO);
	}
	if (sb.data && sb.len)
		x = macro(cx, sb.data, &arg, oid_t, 1, loc);
	sb_deinit(&sb);
	if (!x && err_failed(b->e))
		err_locate(b->e, loc);
	return x;
}

/* ---- CREATE / ALTER / DROP USER */

int syscat_bind_user(Binder *b, const AstStmt *st, BoundStmt **out)
{
	const AstUser *u = &st->user;
	bool boot = strcmp(u->name, CATALOG_BOOTSTRAP_USER) == 0;
	bool exists = boot || catalog_find_user(b->cat, u->name);
	char op = st->kind == AST_STMT_CREATE_USER ? 'c' : st->kind == AST_STMT_ALTER_USER ? 'a'
												: 'd';
	if (op == 'c' && exists)
		return err_set_pos(b->e, ERR_DUPLICATE_OBJECT, u->name_location,
				   "role \"%s\" already exists", u->name);
	if (op != 'c' && !exists && !u->if_exists)
		return err_set_pos(b->e, ERR_UNDEFINED_OBJECT, u->name_location,
				   "role \"%s\" does not exist", u->name);
	if (op == 'd' && boot)
		return err_set_pos(b->e, ERR_DEPENDENT_OBJECTS, u->name_location,
				   "cannot drop role %s because it is required by the database "
				   "system",
				   u->name);
	BoundStmt *s = arena_alloc(b->a, sizeof *s);
	memset(s, 0, sizeof *s);
	s->kind = op == 'd' && !exists ? STMT_NOOP : STMT_USER;
	s->tag = op == 'c' ? "CREATE ROLE" : op == 'a' ? "ALTER ROLE" : "DROP ROLE";
	s->wm_col = -1;
	s->user_op = op;
	s->name = arena_strdup(b->a, u->name);
	s->if_exists = u->if_exists;
	/* PostgreSQL takes an empty password as none. */
	s->password = u->password && u->password[0] ? arena_strdup(b->a, u->password) : NULL;
	*out = s;
	return 0;
}
