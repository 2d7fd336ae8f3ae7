/* insert.c: changing streams and tables: INSERT, DELETE, UPDATE and eddy_insert.
 *
 * Layer: engine. Every change is checked whole before any of it is applied (NOT NULL, primary
 * keys), so a statement changes all its rows or none. Streams append to their log (in memory, or
 * the stream log on a data directory: stream_log.c) and advance their watermark; tables apply to
 * their keyed store and, on a data directory, record the rows in the statement journal. Both publish the change to the views that
 * read them and end the epoch, so views are current when the statement returns. */
#include "engine/engine_int.h"

#include "base/hash.h"
#include "base/hmap.h"
#include "vec/rowcodec.h"
#include "vec/textparse.h"
#include "vec/value.h"

#include <stdio.h>
#include <string.h>

static int check_not_null(CatObject *t, const Chunk *c, Err *e)
{
	for (int k = 0; k < t->ncols; k++) {
		if (!t->cols[k].not_null)
			continue;
		for (int r = 0; r < c->nrows; r++)
			if (c->cols[k].nulls[r] && op_sign(c->ops[r]) > 0)
				return err_set(e, ERR_NOT_NULL_VIOLATION,
					       "null value in column \"%s\" of relation \"%s\" "
					       "violates not-null constraint",
					       t->cols[k].name, t->name);
	}
	return 0;
}

static void describe_key(CatObject *t, const Chunk *c, int row, StrBuf *out)
{
	sb_puts(out, "Key (");
	for (int i = 0; i < t->npk; i++)
		sb_printf(out, "%s%s", i ? ", " : "", t->cols[t->pk[i]].name);
	sb_puts(out, ")=(");
	for (int i = 0; i < t->npk; i++) {
		Value v;
		vec_get_value(&c->cols[t->pk[i]], row, &v);
		if (i)
			sb_puts(out, ", ");
		if (v.null)
			sb_puts(out, "null");
		else
			value_format(&v, out);
	}
	sb_puts(out, ") already exists.");
}

static int dup_error(CatObject *t, const Chunk *c, int row, Err *e)
{
	err_set(e, ERR_UNIQUE_VIOLATION, "duplicate key value violates unique constraint \"%s_pkey\"",
		t->name);
	StrBuf sb;
	sb_init(&sb);
	describe_key(t, c, row, &sb);
	err_hint(e, "%s", sb.data);
	sb_deinit(&sb);
	return -1;
}

/* Checks that the inserted keys are new: not in the store (unless `replaced` holds them, the keys
 * an UPDATE removes) and not repeated among themselves. */
static int check_keys(CatObject *t, ObjRt *rt, Chunk **chunks, int n, HMap *replaced, Err *e)
{
	if (t->npk == 0)
		return 0;
	HMap seen;
	hmap_init(&seen, 1);
	StrBuf key;
	sb_init(&key);
	Chunk *scratch = chunk_new(rt->store->types, t->ncols);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		Chunk *c = chunks[i];
		for (int r = 0; r < c->nrows && rc == 0; r++) {
			if (op_sign(c->ops[r]) < 0)
				continue;
			sb_reset(&key);
			row_encode(c, t->pk, t->npk, r, ROWCODEC_NORMALIZE, &key);
			uint64_t h = hash_bytes(key.data, key.len);
			bool found;
			hmap_upsert(&seen, key.data, key.len, h, &found);
			chunk_reset(scratch);
			if (found || (mvstore_lookup(rt->store, c, r, scratch, 0) &&
				      !(replaced && hmap_find(replaced, key.data, key.len, h))))
				rc = dup_error(t, c, r, e);
		}
	}
	chunk_free(scratch);
	sb_deinit(&key);
	hmap_deinit(&seen);
	return rc;
}

/* A copy of c that owns its strings: column by column, fixed-width values and flags as blocks. */
static Chunk *copy_chunk(const Chunk *c)
{
	TypeId types[MAX_COLUMNS];
	for (int i = 0; i < c->ncols; i++)
		types[i] = c->cols[i].type;
	Chunk *d = chunk_new(types, c->ncols);
	size_t n = (size_t)c->nrows;
	memcpy(d->ops, c->ops, n);
	for (int k = 0; k < c->ncols; k++) {
		const Vector *sv = &c->cols[k];
		Vector *dv = &d->cols[k];
		memcpy(dv->nulls, sv->nulls, n);
		memcpy(dv->data, sv->data, n * type_size(sv->type));
		if (type_is_varlen(sv->type))
			for (size_t r = 0; r < n; r++)
				if (!sv->nulls[r]) {
					Str *s = &VEC_DATA(dv, Str)[r];
					*s = chunk_str(d, s->p, s->len);
				}
	}
	d->nrows = c->nrows;
	return d;
}

/* Bytes a history chunk holds: its values and string bytes. */
static uint64_t chunk_bytes(const Chunk *c)
{
	uint64_t n = 0;
	for (int k = 0; k < c->ncols; k++) {
		const Vector *v = &c->cols[k];
		n += (uint64_t)c->nrows * (type_size(v->type) + 1);
		if (type_is_varlen(v->type))
			for (int r = 0; r < c->nrows; r++)
				n += VEC_DATA(v, Str)[r].len;
	}
	return n;
}

/* Keeps an in-memory stream's history: appends c itself when the caller hands it over (*own),
 * else a copy of it, then drops the oldest chunks beyond the stream's retention (never the
 * newest one), as the log drops old segments. */
static void hist_append(ObjRt *rt, Chunk *c, bool own)
{
	if (rt->nhist == rt->caphist) {
		rt->caphist = rt->caphist ? rt->caphist * 2 : 16;
		rt->hist = mem_realloc(rt->hist, sizeof(Chunk *) * (size_t)rt->caphist);
		rt->hist_us = mem_realloc(rt->hist_us, sizeof(int64_t) * (size_t)rt->caphist);
		rt->hist_bytes = mem_realloc(rt->hist_bytes, sizeof(uint64_t) * (size_t)rt->caphist);
	}
	int64_t now = eng_now_us();
	rt->hist[rt->nhist] = own ? c : copy_chunk(c);
	rt->hist_us[rt->nhist] = now;
	/* Sized only when a byte limit needs it: the sum walks every string. */
	rt->hist_bytes[rt->nhist] = rt->mem_retention_bytes ? chunk_bytes(c) : 0;
	rt->hist_total += rt->hist_bytes[rt->nhist++];
	int drop = 0;
	while (drop < rt->nhist - 1 &&
	       ((rt->mem_retention_bytes && rt->hist_total > rt->mem_retention_bytes) ||
		(rt->mem_retention_us && now - rt->hist_us[drop] > rt->mem_retention_us))) {
		rt->hist_total -= rt->hist_bytes[drop];
		chunk_free(rt->hist[drop++]);
	}
	if (drop) {
		rt->nhist -= drop;
		memmove(rt->hist, rt->hist + drop, sizeof(Chunk *) * (size_t)rt->nhist);
		memmove(rt->hist_us, rt->hist_us + drop, sizeof(int64_t) * (size_t)rt->nhist);
		memmove(rt->hist_bytes, rt->hist_bytes + drop, sizeof(uint64_t) * (size_t)rt->nhist);
	}
}

/* eng_stream_publish; with `own`, the stream's history takes the chunks themselves (set NULL in
 * chunks[] once taken) rather than copies. */
static int stream_publish(struct Eddy *db, CatObject *s, Chunk **chunks, int n, bool own, Err *e)
{
	ObjRt *rt = s->rt;
	int64_t wm = INT64_MIN;
	for (int i = 0; i < n; i++) {
		Chunk *c = chunks[i];
		if (c->nrows == 0)
			continue;
		if (!rt->log) { /* in memory the history is the inserted chunks themselves */
			hist_append(rt, c, own);
			/* c stays valid: the newest history chunk is never dropped. */
			if (own)
				chunks[i] = NULL;
		}
		rt->rows += (uint64_t)c->nrows;
		if (eng_publish(rt, c, e) < 0)
			return -1;
		int64_t cwm;
		if (eng_watermark_of(s, c, db->stmt_now, e, &cwm) < 0)
			return -1;
		if (cwm > wm)
			wm = cwm;
	}
	if (wm > rt->watermark) {
		rt->watermark = wm;
		for (int i = 0; i < rt->ncons; i++)
			if (dataflow_watermark(rt->cons[i].view->df, rt->cons[i].input, s->wm_col, wm,
					       e) < 0)
				return -1;
	}
	return 0;
}

int eng_stream_publish(struct Eddy *db, CatObject *s, Chunk **chunks, int n, Err *e)
{
	return stream_publish(db, s, chunks, n, false, e);
}

/* On a data directory the rows go to the stream's log first (one atomic append), then to the
 * views: what a view has seen is always in the log. */
static int stream_append(struct Eddy *db, CatObject *s, Chunk **chunks, int n, bool own, Err *e)
{
	if (eng_stream_write(db, s->rt, chunks, n, e) < 0)
		return -1;
	return stream_publish(db, s, chunks, n, own, e);
}

/* Records inserted table rows in the journal as an INSERT ... VALUES of their text forms (the
 * values as inserted, whatever statement or API call computed them), so replay needs neither
 * the clock nor the streams an INSERT ... SELECT read. */
static int journal_rows(struct Eddy *db, CatObject *t, Chunk **chunks, int n, Err *e)
{
	if (db->journal_fd < 0 || db->replaying)
		return 0;
	StrBuf sb, val;
	sb_init(&sb);
	sb_init(&val);
	sb_puts(&sb, "INSERT INTO \"");
	for (const char *p = t->name; *p; p++)
		sb_puts(&sb, *p == '"' ? "\"\"" : (char[2]){*p, 0});
	sb_puts(&sb, "\" VALUES ");
	bool first = true;
	for (int i = 0; i < n; i++)
		for (int r = 0; r < chunks[i]->nrows; r++) {
			sb_puts(&sb, first ? "(" : ", (");
			first = false;
			for (int k = 0; k < t->ncols; k++) {
				Value v;
				vec_get_value(&chunks[i]->cols[k], r, &v);
				if (k)
					sb_puts(&sb, ", ");
				if (v.null) {
					sb_puts(&sb, "NULL");
					continue;
				}
				sb_reset(&val);
				value_format(&v, &val);
				sb_putc(&sb, '\'');
				for (size_t j = 0; j < val.len; j++) {
					if (val.data[j] == '\'')
						sb_putc(&sb, '\'');
					sb_putc(&sb, val.data[j]);
				}
				sb_putc(&sb, '\'');
			}
			sb_putc(&sb, ')');
		}
	int rc = first ? 0 : journal_append(db, sb.data, sb.len, e);
	sb_deinit(&val);
	sb_deinit(&sb);
	return rc;
}

/* eng_insert_chunks; with `own` an in-memory stream keeps the chunks themselves as its history
 * (the caller frees those left in chunks[]: the others are set NULL). */
static int insert_chunks(struct Eddy *db, CatObject *t, Chunk **chunks, int n, bool own,
			 uint64_t *count, Err *e)
{
	ObjRt *rt = t->rt;
	*count = 0;
	for (int i = 0; i < n; i++) {
		for (int r = 0; r < chunks[i]->nrows; r++)
			chunks[i]->ops[r] = OP_INSERT;
		if (check_not_null(t, chunks[i], e) < 0)
			return -1;
		*count += (uint64_t)chunks[i]->nrows;
	}
	if (t->kind == OBJ_STREAM) {
		if (stream_append(db, t, chunks, n, own, e) < 0)
			return -1;
	} else {
		if (check_keys(t, rt, chunks, n, NULL, e) < 0)
			return -1;
		if (journal_rows(db, t, chunks, n, e) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			mvstore_apply(rt->store, chunks[i]);
			if (eng_publish(rt, chunks[i], e) < 0)
				return -1;
		}
	}
	return eng_end_epoch(db, e);
}

int eng_insert_chunks(struct Eddy *db, CatObject *t, Chunk **chunks, int n, uint64_t *count,
		      Err *e)
{
	return insert_chunks(db, t, chunks, n, false, count, e);
}

/* ---- DELETE and UPDATE */

typedef struct Collect {
	Chunk **chunks;
	int n, cap;
} Collect;

static int collect_emit(void *arg, const Chunk *c, Err *e)
{
	Collect *k = arg;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->chunks = mem_realloc(k->chunks, sizeof(Chunk *) * (size_t)k->cap);
	}
	k->chunks[k->n++] = copy_chunk(c);
	return 0;
}

static void collect_free(Collect *k)
{
	for (int i = 0; i < k->n; i++)
		chunk_free(k->chunks[i]);
	mem_free(k->chunks);
}

static Chunk *push_row(Collect *out, const TypeId *types, int ncols)
{
	if (!out->n || chunk_full(out->chunks[out->n - 1])) {
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 8;
			out->chunks = mem_realloc(out->chunks, sizeof(Chunk *) * (size_t)out->cap);
		}
		out->chunks[out->n++] = chunk_new(types, ncols);
	}
	return out->chunks[out->n - 1];
}

int eng_delete_update(struct Eddy *db, const BoundStmt *st, uint64_t *count, Err *e)
{
	CatObject *t = st->target;
	ObjRt *rt = t->rt;
	const TypeId *types = rt->store->types;
	Collect snap = {0}, olds = {0}, news = {0};
	Arena scratch;
	arena_init(&scratch, 64 * 1024);
	int rc = -1;
	*count = 0;
	if (mvstore_scan(rt->store, collect_emit, &snap, e) < 0)
		goto out;
	uint8_t keep[CHUNK_CAP];
	for (int i = 0; i < snap.n; i++) {
		Chunk *c = snap.chunks[i];
		arena_reset(&scratch);
		ExprCtx cx = {.arena = &scratch, .err = e, .now = db->stmt_now};
		if (st->where) {
			if (expr_eval_filter(st->where, c, keep, &cx) < 0)
				goto out;
		} else {
			memset(keep, 1, (size_t)c->nrows);
		}
		/* The new values of the updated columns, computed over the old rows. */
		Vector *nv[MAX_COLUMNS];
		for (int s = 0; s < st->nsets; s++) {
			nv[s] = vec_new_in(&scratch, st->set_exprs[s]->type);
			if (expr_eval(st->set_exprs[s], c, nv[s], &cx) < 0)
				goto out;
		}
		for (int r = 0; r < c->nrows; r++) {
			if (!keep[r])
				continue;
			(*count)++;
			Chunk *o = push_row(&olds, types, t->ncols);
			chunk_append_row(o, c, r, st->kind == STMT_DELETE ? OP_DELETE : OP_UPDATE_DELETE);
			if (st->kind != STMT_UPDATE)
				continue;
			Chunk *nw = push_row(&news, types, t->ncols);
			chunk_append_row(nw, c, r, OP_UPDATE_INSERT);
			for (int s = 0; s < st->nsets; s++)
				vec_copy_value(&nw->cols[st->set_cols[s]], nw->nrows - 1, nv[s], r,
					       &nw->arena);
		}
	}
	if (st->kind == STMT_UPDATE) {
		for (int i = 0; i < news.n; i++)
			if (check_not_null(t, news.chunks[i], e) < 0)
				goto out;
		if (t->npk) {
			/* Keys the update frees may be taken by updated rows. */
			HMap replaced;
			hmap_init(&replaced, 1);
			StrBuf key;
			sb_init(&key);
			for (int i = 0; i < olds.n; i++)
				for (int r = 0; r < olds.chunks[i]->nrows; r++) {
					sb_reset(&key);
					row_encode(olds.chunks[i], t->pk, t->npk, r, ROWCODEC_NORMALIZE,
						   &key);
					hmap_upsert(&replaced, key.data, key.len,
						    hash_bytes(key.data, key.len), NULL);
				}
			int krc = check_keys(t, rt, news.chunks, news.n, &replaced, e);
			sb_deinit(&key);
			hmap_deinit(&replaced);
			if (krc < 0)
				goto out;
		}
	}
	/* Apply all deletes before the inserts so rows may trade keys. */
	for (int i = 0; i < olds.n; i++)
		mvstore_apply(rt->store, olds.chunks[i]);
	for (int i = 0; i < news.n; i++)
		mvstore_apply(rt->store, news.chunks[i]);
	/* Publish update pairs in order: U- old, U+ new. */
	if (st->kind == STMT_UPDATE) {
		Chunk *pair = chunk_new(types, t->ncols);
		for (int i = 0; i < olds.n; i++) {
			for (int r = 0; r < olds.chunks[i]->nrows; r++) {
				if (pair->nrows + 2 > CHUNK_CAP) {
					if (eng_publish(rt, pair, e) < 0) {
						chunk_free(pair);
						goto out;
					}
					chunk_reset(pair);
				}
				chunk_append_row(pair, olds.chunks[i], r, OP_UPDATE_DELETE);
				chunk_append_row(pair, news.chunks[i], r, OP_UPDATE_INSERT);
			}
		}
		int prc = eng_publish(rt, pair, e);
		chunk_free(pair);
		if (prc < 0)
			goto out;
	} else {
		for (int i = 0; i < olds.n; i++)
			if (eng_publish(rt, olds.chunks[i], e) < 0)
				goto out;
	}
	rc = eng_end_epoch(db, e);
out:
	collect_free(&snap);
	collect_free(&olds);
	collect_free(&news);
	arena_deinit(&scratch);
	return rc;
}

/* ---- eddy_insert: rows from C values; eng_insert_text: rows of text cells (eddy_ingest)
 *
 * Text goes to a column of a scalar type straight from the caller's bytes into the chunk's
 * typed array (text_column), parsed once; other columns go through the assignment cast over a
 * source chunk of the values. Either way a text converts exactly as an INSERT literal does. */

static TypeId api_type(EddyType t)
{
	switch (t) {
	case EDDY_VARCHAR:
		return T_UNKNOWN; /* text in any type's text form: parsed as the column's type */
	default:
		return (TypeId)t;
	}
}

static void put_value(Vector *v, int row, const EddyValue *ev, Arena *a)
{
	Value val = value_null(v->type);
	if (ev->type != EDDY_NULL) {
		val.null = false;
		if (v->type == T_UNKNOWN) {
			val.u.s.p = ev->v.s;
			val.u.s.len = (uint32_t)strlen(ev->v.s);
		} else if (type_is_float(v->type)) {
			val.u.f = ev->v.f;
		} else {
			val.u.i = ev->v.i;
		}
	}
	vec_set_value(v, row, &val, a);
}

/* The rows to insert: C values (eddy_insert) or text cells with their lengths (eddy_ingest;
 * p NULL for NULL), ncols a row. */
typedef struct RowSrc {
	const EddyValue *values;
	const Str *texts;
	int ncols;
} RowSrc;

/* The text of cell k of row r of a text source (src_types[k] T_UNKNOWN), NULL for NULL. */
static inline const char *src_text(const RowSrc *src, int r, int k, size_t *n)
{
	size_t at = (size_t)r * (size_t)src->ncols + (size_t)k;
	if (src->texts) {
		*n = src->texts[at].len;
		return src->texts[at].p;
	}
	const EddyValue *v = &src->values[at];
	if (v->type == EDDY_NULL)
		return NULL;
	*n = strlen(v->v.s);
	return v->v.s;
}

/* Whether text converts to a column of this type straight into its vector (below), rather than
 * through the assignment cast: every scalar type without a type modifier. The result is the
 * same either way (both parse with value_parse's rules); the direct way skips a copy of every
 * cell into a text vector and the cast's per-row work. */
static bool text_direct(TypeId t, int32_t typmod)
{
	switch (t) {
	case T_BOOL:
	case T_INT2:
	case T_INT4:
	case T_INT8:
	case T_FLOAT4:
	case T_FLOAT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
	case T_DATE:
	case T_INTERVAL:
		return true;
	case T_NUMERIC:
	case T_VARCHAR:
		return typmod < 0;
	default:
		return false;
	}
}

/* n bytes from src to dst without a call for the short strings most cells are: words that
 * overlap at the end instead of a byte loop; longer ones by memcpy. */
static inline void copy_cell(char *dst, const char *src, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;
	if (n >= 8 && n <= 32) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&a, src + i, 8);
			memcpy(dst + i, &a, 8);
		}
		memcpy(&b, src + n - 8, 8);
		memcpy(dst + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&x, src, 4);
		memcpy(&y, src + n - 4, 4);
		memcpy(dst, &x, 4);
		memcpy(dst + n - 4, &y, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else {
		memcpy(dst, src, n);
	}
}

/* A text that the quick parsers did not take, by value_parse (which accepts or rejects it with
 * PostgreSQL's message). */
static int text_cell_slow(TypeId t, const char *p, size_t len, Vector *dst, int r, Err *e)
{
	Value v;
	Err le;
	err_clear(&le);
	if (value_parse(t, p, len, &v, NULL, &le) < 0)
		return err_set(e, le.code, "%s", le.msg);
	vec_set_value(dst, r, &v, NULL);
	return 0;
}

/* A column pass reads one cell of each row, each in another cache line of the input (which the
 * decoder read a while ago): the cell TEXT_AHEAD rows on is asked for ahead of time. */
#define TEXT_AHEAD 16

/* The loop over the rows of one column: a NULL cell sets its flag (and zero data of width W),
 * any other runs the body (the arguments after W) with p, len and r, which `continue`s when it
 * stored the value, else falls through to value_parse. One loop per type, so the type is not
 * dispatched per cell. */
#define TEXT_ROWS(W, ...)                                                                       \
	for (int r = 0; r < n; r++) {                                                           \
		if (src->texts && r + TEXT_AHEAD < n)                                           \
			__builtin_prefetch(src->texts[(size_t)(from + r + TEXT_AHEAD) *          \
						      (size_t)src->ncols + (size_t)k].p);      \
		size_t len;                                                                     \
		const char *p = src_text(src, from + r, k, &len);                               \
		if (!p) {                                                                       \
			nulls[r] = 1;                                                           \
			memset((char *)dst->data + (size_t)r * (W), 0, (W));                     \
			continue;                                                               \
		}                                                                               \
		nulls[r] = 0;                                                                   \
		__VA_ARGS__                                                                     \
		if (text_cell_slow(t, p, len, dst, r, e) < 0)                                   \
			return -1;                                                              \
	}

/* Column k of rows [from, from+n) of a text source into dst (a column of out) as the assignment
 * cast from text would: integers and timestamps in their plain spellings by textparse.h, the
 * rest (and any other spelling) by value_parse; strings copied once into out's arena. The
 * first text that does not convert sets e (value_parse's message) and fails the call. */
static int text_column(const RowSrc *src, int k, int from, int n, Vector *dst, Chunk *out, Err *e)
{
	TypeId t = dst->type;
	uint8_t *nulls = dst->nulls;
	size_t w = type_size(t);
	switch (t) {
	case T_VARCHAR: {
		/* The strings into one block of out's arena: one allocation, not one a row. */
		Str *st = VEC_DATA(dst, Str);
		size_t total = 0;
		TEXT_ROWS(sizeof(Str), {
			st[r] = (Str){p, (uint32_t)len};
			total += len;
			continue;
		})
		char *blk = arena_alloc(&out->arena, total ? total : 1);
		for (int r = 0; r < n; r++)
			if (!nulls[r]) {
				copy_cell(blk, st[r].p, st[r].len);
				st[r].p = blk;
				blk += st[r].len;
			}
		return 0;
	}
	case T_INT8: {
		int64_t *d = VEC_DATA(dst, int64_t);
		TEXT_ROWS(8, {
			if (tp_int64(p, len, &d[r]))
				continue;
		})
		return 0;
	}
	case T_INT4: {
		int32_t *d = VEC_DATA(dst, int32_t);
		TEXT_ROWS(4, {
			int64_t i;
			if (tp_int64(p, len, &i) && i >= INT32_MIN && i <= INT32_MAX) {
				d[r] = (int32_t)i;
				continue;
			}
		})
		return 0;
	}
	case T_INT2: {
		int16_t *d = VEC_DATA(dst, int16_t);
		TEXT_ROWS(2, {
			int64_t i;
			if (tp_int64(p, len, &i) && i >= INT16_MIN && i <= INT16_MAX) {
				d[r] = (int16_t)i;
				continue;
			}
		})
		return 0;
	}
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ: {
		int64_t *d = VEC_DATA(dst, int64_t);
		TpDay day = {0};
		TEXT_ROWS(8, {
			if (tp_timestamp_day(p, len, &d[r], &day))
				continue;
		})
		return 0;
	}
	default:
		TEXT_ROWS(w, {})
		return 0;
	}
}

#undef TEXT_ROWS

/* Converts rows [from, from+n) of the source into `out` (the target's columns); on failure
 * *badcol is the target column that did not convert. */
static int convert_rows(struct Eddy *db, CatObject *t, const int *map, const TypeId *src_types,
			const RowSrc *in, int from, int n, Chunk *out, Arena *scratch, int *badcol,
			Err *e)
{
	int ncols = in->ncols;
	Chunk *src = NULL; /* the source as vectors, for the columns the cast converts */
	bool direct[MAX_COLUMNS];
	int rc = 0;
	ExprCtx cx = {.arena = scratch, .err = e, .now = db->stmt_now};
	for (int c = 0; c < t->ncols && rc == 0; c++) {
		int k = map[c];
		Vector *dst = &out->cols[c];
		direct[c] = false;
		if (k < 0) {
			memset(dst->nulls, 1, (size_t)n);
			memset(dst->data, 0, (size_t)n * type_size(dst->type));
			continue;
		}
		if (src_types[k] == T_UNKNOWN && text_direct(t->cols[c].type, t->cols[c].typmod)) {
			direct[c] = true;
			rc = text_column(in, k, from, n, dst, out, e);
			if (rc < 0)
				*badcol = c;
			continue;
		}
		if (!src) {
			src = chunk_new(src_types, ncols);
			for (int r = 0; r < n; r++)
				for (int j = 0; j < ncols; j++) {
					size_t at = (size_t)(from + r) * (size_t)ncols + (size_t)j;
					Vector *v = &src->cols[j];
					if (in->values) {
						put_value(v, r, &in->values[at], &src->arena);
						continue;
					}
					/* Text cells: referenced, not copied (the cast copies). */
					v->nulls[r] = in->texts[at].p == NULL;
					VEC_DATA(v, Str)[r] = in->texts[at];
				}
			src->nrows = n;
		}
		Expr *x = expr_col(scratch, k, src_types[k], 0);
		if (src_types[k] != t->cols[c].type || t->cols[c].typmod >= 0)
			x = expr_assign(scratch, x, t->cols[c].type, t->cols[c].typmod, t->cols[c].name,
					e);
		if (!x || expr_eval(x, src, dst, &cx) < 0)
			rc = -1;
		if (rc < 0)
			*badcol = c;
		/* out may come unzeroed: NULL rows get zero values, as in a zeroed chunk. */
		for (int r = 0; rc == 0 && r < n; r++)
			if (dst->nulls[r])
				memset((char *)dst->data + (size_t)r * type_size(dst->type), 0,
				       type_size(dst->type));
	}
	/* Strings the cast wrote into scratch (or referenced in the source) move into the chunk's
	 * arena. */
	for (int c = 0; rc == 0 && c < t->ncols; c++)
		if (!direct[c] && type_is_varlen(t->cols[c].type))
			for (int r = 0; r < n; r++)
				if (!out->cols[c].nulls[r]) {
					Str *s = &VEC_DATA(&out->cols[c], Str)[r];
					*s = chunk_str(out, s->p, s->len);
				}
	out->nrows = n;
	chunk_free(src);
	return rc;
}

/* Rows that could not be inserted, for eddy_insert_partial (NULL: all or nothing). */
typedef struct Rejects {
	EddyRowError *errors;
	int max;
	int n;
} Rejects;

static void reject(Rejects *rj, int64_t row, int column, const Err *why)
{
	if (rj->n < rj->max) {
		EddyRowError *r = &rj->errors[rj->n];
		r->row = row;
		r->column = column;
		memcpy(r->sqlstate, err_sqlstate(why->code), 6);
		size_t n = strnlen(why->msg, sizeof r->message - 1);
		memcpy(r->message, why->msg, n);
		r->message[n] = '\0';
	}
	rj->n++;
}

/* Keeps the rows of c that pass NOT NULL and primary-key checks (against the store and the rows
 * kept before them, tracked in `seen`), rejecting the others. rowid maps rows to input rows. */
static void drop_bad_rows(CatObject *t, Chunk *c, int64_t *rowid, HMap *seen, Chunk *scratch,
			  Rejects *rj)
{
	ObjRt *rt = t->rt;
	StrBuf key;
	sb_init(&key);
	int keep = 0;
	for (int r = 0; r < c->nrows; r++) {
		Err why;
		err_clear(&why);
		int badcol = -1;
		for (int k = 0; k < t->ncols && badcol < 0; k++)
			if (t->cols[k].not_null && c->cols[k].nulls[r]) {
				badcol = k;
				err_set(&why, ERR_NOT_NULL_VIOLATION,
					"null value in column \"%s\" of relation \"%s\" violates "
					"not-null constraint",
					t->cols[k].name, t->name);
			}
		if (badcol < 0 && t->npk) {
			sb_reset(&key);
			row_encode(c, t->pk, t->npk, r, ROWCODEC_NORMALIZE, &key);
			uint64_t h = hash_bytes(key.data, key.len);
			bool found;
			hmap_upsert(seen, key.data, key.len, h, &found);
			chunk_reset(scratch);
			if (found || mvstore_lookup(rt->store, c, r, scratch, 0)) {
				dup_error(t, c, r, &why);
				badcol = t->pk[0];
			}
		}
		if (badcol >= 0) {
			reject(rj, rowid[r], badcol, &why);
			continue;
		}
		if (keep != r) {
			for (int k = 0; k < c->ncols; k++)
				vec_copy_value(&c->cols[k], keep, &c->cols[k], r, NULL);
			rowid[keep] = rowid[r];
		}
		keep++;
	}
	c->nrows = keep;
	sb_deinit(&key);
}

static int insert_values(struct Eddy *db, const char *target, const char *const *columns,
			 const RowSrc *in, int nrows, Rejects *rj, uint64_t *count, Err *e)
{
	int ncols = in->ncols;
	const EddyValue *values = in->values;
	Chunk **chunks = NULL;
	int64_t **rowids = NULL;
	int nchunks = 0;
	Arena scratch;
	arena_init(&scratch, 64 * 1024);
	Chunk *one = NULL;
	int rc = -1;
	*count = 0;
	CatObject *t = catalog_find(db->cat, target);
	if (!t) {
		err_set(e, ERR_UNDEFINED_TABLE, "relation \"%s\" does not exist", target);
		goto out;
	}
	if (t->kind != OBJ_STREAM && t->kind != OBJ_TABLE) {
		err_set(e, ERR_WRONG_OBJECT_TYPE, "cannot insert into %s \"%s\"", objkind_name(t->kind),
			t->name);
		goto out;
	}
	if (ncols > MAX_COLUMNS) {
		err_set(e, ERR_PROGRAM_LIMIT, "tables can have at most %d columns", MAX_COLUMNS);
		goto out;
	}
	int map[MAX_COLUMNS];
	for (int c = 0; c < t->ncols; c++)
		map[c] = columns ? -1 : (c < ncols ? c : -1);
	if (!columns && ncols > t->ncols) {
		err_set(e, ERR_SYNTAX, "INSERT has more expressions than target columns");
		goto out;
	}
	for (int k = 0; columns && k < ncols; k++) {
		int c = catobj_column(t, columns[k]);
		if (c < 0) {
			err_set(e, ERR_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist",
				columns[k], t->name);
			goto out;
		}
		if (map[c] >= 0) {
			err_set(e, ERR_DUPLICATE_COLUMN, "column \"%s\" specified more than once",
				columns[k]);
			goto out;
		}
		map[c] = k;
	}
	/* Each input column has one C type (the first non-NULL value's); NULLs fit any. */
	TypeId src_types[MAX_COLUMNS];
	for (int k = 0; k < ncols; k++) {
		if (!values) {
			src_types[k] = T_UNKNOWN; /* text cells */
			continue;
		}
		src_types[k] = T_NULL;
		for (int r = 0; r < nrows; r++) {
			EddyType et = values[(size_t)r * (size_t)ncols + (size_t)k].type;
			if (et == EDDY_NULL)
				continue;
			if (src_types[k] == T_NULL) {
				src_types[k] = api_type(et);
			} else if (src_types[k] != api_type(et)) {
				err_set(e, ERR_DATATYPE_MISMATCH,
					"row %d, column %d: value of type %s in a column of %s values",
					r + 1, k + 1, eddy_type_name(et), type_name(src_types[k]));
				goto out;
			}
		}
		if (src_types[k] == T_NULL) {
			int c;
			for (c = 0; c < t->ncols && map[c] != k; c++)
				;
			src_types[k] = c < t->ncols ? t->cols[c].type : T_VARCHAR;
		}
	}
	TypeId types[MAX_COLUMNS];
	for (int c = 0; c < t->ncols; c++)
		types[c] = t->cols[c].type;
	for (int from = 0; from < nrows; from += CHUNK_CAP) {
		int n = nrows - from < CHUNK_CAP ? nrows - from : CHUNK_CAP;
		/* convert_rows writes every row, values of NULLs included: no zeroing needed. */
		Chunk *out = chunk_new_unzeroed(types, t->ncols);
		chunks = mem_realloc(chunks, sizeof(Chunk *) * (size_t)(nchunks + 1));
		rowids = mem_realloc(rowids, sizeof(int64_t *) * (size_t)(nchunks + 1));
		chunks[nchunks] = out;
		int64_t *rowid = rowids[nchunks++] = mem_alloc(sizeof(int64_t) * CHUNK_CAP);
		for (int r = 0; r < n; r++)
			rowid[r] = from + r;
		arena_reset(&scratch);
		Err ce;
		err_clear(&ce);
		int badcol = -1;
		if (convert_rows(db, t, map, src_types, in, from, n, out, &scratch, &badcol, &ce) == 0)
			continue;
		/* Convert row by row to find the failing rows: name the first, or skip them all. */
		chunk_reset(out);
		if (!one)
			one = chunk_new(types, t->ncols);
		for (int r = 0; r < n; r++) {
			Err e1;
			err_clear(&e1);
			chunk_reset(one);
			arena_reset(&scratch);
			badcol = -1;
			if (convert_rows(db, t, map, src_types, in, from + r, 1, one, &scratch, &badcol,
					 &e1) == 0) {
				rowid[out->nrows] = from + r;
				chunk_append_row(out, one, 0, OP_INSERT);
				continue;
			}
			if (!rj) {
				err_set(e, e1.code, "row %d: %s", from + r + 1, e1.msg);
				goto out;
			}
			reject(rj, from + r, badcol, &e1);
		}
	}
	bool checks = t->npk > 0;
	for (int c = 0; c < t->ncols && !checks; c++)
		checks = t->cols[c].not_null;
	if (rj && checks) {
		if (!one && t->npk)
			one = chunk_new(types, t->ncols); /* drop_bad_rows' lookups */
		HMap seen;
		hmap_init(&seen, 1);
		for (int i = 0; i < nchunks; i++)
			drop_bad_rows(t, chunks[i], rowids[i], &seen, one, rj);
		hmap_deinit(&seen);
	}
	rc = insert_chunks(db, t, chunks, nchunks, true, count, e);
out:
	for (int i = 0; i < nchunks; i++) {
		chunk_free(chunks[i]);
		mem_free(rowids[i]);
	}
	mem_free(chunks);
	mem_free(rowids);
	chunk_free(one);
	arena_deinit(&scratch);
	return rc;
}

/* One call of the API: insert_values under the lock, the log synced before the answer. rj NULL:
 * the first bad row fails the call (eddy_insert); else bad rows go to rj and the rest is kept.
 * Returns the rows inserted, or -1 with err set. */
static int64_t insert_call(Eddy *db, const char *target, const char *const *columns,
			   const RowSrc *in, int nrows, Rejects *rj, int *nerrors, EddyError *err)
{
	Err e;
	err_clear(&e);
	uint64_t count = 0;
	pthread_mutex_lock(&db->mu);
	db->stmt_now = eng_now_us();
	db->defer_sync = true;
	int rc = insert_values(db, target, columns, in, nrows, rj, &count, &e);
	if (eng_unlock_and_sync(db, rc < 0 ? NULL : &e) < 0)
		rc = -1;
	if (nerrors)
		*nerrors = rj ? rj->n : 0;
	if (rc < 0) {
		eng_export_error(&e, err);
		return -1;
	}
	return (int64_t)count;
}

int eddy_insert(Eddy *db, const char *target, const char *const *columns, int ncols,
		const EddyValue *values, int nrows, EddyError *err)
{
	RowSrc in = {values, NULL, ncols};
	return insert_call(db, target, columns, &in, nrows, NULL, NULL, err) < 0 ? -1 : 0;
}

int64_t eddy_insert_partial(Eddy *db, const char *target, const char *const *columns, int ncols,
			    const EddyValue *values, int nrows, EddyRowError *errors,
			    int max_errors, int *nerrors, EddyError *err)
{
	RowSrc in = {values, NULL, ncols};
	Rejects rj = {errors, errors ? max_errors : 0, 0};
	return insert_call(db, target, columns, &in, nrows, &rj, nerrors, err);
}

int64_t eng_insert_text(Eddy *db, const char *target, const char *const *columns, int ncols,
			const Str *cells, int nrows, EddyRowError *errors, int max_errors,
			int *nerrors, EddyError *err)
{
	RowSrc in = {NULL, cells, ncols};
	Rejects rj = {errors, errors ? max_errors : 0, 0};
	return insert_call(db, target, columns, &in, nrows, &rj, nerrors, err);
}
