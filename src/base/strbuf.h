/* strbuf.h: a growable byte string for building text and binary keys.
 *
 * Layer: base. A StrBuf owns its heap buffer (sb_deinit frees it); sb_reset keeps the capacity,
 * so a buffer reused across rows allocates only while it grows. The contents are always
 * NUL-terminated for convenience, but may hold NUL bytes.
 */
#ifndef EDDY_BASE_STRBUF_H
#define EDDY_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct StrBuf {
	char *data;
	size_t len;
	size_t cap;
} StrBuf;

void sb_init(StrBuf *sb);
void sb_deinit(StrBuf *sb);
void sb_reset(StrBuf *sb);
void sb_reserve(StrBuf *sb, size_t extra);
void sb_append(StrBuf *sb, const void *p, size_t n);
void sb_puts(StrBuf *sb, const char *s);
void sb_putc(StrBuf *sb, char c);
void sb_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap);
/* Appends n spaces (for indentation in printers). */
void sb_indent(StrBuf *sb, int n);
/* Detaches the buffer: the caller owns the returned string (free with mem_free). */
char *sb_take(StrBuf *sb);

#endif
