/* backup.c: a consistent copy of a data directory taken while another process uses it.
 *
 * Layer: engine (it knows the journal's record format and the stream log's payload envelope).
 * Owns eddy_backup and eddy_restore. Never takes the database lock and never writes into the
 * directory it backs up: it only reads the files, which the database only ever appends to.
 *
 * Consistency. Every journal record and every stream append carries a number from one
 * database-wide counter, and each is written (to the page cache) under the engine lock in that
 * order, so at any instant the written items are exactly those numbered below some N. The backup
 * reads in two rounds: round 1 walks the journal and every stream log and finds M, the highest
 * number of a complete item (a journal record with a good CRC, an append whose END batch has a
 * good CRC). All items numbered <= M were written when round 1 ended, so round 2 finds them all
 * and cuts the journal after its last record <= M and every log after its last append <= M
 * (torn tails and later items dropped, as recovery drops them). The copy is the state the
 * database had just after item M: replay rebuilds exactly the views it had then.
 *
 * Checkpoints. Before round 1 the state store (DIR/state, LMDB) is copied as a reader sees it:
 * the last committed checkpoint, covering the items numbered below its S. Every item below S was
 * written before that checkpoint committed, so M >= S - 1 and the copy restores the views as of
 * S, after which the replay of the items S..M brings them to M, as on any open. Without it a
 * restored copy would rebuild the views from the logs alone, which retention may have cut.
 *
 * FILE is a POSIX ustar archive: "journal", "streams/<name>/<base>.seg" (cut segments; index
 * files are caches and are rebuilt), then "MANIFEST", a text file:
 *
 *   eddy backup 1
 *   sequence M
 *   <crc32c, 8 hex digits> <size> <path>      one line per file, in archive order
 *   manifest <crc32c of the lines above>
 *
 * eddy_restore verifies the whole archive (ustar header checksums, every file's CRC32C and size
 * against the manifest) before it writes anything, into a directory that must be empty. */
#include "engine/engine_int.h"

#include "storage/crc32c.h"
#include "storage/kv.h"
#include "storage/segment.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JHDR 20	 /* journal record header (journal.c) */
#define SEG_HDR 64 /* segment file header and batch header (segment.c) */
#define BLOCK 512

typedef struct BkFile {
	char *rel;    /* path inside the archive */
	char *abs;    /* path on disk */
	uint64_t len; /* bytes to copy */
} BkFile;

typedef struct BkPlan {
	BkFile *f;
	size_t n, cap;
	uint64_t max_seq; /* highest complete item seen (0 when none) */
	bool any;
} BkPlan;

static void plan_add(BkPlan *p, const char *rel, const char *abs, uint64_t len)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->f = mem_realloc(p->f, p->cap * sizeof *p->f);
	}
	p->f[p->n].rel = mem_alloc(strlen(rel) + 1);
	strcpy(p->f[p->n].rel, rel);
	p->f[p->n].abs = mem_alloc(strlen(abs) + 1);
	strcpy(p->f[p->n].abs, abs);
	p->f[p->n++].len = len;
}

static void plan_free(BkPlan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mem_free(p->f[i].rel);
		mem_free(p->f[i].abs);
	}
	mem_free(p->f);
	memset(p, 0, sizeof *p);
}

static void saw(BkPlan *p, uint64_t seq)
{
	if (!p->any || seq > p->max_seq)
		p->max_seq = seq;
	p->any = true;
}

/* Cuts the journal after its last complete record numbered <= limit. */
static int journal_cut(const char *dir, uint64_t limit, BkPlan *p, Err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/journal", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
	}
	struct stat st;
	fstat(fd, &st);
	uint64_t off = 0;
	char *text = NULL;
	size_t cap = 0;
	unsigned char hdr[JHDR];
	while (off + JHDR <= (uint64_t)st.st_size && pread(fd, hdr, JHDR, (off_t)off) == JHDR &&
	       memcmp(hdr, "EDJ2", 4) == 0) {
		uint32_t n, crc;
		uint64_t seq;
		memcpy(&n, hdr + 4, 4);
		memcpy(&crc, hdr + 8, 4);
		memcpy(&seq, hdr + 12, 8);
		if (off + JHDR + n > (uint64_t)st.st_size || seq > limit)
			break;
		if (n > cap)
			text = mem_realloc(text, cap = n);
		if (pread(fd, text, n, (off_t)(off + JHDR)) != (ssize_t)n ||
		    journal_crc(hdr + 12, text, n) != crc)
			break;
		saw(p, seq);
		off += JHDR + n;
	}
	mem_free(text);
	close(fd);
	plan_add(p, "journal", path, off);
	return 0;
}

static int seg_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && strcmp(d->d_name + n - 4, ".seg") == 0;
}

/* Walks one segment: *cut is the end of its last complete append numbered <= limit; *stop is
 * set when the walk ended before the end of the file (later segments are left out). */
static int segment_cut(const char *path, uint64_t limit, BkPlan *p, uint64_t *cut, bool *stop,
		       Err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
	struct stat st;
	fstat(fd, &st);
	uint64_t pos = SEG_HDR;
	uint8_t *buf = NULL, *scratch = NULL;
	size_t cap = 0, scap = 0;
	/* A file too short for its header was being created: recovery removes it (cut 0). */
	*stop = (uint64_t)st.st_size < SEG_HDR;
	*cut = *stop ? 0 : SEG_HDR;
	while (!*stop && pos < (uint64_t)st.st_size) {
		SegBatchInfo b;
		Err ie;
		err_clear(&ie);
		/* A batch cut short, damaged or not yet complete ends the copy here, as recovery
		 * ends a torn tail. */
		if (pos + SEG_HDR > (uint64_t)st.st_size || seg_read_header(fd, path, pos, &b, &ie) ||
		    pos + SEG_HDR + b.stored_len > (uint64_t)st.st_size ||
		    seg_read_payload(fd, path, &b, &buf, &cap, &scratch, &scap, &ie) ||
		    b.raw_len < 8) {
			*stop = true;
			break;
		}
		uint64_t seq;
		memcpy(&seq, buf, 8);
		if (seq > limit) {
			*stop = true;
			break;
		}
		pos += SEG_HDR + b.stored_len;
		if (b.flags & SEG_FLAG_END) {
			*cut = pos;
			saw(p, seq);
		}
	}
	if (*cut && *cut < pos)
		*stop = true;
	mem_free(buf);
	mem_free(scratch);
	close(fd);
	return 0;
}

/* Cuts every segment of DIR/streams/<name>/ (in offset order) at the limit. */
static int log_cut(const char *dir, const char *name, uint64_t limit, BkPlan *p, Err *e)
{
	char sdir[4096];
	snprintf(sdir, sizeof sdir, "%s/streams/%s", dir, name);
	struct dirent **ents;
	int n = scandir(sdir, &ents, seg_name, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0
				       : err_set(e, ERR_IO, "could not read directory \"%s\": %s",
						 sdir, strerror(errno));
	int rc = 0;
	bool stop = false;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && !stop) {
			char abs[4096 + 300], rel[600];
			snprintf(abs, sizeof abs, "%s/%s", sdir, ents[i]->d_name);
			snprintf(rel, sizeof rel, "streams/%s/%s", name, ents[i]->d_name);
			uint64_t cut = 0;
			rc = segment_cut(abs, limit, p, &cut, &stop, e);
			if (rc == 0 && cut > 0)
				plan_add(p, rel, abs, cut);
		}
		free(ents[i]); /* allocated by scandir with malloc */
	}
	free(ents);
	return rc;
}

/* One round: the journal first, then every stream's log. */
static int plan_build(const char *dir, uint64_t limit, BkPlan *p, Err *e)
{
	if (journal_cut(dir, limit, p, e))
		return -1;
	char sdir[4096];
	snprintf(sdir, sizeof sdir, "%s/streams", dir);
	DIR *d = opendir(sdir);
	if (!d)
		return 0;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			rc = log_cut(dir, de->d_name, limit, p, e);
	closedir(d);
	return rc;
}

/* ---- ustar */

static void octal(char *dst, size_t n, uint64_t v)
{
	snprintf(dst, n, "%0*llo", (int)n - 1, (unsigned long long)v);
}

static uint32_t hdr_sum(const unsigned char *h)
{
	uint32_t s = 0;
	for (int i = 0; i < BLOCK; i++)
		s += (i >= 148 && i < 156) ? ' ' : h[i];
	return s;
}

static int tar_header(unsigned char *h, const char *rel, uint64_t size, Err *e)
{
	memset(h, 0, BLOCK);
	size_t len = strlen(rel);
	if (len < 100) {
		memcpy(h, rel, len);
	} else {
		const char *slash = strchr(rel + len - 100, '/');
		if (!slash || slash - rel > 154)
			return err_set(e, ERR_PROGRAM_LIMIT, "path \"%s\" is too long for a backup",
				       rel);
		memcpy(h + 345, rel, (size_t)(slash - rel));
		memcpy(h, slash + 1, strlen(slash + 1));
	}
	octal((char *)h + 100, 8, 0644);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	snprintf((char *)h + 148, 8, "%06o", hdr_sum(h));
	h[155] = ' ';
	return 0;
}

static int write_all(int fd, const void *p, size_t n, const char *path, Err *e)
{
	if (write(fd, p, n) != (ssize_t)n)
		return err_set(e, ERR_IO, "could not write \"%s\": %s", path,
			       errno ? strerror(errno) : "short write");
	return 0;
}

static const unsigned char zeros[BLOCK];

/* Writes one archive entry from a file prefix (src >= 0) or a buffer; returns its CRC32C. */
static int tar_put(int out, const char *out_path, const char *rel, int src, const char *src_path,
		   const void *mem, uint64_t len, uint32_t *crc, Err *e)
{
	unsigned char h[BLOCK];
	if (tar_header(h, rel, len, e) || write_all(out, h, BLOCK, out_path, e))
		return -1;
	char buf[1 << 14]; /* on the stack: backups may run in threads */
	*crc = 0;
	for (uint64_t done = 0; done < len;) {
		size_t k = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
		const void *chunk = (const char *)mem + done;
		if (src >= 0) {
			if (pread(src, buf, k, (off_t)done) != (ssize_t)k)
				return err_set(e, ERR_IO, "could not read \"%s\": %s", src_path,
					       errno ? strerror(errno) : "file shrank");
			chunk = buf;
		}
		*crc = crc32c(*crc, chunk, k);
		if (write_all(out, chunk, k, out_path, e))
			return -1;
		done += k;
	}
	return write_all(out, zeros, (BLOCK - len % BLOCK) % BLOCK, out_path, e);
}

static int backup_write(const BkPlan *p, const char *out_file, Err *e)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", out_file);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return err_set(e, ERR_IO, "could not create \"%s\": %s", tmp, strerror(errno));
	StrBuf man;
	sb_init(&man);
	sb_printf(&man, "eddy backup 1\nsequence %llu\n", (unsigned long long)p->max_seq);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		int src = open(p->f[i].abs, O_RDONLY | O_CLOEXEC);
		if (src < 0) {
			rc = err_set(e, ERR_IO, "could not open \"%s\": %s", p->f[i].abs,
				     strerror(errno));
			break;
		}
		uint32_t crc;
		rc = tar_put(out, tmp, p->f[i].rel, src, p->f[i].abs, NULL, p->f[i].len, &crc, e);
		close(src);
		sb_printf(&man, "%08x %llu %s\n", crc, (unsigned long long)p->f[i].len,
			  p->f[i].rel);
	}
	if (rc == 0) {
		sb_printf(&man, "manifest %08x\n", crc32c(0, man.data, man.len));
		uint32_t crc;
		rc = tar_put(out, tmp, "MANIFEST", -1, NULL, man.data, man.len, &crc, e);
	}
	for (int i = 0; rc == 0 && i < 2; i++)
		rc = write_all(out, zeros, BLOCK, tmp, e);
	if (rc == 0 && fsync(out) < 0)
		rc = err_set(e, ERR_IO, "could not fsync \"%s\": %s", tmp, strerror(errno));
	close(out);
	if (rc == 0 && rename(tmp, out_file) < 0)
		rc = err_set(e, ERR_IO, "could not rename \"%s\": %s", tmp, strerror(errno));
	if (rc)
		unlink(tmp);
	sb_deinit(&man);
	return rc;
}

int eddy_backup(const char *data_dir, const char *out_file, EddyError *err)
{
	Err e;
	err_clear(&e);
	struct stat st;
	BkPlan first = {0}, cut = {0};
	int rc = 0;
	if (stat(data_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = err_set(&e, ERR_IO, "could not open data directory \"%s\": %s", data_dir,
			     errno ? strerror(errno) : "not a directory");
	/* The checkpoint first, then round 1 finds M and round 2 cuts every file at M (see the
	 * top of the file). The copy waits beside out_file: nothing is written into data_dir. */
	char state[4200], tmp[4200];
	snprintf(state, sizeof state, "%s/state", data_dir);
	snprintf(tmp, sizeof tmp, "%s.state.tmp", out_file);
	uint64_t state_len = 0;
	bool have_state = false;
	char mdb[4300];
	snprintf(mdb, sizeof mdb, "%s/data.mdb", state);
	if (rc == 0 && stat(mdb, &st) == 0) {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = err_set(&e, ERR_IO, "could not create \"%s\": %s", tmp, strerror(errno));
		else {
			rc = kv_copy(state, fd, &e);
			state_len = (uint64_t)lseek(fd, 0, SEEK_END);
			close(fd);
			have_state = rc == 0;
		}
	}
	if (rc == 0)
		rc = plan_build(data_dir, UINT64_MAX, &first, &e);
	if (rc == 0)
		rc = plan_build(data_dir, first.max_seq, &cut, &e);
	cut.max_seq = first.max_seq;
	if (rc == 0 && have_state)
		plan_add(&cut, "state/data.mdb", tmp, state_len);
	if (rc == 0)
		rc = backup_write(&cut, out_file, &e);
	unlink(tmp);
	plan_free(&first);
	plan_free(&cut);
	eng_export_error(&e, err);
	return rc ? -1 : 0;
}

/* ---- restore */

typedef struct Entry {
	char path[260];
	uint64_t pos, size; /* data position in the archive */
	uint32_t crc;
} Entry;

static int corrupt(Err *e, const char *file, const char *why)
{
	return err_set(e, ERR_DATA_CORRUPTED, "backup file \"%s\" is corrupted: %s", file, why);
}

/* Reads the archive's entries and checks them against the manifest. */
static int restore_verify(int fd, const char *file, Entry **out, size_t *nout, Err *e)
{
	Entry *ents = NULL;
	size_t n = 0, cap = 0;
	char *man = NULL;
	uint64_t pos = 0;
	unsigned char h[BLOCK];
	char buf[1 << 14]; /* on the stack: backups may run in threads */
	int rc = 0;
	for (;;) {
		if (pread(fd, h, BLOCK, (off_t)pos) != BLOCK) {
			rc = corrupt(e, file, "it ends before its end-of-archive marker");
			break;
		}
		if (memcmp(h, zeros, BLOCK) == 0)
			break;
		unsigned long sum = strtoul((char *)h + 148, NULL, 8);
		if (memcmp(h + 257, "ustar", 5) || sum != hdr_sum(h) || h[156] != '0') {
			rc = corrupt(e, file, "bad archive header");
			break;
		}
		if (n == cap)
			ents = mem_realloc(ents, (cap = cap ? cap * 2 : 16) * sizeof *ents);
		Entry *en = &ents[n++];
		char pre[156] = "", name[101] = "";
		memcpy(pre, h + 345, 155);
		memcpy(name, h, 100);
		snprintf(en->path, sizeof en->path, "%s%s%s", pre, pre[0] ? "/" : "", name);
		en->size = strtoull((char *)h + 124, NULL, 8);
		en->pos = pos + BLOCK;
		en->crc = 0;
		for (uint64_t done = 0; rc == 0 && done < en->size;) {
			size_t k = en->size - done < sizeof buf ? (size_t)(en->size - done) : sizeof buf;
			if (pread(fd, buf, k, (off_t)(en->pos + done)) != (ssize_t)k)
				rc = corrupt(e, file, "it is truncated");
			else
				en->crc = crc32c(en->crc, buf, k);
			done += k;
		}
		if (rc)
			break;
		if (strcmp(en->path, "MANIFEST") == 0 && !man && en->size < (1u << 26)) {
			man = mem_alloc(en->size + 1);
			if (pread(fd, man, en->size, (off_t)en->pos) != (ssize_t)en->size)
				rc = corrupt(e, file, "it is truncated");
			man[en->size] = '\0';
			n--;
		}
		pos = en->pos + (en->size + BLOCK - 1) / BLOCK * BLOCK;
	}
	/* The manifest's own checksum, then one line per entry in archive order. */
	char *tail = man ? strstr(man, "manifest ") : NULL;
	if (rc == 0 && (!man || strncmp(man, "eddy backup 1\n", 14) || !tail ||
			strtoul(tail + 9, NULL, 16) != crc32c(0, man, (size_t)(tail - man))))
		rc = corrupt(e, file, "its manifest is missing or damaged");
	char *line = man && rc == 0 ? strchr(strchr(man, '\n') + 1, '\n') + 1 : NULL;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char path[260];
		unsigned crc;
		unsigned long long size;
		if (!line || line >= tail || sscanf(line, "%8x %llu %259s", &crc, &size, path) != 3 ||
		    strcmp(path, ents[i].path) || size != ents[i].size || crc != ents[i].crc) {
			char why[400];
			snprintf(why, sizeof why, "checksum or size mismatch for \"%s\"",
				 ents[i].path);
			rc = corrupt(e, file, why);
		} else if (path[0] == '/' || strstr(path, "..")) {
			rc = corrupt(e, file, "a path leaves the data directory");
		}
		line = line ? strchr(line, '\n') + 1 : NULL;
	}
	if (rc == 0 && line != tail)
		rc = corrupt(e, file, "its manifest lists files the archive does not hold");
	mem_free(man);
	*out = ents;
	*nout = n;
	return rc;
}

static int mkdirs(char *path, Err *e)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int bad = mkdir(path, 0755) < 0 && errno != EEXIST;
		*s = '/';
		if (bad)
			return err_set(e, ERR_IO, "could not create directory \"%s\": %s", path,
				       strerror(errno));
	}
	return 0;
}

static int extract(int fd, const Entry *en, const char *data_dir, Err *e)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", data_dir, en->path);
	if (mkdirs(path, e))
		return -1;
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		return err_set(e, ERR_IO, "could not create \"%s\": %s", path, strerror(errno));
	char buf[1 << 14]; /* on the stack: backups may run in threads */
	int rc = 0;
	for (uint64_t done = 0; rc == 0 && done < en->size;) {
		size_t k = en->size - done < sizeof buf ? (size_t)(en->size - done) : sizeof buf;
		if (pread(fd, buf, k, (off_t)(en->pos + done)) != (ssize_t)k)
			rc = err_set(e, ERR_IO, "could not read the backup: %s", strerror(errno));
		else
			rc = write_all(out, buf, k, path, e);
		done += k;
	}
	if (rc == 0 && fsync(out) < 0)
		rc = err_set(e, ERR_IO, "could not fsync \"%s\": %s", path, strerror(errno));
	close(out);
	return rc;
}

int eddy_restore(const char *in_file, const char *data_dir, EddyError *err)
{
	Err e;
	err_clear(&e);
	int rc = 0;
	DIR *d = opendir(data_dir);
	if (d) {
		struct dirent *de;
		while (rc == 0 && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				rc = err_set(&e, ERR_INVALID_PARAMETER_VALUE,
					     "directory \"%s\" exists but is not empty", data_dir);
		closedir(d);
	}
	int fd = rc ? -1 : open(in_file, O_RDONLY | O_CLOEXEC);
	if (rc == 0 && fd < 0)
		rc = err_set(&e, ERR_IO, "could not open \"%s\": %s", in_file, strerror(errno));
	Entry *ents = NULL;
	size_t n = 0;
	/* The whole archive is verified before the directory is created or anything written. */
	if (rc == 0)
		rc = restore_verify(fd, in_file, &ents, &n, &e);
	if (rc == 0 && !d && mkdir(data_dir, 0755) < 0)
		rc = err_set(&e, ERR_IO, "could not create directory \"%s\": %s", data_dir,
			     strerror(errno));
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = extract(fd, &ents[i], data_dir, &e);
	if (fd >= 0)
		close(fd);
	mem_free(ents);
	eng_export_error(&e, err);
	return rc ? -1 : 0;
}
