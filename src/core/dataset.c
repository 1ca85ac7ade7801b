/*
 * Dataset lifetime, the undirected-edge-list to CSR builder, feature storage choice and
 * structural validation. File formats live in src/io/, not here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/dataset.h"

const char *const pg_split_names[3] = {"train", "valid", "test"};

pargnn_dataset_t *pg_dataset_new(void) {
    pargnn_dataset_t *ds = calloc(1, sizeof *ds);
    if (!ds) pg_error(PARGNN_STATUS_NO_MEMORY, "dataset: cannot allocate");
    return ds;
}

void pargnn_dataset_free(pargnn_dataset_t *ds) {
    if (!ds) return;
    free(ds->name);
    free(ds->split_name);
    if (!(ds->borrowed & PG_DS_ADJ)) pg_csr_free(&ds->adj);
    if (!(ds->borrowed & PG_DS_FEAT)) {
        pg_mat_free(&ds->feat);
        pg_csr_free(&ds->feat_csr);
    }
    if (!(ds->borrowed & PG_DS_LABELS)) pg_free(ds->labels);
    if (!(ds->borrowed & PG_DS_SPLITS))
        for (int s = 0; s < 3; s++) pg_free(ds->split_idx[s]);
    if (!(ds->borrowed & PG_DS_ORIG_IDS)) pg_free(ds->orig_ids);
    if (ds->map_base) munmap(ds->map_base, ds->map_len);
    free(ds);
}

int64_t pargnn_dataset_original_id(const pargnn_dataset_t *ds, int64_t i) {
    return ds->orig_ids && i >= 0 && i < ds->num_nodes ? ds->orig_ids[i] : i;
}

int pargnn_dataset_has_labels(const pargnn_dataset_t *ds) { return ds->labels != NULL; }

void pargnn_dataset_get_info(const pargnn_dataset_t *ds, pargnn_dataset_info *info) {
    memset(info, 0, sizeof *info);
    info->num_nodes = ds->num_nodes;
    info->num_edges = ds->adj.nnz;
    info->num_features = ds->num_features;
    info->feature_nnz = ds->feat_nnz;
    info->num_classes = ds->num_classes;
    info->num_train = ds->split_len[PG_SPLIT_TRAIN];
    info->num_valid = ds->split_len[PG_SPLIT_VALID];
    info->num_test = ds->split_len[PG_SPLIT_TEST];
    info->split = ds->split_name ? ds->split_name : "";
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

pargnn_status pg_csr_from_undirected(int64_t n, int64_t m, const int32_t *src,
                                     const int32_t *dst, pg_csr *out) {
    memset(out, 0, sizeof *out);
    int64_t *rowptr = pg_calloc((size_t)n + 1, sizeof(int64_t), "adjacency row offsets");
    if (!rowptr) return PARGNN_STATUS_NO_MEMORY;
    for (int64_t e = 0; e < m; e++) {
        rowptr[src[e] + 1]++;
        if (src[e] != dst[e]) rowptr[dst[e] + 1]++;
    }
    for (int64_t i = 0; i < n; i++) rowptr[i + 1] += rowptr[i];
    int64_t total = rowptr[n];
    int32_t *col = pg_alloc((size_t)(total > 0 ? total : 1), sizeof(int32_t), "adjacency columns");
    int64_t *fill = pg_alloc((size_t)n + 1, sizeof(int64_t), "adjacency fill cursor");
    if (!col || !fill) {
        pg_free(rowptr), pg_free(col), pg_free(fill);
        return PARGNN_STATUS_NO_MEMORY;
    }
    memcpy(fill, rowptr, ((size_t)n + 1) * sizeof(int64_t));
    for (int64_t e = 0; e < m; e++) {
        col[fill[src[e]]++] = dst[e];
        if (src[e] != dst[e]) col[fill[dst[e]]++] = src[e];
    }
    /* Sort each row and drop its duplicates in parallel (rows are independent, so the result
     * does not depend on the thread count; this was most of the time of a 62M-edge build),
     * fill[i] = row i's unique count; then compact the rows in place, serially. */
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t i = 0; i < n; i++) {
        int64_t b = rowptr[i], e = rowptr[i + 1], u = b;
        qsort(col + b, (size_t)(e - b), sizeof(int32_t), cmp_i32);
        for (int64_t k = b; k < e; k++)
            if (k == b || col[k] != col[k - 1]) col[u++] = col[k];
        fill[i] = u - b;
    }
    int64_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t b = rowptr[i], d = fill[i];
        if (w != b) memmove(col + w, col + b, (size_t)d * sizeof(int32_t));
        rowptr[i] = w;
        w += d;
    }
    rowptr[n] = w;
    pg_free(fill);
    if (w < total) { /* give back the room the duplicates took (keeping pg_alloc's alignment) */
        int32_t *shrunk = pg_alloc((size_t)(w > 0 ? w : 1), sizeof(int32_t), "adjacency columns");
        if (shrunk) {
            memcpy(shrunk, col, (size_t)w * sizeof(int32_t));
            pg_free(col);
            col = shrunk;
        } else {
            pg_clear_error(); /* keeping the larger array is fine */
        }
    }
    out->nrows = out->ncols = n;
    out->nnz = w;
    out->rowptr = rowptr;
    out->col = col;
    out->val = NULL;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_dataset_finish_features(pargnn_dataset_t *ds) {
    const int64_t n = ds->feat.rows, f = ds->feat.cols;
    int64_t nnz = 0;
    const size_t total = (size_t)n * (size_t)f;
    for (size_t k = 0; k < total; k++) nnz += ds->feat.data[k] != 0;
    ds->feat_nnz = nnz;
    ds->num_features = f;
    if (total == 0 || (double)nnz >= PG_SPARSE_FEATURE_DENSITY * (double)total) {
        ds->feat_sparse = 0;
        return PARGNN_STATUS_OK;
    }
    pg_csr *a = &ds->feat_csr;
    a->nrows = n;
    a->ncols = f;
    a->nnz = nnz;
    a->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "feature row offsets");
    a->col = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(int32_t), "feature columns");
    a->val = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(pg_real), "feature values");
    if (!a->rowptr || !a->col || !a->val) {
        pg_csr_free(a);
        return PARGNN_STATUS_NO_MEMORY;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        a->rowptr[i] = k;
        const pg_real *row = ds->feat.data + i * f;
        for (int64_t j = 0; j < f; j++)
            if (row[j] != 0) {
                a->col[k] = (int32_t)j;
                a->val[k++] = row[j];
            }
    }
    a->rowptr[n] = k;
    pg_mat_free(&ds->feat);
    ds->feat.rows = n; /* keep the shape for reference; data is gone */
    ds->feat.cols = f;
    ds->feat_sparse = 1;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_dataset_validate(const pargnn_dataset_t *ds) {
    const char *name = ds->name ? ds->name : "dataset";
    if (ds->num_nodes <= 0 || ds->num_nodes > INT32_MAX)
        return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: node count %lld out of range [1, %d]", name,
                        (long long)ds->num_nodes, INT32_MAX);
    if (ds->adj.nrows != ds->num_nodes)
        return pg_error(PARGNN_STATUS_INTERNAL, "%s: adjacency has %lld rows for %lld nodes",
                        name, (long long)ds->adj.nrows, (long long)ds->num_nodes);
    if (ds->num_features <= 0)
        return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no features", name);
    if (ds->labels && ds->num_classes <= 0)
        return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no classes", name);
    for (int64_t e = 0; e < ds->adj.nnz; e++)
        if (ds->adj.col[e] < 0 || ds->adj.col[e] >= ds->num_nodes)
            return pg_error(PARGNN_STATUS_INTERNAL, "%s: adjacency column %d out of range", name,
                            ds->adj.col[e]);
    if (!ds->labels) { /* unlabelled: no classes and no split to check */
        if (ds->num_classes != 0 || ds->split_len[0] || ds->split_len[1] || ds->split_len[2])
            return pg_error(PARGNN_STATUS_INTERNAL, "%s: classes or a split without labels", name);
        return PARGNN_STATUS_OK;
    }
    for (int64_t i = 0; i < ds->num_nodes; i++)
        if (ds->labels[i] < 0 || ds->labels[i] >= ds->num_classes)
            return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: label of node %lld is %d, not in [0, %d)",
                            name, (long long)i, ds->labels[i], ds->num_classes);
    unsigned char *seen = pg_calloc((size_t)ds->num_nodes, 1, "split check");
    if (!seen) return PARGNN_STATUS_NO_MEMORY;
    for (int s = 0; s < 3; s++) {
        for (int64_t k = 0; k < ds->split_len[s]; k++) {
            int32_t v = ds->split_idx[s][k];
            if (v < 0 || v >= ds->num_nodes || (k > 0 && v <= ds->split_idx[s][k - 1])) continue;
            if (seen[v]) {
                pg_free(seen);
                return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: node %d is in the %s split and in an earlier one",
                                name, v, pg_split_names[s]);
            }
            seen[v] = 1;
        }
    }
    pg_free(seen);
    for (int s = 0; s < 3; s++) {
        if (ds->split_len[s] <= 0)
            return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: %s split is empty", name, pg_split_names[s]);
        for (int64_t k = 0; k < ds->split_len[s]; k++) {
            int32_t v = ds->split_idx[s][k];
            if (v < 0 || v >= ds->num_nodes)
                return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: %s split holds node %d, not in [0, %lld)",
                                name, pg_split_names[s], v, (long long)ds->num_nodes);
            if (k > 0 && v <= ds->split_idx[s][k - 1])
                return pg_error(PARGNN_STATUS_INTERNAL, "%s: %s split ids not ascending and unique at %d",
                                name, pg_split_names[s], v);
        }
    }
    return PARGNN_STATUS_OK;
}
