/*
 * Tests of the OGB loader and writer and of the line reader beneath them: valid datasets in
 * plain and gzip'ed CSV, every malformed case with its status and message, write/load round
 * trips, and the real datasets' counts when ../shared/datasets is present.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/dataset.h"
#include "io/reader.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

typedef struct spec {
    const char *ext; /* ".csv" or ".csv.gz" */
    const char *num_nodes, *num_edges, *edges, *feat, *labels;
    const char *scheme;
    const char *train, *valid, *test;
} spec;

/* 5 nodes; edges with a duplicate in reverse order (1,2)/(2,1) and a repeated self-loop. */
static spec base_spec(const char *ext) {
    spec s = {
        .ext = ext,
        .num_nodes = "5\n",
        .num_edges = "6\n",
        .edges = "0,1\n1,2\n2,1\n3,3\n3,3\n0,4\n",
        .feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,0\n",
        .labels = "0\n1\n2\n1\n0\n",
        .scheme = "s1",
        .train = "1\n0\n",
        .valid = "2\n",
        .test = "4\n3\n",
    };
    return s;
}

static void put(const char *dir, const char *rel, const char *ext, const char *text) {
    if (!text) return;
    char name[512];
    snprintf(name, sizeof name, "%s%s", rel, ext);
    pg_test_write_file(dir, name, text);
}

/* Writes the dataset of s under tmpdir/name; files whose text is NULL are left out. */
static const char *write_spec(char *dir, size_t cap, const char *name, const spec *s) {
    snprintf(dir, cap, "%s/%s", pg_test_tmpdir(), name);
    mkdir(dir, 0755);
    put(dir, "raw/num-node-list", s->ext, s->num_nodes);
    put(dir, "raw/num-edge-list", s->ext, s->num_edges);
    put(dir, "raw/edge", s->ext, s->edges);
    put(dir, "raw/node-feat", s->ext, s->feat);
    put(dir, "raw/node-label", s->ext, s->labels);
    if (s->scheme) {
        char rel[256];
        snprintf(rel, sizeof rel, "split/%s/train", s->scheme);
        put(dir, rel, s->ext, s->train);
        snprintf(rel, sizeof rel, "split/%s/valid", s->scheme);
        put(dir, rel, s->ext, s->valid);
        snprintf(rel, sizeof rel, "split/%s/test", s->scheme);
        put(dir, rel, s->ext, s->test);
    }
    return dir;
}

/* Loads case `name` expecting status want and a message containing needle. */
static void expect_load(const char *name, const spec *s, const char *split, pargnn_status want,
                        const char *needle) {
    char dir[4096];
    write_spec(dir, sizeof dir, name, s);
    pargnn_dataset_t *ds = (pargnn_dataset_t *)1;
    pargnn_status st = pargnn_dataset_load(dir, split, &ds);
    CHECK_STATUS(st, want, needle);
    if (want != PARGNN_STATUS_OK) {
        CHECK(ds == NULL);
        /* Every failure names the dataset folder's file it came from. */
        CHECK_MSG(strstr(pargnn_last_error(), dir) != NULL, "message lacks the folder: %s",
                  pargnn_last_error());
    }
    if (st == PARGNN_STATUS_OK) pargnn_dataset_free(ds);
}

/* Symmetric, rows sorted, no duplicate entry. */
static int adj_ok(const pg_csr *a) {
    for (int64_t i = 0; i < a->nrows; i++)
        for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) {
            if (k > a->rowptr[i] && a->col[k] <= a->col[k - 1]) return 0;
            int32_t j = a->col[k];
            if (j < 0 || j >= a->ncols) return 0;
            int found = 0;
            for (int64_t t = a->rowptr[j]; t < a->rowptr[j + 1]; t++) found |= a->col[t] == i;
            if (!found) return 0;
        }
    return 1;
}

static int64_t self_loops(const pg_csr *a) {
    int64_t c = 0;
    for (int64_t i = 0; i < a->nrows; i++)
        for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) c += a->col[k] == i;
    return c;
}

static pg_real feat_at(const pargnn_dataset_t *ds, int64_t i, int64_t j) {
    if (!ds->feat_sparse) return ds->feat.data[i * ds->num_features + j];
    const pg_csr *a = &ds->feat_csr;
    for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++)
        if (a->col[k] == j) return a->val ? a->val[k] : 1;
    return 0;
}

/* Same nodes, adjacency, features (bit for bit), labels and split. */
static int same_dataset(const pargnn_dataset_t *a, const pargnn_dataset_t *b) {
    if (a->num_nodes != b->num_nodes || a->num_features != b->num_features ||
        a->num_classes != b->num_classes || a->feat_sparse != b->feat_sparse ||
        a->feat_nnz != b->feat_nnz || a->adj.nnz != b->adj.nnz)
        return 0;
    const int64_t n = a->num_nodes;
    if (memcmp(a->adj.rowptr, b->adj.rowptr, (size_t)(n + 1) * sizeof(int64_t)) ||
        memcmp(a->adj.col, b->adj.col, (size_t)a->adj.nnz * sizeof(int32_t)) ||
        memcmp(a->labels, b->labels, (size_t)n * sizeof(int32_t)))
        return 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < a->num_features; j++) {
            pg_real x = feat_at(a, i, j), y = feat_at(b, i, j);
            if (memcmp(&x, &y, sizeof x)) return 0;
        }
    for (int s = 0; s < 3; s++)
        if (a->split_len[s] != b->split_len[s] ||
            memcmp(a->split_idx[s], b->split_idx[s], (size_t)a->split_len[s] * sizeof(int32_t)))
            return 0;
    return 1;
}

/* A gzip file whose content is `lines`, then cut by `cut` bytes at the tail. */
static void write_truncated_gz(const char *dir, const char *rel, const char *text, long cut) {
    pg_test_write_file(dir, rel, text);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > cut);
    CHECK(truncate(path, st.st_size - cut) == 0);
}

/* Many feature lines, so the gzip stream is long enough to cut in the middle. */
static char *big_features(int rows, int cols) {
    size_t cap = (size_t)rows * cols * 12 + 1, len = 0;
    char *s = malloc(cap);
    unsigned long long rng = 7;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            len += (size_t)snprintf(s + len, cap - len, "%.6g%c",
                                    pg_test_uniform(&rng, -1, 1), j + 1 < cols ? ',' : '\n');
    return s;
}

static int dir_has_tmp(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) found |= strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return found;
}

static int file_exists(const char *dir, const char *rel) {
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    return stat(path, &st) == 0;
}

/* --------------------------------------------------------- valid data */

static void check_base(const pargnn_dataset_t *ds, const char *dir) {
    pargnn_dataset_info info;
    pargnn_dataset_get_info(ds, &info);
    CHECK(info.num_nodes == 5);
    /* {0-1, 1-2, 3-3, 0-4}: 3 edges both ways + the self-loop once. */
    CHECK(info.num_edges == 7);
    CHECK(info.num_features == 3);
    CHECK(info.num_classes == 3);
    CHECK(info.num_train == 2 && info.num_valid == 1 && info.num_test == 2);
    CHECK(strcmp(info.split, "s1") == 0);
    CHECK(strcmp(ds->name, dir) == 0);
    CHECK(adj_ok(&ds->adj));
    CHECK(self_loops(&ds->adj) == 1);
    static const int64_t rowptr[6] = {0, 2, 4, 5, 6, 7};
    static const int32_t col[7] = {1, 4, 0, 2, 1, 3, 0};
    CHECK(memcmp(ds->adj.rowptr, rowptr, sizeof rowptr) == 0);
    CHECK(memcmp(ds->adj.col, col, sizeof col) == 0);
    /* 7 non-zeros in 15: dense. */
    CHECK(!ds->feat_sparse && ds->feat_nnz == 7);
    CHECK(feat_at(ds, 0, 2) == 0.5f && feat_at(ds, 1, 1) == 2.25f && feat_at(ds, 1, 2) == -1);
    CHECK(feat_at(ds, 3, 0) == strtof("1e-3", NULL) && feat_at(ds, 3, 2) == 7);
    static const int32_t labels[5] = {0, 1, 2, 1, 0};
    CHECK(memcmp(ds->labels, labels, sizeof labels) == 0);
    CHECK(ds->split_idx[0][0] == 0 && ds->split_idx[0][1] == 1);
    CHECK(ds->split_idx[1][0] == 2);
    CHECK(ds->split_idx[2][0] == 3 && ds->split_idx[2][1] == 4);
}

static void test_valid(void) {
    const char *exts[2] = {".csv", ".csv.gz"};
    for (int e = 0; e < 2; e++) {
        spec s = base_spec(exts[e]);
        char dir[4096];
        write_spec(dir, sizeof dir, e ? "valid_gz" : "valid_plain", &s);
        pargnn_dataset_t *ds = NULL;
        CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
        if (ds) check_base(ds, dir);
        pargnn_dataset_free(ds);
        /* The same by name, and with a trailing slash on the folder. */
        char slash[4200];
        snprintf(slash, sizeof slash, "%s/", dir);
        ds = NULL;
        CHECK_STATUS(pargnn_dataset_load(slash, "s1", &ds), PARGNN_STATUS_OK, NULL);
        if (ds) check_base(ds, dir);
        pargnn_dataset_free(ds);
    }

    /* No newline at the end of any file. */
    spec s = base_spec(".csv");
    s.num_nodes = "5";
    s.num_edges = "6";
    s.edges = "0,1\n1,2\n2,1\n3,3\n3,3\n0,4";
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,0";
    s.labels = "0\n1\n2\n1\n0";
    s.train = "1\n0";
    s.valid = "2";
    s.test = "4\n3";
    char dir[4096];
    write_spec(dir, sizeof dir, "no_final_newline", &s);
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (ds) check_base(ds, dir);
    pargnn_dataset_free(ds);

    /* CRLF line ends, gzip'ed, with no final CRLF on the features. */
    s = base_spec(".csv.gz");
    s.num_nodes = "5\r\n";
    s.edges = "0,1\r\n1,2\r\n2,1\r\n3,3\r\n3,3\r\n0,4\r\n";
    s.feat = "1,0,0.5\r\n0,2.25,-1\r\n0,0,0\r\n1e-3,0,7\r\n0,1,0";
    s.labels = "0\r\n1\r\n2\r\n1\r\n0\r\n";
    s.train = "1\r\n0\r\n";
    write_spec(dir, sizeof dir, "crlf", &s);
    ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (ds) check_base(ds, dir);
    pargnn_dataset_free(ds);

    /* Mixed: some files gzip'ed, some plain; .csv.gz wins when both exist. */
    s = base_spec(".csv");
    write_spec(dir, sizeof dir, "mixed", &s);
    pg_test_write_file(dir, "raw/node-label.csv.gz", "0\n1\n2\n1\n0\n");
    pg_test_write_file(dir, "raw/node-label.csv", "garbage\n");
    ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (ds) check_base(ds, dir);
    pargnn_dataset_free(ds);

    /* Few non-zeros: features stored sparse. */
    s = base_spec(".csv.gz");
    s.feat = "0,0,0.5\n0,0,0\n0,0,0\n0,0,0\n3,0,0\n";
    write_spec(dir, sizeof dir, "sparse", &s);
    ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (ds) {
        CHECK(ds->feat_sparse && ds->feat_nnz == 2 && ds->feat_csr.nnz == 2);
        CHECK(feat_at(ds, 0, 2) == 0.5f && feat_at(ds, 4, 0) == 3 && feat_at(ds, 2, 1) == 0);
    }
    pargnn_dataset_free(ds);

    /* No edges at all. */
    s = base_spec(".csv");
    s.num_edges = "0\n";
    s.edges = "";
    write_spec(dir, sizeof dir, "no_edges", &s);
    ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (ds) CHECK(ds->adj.nnz == 0 && ds->adj.rowptr[5] == 0);
    pargnn_dataset_free(ds);
}

/* ---------------------------------------------------------- malformed */

static void test_malformed(void) {
    spec s;

    s = base_spec(".csv.gz");
    s.feat = NULL;
    expect_load("missing_feat", &s, NULL, PARGNN_STATUS_IO, "raw/node-feat.csv.gz: no such file");

    s = base_spec(".csv.gz");
    s.valid = NULL;
    expect_load("missing_valid", &s, NULL, PARGNN_STATUS_IO,
                "split/s1/valid.csv.gz: no such file");

    CHECK_STATUS(pargnn_dataset_load("/nonexistent/pargnn", NULL, &(pargnn_dataset_t *){NULL}),
                 PARGNN_STATUS_IO, "/nonexistent/pargnn: no such folder");

    s = base_spec(".csv");
    s.edges = "0,1\n1,2,3\n2,1\n3,3\n3,3\n0,4\n";
    expect_load("edge_columns", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:2: expected 2 columns, found 3");

    s = base_spec(".csv");
    s.edges = "0,1\n1\n2,1\n3,3\n3,3\n0,4\n";
    expect_load("edge_one_column", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:2: expected 2 columns, found 1");

    s = base_spec(".csv");
    s.edges = "0,1\n1,2\n\n3,3\n3,3\n0,4\n";
    expect_load("edge_empty_line", &s, NULL, PARGNN_STATUS_BAD_INPUT, "raw/edge.csv:3: empty line");

    s = base_spec(".csv.gz");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_columns", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv.gz:3: expected 3 columns, found 2");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0,0\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_columns_more", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:3: expected 3 columns, found 4");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_trailing_comma", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:3: column 3: empty value");

    s = base_spec(".csv");
    s.edges = "0,1\n1,x\n2,1\n3,3\n3,3\n0,4\n";
    expect_load("edge_token", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:2: column 2: expected an integer, found \"x\"");

    s = base_spec(".csv");
    s.edges = "0,1\n1,2.0\n2,1\n3,3\n3,3\n0,4\n";
    expect_load("edge_float", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:2: column 2: expected an integer");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,abc,-1\n0,0,0\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_token", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:2: column 2: expected a number, found \"abc\"");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7x\n0,1,0\n";
    expect_load("feat_junk", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:4: column 3: expected a number, found \"7x\"");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0, 0,0\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_space", &s, NULL, PARGNN_STATUS_BAD_INPUT, "raw/node-feat.csv:3: column 2:");

    s = base_spec(".csv.gz");
    s.feat = "1,0,0.5\nnan,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,0\n";
    expect_load("feat_nan", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv.gz:2: column 1: NaN is not allowed");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,-Inf,7\n0,1,0\n";
    expect_load("feat_inf", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:4: column 2: Inf is not allowed");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,1e39\n";
    expect_load("feat_overflow", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv:5: column 3: 1e39 is beyond the float range");

    s = base_spec(".csv");
    s.edges = "0,1\n1,2\n2,5\n3,3\n3,3\n0,4\n";
    expect_load("edge_range", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:3: column 2: node id 5 out of range [0, 4]");

    s = base_spec(".csv");
    s.edges = "0,1\n-1,2\n2,1\n3,3\n3,3\n0,4\n";
    expect_load("edge_negative", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:2: column 1: node id -1 out of range [0, 4]");

    s = base_spec(".csv");
    s.edges = "0,1\n1,2\n2,99999999999999999999999\n3,3\n3,3\n0,4\n";
    expect_load("edge_huge", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv:3: column 2: node id 99999999999999999999999 out of range");

    s = base_spec(".csv");
    s.labels = "0\n1\n-1\n1\n0\n";
    expect_load("label_negative", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-label.csv:3: negative label -1");

    s = base_spec(".csv");
    s.labels = "0\n1\n2000000000\n1\n0\n";
    expect_load("label_huge", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-label.csv:3: label 2000000000 is too large");

    s = base_spec(".csv");
    s.labels = "0\n1\n2\n1\n";
    expect_load("label_short", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-label.csv: 4 lines, expected one per node (5)");

    s = base_spec(".csv");
    s.num_edges = "7\n";
    expect_load("edge_count_more", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv has 6 lines but ");
    expect_load("edge_count_more_b", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-edge-list.csv says 7 edges");

    s = base_spec(".csv.gz");
    s.num_edges = "4\n";
    expect_load("edge_count_less", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/edge.csv.gz has 6 lines but ");

    /* A count far beyond what the file can hold must not be allocated. */
    s = base_spec(".csv");
    s.num_edges = "1000000000000000\n";
    expect_load("edge_count_absurd", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-edge-list.csv says 1000000000000000 edges");
    s = base_spec(".csv");
    s.num_nodes = "2000000000\n";
    expect_load("node_count_absurd", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-label.csv: 5 lines, expected one per node (2000000000)");
    s = base_spec(".csv");
    s.num_nodes = "2147483647\n";
    expect_load("node_count_range", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-node-list.csv:1: column 1: number of nodes 2147483647 out of range "
                "[1, 2147483646]");
    s = base_spec(".csv");
    s.num_nodes = "0\n";
    expect_load("node_count_zero", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-node-list.csv:1: column 1: number of nodes 0 out of range");
    s = base_spec(".csv");
    s.num_nodes = "5\n5\n";
    expect_load("node_count_lines", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-node-list.csv:2: expected a single line");
    s = base_spec(".csv");
    s.num_nodes = "";
    expect_load("node_count_empty", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/num-node-list.csv: empty file");

    s = base_spec(".csv");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n";
    expect_load("feat_short", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv: 4 lines, expected one per node (5)");

    s = base_spec(".csv.gz");
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,0\n0,0,0\n";
    expect_load("feat_long", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "raw/node-feat.csv.gz: 6 lines, expected one per node (5)");

    s = base_spec(".csv");
    s.feat = "";
    expect_load("feat_empty", &s, NULL, PARGNN_STATUS_BAD_INPUT, "raw/node-feat.csv: empty file");

    s = base_spec(".csv");
    s.valid = "";
    expect_load("split_empty", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "split/s1/valid.csv: empty split");

    s = base_spec(".csv.gz");
    s.test = "4\n9\n";
    expect_load("split_range", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "split/s1/test.csv.gz:2: column 1: node id 9 out of range [0, 4]");

    s = base_spec(".csv");
    s.train = "1\n0\n3\n1\n";
    expect_load("split_duplicate", &s, NULL, PARGNN_STATUS_BAD_INPUT,
                "split/s1/train.csv:4: node id 1 repeated (first on line 1)");

    /* Several schemes: NULL is ambiguous, a name picks one, an unknown name lists them. */
    s = base_spec(".csv");
    char dir[4096];
    write_spec(dir, sizeof dir, "two_schemes", &s);
    spec t = s;
    t.num_nodes = t.num_edges = t.edges = t.feat = t.labels = NULL;
    t.scheme = "a";
    write_spec(dir, sizeof dir, "two_schemes", &t);
    char want[4400];
    snprintf(want, sizeof want,
             "several split schemes under %s/split: a, s1; choose one with --split", dir);
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_INVALID_ARGUMENT, want);
    CHECK(ds == NULL);
    CHECK_STATUS(pargnn_dataset_load(dir, "a", &ds), PARGNN_STATUS_OK, NULL);
    if (ds) CHECK(strcmp(ds->split_name, "a") == 0);
    pargnn_dataset_free(ds);
    ds = NULL;
    snprintf(want, sizeof want, "%s/split: no split scheme \"zz\"; available: a, s1", dir);
    CHECK_STATUS(pargnn_dataset_load(dir, "zz", &ds), PARGNN_STATUS_INVALID_ARGUMENT, want);
    CHECK(ds == NULL);
    CHECK_STATUS(pargnn_dataset_load(dir, "../raw", &ds), PARGNN_STATUS_INVALID_ARGUMENT,
                 "not a folder name");

    s = base_spec(".csv");
    s.scheme = NULL;
    expect_load("no_split", &s, NULL, PARGNN_STATUS_BAD_INPUT, "/split: no split scheme");
    write_spec(dir, sizeof dir, "empty_split_dir", &s);
    char sd[4200];
    snprintf(sd, sizeof sd, "%s/split", dir);
    mkdir(sd, 0755);
    snprintf(want, sizeof want, "%s/split: no split scheme", dir);
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT, want);

    /* A NUL byte in a text file. */
    s = base_spec(".csv");
    write_spec(dir, sizeof dir, "nul_byte", &s);
    snprintf(sd, sizeof sd, "%s/raw/node-label.csv", dir);
    FILE *f = fopen(sd, "wb");
    fwrite("0\n1\n2\0\n1\n0\n", 1, 11, f);
    fclose(f);
    snprintf(want, sizeof want, "%s:3: NUL byte", sd);
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT, want);
}

/* Real gzip streams cut short, and one with damaged data. */
static void test_bad_gzip(void) {
    char dir[4096];
    spec s = base_spec(".csv.gz");
    char *feat = big_features(5, 20000);
    s.feat = feat;
    /* The full file is valid. */
    expect_load("gz_full", &s, NULL, PARGNN_STATUS_OK, NULL);

    /* Cut in the middle of the deflate data. */
    write_spec(dir, sizeof dir, "gz_cut_middle", &s);
    char path[4200];
    snprintf(path, sizeof path, "%s/raw/node-feat.csv.gz", dir);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 1000);
    CHECK(truncate(path, st.st_size / 2) == 0);
    char want[4400];
    snprintf(want, sizeof want, "%s: truncated gzip stream", path);
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT, want);

    /* Only the 8-byte trailer (crc, length) is cut: every byte of data is there. */
    write_spec(dir, sizeof dir, "gz_cut_trailer", &s);
    write_truncated_gz(dir, "raw/node-feat.csv.gz", feat, 4);
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT,
                 "raw/node-feat.csv.gz: truncated gzip stream");

    /* A small file (the label file) cut by one byte. */
    s.feat = "1,0,0.5\n0,2.25,-1\n0,0,0\n1e-3,0,7\n0,1,0\n";
    write_spec(dir, sizeof dir, "gz_cut_labels", &s);
    write_truncated_gz(dir, "raw/node-label.csv.gz", "0\n1\n2\n1\n0\n", 1);
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT,
                 "raw/node-label.csv.gz: truncated gzip stream");

    /* Bytes overwritten in the middle: a data or check error, never a crash. */
    s.feat = feat;
    write_spec(dir, sizeof dir, "gz_corrupt", &s);
    snprintf(path, sizeof path, "%s/raw/node-feat.csv.gz", dir);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        stat(path, &st);
        fseek(f, st.st_size / 2, SEEK_SET);
        for (int i = 0; i < 64; i++) fputc(0x55 ^ i, f);
        fclose(f);
    }
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_BAD_INPUT,
                 "raw/node-feat.csv.gz: corrupt gzip data");
    CHECK(ds == NULL);
    free(feat);
}

/* ------------------------------------------------------------- reader */

static void test_reader(void) {
    const char *tmp = pg_test_tmpdir();
    char base[4096], path[4200];
    pg_reader r;

    /* Resolution: neither, only plain, both (gzip wins). */
    snprintf(base, sizeof base, "%s/resolve/x", tmp);
    char *p = NULL;
    char want[8400];
    snprintf(want, sizeof want, "%s.csv.gz: no such file (nor %s.csv)", base, base);
    CHECK_STATUS(pg_csv_resolve(base, &p), PARGNN_STATUS_IO, want);
    CHECK(p == NULL);
    pg_test_write_file(tmp, "resolve/x.csv", "1\n");
    CHECK_STATUS(pg_csv_resolve(base, &p), PARGNN_STATUS_OK, NULL);
    snprintf(path, sizeof path, "%s.csv", base);
    CHECK(p && strcmp(p, path) == 0);
    free(p);
    pg_test_write_file(tmp, "resolve/x.csv.gz", "1\n");
    CHECK_STATUS(pg_csv_resolve(base, &p), PARGNN_STATUS_OK, NULL);
    snprintf(path, sizeof path, "%s.csv.gz", base);
    CHECK(p && strcmp(p, path) == 0);
    free(p);

    /* Lines: CRLF, empty lines, a last line without newline; line numbers. */
    pg_test_write_file(tmp, "lines.txt.gz", "a\r\n\nbc\r\n\r\nlast");
    snprintf(path, sizeof path, "%s/lines.txt.gz", tmp);
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_OK, NULL);
    const char *expect[5] = {"a", "", "bc", "", "last"};
    char *line;
    size_t len;
    for (int i = 0; i < 5; i++) {
        CHECK(pg_reader_next_line(&r, &line, &len) == 1);
        CHECK(len == strlen(expect[i]) && strcmp(line, expect[i]) == 0);
        CHECK(r.line == i + 1);
    }
    CHECK(pg_reader_next_line(&r, &line, &len) == 0);
    CHECK(pg_reader_next_line(&r, &line, &len) == 0);
    pg_reader_close(&r);
    pg_reader_close(&r); /* twice is harmless */

    /* An empty file has no line. */
    pg_test_write_file(tmp, "empty.txt", "");
    snprintf(path, sizeof path, "%s/empty.txt", tmp);
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_OK, NULL);
    CHECK(pg_reader_next_line(&r, &line, &len) == 0);
    pg_reader_close(&r);

    /* Opening a folder or a missing file. */
    CHECK_STATUS(pg_reader_open(&r, tmp), PARGNN_STATUS_IO, "is a directory");
    snprintf(path, sizeof path, "%s/missing.csv", tmp);
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_IO, "missing.csv: no such file");

    /* Line length limit (lowered, so the test stays small): exactly max_line bytes pass,
     * one more fails, with or without a CR, across buffer refills. */
    char *longtext = malloc(5000);
    memset(longtext, 'x', 4999);
    longtext[4999] = '\0';
    longtext[1000] = '\n';             /* line 1: 1000 bytes */
    memcpy(longtext + 2001, "\r\n", 2); /* line 2: 1000 bytes + CR */
    longtext[3004] = '\n';             /* line 3: 1001 bytes */
    pg_test_write_file(tmp, "long.txt", longtext);
    snprintf(path, sizeof path, "%s/long.txt", tmp);
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_OK, NULL);
    r.max_line = 1000;
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && len == 1000);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && len == 1000);
    snprintf(want, sizeof want, "%s:3: line longer than 1000 bytes", path);
    CHECK_STATUS((pargnn_status)pg_reader_next_line(&r, &line, &len), PARGNN_STATUS_BAD_INPUT,
                 want);
    pg_reader_close(&r);
    /* Without any newline the reader stops at the limit, not at the end of the file. */
    memset(longtext, 'y', 4999);
    pg_test_write_file(tmp, "nonl.txt.gz", longtext);
    snprintf(path, sizeof path, "%s/nonl.txt.gz", tmp);
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_OK, NULL);
    r.max_line = 1000;
    CHECK_STATUS((pargnn_status)pg_reader_next_line(&r, &line, &len), PARGNN_STATUS_BAD_INPUT,
                 "nonl.txt.gz:1: line longer than 1000 bytes");
    CHECK(r.cap <= 1003 + 1024 * 1024 + 1);
    pg_reader_close(&r);
    free(longtext);

    /* The real limit: a gzip'ed line of exactly 256 MiB passes, the next (256 MiB + 1) not. */
    snprintf(path, sizeof path, "%s/huge.txt.gz", tmp);
    gzFile g = gzopen(path, "wb1");
    CHECK(g != NULL);
    if (g) {
        size_t chunk = (size_t)1 << 20;
        char *ones = malloc(chunk);
        memset(ones, '1', chunk);
        for (size_t k = 0; k < PG_READER_MAX_LINE / chunk; k++) gzwrite(g, ones, (unsigned)chunk);
        gzwrite(g, "\n", 1);
        for (size_t k = 0; k < PG_READER_MAX_LINE / chunk; k++) gzwrite(g, ones, (unsigned)chunk);
        gzwrite(g, "1\n", 2);
        gzclose(g);
        free(ones);
    }
    CHECK_STATUS(pg_reader_open(&r, path), PARGNN_STATUS_OK, NULL);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && len == PG_READER_MAX_LINE);
    snprintf(want, sizeof want, "%s:2: line longer than 256 MiB", path);
    CHECK_STATUS((pargnn_status)pg_reader_next_line(&r, &line, &len), PARGNN_STATUS_BAD_INPUT,
                 want);
    pg_reader_close(&r);
    unlink(path);
}

/* ------------------------------------------------------------- parsers */

static void test_parsers(void) {
    pg_reader r;
    memset(&r, 0, sizeof r);
    char name[] = "t.csv";
    r.path = name;
    r.line = 3;
    int64_t v;
    CHECK_STATUS(pg_parse_int64(&r, 1, "9223372036854775807", 19, INT64_MIN, INT64_MAX, "x", &v),
                 PARGNN_STATUS_OK, NULL);
    CHECK(v == INT64_MAX);
    CHECK_STATUS(pg_parse_int64(&r, 1, "-9223372036854775808", 20, INT64_MIN, INT64_MAX, "x", &v),
                 PARGNN_STATUS_OK, NULL);
    CHECK(v == INT64_MIN);
    CHECK_STATUS(pg_parse_int64(&r, 2, "9223372036854775808", 19, INT64_MIN, INT64_MAX, "x", &v),
                 PARGNN_STATUS_BAD_INPUT, "t.csv:3: column 2: x 9223372036854775808 out of range");
    CHECK_STATUS(pg_parse_int64(&r, 1, "007", 3, 0, 10, "x", &v), PARGNN_STATUS_OK, NULL);
    CHECK(v == 7);
    CHECK_STATUS(pg_parse_int64(&r, 4, "", 0, 0, 10, "x", &v), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: column 4: empty value");
    CHECK_STATUS(pg_parse_int64(&r, 1, "-", 1, -10, 10, "x", &v), PARGNN_STATUS_BAD_INPUT,
                 "expected an integer");
    CHECK_STATUS(pg_parse_int64(&r, 1, "+1", 2, 0, 10, "x", &v), PARGNN_STATUS_BAD_INPUT,
                 "expected an integer");
    CHECK_STATUS(pg_parse_int64(&r, 1, " 1", 2, 0, 10, "x", &v), PARGNN_STATUS_BAD_INPUT,
                 "expected an integer");
    CHECK_STATUS(pg_parse_int64(&r, 1, "1 ", 2, 0, 10, "x", &v), PARGNN_STATUS_BAD_INPUT,
                 "expected an integer");
    /* Only the token's bytes count: "12" cut to one byte is 1. */
    CHECK_STATUS(pg_parse_int64(&r, 1, "12", 1, 0, 10, "x", &v), PARGNN_STATUS_OK, NULL);
    CHECK(v == 1);

    float f;
    CHECK_STATUS(pg_parse_float(&r, 1, "", 0, &f), PARGNN_STATUS_BAD_INPUT, "column 1: empty value");
    CHECK_STATUS(pg_parse_float(&r, 1, "0x10", 4, &f), PARGNN_STATUS_BAD_INPUT, "expected a number");
    CHECK_STATUS(pg_parse_float(&r, 1, "1.5.", 4, &f), PARGNN_STATUS_BAD_INPUT, "expected a number");
    CHECK_STATUS(pg_parse_float(&r, 1, "1e", 2, &f), PARGNN_STATUS_BAD_INPUT, "expected a number");
    CHECK_STATUS(pg_parse_float(&r, 2, "-nan", 4, &f), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: column 2: NaN is not allowed");
    CHECK_STATUS(pg_parse_float(&r, 2, "infinity", 8, &f), PARGNN_STATUS_BAD_INPUT, "Inf");
    CHECK_STATUS(pg_parse_float(&r, 2, "-1e-50", 6, &f), PARGNN_STATUS_OK, NULL);
    CHECK(f == 0);
    CHECK_STATUS(pg_parse_float(&r, 2, "1.5e3", 5, &f), PARGNN_STATUS_OK, NULL);
    CHECK(f == 1500);

    /* The row parser's fast paths give strtof's value, bit for bit, on random tokens. */
    unsigned long long rng = 12345;
    char line[256], tok[64];
    int mismatches = 0;
    for (int it = 0; it < 200000; it++) {
        int kind = (int)pg_test_uniform(&rng, 0, 6);
        int intd = (int)pg_test_uniform(&rng, 0, 10), decd = (int)pg_test_uniform(&rng, 0, 13);
        size_t n = 0;
        if (pg_test_uniform(&rng, 0, 1) < 0.3) tok[n++] = '-';
        for (int i = 0; i < intd; i++) tok[n++] = (char)('0' + (int)pg_test_uniform(&rng, 0, 10));
        if (kind >= 2 || intd == 0) {
            tok[n++] = '.';
            for (int i = 0; i < decd; i++) tok[n++] = (char)('0' + (int)pg_test_uniform(&rng, 0, 10));
        }
        if (kind == 5) n += (size_t)snprintf(tok + n, 16, "e%d", (int)pg_test_uniform(&rng, -40, 39));
        tok[n] = '\0';
        if (strspn(tok, "-.e") == n || tok[n - 1] == 'e' || (tok[0] == '-' && tok[1] == '.' && n == 2))
            continue;
        if (!strpbrk(tok, "0123456789")) continue;
        char *end;
        float want = strtof(tok, &end);
        if (*end || !isfinite(want)) continue;
        snprintf(line, sizeof line, "0,%s,1", tok);
        pg_real row[3];
        pargnn_status st = pg_parse_real_row(&r, line, strlen(line), 3, row);
        float got = (float)row[1];
        if (st != PARGNN_STATUS_OK || memcmp(&got, &want, sizeof got)) {
            if (mismatches++ < 5)
                fprintf(stderr, "token %s: got %.9g (status %d), strtof %.9g\n", tok, got, st, want);
        }
    }
    CHECK(mismatches == 0);
    /* Edge cases of the fast path. */
    const char *edge[] = {"0", "-0", "1", "16777216", "16777217", "16777218", "0.1", ".5", "5.",
                          "-.5", "0.0000000001", "0.00000000001", "1677721.6", "9999999.99",
                          "0.04175355", "3.4028235e38", "1e-45", "00000000000000000001"};
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        snprintf(line, sizeof line, "%s", edge[i]);
        pg_real x;
        CHECK_STATUS(pg_parse_real_row(&r, line, strlen(line), 1, &x), PARGNN_STATUS_OK, NULL);
        float got = (float)x, want = strtof(edge[i], NULL);
        CHECK_MSG(memcmp(&got, &want, sizeof got) == 0, "%s: %.9g vs %.9g", edge[i], got, want);
    }
    /* Rows of mostly one-digit tokens (the 8-byte word path), with a bad token or a wrong
     * column count placed anywhere: same values as strtof, the right column in messages. */
    static const char *const toks[] = {"0", "1", "9", "5", "0", "1", "2.5", "-1", "10", "0.1", "1e2"};
    static const char *const bad[] = {"", "a", "1a", "/", ":", " 1", "nan", "1.2.3"};
    mismatches = 0;
    for (int it = 0; it < 20000; it++) {
        int width = 1 + (int)pg_test_uniform(&rng, 0, 24);
        int ntok = sizeof toks / sizeof *toks;
        int badcol = pg_test_uniform(&rng, 0, 1) < 0.3 ? (int)pg_test_uniform(&rng, 0, width) : -1;
        int extra = pg_test_uniform(&rng, 0, 1) < 0.1 ? (pg_test_uniform(&rng, 0, 1) < 0.5 ? -1 : 1) : 0;
        if (width + extra < 1) extra = 0;
        if (badcol >= width + extra) badcol = -1;
        float ref[32];
        size_t n = 0;
        for (int j = 0; j < width + extra; j++) {
            const char *t = pg_test_uniform(&rng, 0, 1) < 0.9 ? toks[(int)pg_test_uniform(&rng, 0, 6)]
                                                              : toks[(int)pg_test_uniform(&rng, 0, ntok)];
            if (j == badcol) t = bad[(int)pg_test_uniform(&rng, 0, sizeof bad / sizeof *bad)];
            ref[j] = strtof(t, NULL);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", j ? "," : "", t);
        }
        pg_real got[32];
        pargnn_status st = pg_parse_real_row(&r, line, n, width, got);
        char need[64] = "";
        if (badcol >= 0)
            snprintf(need, sizeof need, "column %d:", badcol + 1);
        else if (extra)
            snprintf(need, sizeof need, "expected %d column%s, found %d", width,
                     width == 1 ? "" : "s", width + extra);
        int good;
        if (n == 0) {
            good = st == PARGNN_STATUS_BAD_INPUT && strstr(pargnn_last_error(), "empty line");
        } else if (badcol >= 0 && extra > 0 && badcol >= width) {
            good = st == PARGNN_STATUS_BAD_INPUT; /* either message is right */
        } else if (badcol >= 0 || extra) {
            good = st == PARGNN_STATUS_BAD_INPUT && strstr(pargnn_last_error(), need);
        } else {
            good = st == PARGNN_STATUS_OK;
            for (int j = 0; good && j < width; j++) {
                float g = (float)got[j];
                good = memcmp(&g, &ref[j], sizeof g) == 0;
            }
        }
        if (!good && mismatches++ < 5)
            fprintf(stderr, "row \"%s\" (width %d): status %d, %s\n", line, width, st,
                    pargnn_last_error());
    }
    CHECK(mismatches == 0);

    pg_real row[3];
    CHECK_STATUS(pg_parse_real_row(&r, "1,2", 3, 3, row), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: expected 3 columns, found 2");
    CHECK_STATUS(pg_parse_real_row(&r, "1,2,3,4,5", 9, 3, row), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: expected 3 columns, found 5");
    CHECK_STATUS(pg_parse_real_row(&r, "1,,3", 4, 3, row), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: column 2: empty value");
    CHECK_STATUS(pg_parse_real_row(&r, "1,2,-", 5, 3, row), PARGNN_STATUS_BAD_INPUT,
                 "t.csv:3: column 3: expected a number");
    CHECK(pg_count_fields("", 0) == 1 && pg_count_fields("a,b,,", 5) == 4);
}

/* --------------------------------------------------------- round trip */

static void round_trip(const pargnn_dataset_t *ds, const char *name) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", pg_test_tmpdir(), name);
    CHECK_STATUS(pargnn_dataset_write_ogb(ds, dir), PARGNN_STATUS_OK, NULL);
    CHECK(file_exists(dir, "raw/node-feat.csv.gz") && file_exists(dir, "raw/edge.csv.gz"));
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/raw", dir);
    CHECK(!dir_has_tmp(sub));
    pargnn_dataset_t *back = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &back), PARGNN_STATUS_OK, NULL);
    if (back) {
        CHECK_MSG(same_dataset(ds, back), "%s: round trip differs", name);
        CHECK(strcmp(back->split_name, ds->split_name ? ds->split_name : "default") == 0);
    }
    pargnn_dataset_free(back);
}

static void test_round_trip(void) {
    char dir[4096];
    spec s = base_spec(".csv");
    write_spec(dir, sizeof dir, "rt_src", &s);
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    round_trip(ds, "rt_dense");
    /* Written files hold each undirected edge once, src <= dst. */
    char rt[4200], sub[4400];
    snprintf(rt, sizeof rt, "%s/rt_dense/raw/edge.csv.gz", pg_test_tmpdir());
    pg_reader r;
    CHECK_STATUS(pg_reader_open(&r, rt), PARGNN_STATUS_OK, NULL);
    char *line;
    size_t len;
    const char *edges[4] = {"0,1", "0,4", "1,2", "3,3"};
    for (int i = 0; i < 4; i++)
        CHECK(pg_reader_next_line(&r, &line, &len) == 1 && strcmp(line, edges[i]) == 0);
    CHECK(pg_reader_next_line(&r, &line, &len) == 0);
    pg_reader_close(&r);
    snprintf(rt, sizeof rt, "%s/rt_dense/raw/node-feat.csv.gz", pg_test_tmpdir());
    CHECK_STATUS(pg_reader_open(&r, rt), PARGNN_STATUS_OK, NULL);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && strcmp(line, "1,0,0.5") == 0);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && strcmp(line, "0,2.25,-1") == 0);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && strcmp(line, "0,0,0") == 0);
    CHECK(pg_reader_next_line(&r, &line, &len) == 1 && strcmp(line, "0.001,0,7") == 0);
    pg_reader_close(&r);

    /* Awkward floats in sparse storage: shortest forms must still read back exactly. */
    const int n = 40, fdim = 30;
    pg_mat_free(&ds->feat);
    pg_csr_free(&ds->feat_csr);
    CHECK_STATUS(pg_mat_alloc(&ds->feat, n, fdim, 1, "test"), PARGNN_STATUS_OK, NULL);
    unsigned long long rng = 99;
    const float specials[] = {0.1f, 1e-7f, -3.5f, 123456.79f, 16777216.0f, 3.4028235e38f,
                              1.17549435e-38f, 1e-45f, -0.0f, 0.333333343f, 2.0f, -1e10f};
    for (int k = 0; k < 60; k++) {
        int i = (int)pg_test_uniform(&rng, 0, n), j = (int)pg_test_uniform(&rng, 0, fdim);
        float v = k < 12 ? specials[k] : (float)pg_test_uniform(&rng, -1000, 1000);
        ds->feat.data[i * fdim + j] = v;
    }
    pargnn_dataset_t *big = pg_dataset_new();
    big->num_nodes = n;
    big->feat = ds->feat;
    memset(&ds->feat, 0, sizeof ds->feat);
    big->split_name = strdup("my-split");
    big->labels = pg_alloc(n, sizeof(int32_t), "test");
    int32_t *src = malloc(100 * sizeof(int32_t)), *dst = malloc(100 * sizeof(int32_t));
    for (int i = 0; i < n; i++) big->labels[i] = i % 4;
    for (int e = 0; e < 100; e++) {
        src[e] = (int32_t)pg_test_uniform(&rng, 0, n);
        dst[e] = (int32_t)pg_test_uniform(&rng, 0, n);
    }
    CHECK_STATUS(pg_csr_from_undirected(n, 100, src, dst, &big->adj), PARGNN_STATUS_OK, NULL);
    free(src);
    free(dst);
    for (int sp = 0; sp < 3; sp++) {
        big->split_len[sp] = 5;
        big->split_idx[sp] = pg_alloc(5, sizeof(int32_t), "test");
        for (int k = 0; k < 5; k++) big->split_idx[sp][k] = sp * 10 + k * 2;
    }
    CHECK_STATUS(pg_dataset_finish_features(big), PARGNN_STATUS_OK, NULL);
    big->num_classes = 4;
    CHECK(big->feat_sparse);
    round_trip(big, "rt_sparse");

    /* An invalid dataset (here an empty split) is refused before anything is written. */
    int64_t keep = big->split_len[1];
    big->split_len[1] = 0;
    snprintf(rt, sizeof rt, "%s/rt_invalid", pg_test_tmpdir());
    CHECK_STATUS(pargnn_dataset_write_ogb(big, rt), PARGNN_STATUS_BAD_INPUT, "valid split is empty");
    CHECK(!file_exists(rt, "raw"));
    big->split_len[1] = keep;

    /* A NaN feature cannot be written, and leaves no file behind, partial or temporary. */
    big->feat_csr.val[3] = NAN;
    snprintf(rt, sizeof rt, "%s/rt_nan", pg_test_tmpdir());
    CHECK_STATUS(pargnn_dataset_write_ogb(big, rt), PARGNN_STATUS_INVALID_ARGUMENT, "not finite");
    CHECK(!file_exists(rt, "raw/node-feat.csv.gz"));
    snprintf(sub, sizeof sub, "%s/raw", rt);
    CHECK(!dir_has_tmp(sub));
    /* A folder that cannot be created. */
    pg_test_write_file(pg_test_tmpdir(), "plainfile", "x");
    snprintf(rt, sizeof rt, "%s/plainfile/sub", pg_test_tmpdir());
    CHECK_STATUS(pargnn_dataset_write_ogb(big, rt), PARGNN_STATUS_IO, "plainfile/sub/raw");
    pargnn_dataset_free(big);
    pargnn_dataset_free(ds);
}

/* ------------------------------------------------------- real datasets */

typedef struct real_counts {
    const char *name;
    int64_t nodes, entries, features, nnz, self_loops;
    int32_t classes;
    int64_t train, valid, test;
} real_counts;

static void test_real(void) {
    const real_counts want[3] = {
        {"cora", 2708, 2 * 5278, 1433, 49216, 0, 7, 140, 500, 1000},
        {"citeseer", 3327, 2 * 4552 + 124, 3703, -1, 124, 6, 120, 500, 1000},
        {"amazon-photo", 7650, 238162, 745, -1, 0, 8, 160, 240, 7250},
    };
    for (int d = 0; d < 3; d++) {
        const char *path = pg_test_dataset(want[d].name);
        if (!path) {
            printf("SKIP: dataset %s not found (set PARGNN_DATASETS); its checks did not run\n",
                   want[d].name);
            continue;
        }
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        pargnn_dataset_t *ds = NULL;
        double t0 = pg_now_ms();
        CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
        double ms = pg_now_ms() - t0;
        if (!ds) continue;
        printf("loaded %s in %.1f ms\n", want[d].name, ms);
        pargnn_dataset_info info;
        pargnn_dataset_get_info(ds, &info);
        CHECK_MSG(info.num_nodes == want[d].nodes, "%s nodes %lld", want[d].name,
                  (long long)info.num_nodes);
        CHECK_MSG(info.num_edges == want[d].entries, "%s entries %lld", want[d].name,
                  (long long)info.num_edges);
        CHECK(info.num_features == want[d].features);
        CHECK(info.num_classes == want[d].classes);
        CHECK(info.num_train == want[d].train && info.num_valid == want[d].valid &&
              info.num_test == want[d].test);
        if (want[d].nnz >= 0)
            CHECK_MSG(info.feature_nnz == want[d].nnz, "%s nnz %lld", want[d].name,
                      (long long)info.feature_nnz);
        CHECK(adj_ok(&ds->adj));
        CHECK(self_loops(&ds->adj) == want[d].self_loops);
        if (d == 0) {
            CHECK(ds->feat_sparse && strcmp(info.split, "planetoid") == 0);
            round_trip(ds, "rt_cora");
        }
        pargnn_dataset_free(ds);
    }
}

int main(void) {
    test_parsers();
    test_reader();
    test_valid();
    test_malformed();
    test_bad_gzip();
    test_round_trip();
    test_real();
    return pg_test_finish();
}
