/* catalog.h: the named objects of a database: streams, tables, sources, materialized views.
 *
 * Layer: catalog (above expr/, below plan/). A CatObject records what a user declared: columns,
 * keys, watermark, WITH options, the CREATE text, and for a view its bound plan. Each object owns
 * an arena that holds all of it. The catalog knows nothing about running anything: the engine
 * hangs its runtime state off `rt`. Names are case-folded (unquoted identifiers are lower case,
 * as in PostgreSQL) before they reach the catalog.
 */
#ifndef EDDY_CATALOG_CATALOG_H
#define EDDY_CATALOG_CATALOG_H

#include "base/err.h"
#include "base/mem.h"
#include "expr/expr.h"
#include "vec/types.h"

/* X(kind, name as SQL says it, plural for SHOW) */
#define OBJKIND_LIST(X)                                                                            \
	X(OBJ_STREAM, "stream", "streams")                                                         \
	X(OBJ_TABLE, "table", "tables")                                                            \
	X(OBJ_SOURCE, "source", "sources")                                                         \
	X(OBJ_MVIEW, "materialized view", "materialized views")                                    \
	X(OBJ_SINK, "sink", "sinks")

typedef enum ObjKind {
#define OBJKIND_ENUM(k, name, plural) k,
	OBJKIND_LIST(OBJKIND_ENUM)
#undef OBJKIND_ENUM
} ObjKind;

const char *objkind_name(ObjKind k);

typedef struct ColumnDef {
	char *name;
	TypeId type;
	int32_t typmod;   /* varchar(n): n; numeric(p,s): p << 16 | s; -1 none */
	bool not_null;
} ColumnDef;

typedef struct Option {
	char *key;        /* lower case, dotted: "nexmark.table.type" */
	char *value;      /* as written, quotes removed */
	int location;     /* position of the option in the SQL text, for errors */
} Option;

struct LogicalOp;

typedef struct CatObject {
	uint64_t id;             /* unique, increasing in creation order */
	ObjKind kind;
	char *name;
	int ncols;
	ColumnDef *cols;
	int npk;                 /* TABLE: primary key columns (0: rows keyed by a hidden row id) */
	int *pk;
	int wm_col;              /* column with a WATERMARK, -1 none */
	Expr *wm_expr;           /* the watermark expression over the object's row */
	int nopts;
	Option *opts;            /* WITH (...) */
	char *sql;               /* the CREATE statement as written */
	struct LogicalOp *plan;  /* MVIEW, SINK: the bound query producing its rows */
	bool append_only;        /* only inserts ever come out of it */
	int ndeps;
	struct CatObject **deps; /* MVIEW: the objects its plan reads */
	Arena arena;             /* owns all of the above */
	void *rt;                /* engine runtime state; the catalog never touches it */
} CatObject;

typedef struct Catalog Catalog;

Catalog *catalog_new(void);
void catalog_free(Catalog *cat); /* frees objects; their rt must be released before */

/* The object of that name (any kind), or NULL. */
CatObject *catalog_find(const Catalog *cat, const char *name);

/* A new empty object (columns etc. to be filled in its arena by the caller) added to the
 * catalog. 42P07 "stream \"x\" already exists" (naming the existing object's kind) if taken. */
CatObject *catalog_create(Catalog *cat, ObjKind kind, const char *name, Err *e);

/* Removes obj. Objects whose deps include it block the drop with 2BP01 ("cannot drop stream s
 * because other objects depend on it", hint naming them) unless cascade, which drops those
 * first (each dropped object is reported through on_drop before it is freed). */
int catalog_drop(Catalog *cat, CatObject *obj, bool cascade,
		 void (*on_drop)(void *arg, CatObject *obj), void *arg, Err *e);

/* Objects in creation order (a view always comes after what it reads). */
int catalog_count(const Catalog *cat);
CatObject *catalog_at(const Catalog *cat, int i);

/* The role that owns everything and always exists (PostgreSQL's bootstrap superuser, oid 10). */
#define CATALOG_BOOTSTRAP_USER "eddy"

/* A user (role) made by CREATE USER. Only the SCRAM-SHA-256 verifier is kept, never the
 * password: "SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>"
 * (PostgreSQL's rolpassword format), NULL when the user has no password. */
typedef struct CatUser {
	uint64_t id;       /* from the objects' counter: unique, increasing */
	char *name;
	char *verifier;
} CatUser;

/* The user of that name, or NULL. */
CatUser *catalog_find_user(const Catalog *cat, const char *name);
/* Adds a user; 42710 "role \"x\" already exists" if taken. verifier may be NULL. */
CatUser *catalog_create_user(Catalog *cat, const char *name, const char *verifier, Err *e);
/* Replaces a user's verifier (NULL: none). */
void catalog_set_user_verifier(CatUser *u, const char *verifier);
/* Removes the user of that name; 0, or -1 when there is none. */
int catalog_drop_user(Catalog *cat, const char *name);
/* Users in creation order. */
int catalog_user_count(const Catalog *cat);
CatUser *catalog_user_at(const Catalog *cat, int i);

/* The value of a WITH option, or NULL. */
const char *catobj_option(const CatObject *obj, const char *key);
/* Index of a column by name, or -1. */
int catobj_column(const CatObject *obj, const char *name);

#endif
