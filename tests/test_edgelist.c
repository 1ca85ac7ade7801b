/*
 * Edge lists and dataset statistics on hand-made graphs: parsing (comments, separators,
 * weights), id renumbering, directed and undirected CSR, keyed features and labels, the
 * seeded split, GCN normalisation of a directed graph, training on one, and every field of
 * pargnn_dataset_stats_compute against values worked out by hand.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "io/load.h"
#include "nn/net.h"
#include "testutil.h"

static char path_buf[4][512];
static const char *put(int slot, const char *dir, const char *name, const char *text) {
    pg_test_write_file(dir, name, text);
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
    return path_buf[slot];
}

/* Row i of a as text "c0 c1 ...". */
static const char *row(const pg_csr *a, int64_t i) {
    static char buf[256];
    size_t k = 0;
    buf[0] = '\0';
    for (int64_t e = a->rowptr[i]; e < a->rowptr[i + 1] && k < 200; e++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d", k ? " " : "", a->col[e]);
    return buf;
}

static void test_directed(const char *dir) {
    /* ids 10, 20, 30, 40, 1000000000000 -> 0..4 in ascending order */
    const char *g = put(0, dir, "g.txt",
                        "# comment\n% also a comment\n\n10 20\n20,30, 2.5\n  30\t10  \n"
                        "30 40\n40 1000000000000\n20 30\n40 40\n");
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load_ex(g, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    CHECK(ds->num_nodes == 5);
    CHECK(ds->directed == 1);
    const int64_t want_ids[5] = {10, 20, 30, 40, 1000000000000LL};
    for (int i = 0; i < 5; i++) CHECK(pargnn_dataset_original_id(ds, i) == want_ids[i]);
    /* row i: sources of edges into i; the duplicate 20->30 once; self-loop 40->40 kept */
    CHECK_MSG(!strcmp(row(&ds->adj, 0), "2"), "row 0: %s", row(&ds->adj, 0));
    CHECK_MSG(!strcmp(row(&ds->adj, 1), "0"), "row 1: %s", row(&ds->adj, 1));
    CHECK_MSG(!strcmp(row(&ds->adj, 2), "1"), "row 2: %s", row(&ds->adj, 2));
    CHECK_MSG(!strcmp(row(&ds->adj, 3), "2 3"), "row 3: %s", row(&ds->adj, 3));
    CHECK_MSG(!strcmp(row(&ds->adj, 4), "3"), "row 4: %s", row(&ds->adj, 4));
    CHECK(ds->num_features == 1 && ds->feat.data && ds->feat.data[3] == 1);
    CHECK(!pargnn_dataset_has_labels(ds) && ds->num_classes == 0);

    /* A_hat (i, j) = dinv[i] dinv[j], degrees = in-degree + 1 (PyG gcn_norm) */
    pg_csr h;
    CHECK_STATUS(pg_gcn_normalize(&ds->adj, &h), PARGNN_STATUS_OK, NULL);
    const double indeg1[5] = {2, 2, 2, 2, 2}; /* node 3: 2->3 and its own loop, no extra */
    for (int64_t i = 0; i < 5; i++)
        for (int64_t e = h.rowptr[i]; e < h.rowptr[i + 1]; e++) {
            double want = 1 / sqrt(indeg1[i] * indeg1[h.col[e]]);
            CHECK_MSG(fabs(h.val[e] - want) < 1e-6, "A_hat(%lld,%d) = %g, want %g", (long long)i,
                      h.col[e], (double)h.val[e], want);
        }
    pg_csr_free(&h);

    pargnn_dataset_stats s;
    CHECK_STATUS(pargnn_dataset_stats_compute(ds, NULL, &s), PARGNN_STATUS_OK, NULL);
    CHECK(s.num_entries == 6);
    CHECK(s.num_undirected == 6); /* no edge has its reverse */
    CHECK(s.self_loops == 1);
    CHECK(s.isolated == 0);
    CHECK(s.components == 1 && s.largest_component == 5);
    CHECK(s.deg_min == 1 && s.deg_max == 2 && s.deg_p50 == 1 && s.deg_p99 == 2);
    CHECK(s.out_deg_max == 2); /* 30 -> 10, 30 -> 40 */
    CHECK(s.train_bytes == 0);
    pargnn_dataset_stats_free(&s);

    pargnn_config cfg;
    pargnn_config_default(&cfg);
    pargnn_trainer_t *tr = NULL;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT,
                 "training needs them");
    pargnn_trainer_free(tr);
    pargnn_dataset_free(ds);

    /* undirected: every edge both ways */
    pargnn_load_options o;
    pargnn_load_options_default(&o);
    o.undirected = 1;
    CHECK_STATUS(pargnn_dataset_load_ex(g, &o, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    CHECK(!ds->directed);
    CHECK_MSG(!strcmp(row(&ds->adj, 2), "0 1 3"), "row 2: %s", row(&ds->adj, 2));
    CHECK_MSG(!strcmp(row(&ds->adj, 3), "2 3 4"), "row 3: %s", row(&ds->adj, 3));
    CHECK_STATUS(pargnn_dataset_stats_compute(ds, NULL, &s), PARGNN_STATUS_OK, NULL);
    CHECK(s.num_entries == 11 && s.num_undirected == 6 && s.self_loops == 1);
    pargnn_dataset_stats_free(&s);
    pargnn_dataset_free(ds);
}

/* Dense ids stay as they are; features and labels are keyed by id, in any order. */
static void test_keyed(const char *dir) {
    char edges[4096] = "", feats[8192] = "", labels[4096] = "";
    size_t ke = 0, kf = 0, kl = 0;
    const int n = 120;
    for (int i = 0; i < n; i++) /* a ring 0 -> 1 -> ... -> 119 -> 0 */
        ke += (size_t)snprintf(edges + ke, sizeof edges - ke, "%d %d\n", i, (i + 1) % n);
    for (int i = n - 1; i >= 0; i--) { /* written backwards on purpose */
        kf += (size_t)snprintf(feats + kf, sizeof feats - kf, "%d,%d,%g\n", i, i % 3, 0.5 * i);
        kl += (size_t)snprintf(labels + kl, sizeof labels - kl, "%d %d\n", i, i % 3);
    }
    pargnn_load_options o;
    pargnn_load_options_default(&o);
    o.features = put(1, dir, "f.csv", feats);
    o.labels = put(2, dir, "y.txt", labels);
    o.split_seed = 7;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "ring.txt", edges), &o, &ds),
                 PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    CHECK(ds->num_nodes == n && ds->orig_ids == NULL && ds->num_features == 2);
    CHECK(ds->num_classes == 3);
    for (int i = 0; i < n; i++) {
        CHECK(ds->labels[i] == i % 3);
        CHECK(!ds->feat_sparse && ds->feat.data[2 * i + 1] == (pg_real)(0.5 * i));
    }
    /* per class of 40: min(20, 40/3) = 13 train, min(30, 27/2) = 13 valid, 14 test */
    CHECK_MSG(ds->split_len[0] == 39 && ds->split_len[1] == 39 && ds->split_len[2] == 42,
              "split %lld/%lld/%lld", (long long)ds->split_len[0], (long long)ds->split_len[1],
              (long long)ds->split_len[2]);
    CHECK(!strcmp(ds->split_name, "random20"));
    /* the same seed gives the same split, another seed another one */
    pargnn_dataset_t *again = NULL, *other = NULL;
    pargnn_dataset_load_ex(path_buf[0], &o, &again);
    o.split_seed = 8;
    pargnn_dataset_load_ex(path_buf[0], &o, &other);
    CHECK(again && other);
    if (again && other) {
        CHECK(!memcmp(again->split_idx[0], ds->split_idx[0], 39 * sizeof(int32_t)));
        CHECK(memcmp(other->split_idx[0], ds->split_idx[0], 39 * sizeof(int32_t)) != 0);
    }
    pargnn_dataset_free(again);
    pargnn_dataset_free(other);

    pargnn_dataset_stats s;
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    CHECK_STATUS(pargnn_dataset_stats_compute(ds, &cfg, &s), PARGNN_STATUS_OK, NULL);
    CHECK(s.class_counts && s.class_counts[0] == 40 && s.class_counts[2] == 40);
    CHECK(s.num_train == 39 && s.components == 1 && s.deg_mean == 1.0);
    const int64_t small = s.train_bytes;
    pargnn_dataset_stats_free(&s);
    cfg.hidden = 64;
    CHECK_STATUS(pargnn_dataset_stats_compute(ds, &cfg, &s), PARGNN_STATUS_OK, NULL);
    /* hidden 16 -> 64 adds at least Z, H and two scratch rows of 48 floats per node */
    CHECK_MSG(s.train_bytes - small >= (int64_t)n * 48 * 4 * 3, "%lld -> %lld", (long long)small,
              (long long)s.train_bytes);
    pargnn_dataset_stats_free(&s);

    /* a directed graph trains (backward through spmm_t) and learns something */
    cfg.hidden = 16;
    cfg.epochs = 30;
    cfg.threads = 1;
    pargnn_result r;
    pargnn_trainer_t *tr = pg_test_train(ds, &cfg, &r);
    if (tr)
        CHECK_MSG(r.loss_curve[r.epochs_run - 1] < r.loss_curve[0], "loss %g -> %g",
                  r.loss_curve[0], r.loss_curve[r.epochs_run - 1]);
    pargnn_trainer_free(tr);
    pargnn_dataset_free(ds);
}

/* Isolated nodes from the features file, components, percentiles. */
static void test_stats(const char *dir) {
    /* undirected: triangle 0-1-2, edge 3-4, node 5 only in the features; 3 components */
    pargnn_load_options o;
    pargnn_load_options_default(&o);
    o.undirected = 1;
    o.features = put(1, dir, "f6.csv", "0,1\n1,0\n2,0\n3,0\n4,0\n5,0\n");
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "s.txt", "0 1\n1 2\n2 0\n3 4\n"), &o, &ds),
                 PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    pargnn_dataset_stats s;
    CHECK_STATUS(pargnn_dataset_stats_compute(ds, NULL, &s), PARGNN_STATUS_OK, NULL);
    CHECK(s.num_nodes == 6 && s.num_entries == 8 && s.num_undirected == 4);
    CHECK(s.isolated == 1 && s.components == 3 && s.largest_component == 3);
    /* degrees 2 2 2 1 1 0: sorted 0 1 1 2 2 2; p50 = 3rd = 1, p90 = 6th = 2 */
    CHECK(s.deg_min == 0 && s.deg_max == 2 && s.deg_p50 == 1 && s.deg_p90 == 2);
    CHECK(fabs(s.feature_density - 1.0 / 6) < 1e-12 && s.feature_nnz == 1);
    pargnn_dataset_stats_free(&s);
    pargnn_dataset_free(ds);
}

static void test_errors(const char *dir) {
    pargnn_dataset_t *ds = NULL;
    pargnn_load_options o;
    pargnn_load_options_default(&o);
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "e1.txt", "1 2\n3 -4\n"), NULL, &ds),
                 PARGNN_STATUS_BAD_INPUT, "e1.txt:2: column 2: node id -4 out of range");
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "e2.txt", "1 2 x\n"), NULL, &ds),
                 PARGNN_STATUS_BAD_INPUT, "e2.txt:1: column 3: expected a number");
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "e3.txt", "1,2,\n"), NULL, &ds),
                 PARGNN_STATUS_BAD_INPUT, "e3.txt:1: empty field");
    o.labels = put(1, dir, "y.txt", "1 0\n2 -3\n");
    CHECK_STATUS(pargnn_dataset_load_ex(put(0, dir, "ok.txt", "1 2\n"), &o, &ds),
                 PARGNN_STATUS_BAD_INPUT, "y.txt:2: negative label -3");
    o.labels = NULL;
    o.features = put(1, dir, "f.csv", "1,0.5\n");
    CHECK_STATUS(pargnn_dataset_load_ex(path_buf[0], &o, &ds), PARGNN_STATUS_BAD_INPUT,
                 "f.csv: node id 2 has no feature row");
    CHECK_STATUS(pargnn_dataset_load_ex(dir, &o, &ds), PARGNN_STATUS_INVALID_ARGUMENT,
                 "apply to edge lists");
    o.features = NULL;
    o.format = PARGNN_FORMAT_EDGELIST;
    CHECK_STATUS(pargnn_dataset_load_ex(dir, &o, &ds), PARGNN_STATUS_IO, "is a folder");
    CHECK(ds == NULL);
}

int main(void) {
    const char *dir = pg_test_tmpdir();
    test_directed(dir);
    test_keyed(dir);
    test_stats(dir);
    test_errors(dir);
    return pg_test_finish();
}
