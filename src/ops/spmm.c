/*
 * Fast CSR SpMM kernels for the CPU backend: rows are register-tiled across the feature
 * dimension (AVX-512 or AVX2+FMA chosen at run time, a portable loop otherwise), with an
 * optional fused epilogue (row scale, beta, bias, ReLU). Threading lives in cpu.c.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/kernels.h"

#if !defined(PARGNN_REAL_DOUBLE) && (defined(__x86_64__) || defined(__i386__))
#define PG_HAVE_SIMD 1
#include <immintrin.h>
#endif

/* Non-zeros ahead whose feature row the AVX-512 kernel prefetches (0 = none). */
#ifndef PG_PREFETCH_NNZ
#define PG_PREFETCH_NNZ 6
#endif

/* ---------------------------------------------------------------- dispatch */

static int pg_isa_best = -1;   /* what the CPU supports */
static int pg_isa_cur = -1;    /* what the kernels use (<= best) */

static int detect_isa(void) {
#ifdef PG_HAVE_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return PG_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PG_ISA_AVX2;
#endif
    return PG_ISA_GENERIC;
}

int pg_kernel_isa(void) {
    if (pg_isa_cur < 0) {
        pg_isa_best = detect_isa();
        pg_isa_cur = pg_isa_best;
        /* PARGNN_ISA lets a user (or a test) force a lower path, e.g. to check the fallback. */
        const char *env = getenv("PARGNN_ISA");
        if (env && strcmp(env, "generic") == 0) pg_isa_cur = PG_ISA_GENERIC;
        else if (env && strcmp(env, "avx2") == 0 && pg_isa_best >= PG_ISA_AVX2) pg_isa_cur = PG_ISA_AVX2;
    }
    return pg_isa_cur;
}

int pg_kernel_set_isa(int isa) {
    pg_kernel_isa();
    if (isa < 0 || isa > pg_isa_best) isa = pg_isa_best;
    pg_isa_cur = isa;
    return isa;
}

const char *pg_kernel_isa_name(int isa) {
    return isa == PG_ISA_AVX512 ? "avx512" : isa == PG_ISA_AVX2 ? "avx2" : "generic";
}

/* ---------------------------------------------------------------- portable */

static void rows_generic(const pg_spmm_args *a, int64_t r0, int64_t r1) {
    const pg_csr *S = a->S;
    const int64_t f = a->f;
    for (int64_t i = r0; i < r1; i++) {
        pg_real *restrict y = a->Y + i * f;
        const pg_real rs = a->rowscale ? a->rowscale[i] : 1;
        /* rowscale is only allowed with beta == 0 (see kernels.h), so scaling the sum
         * at the end leaves beta * y_old alone */
        if (a->beta != 0)
            for (int64_t j = 0; j < f; j++) y[j] *= a->beta;
        else memset(y, 0, (size_t)f * sizeof *y);
        const int64_t e1 = S->rowptr[i + 1];
        for (int64_t e = S->rowptr[i]; e < e1; e++) {
            const int32_t c = S->col[e];
            const pg_real v = S->val ? S->val[e] : a->colscale ? a->colscale[c] : 1;
            const pg_real *restrict x = a->X + (int64_t)c * f;
            for (int64_t j = 0; j < f; j++) y[j] += v * x[j];
        }
        if (a->Xs) {
            const pg_real *restrict xs = a->Xs + i * f;
            for (int64_t j = 0; j < f; j++) y[j] += a->self * xs[j];
        }
        for (int64_t j = 0; j < f; j++) {
            pg_real z = y[j] * rs;
            if (a->bias) z += a->bias[j];
            y[j] = a->relu && z < 0 ? 0 : z;
        }
    }
}

#ifdef PG_HAVE_SIMD
/* ---------------------------------------------------------------- AVX-512 */

/* One tile of NV vectors of 16 floats of row i, starting at column j0; m: lane masks. */
static inline __attribute__((always_inline, target("avx512f"))) void
tile512(const pg_spmm_args *a, int64_t i, int64_t j0, const int NV, const __mmask16 *m) {
    const pg_csr *S = a->S;
    const int64_t f = a->f;
    __m512 acc[8];
    for (int q = 0; q < NV; q++) acc[q] = _mm512_setzero_ps();
    const int64_t e1 = S->rowptr[i + 1];
    const float *restrict X = a->X + j0;
    for (int64_t e = S->rowptr[i]; e < e1; e++) {
        const int32_t c = S->col[e];
        const float v = S->val ? S->val[e] : a->colscale ? a->colscale[c] : 1.0f;
        const __m512 vv = _mm512_set1_ps(v);
        const float *x = X + (int64_t)c * f;
        if (PG_PREFETCH_NNZ > 0 && e + PG_PREFETCH_NNZ < e1) {
            /* feature rows are scattered: ask for a later neighbour's row now, so its
             * cache misses overlap this row's arithmetic */
            const float *xp = X + (int64_t)S->col[e + PG_PREFETCH_NNZ] * f;
            for (int q = 0; q < NV; q++) _mm_prefetch((const char *)(xp + 16 * q), _MM_HINT_T0);
        }
        for (int q = 0; q < NV; q++)
            acc[q] = _mm512_fmadd_ps(vv, _mm512_maskz_loadu_ps(m[q], x + 16 * q), acc[q]);
    }
    if (a->Xs) {
        const __m512 sv = _mm512_set1_ps(a->self);
        const float *xs = a->Xs + i * f + j0;
        for (int q = 0; q < NV; q++) acc[q] = _mm512_fmadd_ps(sv, _mm512_maskz_loadu_ps(m[q], xs + 16 * q), acc[q]);
    }
    float *y = a->Y + i * f + j0;
    const __m512 rs = _mm512_set1_ps(a->rowscale ? a->rowscale[i] : 1.0f);
    const __m512 beta = _mm512_set1_ps(a->beta);
    for (int q = 0; q < NV; q++) {
        __m512 r = _mm512_mul_ps(acc[q], rs);
        if (a->beta != 0) r = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(m[q], y + 16 * q), r);
        if (a->bias) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(m[q], a->bias + j0 + 16 * q));
        if (a->relu) r = _mm512_max_ps(_mm512_setzero_ps(), r); /* r < 0 ? 0 : r (NaN kept) */
        _mm512_mask_storeu_ps(y + 16 * q, m[q], r);
    }
}

__attribute__((target("avx512f"))) static void rows_avx512(const pg_spmm_args *a, int64_t r0,
                                                           int64_t r1) {
    const int64_t f = a->f;
    for (int64_t i = r0; i < r1; i++)
        for (int64_t j0 = 0; j0 < f; j0 += 128) {
            const int64_t w = f - j0 < 128 ? f - j0 : 128;
            __mmask16 m[8];
            for (int q = 0; q < 8; q++) {
                const int64_t rem = w - 16 * q;
                m[q] = rem >= 16 ? (__mmask16)0xFFFF : rem > 0 ? (__mmask16)((1u << rem) - 1) : 0;
            }
            /* registers hold the whole tile: 8 accumulators at most, fewer for narrow rows */
            if (w <= 16) tile512(a, i, j0, 1, m);
            else if (w <= 32) tile512(a, i, j0, 2, m);
            else if (w <= 64) tile512(a, i, j0, 4, m);
            else tile512(a, i, j0, 8, m);
        }
}

/* ---------------------------------------------------------------- AVX2 + FMA */

static inline __attribute__((always_inline, target("avx2,fma"))) void
tile256(const pg_spmm_args *a, int64_t i, int64_t j0, const int NV, const __m256i *m) {
    const pg_csr *S = a->S;
    const int64_t f = a->f;
    __m256 acc[8];
    for (int q = 0; q < NV; q++) acc[q] = _mm256_setzero_ps();
    const int64_t e1 = S->rowptr[i + 1];
    const float *restrict X = a->X + j0;
    for (int64_t e = S->rowptr[i]; e < e1; e++) {
        const int32_t c = S->col[e];
        const float v = S->val ? S->val[e] : a->colscale ? a->colscale[c] : 1.0f;
        const __m256 vv = _mm256_set1_ps(v);
        const float *x = X + (int64_t)c * f;
        for (int q = 0; q < NV; q++)
            acc[q] = _mm256_fmadd_ps(vv, _mm256_maskload_ps(x + 8 * q, m[q]), acc[q]);
    }
    if (a->Xs) {
        const __m256 sv = _mm256_set1_ps(a->self);
        const float *xs = a->Xs + i * f + j0;
        for (int q = 0; q < NV; q++) acc[q] = _mm256_fmadd_ps(sv, _mm256_maskload_ps(xs + 8 * q, m[q]), acc[q]);
    }
    float *y = a->Y + i * f + j0;
    const __m256 rs = _mm256_set1_ps(a->rowscale ? a->rowscale[i] : 1.0f);
    const __m256 beta = _mm256_set1_ps(a->beta);
    for (int q = 0; q < NV; q++) {
        __m256 r = _mm256_mul_ps(acc[q], rs);
        if (a->beta != 0) r = _mm256_fmadd_ps(beta, _mm256_maskload_ps(y + 8 * q, m[q]), r);
        if (a->bias) r = _mm256_add_ps(r, _mm256_maskload_ps(a->bias + j0 + 8 * q, m[q]));
        if (a->relu) r = _mm256_max_ps(_mm256_setzero_ps(), r); /* r < 0 ? 0 : r (NaN kept) */
        _mm256_maskstore_ps(y + 8 * q, m[q], r);
    }
}

__attribute__((target("avx2,fma"))) static void rows_avx2(const pg_spmm_args *a, int64_t r0,
                                                          int64_t r1) {
    const int64_t f = a->f;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int64_t i = r0; i < r1; i++)
        for (int64_t j0 = 0; j0 < f; j0 += 64) {
            const int64_t w = f - j0 < 64 ? f - j0 : 64;
            __m256i m[8];
            for (int q = 0; q < 8; q++)
                m[q] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(w - 8 * q)), lane);
            if (w <= 8) tile256(a, i, j0, 1, m);
            else if (w <= 16) tile256(a, i, j0, 2, m);
            else if (w <= 32) tile256(a, i, j0, 4, m);
            else tile256(a, i, j0, 8, m);
        }
}
#endif

void pg_spmm_rows(const pg_spmm_args *a, int64_t r0, int64_t r1) {
    if (a->f <= 0) return;
#ifdef PG_HAVE_SIMD
    const int isa = pg_kernel_isa();
    if (isa == PG_ISA_AVX512) {
        rows_avx512(a, r0, r1);
        return;
    }
    if (isa == PG_ISA_AVX2) {
        rows_avx2(a, r0, r1);
        return;
    }
#endif
    rows_generic(a, r0, r1);
}

/* ------------------------------------------------- scatter (transposed product) */

/* Y[col] += v * X[row] over rows r0..r1 and feature columns j0..j1 (Y: (S.ncols, ldy)). */
static inline __attribute__((always_inline)) void scatter_body(const pg_csr *S, const pg_real *X,
                                                                int64_t f, pg_real *Y, int64_t r0,
                                                                int64_t r1, int64_t j0, int64_t j1) {
    for (int64_t i = r0; i < r1; i++) {
        const pg_real *restrict x = X + i * f;
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            const pg_real v = S->val ? S->val[e] : 1;
            pg_real *restrict y = Y + (int64_t)S->col[e] * f;
            for (int64_t j = j0; j < j1; j++) y[j] += v * x[j];
        }
    }
}

static void scatter_generic(const pg_csr *S, const pg_real *X, int64_t f, pg_real *Y, int64_t r0,
                            int64_t r1, int64_t j0, int64_t j1) {
    scatter_body(S, X, f, Y, r0, r1, j0, j1);
}
#ifdef PG_HAVE_SIMD
/* The same loop compiled for wider vectors: the compiler vectorises the feature loop. */
__attribute__((target("avx512f,prefer-vector-width=512"))) static void
scatter_avx512(const pg_csr *S, const pg_real *X, int64_t f, pg_real *Y, int64_t r0, int64_t r1,
               int64_t j0, int64_t j1) {
    scatter_body(S, X, f, Y, r0, r1, j0, j1);
}
__attribute__((target("avx2,fma"))) static void scatter_avx2(const pg_csr *S, const pg_real *X,
                                                             int64_t f, pg_real *Y, int64_t r0,
                                                             int64_t r1, int64_t j0, int64_t j1) {
    scatter_body(S, X, f, Y, r0, r1, j0, j1);
}
#endif

void pg_spmm_t_scatter(const pg_csr *S, const pg_real *X, int64_t f, pg_real *Y, int64_t r0,
                       int64_t r1, int64_t j0, int64_t j1) {
#ifdef PG_HAVE_SIMD
    const int isa = pg_kernel_isa();
    if (isa == PG_ISA_AVX512) {
        scatter_avx512(S, X, f, Y, r0, r1, j0, j1);
        return;
    }
    if (isa == PG_ISA_AVX2) {
        scatter_avx2(S, X, f, Y, r0, r1, j0, j1);
        return;
    }
#endif
    scatter_generic(S, X, f, Y, r0, r1, j0, j1);
}
