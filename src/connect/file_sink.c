/* file_sink.c: the file sink (connector = 'file'): a sink's rows as CSV or JSON lines in files
 * under a directory, partitioned by columns as Hive, Spark and Flink's filesystem sinks lay
 * them out.
 *
 * Layer: connect. Owns the writer's open files and its map from partition to file. Options:
 *   path = 'dir'              required; created with its parents
 *   format = 'csv' | 'json'   csv by default
 *   partition_by = 'a,b'      optional: one directory level per column, `a=<value>/b=<value>/`
 *   type = 'append-only'      the default and, for now, the only kind (upsert: 0A000)
 * Each row goes to <path>/<a=value>/<b=value>/part-<n>.<csv|json>, its partition columns left
 * out of the line (they are in the path). Values are PostgreSQL's text forms; in a directory
 * name '/', '\', '%', '=' and control characters are %XX-escaped and NULL is Hive's
 * __HIVE_DEFAULT_PARTITION__. CSV follows RFC 4180 as PostgreSQL's COPY writes it: no header,
 * NULL an empty field, the empty string "", a field with a comma, quote or line break quoted.
 * JSON is one object per line, numbers and booleans unquoted, NULL null.
 *
 * Files: the first row of a partition picks part-<n> with n one above the highest already in
 * that directory, so a sink created again never overwrites earlier output. A file opened in an
 * epoch stays open until flush (each barrier), which closes it: the epoch's lines are in the
 * file when the barrier has passed, and a sink with many partitions holds only the epoch's
 * files open. Never allocates per row: lines go through one reused StrBuf.
 */
#include "connect/file_sink.h"

#include "base/hash.h"
#include "base/hmap.h"
#include "base/strbuf.h"
#include "vec/value.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- Options. */

typedef struct FileOpts {
	const char *path;
	bool json;
	int npart;
	int part[MAX_COLUMNS]; /* partition columns, in directory order */
} FileOpts;

static int bad_value(const Option *o, Err *e)
{
	return err_set(e, ERR_INVALID_PARAMETER_VALUE, "invalid value for option \"%s\": \"%s\"",
		       o->key, o->value);
}

static int column_of(const ColumnDef *cols, int ncols, const char *name, size_t n)
{
	for (int i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == n && strncmp(cols[i].name, name, n) == 0)
			return i;
	return -1;
}

/* Reads partition_by's comma list of column names. */
static int parse_partitions(const Option *o, const ColumnDef *cols, int ncols, FileOpts *fo,
			    Err *e)
{
	const char *p = o->value;
	for (;;) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			return bad_value(o, e);
		int c = column_of(cols, ncols, p, n);
		if (c < 0)
			return err_set(e, ERR_UNDEFINED_COLUMN,
				       "partition column \"%.*s\" is not a column of the sink",
				       (int)n, p);
		for (int i = 0; i < fo->npart; i++)
			if (fo->part[i] == c)
				return err_set(e, ERR_DUPLICATE_COLUMN,
					       "partition column \"%s\" appears more than once",
					       cols[c].name);
		fo->part[fo->npart++] = c;
		if (!end)
			break;
		p = end + 1;
	}
	if (fo->npart == ncols)
		return err_set(e, ERR_INVALID_PARAMETER_VALUE,
			       "a file sink cannot partition by every column");
	return 0;
}

static int read_options(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			FileOpts *fo, Err *e)
{
	memset(fo, 0, sizeof *fo);
	for (int i = 0; i < nopts; i++) {
		const Option *o = &opts[i];
		if (!strcmp(o->key, "connector"))
			continue;
		if (!strcmp(o->key, "path")) {
			if (!*o->value)
				return bad_value(o, e);
			fo->path = o->value;
		} else if (!strcmp(o->key, "format")) {
			if (strcasecmp(o->value, "json") && strcasecmp(o->value, "csv"))
				return bad_value(o, e);
			fo->json = !strcasecmp(o->value, "json");
		} else if (!strcmp(o->key, "partition_by")) {
			if (parse_partitions(o, cols, ncols, fo, e) < 0)
				return -1;
		} else if (!strcmp(o->key, "type")) {
			if (!strcasecmp(o->value, "upsert")) {
				err_set(e, ERR_FEATURE_NOT_SUPPORTED,
					"upsert sinks are not supported yet");
				err_hint(e, "Sink an append-only query with type = 'append-only'.");
				return -1;
			}
			if (strcasecmp(o->value, "append-only"))
				return bad_value(o, e);
		} else {
			return err_set(e, ERR_INVALID_PARAMETER_VALUE, "unknown option \"%s\"",
				       o->key);
		}
	}
	if (!fo->path)
		return err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"path\" is required");
	return 0;
}

int file_sink_check(const Option *opts, int nopts, const ColumnDef *cols, int ncols, Err *e)
{
	FileOpts fo;
	return read_options(opts, nopts, cols, ncols, &fo, e);
}

/* ---- Files. */

typedef struct Part {
	char *file;  /* full path of the partition's file */
	FILE *f;     /* open during an epoch that wrote to it */
} Part;

typedef struct FileSink {
	SinkWriter w;
	FileOpts fo;
	char *path;
	int ncols;
	TypeId types[MAX_COLUMNS];
	char *names[MAX_COLUMNS];
	bool is_part[MAX_COLUMNS];
	HMap parts;          /* partition directory (relative) -> Part */
	Part **open;         /* parts with an open file */
	int nopen, capopen;
	StrBuf dir, line, val;
} FileSink;

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = mem_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* mkdir -p. */
static int make_dirs(const char *path, Err *e)
{
	char *p = mem_strdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = err_set(e, ERR_IO, "could not create directory \"%s\": %s", p,
				     strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	mem_free(p);
	return rc;
}

/* The next unused part number in dir: one above the highest part-<n>.<ext> there. */
static long next_part(const char *dir, const char *ext)
{
	long next = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "part-", 5))
			continue;
		char *end;
		long n = strtol(de->d_name + 5, &end, 10);
		if (end != de->d_name + 5 && *end == '.' && !strcmp(end + 1, ext) && n >= next)
			next = n + 1;
	}
	closedir(d);
	return next;
}

/* The text of row r of vector v into fs->val (empty for NULL). */
static void value_text(FileSink *fs, const Vector *v, int r)
{
	Value x;
	vec_get_value(v, r, &x);
	sb_reset(&fs->val);
	value_format(&x, &fs->val);
}

static void put_dir_value(StrBuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '%' || c == '=')
			sb_printf(out, "%%%02X", c);
		else
			sb_putc(out, (char)c);
	}
}

static void put_csv(StrBuf *out, const char *s, size_t n)
{
	if (n > 0 && !memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		sb_append(out, s, n);
		return;
	}
	sb_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sb_putc(out, '"');
		sb_putc(out, s[i]);
	}
	sb_putc(out, '"');
}

static void put_json_string(StrBuf *out, const char *s, size_t n)
{
	sb_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_printf(out, "\\%c", c);
		else if (c == '\n')
			sb_puts(out, "\\n");
		else if (c < 0x20)
			sb_printf(out, "\\u%04x", c);
		else
			sb_putc(out, (char)c);
	}
	sb_putc(out, '"');
}

/* A JSON value: numbers (finite) and booleans bare, everything else a string. */
static void put_json_value(FileSink *fs, TypeId t, StrBuf *out)
{
	const char *s = fs->val.data;
	size_t n = fs->val.len;
	if (t == T_BOOL) {
		sb_puts(out, s[0] == 't' ? "true" : "false");
		return;
	}
	bool number = type_is_integer(t) || t == T_NUMERIC ||
		      (type_is_float(t) && strcmp(s, "NaN") && !strstr(s, "Infinity"));
	if (number && t == T_NUMERIC && !strcmp(s, "NaN"))
		number = false;
	if (number)
		sb_append(out, s, n);
	else
		put_json_string(out, s, n);
}

/* The line of row r (non-partition columns) into fs->line. */
static void format_line(FileSink *fs, const Chunk *c, int r)
{
	sb_reset(&fs->line);
	bool first = true;
	if (fs->fo.json)
		sb_putc(&fs->line, '{');
	for (int k = 0; k < fs->ncols; k++) {
		if (fs->is_part[k])
			continue;
		if (!first)
			sb_putc(&fs->line, ',');
		first = false;
		const Vector *v = &c->cols[k];
		if (fs->fo.json) {
			put_json_string(&fs->line, fs->names[k], strlen(fs->names[k]));
			sb_putc(&fs->line, ':');
			if (v->nulls[r]) {
				sb_puts(&fs->line, "null");
				continue;
			}
			value_text(fs, v, r);
			put_json_value(fs, fs->types[k], &fs->line);
		} else if (!v->nulls[r]) {
			value_text(fs, v, r);
			put_csv(&fs->line, fs->val.data ? fs->val.data : "", fs->val.len);
		}
	}
	if (fs->fo.json)
		sb_putc(&fs->line, '}');
	sb_putc(&fs->line, '\n');
}

/* The open file of row r's partition. */
static FILE *part_file(FileSink *fs, const Chunk *c, int r, Err *e)
{
	sb_reset(&fs->dir);
	for (int i = 0; i < fs->fo.npart; i++) {
		int k = fs->fo.part[i];
		sb_puts(&fs->dir, fs->names[k]);
		sb_putc(&fs->dir, '=');
		if (c->cols[k].nulls[r]) {
			sb_puts(&fs->dir, "__HIVE_DEFAULT_PARTITION__");
		} else {
			value_text(fs, &c->cols[k], r);
			put_dir_value(&fs->dir, fs->val.data ? fs->val.data : "", fs->val.len);
		}
		sb_putc(&fs->dir, '/');
	}
	const char *key = fs->dir.data ? fs->dir.data : "";
	uint64_t h = hash_bytes(key, fs->dir.len);
	bool found;
	Part *p = hmap_upsert(&fs->parts, key, fs->dir.len, h, &found);
	if (!found) {
		const char *ext = fs->fo.json ? "json" : "csv";
		char *dir = dup_printf("%s/%s", fs->path, key);
		if (make_dirs(dir, e) < 0) {
			mem_free(dir);
			hmap_remove_value(&fs->parts, p);
			return NULL;
		}
		p->file = dup_printf("%spart-%ld.%s", dir, next_part(dir, ext), ext);
		mem_free(dir);
	}
	if (!p->f) {
		if (!(p->f = fopen(p->file, "a"))) {
			err_set(e, ERR_IO, "could not open file \"%s\": %s", p->file,
				strerror(errno));
			return NULL;
		}
		if (fs->nopen == fs->capopen) {
			fs->capopen = fs->capopen ? fs->capopen * 2 : 8;
			fs->open = mem_realloc(fs->open, (size_t)fs->capopen * sizeof *fs->open);
		}
		fs->open[fs->nopen++] = p;
	}
	return p->f;
}

static int fs_write(SinkWriter *w, const Chunk *c, Err *e)
{
	FileSink *fs = (FileSink *)w;
	for (int r = 0; r < c->nrows; r++) {
		if (c->ops[r] != OP_INSERT)
			return err_set(e, ERR_INTERNAL,
				       "append-only file sink received a %s row",
				       op_symbol((Op)c->ops[r]));
		FILE *f = part_file(fs, c, r, e);
		if (!f)
			return -1;
		format_line(fs, c, r);
		if (fwrite(fs->line.data, 1, fs->line.len, f) != fs->line.len)
			return err_set(e, ERR_IO, "could not write to file sink \"%s\": %s",
				       fs->path, strerror(errno));
		w->rows++;
	}
	return 0;
}

static int fs_flush(SinkWriter *w, uint64_t epoch, Err *e)
{
	FileSink *fs = (FileSink *)w;
	int rc = 0;
	for (int i = 0; i < fs->nopen; i++) {
		Part *p = fs->open[i];
		if (fclose(p->f) != 0 && rc == 0)
			rc = err_set(e, ERR_IO, "could not write file \"%s\": %s", p->file,
				     strerror(errno));
		p->f = NULL;
	}
	fs->nopen = 0;
	return rc;
}

static void fs_close(SinkWriter *w)
{
	FileSink *fs = (FileSink *)w;
	Err e;
	err_clear(&e);
	fs_flush(w, 0, &e);
	Part *p;
	for (size_t it = 0; (p = hmap_next(&fs->parts, &it));)
		mem_free(p->file);
	hmap_deinit(&fs->parts);
	mem_free(fs->open);
	for (int k = 0; k < fs->ncols; k++)
		mem_free(fs->names[k]);
	mem_free(fs->path);
	sb_deinit(&fs->dir);
	sb_deinit(&fs->line);
	sb_deinit(&fs->val);
	mem_free(fs);
}

SinkWriter *file_sink_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e)
{
	FileOpts fo;
	if (read_options(opts, nopts, cols, ncols, &fo, e) < 0 || make_dirs(fo.path, e) < 0)
		return NULL;
	FileSink *fs = mem_calloc(1, sizeof *fs);
	fs->fo = fo;
	fs->path = mem_strdup(fo.path);
	fs->fo.path = fs->path;
	fs->ncols = ncols;
	for (int k = 0; k < ncols; k++) {
		fs->types[k] = cols[k].type;
		fs->names[k] = mem_strdup(cols[k].name);
	}
	for (int i = 0; i < fo.npart; i++)
		fs->is_part[fo.part[i]] = true;
	hmap_init(&fs->parts, sizeof(Part));
	sb_init(&fs->dir);
	sb_init(&fs->line);
	sb_init(&fs->val);
	fs->w.write = fs_write;
	fs->w.flush = fs_flush;
	fs->w.close = fs_close;
	return &fs->w;
}
