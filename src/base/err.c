/* err.c: the error vocabulary's tables and setters (see err.h). Layer: base. */
#include "base/err.h"

#include <stdio.h>
#include <string.h>

static const char *const sqlstates[] = {
#define ERR_STATE(name, state) state,
	ERR_LIST(ERR_STATE)
#undef ERR_STATE
};

static const char *const names[] = {
#define ERR_NAME(name, state) #name,
	ERR_LIST(ERR_NAME)
#undef ERR_NAME
};

void err_clear(Err *e)
{
	e->code = ERR_OK;
	e->position = 0;
	e->msg[0] = '\0';
	e->hint[0] = '\0';
}

int err_setv(Err *e, ErrCode code, const char *fmt, va_list ap)
{
	if (!e || e->code != ERR_OK)
		return -1;
	e->code = code;
	e->position = 0;
	e->hint[0] = '\0';
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int err_set(Err *e, ErrCode code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_pos(Err *e, ErrCode code, int position, const char *fmt, ...)
{
	if (!e || e->code != ERR_OK)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	e->position = position;
	return -1;
}

void err_locate(Err *e, int position)
{
	if (e && e->code != ERR_OK && e->position == 0)
		e->position = position;
}

void err_hint(Err *e, const char *fmt, ...)
{
	if (!e || e->code == ERR_OK)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof e->hint, fmt, ap);
	va_end(ap);
}

const char *err_sqlstate(ErrCode code)
{
	return (unsigned)code < ERR__COUNT ? sqlstates[code] : "XX000";
}

const char *err_name(ErrCode code)
{
	return (unsigned)code < ERR__COUNT ? names[code] : "ERR_INTERNAL";
}
