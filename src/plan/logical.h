/* logical.h: logical plans and bound statements, the binder's output.
 *
 * Layer: plan. A LogicalOp tree is a query with every name resolved: column references are
 * indexes into the child's output, every column has a type, aggregates are resolved AggFuncs over
 * child columns (the binder puts a projection below an aggregation so its arguments, FILTER
 * predicates and group keys are plain columns). The same tree feeds the streaming dataflow
 * builder (stream/) and the batch executor (batch/); EXPLAIN prints it with lop_print.
 *
 * Watermarks: `wm_col` marks an output column whose values never fall below the input's last
 * watermark (a stream's WATERMARK column, passed through projections, turned into window_start by
 * TUMBLE, kept by an aggregation grouping on it). `append_only` says the op emits inserts only.
 */
#ifndef EDDY_PLAN_LOGICAL_H
#define EDDY_PLAN_LOGICAL_H

#include "base/strbuf.h"
#include "catalog/catalog.h"
#include "expr/agg.h"
#include "expr/expr.h"

typedef enum LopKind {
	LOP_SCAN,      /* the rows of catalog object `obj`, all its columns in order */
	LOP_VALUES,    /* nrows literal rows: rows[r][c] are constant Exprs */
	LOP_PROJECT,   /* output column i = exprs[i] over the child's row */
	LOP_FILTER,    /* the child's rows where exprs[0] is true */
	LOP_TUMBLE,    /* the child's columns, then window_start, window_end of column time_col */
	LOP_AGG,       /* output: group_cols of the child (in order), then one column per agg */
	LOP_UNION_ALL, /* children's rows; all children have the same column types */
	LOP_SORT,      /* the child's rows ordered by keys */
	LOP_LIMIT,     /* the child's rows after skipping `offset`, at most `limit` (-1: all) */
} LopKind;

typedef struct AggCall {
	const AggFunc *fn;
	int arg;       /* child column, -1 for count(*) */
	int filter;    /* child boolean column of FILTER (WHERE ...), -1 none */
	bool distinct;
} AggCall;

typedef struct SortKey {
	int col;
	bool desc;
	bool nulls_first;
} SortKey;

typedef struct LogicalOp {
	LopKind kind;
	int ncols;
	ColumnDef *cols;           /* output schema (names as the query names them) */
	int nchildren;
	struct LogicalOp **children;
	int wm_col;                /* see the header comment; -1 none */
	bool append_only;
	CatObject *obj;            /* SCAN */
	int nexprs;
	Expr **exprs;              /* PROJECT: ncols exprs; FILTER: exprs[0] */
	int nrows;
	Expr ***rows;              /* VALUES */
	int time_col;              /* TUMBLE: child column of the event time */
	int64_t size_us;           /* TUMBLE: window size */
	int64_t offset_us;         /* TUMBLE: window offset (0 when not given) */
	int ngroup;
	int *group_cols;           /* AGG */
	int naggs;
	AggCall *aggs;             /* AGG */
	int nkeys;
	SortKey *keys;             /* SORT */
	int64_t limit, offset;     /* LIMIT */
} LogicalOp;

/* Prints the plan as an indented tree, one operator a line, as EXPLAIN shows it:
 *   Project [a, (b + 1)]
 *     Filter (a > 10)
 *       Scan s [a, b] */
void lop_print(const LogicalOp *op, StrBuf *out);

/* A zeroed op of that kind in arena a with room for ncols output columns and nchildren
 * children (wm_col -1, limit -1). The caller fills cols, children and the kind's fields. */
LogicalOp *lop_new(Arena *a, LopKind kind, int ncols, int nchildren);
/* The operator's name as lop_print shows it ("Scan", "Project", ...). */
const char *lop_kind_name(LopKind k);
/* The output column names of op, as an array for expr_print (allocated in a). */
const char **lop_colnames(const LogicalOp *op, Arena *a);

typedef enum StmtKind {
	STMT_CREATE,   /* CREATE STREAM | TABLE | SOURCE | MATERIALIZED VIEW */
	STMT_DROP,
	STMT_INSERT,
	STMT_DELETE,
	STMT_UPDATE,
	STMT_SELECT,
	STMT_EXPLAIN,
	STMT_SHOW,
	STMT_DESCRIBE,
	STMT_FLUSH,
	STMT_NOOP,     /* BEGIN, COMMIT, SET ...: accepted, nothing to do; `tag` says what */
} StmtKind;

typedef struct BoundStmt {
	StmtKind kind;
	const char *tag;           /* command tag base: "CREATE STREAM", "INSERT", "SELECT", ... */
	int location, length;      /* the statement's span in the SQL text */

	/* CREATE */
	ObjKind obj_kind;
	char *name;
	bool if_not_exists;
	int ncols;
	ColumnDef *cols;
	int npk;
	int *pk;
	int wm_col;                /* -1 none */
	Expr *wm_expr;             /* over the new object's row */
	int nopts;
	Option *opts;
	LogicalOp *query;          /* MVIEW: its plan; INSERT: rows to insert (target's columns,
				    * already cast); SELECT: the query; */
	int ndeps;
	CatObject **deps;          /* MVIEW: objects its plan scans */

	/* DROP (obj_kind, name), DELETE, UPDATE, INSERT, DESCRIBE */
	CatObject *target;         /* NULL for DROP ... IF EXISTS of a missing object */
	bool if_exists;
	bool cascade;
	Expr *where;               /* DELETE/UPDATE: over the target's row; NULL = every row */
	int nsets;
	int *set_cols;             /* UPDATE: target columns ... */
	Expr **set_exprs;          /* ... and their new values over the target's old row */

	/* EXPLAIN */
	struct BoundStmt *inner;

	/* SHOW */
	ObjKind show_kind;
} BoundStmt;

#endif
