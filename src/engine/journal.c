/* journal.c: the statement journal that makes a data directory survive a restart.
 *
 * Layer: engine. A database opened on a directory records here, in order, after they succeeded,
 * the statements that changed its catalog (CREATE, DROP) and its tables (DELETE, UPDATE, and the
 * rows inserted into a table, written as INSERT ... VALUES by insert.c). Stream rows are not
 * here: they live in the stream log (stream_log.c). Each record carries the database-wide
 * sequence number it was given, from the same counter as stream appends, and replay runs, before
 * each record, every stream append numbered below it (eng_replay_streams), then the rest of the
 * streams at the end: views rebuild from exactly the acknowledged events, with table changes
 * between the same stream appends as when they ran. Until operator-state checkpoints (LMDB)
 * exist, that replay is the recovery. A LOCK file held with flock() keeps a second process out
 * of a directory in use.
 *
 * File DIR/journal, a sequence of records:
 *
 *   offset  size  meaning
 *   0       4     magic "EDJ2"
 *   4       4     length n of the statement text, little endian
 *   8       4     CRC-32 (zlib polynomial) of bytes 12 .. 20+n
 *   12      8     sequence number, little endian
 *   20      n     the statement text (UTF-8, no terminator)
 *
 * A journal of format 1 ("EDJ1", stream rows as INSERT statements, no sequence numbers) was
 * written before streams had logs; opening it is refused rather than guessed at.
 *
 * A record cut short or failing its CRC ends the journal: it was being written when the process
 * died, so it was never acknowledged; opening truncates it away.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAGIC "EDJ2"
#define JOURNAL_HDR 20

static uint32_t crc32_update(uint32_t c, const void *p, size_t n);

static uint32_t crc32_of(const void *seq, const void *p, size_t n)
{
	return crc32_update(crc32_update(0, seq, 8), p, n);
}

static uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	uint32_t c = crc ^ 0xffffffffu;
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		c = table[(c ^ s[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

int journal_lock(struct Eddy *db, Err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/LOCK", db->data_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char holder[32] = "";
		ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		close(fd);
		return err_set(e, ERR_LOCK_NOT_AVAILABLE,
			       "data directory \"%s\" is in use by another process (pid %s)",
			       db->data_dir, holder[0] ? holder : "unknown");
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		close(fd);
		return err_set(e, ERR_IO, "could not write \"%s\": %s", path, strerror(errno));
	}
	db->lock_fd = fd;
	return 0;
}

int journal_replay(struct Eddy *db, int (*run)(struct Eddy *, const char *, Err *), Err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/journal", db->data_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
	struct stat st;
	fstat(fd, &st);
	off_t off = 0;
	int rc = 0;
	while (rc == 0 && off + JOURNAL_HDR <= st.st_size) {
		unsigned char hdr[JOURNAL_HDR];
		if (pread(fd, hdr, JOURNAL_HDR, off) != JOURNAL_HDR)
			break;
		if (memcmp(hdr, "EDJ1", 4) == 0) {
			close(fd);
			return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				       "journal \"%s\" has format 1, written by an older eddy", path);
		}
		if (memcmp(hdr, JOURNAL_MAGIC, 4))
			break;
		uint32_t n, crc;
		memcpy(&n, hdr + 4, 4);
		memcpy(&crc, hdr + 8, 4);
		if (off + JOURNAL_HDR + (off_t)n > st.st_size)
			break;
		char *text = mem_alloc((size_t)n + 1);
		if (pread(fd, text, n, off + JOURNAL_HDR) != (ssize_t)n ||
		    crc32_of(hdr + 12, text, n) != crc) {
			mem_free(text);
			break;
		}
		text[n] = '\0';
		uint64_t seq;
		memcpy(&seq, hdr + 12, 8);
		/* Stream appends acknowledged before this statement ran come first. */
		rc = eng_replay_streams(db, seq, e);
		/* The statement runs as number seq (a view's id, below or above a checkpoint). */
		if (seq > db->seq)
			db->seq = seq;
		if (rc == 0)
			rc = run(db, text, e);
		if (seq >= db->seq)
			db->seq = seq + 1;
		mem_free(text);
		off += JOURNAL_HDR + (off_t)n;
	}
	if (rc == 0)
		rc = eng_replay_streams(db, UINT64_MAX, e);
	if (rc == 0 && off < st.st_size) {
		fprintf(stderr, "eddy: journal %s: dropped a torn record at byte %lld\n", path,
			(long long)off);
		if (ftruncate(fd, off) < 0)
			rc = err_set(e, ERR_IO, "could not truncate \"%s\": %s", path, strerror(errno));
	}
	if (rc < 0) {
		close(fd);
		return -1;
	}
	lseek(fd, off, SEEK_SET);
	db->journal_fd = fd;
	return 0;
}

int journal_append(struct Eddy *db, const char *text, size_t n, Err *e)
{
	if (db->journal_fd < 0 || db->replaying)
		return 0;
	unsigned char hdr[JOURNAL_HDR];
	uint64_t seq = db->seq++;
	uint32_t len = (uint32_t)n, crc = crc32_of(&seq, text, n);
	memcpy(hdr, JOURNAL_MAGIC, 4);
	memcpy(hdr + 4, &len, 4);
	memcpy(hdr + 8, &crc, 4);
	memcpy(hdr + 12, &seq, 8);
	if (write(db->journal_fd, hdr, JOURNAL_HDR) != JOURNAL_HDR ||
	    write(db->journal_fd, text, n) != (ssize_t)n || fdatasync(db->journal_fd) < 0)
		return err_set(e, ERR_IO, "could not write the journal: %s", strerror(errno));
	return 0;
}

void journal_close(struct Eddy *db)
{
	if (db->journal_fd >= 0)
		close(db->journal_fd);
	if (db->lock_fd >= 0)
		close(db->lock_fd);
	db->journal_fd = db->lock_fd = -1;
}

uint32_t journal_crc(const void *seq, const void *text, size_t n)
{
	return crc32_of(seq, text, n);
}
