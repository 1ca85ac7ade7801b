/*
 * Streaming line reader for text files that may be gzip'ed or plain, with strict parsers
 * for the comma-separated tokens of the OGB CSV files. It neither knows file layouts nor
 * allocates per line or per token: lines are handed out in place, inside its own buffer.
 */
#ifndef PG_IO_READER_H
#define PG_IO_READER_H

#include <stddef.h>
#include <stdint.h>

#include "core/pg.h"

/* A line may be long (one node's features), but a file without newlines must not make us
 * swallow it whole. */
#define PG_READER_MAX_LINE ((size_t)256 << 20)

struct gzFile_s; /* zlib's handle, kept out of every includer's namespace */

typedef struct pg_reader {
    char *path;             /* as opened, for messages (owned) */
    struct gzFile_s *gz;
    char *buf;              /* bytes [start, end) are unread; buf[end] is spare for a NUL */
    size_t cap, start, end;
    size_t scan;            /* no '\n' in [start, scan): resume the search there */
    int64_t line;           /* 1-based number of the line last returned; 0 before any */
    int64_t size_bound;     /* most bytes the file can unpack to (INT64_MAX: unknown) */
    size_t max_line;        /* PG_READER_MAX_LINE; tests may lower it */
    int eof;                /* gzread returned 0 and the stream ended cleanly */
} pg_reader;

/* Opens path (gzip or plain, detected from its content). On failure r is left closed
 * (pg_reader_close is harmless) and the message names the file. */
pargnn_status pg_reader_open(pg_reader *r, const char *path);

/* Next line without its "\n" or "\r\n", NUL-terminated in place, valid until the next
 * call. Returns 1, 0 at the end of the file, or a negative pargnn_status (line too long,
 * NUL byte, truncated or corrupt gzip, read error) with a "PATH:LINE: ..." message. A
 * last line without a newline is returned like any other. */
int pg_reader_next_line(pg_reader *r, char **line, size_t *len);

void pg_reader_close(pg_reader *r);

/* Upper bound of the bytes this file can deliver (from its size on disk and deflate's
 * largest ratio), so a count read from a small file cannot make us allocate terabytes.
 * INT64_MAX when the size is unknown (a pipe). */
int64_t pg_reader_size_bound(const pg_reader *r);

/* Whether the file can deliver `lines` lines of at least min_line_bytes bytes each
 * (newline included): checked before sizing an allocation by a count read elsewhere. */
int pg_reader_may_hold(const pg_reader *r, int64_t lines, int64_t min_line_bytes);

/* Sets "PATH:LINE: <message>" for the line last returned and returns status. */
pargnn_status pg_reader_error(const pg_reader *r, pargnn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resolves BASE.csv.gz, or else BASE.csv, into a malloc'ed *path (free with free()).
 * Neither present: PARGNN_STATUS_IO "BASE.csv.gz: no such file (nor BASE.csv)". */
pargnn_status pg_csv_resolve(const char *base, char **path);
/* pg_csv_resolve then pg_reader_open. */
pargnn_status pg_reader_open_csv(pg_reader *r, const char *base);

/* ---- strict token parsers: col is 1-based, for "PATH:LINE: column C: ..." messages ---- */

/* tok[0..len) as a decimal integer (optional '-', digits only) in [lo, hi]; what names
 * the value in the range message ("node id 7 out of range [0, 6]"). */
pargnn_status pg_parse_int64(const pg_reader *r, int64_t col, const char *tok, size_t len,
                             int64_t lo, int64_t hi, const char *what, int64_t *out);

/* tok[0..len) as a finite float, exactly as strtof rounds it; rejects empty tokens, spaces,
 * trailing junk, NaN, Inf and values beyond the float range. */
pargnn_status pg_parse_float(const pg_reader *r, int64_t col, const char *tok, size_t len,
                             float *out);

/* Number of comma-separated fields in line[0..len) (an empty line has one, empty). */
int64_t pg_count_fields(const char *line, size_t len);

/* A line of exactly ncols integers, each in [lo, hi]: out[0..ncols). */
pargnn_status pg_parse_int_row(const pg_reader *r, const char *line, size_t len, int64_t ncols,
                               int64_t lo, int64_t hi, const char *what, int64_t *out);

/* A line of exactly ncols floats into out[0..ncols) (x: (ncols)). Plain integer tokens such
 * as "0" and "1" skip strtof; the values are the same. */
pargnn_status pg_parse_real_row(const pg_reader *r, const char *line, size_t len, int64_t ncols,
                                pg_real *out);

#endif
