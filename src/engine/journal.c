/* journal.c: the statement journal that makes a data directory survive a restart.
 *
 * Layer: engine. Until the stream log and checkpoints of the storage layer take over, a database
 * opened on a directory records every statement that changed it (CREATE, DROP, INSERT, DELETE,
 * UPDATE), in order, after it succeeded, and replays them when the directory is opened again.
 * Replaying the same statements over the same catalog gives the same streams, tables and views;
 * statements that read the clock (now()) see the time of the replay. A LOCK file held with
 * flock() keeps a second process out of a directory in use.
 *
 * File DIR/journal, a sequence of records:
 *
 *   offset  size  meaning
 *   0       4     magic "EDJ1"
 *   4       4     length n of the statement text, little endian
 *   8       4     CRC-32 (zlib polynomial) of the text
 *   12      n     the statement text (UTF-8, no terminator)
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

#define JOURNAL_MAGIC "EDJ1"
#define JOURNAL_HDR 12

static uint32_t crc32_of(const void *p, size_t n)
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
	uint32_t c = 0xffffffffu;
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
		if (pread(fd, hdr, JOURNAL_HDR, off) != JOURNAL_HDR || memcmp(hdr, JOURNAL_MAGIC, 4))
			break;
		uint32_t n, crc;
		memcpy(&n, hdr + 4, 4);
		memcpy(&crc, hdr + 8, 4);
		if (off + JOURNAL_HDR + (off_t)n > st.st_size)
			break;
		char *text = mem_alloc((size_t)n + 1);
		if (pread(fd, text, n, off + JOURNAL_HDR) != (ssize_t)n || crc32_of(text, n) != crc) {
			mem_free(text);
			break;
		}
		text[n] = '\0';
		rc = run(db, text, e);
		mem_free(text);
		off += JOURNAL_HDR + (off_t)n;
	}
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
	uint32_t len = (uint32_t)n, crc = crc32_of(text, n);
	memcpy(hdr, JOURNAL_MAGIC, 4);
	memcpy(hdr + 4, &len, 4);
	memcpy(hdr + 8, &crc, 4);
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
