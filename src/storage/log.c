/* log.c: a stream partition's log: segments in a directory, offsets, durability and group
 * commit, recovery, retention and scans (log.h).
 *
 * Layer: storage. Owns the directory's LOCK file and the list of segments; segment.c owns the
 * bytes inside each file. Never interprets payloads.
 *
 * Concurrency: one mutex (mu) guards the segment list, offsets and counters. An append encodes
 * and compresses its batches before taking it, then stamps offsets and writes with one pwrite
 * under it. Group commit (LOG_FSYNC_ALWAYS): every write gets a sequence number; a writer waits
 * until sync_seq covers its own. The first waiter that finds no sync running becomes the syncer:
 * it notes the newest sequence written so far, drops the lock, calls fdatasync, and on return
 * publishes that sequence and wakes everyone. Writers that arrived during its fdatasync are
 * covered by the next one, which one of them performs for all. The interval flusher and log_sync
 * use the same step.
 */
#include "storage/log.h"

#include "base/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct Log {
	char *dir;
	LogOptions opt;
	int lock_fd;
	pthread_mutex_t mu;
	pthread_cond_t synced; /* sync_seq advanced or a sync finished */
	Segment **segs;        /* by base offset; the last is the active one */
	size_t nseg, capseg;
	uint64_t next_offset;
	uint64_t bytes;
	uint64_t write_seq; /* appends written */
	uint64_t sync_seq;  /* appends known durable */
	bool syncing;
	Err failed;         /* a failed fsync: sticky, see log_append */
	LogStats stats;
	pthread_t flusher;
	bool flusher_on;
	bool stop;
	pthread_cond_t wake; /* flusher's timer and stop signal */
	uint64_t keep_from;  /* retention keeps segments with offsets at or above (log_keep_from) */
};

void log_options_init(LogOptions *o)
{
	memset(o, 0, sizeof *o);
	o->codec = SEG_CODEC_LZ4;
	o->zstd_level = 3;
	o->durability = LOG_FSYNC_ALWAYS;
	o->interval_ms = 100;
	o->segment_bytes = 128u << 20;
	o->segment_age_us = 3600LL * 1000000;
	o->index_interval = 64 * 1024;
}

static int64_t now_us(const Log *l)
{
	if (l->opt.clock)
		return l->opt.clock(l->opt.clock_ctx);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void report(const Log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(const Log *l, const char *fmt, ...)
{
	if (!l->opt.report)
		return;
	char msg[ERR_MSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	l->opt.report(l->opt.report_ctx, msg);
}

static Segment *active(const Log *l)
{
	return l->segs[l->nseg - 1];
}

static void push_segment(Log *l, Segment *s)
{
	if (l->nseg == l->capseg) {
		l->capseg = l->capseg ? l->capseg * 2 : 8;
		l->segs = mem_realloc(l->segs, l->capseg * sizeof *l->segs);
	}
	l->segs[l->nseg++] = s;
	l->bytes += s->size;
}

/* ---- durability */

/* One round of group commit, called with mu held and no sync running: syncs everything written
 * so far with the lock released, then publishes it. */
static void sync_round(Log *l)
{
	l->syncing = true;
	uint64_t target = l->write_seq;
	Segment *s = active(l);
	/* A duplicate descriptor keeps the file open even if the segment is closed meanwhile. */
	int fd = dup(s->fd);
	char *path = mem_strdup(s->path);
	pthread_mutex_unlock(&l->mu);
	int rc = fd < 0 ? -1 : fdatasync(fd);
	int saved = errno;
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&l->mu);
	l->syncing = false;
	l->stats.fsyncs++;
	if (rc != 0)
		err_set(&l->failed, ERR_IO, "could not fsync file \"%s\": %s", path, strerror(saved));
	else if (target > l->sync_seq)
		l->sync_seq = target;
	mem_free(path);
	pthread_cond_broadcast(&l->synced);
}

/* Waits (mu held) until the appends up to seq are durable. */
static int wait_durable(Log *l, uint64_t seq, Err *e)
{
	while (l->sync_seq < seq && !err_failed(&l->failed)) {
		if (l->syncing)
			pthread_cond_wait(&l->synced, &l->mu);
		else
			sync_round(l);
	}
	if (err_failed(&l->failed))
		return err_set(e, l->failed.code, "%s", l->failed.msg);
	return 0;
}

static void *flusher_main(void *arg)
{
	Log *l = arg;
	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t ns = (uint64_t)ts.tv_nsec + (uint64_t)l->opt.interval_ms * 1000000;
		ts.tv_sec += (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		pthread_cond_timedwait(&l->wake, &l->mu, &ts);
		if (!l->stop && !l->syncing && l->sync_seq < l->write_seq &&
		    !err_failed(&l->failed))
			sync_round(l);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int log_sync(Log *l, Err *e)
{
	pthread_mutex_lock(&l->mu);
	int rc = wait_durable(l, l->write_seq, e);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* ---- retention and rolling (mu held) */

static int retain_locked(Log *l, uint32_t *removed, Err *e)
{
	int64_t now = now_us(l);
	uint32_t n = 0;
	int rc = 0;
	while (l->nseg > 1) {
		Segment *s = l->segs[0];
		bool old = l->opt.retention_age_us > 0 &&
			   now - s->last_append > l->opt.retention_age_us;
		bool big = l->opt.retention_bytes > 0 && l->bytes > l->opt.retention_bytes;
		if ((!old && !big) || s->next_offset > l->keep_from)
			break;
		char *path = mem_strdup(s->path);
		report(l, "retention: removing segment \"%s\" (offsets %" PRIu64 " to %" PRIu64 ")",
		       path, s->base_offset, s->next_offset);
		l->bytes -= s->size;
		seg_close(s);
		memmove(l->segs, l->segs + 1, (l->nseg - 1) * sizeof *l->segs);
		l->nseg--;
		l->stats.segments_deleted++;
		n++;
		rc = seg_remove_files(path, e);
		mem_free(path);
		if (rc != 0)
			break;
	}
	if (rc == 0 && n > 0 && l->opt.durability != LOG_FSYNC_NEVER)
		rc = seg_sync_dir(l->dir, e);
	if (removed)
		*removed = n;
	return rc;
}

void log_keep_from(Log *l, uint64_t offset)
{
	pthread_mutex_lock(&l->mu);
	l->keep_from = offset;
	pthread_mutex_unlock(&l->mu);
}

int log_retain(Log *l, uint32_t *removed, Err *e)
{
	pthread_mutex_lock(&l->mu);
	int rc = retain_locked(l, removed, e);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* Seals the active segment (synced and indexed unless LOG_FSYNC_NEVER) and starts a new one at
 * the next offset. */
static int roll(Log *l, int64_t now, Err *e)
{
	Segment *old = active(l);
	bool sync = l->opt.durability != LOG_FSYNC_NEVER;
	if (sync) {
		if (seg_sync(old, e) != 0)
			return -1;
		l->stats.fsyncs++;
		l->sync_seq = l->write_seq;
	}
	if (seg_write_index(old, sync, e) != 0)
		return -1;
	Segment *s = seg_create(l->dir, l->opt.stream_id, l->opt.partition, l->next_offset, now,
				l->opt.index_interval, sync, e);
	if (!s)
		return -1;
	push_segment(l, s);
	l->stats.segments_created++;
	return retain_locked(l, NULL, e);
}

/* ---- appending */

static int check_batches(const LogBatchIn *b, size_t n, Err *e)
{
	if (n == 0)
		return err_set(e, ERR_INVALID_PARAMETER_VALUE, "an append needs at least one batch");
	for (size_t i = 0; i < n; i++) {
		if (b[i].rows == 0)
			return err_set(e, ERR_INVALID_PARAMETER_VALUE,
				       "batch %zu of an append has no rows", i + 1);
		if (b[i].len > SEG_MAX_PAYLOAD)
			return err_set(e, ERR_PROGRAM_LIMIT,
				       "batch payload of %zu bytes exceeds the maximum of %u bytes",
				       b[i].len, SEG_MAX_PAYLOAD);
		if (b[i].min_time > b[i].max_time)
			return err_set(e, ERR_INVALID_PARAMETER_VALUE,
				       "batch %zu has min_time %" PRId64 " after max_time %" PRId64,
				       i + 1, b[i].min_time, b[i].max_time);
	}
	return 0;
}

int log_append(Log *l, const LogBatchIn *in, size_t n, uint64_t *offsets, Err *e)
{
	if (check_batches(in, n, e) != 0)
		return -1;
	/* Encode outside the lock: compression and payload checksums run in parallel. */
	size_t bound = 0;
	for (size_t i = 0; i < n; i++)
		bound += seg_batch_bound(in[i].len);
	uint8_t *buf = mem_alloc(bound);
	size_t *start = mem_alloc(n * sizeof *start);
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		start[i] = total;
		total += seg_batch_encode(buf + total, l->opt.codec, l->opt.zstd_level,
					  in[i].payload, in[i].len, in[i].rows, in[i].min_time,
					  in[i].max_time, i + 1 == n ? SEG_FLAG_END : 0);
	}

	int rc = -1;
	pthread_mutex_lock(&l->mu);
	if (err_failed(&l->failed)) {
		err_set(e, l->failed.code, "%s", l->failed.msg);
		goto out;
	}
	int64_t now = now_us(l);
	Segment *s = active(l);
	/* An append goes whole into one segment: roll first when it would not fit. */
	if (s->batches > 0 && (s->size + total > l->opt.segment_bytes ||
			       now - s->created >= l->opt.segment_age_us)) {
		if (roll(l, now, e) != 0)
			goto out;
		s = active(l);
	}
	uint64_t off = l->next_offset;
	for (size_t i = 0; i < n; i++) {
		seg_batch_stamp(buf + start[i], off, now);
		if (offsets)
			offsets[i] = off;
		off += in[i].rows;
	}
	uint64_t before = s->size;
	if (seg_write(s, buf, total, e) != 0)
		goto out;
	l->bytes += s->size - before;
	l->next_offset = off;
	l->stats.appends++;
	l->stats.batches += n;
	uint64_t seq = ++l->write_seq;
	rc = l->opt.durability == LOG_FSYNC_ALWAYS ? wait_durable(l, seq, e) : 0;
out:
	pthread_mutex_unlock(&l->mu);
	mem_free(start);
	mem_free(buf);
	return rc;
}

/* ---- opening and closing */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Base offsets of the DIR/<20 digits>.seg files, sorted; removes leftover temporary files. */
static int list_segments(const char *dir, uint64_t **out, size_t *n, Err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, ERR_IO, "could not open directory \"%s\": %s", dir,
			       strerror(errno));
	size_t cap = 0;
	*n = 0;
	*out = NULL;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		if (len > 8 && strcmp(name + len - 8, ".idx.tmp") == 0) {
			size_t pn = strlen(dir) + len + 2;
			char *p = mem_alloc(pn);
			snprintf(p, pn, "%s/%s", dir, name);
			unlink(p);
			mem_free(p);
			continue;
		}
		if (len != 24 || strcmp(name + 20, ".seg") != 0 ||
		    strspn(name, "0123456789") != 20)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = mem_realloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = strtoull(name, NULL, 10);
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_u64);
	return 0;
}

static int lock_dir(Log *l, Err *e)
{
	size_t n = strlen(l->dir) + 8;
	char *path = mem_alloc(n);
	snprintf(path, n, "%s/LOCK", l->dir);
	int rc = -1;
	l->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (l->lock_fd < 0) {
		err_set(e, ERR_IO, "could not open file \"%s\": %s", path, strerror(errno));
		goto out;
	}
	if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char holder[32] = "";
		ssize_t r = pread(l->lock_fd, holder, sizeof holder - 1, 0);
		holder[r > 0 ? r : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		err_set(e, ERR_LOCK_NOT_AVAILABLE, "log directory \"%s\" is in use by process %s",
			l->dir, holder[0] ? holder : "(unknown)");
		goto out;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(l->lock_fd, 0) != 0 || pwrite(l->lock_fd, pid, (size_t)len, 0) != len) {
		err_set(e, ERR_IO, "could not write file \"%s\": %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	mem_free(path);
	return rc;
}

static void log_free(Log *l)
{
	for (size_t i = 0; i < l->nseg; i++)
		seg_close(l->segs[i]);
	mem_free(l->segs);
	if (l->lock_fd >= 0)
		close(l->lock_fd); /* releases the flock */
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->synced);
	pthread_cond_destroy(&l->wake);
	mem_free(l->dir);
	mem_free(l);
}

/* Opens the segment files at bases[0..n) in order, the last as the tail. */
static int open_segments(Log *l, const uint64_t *bases, size_t n, LogRecovery *rec, Err *e)
{
	for (size_t i = 0; i < n; i++) {
		char *path = seg_path(l->dir, bases[i]);
		bool tail = i + 1 == n, torn = false;
		SegRecovery before = rec->seg;
		Segment *s = seg_open(path, l->opt.index_interval, tail, &rec->seg, &torn, e);
		if (!s && torn) {
			report(l, "removing segment file \"%s\": torn while it was being created",
			       path);
			rec->removed_files++;
			int rc = seg_remove_files(path, e);
			mem_free(path);
			if (rc != 0)
				return -1;
			continue;
		}
		mem_free(path);
		if (!s)
			return -1;
		if (rec->seg.truncated_bytes > before.truncated_bytes)
			report(l,
			       "truncated %" PRIu64 " bytes (%u whole batches of an interrupted append"
			       " among them) at the end of \"%s\"",
			       rec->seg.truncated_bytes - before.truncated_bytes,
			       rec->seg.truncated_batches - before.truncated_batches, s->path);
		if (rec->seg.corrupt_batches > before.corrupt_batches)
			report(l, "%u batches with a bad checksum in \"%s\" are kept; reading them "
				  "reports data corruption",
			       rec->seg.corrupt_batches - before.corrupt_batches, s->path);
		if (s->base_offset != bases[i] || (l->nseg > 0 &&
						   s->base_offset != active(l)->next_offset)) {
			err_set(e, ERR_DATA_CORRUPTED,
				"segment file \"%s\" starts at offset %" PRIu64 ", expected %" PRIu64,
				s->path, s->base_offset, l->nseg ? active(l)->next_offset : bases[i]);
			seg_close(s);
			return -1;
		}
		push_segment(l, s);
		rec->segments++;
	}
	return 0;
}

Log *log_open(const char *dir, const LogOptions *opt, LogRecovery *rec_out, Err *e)
{
	Log *l = mem_calloc(1, sizeof *l);
	l->keep_from = UINT64_MAX;
	l->dir = mem_strdup(dir);
	l->lock_fd = -1;
	if (opt)
		l->opt = *opt;
	else
		log_options_init(&l->opt);
	if (l->opt.segment_bytes == 0 || l->opt.index_interval == 0 || l->opt.segment_age_us <= 0 ||
	    (l->opt.durability == LOG_FSYNC_INTERVAL && l->opt.interval_ms == 0)) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE,
			"log options need a positive segment size, segment age, index interval and"
			" sync interval");
		mem_free(l->dir);
		mem_free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->synced, NULL);
	pthread_cond_init(&l->wake, NULL);
	err_clear(&l->failed);

	int64_t t0 = now_us(l);
	LogRecovery rec;
	memset(&rec, 0, sizeof rec);
	uint64_t *bases = NULL;
	size_t n = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		err_set(e, ERR_IO, "could not create directory \"%s\": %s", dir, strerror(errno));
		goto fail;
	}
	if (lock_dir(l, e) != 0 || list_segments(dir, &bases, &n, e) != 0 ||
	    open_segments(l, bases, n, &rec, e) != 0)
		goto fail;
	bool sync = l->opt.durability != LOG_FSYNC_NEVER;
	if (l->nseg == 0) {
		Segment *s = seg_create(dir, l->opt.stream_id, l->opt.partition, 0, now_us(l),
					l->opt.index_interval, sync, e);
		if (!s)
			goto fail;
		push_segment(l, s);
	}
	if (rec.removed_files > 0 && sync && seg_sync_dir(dir, e) != 0)
		goto fail;
	l->next_offset = active(l)->next_offset;
	if (l->opt.durability == LOG_FSYNC_INTERVAL) {
		if (pthread_create(&l->flusher, NULL, flusher_main, l) != 0) {
			err_set(e, ERR_INTERNAL, "could not start the log flusher thread");
			goto fail;
		}
		l->flusher_on = true;
	}
	rec.elapsed_us = now_us(l) - t0;
	report(l,
	       "opened log \"%s\": %u segments, offsets %" PRIu64 " to %" PRIu64 ", %" PRIu64
	       " batches verified, %u indexes rebuilt, %" PRIu64 " bytes truncated",
	       dir, rec.segments, log_start_offset(l), l->next_offset, rec.seg.batches_verified,
	       rec.seg.indexes_rebuilt, rec.seg.truncated_bytes);
	if (rec_out)
		*rec_out = rec;
	mem_free(bases);
	return l;
fail:
	mem_free(bases);
	log_free(l);
	return NULL;
}

int log_close(Log *l, Err *e)
{
	if (!l)
		return 0;
	if (l->flusher_on) {
		pthread_mutex_lock(&l->mu);
		l->stop = true;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->flusher, NULL);
	}
	int rc = 0;
	bool sync = l->opt.durability != LOG_FSYNC_NEVER;
	pthread_mutex_lock(&l->mu);
	if (sync)
		rc = wait_durable(l, l->write_seq, e);
	if (rc == 0)
		rc = seg_write_index(active(l), sync, e);
	pthread_mutex_unlock(&l->mu);
	log_free(l);
	return rc;
}

/* The getters read one field under the lock. */
#define LOG_GETTER(type, name, expr)                                                               \
	type name(Log *l)                                                                          \
	{                                                                                          \
		pthread_mutex_lock(&l->mu);                                                        \
		type v = (expr);                                                                   \
		pthread_mutex_unlock(&l->mu);                                                      \
		return v;                                                                          \
	}

LOG_GETTER(uint64_t, log_start_offset, l->segs[0]->base_offset)
LOG_GETTER(uint64_t, log_next_offset, l->next_offset)
LOG_GETTER(uint64_t, log_bytes, l->bytes)
LOG_GETTER(size_t, log_segment_count, l->nseg)

void log_stats(Log *l, LogStats *out)
{
	pthread_mutex_lock(&l->mu);
	*out = l->stats;
	pthread_mutex_unlock(&l->mu);
}

/* ---- scans */

struct LogScan {
	Log *log;
	LogRange r;
	uint64_t limit;     /* end offset: min(r.to_offset, next offset at open) */
	uint64_t next;      /* first offset not yet returned or skipped */
	int fd;             /* duplicate of the current segment's descriptor, or -1 */
	char *path;         /* its file name, for messages */
	uint64_t seg_base;
	uint64_t pos, end;  /* the batches of the current index entry still to visit */
	uint64_t end_offset; /* offset after the current entry */
	uint8_t *buf, *scratch;
	size_t cap, scap;
	LogScanStats stats;
};

LogScan *log_scan_open(Log *l, const LogRange *r, Err *e)
{
	if (r->from_offset > r->to_offset || (r->by_time && r->min_time > r->max_time)) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "invalid log range");
		return NULL;
	}
	LogScan *s = mem_calloc(1, sizeof *s);
	s->log = l;
	s->r = *r;
	s->fd = -1;
	s->next = r->from_offset;
	uint64_t end = log_next_offset(l);
	s->limit = r->to_offset < end ? r->to_offset : end;
	return s;
}

void log_scan_close(LogScan *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	mem_free(s->path);
	mem_free(s->buf);
	mem_free(s->scratch);
	mem_free(s);
}

void log_scan_stats(const LogScan *s, LogScanStats *out)
{
	*out = s->stats;
}

static bool overlaps(const LogRange *r, int64_t lo, int64_t hi)
{
	return !r->by_time || (lo <= r->max_time && hi >= r->min_time);
}

/* Index of the segment holding offset (mu held); nseg when beyond the log. */
static size_t find_segment(const Log *l, uint64_t offset)
{
	size_t lo = 0, hi = l->nseg;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->segs[mid]->base_offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Moves to the next index entry holding offsets >= s->next that the time range may need,
 * pruning entries and segments by their time bounds. 0 when nothing is left. */
static int locate(LogScan *s, Err *e)
{
	Log *l = s->log;
	int found = 0;
	pthread_mutex_lock(&l->mu);
	if (s->next < l->segs[0]->base_offset)
		s->next = l->segs[0]->base_offset; /* retention removed the start of the range */
	for (size_t si = find_segment(l, s->next); si < l->nseg && s->next < s->limit; si++) {
		Segment *g = l->segs[si];
		if (g->n_index == 0 || g->next_offset <= s->next)
			continue;
		size_t i = seg_index_find(g, s->next);
		for (; i < g->n_index && g->index[i].offset < s->limit; i++) {
			const SegIndexEntry *x = &g->index[i];
			if (overlaps(&s->r, x->min_time, x->max_time))
				break;
			s->stats.entries_skipped++;
		}
		if (i == g->n_index || g->index[i].offset >= s->limit) {
			s->next = g->next_offset;
			continue;
		}
		if (s->next < g->index[i].offset)
			s->next = g->index[i].offset;
		if (s->fd < 0 || s->seg_base != g->base_offset) {
			if (s->fd >= 0)
				close(s->fd);
			mem_free(s->path);
			s->path = mem_strdup(g->path);
			s->seg_base = g->base_offset;
			s->fd = dup(g->fd);
			if (s->fd < 0) {
				err_set(e, ERR_IO, "could not duplicate descriptor of \"%s\": %s",
					g->path, strerror(errno));
				found = -1;
				break;
			}
		}
		s->pos = g->index[i].pos;
		bool last = i + 1 == g->n_index;
		s->end = last ? g->size : g->index[i + 1].pos;
		s->end_offset = last ? g->next_offset : g->index[i + 1].offset;
		found = 1;
		break;
	}
	pthread_mutex_unlock(&l->mu);
	return found;
}

int log_scan_next(LogScan *s, LogBatch *out, Err *e)
{
	for (;;) {
		if (s->next >= s->limit)
			return 0;
		if (s->fd < 0 || s->pos >= s->end) {
			int rc = locate(s, e);
			if (rc <= 0)
				return rc;
		}
		SegBatchInfo b;
		if (seg_read_header(s->fd, s->path, s->pos, &b, e) != 0) {
			/* The rest of this entry cannot be walked: continue at the next one. */
			s->pos = s->end;
			s->next = s->end_offset;
			return -1;
		}
		s->pos += SEG_BATCH_HDR_SIZE + (uint64_t)b.stored_len;
		if (b.base_offset + b.rows <= s->next)
			continue; /* before the range, inside the first entry */
		if (b.base_offset >= s->limit)
			return 0;
		s->next = b.base_offset + b.rows;
		if (!overlaps(&s->r, b.min_time, b.max_time)) {
			s->stats.batches_skipped++;
			continue;
		}
		s->stats.bytes_read += b.stored_len;
		if (seg_read_payload(s->fd, s->path, &b, &s->buf, &s->cap, &s->scratch, &s->scap,
				     e) != 0)
			return -1;
		s->stats.batches_read++;
		*out = (LogBatch){b.base_offset, b.rows, b.min_time, b.max_time, b.append_time,
				  s->buf, b.raw_len};
		return 1;
	}
}
