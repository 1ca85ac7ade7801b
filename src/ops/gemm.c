/*
 * The dense products of a layer on the AVX-512 path: C (m, n) = alpha A op(B) + beta C
 * with A tall (m, the node count, in the hundreds of thousands) and op(B) a small weight
 * matrix (k, n up to a few hundred). op(B) is packed once per call into panels of 48 or 64
 * columns; each block of 6 or 8 rows of A then runs against every panel with its
 * accumulators in registers, k in blocks of PG_TALL_KC (the block of A stays in L1, the
 * panel comes from L2), and C is written once (no zeroing pass, no read when beta is 0).
 *
 * Every element of C is one fused multiply-add chain over k in order, whatever its row,
 * block, thread or the row count around it: a row's bits depend on that row alone, as
 * the distributed equivalence needs (cpu.c's OpenBLAS path gets the same property from
 * fixed row tiles). The rows that do not fill a block are computed through a zero-padded
 * copy by the same code. A term whose factor from A is zero for every row of a block (in
 * the weight gradient: every column of a tile) is skipped; after a ReLU and dropout most
 * are, and 0 x b added to a sum leaves its bits as they were.
 *
 * On the arxiv-shaped layers (Xeon with AVX-512, OpenBLAS 0.3.21; bench/results/
 * gemm_tall_xeon.md) the row products run 1.15-1.23x faster than OpenBLAS's SkylakeX
 * kernels at width 256 and 1.24-1.63x at the output layer's width 40; the weight gradients
 * (op(A) = A^T, pg_gemm_tall_tn, called by cpu.c per chunk of rows) at 1.12-1.33x. Against
 * the Prescott kernels OpenBLAS 0.3.21 falls back to on CPUs it does not know, 2.5-5.7x.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "ops/kernels.h"

#if !defined(PARGNN_REAL_DOUBLE) && (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define PG_HAVE_TALL 1
#include <immintrin.h>
#endif

/* k per block of the micro-kernel (a 64-column panel of 128 k is 32 KiB: L1-sized). */
#define PG_TALL_KC 128
/* Row blocks per task of the threaded loop (a few hundred rows). */
#define PG_TALL_TASK_BLOCKS 48
/* Rows of A and B per chunk of the weight-gradient kernel (a 64-column panel: 32 KiB). */
#define PG_TALL_TN_CHUNK 128
/* Fewer multiply-adds than this run on one thread. */
#define PG_TALL_PAR_MIN 2097152.0

#ifdef PG_HAVE_TALL

static float *packed; /* op(B) in panels: grows once, then reused */
static size_t packed_len;
static float *tail_buf; /* the last rows, zero-padded to a block: A then C */
static size_t tail_len;
static float *csum_buf; /* column-sum partials, a row per task and one for the tail */
static size_t csum_len;

static float *grow(float **buf, size_t *len, size_t need, const char *what) {
    if (need > *len) {
        pg_free(*buf);
        *buf = pg_alloc(need, sizeof(float), what);
        *len = *buf ? need : 0;
    }
    return *buf;
}

/* Bp[(p k + kk) nr + j] = op(B)[kk][p nr + j], 0 past column n. */
static void pack_b(int tb, int64_t n, int64_t k, const float *B, int64_t ldb, int64_t nr,
                   float *Bp) {
    const int64_t np = (n + nr - 1) / nr;
    for (int64_t p = 0; p < np; p++)
        for (int64_t kk = 0; kk < k; kk++) {
            float *d = Bp + (p * k + kk) * nr;
            for (int64_t j = 0; j < nr; j++) {
                const int64_t c = p * nr + j;
                d[j] = c >= n ? 0.0f : tb ? B[c * ldb + kk] : B[kk * ldb + c];
            }
        }
}

/* The first w lanes of a 16-float vector (none when w <= 0, all from 16). */
static inline __mmask16 lanes(int64_t w) {
    return w >= 16 ? (__mmask16)0xffff : w > 0 ? (__mmask16)((1u << w) - 1) : 0;
}

/* The end of a tile's pass: the sums back to part (rows of stride pw) when more of k
 * follows, else rows 0 .. rows - 1 of C (stride ldc, w columns inside C from y) =
 * alpha acc + beta C (C not read when beta is 0), then epi's steps; cs (NULL: none) gains
 * the tile's column sums of what was stored (its rows in order). */
static inline __attribute__((always_inline, target("avx512f"))) void
tile_finish(const int MR, const int NV, __m512 acc[8][4], int last, float *pp, int64_t pw,
            int rows, float *y, int64_t ldc, int64_t w, float alpha, float beta,
            const pg_gemm_epi *epi, const float *bias, const float *mk, float *cs) {
    if (!last) {
        for (int r = 0; r < MR; r++)
            for (int v = 0; v < NV; v++) _mm512_storeu_ps(pp + r * pw + 16 * v, acc[r][v]);
        return;
    }
    __mmask16 m[4];
    for (int v = 0; v < NV; v++) m[v] = lanes(w - 16 * v);
    const __m512 al = _mm512_set1_ps(alpha), be = _mm512_set1_ps(beta);
    __m512 s[4];
    for (int v = 0; v < NV; v++) s[v] = _mm512_setzero_ps();
    for (int r = 0; r < MR && r < rows; r++)
        for (int v = 0; v < NV; v++) {
            if (!m[v]) continue;
            float *yv = y + r * ldc + 16 * v;
            __m512 z = alpha == 1.0f ? acc[r][v] : _mm512_mul_ps(acc[r][v], al);
            if (beta != 0.0f) z = _mm512_fmadd_ps(be, _mm512_maskz_loadu_ps(m[v], yv), z);
            if (epi) { /* as ops.h: + bias, ReLU, then the mask of a ReLU's output */
                if (bias) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(m[v], bias + 16 * v));
                if (epi->relu) z = _mm512_max_ps(_mm512_setzero_ps(), z); /* z < 0 ? 0 : z (NaN kept) */
                if (mk) {
                    const __m512 g = _mm512_maskz_loadu_ps(m[v], mk + r * epi->ldm + 16 * v);
                    z = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(g, _mm512_setzero_ps(), _CMP_GT_OQ), z);
                }
            }
            _mm512_mask_storeu_ps(yv, m[v], z);
            if (cs) s[v] = _mm512_add_ps(s[v], _mm512_maskz_mov_ps(m[v], z));
        }
    for (int v = 0; v < NV && cs; v++) /* cs is as wide as the panels: no mask needed */
        _mm512_storeu_ps(cs + 16 * v, _mm512_add_ps(_mm512_loadu_ps(cs + 16 * v), s[v]));
}

typedef struct {
    int64_t n, k, np;
    const float *A, *Bp;
    int64_t lda, ldc;
    float alpha, beta;
    float *C;
    const pg_gemm_epi *epi; /* or NULL */
    const float *mask;      /* epi's mask rows aligned with C's (stride epi->ldm), or NULL */
    float *csum;            /* epi's column sums: a row of np * 16 NV partials per task, or NULL */
} tall_args;

/* The k in [k0, k1) where some of the MR rows of a (stride lda) is not zero (NaN counts as
 * not zero), ascending, into list; returns their count. */
static inline __attribute__((always_inline, target("avx512f"))) int
nonzero_k(const int MR, const float *a, int64_t lda, int64_t k0, int64_t k1, int32_t *list) {
    const __m512i step = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int cnt = 0;
    for (int64_t kk = k0; kk < k1; kk += 16) {
        const __mmask16 w = lanes(k1 - kk);
        __mmask16 nz = 0;
        for (int r = 0; r < MR; r++)
            nz |= _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(w, a + r * lda + kk), _mm512_setzero_ps(), _CMP_NEQ_UQ);
        _mm512_storeu_si512(list + cnt, _mm512_maskz_compress_epi32(nz, _mm512_add_epi32(_mm512_set1_epi32((int)kk), step)));
        cnt += __builtin_popcount(nz);
    }
    return cnt;
}

/* The cache line at column kk of each of the next block's MR rows (a: this block's). */
static inline __attribute__((always_inline)) void prefetch_next(const int MR, const float *a,
                                                                int64_t lda, int64_t kk) {
    for (int r = 0; r < MR; r++) _mm_prefetch((const char *)(a + (r + MR) * lda + kk), _MM_HINT_T0);
}

/* acc += A's column kk (MR rows) x the panel's row bk (NV vectors). */
static inline __attribute__((always_inline, target("avx512f"))) void
tall_step(const int MR, const int NV, __m512 acc[8][4], const float *a, int64_t lda, const float *bk,
          int64_t kk) {
    __m512 bv[4];
    for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(bk + 16 * v);
    for (int r = 0; r < MR; r++) {
        const __m512 x = _mm512_set1_ps(a[r * lda + kk]);
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);
    }
}

/* Rows i0 .. i0 + MR - 1 of C: blocks of k outside, panels inside. part holds the running
 * sums between blocks of k (MR rows of np * 16 NV). A k where all MR rows of A are zero
 * is skipped (after a ReLU and dropout most are): adding 0 x b leaves a sum as it is, so
 * the bits are those of the full chain (but for the sign of an all-zero sum, and a
 * non-finite b that a zero would have turned into NaN). */
static inline __attribute__((always_inline, target("avx512f"))) void
tall_block(const int MR, const int NV, const tall_args *t, const float *a, float *c, const float *mk,
           float *part, float *cs) {
    const int64_t NR = 16 * NV, k = t->k, lda = t->lda, pw = t->np * NR;
    int32_t list[PG_TALL_KC + 16];
    for (int64_t k0 = 0; k0 < k; k0 += PG_TALL_KC) {
        const int64_t k1 = k - k0 < PG_TALL_KC ? k : k0 + PG_TALL_KC;
        const int first = k0 == 0, last = k1 == k;
        const int cnt = nonzero_k(MR, a, lda, k0, k1, list), all = cnt == k1 - k0;
        for (int64_t p = 0; p < t->np; p++) {
            const float *b = t->Bp + p * k * NR;
            float *pp = part + p * NR;
            __m512 acc[8][4];
            for (int r = 0; r < MR; r++)
                for (int v = 0; v < NV; v++)
                    acc[r][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(pp + r * pw + 16 * v);
            if (all)
                for (int64_t kk = k0; kk < k1; kk++) {
                    if ((kk & 15) == 0) prefetch_next(MR, a, lda, kk); /* spread over the loop */
                    tall_step(MR, NV, acc, a, lda, b + kk * NR, kk);
                }
            else {
                for (int j = 0; j < cnt; j++) tall_step(MR, NV, acc, a, lda, b + (int64_t)list[j] * NR, list[j]);
                for (int64_t kk = k0; p == 0 && kk < k1; kk += 16) prefetch_next(MR, a, lda, kk);
            }
            const float *bias = t->epi && t->epi->bias ? t->epi->bias + p * NR : NULL;
            tile_finish(MR, NV, acc, last, pp, pw, MR, c + p * NR, t->ldc, t->n - p * NR, t->alpha, t->beta,
                        t->epi, bias, mk ? mk + p * NR : NULL, cs ? cs + p * NR : NULL);
        }
    }
}

/* Row blocks b0 .. b1 - 1 (one task); cs: the task's row of column-sum partials, or NULL. */
static __attribute__((target("avx512f"), noinline)) void
tall_rows(const int MR, const tall_args *t, int64_t b0, int64_t b1, float *cs) {
    float part[8 * PG_TALL_MAX_N];
    for (int64_t bk = b0; bk < b1; bk++) {
        const float *a = t->A + bk * MR * t->lda;
        float *c = t->C + bk * MR * t->ldc;
        const float *mk = t->mask ? t->mask + bk * MR * t->epi->ldm : NULL;
        if (MR == 8) tall_block(8, 3, t, a, c, mk, part, cs);
        else tall_block(6, 4, t, a, c, mk, part, cs);
    }
}

int pg_gemm_tall_active(void) { return pg_kernel_isa() >= PG_ISA_AVX512; }

int pg_gemm_tall(int tb, int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                 int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                 int64_t ldc, int nt, const pg_gemm_epi *epi) {
    if (!pg_gemm_tall_active() || m <= 0 || n <= 0 || k <= 0 || n > PG_TALL_MAX_N || k > PG_TALL_MAX_K)
        return 0;
    if (omp_in_parallel()) return 0; /* one packing buffer: the caller is not threaded */
    /* narrow outputs (the last layer's classes) fit one 48-column panel */
    const int NV = n <= 48 ? 3 : 4, MR = NV == 3 ? 8 : 6;
    const int64_t NR = 16 * NV, np = (n + NR - 1) / NR;
    const int64_t nb = m / MR, tail = m - nb * MR;
    float *Bp = grow(&packed, &packed_len, (size_t)(np * NR * k), "packed weights");
    const int masked = epi && epi->mask;
    float *tb_ = tail > 0 ? grow(&tail_buf, &tail_len, (size_t)(MR * (k + 2 * n)), "product tail") : NULL;
    const int64_t tasks = (nb + PG_TALL_TASK_BLOCKS - 1) / PG_TALL_TASK_BLOCKS, csw = np * NR;
    float *cs = epi && epi->colsum ? grow(&csum_buf, &csum_len, (size_t)((tasks + 1) * csw), "column sums") : NULL;
    if (!Bp || (tail > 0 && !tb_) || (epi && epi->colsum && !cs)) return 0;
    pack_b(tb, n, k, B, ldb, NR, Bp);
    if (cs) memset(cs, 0, (size_t)((tasks + 1) * csw) * sizeof(float));
    tall_args t = {n, k, np, A, Bp, lda, ldc, alpha, beta, C, epi, masked ? epi->mask : NULL, cs};
    const int par = nt > 1 && tasks > 1 && (double)m * (double)n * (double)k >= PG_TALL_PAR_MIN;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (par)
    for (int64_t q = 0; q < tasks; q++) {
        const int64_t b0 = q * PG_TALL_TASK_BLOCKS;
        tall_rows(MR, &t, b0, b0 + PG_TALL_TASK_BLOCKS < nb ? b0 + PG_TALL_TASK_BLOCKS : nb,
                  cs ? cs + q * csw : NULL);
    }
    if (tail > 0) { /* the last rows through a zero-padded block: the same code, the same bits */
        float *ta = tb_, *tc = tb_ + MR * k, *tm = tc + MR * n;
        memset(tb_, 0, (size_t)(MR * (k + 2 * n)) * sizeof(float));
        const int64_t r0 = nb * MR;
        for (int64_t r = 0; r < tail; r++) {
            memcpy(ta + r * k, A + (r0 + r) * lda, (size_t)k * sizeof(float));
            if (beta != 0) memcpy(tc + r * n, C + (r0 + r) * ldc, (size_t)n * sizeof(float));
            if (masked) memcpy(tm + r * n, epi->mask + (r0 + r) * epi->ldm, (size_t)n * sizeof(float));
        }
        pg_gemm_epi te = epi ? *epi : (pg_gemm_epi){0};
        te.ldm = n;
        tall_args tt = t;
        tt.A = ta, tt.lda = k, tt.C = tc, tt.ldc = n, tt.epi = epi ? &te : NULL, tt.mask = masked ? tm : NULL;
        tt.csum = NULL; /* the padding rows are not C's: the tail's sums below */
        tall_rows(MR, &tt, 0, 1, NULL);
        for (int64_t r = 0; r < tail; r++) {
            memcpy(C + (r0 + r) * ldc, tc + r * n, (size_t)n * sizeof(float));
            for (int64_t j = 0; cs && j < n; j++) cs[tasks * csw + j] += tc[r * n + j];
        }
    }
    if (cs) /* the tasks' partials in order, then the tail's */
        for (int64_t j = 0; j < n; j++) {
            float s = 0.0f;
            for (int64_t q = 0; q <= tasks; q++) s += cs[q * csw + j];
            epi->colsum[j] = s;
        }
    return 1;
}

/* ---- weight gradients: C (m, n) = alpha A^T B + beta C, A (k, m) and B (k, n) tall,
 * on the calling thread (cpu.c threads them by chunks of k). Rows of A and B come in
 * chunks of PG_TALL_TN_CHUNK: the chunk of A is packed (A^T's rows in tiles of 6 side by
 * side), then for each 64-column panel the chunk of B (L1-sized), and a micro-kernel of
 * 6 x 64 (24 accumulators, as the row products') runs over them. A narrow output (the
 * output layer's classes) is computed transposed, C^T = B^T A, so that its few columns
 * fill tiles of rows rather than a mostly empty panel. */

#define PG_TN_MR 6
#define PG_TN_NR 64

typedef struct {
    int64_t m, n, k, np, ntr; /* ntr: tiles of PG_TN_MR rows of A^T (columns of A) */
    const float *A, *B;
    int64_t lda, ldb, ldc;
    float alpha, beta;
    float *C, *part; /* part: (m rounded up to the tile, np * PG_TN_NR) sums between chunks */
} tn_args;

/* One tile: rows c0 .. c0 + 5 of A^T by panel p, over the chunk's rows packed in ap
 * (ic, 6) and bp (ic, 64) that list names (cnt of them, ascending: the rows where the
 * tile's 6 values of A are not all zero, the others adding nothing, as in tall_block);
 * sums from part (first == 0), back to part or, after the last chunk, to C. */
static inline __attribute__((always_inline, target("avx512f"))) void
tn_tile(const tn_args *t, int64_t c0, int64_t p, const float *ap, const float *bp, int64_t ic,
        const int32_t *list, int cnt, int first, int last) {
    const int MR = PG_TN_MR, NV = PG_TN_NR / 16;
    const int64_t pw = t->np * PG_TN_NR, j0 = p * PG_TN_NR;
    float *pp = t->part + c0 * pw + j0;
    __m512 acc[8][4];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            acc[r][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(pp + r * pw + 16 * v);
    if (cnt == ic) /* no row to skip: the plain loop */
        for (int64_t i = 0; i < ic; i++) tall_step(MR, NV, acc, ap + i * MR, 1, bp + i * PG_TN_NR, 0);
    else
        for (int j = 0; j < cnt; j++) tall_step(MR, NV, acc, ap + (int64_t)list[j] * MR, 1, bp + (int64_t)list[j] * PG_TN_NR, 0);
    const int rows = t->m - c0 < MR ? (int)(t->m - c0) : MR;
    tile_finish(MR, NV, acc, last, pp, pw, rows, t->C + c0 * t->ldc + j0, t->ldc, t->n - j0, t->alpha,
                t->beta, NULL, NULL, NULL, NULL);
}

/* Every tile over every chunk of rows; ap holds (ntr, PG_TALL_TN_CHUNK, 6), bp
 * (PG_TALL_TN_CHUNK, 64) and list (ntr, PG_TALL_TN_CHUNK) the rows each tile visits. */
static __attribute__((target("avx512f"), noinline)) void tn_all(const tn_args *t, float *ap,
                                                                float *bp, int32_t *list) {
    const int64_t MR = PG_TN_MR, NR = PG_TN_NR, C_ = PG_TALL_TN_CHUNK;
    int cnt[PG_TALL_MAX_K / PG_TN_MR + 1];
    for (int64_t i0 = 0; i0 < t->k; i0 += C_) {
        const int64_t ic = t->k - i0 < C_ ? t->k - i0 : C_;
        for (int64_t rt = 0; rt < t->ntr; rt++) cnt[rt] = 0;
        for (int64_t i = 0; i < ic; i++) {
            const float *a = t->A + (i0 + i) * t->lda;
            for (int64_t rt = 0; rt < t->ntr; rt++) {
                float *d = ap + (rt * C_ + i) * MR;
                const int64_t c0 = rt * MR;
                const int64_t left = t->m - c0 < MR ? t->m - c0 : MR;
                const __m512 x = _mm512_maskz_loadu_ps(lanes(left), a + c0);
                _mm512_mask_storeu_ps(d, lanes(MR), x);
                list[rt * C_ + cnt[rt]] = (int32_t)i; /* kept when some value is not zero (or NaN) */
                cnt[rt] += _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NEQ_UQ) != 0;
            }
        }
        for (int64_t p = 0; p < t->np; p++) {
            const int64_t j0 = p * NR, w = t->n - j0 < NR ? t->n - j0 : NR;
            __mmask16 mw[4];
            for (int v = 0; v < 4; v++) mw[v] = lanes(w - 16 * v);
            for (int64_t i = 0; i < ic; i++) {
                const float *src = t->B + (i0 + i) * t->ldb + j0;
                for (int v = 0; v < 4; v++)
                    _mm512_storeu_ps(bp + i * NR + 16 * v, _mm512_maskz_loadu_ps(mw[v], src + 16 * v));
            }
            for (int64_t rt = 0; rt < t->ntr; rt++)
                tn_tile(t, rt * MR, p, ap + rt * C_ * MR, bp, ic, list + rt * C_, cnt[rt], i0 == 0, i0 + ic == t->k);
        }
    }
}

/* the sums between chunks, the packing and a transposed result: per OpenMP thread (cpu.c
 * calls this from its threads, one chunk of k each), grown once */
#define PG_TALL_TN_THREADS 256
static float *tn_buf[PG_TALL_TN_THREADS];
static size_t tn_buf_len[PG_TALL_TN_THREADS];

int pg_gemm_tall_tn(int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                    int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                    int64_t ldc) {
    if (!pg_gemm_tall_active() || m <= 0 || n <= 0 || k <= 0 || n > PG_TALL_MAX_N || m > PG_TALL_MAX_K)
        return 0;
    /* narrow: C^T (n, m) = B^T A into scratch, then C = alpha (C^T)^T + beta C */
    const int swap = n < PG_TN_NR && m > n;
    const int64_t tm = swap ? n : m, tn = swap ? m : n;
    const int64_t np = (tn + PG_TN_NR - 1) / PG_TN_NR, ntr = (tm + PG_TN_MR - 1) / PG_TN_MR;
    const size_t part = (size_t)(ntr * PG_TN_MR * np * PG_TN_NR);
    const size_t pack = (size_t)(ntr * PG_TN_MR + PG_TN_NR) * PG_TALL_TN_CHUNK;
    const size_t ct = swap ? (size_t)(m * n) : 0, lists = (size_t)(ntr * PG_TALL_TN_CHUNK);
    /* buffers by thread number: unique within one team, not across nested teams */
    const int th = omp_get_thread_num();
    if (omp_get_level() > 1 || th < 0 || th >= PG_TALL_TN_THREADS) return 0;
    float *buf = grow(&tn_buf[th], &tn_buf_len[th], part + pack + ct + lists, "weight-gradient scratch");
    if (!buf) return 0;
    float *ap = buf + part, *bp = ap + ntr * PG_TN_MR * PG_TALL_TN_CHUNK, *cT = bp + PG_TN_NR * PG_TALL_TN_CHUNK;
    int32_t *list = (int32_t *)(cT + ct); /* int32 and float are both 4 bytes */
    if (!swap) {
        tn_args t = {m, n, k, np, ntr, A, B, lda, ldb, ldc, alpha, beta, C, buf};
        tn_all(&t, ap, bp, list);
        return 1;
    }
    tn_args t = {n, m, k, np, ntr, B, A, ldb, lda, m, 1.0f, 0.0f, cT, buf};
    tn_all(&t, ap, bp, list);
    for (int64_t i = 0; i < m; i++) /* as tile_finish: alpha, then one multiply-add for beta */
        for (int64_t j = 0; j < n; j++) {
            const float z = alpha == 1.0f ? cT[j * m + i] : cT[j * m + i] * alpha;
            C[i * ldc + j] = beta != 0.0f ? fmaf(beta, C[i * ldc + j], z) : z;
        }
    return 1;
}

#else

int pg_gemm_tall_active(void) { return 0; }

int pg_gemm_tall_tn(int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                    int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                    int64_t ldc) {
    (void)m, (void)n, (void)k, (void)alpha, (void)A, (void)lda, (void)B, (void)ldb;
    (void)beta, (void)C, (void)ldc;
    return 0;
}

int pg_gemm_tall(int tb, int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                 int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                 int64_t ldc, int nt, const pg_gemm_epi *epi) {
    (void)epi, (void)tb, (void)m, (void)n, (void)k, (void)alpha, (void)A, (void)lda, (void)B, (void)ldb;
    (void)beta, (void)C, (void)ldc, (void)nt;
    return 0;
}

#endif
