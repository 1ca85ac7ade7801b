/*
 * Status codes and the per-thread error message. Messages are formatted where the error is
 * detected (naming the file, line, field or flag) and may gain context on the way up.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/pg.h"

#define PG_ERRBUF 1024
static _Thread_local char pg_errbuf[PG_ERRBUF];

const char *pargnn_status_str(pargnn_status status) {
    switch (status) {
    case PARGNN_STATUS_OK: return "ok";
    case PARGNN_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case PARGNN_STATUS_IO: return "i/o error";
    case PARGNN_STATUS_BAD_INPUT: return "bad input";
    case PARGNN_STATUS_NO_MEMORY: return "out of memory";
    case PARGNN_STATUS_CORRUPT: return "corrupt file";
    case PARGNN_STATUS_MISMATCH: return "mismatch";
    case PARGNN_STATUS_NUMERIC: return "numerical failure";
    case PARGNN_STATUS_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int pargnn_status_exit_code(pargnn_status status) {
    switch (status) {
    case PARGNN_STATUS_OK: return 0;
    case PARGNN_STATUS_INVALID_ARGUMENT:
    case PARGNN_STATUS_IO:
    case PARGNN_STATUS_BAD_INPUT:
    case PARGNN_STATUS_CORRUPT:
    case PARGNN_STATUS_MISMATCH: return 2;
    default: return 1;
    }
}

const char *pargnn_last_error(void) { return pg_errbuf; }

void pg_clear_error(void) { pg_errbuf[0] = '\0'; }

pargnn_status pg_error(pargnn_status status, const char *fmt, ...) {
    /* Format aside first: an argument may be pargnn_last_error() itself. */
    char tmp[PG_ERRBUF];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(pg_errbuf, tmp, sizeof pg_errbuf);
    return status;
}

void pg_error_context(const char *fmt, ...) {
    char joined[2 * PG_ERRBUF + 2];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(joined, PG_ERRBUF, fmt, ap);
    va_end(ap);
    size_t used = k < 0 ? 0 : (size_t)k < PG_ERRBUF ? (size_t)k : PG_ERRBUF - 1;
    joined[used++] = ':';
    joined[used++] = ' ';
    memcpy(joined + used, pg_errbuf, strlen(pg_errbuf) + 1);
    size_t total = strlen(joined);
    if (total > PG_ERRBUF - 1) total = PG_ERRBUF - 1;
    memcpy(pg_errbuf, joined, total);
    pg_errbuf[total] = '\0';
}
