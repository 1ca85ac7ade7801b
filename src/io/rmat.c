/*
 * R-MAT (Kronecker) power-law graphs with classes a GCN can learn, at ogbn-products scale.
 * Every edge, label and feature is a pure function of (seed, index) through Philox, so the
 * graph is the same for any OpenMP thread count. Writing it out is io/ogb.c's or
 * io/binfmt.c's job.
 *
 * Labels: the class of R-MAT id x is a function of its K low bits. An edge whose homophily
 * coin comes up copies the K low bits of its source into its target: the target then has
 * the source's class, and since each R-MAT bit of the row and of the column is 0 with the
 * same probability (a+b = a+c when b == c), the target's id keeps its marginal law, so the
 * degree distribution is that of plain R-MAT. Other edges are plain R-MAT draws.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/gen_common.h"

#define RMAT_BLOCK ((int64_t)1 << 20) /* edges per progress report */
#define RMAT_ROUNDS 4                  /* draw rounds to make up for duplicate edges */
/* Sub-streams of PG_RNG_GENERATE (the third counter word) kept apart from the SBM's 0..3. */
enum { RS_PERM = 16, RS_EDGE = 17, RS_FEAT = 18, RS_CENTROID = 19, RS_SPLIT = 20 };

void pargnn_rmat_params_default(pargnn_rmat_params *p) {
    memset(p, 0, sizeof *p);
    p->num_nodes = 10000;
    p->avg_degree = 16;
    p->num_features = 64;
    p->num_classes = 8;
    p->homophily = 0.8;
    p->feature_signal = 0.5;
    p->a = 0.57;
    p->b = 0.19;
    p->c = 0.19;
    p->seed = 0;
}

static pargnn_status check_params(const pargnn_rmat_params *p) {
    PG_TRY(pg_gen_check_params(p->num_classes, p->num_nodes, p->avg_degree, 1e5,
                               "[0, min(nodes, 1e5))", p->num_features, p->homophily));
    if (!(p->feature_signal >= 0 && p->feature_signal <= 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--signal: %g is not in [0, 1]",
                        p->feature_signal);
    const double d = 1 - p->a - p->b - p->c;
    if (!(p->a > 0 && p->b >= 0 && p->c >= 0 && d >= -1e-9 && p->a < 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--a/--b/--c: %g, %g, %g do not leave d = 1 - a - b - c in [0, 1)", p->a,
                        p->b, p->c);
    return pg_gen_check_feature_bytes(p->num_nodes, p->num_features);
}

/* A seeded bijection of [0, 2^s): odd multiplications, xors and xorshifts, each invertible
 * modulo 2^s. It scatters R-MAT's hubs (low ids) over the id range. */
typedef struct perm_key {
    uint32_t mask, shift, mul[3], xr[3];
} perm_key;

static perm_key perm_make(uint64_t seed, int s) {
    perm_key k;
    k.mask = s >= 32 ? 0xffffffffu : (uint32_t)((1ull << s) - 1);
    k.shift = (uint32_t)(s / 2 > 0 ? s / 2 : 1);
    pg_philox_out o = pg_philox(seed, 0, 0, RS_PERM, (uint32_t)PG_RNG_GENERATE << 24);
    pg_philox_out o2 = pg_philox(seed, 1, 0, RS_PERM, (uint32_t)PG_RNG_GENERATE << 24);
    for (int r = 0; r < 3; r++) {
        k.mul[r] = o.v[r] | 1u;
        k.xr[r] = o2.v[r] & k.mask;
    }
    return k;
}

static inline uint32_t perm_apply(const perm_key *k, uint32_t x) {
    for (int r = 0; r < 3; r++) {
        x = (uint32_t)((uint64_t)x * k->mul[r]) & k->mask;
        x ^= k->xr[r];
        x ^= x >> k->shift;
    }
    return x;
}

/* One R-MAT edge as final node ids, or 0 when this attempt must be redrawn (an endpoint
 * outside [0, n) after the permutation, or a self-loop). */
typedef struct rmat_ctx {
    uint64_t seed;
    int s, K;
    uint32_t ta, tab, tabc;   /* 16-bit cumulative thresholds of a, a+b, a+b+c */
    uint64_t thr_h;           /* homophily coin threshold on 32 bits */
    uint32_t n;
    perm_key pk;
} rmat_ctx;

static inline int rmat_attempt(const rmat_ctx *c, int64_t e, uint32_t t, int32_t *ou, int32_t *ov) {
    uint32_t u = 0, v = 0, coin = 0;
    /* Words of 32 bits from Philox, 4 a call: one word holds two levels (16 bits each),
     * and the word after the last level is the homophily coin. */
    const int words = (c->s + 1) / 2 + 1;
    int level = 0;
    for (int w0 = 0; w0 < words; w0 += 4) {
        pg_philox_out o = pg_philox(c->seed, (uint32_t)e, (uint32_t)((uint64_t)e >> 32),
                                    (t << 8) | (uint32_t)(w0 / 4),
                                    ((uint32_t)PG_RNG_GENERATE << 24) | RS_EDGE);
        for (int w = w0; w < w0 + 4 && w < words; w++) {
            const uint32_t word = o.v[w - w0];
            if (w == words - 1) {
                coin = word;
                break;
            }
            for (int half = 0; half < 2 && level < c->s; half++, level++) {
                uint32_t r = (word >> (16 * half)) & 0xffffu;
                uint32_t bu = r >= c->tab, bv = (r >= c->ta && r < c->tab) || r >= c->tabc;
                u = (u << 1) | bu;
                v = (v << 1) | bv;
            }
        }
    }
    if ((uint64_t)coin < c->thr_h) {
        uint32_t low = (1u << c->K) - 1;
        v = (v & ~low) | (u & low);
    }
    uint32_t pu = perm_apply(&c->pk, u), pv = perm_apply(&c->pk, v);
    if (pu >= c->n || pv >= c->n || pu == pv) return 0;
    *ou = (int32_t)pu;
    *ov = (int32_t)pv;
    return 1;
}

/* Edges [b, e) into src/dst; every edge is a function of its index only. */
static pargnn_status draw_edges(const rmat_ctx *c, const pargnn_rmat_params *p, int64_t b,
                                int64_t e, int64_t total, int32_t *src, int32_t *dst) {
    int64_t bad_edge = -1;
    for (int64_t b0 = b; b0 < e; b0 += RMAT_BLOCK) {
        const int64_t b1 = b0 + RMAT_BLOCK < e ? b0 + RMAT_BLOCK : e;
        if (p->progress) p->progress("edges", (double)b0 / (double)total, p->progress_user);
#pragma omp parallel for schedule(static)
        for (int64_t k = b0; k < b1; k++) {
            uint32_t t = 0;
            /* Acceptance is at least 1/4 less the self-loop rate; 2^16 tries never run out
             * short of a bug, which is reported rather than looped on. */
            while (!rmat_attempt(c, k, t, &src[k], &dst[k]))
                if (++t == (1u << 16)) {
#pragma omp critical
                    bad_edge = k;
                    src[k] = dst[k] = 0;
                    break;
                }
        }
    }
    if (bad_edge >= 0)
        return pg_error(PARGNN_STATUS_INTERNAL, "rmat: edge %lld found no valid endpoints",
                        (long long)bad_edge);
    return PARGNN_STATUS_OK;
}

static void report(const pargnn_rmat_params *p, const char *phase, double f) {
    if (p->progress) p->progress(phase, f, p->progress_user);
}

static pargnn_status make_split(pargnn_dataset_t *ds, uint64_t seed) {
    const int64_t n = ds->num_nodes, C = ds->num_classes;
    if (n < 1 || C < 1) return pg_error(PARGNN_STATUS_INTERNAL, "rmat split: empty dataset");
    pargnn_status s = PARGNN_STATUS_OK;
    int64_t *start = NULL;
    int32_t *members = NULL;
    unsigned char *which = pg_alloc((size_t)n, 1, "split marks");
    if (!which) return PARGNN_STATUS_NO_MEMORY;
    if ((s = pg_group_by_class(ds->labels, n, C, &start, &members)) ||
        (s = pg_gen_check_class_sizes(start, C, "has")))
        goto done;
    pg_rng_stream rng;
    pg_rng_stream_init(&rng, seed, PG_RNG_GENERATE, RS_SPLIT);
    memset(which, PG_SPLIT_TEST, (size_t)n);
    for (int64_t c = 0; c < C; c++) { /* partial Fisher-Yates: only the first 50 are needed */
        int32_t *mem = members + start[c];
        const int64_t k = start[c + 1] - start[c];
        for (int64_t i = 0; i < PG_GEN_TRAIN_PER_CLASS + PG_GEN_VALID_PER_CLASS; i++) {
            int64_t j = i + (int64_t)pg_rng_stream_below(&rng, (uint64_t)(k - i));
            int32_t t = mem[i];
            mem[i] = mem[j];
            mem[j] = t;
            which[mem[i]] = i < PG_GEN_TRAIN_PER_CLASS ? PG_SPLIT_TRAIN : PG_SPLIT_VALID;
        }
    }
    s = pg_split_from_tags(ds, which);
done:
    pg_free(start);
    pg_free(members);
    pg_free(which);
    return s;
}

pargnn_status pargnn_generate_rmat(const pargnn_rmat_params *p, pargnn_dataset_t **out) {
    *out = NULL;
    PG_TRY(check_params(p));
    const int64_t n = p->num_nodes, C = p->num_classes, F = p->num_features;
    /* Unique undirected edges wanted; at most every pair of distinct nodes. */
    int64_t m = (int64_t)llround((double)n * p->avg_degree / 2.0);
    if ((double)m > 0.5 * (double)n * (double)(n - 1)) m = n * (n - 1) / 2;
    int s = 1;
    while (((int64_t)1 << s) < n) s++;
    int logc = 0;
    while ((1 << logc) < C) logc++;
    /* K label bits: twice as many patterns as classes keeps class sizes within 1.5x of each
     * other, while the s - K free bits leave a copied edge many targets (fewer duplicates)
     * and rarely a self-loop (n >= 100 C gives s >= logc + 6). */
    int K = logc + 1 < s - 3 ? logc + 1 : s - 3;
    rmat_ctx c = {.seed = p->seed, .s = s, .K = K, .n = (uint32_t)n, .pk = perm_make(p->seed, s)};
    c.ta = (uint32_t)lround(p->a * 65536.0);
    c.tab = (uint32_t)lround((p->a + p->b) * 65536.0);
    c.tabc = (uint32_t)lround((p->a + p->b + p->c) * 65536.0);
    c.thr_h = (uint64_t)llround(p->homophily * 4294967296.0);

    char name[320];
    snprintf(name, sizeof name,
             "rmat(nodes=%lld, avg_degree=%g, features=%lld, classes=%d, homophily=%g, "
             "a=%g, b=%g, c=%g, seed=%llu)", (long long)n, p->avg_degree, (long long)F,
             p->num_classes, p->homophily, p->a, p->b, p->c, (unsigned long long)p->seed);
    pargnn_dataset_t *ds = pg_gen_dataset_new(name, n, p->num_classes);
    if (!ds) return PARGNN_STATUS_NO_MEMORY;
    pargnn_status st = PARGNN_STATUS_OK;
    int32_t *src = NULL, *dst = NULL;
    /* Labels: every R-MAT id whose image is a node gives that node its class. */
    {
        const int64_t N = (int64_t)1 << s;
        const uint32_t low = (1u << K) - 1;
#pragma omp parallel for schedule(static)
        for (int64_t x = 0; x < N; x++) {
            uint32_t i = perm_apply(&c.pk, (uint32_t)x);
            if (i < (uint32_t)n) ds->labels[i] = (int32_t)((((uint64_t)x & low) * (uint64_t)C) >> K);
        }
    }
    /* R-MAT draws many duplicate edges (the hubs meet again and again); m counts unique
     * undirected edges, so more are drawn, in rounds, until about m remain. Each round
     * continues the edge index sequence, so the result stays a function of the seed. */
    int64_t drawn = 0, want = m, unique = 0, last_drawn = 0;
    for (int round = 0; round < RMAT_ROUNDS && (round == 0 || unique < m - m / 200); round++) {
        if (want > drawn) {
            int32_t *ns = realloc(src, (size_t)want * sizeof(int32_t));
            if (ns) src = ns;
            int32_t *nd = ns ? realloc(dst, (size_t)want * sizeof(int32_t)) : NULL;
            if (nd) dst = nd;
            if (!ns || !nd) {
                st = pg_error(PARGNN_STATUS_NO_MEMORY, "rmat: cannot hold %lld edges",
                              (long long)want);
                goto done;
            }
            if ((st = draw_edges(&c, p, drawn, want, want, src, dst))) goto done;
            drawn = want;
        }
        report(p, "edges", 1);
        report(p, "adjacency", 0);
        pg_csr_free(&ds->adj);
        if ((st = pg_csr_from_undirected(n, drawn, src, dst, &ds->adj))) goto done;
        const int64_t prev_unique = unique, prev_drawn = last_drawn;
        unique = ds->adj.nnz / 2; /* no self-loops: each edge is stored twice */
        last_drawn = drawn;
        if (unique == 0) break;
        /* New draws are duplicates more often than the average so far: the first extra
         * round assumes 75% of the average yield, later ones the last round's yield. */
        double yield = round == 0 ? 0.75 * (double)unique / (double)drawn
                                  : (double)(unique - prev_unique) / (double)(drawn - prev_drawn);
        if (yield < 1e-3) break;
        want = drawn + (int64_t)((double)(m - unique) / yield) + 1;
        if (want > 8 * m) want = 8 * m; /* a graph this close to full gains little more */
    }
    pg_free(src);
    pg_free(dst);
    src = dst = NULL;
    report(p, "adjacency", 1);
    if ((st = pg_mat_alloc(&ds->feat, n, F, 0, "features"))) goto done;
    {
        /* Centroids: C x F uniforms, drawn once. */
        pg_real *cent = pg_alloc((size_t)C * (size_t)F, sizeof(pg_real), "class centroids");
        if (!cent) {
            st = PARGNN_STATUS_NO_MEMORY;
            goto done;
        }
        for (int64_t k = 0; k < C; k++)
            for (int64_t j = 0; j < F; j++)
                cent[k * F + j] = (pg_real)pg_u32_to_unit(
                    pg_rng_u32(p->seed, PG_RNG_GENERATE, RS_CENTROID, 0, (uint32_t)k, (uint32_t)j));
        const double S = p->feature_signal;
        const int64_t rows_block = RMAT_BLOCK / (F < 64 ? 1 : F / 64) + 1;
        for (int64_t r0 = 0; r0 < n; r0 += rows_block) {
            const int64_t r1 = r0 + rows_block < n ? r0 + rows_block : n;
            report(p, "features", (double)r0 / (double)n);
#pragma omp parallel for schedule(static)
            for (int64_t i = r0; i < r1; i++) {
                pg_real *row = ds->feat.data + i * F;
                const pg_real *mu = cent + (int64_t)ds->labels[i] * F;
                for (int64_t j = 0; j < F; j += 4) { /* one Philox call gives 4 columns */
                    pg_philox_out o = pg_philox(p->seed, (uint32_t)i, (uint32_t)(j >> 2), RS_FEAT,
                                                (uint32_t)PG_RNG_GENERATE << 24);
                    for (int64_t q = 0; q < 4 && j + q < F; q++)
                        row[j + q] = (pg_real)((1 - S) * pg_u32_to_unit(o.v[q]) + S * mu[j + q]);
                }
            }
        }
        pg_free(cent);
        report(p, "features", 1);
    }
    if ((st = pg_dataset_finish_features(ds))) goto done;
    if ((st = make_split(ds, p->seed))) goto done;
    st = pg_dataset_validate(ds);
done:
    pg_free(src);
    pg_free(dst);
    if (st) pargnn_dataset_free(ds);
    else *out = ds;
    return st;
}
