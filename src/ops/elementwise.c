/*
 * Elementwise kernels shared by the CPU backends: bias, ReLU, dropout, softmax
 * cross-entropy, accuracy and Adam. Reductions are summed in a fixed order (per-row
 * partials, then a serial pass) so results do not depend on the thread count.
 */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "ops/kernels.h"

#define PG_PAR_MIN 65536

#ifdef PARGNN_REAL_DOUBLE
#define PG_EXPM1 expm1
#else
#define PG_EXPM1 expm1f
#endif
/* Row blocks of the column-sum reductions: a fixed count, so sums do not depend on threads. */
#define PG_SUM_BLOCKS 64

#define PHASE_BEGIN const double pg_t0_ = pg_now_ms()
#define PHASE_END(p) pg_phase_acc[p] += pg_now_ms() - pg_t0_

const char *pargnn_phase_name(pargnn_phase phase) {
    static const char *const names[PARGNN_PHASE_COUNT] = {"spmm", "gemm", "elementwise",
                                                          "loss", "optimizer", "comm"};
    return (unsigned)phase < PARGNN_PHASE_COUNT ? names[phase] : "unknown";
}

void pg_bias_add(pg_real *Y, int64_t n, int64_t f, const pg_real *b) {
    PHASE_BEGIN;
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) Y[i * f + j] += b[j];
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_bias_grad(const pg_real *dY, int64_t n, int64_t f, pg_real *db) {
    PHASE_BEGIN;
    /* Columns are independent: each thread owns some columns, rows summed in order. */
    for (int64_t j = 0; j < f; j++) db[j] = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) db[j] += dY[i * f + j];
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

static double *sum64_scratch;
static size_t sum64_scratch_len;

void pg_col_sums64(const pg_real *A, int64_t n, int64_t f, double *out) {
    PHASE_BEGIN;
    const int64_t nb = n < PG_SUM_BLOCKS ? (n > 0 ? n : 1) : PG_SUM_BLOCKS;
    const size_t need = (size_t)nb * (size_t)(f > 0 ? f : 1);
    if (need > sum64_scratch_len) { /* grows once, then reused */
        pg_free(sum64_scratch);
        sum64_scratch = pg_alloc(need, sizeof(double), "column-sum partials");
        sum64_scratch_len = sum64_scratch ? need : 0;
    }
    double *part = sum64_scratch;
    for (int64_t j = 0; j < f; j++) out[j] = 0;
    if (!part) { /* out of memory for the partials: one pass in row order */
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < f; j++) out[j] += (double)A[i * f + j];
        PHASE_END(PARGNN_PHASE_ELEMENTWISE);
        return;
    }
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN)
    for (int64_t blk = 0; blk < nb; blk++) {
        double *ps = part + blk * f;
        for (int64_t j = 0; j < f; j++) ps[j] = 0;
        for (int64_t i = n * blk / nb; i < n * (blk + 1) / nb; i++)
            for (int64_t j = 0; j < f; j++) ps[j] += (double)A[i * f + j];
    }
    for (int64_t blk = 0; blk < nb; blk++)
        for (int64_t j = 0; j < f; j++) out[j] += part[blk * f + j];
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_relu(pg_real *Y, int64_t count) {
    PHASE_BEGIN;
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++) Y[k] = Y[k] > 0 ? Y[k] : 0;
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_relu_backward(pg_real *dY, const pg_real *Y, int64_t count) {
    PHASE_BEGIN;
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++) dY[k] = Y[k] > 0 ? dY[k] : 0;
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

/* Keep when the 32-bit draw is at or above p * 2^32. */
static inline uint32_t drop_threshold(double p) {
    double t = p * 4294967296.0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

/* y: (f) = x * mask(row, .) * scale; the draw of column j is word j % 4 of the Philox call
 * for counter (row, j / 4, epoch, stream/layer), 16 calls (64 columns) at a time. */
static void mask_row(const pg_dropout_key *key, uint32_t row, uint32_t thr, pg_real scale,
                     const pg_real *x, pg_real *y, int64_t f) {
    if (pg_dropout_row_simd(key->seed, row, key->epoch, ((uint32_t)PG_RNG_DROPOUT << 24) ^ key->layer,
                            thr, scale, x, y, f))
        return;
    for (int64_t j0 = 0; j0 < f; j0 += 64) {
        uint32_t c1[16], o[4][16];
        for (int l = 0; l < 16; l++) c1[l] = (uint32_t)(j0 >> 2) + (uint32_t)l;
        pg_philox16(key->seed, row, c1, key->epoch, ((uint32_t)PG_RNG_DROPOUT << 24) ^ key->layer, o);
        const int64_t w = f - j0 < 64 ? f - j0 : 64;
        for (int64_t j = 0; j < w; j++) y[j0 + j] = o[j & 3][j >> 2] >= thr ? x[j0 + j] * scale : 0;
    }
}

static void dropout_dense(const pg_dropout_key *key, const pg_real *X, pg_real *Y, int64_t n,
                          int64_t f, int64_t row0, const int32_t *gid) {
    if (key->p <= 0) {
        if (X != Y) memcpy(Y, X, (size_t)(n * f) * sizeof *Y);
        return;
    }
    const uint32_t thr = drop_threshold(key->p);
    const pg_real scale = (pg_real)(1.0 / (1.0 - key->p));
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN / 4)
    for (int64_t i = 0; i < n; i++) {
        const uint32_t row = gid ? (uint32_t)gid[i] : (uint32_t)(row0 + i);
        mask_row(key, row, thr, scale, X + i * f, Y + i * f, f);
    }
}

static void dropout_csr(const pg_dropout_key *key, const pg_csr *X, pg_real *Yval, int64_t row0,
                        const int32_t *gid) {
    const pg_real *xv = X->val;
    if (key->p <= 0) {
        for (int64_t e = 0; e < X->nnz; e++) Yval[e] = xv ? xv[e] : 1;
        return;
    }
    const uint32_t thr = drop_threshold(key->p);
    const pg_real scale = (pg_real)(1.0 / (1.0 - key->p));
#pragma omp parallel for schedule(static) if (X->nnz >= PG_PAR_MIN / 4)
    for (int64_t i = 0; i < X->nrows; i++) {
        const uint32_t row = gid ? (uint32_t)gid[i] : (uint32_t)(row0 + i);
        /* 16 stored values at a time: the draw of (row, col) is word col % 4 of the
         * Philox call for counter col / 4 (the dense kernel's draw for that element) */
        for (int64_t e0 = X->rowptr[i]; e0 < X->rowptr[i + 1]; e0 += 16) {
            const int64_t cnt = X->rowptr[i + 1] - e0 < 16 ? X->rowptr[i + 1] - e0 : 16;
            uint32_t c1[16] = {0}, o[4][16];
            for (int64_t l = 0; l < cnt; l++) c1[l] = (uint32_t)X->col[e0 + l] >> 2;
            pg_philox16(key->seed, row, c1, key->epoch, ((uint32_t)PG_RNG_DROPOUT << 24) ^ key->layer, o);
            for (int64_t l = 0; l < cnt; l++) {
                const pg_real x = xv ? xv[e0 + l] : 1;
                Yval[e0 + l] = o[X->col[e0 + l] & 3][l] >= thr ? x * scale : 0;
            }
        }
    }
}

void pg_dropout_dense(const pg_dropout_key *key, const pg_real *X, pg_real *Y, int64_t n,
                      int64_t f, int64_t row0, const int32_t *gid) {
    PHASE_BEGIN;
    dropout_dense(key, X, Y, n, f, row0, gid);
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_dropout_csr(const pg_dropout_key *key, const pg_csr *X, pg_real *Yval, int64_t row0,
                    const int32_t *gid) {
    PHASE_BEGIN;
    dropout_csr(key, X, Yval, row0, gid);
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_bias_relu_dropout(pg_real *Z, int64_t n, int64_t f, const pg_real *b, int relu,
                          const pg_dropout_key *key, pg_real *H, int64_t row0,
                          const int32_t *gid) {
    PHASE_BEGIN;
    const int drop = H && key && key->p > 0;
    const uint32_t thr = drop ? drop_threshold(key->p) : 0;
    const pg_real scale = drop ? (pg_real)(1.0 / (1.0 - key->p)) : 1;
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN / 4)
    for (int64_t i = 0; i < n; i++) {
        pg_real *z = Z + i * f;
        for (int64_t j = 0; j < f; j++) {
            pg_real v = b ? z[j] + b[j] : z[j];
            z[j] = relu && v < 0 ? 0 : v;
        }
        if (!H) continue;
        pg_real *h = H + i * f;
        if (!drop) {
            memcpy(h, z, (size_t)f * sizeof *h);
            continue;
        }
        /* the same draws as pg_dropout_dense: one Philox call per 4 columns */
        mask_row(key, gid ? (uint32_t)gid[i] : (uint32_t)(row0 + i), thr, scale, z, h, f);
    }
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_elu(pg_real *Y, int64_t count) {
    PHASE_BEGIN;
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++)
        if (Y[k] <= 0) Y[k] = PG_EXPM1(Y[k]);
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

void pg_elu_backward(pg_real *dY, const pg_real *Y, int64_t count) {
    PHASE_BEGIN;
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++)
        if (Y[k] <= 0) dY[k] *= Y[k] + 1;
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

static pg_real *sum_scratch;
static size_t sum_scratch_len;

/* Partial column sums of nb row blocks by f columns: grows once (first epoch), then reused
 * (no per-epoch allocation). NULL when out of memory. */
static pg_real *sum_partials(int64_t nb, int64_t f) {
    const size_t need = (size_t)nb * (size_t)(f > 0 ? f : 1);
    if (need > sum_scratch_len) {
        pg_free(sum_scratch);
        sum_scratch = pg_alloc(need, sizeof(pg_real), "bias gradient partials");
        sum_scratch_len = sum_scratch ? need : 0;
    }
    return sum_scratch;
}

/* out (f) = the nb blocks' partial sums, added in block order. */
static void sum_blocks(const pg_real *part, int64_t nb, int64_t f, pg_real *out) {
    for (int64_t j = 0; j < f; j++) out[j] = 0;
    for (int64_t blk = 0; blk < nb; blk++)
        for (int64_t j = 0; j < f; j++) out[j] += part[blk * f + j];
}

void pg_relu_bias_grad(pg_real *dZ, const pg_real *Z, int64_t n, int64_t f, int relu,
                       pg_real *db, const pg_dropout_key *drop, int64_t row0,
                       const int32_t *gid) {
    PHASE_BEGIN;
    if (drop && drop->p <= 0) drop = NULL;
    const uint32_t thr = drop ? drop_threshold(drop->p) : 0;
    const pg_real scale = drop ? (pg_real)(1.0 / (1.0 - drop->p)) : 1;
    const int64_t nb = n < PG_SUM_BLOCKS ? (n > 0 ? n : 1) : PG_SUM_BLOCKS;
    pg_real *part = db ? sum_partials(nb, f) : NULL;
    if (db && !part) { /* out of memory for the partials: the plain passes */
        if (drop) dropout_dense(drop, dZ, dZ, n, f, row0, gid);
        if (relu)
            for (int64_t k = 0; k < n * f; k++) dZ[k] = Z[k] > 0 ? dZ[k] : 0;
        for (int64_t j = 0; j < f; j++) db[j] = 0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < f; j++) db[j] += dZ[i * f + j];
        PHASE_END(PARGNN_PHASE_ELEMENTWISE);
        return;
    }
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN)
    for (int64_t blk = 0; blk < nb; blk++) {
        pg_real *ps = part ? part + blk * f : NULL;
        if (ps)
            for (int64_t j = 0; j < f; j++) ps[j] = 0;
        for (int64_t i = n * blk / nb; i < n * (blk + 1) / nb; i++) {
            pg_real *d = dZ + i * f;
            const pg_real *z = Z + i * f;
            if (drop) mask_row(drop, gid ? (uint32_t)gid[i] : (uint32_t)(row0 + i), thr, scale, d, d, f);
            if (relu)
                for (int64_t j = 0; j < f; j++) d[j] = z[j] > 0 ? d[j] : 0;
            if (ps)
                for (int64_t j = 0; j < f; j++) ps[j] += d[j];
        }
    }
    if (db) sum_blocks(part, nb, f, db);
    PHASE_END(PARGNN_PHASE_ELEMENTWISE);
}

double pg_softmax_xent(const pg_real *Z, int64_t n, int64_t c, const int32_t *y,
                       const int32_t *rows, int64_t nrows, int64_t total_rows, pg_real *dZ) {
    PHASE_BEGIN;
    if (dZ) memset(dZ, 0, (size_t)(n * c) * sizeof *dZ);
    double total = 0;
    const double inv = total_rows > 0 ? 1.0 / (double)total_rows : 0;
    for (int64_t k = 0; k < nrows; k++) {
        const int64_t i = rows[k];
        const pg_real *z = Z + i * c;
        double mx = z[0];
        for (int64_t j = 1; j < c; j++) mx = z[j] > mx ? z[j] : mx;
        double sum = 0;
        for (int64_t j = 0; j < c; j++) sum += exp((double)z[j] - mx);
        const double lse = mx + log(sum);
        total += lse - (double)z[y[i]];
        if (dZ) {
            pg_real *d = dZ + i * c;
            for (int64_t j = 0; j < c; j++)
                d[j] = (pg_real)((exp((double)z[j] - lse) - (j == y[i])) * inv);
        }
    }
    PHASE_END(PARGNN_PHASE_LOSS);
    return total * inv;
}

void pg_softmax_rows(const pg_real *Z, int64_t n, int64_t c, pg_real *P) {
#pragma omp parallel for schedule(static) if (n * c >= PG_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
        const pg_real *z = Z + i * c;
        pg_real *p = P + i * c;
        double mx = z[0], sum = 0;
        for (int64_t j = 1; j < c; j++) mx = z[j] > mx ? z[j] : mx;
        for (int64_t j = 0; j < c; j++) sum += exp((double)z[j] - mx);
        for (int64_t j = 0; j < c; j++) p[j] = (pg_real)(exp((double)z[j] - mx) / sum);
    }
}

double pg_accuracy(const pg_real *Z, int64_t n, int64_t c, const int32_t *y,
                   const int32_t *rows, int64_t nrows) {
    (void)n;
    if (nrows == 0) return 0;
    int64_t hit = 0;
    for (int64_t k = 0; k < nrows; k++) {
        const pg_real *z = Z + (int64_t)rows[k] * c;
        int64_t best = 0;
        for (int64_t j = 1; j < c; j++)
            if (z[j] > z[best]) best = j;
        hit += best == y[rows[k]];
    }
    return (double)hit / (double)nrows;
}

void pg_adam_step(const pg_adam_hparams *h, int64_t t, pg_real *w, const pg_real *g,
                  pg_real *m, pg_real *v, const pg_real *decay, int64_t count) {
    PHASE_BEGIN;
    const double bc1 = 1.0 - pow(h->beta1, (double)t);
    const double bc2 = 1.0 - pow(h->beta2, (double)t);
    const double step = h->lr / bc1;
    const double sq2 = sqrt(bc2);
    for (int64_t k = 0; k < count; k++) {
        double gk = (double)g[k] + (decay ? (double)decay[k] * (double)w[k] : 0.0);
        double mk = h->beta1 * (double)m[k] + (1.0 - h->beta1) * gk;
        double vk = h->beta2 * (double)v[k] + (1.0 - h->beta2) * gk * gk;
        m[k] = (pg_real)mk;
        v[k] = (pg_real)vk;
        /* PyTorch: w -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps) */
        w[k] = (pg_real)((double)w[k] - step * mk / (sqrt(vk) / sq2 + h->eps));
    }
    PHASE_END(PARGNN_PHASE_OPTIMIZER);
}

int pg_all_finite(const pg_real *x, int64_t count) {
    for (int64_t k = 0; k < count; k++)
        if (!isfinite(x[k])) return 0;
    return 1;
}

void pg_gemm_epi_apply(const pg_gemm_epi *epi, int64_t m, int64_t n, pg_real *C, int64_t ldc) {
    /* rows in PG_SUM_BLOCKS fixed blocks, each summing its columns, then the blocks in order */
    const int64_t nb = m < PG_SUM_BLOCKS ? (m > 0 ? m : 1) : PG_SUM_BLOCKS;
    pg_real *part = epi->colsum ? sum_partials(nb, n) : NULL;
#pragma omp parallel for schedule(static) if (m * n >= PG_PAR_MIN)
    for (int64_t blk = 0; blk < nb; blk++) {
        pg_real *ps = part ? part + blk * n : NULL;
        for (int64_t j = 0; ps && j < n; j++) ps[j] = 0;
        for (int64_t i = m * blk / nb; i < m * (blk + 1) / nb; i++)
            for (int64_t j = 0; j < n; j++) {
                pg_real z = C[i * ldc + j] + (epi->bias ? epi->bias[j] : 0);
                if (epi->relu && z < 0) z = 0;
                if (epi->mask && !(epi->mask[i * epi->ldm + j] > 0)) z = 0;
                C[i * ldc + j] = z;
                if (ps) ps[j] += z;
            }
    }
    if (part) {
        sum_blocks(part, nb, n, epi->colsum);
    } else if (epi->colsum) { /* no memory for the partials: one pass in row order */
        for (int64_t j = 0; j < n; j++) epi->colsum[j] = 0;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) epi->colsum[j] += C[i * ldc + j];
    }
}
