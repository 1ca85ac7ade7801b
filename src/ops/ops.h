/*
 * Kernels. A backend is a small table of the heavy products (dense GEMM, sparse-dense
 * SpMM and its transpose); layers call the table, never #ifdef. The serial reference
 * backend stays in the tree as the oracle every faster backend is tested against.
 * Elementwise kernels (bias, ReLU, dropout, loss, Adam) are shared by all CPU backends.
 * All matrices are row-major; shapes are written next to each argument.
 */
#ifndef PG_OPS_H
#define PG_OPS_H

#include "core/pg.h"

/* What a product's epilogue does to each element z of C (i, j) as it is stored: z + C's
 * old value when accumulate (the product added to C), + bias[j] (bias NULL: none), then
 * max(z, 0) when relu, then 0 where mask[i ldm + j] <= 0 (mask NULL: none; the derivative
 * of a ReLU, from its output). colsum (NULL: none) then gets the column sums of the stored
 * C (n values; a bias gradient), summed in row blocks fixed by the shape: the same sums
 * for any thread count. */
typedef struct pg_gemm_epi {
    const pg_real *bias;
    int relu;
    const pg_real *mask;
    int64_t ldm;
    int accumulate;
    pg_real *colsum;
} pg_gemm_epi;

/* C (m, n) = epi(C): the epilogue as a pass of its own after the product (ref.c, and cpu.c
 * off the AVX-512 path; accumulate is the product's beta, not this pass's). */
void pg_gemm_epi_apply(const pg_gemm_epi *epi, int64_t m, int64_t n, pg_real *C, int64_t ldc);

typedef struct pg_backend {
    const char *name;
    /* C: (m, n) = alpha * op(A) op(B) + beta * C, op(A): (m, k), op(B): (k, n);
     * ta/tb non-zero mean A/B are stored transposed. lda/ldb/ldc are row strides. */
    void (*gemm)(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                 const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                 pg_real *C, int64_t ldc);
    /* Y: (S.nrows, f) = S X + beta * Y, X: (S.ncols, f). */
    void (*spmm)(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y);
    /* Y: (S.ncols, f) = S^T X + beta * Y, X: (S.nrows, f). */
    void (*spmm_t)(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y);
    /* Y: (S.nrows, f) = S X + self Xs + bias (Xs: (S.nrows, f), b: (f), NULL = none), then
     * max(., 0) when relu: a layer's aggregation with its self term (GIN's (1 + eps) h)
     * and epilogue fused (the reference composes them). */
    void (*spmm_epilogue)(const pg_csr *S, const pg_real *X, int64_t f, pg_real self,
                          const pg_real *Xs, const pg_real *bias, int relu, pg_real *Y);
    /* Weight gradients summed in double (--reproducible): every product of two floats is
     * exact in double, so the sum is the same to about 1e-16 however its rows are split
     * among processes, and rounds to the same float almost always (in the double build,
     * products are rounded and this is the plain product).
     * C: (m, n) = A^T B, A: (k, m), B: (k, n), rows k summed. */
    void (*gemm_tn64)(int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                      const pg_real *B, int64_t ldb, double *C, int64_t ldc);
    /* Y: (S.ncols, f) = S^T X, X: (S.nrows, f) (a sparse input's weight gradient). */
    void (*spmm_t64)(const pg_csr *S, const pg_real *X, int64_t f, double *Y);
    /* C: (m, n) = epi(A op(B) (+ C)), A: (m, k): a layer's product with its bias and ReLU
     * (the forward) or its ReLU's mask (the backward) applied as C is stored. */
    void (*gemm_epi)(int tb, int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                     const pg_real *B, int64_t ldb, const pg_gemm_epi *epi, pg_real *C,
                     int64_t ldc);
} pg_backend;

const pg_backend *pg_backend_ref(void);  /* plain serial loops: the oracle */
const pg_backend *pg_backend_cpu(void);  /* OpenBLAS GEMM + OpenMP SpMM */

/* pargnn_blas_get_info's decision: the OPENBLAS_CORETYPE value to advise when OpenBLAS
 * runs core (its core name) on a CPU of instruction set cpu_isa (PG_ISA_* of
 * ops/kernels.h: 2 AVX-512 F/BW/VL/DQ/CD, 1 AVX2 and FMA, 0 neither), the variable is env
 * (NULL: unset) and dynamic_arch says whether OpenBLAS reads it (a DYNAMIC_ARCH build);
 * NULL when there is nothing to advise: a core of AVX2 or better, a CPU without AVX2, a
 * core the variable named, or a build that ignores the variable. */
const char *pg_blas_advice(const char *core, int cpu_isa, const char *env, int dynamic_arch);

/* Threads used by the CPU kernels: sets OpenMP's and OpenBLAS's counts (0 = leave). */
void pg_set_threads(int threads);
int pg_get_threads(void);

/* ---- per-phase wall time (PARGNN_PHASE_*), accumulated by the CPU backend's products and
 * the elementwise kernels below; the trainer resets it before a step and reads it after.
 * Two clock reads per call: negligible next to any kernel. Not thread-safe: kernels are
 * called from one thread (they start their own OpenMP teams). ---- */
extern double pg_phase_acc[PARGNN_PHASE_COUNT];
void pg_phase_reset(void);
void pg_phase_get(double *ms); /* ms: PARGNN_PHASE_COUNT values */

/* ---- elementwise (OpenMP where large enough; deterministic for any thread count) ---- */

/* Y: (n, f) += b: (f) on every row. */
void pg_bias_add(pg_real *Y, int64_t n, int64_t f, const pg_real *b);
/* db: (f) = column sums of dY: (n, f). */
void pg_bias_grad(const pg_real *dY, int64_t n, int64_t f, pg_real *db);
/* out: (f) = column sums of A: (n, f), in double over fixed row blocks (the same bits for
 * any thread count). */
void pg_col_sums64(const pg_real *A, int64_t n, int64_t f, double *out);
/* Y: (n*f) = max(Y, 0) in place. */
void pg_relu(pg_real *Y, int64_t count);
/* dY *= (Y > 0), Y the ReLU output. */
void pg_relu_backward(pg_real *dY, const pg_real *Y, int64_t count);

/* Dropout key: which draw a (row, col) element gets. Rows are global node ids. */
typedef struct pg_dropout_key {
    uint64_t seed;
    uint32_t epoch, layer;
    double p;                   /* drop probability in [0, 1) */
} pg_dropout_key;
/* Y: (n, f) = X * mask / (1 - p) (X and Y may alias). Linear in X for a fixed key, so the
 * backward pass is the same call on the gradient. The mask of row i is keyed by its global
 * node id: gid[i], or row0 + i when gid is NULL. */
void pg_dropout_dense(const pg_dropout_key *key, const pg_real *X, pg_real *Y, int64_t n,
                      int64_t f, int64_t row0, const int32_t *gid);
/* The same on a CSR's values: Yval = Xval * mask(row, col) / (1 - p). */
void pg_dropout_csr(const pg_dropout_key *key, const pg_csr *X, pg_real *Yval, int64_t row0,
                    const int32_t *gid);

/* Fused layer epilogue, one pass over Z: (n, f): Z = Z + b (b NULL: none), then
 * Z = max(Z, 0) when relu; and when H is not NULL, H: (n, f) = dropout(Z) under key
 * (row0, gid as in pg_dropout_dense). Equal to pg_bias_add, pg_relu, pg_dropout_dense in turn. */
void pg_bias_relu_dropout(pg_real *Z, int64_t n, int64_t f, const pg_real *b, int relu,
                          const pg_dropout_key *key, pg_real *H, int64_t row0,
                          const int32_t *gid);
/* Fused backward of that epilogue, one pass: dZ = dropout(dZ) under drop (NULL: none; the
 * gradient through the next layer's input dropout, row0 and gid as in pg_dropout_dense),
 * then dZ *= (Z > 0) when relu; db: (f) = column sums of dZ (db NULL: skipped). Equal to
 * pg_dropout_dense, pg_relu_backward and pg_bias_grad in turn. */
void pg_relu_bias_grad(pg_real *dZ, const pg_real *Z, int64_t n, int64_t f, int relu,
                       pg_real *db, const pg_dropout_key *drop, int64_t row0,
                       const int32_t *gid);

/* Y = ELU(Y) = Y > 0 ? Y : exp(Y) - 1, in place. */
void pg_elu(pg_real *Y, int64_t count);
/* dY *= ELU'(x) = (Y > 0 ? 1 : Y + 1), Y the ELU output. */
void pg_elu_backward(pg_real *dY, const pg_real *Y, int64_t count);

/* Softmax cross-entropy over the listed rows of logits Z: (n, c), labels y: (n), as a share
 * of a mean over total_rows rows (>= nrows: every process's; = nrows in one process).
 * Returns the listed rows' loss sum / total_rows; dZ: (n, c) gets its gradient (zero on
 * other rows) when not NULL, divided by total_rows once, so a row's gradient has the same
 * bits whichever process holds it. One pass: softmax, loss and gradient together. */
double pg_softmax_xent(const pg_real *Z, int64_t n, int64_t c, const int32_t *y,
                       const int32_t *rows, int64_t nrows, int64_t total_rows, pg_real *dZ);
/* Row-wise softmax into P (may alias Z). */
void pg_softmax_rows(const pg_real *Z, int64_t n, int64_t c, pg_real *P);
/* Fraction of the listed rows whose argmax (lowest index on ties) equals the label. */
double pg_accuracy(const pg_real *Z, int64_t n, int64_t c, const int32_t *y,
                   const int32_t *rows, int64_t nrows);

/* Adam (PyTorch semantics, L2 added to the gradient): one step t >= 1 over count values.
 * decay: per-value weight decay coefficient array (NULL = none). */
typedef struct pg_adam_hparams {
    double lr, beta1, beta2, eps;
} pg_adam_hparams;
void pg_adam_step(const pg_adam_hparams *h, int64_t t, pg_real *w, const pg_real *g,
                  pg_real *m, pg_real *v, const pg_real *decay, int64_t count);

/* Square of the largest |value| is finite? (NaN/Inf scan of a buffer.) */
int pg_all_finite(const pg_real *x, int64_t count);

#endif
