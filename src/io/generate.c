/*
 * Synthetic graphs with something to learn: a stochastic block model with planted classes,
 * class-dependent noisy binary features and a 20/30-per-class train/valid split. All draws
 * come from the counter-based generator, so a seed gives the same graph everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "core/rng.h"

#define SBM_TRAIN_PER_CLASS 20
#define SBM_VALID_PER_CLASS 30
/* Feature j is a marker of class j % C: on with this probability for that class... */
#define SBM_P_MARKER 0.2
/* ...and with this one otherwise. */
#define SBM_P_NOISE 0.05

void pargnn_sbm_params_default(pargnn_sbm_params *p) {
    p->num_nodes = 2000;
    p->avg_degree = 8;
    p->num_features = 64;
    p->num_classes = 4;
    p->homophily = 0.8;
    p->seed = 0;
}

static pargnn_status check_params(const pargnn_sbm_params *p) {
    if (p->num_classes < 2 || p->num_classes > 65536)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--classes: %d is not in [2, 65536]",
                        p->num_classes);
    const int64_t need = (int64_t)p->num_classes * (SBM_TRAIN_PER_CLASS + SBM_VALID_PER_CLASS) * 2;
    if (p->num_nodes < need || p->num_nodes > INT32_MAX - 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--nodes: %lld is not in [%lld, %d] (at least 100 per class)",
                        (long long)p->num_nodes, (long long)need, INT32_MAX - 1);
    if (!(p->avg_degree >= 0 && p->avg_degree <= 1e6) || p->avg_degree >= (double)p->num_nodes)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--avg-degree: %g is not in [0, nodes)",
                        p->avg_degree);
    if (p->num_features < 1 || p->num_features > (1 << 20))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--features: %lld is not in [1, %d]",
                        (long long)p->num_features, 1 << 20);
    if (!(p->homophily >= 0 && p->homophily <= 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--homophily: %g is not in [0, 1]",
                        p->homophily);
    double bytes = (double)p->num_nodes * (double)p->num_features * sizeof(pg_real);
    if (bytes > 64e9)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--nodes x --features: %.3g GB of features is more than this generator makes",
                        bytes / 1e9);
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_generate_sbm(const pargnn_sbm_params *p, pargnn_dataset_t **out) {
    *out = NULL;
    PG_TRY(check_params(p));
    const int64_t n = p->num_nodes, C = p->num_classes, F = p->num_features;
    const int64_t m = (int64_t)llround((double)n * p->avg_degree / 2.0);
    pargnn_dataset_t *ds = pg_dataset_new();
    if (!ds) return PARGNN_STATUS_NO_MEMORY;
    pargnn_status s = PARGNN_STATUS_OK;
    int32_t *src = NULL, *dst = NULL, *members = NULL;
    int64_t *start = NULL;
    char name[256];
    snprintf(name, sizeof name, "sbm(nodes=%lld, avg_degree=%g, features=%lld, classes=%d, homophily=%g, seed=%llu)",
             (long long)n, p->avg_degree, (long long)F, p->num_classes, p->homophily,
             (unsigned long long)p->seed);
    ds->name = strdup(name);
    ds->split_name = strdup("random20");
    ds->num_nodes = n;
    ds->num_classes = p->num_classes;
    ds->labels = pg_alloc((size_t)n, sizeof(int32_t), "labels");
    start = pg_calloc((size_t)C + 1, sizeof(int64_t), "class offsets");
    members = pg_alloc((size_t)n, sizeof(int32_t), "class members");
    src = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge sources");
    dst = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge targets");
    if (!ds->name || !ds->split_name || !ds->labels || !start || !members || !src || !dst) {
        s = PARGNN_STATUS_NO_MEMORY;
        goto done;
    }
    pg_rng_stream rng;
    pg_rng_stream_init(&rng, p->seed, PG_RNG_GENERATE, 0);
    for (int64_t i = 0; i < n; i++) ds->labels[i] = (int32_t)pg_rng_stream_below(&rng, (uint64_t)C);
    for (int64_t i = 0; i < n; i++) start[ds->labels[i] + 1]++;
    for (int64_t c = 0; c < C; c++) start[c + 1] += start[c];
    for (int64_t c = 0; c < C; c++)
        if (start[c + 1] - start[c] < SBM_TRAIN_PER_CLASS + SBM_VALID_PER_CLASS + 1) {
            s = pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                         "--nodes: class %lld drew only %lld nodes; use more nodes or fewer classes",
                         (long long)c, (long long)(start[c + 1] - start[c]));
            goto done;
        }
    {
        int64_t *fill = pg_alloc((size_t)C, sizeof(int64_t), "class cursor");
        if (!fill) {
            s = PARGNN_STATUS_NO_MEMORY;
            goto done;
        }
        memcpy(fill, start, (size_t)C * sizeof(int64_t));
        for (int64_t i = 0; i < n; i++) members[fill[ds->labels[i]]++] = (int32_t)i;
        pg_free(fill);
    }
    /* Edges: a uniform source; the target from its class with probability homophily,
     * otherwise from a uniformly chosen other class. Self-loops are redrawn. */
    pg_rng_stream_init(&rng, p->seed, PG_RNG_GENERATE, 1);
    for (int64_t e = 0; e < m; e++) {
        int32_t u, v;
        do {
            u = (int32_t)pg_rng_stream_below(&rng, (uint64_t)n);
            int64_t c = ds->labels[u];
            if (pg_rng_stream_unit(&rng) >= p->homophily) {
                int64_t o = (int64_t)pg_rng_stream_below(&rng, (uint64_t)(C - 1));
                c = o >= c ? o + 1 : o;
            }
            v = members[start[c] + (int64_t)pg_rng_stream_below(&rng, (uint64_t)(start[c + 1] - start[c]))];
        } while (u == v);
        src[e] = u;
        dst[e] = v;
    }
    if ((s = pg_csr_from_undirected(n, m, src, dst, &ds->adj))) goto done;
    if ((s = pg_mat_alloc(&ds->feat, n, F, 1, "features"))) goto done;
    {
        const uint32_t thr_marker = (uint32_t)(SBM_P_MARKER * 4294967296.0);
        const uint32_t thr_noise = (uint32_t)(SBM_P_NOISE * 4294967296.0);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < F; j++) {
                uint32_t u = pg_rng_u32(p->seed, PG_RNG_GENERATE, 2, 0, (uint32_t)i, (uint32_t)j);
                uint32_t thr = (j % C) == ds->labels[i] ? thr_marker : thr_noise;
                ds->feat.data[i * F + j] = u < thr ? 1 : 0;
            }
    }
    if ((s = pg_dataset_finish_features(ds))) goto done;
    /* Split: per class, a seeded shuffle; the first 20 train, the next 30 valid, rest test. */
    for (int sp = 0; sp < 3; sp++) {
        int64_t len = sp == 0 ? C * SBM_TRAIN_PER_CLASS
                     : sp == 1 ? C * SBM_VALID_PER_CLASS
                               : n - C * (SBM_TRAIN_PER_CLASS + SBM_VALID_PER_CLASS);
        ds->split_len[sp] = 0;
        if (!(ds->split_idx[sp] = pg_alloc((size_t)len, sizeof(int32_t), "split"))) {
            s = PARGNN_STATUS_NO_MEMORY;
            goto done;
        }
    }
    pg_rng_stream_init(&rng, p->seed, PG_RNG_GENERATE, 3);
    for (int64_t c = 0; c < C; c++) {
        int32_t *mem = members + start[c];
        const int64_t k = start[c + 1] - start[c];
        for (int64_t i = k - 1; i > 0; i--) { /* Fisher-Yates */
            int64_t j = (int64_t)pg_rng_stream_below(&rng, (uint64_t)(i + 1));
            int32_t t = mem[i];
            mem[i] = mem[j];
            mem[j] = t;
        }
        for (int64_t i = 0; i < k; i++) {
            int sp = i < SBM_TRAIN_PER_CLASS ? 0 : i < SBM_TRAIN_PER_CLASS + SBM_VALID_PER_CLASS ? 1 : 2;
            ds->split_idx[sp][ds->split_len[sp]++] = mem[i];
        }
    }
    for (int sp = 0; sp < 3; sp++) { /* ascending ids, as the loaders produce */
        int32_t *a = ds->split_idx[sp];
        int64_t len = ds->split_len[sp];
        /* counting pass over a node bitmap keeps this O(n) */
        unsigned char *mark = pg_calloc((size_t)n, 1, "split marks");
        if (!mark) {
            s = PARGNN_STATUS_NO_MEMORY;
            goto done;
        }
        for (int64_t k = 0; k < len; k++) mark[a[k]] = 1;
        int64_t w = 0;
        for (int64_t i = 0; i < n; i++)
            if (mark[i]) a[w++] = (int32_t)i;
        pg_free(mark);
    }
    s = pg_dataset_validate(ds);
done:
    pg_free(src);
    pg_free(dst);
    pg_free(members);
    pg_free(start);
    if (s) pargnn_dataset_free(ds);
    else *out = ds;
    return s;
}
