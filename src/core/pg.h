/*
 * Internal core of pargnn: the real type, dense and sparse matrix views, error reporting
 * and checked allocation. Every source file includes this; nothing here is public.
 */
#ifndef PG_CORE_H
#define PG_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "pargnn.h"

/* The library is compiled once with float (what users run) and once with double (only for
 * the finite-difference gradient checks), from the same source. */
#ifdef PARGNN_REAL_DOUBLE
typedef double pg_real;
#define PG_REAL_NAME "f64"
#else
typedef float pg_real;
#define PG_REAL_NAME "f32"
#endif

/* Dense row-major matrix: element (i, j) at data[i * cols + j]. Owns data unless noted. */
typedef struct pg_mat {
    int64_t rows, cols;
    pg_real *data;
} pg_mat;

/* Compressed sparse rows: row i holds col[rowptr[i] .. rowptr[i+1]-1], sorted ascending.
 * Row offsets are 64-bit (more than 2^31 non-zeros is allowed); column ids are 32-bit
 * (fewer than 2^31 columns). val == NULL means every stored value is 1. */
typedef struct pg_csr {
    int64_t nrows, ncols, nnz;
    int64_t *rowptr;   /* nrows + 1 */
    int32_t *col;      /* nnz */
    pg_real *val;      /* nnz, or NULL */
} pg_csr;

/* ---- errors: set a message and return the status, in one expression ---- */
pargnn_status pg_error(pargnn_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pg_clear_error(void);
/* Prefixes the current message with "prefix: " (adds context on the way up). */
void pg_error_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define PG_TRY(expr)                                                                   \
    do {                                                                               \
        pargnn_status pg_try_s_ = (expr);                                              \
        if (pg_try_s_ != PARGNN_STATUS_OK) return pg_try_s_;                           \
    } while (0)

/* ---- allocation: sizes are checked for overflow; failures set the error ---- */
/* Returns NULL (and sets PARGNN_STATUS_NO_MEMORY with what) when count*size overflows or
 * the allocation fails. Memory is 64-byte aligned; free with pg_free. */
void *pg_alloc(size_t count, size_t size, const char *what);
void *pg_calloc(size_t count, size_t size, const char *what);
void pg_free(void *p);
/* count * size without overflow; returns 0 on overflow. */
int pg_mul_ok(size_t a, size_t b, size_t *out);

pargnn_status pg_mat_alloc(pg_mat *m, int64_t rows, int64_t cols, int zero, const char *what);
void pg_mat_free(pg_mat *m);
void pg_csr_free(pg_csr *a);

/* Median of n values spaced stride apart (v[0], v[stride], ...); 0 when n == 0 or on
 * allocation failure. */
double pg_median(const double *v, int64_t n, int64_t stride);

/* Time in milliseconds from a monotonic clock. */
double pg_now_ms(void);

/* crc32 of a byte range, continuing from crc (start with 0). */
uint32_t pg_crc32(uint32_t crc, const void *data, size_t len);

#endif
