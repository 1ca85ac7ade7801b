/*
 * Synthetic graphs with something to learn: a stochastic block model with planted classes,
 * class-dependent noisy binary features and a 20/30-per-class train/valid split. All draws
 * come from the counter-based generator, so a seed gives the same graph everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/gen_common.h"

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
    PG_TRY(pg_gen_check_params(p->num_classes, p->num_nodes, p->avg_degree, 1e6, "[0, nodes)",
                               p->num_features, p->homophily));
    return pg_gen_check_feature_bytes(p->num_nodes, p->num_features);
}

pargnn_status pargnn_generate_sbm(const pargnn_sbm_params *p, pargnn_dataset_t **out) {
    *out = NULL;
    PG_TRY(check_params(p));
    const int64_t n = p->num_nodes, C = p->num_classes, F = p->num_features;
    const int64_t m = (int64_t)llround((double)n * p->avg_degree / 2.0);
    char name[256];
    snprintf(name, sizeof name, "sbm(nodes=%lld, avg_degree=%g, features=%lld, classes=%d, homophily=%g, seed=%llu)",
             (long long)n, p->avg_degree, (long long)F, p->num_classes, p->homophily,
             (unsigned long long)p->seed);
    pargnn_dataset_t *ds = pg_gen_dataset_new(name, n, p->num_classes);
    if (!ds) return PARGNN_STATUS_NO_MEMORY;
    pargnn_status s = PARGNN_STATUS_OK;
    int32_t *members = NULL;
    int64_t *start = NULL;
    unsigned char *tag = NULL;
    int32_t *src = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge sources");
    int32_t *dst = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge targets");
    if (!src || !dst) {
        s = PARGNN_STATUS_NO_MEMORY;
        goto done;
    }
    pg_rng_stream rng;
    pg_rng_stream_init(&rng, p->seed, PG_RNG_GENERATE, 0);
    for (int64_t i = 0; i < n; i++) ds->labels[i] = (int32_t)pg_rng_stream_below(&rng, (uint64_t)C);
    if ((s = pg_group_by_class(ds->labels, n, C, &start, &members)) ||
        (s = pg_gen_check_class_sizes(start, C, "drew")))
        goto done;
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
    if (!(tag = pg_alloc((size_t)n, 1, "split tags"))) {
        s = PARGNN_STATUS_NO_MEMORY;
        goto done;
    }
    pg_rng_stream_init(&rng, p->seed, PG_RNG_GENERATE, 3);
    for (int64_t c = 0; c < C; c++) {
        int32_t *mem = members + start[c];
        const int64_t k = start[c + 1] - start[c];
        pg_shuffle_i32(&rng, mem, k);
        for (int64_t i = 0; i < k; i++)
            tag[mem[i]] = i < PG_GEN_TRAIN_PER_CLASS ? PG_SPLIT_TRAIN
                        : i < PG_GEN_TRAIN_PER_CLASS + PG_GEN_VALID_PER_CLASS ? PG_SPLIT_VALID
                                                                              : PG_SPLIT_TEST;
    }
    if ((s = pg_split_from_tags(ds, tag))) goto done;
    s = pg_dataset_validate(ds);
done:
    pg_free(src);
    pg_free(dst);
    pg_free(members);
    pg_free(start);
    pg_free(tag);
    if (s) pargnn_dataset_free(ds);
    else *out = ds;
    return s;
}
