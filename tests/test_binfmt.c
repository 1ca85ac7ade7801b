/*
 * The binary dataset format and the R-MAT generator: OGB -> binary -> load round trips
 * (dense and sparse features), every kind of damaged file refused with the right message,
 * R-MAT determinism across thread counts, degree skew, and a GCN learning an R-MAT graph.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "io/binfmt.h"
#include "testutil.h"

/* Header field offsets (see io/binfmt.c): the test edits raw bytes on purpose. */
enum { H_VERSION = 8, H_ENDIAN = 12, H_NSEC = 24, H_NODES = 32, H_ADJ_NNZ = 40, H_CRC = 124,
       H_SIZE = 128, T_ENTRY = 32 };

static const char *const sec_names[] = {"?", "adj_rowptr", "adj_col", "feat_dense",
                                        "feat_rowptr", "feat_col", "feat_val", "labels",
                                        "split_train", "split_valid", "split_test",
                                        "split_name", "orig_ids"};

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t len) {
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
}

static uint32_t rd32(const unsigned char *b, size_t off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint64_t rd64(const unsigned char *b, size_t off) { uint64_t v; memcpy(&v, b + off, 8); return v; }
static void wr32(unsigned char *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void wr64(unsigned char *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

/* Recomputes the header checksum after an edit, so the check behind it is reached. */
static void fix_header_crc(unsigned char *b) {
    uint32_t ns = rd32(b, H_NSEC);
    uint32_t crc = pg_crc32(0, b, H_CRC);
    crc = pg_crc32(crc, b + H_SIZE, (size_t)ns * T_ENTRY);
    wr32(b, H_CRC, crc);
}

static int same_csr(const pg_csr *a, const pg_csr *b, int values) {
    if (a->nrows != b->nrows || a->ncols != b->ncols || a->nnz != b->nnz) return 0;
    if (memcmp(a->rowptr, b->rowptr, ((size_t)a->nrows + 1) * sizeof(int64_t))) return 0;
    if (memcmp(a->col, b->col, (size_t)a->nnz * sizeof(int32_t))) return 0;
    for (int64_t k = 0; values && k < a->nnz; k++)
        if ((a->val ? a->val[k] : 1) != (b->val ? b->val[k] : 1)) return 0;
    return 1;
}

static int same_dataset(const pargnn_dataset_t *a, const pargnn_dataset_t *b) {
    if (a->num_nodes != b->num_nodes || a->num_features != b->num_features ||
        a->num_classes != b->num_classes || a->feat_sparse != b->feat_sparse ||
        a->feat_nnz != b->feat_nnz || a->directed != b->directed)
        return 0;
    if (!same_csr(&a->adj, &b->adj, 0)) return 0;
    if (a->feat_sparse ? !same_csr(&a->feat_csr, &b->feat_csr, 1)
                       : memcmp(a->feat.data, b->feat.data,
                                (size_t)(a->num_nodes * a->num_features) * sizeof(pg_real)))
        return 0;
    if (memcmp(a->labels, b->labels, (size_t)a->num_nodes * sizeof(int32_t))) return 0;
    for (int s = 0; s < 3; s++)
        if (a->split_len[s] != b->split_len[s] ||
            memcmp(a->split_idx[s], b->split_idx[s], (size_t)a->split_len[s] * sizeof(int32_t)))
            return 0;
    return strcmp(a->split_name ? a->split_name : "", b->split_name ? b->split_name : "") == 0;
}

static pargnn_dataset_t *small_rmat(uint64_t seed, int64_t n, double deg, int64_t f, int32_t c) {
    pargnn_rmat_params p;
    pargnn_rmat_params_default(&p);
    p.num_nodes = n;
    p.avg_degree = deg;
    p.num_features = f;
    p.num_classes = c;
    p.seed = seed;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_rmat(&p, &ds), PARGNN_STATUS_OK, NULL);
    return ds;
}

/* dataset -> OGB folder -> load -> binary file -> load: equal to the OGB load, zero copy. */
static void round_trip(pargnn_dataset_t *orig, const char *tag, const char *dir) {
    char ogb[4096], bin[4096];
    snprintf(ogb, sizeof ogb, "%s/%s_ogb", dir, tag);
    snprintf(bin, sizeof bin, "%s/%s.bin", dir, tag);
    CHECK_STATUS(pargnn_dataset_write_ogb(orig, ogb), PARGNN_STATUS_OK, NULL);
    pargnn_dataset_t *a = NULL, *b = NULL;
    CHECK_STATUS(pargnn_dataset_load(ogb, NULL, &a), PARGNN_STATUS_OK, NULL);
    if (!a) return;
    CHECK_STATUS(pargnn_dataset_write_bin(a, bin), PARGNN_STATUS_OK, NULL);
    CHECK_STATUS(pargnn_dataset_load(bin, NULL, &b), PARGNN_STATUS_OK, NULL); /* auto: magic */
    if (b) {
        CHECK_MSG(same_dataset(a, b), "%s: binary reload differs from the OGB load", tag);
        CHECK_MSG(same_dataset(orig, b), "%s: binary reload differs from the generated dataset", tag);
        const char *lo = b->map_base, *hi = lo + b->map_len, *col = (const char *)b->adj.col;
        CHECK_MSG(b->borrowed & PG_DS_ADJ && col >= lo && col < hi, "%s: adjacency not mapped", tag);
        CHECK_MSG(b->borrowed & PG_DS_FEAT, "%s: features copied in the float build", tag);
        /* The split is the one stored; another name is refused. */
        pargnn_dataset_t *c = NULL;
        CHECK_STATUS(pargnn_dataset_load(bin, b->split_name, &c), PARGNN_STATUS_OK, NULL);
        pargnn_dataset_free(c);
        CHECK_STATUS(pargnn_dataset_load(bin, "nope", &c), PARGNN_STATUS_INVALID_ARGUMENT,
                     "no split scheme \"nope\"");
    }
    pargnn_dataset_free(a);
    pargnn_dataset_free(b);
}

static void test_round_trips(const char *dir) {
    pargnn_dataset_t *sbm = pg_test_sbm(600, 40, 8, 0.8, 0);
    CHECK_MSG(sbm && sbm->feat_sparse, "the SBM should have sparse features");
    if (sbm) round_trip(sbm, "sbm_sparse", dir);
    pargnn_dataset_free(sbm);

    pargnn_dataset_t *rm = small_rmat(3, 900, 8, 12, 3);
    CHECK_MSG(rm && !rm->feat_sparse, "the R-MAT graph should have dense features");
    if (rm) round_trip(rm, "rmat_dense", dir);
    pargnn_dataset_free(rm);

    const char *cora = pg_test_dataset("cora");
    if (cora) {
        pargnn_dataset_t *a = NULL, *b = NULL;
        char bin[4096];
        snprintf(bin, sizeof bin, "%s/cora.bin", dir);
        CHECK_STATUS(pargnn_dataset_load(cora, NULL, &a), PARGNN_STATUS_OK, NULL);
        if (a) CHECK_STATUS(pargnn_dataset_write_bin(a, bin), PARGNN_STATUS_OK, NULL);
        CHECK_STATUS(pargnn_dataset_load(bin, NULL, &b), PARGNN_STATUS_OK, NULL);
        CHECK_MSG(a && b && same_dataset(a, b), "Cora: binary reload differs");
        pargnn_dataset_free(a);
        pargnn_dataset_free(b);
    } else {
        printf("note: Cora not found, its round trip is skipped\n");
    }
}

/* Writes b (len bytes) as dir/name and expects pg_bin_load to refuse it. */
static void expect_refused(const char *dir, const char *name, const unsigned char *b, size_t len,
                           pargnn_status want, const char *needle) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    spit(path, b, len);
    pargnn_dataset_t *ds = NULL;
    pg_test_check_status(pg_bin_load(path, NULL, &ds), want, needle, __FILE__, __LINE__, name);
    CHECK_MSG(ds == NULL, "%s: a dataset came back from a refused file", name);
    pargnn_dataset_free(ds);
}

static void test_damaged(const char *dir) {
    pargnn_dataset_t *ds = small_rmat(5, 700, 6, 5, 3);
    if (!ds) return;
    char good[4096];
    snprintf(good, sizeof good, "%s/good.bin", dir);
    CHECK_STATUS(pargnn_dataset_write_bin(ds, good), PARGNN_STATUS_OK, NULL);
    pargnn_dataset_free(ds);
    size_t len = 0;
    unsigned char *orig = slurp(good, &len), *b = malloc(len);
    if (!orig || !b) {
        CHECK_MSG(0, "cannot read %s", good);
        return;
    }
    const uint32_t ns = rd32(orig, H_NSEC);
    CHECK(ns >= 8 && ns <= 12);
    char name[128], needle[128];
    /* One flipped byte in each section: its own checksum catches it. */
    for (uint32_t k = 0; k < ns; k++) {
        const unsigned char *e = orig + H_SIZE + (size_t)k * T_ENTRY;
        uint32_t id = rd32(e, 0);
        uint64_t off = rd64(e, 8), bytes = rd64(e, 16);
        if (bytes == 0 || id >= sizeof sec_names / sizeof *sec_names) continue;
        memcpy(b, orig, len);
        b[off + bytes / 2] ^= 0x5a;
        snprintf(name, sizeof name, "flip_%s.bin", sec_names[id]);
        snprintf(needle, sizeof needle, "section %s: checksum mismatch", sec_names[id]);
        expect_refused(dir, name, b, len, PARGNN_STATUS_CORRUPT, needle);
    }
    memcpy(b, orig, len);
    b[100] ^= 1; /* a reserved header byte, checksum not fixed */
    expect_refused(dir, "flip_header.bin", b, len, PARGNN_STATUS_CORRUPT, "header checksum mismatch");
    expect_refused(dir, "truncated.bin", orig, len - 100, PARGNN_STATUS_CORRUPT,
                   "truncated: the header says");
    expect_refused(dir, "short.bin", orig, 60, PARGNN_STATUS_CORRUPT, "shorter than the 128-byte header");
    expect_refused(dir, "tiny.bin", orig, 3, PARGNN_STATUS_CORRUPT, "bad magic");
    memcpy(b, orig, len);
    b[0] = 'X';
    expect_refused(dir, "magic.bin", b, len, PARGNN_STATUS_CORRUPT, "not a pargnn binary dataset");
    memcpy(b, orig, len);
    wr32(b, H_VERSION, 2);
    expect_refused(dir, "version.bin", b, len, PARGNN_STATUS_CORRUPT,
                   "format version 2, this pargnn reads version 1");
    memcpy(b, orig, len);
    wr32(b, H_ENDIAN, 0x04030201u);
    expect_refused(dir, "endian.bin", b, len, PARGNN_STATUS_CORRUPT, "other byte order");
    /* Counts beyond the file, up to values where count * size would wrap 64 bits. */
    const uint64_t huge[] = {(uint64_t)1 << 31, (uint64_t)1 << 40, (uint64_t)1 << 62,
                             (uint64_t)INT64_MAX};
    for (size_t k = 0; k < sizeof huge / sizeof *huge; k++) {
        memcpy(b, orig, len);
        wr64(b, H_ADJ_NNZ, huge[k]);
        fix_header_crc(b);
        expect_refused(dir, "adj_nnz_huge.bin", b, len, PARGNN_STATUS_CORRUPT,
                       "adjacency nnz");
        memcpy(b, orig, len);
        wr64(b, H_NODES, huge[k]);
        fix_header_crc(b);
        expect_refused(dir, "nodes_huge.bin", b, len, PARGNN_STATUS_CORRUPT, "node count");
    }
    memcpy(b, orig, len);
    wr64(b, H_ADJ_NNZ, rd64(orig, H_ADJ_NNZ) + 1); /* fits the file, disagrees with the table */
    fix_header_crc(b);
    expect_refused(dir, "adj_nnz_plus1.bin", b, len, PARGNN_STATUS_CORRUPT,
                   "section adj_col: ");
    /* Content that passes its checksum but breaks the CSR: offsets decreasing. */
    memcpy(b, orig, len);
    {
        const unsigned char *e = orig + H_SIZE; /* entry 0: adj_rowptr */
        uint64_t off = rd64(e, 8), bytes = rd64(e, 16);
        wr64(b, off + 8 * 3, rd64(b, off + 8 * 5)); /* rowptr[3] = rowptr[5] > rowptr[4] */
        wr32(b, H_SIZE + 24, pg_crc32(0, b + off, bytes));
        fix_header_crc(b);
        expect_refused(dir, "rowptr.bin", b, len, PARGNN_STATUS_CORRUPT,
                       "section adj_rowptr: offsets decrease at row 3");
    }
    /* The dispatch: a file with the magic goes to the binary loader whatever its name. */
    memcpy(b, orig, len);
    b[len - 1] ^= 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/damaged_via_load", dir);
    spit(path, b, len - 64);
    CHECK_STATUS(pargnn_dataset_load(path, NULL, &(pargnn_dataset_t *){NULL}), PARGNN_STATUS_CORRUPT,
                 "truncated");
    free(orig);
    free(b);
}

static int same_graph(const pargnn_dataset_t *a, const pargnn_dataset_t *b) {
    return a && b && same_dataset(a, b);
}

static void test_rmat(void) {
    omp_set_num_threads(1);
    pargnn_dataset_t *a = small_rmat(7, 5000, 12, 8, 4);
    omp_set_num_threads(2);
    pargnn_dataset_t *b = small_rmat(7, 5000, 12, 8, 4);
    pargnn_dataset_t *c = small_rmat(8, 5000, 12, 8, 4);
    CHECK_MSG(same_graph(a, b), "R-MAT seed 7 differs between 1 and 2 threads");
    CHECK_MSG(a && c && !same_csr(&a->adj, &c->adj, 0), "R-MAT seeds 7 and 8 gave one graph");
    if (a) {
        int64_t maxd = 0, n = a->num_nodes;
        for (int64_t i = 0; i < n; i++) {
            int64_t d = a->adj.rowptr[i + 1] - a->adj.rowptr[i];
            if (d > maxd) maxd = d;
        }
        double mean = (double)a->adj.nnz / (double)n;
        printf("rmat(5000, avg 12): %lld directed entries, mean degree %.1f, max %lld\n",
               (long long)a->adj.nnz, mean, (long long)maxd);
        CHECK_MSG((double)maxd > 10 * mean, "max degree %lld is not >> mean %.1f", (long long)maxd,
                  mean);
        CHECK_MSG(fabs(mean - 12) < 1.5, "mean degree %.2f, asked 12", mean);
        /* Edge homophily near the asked 0.8 (plus chance agreements). */
        int64_t same = 0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = a->adj.rowptr[i]; k < a->adj.rowptr[i + 1]; k++)
                same += a->labels[i] == a->labels[a->adj.col[k]];
        double h = (double)same / (double)a->adj.nnz;
        CHECK_MSG(h > 0.75 && h < 0.92, "edge homophily %.3f for --homophily 0.8", h);
    }
    pargnn_dataset_free(a);
    pargnn_dataset_free(b);
    pargnn_dataset_free(c);
    /* Node counts that are not a power of two, and refused parameters. */
    pargnn_dataset_t *d = small_rmat(1, 1000, 4, 3, 2);
    CHECK(d && d->num_nodes == 1000);
    pargnn_dataset_free(d);
    pargnn_rmat_params p;
    pargnn_rmat_params_default(&p);
    p.a = 0.9; /* a + b + c > 1 */
    CHECK_STATUS(pargnn_generate_rmat(&p, &d), PARGNN_STATUS_INVALID_ARGUMENT, "d = 1 - a - b - c");
    pargnn_rmat_params_default(&p);
    p.num_nodes = 50;
    CHECK_STATUS(pargnn_generate_rmat(&p, &d), PARGNN_STATUS_INVALID_ARGUMENT, "--nodes");
}

static void test_rmat_learns(void) {
    pargnn_dataset_t *ds = small_rmat(11, 3000, 10, 16, 4);
    if (!ds) return;
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 100;
    pargnn_result r;
    pargnn_trainer_t *tr = pg_test_train(ds, &cfg, &r);
    if (tr) {
        printf("GCN on rmat(3000 nodes, 4 classes, homophily 0.8): test accuracy %.3f\n", r.test_acc);
        CHECK_MSG(r.test_acc > 0.6, "test accuracy %.3f, chance is 0.25", r.test_acc);
    }
    pargnn_trainer_free(tr);
    pargnn_dataset_free(ds);
}

int main(void) {
    const char *dir = pg_test_tmpdir();
    test_round_trips(dir);
    test_damaged(dir);
    test_rmat();
    test_rmat_learns();
    return pg_test_finish();
}
