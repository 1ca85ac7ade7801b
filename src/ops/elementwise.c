/*
 * Elementwise kernels shared by the CPU backends: bias, ReLU, dropout, softmax
 * cross-entropy, accuracy and Adam. Reductions are summed in a fixed order (per-row
 * partials, then a serial pass) so results do not depend on the thread count.
 */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "ops/ops.h"

#define PG_PAR_MIN 65536

void pg_bias_add(pg_real *Y, int64_t n, int64_t f, const pg_real *b) {
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) Y[i * f + j] += b[j];
}

void pg_bias_grad(const pg_real *dY, int64_t n, int64_t f, pg_real *db) {
    /* Columns are independent: each thread owns some columns, rows summed in order. */
    for (int64_t j = 0; j < f; j++) db[j] = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) db[j] += dY[i * f + j];
}

void pg_relu(pg_real *Y, int64_t count) {
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++) Y[k] = Y[k] > 0 ? Y[k] : 0;
}

void pg_relu_backward(pg_real *dY, const pg_real *Y, int64_t count) {
#pragma omp parallel for schedule(static) if (count >= PG_PAR_MIN)
    for (int64_t k = 0; k < count; k++) dY[k] = Y[k] > 0 ? dY[k] : 0;
}

/* Keep when the 32-bit draw is at or above p * 2^32. */
static inline uint32_t drop_threshold(double p) {
    double t = p * 4294967296.0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

void pg_dropout_dense(const pg_dropout_key *key, const pg_real *X, pg_real *Y, int64_t n,
                      int64_t f, int64_t row0) {
    if (key->p <= 0) {
        if (X != Y) memcpy(Y, X, (size_t)(n * f) * sizeof *Y);
        return;
    }
    const uint32_t thr = drop_threshold(key->p);
    const pg_real scale = (pg_real)(1.0 / (1.0 - key->p));
#pragma omp parallel for schedule(static) if (n * f >= PG_PAR_MIN / 4)
    for (int64_t i = 0; i < n; i++) {
        const uint32_t row = (uint32_t)(row0 + i);
        for (int64_t j0 = 0; j0 < f; j0 += 4) {
            pg_philox_out o = pg_philox(key->seed, row, (uint32_t)(j0 >> 2), key->epoch,
                                        ((uint32_t)PG_RNG_DROPOUT << 24) ^ key->layer);
            for (int64_t j = j0; j < f && j < j0 + 4; j++)
                Y[i * f + j] = o.v[j & 3] >= thr ? X[i * f + j] * scale : 0;
        }
    }
}

void pg_dropout_csr(const pg_dropout_key *key, const pg_csr *X, pg_real *Yval, int64_t row0) {
    const pg_real *xv = X->val;
    if (key->p <= 0) {
        for (int64_t e = 0; e < X->nnz; e++) Yval[e] = xv ? xv[e] : 1;
        return;
    }
    const uint32_t thr = drop_threshold(key->p);
    const pg_real scale = (pg_real)(1.0 / (1.0 - key->p));
#pragma omp parallel for schedule(static) if (X->nnz >= PG_PAR_MIN / 4)
    for (int64_t i = 0; i < X->nrows; i++) {
        const uint32_t row = (uint32_t)(row0 + i);
        for (int64_t e = X->rowptr[i]; e < X->rowptr[i + 1]; e++) {
            uint32_t u = pg_rng_u32(key->seed, PG_RNG_DROPOUT, key->epoch, key->layer, row,
                                    (uint32_t)X->col[e]);
            pg_real x = xv ? xv[e] : 1;
            Yval[e] = u >= thr ? x * scale : 0;
        }
    }
}

double pg_softmax_xent(const pg_real *Z, int64_t n, int64_t c, const int32_t *y,
                       const int32_t *rows, int64_t nrows, pg_real *dZ) {
    if (dZ) memset(dZ, 0, (size_t)(n * c) * sizeof *dZ);
    double total = 0;
    const double inv = nrows > 0 ? 1.0 / (double)nrows : 0;
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
}

int pg_all_finite(const pg_real *x, int64_t count) {
    for (int64_t k = 0; k < count; k++)
        if (!isfinite(x[k])) return 0;
    return 1;
}
