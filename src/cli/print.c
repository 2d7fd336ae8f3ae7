/* print.c: showing results and errors the way psql does (and as CSV or JSON lines).
 *
 * Layer: cli. Table format follows psql's aligned output: headers centred, numbers right-aligned,
 * text left-aligned, a "(N rows)" footer; statements without rows print their command tag. CSV
 * has a header row and RFC 4180 quoting, NULL as an empty field; JSON prints one object per row
 * with numbers and booleans unquoted and NULL as null. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static int is_number(EddyType t)
{
	return t == EDDY_INT2 || t == EDDY_INT4 || t == EDDY_INT8 || t == EDDY_FLOAT4 ||
	       t == EDDY_FLOAT8 || t == EDDY_NUMERIC;
}

/* Display width of UTF-8 text: one column per code point. */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void pad(FILE *out, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', out);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void print_table(FILE *out, EddyResult *res)
{
	int nc = eddy_result_ncols(res);
	int64_t nr = eddy_result_nrows(res);
	char **cells = calloc((size_t)(nr * nc + 1), sizeof(char *));
	int *w = calloc((size_t)nc + 1, sizeof(int));
	for (int c = 0; c < nc; c++)
		w[c] = width(eddy_result_colname(res, c));
	for (int64_t r = 0; eddy_result_next(res); r++)
		for (int c = 0; c < nc; c++) {
			char *v = dup_or_null(eddy_result_text(res, c));
			cells[r * nc + c] = v;
			int cw = v ? width(v) : 0;
			if (cw > w[c])
				w[c] = cw;
		}
	for (int c = 0; c < nc; c++) {
		const char *h = eddy_result_colname(res, c);
		int left = (w[c] - width(h)) / 2;
		fputs(c ? "| " : " ", out);
		pad(out, left);
		fputs(h, out);
		if (c < nc - 1)
			pad(out, w[c] - width(h) - left + 1);
	}
	fputc('\n', out);
	for (int c = 0; c < nc; c++) {
		if (c)
			fputc('+', out);
		for (int i = 0; i < w[c] + 2; i++)
			fputc('-', out);
	}
	fputc('\n', out);
	for (int64_t r = 0; r < nr; r++) {
		for (int c = 0; c < nc; c++) {
			const char *v = cells[r * nc + c] ? cells[r * nc + c] : "";
			int gap = w[c] - width(v);
			fputs(c ? "| " : " ", out);
			if (is_number(eddy_result_coltype(res, c))) {
				pad(out, gap);
				fputs(v, out);
				if (c < nc - 1)
					fputc(' ', out);
			} else {
				fputs(v, out);
				if (c < nc - 1)
					pad(out, gap + 1);
			}
		}
		fputc('\n', out);
	}
	fprintf(out, "(%lld row%s)\n\n", (long long)nr, nr == 1 ? "" : "s");
	for (int64_t i = 0; i < nr * nc; i++)
		free(cells[i]);
	free(cells);
	free(w);
}

static void csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n") && *s) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_csv(FILE *out, EddyResult *res)
{
	int nc = eddy_result_ncols(res);
	for (int c = 0; c < nc; c++) {
		if (c)
			fputc(',', out);
		csv_field(out, eddy_result_colname(res, c));
	}
	fputc('\n', out);
	while (eddy_result_next(res)) {
		for (int c = 0; c < nc; c++) {
			if (c)
				fputc(',', out);
			const char *v = eddy_result_text(res, c);
			/* An empty string is quoted so it differs from NULL. */
			if (v && !*v)
				fputs("\"\"", out);
			else
				csv_field(out, v);
		}
		fputc('\n', out);
	}
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch == '\r')
			fputs("\\r", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void print_json(FILE *out, EddyResult *res)
{
	int nc = eddy_result_ncols(res);
	while (eddy_result_next(res)) {
		fputc('{', out);
		for (int c = 0; c < nc; c++) {
			if (c)
				fputc(',', out);
			json_string(out, eddy_result_colname(res, c));
			fputc(':', out);
			const char *v = eddy_result_text(res, c);
			EddyType t = eddy_result_coltype(res, c);
			if (!v)
				fputs("null", out);
			else if (t == EDDY_BOOL)
				fputs(strcmp(v, "t") == 0 ? "true" : "false", out);
			else if (is_number(t) && strcmp(v, "NaN") && strcmp(v, "Infinity") &&
				 strcmp(v, "-Infinity"))
				fputs(v, out);
			else
				json_string(out, v);
		}
		fputs("}\n", out);
	}
}

void cli_print_result(FILE *out, EddyResult *res, CliFormat fmt)
{
	if (eddy_result_ncols(res) == 0) {
		if (fmt == FMT_TABLE)
			fprintf(out, "%s\n", eddy_result_tag(res));
		return;
	}
	switch (fmt) {
	case FMT_TABLE:
		print_table(out, res);
		break;
	case FMT_CSV:
		print_csv(out, res);
		break;
	case FMT_JSON:
		print_json(out, res);
		break;
	}
}

void cli_print_error(FILE *out, const char *sql, const EddyError *err)
{
	fprintf(out, "ERROR:  %s\n", err->message);
	if (sql && err->position > 0) {
		/* The line holding the position, and a caret under the character. */
		int pos = err->position - 1, line = 1;
		const char *start = sql;
		int len = (int)strlen(sql);
		if (pos > len)
			pos = len;
		for (int i = 0; i < pos; i++)
			if (sql[i] == '\n') {
				line++;
				start = sql + i + 1;
			}
		const char *end = strchr(start, '\n');
		int n = end ? (int)(end - start) : (int)strlen(start);
		char prefix[32];
		snprintf(prefix, sizeof prefix, "LINE %d: ", line);
		fprintf(out, "%s%.*s\n", prefix, n, start);
		int col = 0;
		for (const char *p = start; p < sql + pos; p++)
			if (((unsigned char)*p & 0xc0) != 0x80)
				col++;
		pad(out, (int)strlen(prefix) + col);
		fputs("^\n", out);
	}
	if (err->hint[0])
		fprintf(out, "HINT:  %s\n", err->hint);
}
