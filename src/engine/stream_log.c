/* stream_log.c: streams of a database on a data directory keep their rows in the stream log.
 *
 * Layer: engine. Owns the bridge between a stream and its storage/log.h log: the directory
 * DIR/streams/<stream name>/, the stream's WITH options (fsync, retention, compression), the
 * payload of each log batch, history scans with event-time pruning, and the replay that rebuilds
 * the views when a database opens. Never decides what a row means: chunks are encoded by
 * vec/chunk_codec.c and published by insert.c.
 *
 * One INSERT (or eddy_insert / eddy_ingest call) into a stream is one atomic log_append of one
 * batch per chunk. Each batch's payload is:
 *
 *   off  size  field
 *     0     8  sequence number of the append (little-endian), the same for all its batches
 *     8     .  the chunk, encoded by chunk_encode (format at the top of vec/chunk_codec.c)
 *
 * and its event-time range is the min/max of the stream's watermark column over the batch's rows
 * (NULLs left out; a batch of NULL times gets [INT64_MIN, INT64_MIN], which no range matches).
 *
 * Ordering: the database numbers stream appends and statement-journal records (DDL and table
 * changes) from one counter, Eddy.seq. Opening a data directory replays the journal and, before
 * each record, every stream append with a smaller sequence number, merged across streams in
 * sequence order, through the same publish path as a live insert (views, watermarks, epochs).
 * So every view sees its inputs in exactly the order they were acknowledged, and a table change
 * lands between the same stream appends as it did live. */
#include "engine/engine_int.h"

#include "vec/chunk_codec.h"
#include "vec/value.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENVELOPE 8

/* A stream's position in the replay merge. */
typedef struct ReplayCursor {
	LogScan *scan;
	LogBatch b;    /* the batch under the cursor (payload owned by the scan) */
	bool have;
	uint64_t seq;  /* its sequence number */
} ReplayCursor;

/* ---- options */

/* "10GB", "512 MB", "4096": bytes (units as PostgreSQL's memory settings: 1kB = 1024 bytes). */
static int parse_bytes(const char *key, const char *v, uint64_t *out, Err *e)
{
	char *end;
	errno = 0;
	double n = strtod(v, &end);
	while (*end == ' ')
		end++;
	static const struct {
		const char *unit;
		double mult;
	} units[] = {{"", 1},	 {"b", 1},	  {"kb", 1024.0},	    {"mb", 1048576.0},
		     {"gb", 1073741824.0}, {"tb", 1099511627776.0}};
	for (size_t i = 0; end != v && errno == 0 && n > 0 && i < sizeof units / sizeof units[0];
	     i++)
		if (strcasecmp(end, units[i].unit) == 0) {
			*out = (uint64_t)(n * units[i].mult);
			return 0;
		}
	err_set(e, ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", key,
		v);
	err_hint(e, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
	return -1;
}

int eng_parse_age(const char *key, const char *v, int64_t *out, Err *e)
{
	Arena a;
	arena_init(&a, 256);
	Value iv;
	Err ie;
	err_clear(&ie);
	int rc = value_parse(T_INTERVAL, v, strlen(v), &iv, &a, &ie);
	arena_deinit(&a);
	if (rc == 0) {
		*out = iv.u.iv.us + (int64_t)iv.u.iv.days * US_PER_DAY +
		       (int64_t)iv.u.iv.months * 30 * US_PER_DAY;
		if (*out > 0)
			return 0;
	}
	return err_set(e, ERR_INVALID_PARAMETER_VALUE,
		       "invalid value for parameter \"%s\": \"%s\"", key, v);
}

static int bad_choice(const char *key, const char *v, const char *choices, Err *e)
{
	err_set(e, ERR_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"", key,
		v);
	err_hint(e, "Available values: %s.", choices);
	return -1;
}

/* Reads the stream's WITH options into the log options and rt->fsync_mode. */
static int stream_options(CatObject *s, ObjRt *rt, LogOptions *o, Err *e)
{
	rt->fsync_mode = STREAM_FSYNC_ALWAYS;
	for (int i = 0; i < s->nopts; i++) {
		const char *k = s->opts[i].key, *v = s->opts[i].value;
		int rc = 0;
		if (strcmp(k, "fsync") == 0) {
			if (strcasecmp(v, "always") == 0)
				rt->fsync_mode = STREAM_FSYNC_ALWAYS;
			else if (strcasecmp(v, "interval") == 0)
				rt->fsync_mode = STREAM_FSYNC_INTERVAL;
			else if (strcasecmp(v, "never") == 0)
				rt->fsync_mode = STREAM_FSYNC_NEVER;
			else
				rc = bad_choice(k, v, "always, interval, never", e);
		} else if (strcmp(k, "compression") == 0) {
			if (strcasecmp(v, "lz4") == 0)
				o->codec = SEG_CODEC_LZ4;
			else if (strcasecmp(v, "zstd") == 0)
				o->codec = SEG_CODEC_ZSTD;
			else if (strcasecmp(v, "none") == 0)
				o->codec = SEG_CODEC_NONE;
			else
				rc = bad_choice(k, v, "lz4, zstd, none", e);
		} else if (strcmp(k, "retention") == 0) {
			rc = eng_parse_age(k, v, &o->retention_age_us, e);
		} else if (strcmp(k, "retention_bytes") == 0) {
			rc = parse_bytes(k, v, &o->retention_bytes, e);
		} else if (strcmp(k, "segment_bytes") == 0) {
			rc = parse_bytes(k, v, &o->segment_bytes, e);
		}
		if (rc < 0)
			return -1;
	}
	/* fsync='always' writes under the database lock and syncs after it (group commit), so the
	 * log itself only syncs in the background as a safety net. */
	o->durability = rt->fsync_mode == STREAM_FSYNC_NEVER ? LOG_FSYNC_NEVER : LOG_FSYNC_INTERVAL;
	o->interval_ms = rt->fsync_mode == STREAM_FSYNC_ALWAYS ? 1000 : 100;
	return 0;
}

/* ---- directories */

/* DIR/streams/<name>: catalog ids are not stable across a replay (a failed CREATE uses one and
 * is not journaled), names are. Bytes other than [a-z0-9_] are written %XX. */
static void stream_dir(struct Eddy *db, const CatObject *s, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/streams/", db->data_dir);
	for (const char *p = s->name; *p && (size_t)len + 4 < n; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')
			out[len++] = (char)ch;
		else
			len += snprintf(out + len, n - (size_t)len, "%%%02X", ch);
	}
	out[len] = '\0';
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	char file[4400];
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof file, "%s/%s", path, de->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

static void log_report(void *ctx, const char *msg)
{
	/* The summary of a clean open is noise; repairs are worth a line. */
	if (strncmp(msg, "opened log", 10) != 0)
		fprintf(stderr, "eddy: stream \"%s\": %s\n", ((CatObject *)ctx)->name, msg);
}

int eng_stream_open(struct Eddy *db, ObjRt *rt, Err *e)
{
	CatObject *s = rt->obj;
	LogOptions o;
	log_options_init(&o);
	if (stream_options(s, rt, &o, e) < 0)
		return -1;
	if (!db->data_dir) {
		/* In memory, retention applies to the history chunks (insert.c). */
		rt->mem_retention_bytes = o.retention_bytes;
		rt->mem_retention_us = o.retention_age_us;
		return 0;
	}
	o.stream_id = (uint32_t)s->id;
	o.report = log_report;
	o.report_ctx = s;
	char path[4200];
	snprintf(path, sizeof path, "%s/streams", db->data_dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "could not create directory \"%s\": %s", path,
			       strerror(errno));
	stream_dir(db, s, path, sizeof path);
	/* A live CREATE starts empty: a directory left by a CREATE that never reached the journal
	 * (a crash in between) holds nothing acknowledged. */
	if (!db->replaying)
		remove_dir(path);
	rt->log = log_open(path, &o, NULL, e);
	if (!rt->log)
		return -1;
	rt->end_offset = log_next_offset(rt->log);
	if (db->replaying) {
		LogRange r = {.from_offset = log_start_offset(rt->log), .to_offset = UINT64_MAX};
		if (ckpt_stream_position(db, rt, &r.from_offset, e) < 0)
			return -1;
		rt->end_offset = r.from_offset;
		ReplayCursor *c = mem_calloc(1, sizeof *c);
		c->scan = log_scan_open(rt->log, &r, e);
		if (!c->scan) {
			mem_free(c);
			return -1;
		}
		rt->replay = c;
	}
	return 0;
}

static void cursor_free(ObjRt *rt)
{
	if (!rt->replay)
		return;
	log_scan_close(rt->replay->scan);
	mem_free(rt->replay);
	rt->replay = NULL;
}

void eng_stream_close(ObjRt *rt, bool drop)
{
	if (!rt->log)
		return;
	struct Eddy *db = rt->db;
	cursor_free(rt);
	/* Writers syncing without the database lock hold sync_lock shared. */
	pthread_rwlock_wrlock(&db->sync_lock);
	Err e;
	err_clear(&e);
	if (log_close(rt->log, &e) < 0)
		fprintf(stderr, "eddy: stream \"%s\": %s\n", rt->obj->name, e.msg);
	pthread_rwlock_unlock(&db->sync_lock);
	rt->log = NULL;
	/* A replayed DROP leaves the directory alone: it was removed when the DROP ran, and what
	 * is there now belongs to a later stream of the same name (whose appends all come after
	 * the DROP in sequence order, so the dropped one never published them). */
	if (drop && !db->replaying) {
		char path[4200];
		stream_dir(db, rt->obj, path, sizeof path);
		remove_dir(path);
	}
}

/* ---- appending */

/* The event-time range of c's rows: the stream's watermark column. */
static void time_range(const CatObject *s, const Chunk *c, int64_t *lo, int64_t *hi)
{
	*lo = *hi = 0;
	if (s->wm_col < 0)
		return;
	const Vector *v = &c->cols[s->wm_col];
	bool any = false;
	for (int r = 0; r < c->nrows; r++) {
		if (v->nulls[r])
			continue;
		int64_t t;
		switch (v->type) {
		case T_TIMESTAMP:
		case T_TIMESTAMPTZ:
		case T_INT8:
			t = VEC_DATA(v, int64_t)[r];
			break;
		case T_DATE:
			t = VEC_DATA(v, int32_t)[r] * US_PER_DAY;
			break;
		default:
			return;
		}
		if (!any || t < *lo)
			*lo = t;
		if (!any || t > *hi)
			*hi = t;
		any = true;
	}
	if (!any)
		*lo = *hi = INT64_MIN;
}

int eng_stream_write(struct Eddy *db, ObjRt *rt, Chunk **chunks, int n, Err *e)
{
	if (!rt->log)
		return 0;
	if (db->replaying)
		return err_set(e, ERR_INTERNAL, "stream \"%s\" written during journal replay",
			       rt->obj->name);
	LogBatchIn *in = mem_calloc((size_t)n + 1, sizeof *in);
	StrBuf *bufs = mem_calloc((size_t)n + 1, sizeof *bufs);
	uint64_t seq = db->seq;
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (chunks[i]->nrows == 0)
			continue;
		sb_init(&bufs[m]);
		sb_append(&bufs[m], &seq, ENVELOPE);
		chunk_encode(chunks[i], &bufs[m]);
		in[m].payload = bufs[m].data;
		in[m].len = bufs[m].len;
		in[m].rows = (uint32_t)chunks[i]->nrows;
		time_range(rt->obj, chunks[i], &in[m].min_time, &in[m].max_time);
		m++;
	}
	int rc = m ? log_append(rt->log, in, (size_t)m, NULL, e) : 0;
	for (int i = 0; i < m; i++)
		sb_deinit(&bufs[i]);
	mem_free(bufs);
	mem_free(in);
	if (rc < 0 || m == 0)
		return rc;
	db->seq++;
	rt->end_offset = log_next_offset(rt->log);
	if (rt->fsync_mode != STREAM_FSYNC_ALWAYS)
		return 0;
	if (db->defer_sync) {
		/* One target per API call: its log is synced by eng_unlock_and_sync. */
		db->deferred = rt->log;
		return 0;
	}
	return log_sync(rt->log, e);
}

int eng_unlock_and_sync(struct Eddy *db, Err *e)
{
	eng_checkpoint_due(db);
	Log *l = db->deferred;
	db->deferred = NULL;
	db->defer_sync = false;
	if (!l) {
		pthread_mutex_unlock(&db->mu);
		return 0;
	}
	pthread_rwlock_rdlock(&db->sync_lock);
	pthread_mutex_unlock(&db->mu);
	Err ignored;
	err_clear(&ignored);
	int rc = log_sync(l, e ? e : &ignored);
	pthread_rwlock_unlock(&db->sync_lock);
	return rc;
}

/* ---- reading */

/* Decodes a batch's payload into c (emptied first); *seq receives its sequence number. */
static int decode_batch(ObjRt *rt, const LogBatch *b, Chunk *c, uint64_t *seq, Err *e)
{
	if (b->len < ENVELOPE)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "stream \"%s\": batch at offset %llu is too short", rt->obj->name,
			       (unsigned long long)b->base_offset);
	memcpy(seq, b->payload, ENVELOPE);
	chunk_reset(c);
	if (chunk_decode((const uint8_t *)b->payload + ENVELOPE, b->len - ENVELOPE, c, e) < 0)
		return -1;
	if ((uint32_t)c->nrows != b->rows)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "stream \"%s\": batch at offset %llu holds %d rows, its header says "
			       "%u",
			       rt->obj->name, (unsigned long long)b->base_offset, c->nrows, b->rows);
	return 0;
}

static Chunk *stream_chunk(const CatObject *s)
{
	TypeId types[MAX_COLUMNS];
	for (int i = 0; i < s->ncols; i++)
		types[i] = s->cols[i].type;
	return chunk_new(types, s->ncols);
}

int eng_stream_scan(ObjRt *rt, bool by_time, int64_t min_time, int64_t max_time,
		    int (*emit)(void *, const Chunk *, Err *), void *emit_arg, Err *e)
{
	memset(&rt->last_scan, 0, sizeof rt->last_scan);
	LogRange r = {.from_offset = log_start_offset(rt->log), .to_offset = rt->end_offset,
		      .by_time = by_time, .min_time = min_time, .max_time = max_time};
	if (r.from_offset >= r.to_offset)
		return 0;
	LogScan *s = log_scan_open(rt->log, &r, e);
	if (!s)
		return -1;
	Chunk *c = stream_chunk(rt->obj);
	LogBatch b;
	uint64_t seq;
	int rc;
	while ((rc = log_scan_next(s, &b, e)) > 0) {
		if (decode_batch(rt, &b, c, &seq, e) < 0 || emit(emit_arg, c, e) < 0) {
			rc = -1;
			break;
		}
	}
	log_scan_stats(s, &rt->last_scan);
	chunk_free(c);
	log_scan_close(s);
	return rc < 0 ? -1 : 0;
}

/* ---- replay */

static int cursor_fill(ObjRt *rt, Err *e)
{
	ReplayCursor *c = rt->replay;
	if (c->have || !c->scan)
		return 0;
	int rc = log_scan_next(c->scan, &c->b, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		log_scan_close(c->scan);
		c->scan = NULL;
		return 0;
	}
	if (c->b.len < ENVELOPE)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "stream \"%s\": batch at offset %llu is too short", rt->obj->name,
			       (unsigned long long)c->b.base_offset);
	memcpy(&c->seq, c->b.payload, ENVELOPE);
	c->have = true;
	return 0;
}

/* Removes the log directories no stream owns any more: those of streams dropped in the
 * journal, which a replayed DROP leaves alone. */
static void remove_orphans(struct Eddy *db)
{
	char path[4200], mine[4200];
	snprintf(path, sizeof path, "%s/streams", db->data_dir);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/streams/%s", db->data_dir, de->d_name);
		bool owned = false;
		for (int i = 0; i < catalog_count(db->cat) && !owned; i++) {
			CatObject *o = catalog_at(db->cat, i);
			if (o->kind != OBJ_STREAM)
				continue;
			stream_dir(db, o, mine, sizeof mine);
			owned = strcmp(mine, path) == 0;
		}
		if (!owned)
			remove_dir(path);
	}
	closedir(d);
}

/* Publishes the next append of rt (all its consecutive batches with one sequence number). */
static int replay_append(struct Eddy *db, ObjRt *rt, Err *e)
{
	ReplayCursor *c = rt->replay;
	uint64_t seq = c->seq;
	Chunk **chunks = NULL;
	int n = 0, rc = 0;
	while (rc == 0 && c->have && c->seq == seq) {
		chunks = mem_realloc(chunks, sizeof(Chunk *) * (size_t)(n + 1));
		chunks[n] = stream_chunk(rt->obj);
		uint64_t s;
		rc = decode_batch(rt, &c->b, chunks[n++], &s, e);
		rt->end_offset = c->b.base_offset + c->b.rows;
		c->have = false;
		if (rc == 0)
			rc = cursor_fill(rt, e);
	}
	if (seq > db->seq)
		db->seq = seq; /* published as number seq (at or above the checkpoint) */
	if (rc == 0)
		rc = eng_stream_publish(db, rt->obj, chunks, n, e);
	if (rc == 0)
		rc = eng_end_epoch(db, e);
	for (int i = 0; i < n; i++)
		chunk_free(chunks[i]);
	mem_free(chunks);
	if (seq >= db->seq)
		db->seq = seq + 1;
	return rc;
}

int eng_replay_streams(struct Eddy *db, uint64_t limit, Err *e)
{
	for (;;) {
		ObjRt *best = NULL;
		for (int i = 0; i < catalog_count(db->cat); i++) {
			ObjRt *rt = catalog_at(db->cat, i)->rt;
			if (!rt || !rt->replay)
				continue;
			if (cursor_fill(rt, e) < 0)
				return -1;
			if (rt->replay->have && rt->replay->seq < limit &&
			    (!best || rt->replay->seq < best->replay->seq))
				best = rt;
		}
		if (!best)
			break;
		if (replay_append(db, best, e) < 0)
			return -1;
	}
	if (limit == UINT64_MAX) {
		for (int i = 0; i < catalog_count(db->cat); i++) {
			ObjRt *rt = catalog_at(db->cat, i)->rt;
			if (rt)
				cursor_free(rt);
		}
		remove_orphans(db);
	}
	return 0;
}
