/*
 * The serial reference backend: the plainest correct loops, no blocking, no threads.
 * It is the oracle for every faster backend (tests/test_ops.c) and is never tuned.
 */
#include <string.h>

#include "ops/ops.h"

/* C: (m, n) = alpha op(A) op(B) + beta C */
static void ref_gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                     const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                     pg_real *C, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++) {
                pg_real a = ta ? A[p * lda + i] : A[i * lda + p];
                pg_real b = tb ? B[j * ldb + p] : B[p * ldb + j];
                acc += (double)a * (double)b;
            }
            pg_real prev = beta == 0 ? 0 : beta * C[i * ldc + j];
            C[i * ldc + j] = (pg_real)(alpha * acc) + prev;
        }
}

/* Y: (S.nrows, f) = S X + beta Y, X: (S.ncols, f) */
static void ref_spmm(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    for (int64_t i = 0; i < S->nrows; i++) {
        pg_real *y = Y + i * f;
        for (int64_t j = 0; j < f; j++) y[j] = beta == 0 ? 0 : beta * y[j];
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            pg_real v = S->val ? S->val[e] : 1;
            const pg_real *x = X + (int64_t)S->col[e] * f;
            for (int64_t j = 0; j < f; j++) y[j] += v * x[j];
        }
    }
}

/* Y: (S.ncols, f) = S^T X + beta Y, X: (S.nrows, f) */
static void ref_spmm_t(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    for (int64_t r = 0; r < S->ncols * f; r++) Y[r] = beta == 0 ? 0 : beta * Y[r];
    for (int64_t i = 0; i < S->nrows; i++) {
        const pg_real *x = X + i * f;
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            pg_real v = S->val ? S->val[e] : 1;
            pg_real *y = Y + (int64_t)S->col[e] * f;
            for (int64_t j = 0; j < f; j++) y[j] += v * x[j];
        }
    }
}

/* Y: (S.nrows, f) = relu?(S X + self Xs + bias): the unfused composition, the oracle of the
 * fused kernel */
static void ref_spmm_epilogue(const pg_csr *S, const pg_real *X, int64_t f, pg_real self,
                              const pg_real *Xs, const pg_real *bias, int relu, pg_real *Y) {
    ref_spmm(S, X, f, 0, Y);
    for (int64_t i = 0; i < S->nrows; i++)
        for (int64_t j = 0; j < f; j++) {
            pg_real z = Y[i * f + j] + (Xs ? self * Xs[i * f + j] : 0) + (bias ? bias[j] : 0);
            Y[i * f + j] = relu && z < 0 ? 0 : z;
        }
}

/* C: (m, n) = A^T B in double, A: (k, m), B: (k, n) */
static void ref_gemm_tn64(int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                          const pg_real *B, int64_t ldb, double *C, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++) acc += (double)A[p * lda + i] * (double)B[p * ldb + j];
            C[i * ldc + j] = acc;
        }
}

/* Y: (S.ncols, f) = S^T X in double */
static void ref_spmm_t64(const pg_csr *S, const pg_real *X, int64_t f, double *Y) {
    for (int64_t r = 0; r < S->ncols * f; r++) Y[r] = 0;
    for (int64_t i = 0; i < S->nrows; i++)
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            const double v = S->val ? (double)S->val[e] : 1;
            double *y = Y + (int64_t)S->col[e] * f;
            for (int64_t j = 0; j < f; j++) y[j] += v * (double)X[i * f + j];
        }
}

static void ref_gemm_epi(int tb, int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                         const pg_real *B, int64_t ldb, const pg_gemm_epi *epi, pg_real *C,
                         int64_t ldc) {
    ref_gemm(0, tb, m, n, k, 1, A, lda, B, ldb, epi->accumulate ? 1 : 0, C, ldc);
    pg_gemm_epi_apply(epi, m, n, C, ldc);
}

static const pg_backend ref_backend = {"ref",        ref_gemm,          ref_spmm,
                                       ref_spmm_t,   ref_spmm_epilogue, ref_gemm_tn64,
                                       ref_spmm_t64, ref_gemm_epi};

const pg_backend *pg_backend_ref(void) { return &ref_backend; }
