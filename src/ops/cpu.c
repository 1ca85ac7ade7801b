/*
 * The CPU backend: dense products through OpenBLAS, sparse products with OpenMP threads
 * balanced by non-zeros (power-law rows would leave threads idle under a row split).
 * Results are deterministic for a given thread count: every output row (or column block)
 * is produced by exactly one thread in a fixed order.
 */
#include <cblas.h>
#include <omp.h>
#include <string.h>

#include "ops/ops.h"

#ifdef PARGNN_REAL_DOUBLE
#define PG_CBLAS_GEMM cblas_dgemm
#else
#define PG_CBLAS_GEMM cblas_sgemm
#endif

/* Fewer non-zeros x width than this run on one thread: starting threads costs more. */
#define PG_PAR_MIN_WORK 32768

/* OpenBLAS's own thread count (declared here: not every cblas.h exposes it). */
void openblas_set_num_threads(int num_threads);

static int pg_threads = 0;

void pg_set_threads(int threads) {
    if (threads <= 0) return;
    pg_threads = threads;
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);
}

int pg_get_threads(void) { return pg_threads > 0 ? pg_threads : omp_get_max_threads(); }

/* C: (m, n) = alpha op(A) op(B) + beta C */
static void cpu_gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                     const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                     pg_real *C, int64_t ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0) { /* BLAS leaves C untouched for k == 0 only when beta == 1 */
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    PG_CBLAS_GEMM(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  (blasint)m, (blasint)n, (blasint)k, alpha, A, (blasint)lda, B, (blasint)ldb, beta,
                  C, (blasint)ldc);
}

/* First row of each thread's share so that shares hold about equal non-zeros (+ rows, so
 * that empty rows still cost something). bounds: nt + 1 entries. */
static void split_rows_by_nnz(const pg_csr *S, int nt, int64_t *bounds) {
    const int64_t n = S->nrows, total = S->nnz + n;
    bounds[0] = 0;
    int64_t r = 0;
    for (int t = 1; t < nt; t++) {
        const int64_t target = total * t / nt;
        /* binary search the first row whose (rowptr + row) reaches the target */
        int64_t lo = r, hi = n;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (S->rowptr[mid] + mid < target) lo = mid + 1;
            else hi = mid;
        }
        r = lo;
        bounds[t] = r;
    }
    bounds[nt] = n;
}

static void spmm_rows(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y,
                      int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
        pg_real *restrict y = Y + i * f;
        if (beta == 0) memset(y, 0, (size_t)f * sizeof *y);
        else
            for (int64_t j = 0; j < f; j++) y[j] *= beta;
        const int64_t e1 = S->rowptr[i + 1];
        for (int64_t e = S->rowptr[i]; e < e1; e++) {
            const pg_real v = S->val ? S->val[e] : 1;
            const pg_real *restrict x = X + (int64_t)S->col[e] * f;
            for (int64_t j = 0; j < f; j++) y[j] += v * x[j];
        }
    }
}

/* Y: (S.nrows, f) = S X + beta Y */
static void cpu_spmm(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    int nt = pg_get_threads();
    if (nt <= 1 || (S->nnz + S->nrows) * f < PG_PAR_MIN_WORK) {
        spmm_rows(S, X, f, beta, Y, 0, S->nrows);
        return;
    }
    int64_t bounds[257];
    if (nt > 256) nt = 256;
    split_rows_by_nnz(S, nt, bounds);
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) spmm_rows(S, X, f, beta, Y, bounds[t], bounds[t + 1]);
}

/* Y: (S.ncols, f) = S^T X + beta Y. Scattering rows would race; each thread owns a block
 * of feature columns instead, so every output element has one writer. */
static void spmm_t_cols(const pg_csr *S, const pg_real *X, int64_t f, pg_real *Y, int64_t j0,
                        int64_t j1) {
    for (int64_t i = 0; i < S->nrows; i++) {
        const pg_real *restrict x = X + i * f;
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            const pg_real v = S->val ? S->val[e] : 1;
            pg_real *restrict y = Y + (int64_t)S->col[e] * f;
            for (int64_t j = j0; j < j1; j++) y[j] += v * x[j];
        }
    }
}

static void cpu_spmm_t(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    const int64_t total = S->ncols * f;
    if (beta == 0) memset(Y, 0, (size_t)total * sizeof *Y);
    else
        for (int64_t r = 0; r < total; r++) Y[r] *= beta;
    int nt = pg_get_threads();
    if (nt > f) nt = (int)f;
    if (nt <= 1 || (S->nnz + S->nrows) * f < PG_PAR_MIN_WORK) {
        spmm_t_cols(S, X, f, Y, 0, f);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) spmm_t_cols(S, X, f, Y, f * t / nt, f * (t + 1) / nt);
}

static const pg_backend cpu_backend = {"cpu", cpu_gemm, cpu_spmm, cpu_spmm_t};

const pg_backend *pg_backend_cpu(void) { return &cpu_backend; }
