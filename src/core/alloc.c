/*
 * Checked, aligned allocation and the small utilities every module needs (clock, crc32).
 * An allocation whose byte count overflows size_t fails cleanly instead of wrapping.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) on Linux */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <zlib.h>

#include "core/pg.h"

#define PG_ALIGN 64
/* Buffers this large are 2 MiB aligned and marked for transparent huge pages: SpMM reads
 * their rows at random, so 4 KiB pages cost TLB misses. Where THP is "madvise" (the
 * default here) nothing happens without the hint. The gain is not settled: one experiment
 * saw 1.3-1.6x on SpMM, a noisy end-to-end A/B saw none (docs/performance.md). */
#define PG_HUGE_MIN ((size_t)4 << 20)
#define PG_HUGE_ALIGN ((size_t)2 << 20)

int pg_mul_ok(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

void *pg_alloc(size_t count, size_t size, const char *what) {
    size_t bytes;
    if (!pg_mul_ok(count, size, &bytes) || bytes > SIZE_MAX - PG_ALIGN) {
        pg_error(PARGNN_STATUS_NO_MEMORY, "%s: %zu x %zu bytes overflows", what, count, size);
        return NULL;
    }
    if (bytes == 0) bytes = PG_ALIGN;
    const size_t align = bytes >= PG_HUGE_MIN && bytes <= SIZE_MAX - PG_HUGE_ALIGN ? PG_HUGE_ALIGN : PG_ALIGN;
    bytes = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, bytes);
    if (!p) {
        pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate %zu bytes", what, bytes);
        return NULL;
    }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == PG_HUGE_ALIGN) (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
    return p;
}

void *pg_calloc(size_t count, size_t size, const char *what) {
    void *p = pg_alloc(count, size, what);
    if (p) memset(p, 0, count * size);
    return p;
}

void pg_free(void *p) { free(p); }

pargnn_status pg_mat_alloc(pg_mat *m, int64_t rows, int64_t cols, int zero, const char *what) {
    m->rows = rows;
    m->cols = cols;
    m->data = NULL;
    if (rows < 0 || cols < 0)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "%s: negative size %lld x %lld", what,
                        (long long)rows, (long long)cols);
    size_t n;
    if (!pg_mul_ok((size_t)rows, (size_t)cols, &n))
        return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: %lld x %lld overflows", what,
                        (long long)rows, (long long)cols);
    m->data = zero ? pg_calloc(n, sizeof(pg_real), what) : pg_alloc(n, sizeof(pg_real), what);
    return m->data ? PARGNN_STATUS_OK : PARGNN_STATUS_NO_MEMORY;
}

void pg_mat_free(pg_mat *m) {
    if (!m) return;
    pg_free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
}

void pg_csr_free(pg_csr *a) {
    if (!a) return;
    pg_free(a->rowptr);
    pg_free(a->col);
    pg_free(a->val);
    memset(a, 0, sizeof *a);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double pg_median(const double *v, int64_t n, int64_t stride) {
    if (n <= 0) return 0;
    double *t = malloc((size_t)n * sizeof *t);
    if (!t) return 0;
    for (int64_t k = 0; k < n; k++) t[k] = v[k * stride];
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    double m = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    free(t);
    return m;
}

double pg_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

uint32_t pg_crc32(uint32_t crc, const void *data, size_t len) {
    const unsigned char *p = data;
    /* zlib's crc32 takes a uInt length: feed it in chunks so > 4 GiB ranges are fine. */
    while (len > 0) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = (uint32_t)crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return crc;
}
