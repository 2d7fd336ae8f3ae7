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
	/* Windows beyond TUMBLE (bind_window.c). */
	LOP_HOP,         /* each child row once per hopping window [s, s + size) holding time_col:
			  * the child's columns, then window_start, window_end */
	LOP_HOP_AGG,     /* an AGG over HOP with shared panes: the fields of LOP_AGG, whose column
			  * numbers count in `window`'s output; children[0] = the rows before it */
	LOP_SESSION,     /* SESSION(rel, ts, gap) in FROM: only valid under an aggregation */
	LOP_SESSION_AGG, /* an AGG grouping by window_start/window_end over SESSION; as HOP_AGG */
	LOP_EOWC,        /* EMIT ON WINDOW CLOSE: the child's rows of windows below the watermark
			  * on wm_col, once, as inserts */
	/* Window functions (bind_over.c, stream/over_window.c). */
	LOP_TOPN,        /* group top-N: the child's rows whose rank (rank_kind) within their
			  * partition (part_cols, ordered by keys) is <= limit; then the rank
			  * when rank_output */
	LOP_OVER,        /* the child's columns, then one column per window call (wins), each
			  * over the partition part_cols ordered by keys */
	LOP_JOIN,      /* left's columns then right's (SEMI/ANTI: left's only); see JoinType */
} LopKind;

/* A window function call of LOP_OVER (and the rank kind of LOP_TOPN). */
typedef enum WinKind {
	WIN_ROW_NUMBER,
	WIN_RANK,
	WIN_DENSE_RANK,
	WIN_AGG,          /* an aggregate over the frame */
	WIN_FIRST_VALUE,
	WIN_LAST_VALUE,
	WIN_LAG,
	WIN_LEAD,
} WinKind;

/* Frame bounds: rows relative to the current one (ROWS), or its peers' edges (RANGE). */
typedef enum WinBound {
	WB_UNBOUNDED_PRECEDING,
	WB_PRECEDING,       /* `offset` rows before */
	WB_CURRENT_ROW,     /* ROWS: the row itself; RANGE: its first (start) or last (end) peer */
	WB_FOLLOWING,       /* `offset` rows after */
	WB_UNBOUNDED_FOLLOWING,
} WinBound;

typedef struct WinCall {
	WinKind kind;
	const AggFunc *fn;  /* WIN_AGG */
	int arg;            /* child column of the argument; -1 none (count(*), ranks) */
	int64_t offset;     /* WIN_LAG / WIN_LEAD: rows back or ahead */
	bool rows;          /* ROWS frame (else RANGE) */
	WinBound start, end;
	int64_t start_off, end_off;
} WinCall;

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

/* LOP_JOIN: rows match when every lkeys[i] = rkeys[i] (NULL never matches) and the residual is
 * true; for outer joins the residual is part of the match condition. SEMI/ANTI keep the left
 * rows with at least one / no match; ANTI_NA is NOT IN's null-aware anti join (a left row is
 * kept when the right side is empty, or its key is not NULL, matches nothing and the right side
 * has no NULL key). */
typedef enum JoinType {
	JOIN_INNER,
	JOIN_LEFT,
	JOIN_RIGHT,
	JOIN_FULL,
	JOIN_SEMI,
	JOIN_ANTI,
	JOIN_ANTI_NA,
} JoinType;

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
	int64_t slide_us;          /* HOP, HOP_AGG: the slide (size_us is the window size) */
	int64_t gap_us;            /* SESSION, SESSION_AGG: the gap closing a session */
	struct LogicalOp *window;  /* HOP_AGG, SESSION_AGG: the HOP/SESSION node the group and
				    * argument columns refer to (for EXPLAIN and the unshared plan) */
	int npart;
	int *part_cols;            /* TOPN, OVER: partition columns (order: nkeys/keys) */
	WinKind rank_kind;         /* TOPN: row_number, rank or dense_rank (limit: N) */
	bool rank_output;          /* TOPN: the rank is the last output column */
	int nwins;
	WinCall *wins;             /* OVER */
	/* JOIN (bind_join.c): keys are expressions over the left / right child's row, of equal
	 * types; the residual is over the left columns followed by the right ones. `interval`:
	 * inner join of append-only inputs whose residual implies r_time - l_time in
	 * [lo_us, hi_us] on the children's watermark columns, so state below the watermarks can be
	 * dropped (hash_join.c). A bound may name another timestamp column of the same side in
	 * place of its time column: r_lo_col - l_time >= lo_us and r_time - l_hi_col <= hi_us
	 * (Nexmark q4: b.date_time BETWEEN a.date_time AND a.expires, l_hi_col = expires); each
	 * is the side's time column when the bound names it, -1 when not an interval join. */
	JoinType join_type;
	int njkeys;
	Expr **lkeys, **rkeys;
	Expr *residual;
	bool interval;
	int l_time, r_time;
	int64_t lo_us, hi_us;
	int l_hi_col, r_lo_col;
	/* A second watermark column: window_end of TUMBLE/HOP, whose watermark is the end of the
	 * window holding the time watermark (every window ending at or before it is closed).
	 * Projections map it; an op that keeps it but not wm_col makes it its wm_col (an
	 * aggregation grouping by window_end only). -1 none. */
	int wm_end_col;
	/* JOIN: a lookup (processing-time temporal) join, `right FOR SYSTEM_TIME AS OF PROCTIME()`
	 * (inner or left): each left row meets the right side's rows as they are when it arrives;
	 * right changes emit nothing (stream/lookup_join.c). A batch query runs it as a plain join
	 * of the current contents. */
	bool lookup;
	/* SCAN of a stream: its event-time column (wm_col) lies in [scan_min_time, scan_max_time]
	 * (inclusive) in every row the query keeps, as the binder read it off WHERE conjuncts
	 * against constants. A batch scan of the stream's log skips batches outside it; the
	 * FILTER above the scan stays, so the result is exact either way. */
	bool scan_by_time;
	int64_t scan_min_time, scan_max_time;
	/* SCAN of a per-row subquery (obj NULL): see LopSubquery. */
	struct LopSubquery *subq;
} LogicalOp;

/* A scalar subquery `(SELECT ...)` or `ARRAY(SELECT ...)` in a select list (bind_subquery.c).
 * The plan holds it as a SCAN whose obj is NULL and whose rows are those of `outer` (the
 * query's input), each followed by the subquery's value for that row: the batch executor runs
 * `outer`, binds the subquery once per outer row with the outer columns it names as constants
 * (plan_subquery_bind), runs it and feeds the scan (batch.c). Views cannot hold one. */
typedef enum SubqKind {
	SUBQ_SCALAR, /* its only row's only column; NULL when none; 21000 when more than one row */
	SUBQ_ARRAY,  /* every row's only column, as array text '{a,b}' (eddy has no array type) */
} SubqKind;

typedef struct LopSubquery {
	SubqKind kind;
	struct LogicalOp *outer;
	const struct SubqueryBind *bind; /* what plan_subquery_bind needs (opaque) */
	int location;
} LopSubquery;

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
	STMT_USER,     /* CREATE / ALTER / DROP USER (user_op), run by the engine (syscat) */
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

	/* USER (name, if_exists): 'c'reate, 'a'lter or 'd'rop; the password as written (a
	 * "SCRAM-SHA-256$..." verifier is taken as it is, as PostgreSQL does), NULL none. */
	char user_op;
	const char *password;
	/* Set by the engine when the journal must record other text than the statement's (a
	 * CREATE USER journals the verifier, never the password). */
	const char *journal_sql;
} BoundStmt;

#endif
