/* strbuf.c: growable byte strings (see strbuf.h). Layer: base. */
#include "base/strbuf.h"

#include "base/mem.h"

#include <stdio.h>
#include <string.h>

void sb_init(StrBuf *sb)
{
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sb_deinit(StrBuf *sb)
{
	mem_free(sb->data);
	sb_init(sb);
}

void sb_reset(StrBuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

void sb_reserve(StrBuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->data = mem_realloc(sb->data, cap);
	sb->cap = cap;
}

void sb_append(StrBuf *sb, const void *p, size_t n)
{
	sb_reserve(sb, n);
	if (n)
		memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void sb_puts(StrBuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void sb_putc(StrBuf *sb, char c)
{
	sb_reserve(sb, 1);
	sb->data[sb->len++] = c;
	sb->data[sb->len] = '\0';
}

void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap)
{
	/* Print straight into the spare room; grow and print again only when it did not fit. */
	va_list ap2;
	va_copy(ap2, ap);
	sb_reserve(sb, 64);
	size_t room = sb->cap - sb->len;
	int n = vsnprintf(sb->data + sb->len, room, fmt, ap);
	if ((size_t)n >= room) {
		sb_reserve(sb, (size_t)n);
		vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	sb->len += (size_t)n;
}

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void sb_indent(StrBuf *sb, int n)
{
	sb_reserve(sb, (size_t)n);
	for (int i = 0; i < n; i++)
		sb->data[sb->len++] = ' ';
	sb->data[sb->len] = '\0';
}

char *sb_take(StrBuf *sb)
{
	char *s = sb->data;
	if (!s)
		s = mem_strdup("");
	sb_init(sb);
	return s;
}
