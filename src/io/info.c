/*
 * Dataset statistics for `pargnn info`: counts, degree distribution, components (union-find,
 * no recursion), feature density, classes, split sizes, and the memory a GCN trainer would
 * allocate. Formatting for humans or JSON is the CLI's job, not this file's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "nn/net.h"
#include "ops/ops.h"

static int32_t find_root(int32_t *parent, int32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]]; /* path halving keeps trees shallow without recursion */
        x = parent[x];
    }
    return x;
}

/* Whether row i of a (sorted columns) holds j. */
static int row_has(const pg_csr *a, int64_t i, int32_t j) {
    int64_t lo = a->rowptr[i], hi = a->rowptr[i + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a->col[mid] < j) lo = mid + 1;
        else hi = mid;
    }
    return lo < a->rowptr[i + 1] && a->col[lo] == j;
}

static int64_t csr_bytes(const pg_csr *a, int with_val) {
    if (!a->rowptr) return 0;
    return (a->nrows + 1) * 8 + a->nnz * (int64_t)(sizeof(int32_t) + (with_val ? sizeof(pg_real) : 0));
}

/* Bytes pargnn_trainer_create allocates for ds and cfg, following pg_prepare (normalised
 * adjacency and feature copy), pg_net_init (five parameter-sized buffers, a sixth in double
 * with --reproducible) and
 * pg_net_workspace (per-layer outputs, dropout copies, aggregated inputs, two gradient
 * scratch buffers), plus the best weights. Layer shapes come from pg_net_init itself. */
static pargnn_status train_bytes(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                 int64_t self_loops, int64_t *out) {
    pg_net net;
    pargnn_config layout = *cfg; /* the layout alone: no double gradients needed for it */
    layout.reproducible = 0;
    PG_TRY(pg_net_init(&net, &layout, ds->num_features, ds->num_classes > 0 ? ds->num_classes : 1,
                       ds->feat_sparse, pg_backend_ref()));
    const int64_t n = ds->num_nodes, R = (int64_t)sizeof(pg_real);
    const int64_t xnnz = ds->feat_sparse ? ds->feat_csr.nnz : 0;
    double b = 0;
    /* pg_prepare: GCN's A_hat with a self-loop on every node, values included (GAT: the same
     * structure; SAGE, GIN: A as loaded, plus SAGE's row scales) */
    if (cfg->model == PARGNN_MODEL_GCN || cfg->model == PARGNN_MODEL_GAT)
        b += (double)(n + 1) * 8 + (double)(ds->adj.nnz + n - self_loops) * (4 + R);
    else
        b += (double)(n + 1) * 8 + (double)ds->adj.nnz * (4 + R) + (double)n * R;
    b += ds->feat_sparse ? (double)(n + 1) * 8 + (double)(xnnz + 1) * (4 + R)
                         : (double)n * (double)ds->num_features * R;
    b += 6.0 * (double)net.num_params * R; /* params, grads, m, v, decay, best */
    int64_t maxd = 0, gat_kmax = 0;
    for (int32_t l = 0; l < net.num_layers; l++) {
        const pg_layer *ly = &net.layers[l];
        const int dense_in = l > 0 || !net.input_sparse;
        if (ly->fout > maxd) maxd = ly->fout;
        if (dense_in && ly->fin > maxd) maxd = ly->fin;
        b += (double)n * (double)ly->fout * R;                                  /* Z */
        if (dense_in && (cfg->dropout > 0 || ly->aggregate_first))
            b += (double)n * (double)ly->fin * R;                               /* H */
        if (ly->aggregate_first) b += (double)n * (double)ly->fin * R;          /* T */
        if (ly->mid > maxd) maxd = ly->mid;
        if (ly->kind == PARGNN_MODEL_GIN) /* R, and P = H W when transforming first */
            b += (double)n * (double)ly->mid * R * (ly->aggregate_first ? 1 : 2);
        if (ly->kind == PARGNN_MODEL_GAT) { /* P, scores, coefficients (and dropped ones) */
            const double e = (double)(ds->adj.nnz + n - self_loops);
            b += (double)n * (double)ly->mid * R + 3.0 * (double)n * (double)ly->heads * R;
            b += e * (double)ly->heads * R * (cfg->attn_dropout > 0 ? 2 : 1);
            if (ly->heads > gat_kmax) gat_kmax = ly->heads;
        }
    }
    if (cfg->model == PARGNN_MODEL_GAT) { /* edge lists, transpose, edge and score scratch */
        const double e = (double)(ds->adj.nnz + n - self_loops);
        b += (double)(n + 1) * 16 + e * (4 + 4 + 8) + e * (double)gat_kmax * R +
             2.0 * (double)n * (double)gat_kmax * R;
    }
    if (cfg->reproducible) { /* double gradients; GAT's source sums in double */
        b += 8.0 * (double)net.num_params;
        if (cfg->model == PARGNN_MODEL_GAT) {
            int64_t fmax = 1;
            for (int32_t l = 0; l < net.num_layers; l++)
                if (net.layers[l].mid > fmax) fmax = net.layers[l].mid;
            b += 8.0 * (double)n * (double)(fmax + gat_kmax);
        }
    }
    int any_res = 0;
    for (int32_t l = 0; l < net.num_layers; l++) { /* epilogues (nn/epilogue.c) */
        const pg_layer *ly = &net.layers[l];
        const double nf = (double)n * (double)ly->fout * R;
        const pg_norm_site *sites[2] = {&ly->norm, &ly->mlp_norm}; /* xhat, statistics */
        for (int i = 0; i < 2; i++)
            if (sites[i]->kind != PARGNN_NORM_NONE)
                b += (double)n * (double)sites[i]->f * R + (double)(n > sites[i]->f ? n : sites[i]->f) * R;
        if (ly->l2norm) b += nf + (double)n * R;
        if (ly->residual) b += nf; /* the activation */
        any_res |= ly->residual;
    }
    if (any_res) b += (double)n * (double)maxd * R; /* the residual gradient */
    b += 2.0 * (double)n * (double)maxd * R; /* gA, gB */
    if (cfg->model == PARGNN_MODEL_SAGE) b += (double)n * (double)maxd * R; /* gC */
    if (net.input_sparse) b += (double)(xnnz > 0 ? xnnz : 1) * R;
    b += 2.0 * (double)(cfg->epochs + 1) * 8; /* loss curve, step times */
    pg_net_free(&net);
    *out = b > 9.2e18 ? INT64_MAX : (int64_t)b;
    return PARGNN_STATUS_OK;
}

void pargnn_dataset_stats_free(pargnn_dataset_stats *s) {
    if (!s) return;
    free(s->class_counts);
    s->class_counts = NULL;
}

pargnn_status pargnn_dataset_stats_compute(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                           pargnn_dataset_stats *s) {
    memset(s, 0, sizeof *s);
    if (!ds) return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset stats: no dataset");
    if (cfg) PG_TRY(pargnn_config_validate(cfg));
    const pg_csr *a = &ds->adj;
    const int64_t n = ds->num_nodes;
    s->num_nodes = n;
    s->directed = ds->directed;
    s->num_entries = a->nnz;

    int32_t *parent = pg_alloc((size_t)n, sizeof(int32_t), "component roots");
    int64_t *outdeg = pg_calloc((size_t)n, sizeof(int64_t), "out-degrees");
    unsigned char *touched = pg_calloc((size_t)n, 1, "isolated-node marks");
    if (!parent || !outdeg || !touched) {
        pg_free(parent), pg_free(outdeg), pg_free(touched);
        return PARGNN_STATUS_NO_MEMORY;
    }
    for (int64_t i = 0; i < n; i++) parent[i] = (int32_t)i;
    int64_t mutual = 0, deg_max = 0, deg_min = INT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        const int64_t d = a->rowptr[i + 1] - a->rowptr[i];
        if (d > deg_max) deg_max = d;
        if (d < deg_min) deg_min = d;
        for (int64_t e = a->rowptr[i]; e < a->rowptr[i + 1]; e++) {
            const int32_t j = a->col[e];
            outdeg[j]++;
            if (j == i) {
                s->self_loops++;
                continue;
            }
            touched[i] = touched[j] = 1;
            if (ds->directed && row_has(a, j, (int32_t)i)) mutual++;
            int32_t ri = find_root(parent, (int32_t)i), rj = find_root(parent, j);
            if (ri != rj) parent[ri < rj ? rj : ri] = ri < rj ? ri : rj;
        }
    }
    /* A symmetric adjacency stores each pair {i, j} twice and a self-loop once. */
    s->num_undirected = ds->directed ? a->nnz - mutual / 2 : (a->nnz + s->self_loops) / 2;
    for (int64_t i = 0; i < n; i++) {
        s->isolated += !touched[i];
        if (outdeg[i] > s->out_deg_max) s->out_deg_max = outdeg[i];
    }
    /* Component sizes, counted at the roots (reusing outdeg as the size table). */
    memset(outdeg, 0, (size_t)n * sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) outdeg[find_root(parent, (int32_t)i)]++;
    for (int64_t i = 0; i < n; i++)
        if (outdeg[i] > 0) {
            s->components++;
            if (outdeg[i] > s->largest_component) s->largest_component = outdeg[i];
        }
    pg_free(parent);
    pg_free(touched);
    /* Degree percentiles from a histogram (degrees are at most n). */
    int64_t *hist = pg_calloc((size_t)deg_max + 1, sizeof(int64_t), "degree histogram");
    if (!hist) {
        pg_free(outdeg);
        return PARGNN_STATUS_NO_MEMORY;
    }
    for (int64_t i = 0; i < n; i++) hist[a->rowptr[i + 1] - a->rowptr[i]]++;
    const double ps[3] = {0.50, 0.90, 0.99};
    int64_t *pv[3] = {&s->deg_p50, &s->deg_p90, &s->deg_p99};
    for (int q = 0; q < 3; q++) {
        int64_t rank = (int64_t)ceil(ps[q] * (double)n), cum = 0;
        if (rank < 1) rank = 1;
        for (int64_t d = 0; d <= deg_max; d++) {
            cum += hist[d];
            if (cum >= rank) {
                *pv[q] = d;
                break;
            }
        }
    }
    pg_free(hist);
    pg_free(outdeg);
    s->deg_min = n > 0 ? deg_min : 0;
    s->deg_max = deg_max;
    s->deg_mean = n > 0 ? (double)a->nnz / (double)n : 0;

    s->num_features = ds->num_features;
    s->feature_nnz = ds->feat_nnz;
    s->feature_sparse = ds->feat_sparse;
    s->feature_density = n > 0 && ds->num_features > 0
                             ? (double)ds->feat_nnz / ((double)n * (double)ds->num_features)
                             : 0;
    s->num_classes = ds->labels ? ds->num_classes : 0;
    if (s->num_classes > 0) {
        s->class_counts = calloc((size_t)s->num_classes, sizeof(int64_t));
        if (!s->class_counts) return pg_error(PARGNN_STATUS_NO_MEMORY, "class counts: cannot allocate");
        for (int64_t i = 0; i < n; i++) s->class_counts[ds->labels[i]]++;
    }
    s->num_train = ds->split_len[PG_SPLIT_TRAIN];
    s->num_valid = ds->split_len[PG_SPLIT_VALID];
    s->num_test = ds->split_len[PG_SPLIT_TEST];
    s->split = ds->split_name ? ds->split_name : "";

    s->dataset_bytes = csr_bytes(a, a->val != NULL) +
                       (ds->feat_sparse ? csr_bytes(&ds->feat_csr, 1)
                                        : ds->feat.rows * ds->feat.cols * (int64_t)sizeof(pg_real)) +
                       (ds->labels ? n * 4 : 0) +
                       4 * (s->num_train + s->num_valid + s->num_test) + (ds->orig_ids ? n * 8 : 0);
    if (cfg) {
        pargnn_status st = train_bytes(ds, cfg, s->self_loops, &s->train_bytes);
        if (st != PARGNN_STATUS_OK) {
            pargnn_dataset_stats_free(s);
            return st;
        }
    }
    return PARGNN_STATUS_OK;
}
