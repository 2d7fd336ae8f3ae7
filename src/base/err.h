/* err.h: eddy's one error vocabulary.
 *
 * Layer: base (knows nothing of SQL beyond the SQLSTATE codes it carries).
 * Every error code is defined once, in ERR_LIST, with its PostgreSQL SQLSTATE. An Err records the
 * first error raised (the first error wins: later err_set calls on a set Err are ignored), a message
 * with context and, for errors in SQL text, a 1-based character position. Functions that can fail
 * take an `Err *` and return -1 (or NULL) after err_set; callers just return it upward.
 */
#ifndef EDDY_BASE_ERR_H
#define EDDY_BASE_ERR_H

#include <stdarg.h>

/* X(name, sqlstate) */
#define ERR_LIST(X)                                                                                \
	X(ERR_OK, "00000")                                                                         \
	X(ERR_SYNTAX, "42601")                                                                     \
	X(ERR_UNDEFINED_TABLE, "42P01")                                                            \
	X(ERR_UNDEFINED_COLUMN, "42703")                                                           \
	X(ERR_UNDEFINED_FUNCTION, "42883")                                                         \
	X(ERR_AMBIGUOUS_FUNCTION, "42725")                                                         \
	X(ERR_UNDEFINED_OBJECT, "42704")                                                           \
	X(ERR_AMBIGUOUS_COLUMN, "42702")                                                           \
	X(ERR_DUPLICATE_TABLE, "42P07")                                                            \
	X(ERR_DUPLICATE_OBJECT, "42710")                                                           \
	X(ERR_DUPLICATE_COLUMN, "42701")                                                           \
	X(ERR_DATATYPE_MISMATCH, "42804")                                                          \
	X(ERR_CANNOT_COERCE, "42846")                                                              \
	X(ERR_GROUPING, "42803")                                                                   \
	X(ERR_WRONG_OBJECT_TYPE, "42809")                                                          \
	X(ERR_INVALID_COLUMN_REFERENCE, "42P10")                                                   \
	X(ERR_INDETERMINATE_DATATYPE, "42P18")                                                     \
	X(ERR_INVALID_NAME, "42602")                                                               \
	X(ERR_WINDOWING, "42P20")                                                                  \
	X(ERR_DEPENDENT_OBJECTS, "2BP01")                                                          \
	X(ERR_FEATURE_NOT_SUPPORTED, "0A000")                                                      \
	X(ERR_CARDINALITY, "21000")                                                                \
	X(ERR_DATA_EXCEPTION, "22000")                                                             \
	X(ERR_STRING_TOO_LONG, "22001")                                                            \
	X(ERR_NUMERIC_OUT_OF_RANGE, "22003")                                                       \
	X(ERR_NULL_VALUE_NOT_ALLOWED, "22004")                                                     \
	X(ERR_INVALID_DATETIME_FORMAT, "22007")                                                    \
	X(ERR_DATETIME_OVERFLOW, "22008")                                                          \
	X(ERR_DIVISION_BY_ZERO, "22012")                                                           \
	X(ERR_INVALID_PARAMETER_VALUE, "22023")                                                    \
	X(ERR_INVALID_ESCAPE, "22025")                                                             \
	X(ERR_INVALID_REGEX, "2201B")                                                              \
	X(ERR_INVALID_TEXT_REPRESENTATION, "22P02")                                                \
	X(ERR_INVALID_ARGUMENT_FOR_POWER, "2201F")                                                 \
	X(ERR_SUBSTRING, "22011")                                                                  \
	X(ERR_NOT_NULL_VIOLATION, "23502")                                                         \
	X(ERR_UNIQUE_VIOLATION, "23505")                                                           \
	X(ERR_OBJECT_IN_USE, "55006")                                                              \
	X(ERR_LOCK_NOT_AVAILABLE, "55P03")                                                         \
	X(ERR_PROGRAM_LIMIT, "54000")                                                              \
	X(ERR_OUT_OF_MEMORY, "53200")                                                              \
	X(ERR_IO, "58030")                                                                         \
	X(ERR_INTERNAL, "XX000")                                                                   \
	X(ERR_DATA_CORRUPTED, "XX001")                                                             \
	X(ERR_BAD_COPY_FILE_FORMAT, "22P04")                                                       \
	X(ERR_CHARACTER_NOT_IN_REPERTOIRE, "22021")                                                \
	X(ERR_QUERY_CANCELED, "57014")

typedef enum ErrCode {
#define ERR_ENUM(name, state) name,
	ERR_LIST(ERR_ENUM)
#undef ERR_ENUM
	ERR__COUNT
} ErrCode;

#define ERR_MSG_MAX 512

typedef struct Err {
	ErrCode code;
	int position;            /* 1-based character offset into the SQL text; 0 when none */
	char msg[ERR_MSG_MAX];   /* primary message, PostgreSQL style: lower case, no period */
	char hint[ERR_MSG_MAX];  /* optional hint ("" when none) */
} Err;

/* Resets e to ERR_OK. */
void err_clear(Err *e);

/* Records an error unless one is already recorded. Always returns -1 so callers can
 * `return err_set(e, ERR_X, "...")`. A NULL e is allowed (the error is dropped). */
int err_set(Err *e, ErrCode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_setv(Err *e, ErrCode code, const char *fmt, va_list ap);

/* Like err_set, also recording the 1-based position of the offending token. */
int err_set_pos(Err *e, ErrCode code, int position, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sets the position of an already recorded error if it has none yet (used by callers that
 * know where in the SQL text a failing expression started). */
void err_locate(Err *e, int position);

/* Adds a hint to the recorded error. */
void err_hint(Err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Five-character SQLSTATE of a code, and the symbolic name ("ERR_SYNTAX"). */
const char *err_sqlstate(ErrCode code);
const char *err_name(ErrCode code);

static inline int err_failed(const Err *e) { return e && e->code != ERR_OK; }

#endif
