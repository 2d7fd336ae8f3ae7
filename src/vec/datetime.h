/* datetime.h: dates, timestamps and intervals: calendar, text forms and arithmetic.
 *
 * Layer: vec. Dates are days since 1970-01-01 and timestamps microseconds since
 * 1970-01-01 00:00:00 on the proleptic Gregorian calendar; timestamptz values are UTC and shown in
 * UTC ("+00"). Intervals keep months, days and microseconds apart, as PostgreSQL does, because a
 * month is not a fixed number of days: timestamp + interval adds months (clamping the day to the
 * month's end), then days, then microseconds. Comparisons of intervals treat a month as 30 days
 * and a day as 24 hours, again as PostgreSQL does. Text forms follow PostgreSQL's ISO DateStyle
 * and its default 'postgres' IntervalStyle.
 */
#ifndef EDDY_VEC_DATETIME_H
#define EDDY_VEC_DATETIME_H

#include "base/err.h"
#include "base/strbuf.h"
#include "vec/types.h"

#define US_PER_HOUR INT64_C(3600000000)
#define US_PER_MINUTE INT64_C(60000000)

/* Civil calendar: days since 1970-01-01 <-> year/month/day (proleptic Gregorian). */
int64_t dt_days_from_civil(int64_t y, int m, int d);
void dt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int dt_days_in_month(int64_t y, int m);

/* Text input. Errors: 22007 "invalid input syntax for type date: \"x\"", 22008 "date/time field
 * value out of range: \"2024-13-01\"". A timestamp accepts 'YYYY-MM-DD[( |T)HH:MM[:SS[.f]]]' with
 * an optional zone ('Z', '+HH', '+HH:MM', '-HHMM', ' UTC'): timestamptz converts to UTC, timestamp
 * ignores the zone, as PostgreSQL does. */
int dt_parse_date(const char *s, size_t n, int32_t *out, Err *e);
int dt_parse_timestamp(const char *s, size_t n, bool tz, int64_t *out, Err *e);
/* Interval input: PostgreSQL's unit forms ('1 day 2 hours', '-5 minutes', '01:02:03',
 * '1 year 2 mons', '100 ms', '@ 1 day ago') and ISO 8601 ('P1DT2H', 'PT5S'). 22007 on bad text. */
int dt_parse_interval(const char *s, size_t n, Interval *out, Err *e);

/* Text output: "2024-01-02", "2024-01-02 03:04:05.5" (+ "+00" with tz), "1 day 02:00:00". */
void dt_format_date(int32_t d, StrBuf *out);
void dt_format_timestamp(int64_t ts, bool tz, StrBuf *out);
void dt_format_interval(Interval iv, StrBuf *out);

/* ---- arithmetic. Results outside the supported range are 22008 "timestamp out of range" (or
 * "date out of range", "interval out of range"). */
int dt_ts_add_interval(int64_t ts, Interval iv, int64_t *out, Err *e);
int dt_ts_sub_interval(int64_t ts, Interval iv, int64_t *out, Err *e);
Interval dt_ts_diff(int64_t a, int64_t b); /* a - b, whole days split out */
int dt_date_add_days(int32_t d, int64_t days, int32_t *out, Err *e);
int64_t dt_date_to_ts(int32_t d);
int32_t dt_ts_to_date(int64_t ts); /* floor to the day */

int dt_iv_add(Interval a, Interval b, Interval *out, Err *e);
int dt_iv_sub(Interval a, Interval b, Interval *out, Err *e);
int dt_iv_neg(Interval a, Interval *out, Err *e);
int dt_iv_mul(Interval a, double f, Interval *out, Err *e);
int dt_iv_div(Interval a, double f, Interval *out, Err *e);
int dt_iv_cmp(Interval a, Interval b);
/* The span in microseconds with a month as 30 days (used for hashing and for comparisons). */
__int128 dt_iv_span(Interval a);
/* justify_hours: whole days moved out of the microseconds. */
Interval dt_iv_justify_hours(Interval a);

/* date_trunc('field', ts): microseconds, milliseconds, second, minute, hour, day, week, month,
 * quarter, year, decade, century, millennium. 22023 "unit \"x\" not recognized" (PostgreSQL says
 * "timestamp units \"x\" not recognized"). */
int dt_trunc(const char *field, int64_t ts, int64_t *out, Err *e);
/* date_part('field', ts) as double precision: year, quarter, month, week, day, dow, isodow, doy,
 * hour, minute, second (with its fraction), milliseconds, microseconds, epoch, decade, century,
 * millennium. */
int dt_part(const char *field, int64_t ts, double *out, Err *e);
/* date_part on an interval: epoch, year, month, day, hour, minute, second, milliseconds,
 * microseconds. */
int dt_part_interval(const char *field, Interval iv, double *out, Err *e);
/* The same with the field name looked up once, for callers that see one field on every row:
 * dt_field gives the field of a name (any letter case), DT_FIELD_BAD when it is none; the
 * _field variants take it, and the name for their error message. */
#define DT_FIELD_BAD (-1)
int dt_field(const char *name);
int dt_trunc_field(int field, const char *name, int64_t ts, int64_t *out, Err *e);
int dt_part_field(int field, const char *name, int64_t ts, double *out, Err *e);
int dt_part_interval_field(int field, const char *name, Interval iv, double *out, Err *e);

#endif
