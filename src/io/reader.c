/*
 * Line reader over zlib (gzip or plain files alike) and strict CSV token parsers, built
 * for feature files that unpack to hundreds of MB: large reads, in-place lines, no
 * allocation per line or token. File layouts are the loaders' business, not this file's.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/reader.h"

/* One gzread fills this much; large enough that zlib inflates straight into our buffer. */
#define PG_READER_CHUNK ((size_t)1 << 20)
/* Deflate cannot expand one input byte into more than 1032 output bytes; the margin covers
 * gzip headers and members that hold almost nothing. */
#define PG_DEFLATE_MAX_RATIO 1100
/* Longest token quoted back in a message. */
#define PG_QUOTE_MAX 40

/* ------------------------------------------------------------------ errors */

static pargnn_status verror_at(const pg_reader *r, int64_t line, pargnn_status status,
                               const char *fmt, va_list ap) {
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return pg_error(status, "%s:%lld: %s", r->path ? r->path : "?", (long long)line, msg);
}

static pargnn_status error_at(const pg_reader *r, int64_t line, pargnn_status status,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static pargnn_status error_at(const pg_reader *r, int64_t line, pargnn_status status,
                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pargnn_status s = verror_at(r, line, status, fmt, ap);
    va_end(ap);
    return s;
}

pargnn_status pg_reader_error(const pg_reader *r, pargnn_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pargnn_status s = verror_at(r, r->line, status, fmt, ap);
    va_end(ap);
    return s;
}

static void format_size(char *out, size_t cap, size_t bytes) {
    if (bytes >= ((size_t)1 << 20) && bytes % ((size_t)1 << 20) == 0)
        snprintf(out, cap, "%zu MiB", bytes >> 20);
    else
        snprintf(out, cap, "%zu bytes", bytes);
}

static pargnn_status line_too_long(const pg_reader *r, int64_t line) {
    char size[32];
    format_size(size, sizeof size, r->max_line);
    return error_at(r, line, PARGNN_STATUS_BAD_INPUT, "line longer than %s", size);
}

/* zlib's messages start with the path it was given; we add our own. */
static const char *gz_message(const pg_reader *r, int *errnum) {
    const char *msg = gzerror(r->gz, errnum);
    size_t plen = strlen(r->path);
    if (msg && strncmp(msg, r->path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
        msg += plen + 2;
    return msg ? msg : "unknown zlib error";
}

/* -------------------------------------------------------------- open/close */

pargnn_status pg_reader_open(pg_reader *r, const char *path) {
    memset(r, 0, sizeof *r);
    r->max_line = PG_READER_MAX_LINE;
    r->size_bound = INT64_MAX;
    r->path = strdup(path);
    if (!r->path) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", path);

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        pg_reader_close(r);
        return pg_error(PARGNN_STATUS_IO, "%s: %s", path,
                        e == ENOENT ? "no such file" : strerror(e));
    }
    struct stat st;
    int stat_ok = fstat(fd, &st) == 0, e = errno;
    if (!stat_ok || S_ISDIR(st.st_mode)) {
        close(fd);
        pg_reader_close(r);
        return pg_error(PARGNN_STATUS_IO, "%s: %s", path,
                        stat_ok ? "is a directory" : strerror(e));
    }
    if (S_ISREG(st.st_mode)) {
        unsigned char magic[2] = {0, 0};
        int gz = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        int64_t size = (int64_t)st.st_size;
        if (!gz)
            r->size_bound = size;
        else if (size <= (INT64_MAX - (1 << 16)) / PG_DEFLATE_MAX_RATIO)
            r->size_bound = size * PG_DEFLATE_MAX_RATIO + (1 << 16);
    }

    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        pg_reader_close(r);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot set up zlib", path);
    }
    /* Small files (the count files) get small buffers. */
    size_t chunk = PG_READER_CHUNK;
    if (r->size_bound < (int64_t)chunk) chunk = (size_t)r->size_bound + 1;
    gzbuffer(r->gz, (unsigned)(chunk < 8192 ? 8192 : chunk));
    r->cap = chunk + 1;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        pg_reader_close(r);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate a %zu-byte read buffer",
                        path, chunk + 1);
    }
    return PARGNN_STATUS_OK;
}

void pg_reader_close(pg_reader *r) {
    if (!r) return;
    if (r->gz) gzclose(r->gz);
    free(r->buf);
    free(r->path);
    memset(r, 0, sizeof *r);
}

int64_t pg_reader_size_bound(const pg_reader *r) { return r->size_bound; }

int pg_reader_may_hold(const pg_reader *r, int64_t lines, int64_t min_line_bytes) {
    if (lines <= 0) return 1;
    if (min_line_bytes < 1) min_line_bytes = 1;
    if (lines > INT64_MAX / min_line_bytes) return 0;
    /* The last line may lack its newline. */
    return lines * min_line_bytes - 1 <= r->size_bound;
}

/* ------------------------------------------------------------------ lines */

/* Moves the unread bytes to the front, grows the buffer when a line fills it, and reads
 * more. Sets eof at a clean end of stream. */
static pargnn_status fill(pg_reader *r) {
    if (r->start > 0) {
        size_t keep = r->end - r->start;
        memmove(r->buf, r->buf + r->start, keep);
        r->end = keep;
        r->scan -= r->start;
        r->start = 0;
    }
    if (r->end + 1 >= r->cap) {
        /* One line fills the buffer: it may still end within the limit (+2 for "\r\n",
         * +1 for the NUL). */
        size_t max_cap = r->max_line + 3;
        size_t new_cap = r->cap > max_cap / 2 ? max_cap : r->cap * 2;
        if (new_cap <= r->cap) return line_too_long(r, r->line + 1);
        char *nb = realloc(r->buf, new_cap);
        if (!nb)
            return error_at(r, r->line + 1, PARGNN_STATUS_NO_MEMORY,
                            "cannot grow the line buffer to %zu bytes", new_cap);
        r->buf = nb;
        r->cap = new_cap;
    }
    size_t want = r->cap - 1 - r->end;
    if (want > ((size_t)1 << 30)) want = (size_t)1 << 30; /* gzread takes an unsigned int */
    int got = gzread(r->gz, r->buf + r->end, (unsigned)want);
    int errnum = Z_OK;
    if (got < 0) {
        const char *msg = gz_message(r, &errnum);
        if (errnum == Z_ERRNO)
            return pg_error(PARGNN_STATUS_IO, "%s: read error after line %lld: %s", r->path,
                            (long long)r->line, strerror(errno));
        return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: corrupt gzip data after line %lld: %s",
                        r->path, (long long)r->line, msg);
    }
    if (got == 0) {
        const char *msg = gz_message(r, &errnum);
        /* gzread reports a stream cut short as Z_BUF_ERROR, and only through gzerror. */
        if (errnum == Z_BUF_ERROR)
            return pg_error(PARGNN_STATUS_BAD_INPUT,
                            "%s: truncated gzip stream (unexpected end after line %lld)", r->path,
                            (long long)r->line);
        if (errnum != Z_OK)
            return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: corrupt gzip data after line %lld: %s",
                            r->path, (long long)r->line, msg);
        r->eof = 1;
        return PARGNN_STATUS_OK;
    }
    r->end += (size_t)got;
    return PARGNN_STATUS_OK;
}

static int finish_line(pg_reader *r, size_t start, size_t n, char **line, size_t *len) {
    char *p = r->buf + start;
    if (n > 0 && p[n - 1] == '\r') n--;
    r->line++;
    if (n > r->max_line) return line_too_long(r, r->line);
    if (memchr(p, '\0', n))
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "NUL byte in text (a binary file?)");
    p[n] = '\0';
    *line = p;
    *len = n;
    return 1;
}

int pg_reader_next_line(pg_reader *r, char **line, size_t *len) {
    if (!r->buf) return pg_error(PARGNN_STATUS_INTERNAL, "line reader used while closed");
    for (;;) {
        if (r->scan < r->end) {
            char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
            if (nl) {
                size_t s = r->start, pos = (size_t)(nl - r->buf);
                r->start = r->scan = pos + 1;
                return finish_line(r, s, pos - s, line, len);
            }
            r->scan = r->end;
        }
        if (r->end - r->start > r->max_line + 1) return line_too_long(r, r->line + 1);
        if (r->eof) {
            if (r->start == r->end) return 0;
            size_t s = r->start, n = r->end - r->start;
            r->start = r->scan = r->end;
            return finish_line(r, s, n, line, len);
        }
        pargnn_status st = fill(r);
        if (st != PARGNN_STATUS_OK) return st;
    }
}

/* ---------------------------------------------------------------- resolve */

static char *concat(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

pargnn_status pg_csv_resolve(const char *base, char **path) {
    *path = NULL;
    static const char *const ext[2] = {".csv.gz", ".csv"};
    for (int k = 0; k < 2; k++) {
        char *p = concat(base, ext[k]);
        if (!p) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate a path", base);
        struct stat st;
        if (stat(p, &st) == 0) {
            *path = p;
            return PARGNN_STATUS_OK;
        }
        int e = errno;
        free(p);
        if (e != ENOENT)
            return pg_error(PARGNN_STATUS_IO, "%s%s: %s", base, ext[k], strerror(e));
    }
    return pg_error(PARGNN_STATUS_IO, "%s.csv.gz: no such file (nor %s.csv)", base, base);
}

pargnn_status pg_reader_open_csv(pg_reader *r, const char *base) {
    memset(r, 0, sizeof *r);
    char *path;
    PG_TRY(pg_csv_resolve(base, &path));
    pargnn_status st = pg_reader_open(r, path);
    free(path);
    return st;
}

/* ----------------------------------------------------------------- tokens */

/* The token as printable text for a message, cut at PG_QUOTE_MAX characters. */
static const char *quote(char out[PG_QUOTE_MAX + 8], const char *tok, size_t len) {
    size_t n = len > PG_QUOTE_MAX ? PG_QUOTE_MAX : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tok[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n < len) {
        memcpy(out + n, "...", 4);
    } else {
        out[n] = '\0';
    }
    return out;
}

pargnn_status pg_parse_int64(const pg_reader *r, int64_t col, const char *tok, size_t len,
                             int64_t lo, int64_t hi, const char *what, int64_t *out) {
    char q[PG_QUOTE_MAX + 8];
    if (len == 0)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "column %lld: empty value",
                               (long long)col);
    const char *p = tok, *e = tok + len;
    int neg = *p == '-';
    p += neg;
    if (p == e)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: expected an integer, found \"%s\"", (long long)col,
                               quote(q, tok, len));
    uint64_t v = 0;
    int overflow = 0;
    for (; p < e; p++) {
        unsigned d = (unsigned)((unsigned char)*p - '0');
        if (d > 9)
            return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                                   "column %lld: expected an integer, found \"%s\"",
                                   (long long)col, quote(q, tok, len));
        if (v > (UINT64_MAX - d) / 10) overflow = 1;
        else v = v * 10 + d;
    }
    int64_t x = 0;
    if (!overflow) {
        if (neg) {
            if (v > (uint64_t)INT64_MAX + 1) overflow = 1;
            else x = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        } else {
            if (v > (uint64_t)INT64_MAX) overflow = 1;
            else x = (int64_t)v;
        }
    }
    if (overflow || x < lo || x > hi)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: %s %s out of range [%lld, %lld]", (long long)col,
                               what ? what : "value", quote(q, tok, len), (long long)lo,
                               (long long)hi);
    *out = x;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_parse_float(const pg_reader *r, int64_t col, const char *tok, size_t len,
                             float *out) {
    char q[PG_QUOTE_MAX + 8];
    char tmp[128];
    if (len == 0)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "column %lld: empty value",
                               (long long)col);
    /* Only decimal notation reaches strtof: no spaces, hex floats or "nan(...)", and the
     * token cannot run on past its comma. */
    for (size_t i = 0; i < len; i++) {
        char c = tok[i];
        if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
            continue;
        size_t s = (tok[0] == '-' || tok[0] == '+') ? 1 : 0;
        if (len - s >= 3 && strncasecmp(tok + s, "nan", 3) == 0)
            return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                                   "column %lld: NaN is not allowed (\"%s\")", (long long)col,
                                   quote(q, tok, len));
        if (len - s >= 3 && strncasecmp(tok + s, "inf", 3) == 0)
            return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                                   "column %lld: Inf is not allowed (\"%s\")", (long long)col,
                                   quote(q, tok, len));
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: expected a number, found \"%s\"", (long long)col,
                               quote(q, tok, len));
    }
    if (len >= sizeof tmp)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: number too long (%zu characters): \"%s\"",
                               (long long)col, len, quote(q, tok, len));
    memcpy(tmp, tok, len);
    tmp[len] = '\0';
    char *end;
    float f = strtof(tmp, &end);
    if (end != tmp + len)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: expected a number, found \"%s\"", (long long)col,
                               quote(q, tok, len));
    if (!isfinite(f))
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "column %lld: %s is beyond the float range", (long long)col,
                               quote(q, tok, len));
    *out = f;
    return PARGNN_STATUS_OK;
}

int64_t pg_count_fields(const char *line, size_t len) {
    int64_t n = 1;
    const char *p = line, *e = line + len;
    while ((p = memchr(p, ',', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

static pargnn_status column_count(const pg_reader *r, int64_t want, int64_t found) {
    return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "expected %lld column%s, found %lld",
                           (long long)want, want == 1 ? "" : "s", (long long)found);
}

pargnn_status pg_parse_int_row(const pg_reader *r, const char *line, size_t len, int64_t ncols,
                               int64_t lo, int64_t hi, const char *what, int64_t *out) {
    int64_t found = pg_count_fields(line, len);
    if (found != ncols) {
        if (len == 0) return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "empty line");
        return column_count(r, ncols, found);
    }
    const char *p = line, *e = line + len;
    for (int64_t c = 0; c < ncols; c++) {
        const char *t = memchr(p, ',', (size_t)(e - p));
        if (!t) t = e;
        PG_TRY(pg_parse_int64(r, c + 1, p, (size_t)(t - p), lo, hi, what, &out[c]));
        p = t + 1;
    }
    return PARGNN_STATUS_OK;
}

/* Powers of ten that a float holds exactly (5^10 < 2^24). */
static const float pow10f_exact[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
                                       1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

pargnn_status pg_parse_real_row(const pg_reader *r, const char *line, size_t len, int64_t ncols,
                                pg_real *out) {
    const char *p = line, *end = line + len;
    if (len == 0) return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "empty line");
    int64_t c = 0;
    for (;;) {
        if (c == ncols) return column_count(r, ncols, pg_count_fields(line, len));
        /* Bag-of-words rows are nearly all "0," and "1,": take four such tokens per 8-byte
         * word when every even byte is a digit and every odd byte a comma. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        while (end - p >= 8 && ncols - c >= 4) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t d = (w & 0x00FF00FF00FF00FFull) - 0x0030003000300030ull;
            if ((w & 0xFF00FF00FF00FF00ull) != 0x2C002C002C002C00ull ||
                (d & 0xFF00FF00FF00FF00ull) != 0 || /* a byte below '0' borrowed */
                ((d + 0x0076007600760076ull) & 0xFF80FF80FF80FF80ull) != 0) /* above '9' */
                break;
            out[c] = (pg_real)(d & 0xFF);
            out[c + 1] = (pg_real)((d >> 16) & 0xFF);
            out[c + 2] = (pg_real)((d >> 32) & 0xFF);
            out[c + 3] = (pg_real)(d >> 48);
            c += 4;
            p += 8;
        }
        if (c == ncols) return column_count(r, ncols, pg_count_fields(line, len));
#endif
        if (end - p >= 2 && (unsigned)(p[0] - '0') <= 9 && p[1] == ',') {
            out[c++] = (pg_real)(p[0] - '0');
            p += 2;
            continue;
        }
        /* Fast path, [-]digits[.digits] with at most 2^24 as the digit string and at most
         * ten decimals: both the integer and the power of ten are exact floats, so one
         * IEEE division rounds correctly, which is what strtof does (Clinger's fast path). */
        const char *q = p;
        int neg = q < end && *q == '-';
        q += neg;
        uint32_t v = 0;
        int digits = 0, decimals = 0, ok = 1;
        while (q < end && (unsigned)(*q - '0') <= 9) {
            v = v * 10 + (uint32_t)(*q++ - '0');
            digits++;
            if (v > (1u << 24)) {
                ok = 0;
                break;
            }
        }
        if (ok && q < end && *q == '.') {
            q++;
            while (q < end && (unsigned)(*q - '0') <= 9) {
                v = v * 10 + (uint32_t)(*q++ - '0');
                digits++;
                if (v > (1u << 24) || ++decimals > 10) {
                    ok = 0;
                    break;
                }
            }
        }
#if FLT_EVAL_METHOD != 0
        ok = ok && decimals == 0; /* x87 excess precision would round twice */
#endif
        if (ok && digits > 0 && (q == end || *q == ',')) {
            float f = (float)v;
            if (decimals) f = f / pow10f_exact[decimals];
            out[c] = (pg_real)(neg ? -f : f);
        } else {
            const char *t = memchr(p, ',', (size_t)(end - p));
            if (!t) t = end;
            float f;
            PG_TRY(pg_parse_float(r, c + 1, p, (size_t)(t - p), &f));
            out[c] = (pg_real)f;
            q = t;
        }
        c++;
        if (q == end) break;
        p = q + 1;
    }
    if (c != ncols) return column_count(r, ncols, c);
    return PARGNN_STATUS_OK;
}
