/*
 * Parameter checks, grouping by class, shuffling and split building shared by the SBM and
 * R-MAT generators and the edge-list random split (see gen_common.h). No random draws of
 * its own: callers pass their streams, so each generator's output stays what it was.
 */
#include <string.h>

#include "io/gen_common.h"

pargnn_status pg_gen_check_params(int num_classes, int64_t num_nodes, double avg_degree,
                                  double max_degree, const char *degree_range,
                                  int64_t num_features, double homophily) {
    if (num_classes < 2 || num_classes > 65536)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--classes: %d is not in [2, 65536]",
                        num_classes);
    const int64_t need = (int64_t)num_classes * (PG_GEN_TRAIN_PER_CLASS + PG_GEN_VALID_PER_CLASS) * 2;
    if (num_nodes < need || num_nodes > INT32_MAX - 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--nodes: %lld is not in [%lld, %d] (at least 100 per class)",
                        (long long)num_nodes, (long long)need, INT32_MAX - 1);
    if (!(avg_degree >= 0 && avg_degree <= max_degree) || avg_degree >= (double)num_nodes)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--avg-degree: %g is not in %s",
                        avg_degree, degree_range);
    if (num_features < 1 || num_features > (1 << 20))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--features: %lld is not in [1, %d]",
                        (long long)num_features, 1 << 20);
    if (!(homophily >= 0 && homophily <= 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--homophily: %g is not in [0, 1]",
                        homophily);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_gen_check_feature_bytes(int64_t num_nodes, int64_t num_features) {
    double bytes = (double)num_nodes * (double)num_features * sizeof(pg_real);
    if (bytes > 64e9)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--nodes x --features: %.3g GB of features is more than this generator makes",
                        bytes / 1e9);
    return PARGNN_STATUS_OK;
}

pargnn_dataset_t *pg_gen_dataset_new(const char *name, int64_t n, int32_t C) {
    pargnn_dataset_t *ds = pg_dataset_new();
    if (!ds) return NULL;
    ds->name = strdup(name);
    ds->split_name = strdup("random20");
    ds->num_nodes = n;
    ds->num_classes = C;
    ds->labels = pg_alloc((size_t)n, sizeof(int32_t), "labels");
    if (!ds->name || !ds->split_name || !ds->labels) {
        pargnn_dataset_free(ds);
        pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate the dataset", name);
        return NULL;
    }
    return ds;
}

pargnn_status pg_group_by_class(const int32_t *labels, int64_t n, int64_t C, int64_t **start,
                                int32_t **members) {
    int64_t *st = *start = pg_calloc((size_t)C + 1, sizeof(int64_t), "class offsets");
    int32_t *mem = *members = pg_alloc((size_t)(n > 0 ? n : 1), sizeof(int32_t), "class members");
    int64_t *fill = pg_alloc((size_t)C, sizeof(int64_t), "class cursor");
    if (!st || !mem || !fill) {
        pg_free(fill);
        return PARGNN_STATUS_NO_MEMORY;
    }
    for (int64_t i = 0; i < n; i++) st[labels[i] + 1]++;
    for (int64_t c = 0; c < C; c++) st[c + 1] += st[c];
    memcpy(fill, st, (size_t)C * sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) mem[fill[labels[i]]++] = (int32_t)i;
    pg_free(fill);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_gen_check_class_sizes(const int64_t *start, int64_t C, const char *verb) {
    for (int64_t c = 0; c < C; c++)
        if (start[c + 1] - start[c] < PG_GEN_TRAIN_PER_CLASS + PG_GEN_VALID_PER_CLASS + 1)
            return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                            "--nodes: class %lld %s only %lld nodes; use more nodes or fewer classes",
                            (long long)c, verb, (long long)(start[c + 1] - start[c]));
    return PARGNN_STATUS_OK;
}

void pg_shuffle_i32(pg_rng_stream *rng, int32_t *a, int64_t k) {
    for (int64_t i = k - 1; i > 0; i--) {
        int64_t j = (int64_t)pg_rng_stream_below(rng, (uint64_t)(i + 1));
        int32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

pargnn_status pg_split_from_tags(pargnn_dataset_t *ds, const unsigned char *tag) {
    const int64_t n = ds->num_nodes;
    int64_t len[3] = {0, 0, 0};
    for (int64_t i = 0; i < n; i++) len[tag[i]]++;
    for (int sp = 0; sp < 3; sp++) {
        ds->split_len[sp] = 0;
        ds->split_idx[sp] = pg_alloc((size_t)(len[sp] > 0 ? len[sp] : 1), sizeof(int32_t), "split ids");
        if (!ds->split_idx[sp]) return PARGNN_STATUS_NO_MEMORY;
    }
    for (int64_t i = 0; i < n; i++) ds->split_idx[tag[i]][ds->split_len[tag[i]]++] = (int32_t)i;
    return PARGNN_STATUS_OK;
}
