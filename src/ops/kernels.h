/*
 * Internals of the fast CPU kernels (spmm.c, cpu.c): the SIMD dispatch and the row-range
 * SpMM/scatter workers that cpu.c threads. Not used by layers: they go through ops.h.
 */
#ifndef PG_KERNELS_H
#define PG_KERNELS_H

#include "ops/ops.h"

/* Instruction sets of the SIMD paths, in increasing order. */
enum { PG_ISA_GENERIC = 0, PG_ISA_AVX2 = 1, PG_ISA_AVX512 = 2 };

/* The path in use: the best the CPU supports unless lowered by $PARGNN_ISA
 * (generic|avx2) or pg_kernel_set_isa. */
int pg_kernel_isa(void);
/* Forces a path (clamped to what the CPU supports; < 0 = best). Returns the one set. */
int pg_kernel_set_isa(int isa);
const char *pg_kernel_isa_name(int isa);

/* Y[i] = relu?( rowscale[i] * (sum_e v_e X[col_e] + self Xs[i]) + beta * Y[i] + bias ),
 * where v_e = S.val[e], else colscale[col_e], else 1, and the self term is there when Xs
 * is not NULL (GIN's (1 + eps) h_i). rowscale is only allowed with beta == 0. */
typedef struct pg_spmm_args {
    const pg_csr *S;
    const pg_real *X;          /* (S.ncols, f) */
    int64_t f;
    pg_real beta;
    pg_real *Y;                /* (S.nrows, f) */
    const pg_real *rowscale;   /* (S.nrows) or NULL */
    const pg_real *colscale;   /* (S.ncols) or NULL; used when S.val == NULL */
    const pg_real *bias;       /* (f) or NULL */
    int relu;
    pg_real self;              /* with Xs: the self term's coefficient */
    const pg_real *Xs;         /* (S.nrows, f) or NULL: the rows of the self term */
} pg_spmm_args;

/* Rows r0..r1-1 of the product above, on the calling thread. */
void pg_spmm_rows(const pg_spmm_args *a, int64_t r0, int64_t r1);
/* The product above over all rows, threaded by non-zeros (cpu.c). */
void pg_cpu_spmm_args(const pg_spmm_args *a);
/* Y[col, j] += v * X[row, j] for rows r0..r1-1 and j in [j0, j1); Y: (S.ncols, f). */
void pg_spmm_t_scatter(const pg_csr *S, const pg_real *X, int64_t f, pg_real *Y, int64_t r0,
                       int64_t r1, int64_t j0, int64_t j1);

/* C (m, n) = alpha A op(B) + beta C on the AVX-512 path (gemm.c), op(B) at most
 * PG_TALL_MAX_K x PG_TALL_MAX_N, threaded over nt threads: every element one multiply-add
 * chain over k in order, so a row's bits do not depend on the rows around it or the
 * thread count. Returns 0, doing nothing, where the path does not apply (no AVX-512 or
 * lowered by $PARGNN_ISA, the double build, a larger op(B), no memory for the packing).
 * epi (NULL: none) is applied after alpha and beta, as each element is stored (its
 * accumulate is the caller's: pass beta 1). */
#define PG_TALL_MAX_N 1024
/* 1 when those products run on this path (an AVX-512 CPU, not lowered, the float build). */
int pg_gemm_tall_active(void);
#define PG_TALL_MAX_K 4096
int pg_gemm_tall(int tb, int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                 int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                 int64_t ldc, int nt, const pg_gemm_epi *epi);
/* C (m, n) = alpha A^T B + beta C, A (k, m) and B (k, n) with k the long side (weight
 * gradients), m at most PG_TALL_MAX_K and n at most PG_TALL_MAX_N, on the calling thread
 * (cpu.c threads it by chunks of k): each element one chain over k in order. 0 as above. */
int pg_gemm_tall_tn(int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                    int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                    int64_t ldc);

/* Sixteen Philox4x32-10 calls: out[k][l] = word k of pg_philox(key, c0, c1[l], c2, c3). */
void pg_philox16(uint64_t key, uint32_t c0, const uint32_t *c1, uint32_t c2, uint32_t c3,
                 uint32_t out[4][16]);
/* One row of dense dropout with the draws of pg_dropout_dense (counter (row, j / 4, c2, c3)):
 * y = x * (draw >= thr) * scale. Returns 0 (doing nothing) when no SIMD path applies. */
int pg_dropout_row_simd(uint64_t key, uint32_t row, uint32_t c2, uint32_t c3, uint32_t thr,
                        pg_real scale, const pg_real *x, pg_real *y, int64_t f);

#endif
