/*
 * Graph attention (Velickovic et al., ICLR 2018; PyG's GATConv). Per head k of a layer,
 * with P = H W (rows, heads*hw) and the operator's edges j -> i (row i = destination,
 * column j = source, one self-loop per node):
 *   s_src[j,k] = a_src_k . P[j,k,:]      s_dst[i,k] = a_dst_k . P[i,k,:]
 *   e_ij = LeakyReLU_0.2(s_src[j,k] + s_dst[i,k]),  alpha_ij = softmax over i's edges
 *   Z[i,k,:] = sum_j dropout(alpha_ij) P[j,k,:]
 * heads concatenated, or averaged in the output layer. The softmax subtracts each row's
 * maximum. Every per-edge quantity is computed by the process owning the destination row,
 * with the halo rows of P for the sources; backward gathers over the transposed edge list
 * into source rows (halo included) and returns the halo rows' gradients to their owners
 * (pg_exchange.reduce). Attention dropout draws are keyed by (global destination, global
 * source, head), so any process count drops the same coefficients.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/net_internal.h"
#include "ops/kernels.h"

#define GAT_SLOPE 0.2
#define GAT_PAR_MIN 4096 /* rows: below this, one thread */
/* Row blocks of the column-sum reductions: a fixed count, so sums do not depend on threads. */
#define GAT_SUM_BLOCKS 64
#define GAT_KB 16        /* heads per block of the per-row softmax */
/* Dropout keys of the message dropout: layer | this, apart from the layer-input dropout's */
#define GAT_MSG_LAYER 0x400000u

#ifdef PARGNN_REAL_DOUBLE
#define PG_EXP exp
#else
#define PG_EXP expf
#endif

void pg_gat_free(pg_gat_state *s, int32_t layers) {
    pg_free(s->rowptr);
    pg_free(s->col);
    pg_free(s->tptr);
    pg_free(s->trow);
    pg_free(s->tedge);
    for (int32_t l = 0; l < layers; l++) {
        if (s->alpha) pg_free(s->alpha[l]);
        if (s->alpha_d) pg_free(s->alpha_d[l]);
        if (s->score) pg_free(s->score[l]);
        if (s->msg) pg_free(s->msg[l]);
    }
    free(s->alpha);
    free(s->alpha_d);
    free(s->dropped);
    free(s->score);
    free(s->msg);
    free(s->msg_dropped);
    pg_free(s->edge_tmp);
    pg_free(s->ds);
    pg_free(s->g64);
    pg_free(s->part64);
    memset(s, 0, sizeof *s);
}

/* The edge lists and per-layer buffers for graph g (rebuilt when g's operator changes). */
static pargnn_status gat_prepare(pg_net *net, const pg_graph *g) {
    pg_gat_state *s = &net->gat;
    const pg_csr *part[2] = {g->adj, NULL};
    if (!g->adj) part[0] = g->adj_inner, part[1] = g->adj_outer;
    if (s->rowptr && s->key[0] == part[0] && s->key[1] == part[1]) return PARGNN_STATUS_OK;
    const int32_t L = net->num_layers;
    pg_gat_free(s, L);
    const int64_t n = net->n, rows = n + net->n_halo;
    int64_t nnz = 0, got = 0;
    for (int k = 0; k < 2; k++)
        if (part[k]) nnz += part[k]->nnz, got += part[k]->nrows;
    if (got != n)
        return pg_error(PARGNN_STATUS_INTERNAL, "GAT: the operator has %lld rows, the model %lld",
                        (long long)got, (long long)n);
    s->key[0] = part[0], s->key[1] = part[1];
    s->n = n, s->rows = rows, s->nnz = nnz;
    const size_t e1 = (size_t)(nnz > 0 ? nnz : 1);
    s->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "GAT edge offsets");
    s->col = pg_alloc(e1, sizeof(int32_t), "GAT edges");
    s->tptr = pg_calloc((size_t)rows + 1, sizeof(int64_t), "GAT transposed offsets");
    s->trow = pg_alloc(e1, sizeof(int32_t), "GAT transposed edges");
    s->tedge = pg_alloc(e1, sizeof(int64_t), "GAT transposed edges");
    s->alpha = calloc((size_t)L, sizeof(pg_real *));
    s->alpha_d = calloc((size_t)L, sizeof(pg_real *));
    s->score = calloc((size_t)L, sizeof(pg_real *));
    s->dropped = calloc((size_t)L, sizeof(int));
    s->msg = calloc((size_t)L, sizeof(pg_real *));
    s->msg_dropped = calloc((size_t)L, sizeof(int));
    if (!s->rowptr || !s->col || !s->tptr || !s->trow || !s->tedge || !s->alpha || !s->alpha_d ||
        !s->score || !s->dropped || !s->msg || !s->msg_dropped) {
        pg_gat_free(s, L);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "GAT: cannot allocate the edge lists");
    }
    /* One CSR over the owned rows: the halves' rows in order. */
    int64_t w = 0, i = 0;
    for (int k = 0; k < 2; k++) {
        const pg_csr *a = part[k];
        if (!a) continue;
        for (int64_t r = 0; r < a->nrows; r++, i++) {
            s->rowptr[i] = w;
            for (int64_t e = a->rowptr[r]; e < a->rowptr[r + 1]; e++) {
                const int32_t j = a->col[e];
                if (j < 0 || j >= rows) {
                    pg_gat_free(s, L);
                    return pg_error(PARGNN_STATUS_INTERNAL, "GAT: edge column %d outside [0, %lld)",
                                    (int)j, (long long)rows);
                }
                s->col[w++] = j;
            }
        }
    }
    s->rowptr[n] = w;
    /* Transpose by counting: within a column, edges in ascending row order. */
    for (int64_t e = 0; e < nnz; e++) s->tptr[s->col[e] + 1]++;
    for (int64_t j = 0; j < rows; j++) s->tptr[j + 1] += s->tptr[j];
    int64_t *fill = pg_alloc((size_t)rows + 1, sizeof(int64_t), "GAT transpose");
    if (!fill) {
        pg_gat_free(s, L);
        return PARGNN_STATUS_NO_MEMORY;
    }
    memcpy(fill, s->tptr, ((size_t)rows + 1) * sizeof(int64_t));
    for (int64_t r = 0; r < n; r++)
        for (int64_t e = s->rowptr[r]; e < s->rowptr[r + 1]; e++) {
            const int64_t t = fill[s->col[e]]++;
            s->trow[t] = (int32_t)r;
            s->tedge[t] = e;
        }
    pg_free(fill);
    /* Per-layer coefficients and scores; the largest head count sizes the shared scratch. */
    int64_t kmax = 1, fmax = 1;
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        size_t cnt;
        if (ly->heads > kmax) kmax = ly->heads;
        if (ly->mid > fmax) fmax = ly->mid;
        if (!pg_mul_ok(e1, (size_t)ly->heads, &cnt)) {
            pg_gat_free(s, L);
            return pg_error(PARGNN_STATUS_NO_MEMORY, "GAT layer %d: %lld edges x %lld heads too large",
                            l, (long long)nnz, (long long)ly->heads);
        }
        s->alpha[l] = pg_alloc(cnt, sizeof(pg_real), "GAT attention coefficients");
        s->alpha_d[l] = net->cfg.attn_dropout > 0
                            ? pg_alloc(cnt, sizeof(pg_real), "GAT dropped attention")
                            : NULL;
        s->score[l] = pg_alloc((size_t)(rows + n) * (size_t)ly->heads, sizeof(pg_real), "GAT scores");
        s->msg[l] = net->cfg.message_dropout > 0
                        ? pg_alloc((size_t)rows * (size_t)ly->mid, sizeof(pg_real), "GAT dropped messages")
                        : NULL;
        if (!s->alpha[l] || (net->cfg.attn_dropout > 0 && !s->alpha_d[l]) || !s->score[l] ||
            (net->cfg.message_dropout > 0 && !s->msg[l])) {
            pg_gat_free(s, L);
            return PARGNN_STATUS_NO_MEMORY;
        }
    }
    size_t cnt;
    if (!pg_mul_ok(e1, (size_t)kmax, &cnt)) {
        pg_gat_free(s, L);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "GAT: edge scratch too large");
    }
    s->edge_tmp = pg_alloc(cnt, sizeof(pg_real), "GAT edge gradients");
    s->ds = pg_alloc((size_t)(rows + n) * (size_t)kmax, sizeof(pg_real), "GAT score gradients");
    if (!s->edge_tmp || !s->ds) {
        pg_gat_free(s, L);
        return PARGNN_STATUS_NO_MEMORY;
    }
    /* attention-vector sums (partials and a total); with --reproducible the source rows'
     * sums in double */
    s->part64 = pg_alloc((size_t)(GAT_SUM_BLOCKS + 1) * (size_t)fmax, sizeof(double), "GAT partials");
    if (net->grads64)
        s->g64 = pg_alloc((size_t)rows * (size_t)(fmax + kmax), sizeof(double), "GAT double gradients");
    if (!s->part64 || (net->grads64 && !s->g64)) {
        pg_gat_free(s, L);
        return PARGNN_STATUS_NO_MEMORY;
    }
    return PARGNN_STATUS_OK;
}

/* S (r, K) = per head k, P[i, k, :] . a[k, :] for rows [r0, r1). */
static void head_dots(const pg_real *P, const pg_real *a, int64_t r0, int64_t r1, int64_t K,
                      int64_t C, pg_real *S) {
#pragma omp parallel for schedule(static) if (r1 - r0 >= GAT_PAR_MIN)
    for (int64_t i = r0; i < r1; i++)
        for (int64_t k = 0; k < K; k++) {
            const pg_real *p = P + i * K * C + k * C, *v = a + k * C;
            pg_real d = 0;
            for (int64_t c = 0; c < C; c++) d += p[c] * v[c];
            S[i * K + k] = d;
        }
}

static inline pg_real leaky(pg_real z) { return z > 0 ? z : (pg_real)GAT_SLOPE * z; }

/* Keep-and-scale factor of edge (dst, src) in head k: 0 or 1 / (1 - p). */
static inline pg_real attn_mask(uint64_t seed, uint32_t epoch, uint32_t layer, uint32_t dst,
                                uint32_t src, int64_t k, uint32_t thr, pg_real scale) {
    const uint32_t c3 = ((uint32_t)PG_RNG_ATTENTION << 24) ^ ((uint32_t)(k >> 2) << 8) ^ layer;
    const uint32_t u = pg_philox(seed, dst, src, epoch, c3).v[k & 3];
    return u >= thr ? scale : 0;
}

static inline uint32_t gid_of(const pg_graph *g, int64_t i) {
    return g->gid ? (uint32_t)g->gid[i] : (uint32_t)(g->row0 + i);
}

static uint32_t threshold(double p) {
    const double t = p * 4294967296.0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

/* Everything the per-row and per-column loops of one layer read and write. */
typedef struct gat_work {
    const pg_graph *g;
    int64_t K, C, F, fout;
    int concat, drop, no_score;
    uint64_t seed;
    uint32_t epoch, layer, thr;
    pg_real scale, wk;        /* the dropout's 1 / (1 - p); 1, or 1 / K when averaging */
    const int64_t *rp, *tp, *te;
    const int32_t *col, *tr;
    const pg_real *P, *Ssrc, *Sdst, *asrc, *adst;
    pg_real *alpha, *alpha_d; /* alpha_d == alpha without dropout */
    pg_real *Z;               /* forward output (n, fout) */
    const pg_real *dZ;        /* backward: output gradient (n, fout) */
    pg_real *dz, *dsrc, *ddst, *dP;
    double *G;                /* --reproducible: (rows, F + K), gather_rows64's sums */
    int64_t n;
} gat_work;

/* Forward, rows [i0, i1): per row, heads in blocks of GAT_KB, the scores and their maximum,
 * exponentials and their sum, coefficients (and dropped ones); then the aggregation with
 * the edges outermost, so each source row of P is read once, contiguously. */
static inline __attribute__((always_inline)) void fwd_rows(const gat_work *w, int64_t i0,
                                                            int64_t i1) {
    const int64_t K = w->K, C = w->C, F = w->F;
    for (int64_t i = i0; i < i1; i++) {
        const int64_t b = w->rp[i], e1 = w->rp[i + 1];
        const uint32_t gi = gid_of(w->g, i);
        for (int64_t k0 = 0; k0 < K; k0 += GAT_KB) {
            const int64_t kn = K - k0 < GAT_KB ? K - k0 : GAT_KB;
            pg_real m[GAT_KB], sd[GAT_KB], rden[GAT_KB];
            double den[GAT_KB];
            for (int64_t k = 0; k < kn; k++) m[k] = -INFINITY, den[k] = 0, sd[k] = w->Sdst[i * K + k0 + k];
            for (int64_t e = b; e < e1; e++) {
                const pg_real *ss = w->Ssrc + (int64_t)w->col[e] * K + k0;
                pg_real *a = w->alpha + e * K + k0;
                for (int64_t k = 0; k < kn; k++) {
                    const pg_real v = leaky(ss[k] + sd[k]);
                    a[k] = v;
                    m[k] = v > m[k] ? v : m[k];
                }
            }
            for (int64_t e = b; e < e1; e++) {
                pg_real *a = w->alpha + e * K + k0;
                for (int64_t k = 0; k < kn; k++) {
                    const pg_real x = PG_EXP(a[k] - m[k]);
                    a[k] = x;
                    den[k] += x;
                }
            }
            for (int64_t k = 0; k < kn; k++) rden[k] = den[k] > 0 ? (pg_real)(1.0 / den[k]) : 0;
            for (int64_t e = b; e < e1; e++) {
                pg_real *a = w->alpha + e * K + k0;
                for (int64_t k = 0; k < kn; k++) a[k] *= rden[k];
                if (w->drop) {
                    const uint32_t gj = gid_of(w->g, w->col[e]);
                    pg_real *ad = w->alpha_d + e * K + k0;
                    for (int64_t k = 0; k < kn; k++)
                        ad[k] = a[k] * attn_mask(w->seed, w->epoch, w->layer, gi, gj, k0 + k, w->thr, w->scale);
                }
            }
        }
        pg_real *restrict z = w->Z + i * w->fout;
        memset(z, 0, (size_t)w->fout * sizeof(pg_real));
        for (int64_t e = b; e < e1; e++) {
            const pg_real *restrict pj = w->P + (int64_t)w->col[e] * F;
            const pg_real *ad = w->alpha_d + e * K;
            for (int64_t k = 0; k < K; k++) {
                const pg_real c = ad[k] * w->wk;
                pg_real *restrict zk = w->concat ? z + k * C : z;
                const pg_real *restrict pk = pj + k * C;
#pragma omp simd
                for (int64_t q = 0; q < C; q++) zk[q] += c * pk[q];
            }
        }
    }
}

/* Backward, rows [i0, i1): per edge and head d(alpha_dropped) = dout . P_j (edges
 * outermost), through the dropout, the softmax and the LeakyReLU into dz; the destination
 * score gradient is the row sum. */
static inline __attribute__((always_inline)) void bwd_rows(const gat_work *w, int64_t i0,
                                                            int64_t i1) {
    const int64_t K = w->K, C = w->C, F = w->F;
    const int64_t dstride = w->fout, dhead = w->concat ? C : 0;
    pg_real *dz = w->dz;
    for (int64_t i = i0; i < i1; i++) {
        const int64_t b = w->rp[i], e1 = w->rp[i + 1];
        const uint32_t gi = gid_of(w->g, i);
        const pg_real *restrict di = w->dZ + i * dstride;
        for (int64_t e = b; e < e1; e++) {
            const int32_t j = w->col[e];
            const pg_real *restrict pj = w->P + (int64_t)j * F;
            pg_real *dze = dz + e * K;
            for (int64_t k = 0; k < K; k++) {
                const pg_real *restrict dk = di + k * dhead, *restrict pk = pj + k * C;
                pg_real d = 0;
#pragma omp simd reduction(+ : d)
                for (int64_t q = 0; q < C; q++) d += dk[q] * pk[q];
                dze[k] = d * w->wk;
            }
            if (w->drop) {
                const uint32_t gj = gid_of(w->g, j);
                for (int64_t k = 0; k < K; k++)
                    dze[k] *= attn_mask(w->seed, w->epoch, w->layer, gi, gj, k, w->thr, w->scale);
            }
        }
        for (int64_t k0 = 0; k0 < K; k0 += GAT_KB) {
            const int64_t kn = K - k0 < GAT_KB ? K - k0 : GAT_KB;
            double dot[GAT_KB];
            pg_real sd[GAT_KB], rsum[GAT_KB];
            for (int64_t k = 0; k < kn; k++) dot[k] = 0, rsum[k] = 0, sd[k] = w->Sdst[i * K + k0 + k];
            for (int64_t e = b; e < e1; e++)
                for (int64_t k = 0; k < kn; k++)
                    dot[k] += (double)w->alpha[e * K + k0 + k] * (double)dz[e * K + k0 + k];
            for (int64_t e = b; e < e1; e++) {
                const pg_real *ss = w->Ssrc + (int64_t)w->col[e] * K + k0;
                for (int64_t k = 0; k < kn; k++) {
                    const int64_t x = e * K + k0 + k;
                    const pg_real dl = w->alpha[x] * (dz[x] - (pg_real)dot[k]);
                    const pg_real v = ss[k] + sd[k] > 0 ? dl : (pg_real)GAT_SLOPE * dl;
                    dz[x] = v;
                    rsum[k] += v;
                }
            }
            for (int64_t k = 0; k < kn; k++) w->ddst[i * K + k0 + k] = rsum[k];
        }
    }
}

/* dP_j += d s_src[j] a_src + d s_dst[j] a_dst (the second for owned rows only). */
static inline __attribute__((always_inline)) void score_terms(const gat_work *w, int64_t j) {
    const int64_t K = w->K, C = w->C;
    pg_real *restrict dpj = w->dP + j * w->F;
    const pg_real *ds = w->dsrc + j * K;
    for (int64_t k = 0; k < K; k++) {
        const pg_real sv = ds[k], sd = j < w->n ? w->ddst[j * K + k] : 0;
        pg_real *restrict d = dpj + k * C;
        const pg_real *restrict as = w->asrc + k * C, *restrict ad = w->adst + k * C;
#pragma omp simd
        for (int64_t q = 0; q < C; q++) d[q] += sv * as[q] + sd * ad[q];
    }
}

/* The score terms alone, for rows [j0, j1) (after the message dropout's backward). */
static inline __attribute__((always_inline)) void score_rows(const gat_work *w, int64_t j0,
                                                              int64_t j1) {
    for (int64_t j = j0; j < j1; j++) score_terms(w, j);
}



/* Backward, source rows [j0, j1) (halo included), gathering over each one's edges in row
 * order: dP = sum of alpha_dropped dout, plus the score terms (unless no_score: then the
 * caller adds them after the message dropout's backward). */
static inline __attribute__((always_inline)) void gather_rows(const gat_work *w, int64_t j0,
                                                               int64_t j1) {
    const int64_t K = w->K, C = w->C, F = w->F;
    const int64_t dstride = w->fout, dhead = w->concat ? C : 0;
    for (int64_t j = j0; j < j1; j++) {
        pg_real *restrict dpj = w->dP + j * F;
        pg_real *ds = w->dsrc + j * K;
        memset(dpj, 0, (size_t)F * sizeof(pg_real));
        for (int64_t k = 0; k < K; k++) ds[k] = 0;
        for (int64_t t = w->tp[j]; t < w->tp[j + 1]; t++) {
            const int64_t e = w->te[t], i = w->tr[t];
            const pg_real *ad = w->alpha_d + e * K, *dze = w->dz + e * K;
            for (int64_t k = 0; k < K; k++) {
                const pg_real c = ad[k] * w->wk;
                const pg_real *restrict dout = w->dZ + i * dstride + k * dhead;
                pg_real *restrict d = dpj + k * C;
#pragma omp simd
                for (int64_t q = 0; q < C; q++) d[q] += c * dout[q];
                ds[k] += dze[k];
            }
        }
        if (!w->no_score) score_terms(w, j);
    }
}

/* gather_rows in double (--reproducible): per source row j, G[j, :F] = sum of
 * alpha_dropped dout and G[j, F:] = d s_src, both in double, for the caller to sum over
 * processes (a halo row's edges live on other processes too) before rounding. */
static inline __attribute__((always_inline)) void gather_rows64(const gat_work *w, int64_t j0,
                                                                 int64_t j1) {
    const int64_t K = w->K, C = w->C, F = w->F;
    const int64_t dstride = w->fout, dhead = w->concat ? C : 0;
    for (int64_t j = j0; j < j1; j++) {
        double *restrict g = w->G + j * (F + K);
        double *ds = g + F;
        memset(g, 0, (size_t)(F + K) * sizeof(double));
        for (int64_t t = w->tp[j]; t < w->tp[j + 1]; t++) {
            const int64_t e = w->te[t], i = w->tr[t];
            const pg_real *ad = w->alpha_d + e * K, *dze = w->dz + e * K;
            for (int64_t k = 0; k < K; k++) {
                const double c = (double)(ad[k] * w->wk);
                const pg_real *restrict dout = w->dZ + i * dstride + k * dhead;
                double *restrict d = g + k * C;
#pragma omp simd
                for (int64_t q = 0; q < C; q++) d[q] += c * (double)dout[q];
                ds[k] += (double)dze[k];
            }
        }
    }
}

/* Each loop compiled for the SIMD paths of ops/kernels.h, chosen by pg_kernel_isa(). */
typedef void (*gat_rows_fn)(const gat_work *w, int64_t r0, int64_t r1);
#if !defined(PARGNN_REAL_DOUBLE) && (defined(__x86_64__) || defined(__i386__))
#define GAT_ISA_VARIANTS(body)                                                                \
    static void body##_generic(const gat_work *w, int64_t a, int64_t b) { body(w, a, b); }   \
    __attribute__((target("avx2,fma"))) static void body##_avx2(const gat_work *w, int64_t a, \
                                                                int64_t b) {                  \
        body(w, a, b);                                                                        \
    }                                                                                         \
    __attribute__((target("avx512f,prefer-vector-width=512"))) static void body##_avx512(     \
        const gat_work *w, int64_t a,                                                         \
                                                                 int64_t b) {                 \
        body(w, a, b);                                                                        \
    }                                                                                         \
    static const gat_rows_fn body##_fns[3] = {body##_generic, body##_avx2, body##_avx512};
#else
#define GAT_ISA_VARIANTS(body)                                                                \
    static void body##_generic(const gat_work *w, int64_t a, int64_t b) { body(w, a, b); }   \
    static const gat_rows_fn body##_fns[3] = {body##_generic, body##_generic, body##_generic};
#endif
GAT_ISA_VARIANTS(fwd_rows)
GAT_ISA_VARIANTS(bwd_rows)
GAT_ISA_VARIANTS(gather_rows)
GAT_ISA_VARIANTS(gather_rows64)
GAT_ISA_VARIANTS(score_rows)

/* Rows [0, count) in chunks of 256 handed out dynamically (skewed degrees); each row is
 * computed by one thread, so results do not depend on the thread count. */
static void run_rows(const gat_rows_fn fns[3], const gat_work *w, int64_t count) {
    const gat_rows_fn fn = fns[pg_kernel_isa()];
    const int64_t chunks = (count + 255) / 256;
#pragma omp parallel for schedule(dynamic, 1) if (count >= GAT_PAR_MIN)
    for (int64_t c = 0; c < chunks; c++) {
        const int64_t r0 = c * 256, r1 = r0 + 256 < count ? r0 + 256 : count;
        fn(w, r0, r1);
    }
}

pargnn_status pg_gat_forward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                             int training, uint32_t epoch) {
    PG_TRY(gat_prepare(net, g));
    pg_gat_state *st = &net->gat;
    const pg_layer *ly = &net->layers[l];
    const int64_t n = net->n, rows = st->rows, K = ly->heads, C = ly->hw, F = K * C;
    const pg_real *W = net->params + ly->w_off;
    const pg_real *asrc = net->params + ly->as_off, *adst = net->params + ly->ad_off;
    pg_real *P = net->T[l], *Ssrc = st->score[l], *Sdst = st->score[l] + rows * K;
    pg_net_transform(net, in, W, ly->fin, F, 0, P); /* owned rows */
    if (g->ex) {
        PG_TRY(g->ex->begin(g->ex->ctx, P, F));
        head_dots(P, asrc, 0, n, K, C, Ssrc);
        head_dots(P, adst, 0, n, K, C, Sdst);
        PG_TRY(g->ex->end(g->ex->ctx, P, F));
        head_dots(P, asrc, n, rows, K, C, Ssrc);
    } else {
        head_dots(P, asrc, 0, n, K, C, Ssrc);
        head_dots(P, adst, 0, n, K, C, Sdst);
    }
    const double t0 = pg_now_ms();
    const double p = training ? net->cfg.attn_dropout : 0;
    st->dropped[l] = p > 0;
    gat_work w = {.g = g, .K = K, .C = C, .F = F, .fout = ly->fout,
                  .concat = ly->fout == F, /* one head: either reading is the same */
                  .drop = p > 0, .seed = net->cfg.seed, .epoch = epoch, .layer = (uint32_t)l,
                  .thr = threshold(p), .scale = (pg_real)(1.0 / (1.0 - p)),
                  .rp = st->rowptr, .col = st->col, .P = P, .Ssrc = Ssrc, .Sdst = Sdst,
                  .alpha = st->alpha[l], .alpha_d = p > 0 ? st->alpha_d[l] : st->alpha[l],
                  .Z = net->Z[l], .n = n};
    w.wk = w.concat ? 1 : (pg_real)(1.0 / (double)K);
    /* message dropout: the sum reads a dropped copy of P (halo rows too, keyed by their
     * global ids); the scores above saw P itself */
    st->msg_dropped[l] = training && net->cfg.message_dropout > 0;
    if (st->msg_dropped[l]) {
        const pg_dropout_key key = {net->cfg.seed, epoch, GAT_MSG_LAYER | (uint32_t)l,
                                    net->cfg.message_dropout};
        pg_dropout_dense(&key, P, st->msg[l], rows, F, g->row0, g->gid);
        w.P = st->msg[l];
    }
    run_rows(fwd_rows_fns, &w, n);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
    return PARGNN_STATUS_OK;
}

/* out (F) = sum over fixed row blocks of S[j, k] * P[j, k, :] for rows [0, r) in double —
 * the gradient of an attention vector; S read as doubles (Sd) or reals (Sf) at row stride
 * ss. Blocks are summed in order: thread-count independent. */
static void score_vector_grad(const double *Sd, const pg_real *Sf, int64_t ss, const pg_real *P,
                              int64_t r, int64_t K, int64_t C, double *out,
                              double *part /* (GAT_SUM_BLOCKS, K*C) */) {
    const int64_t F = K * C;
    const int64_t nb = r < GAT_SUM_BLOCKS ? (r > 0 ? r : 1) : GAT_SUM_BLOCKS;
#pragma omp parallel for schedule(static) if (r >= GAT_PAR_MIN)
    for (int64_t bk = 0; bk < nb; bk++) {
        double *acc = part + bk * F;
        memset(acc, 0, (size_t)F * sizeof(double));
        for (int64_t j = r * bk / nb; j < r * (bk + 1) / nb; j++)
            for (int64_t k = 0; k < K; k++) {
                const double s = Sd ? Sd[j * ss + k] : (double)Sf[j * ss + k];
                const pg_real *pj = P + j * F + k * C;
                for (int64_t c = 0; c < C; c++) acc[k * C + c] += s * (double)pj[c];
            }
    }
    memset(out, 0, (size_t)F * sizeof(double));
    for (int64_t bk = 0; bk < nb; bk++)
        for (int64_t q = 0; q < F; q++) out[q] += part[bk * F + q];
}

/* The source-row half of the backward with --reproducible: the gathers in double, the
 * attention vectors' gradients in double, the halo rows' sums sent home in double, and only
 * then, on the owned rows, dP rounded once, the message dropout's backward and the score
 * terms: one process's bits for any number of processes. The time from t0 on, less the
 * exchange's (the halo counts that), goes to the SpMM phase. */
static pargnn_status gat_sources64(pg_net *net, const pg_graph *g, const pg_layer *ly,
                                   gat_work *w, uint32_t epoch, int l, int msg, pg_real *dP,
                                   double t0) {
    pg_gat_state *st = &net->gat;
    const int64_t n = net->n, rows = st->rows, K = w->K, F = w->F, WG = F + K;
    w->G = st->g64;
    run_rows(gather_rows64_fns, w, rows);
    const pg_real *P = net->T[l];
    score_vector_grad(w->G + F, NULL, WG, P, rows, K, w->C, net->grads64 + ly->as_off, st->part64);
    score_vector_grad(NULL, w->ddst, K, P, n, K, w->C, net->grads64 + ly->ad_off, st->part64);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
    if (g->ex) PG_TRY(g->ex->reduce64(g->ex->ctx, w->G, WG));
    const double t1 = pg_now_ms();
#pragma omp parallel for schedule(static) if (n >= GAT_PAR_MIN)
    for (int64_t j = 0; j < n; j++) {
        const double *gj = w->G + j * WG;
        for (int64_t q = 0; q < F; q++) dP[j * F + q] = (pg_real)gj[q];
        for (int64_t k = 0; k < K; k++) w->dsrc[j * K + k] = (pg_real)gj[F + k];
    }
    if (msg) {
        const pg_dropout_key key = {net->cfg.seed, epoch, GAT_MSG_LAYER | (uint32_t)l,
                                    net->cfg.message_dropout};
        pg_dropout_dense(&key, dP, dP, n, F, g->row0, g->gid);
    }
    run_rows(score_rows_fns, w, n);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t1;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_gat_backward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                              pg_real *dZ, pg_real *tmp, pg_real **dH, uint32_t epoch) {
    pg_gat_state *st = &net->gat;
    const pg_layer *ly = &net->layers[l];
    const int64_t n = net->n, rows = st->rows, K = ly->heads, C = ly->hw, F = K * C;
    const pg_real *W = net->params + ly->w_off;
    const pg_real *P = net->T[l];
    const int drop = st->dropped[l];
    const double p = drop ? net->cfg.attn_dropout : 0;
    gat_work w = {.g = g, .K = K, .C = C, .F = F, .fout = ly->fout, .concat = ly->fout == F,
                  .drop = drop, .seed = net->cfg.seed, .epoch = epoch, .layer = (uint32_t)l,
                  .thr = threshold(p), .scale = (pg_real)(1.0 / (1.0 - p)),
                  .rp = st->rowptr, .tp = st->tptr, .te = st->tedge, .col = st->col,
                  .tr = st->trow, .P = P, .Ssrc = st->score[l], .Sdst = st->score[l] + rows * K,
                  .asrc = net->params + ly->as_off, .adst = net->params + ly->ad_off,
                  .alpha = st->alpha[l], .alpha_d = drop ? st->alpha_d[l] : st->alpha[l],
                  .dZ = dZ, .dz = st->edge_tmp, .dsrc = st->ds, .ddst = st->ds + rows * K,
                  .dP = tmp, .n = n};
    w.wk = w.concat ? 1 : (pg_real)(1.0 / (double)K);
    const int msg = st->msg_dropped[l];
    if (msg) w.P = st->msg[l], w.no_score = 1; /* the sum saw the dropped messages */
    const double t0 = pg_now_ms();
    run_rows(bwd_rows_fns, &w, n);
    if (net->grads64) {
        PG_TRY(gat_sources64(net, g, ly, &w, epoch, l, msg, tmp, t0));
    } else {
        run_rows(gather_rows_fns, &w, rows);
        if (msg) { /* back through the message dropout (linear: the same mask), then the scores' */
            const pg_dropout_key key = {net->cfg.seed, epoch, GAT_MSG_LAYER | (uint32_t)l,
                                        net->cfg.message_dropout};
            pg_dropout_dense(&key, tmp, tmp, rows, F, g->row0, g->gid);
            run_rows(score_rows_fns, &w, rows);
        }
        pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
        /* Attention vectors: a source's score counts once per edge owned here (halo sources
         * too: their edges are this process's); a destination's once. The caller sums the
         * processes' shares. */
        double *vec = st->part64 + GAT_SUM_BLOCKS * F;
        score_vector_grad(NULL, w.dsrc, K, P, rows, K, C, vec, st->part64);
        for (int64_t q = 0; q < F; q++) net->grads[ly->as_off + q] = (pg_real)vec[q];
        score_vector_grad(NULL, w.ddst, K, P, n, K, C, vec, st->part64);
        for (int64_t q = 0; q < F; q++) net->grads[ly->ad_off + q] = (pg_real)vec[q];
        if (g->ex) PG_TRY(g->ex->reduce(g->ex->ctx, tmp, F)); /* halo sources' gradients home */
    }
    pg_real *dP = tmp; /* owned rows: the gradient of P = H W */
    pg_net_transform_grad(net, in, dP, ly->fin, F, ly->w_off);
    *dH = NULL;
    if (l > 0) {
        net->be->gemm(0, 1, n, ly->fin, F, 1, dP, F, W, F, 0, dZ, ly->fin);
        *dH = dZ;
    }
    return PARGNN_STATUS_OK;
}
