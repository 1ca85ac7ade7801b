/*
 * Partitioners and partition statistics: every method covers every node once with non-empty
 * parts, is deterministic for a seed, falls back visibly when METIS cannot run, and METIS cuts
 * far less than random on homophilous graphs (the numbers are printed for the record).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "dist/partition.h"
#include "testutil.h"

/* METIS balance tolerance of the default configuration. */
#define TOL PARGNN_PARTITION_IMBALANCE_DEFAULT

static const pg_part_method methods[] = {PG_PART_METIS, PG_PART_RANDOM, PG_PART_BLOCK};

/* Every node in [0, nparts), every part non-empty; returns the smallest and largest size. */
static int valid_partition(const int32_t *part, int64_t n, int32_t nparts, int64_t *mn, int64_t *mx) {
    int64_t *cnt = calloc((size_t)nparts, sizeof(int64_t));
    int ok = cnt != NULL;
    for (int64_t i = 0; ok && i < n; i++) {
        if (part[i] < 0 || part[i] >= nparts) ok = 0;
        else cnt[part[i]]++;
    }
    *mn = INT64_MAX;
    *mx = 0;
    for (int32_t p = 0; ok && p < nparts; p++) {
        if (cnt[p] < *mn) *mn = cnt[p];
        if (cnt[p] > *mx) *mx = cnt[p];
    }
    if (ok && *mn == 0) ok = 0;
    free(cnt);
    return ok;
}

static pargnn_dataset_t *make_sbm(int64_t n, double deg, int32_t classes, uint64_t seed) {
    pargnn_sbm_params p;
    pargnn_sbm_params_default(&p);
    p.num_nodes = n;
    p.avg_degree = deg;
    p.num_features = 4;
    p.num_classes = classes;
    p.homophily = 0.8;
    p.seed = seed;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&p, &ds), PARGNN_STATUS_OK, NULL);
    return ds;
}

static unsigned char *train_mask_of(const pargnn_dataset_t *ds) {
    unsigned char *m = calloc((size_t)ds->num_nodes, 1);
    if (m)
        for (int64_t k = 0; k < ds->split_len[PG_SPLIT_TRAIN]; k++) m[ds->split_idx[PG_SPLIT_TRAIN][k]] = 1;
    return m;
}

static pg_csr make_graph(int64_t n, int64_t m, const int32_t *src, const int32_t *dst) {
    pg_csr a;
    memset(&a, 0, sizeof a);
    CHECK_STATUS(pg_csr_from_undirected(n, m, src, dst, &a), PARGNN_STATUS_OK, NULL);
    return a;
}

static void test_cover_and_determinism(void) {
    pargnn_dataset_t *ds = make_sbm(3000, 8, 4, 7);
    if (!ds) return;
    const int64_t n = ds->num_nodes;
    unsigned char *mask = train_mask_of(ds);
    int32_t *a = malloc((size_t)n * sizeof(int32_t)), *b = malloc((size_t)n * sizeof(int32_t));
    const int32_t parts[] = {1, 2, 3, 7, 16};
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t pi = 0; pi < sizeof parts / sizeof parts[0]; pi++) {
            const int32_t P = parts[pi];
            const pg_part_method m = methods[mi];
            int fb = -1;
            const char *note = "unset";
            CHECK_STATUS(pg_partition(&ds->adj, P, m, PG_PART_CUT, TOL, mask, 42, a, &fb, &note),
                         PARGNN_STATUS_OK, NULL);
            int64_t mn, mx;
            CHECK_MSG(valid_partition(a, n, P, &mn, &mx), "%s P=%d: invalid partition",
                      pg_part_method_name(m), P);
            CHECK_MSG(fb == 0 && note == NULL, "%s P=%d: unexpected fallback %d (%s)",
                      pg_part_method_name(m), P, fb, note ? note : "");
            if (m != PG_PART_METIS) CHECK_MSG(mx - mn <= 1, "%s P=%d: sizes %lld..%lld",
                                              pg_part_method_name(m), P, (long long)mn, (long long)mx);
            if (m == PG_PART_BLOCK)
                for (int64_t i = 1; i < n; i++)
                    if (a[i] < a[i - 1] || a[i] > a[i - 1] + 1) {
                        CHECK_MSG(0, "block P=%d: not contiguous at node %lld", P, (long long)i);
                        break;
                    }
            /* Same seed, same answer (METIS with both objectives). */
            for (int obj = 0; obj < 2; obj++) {
                CHECK_STATUS(pg_partition(&ds->adj, P, m, (pg_part_objective)obj, TOL, mask, 42, a, NULL, NULL),
                             PARGNN_STATUS_OK, NULL);
                CHECK_STATUS(pg_partition(&ds->adj, P, m, (pg_part_objective)obj, TOL, mask, 42, b, NULL, NULL),
                             PARGNN_STATUS_OK, NULL);
                CHECK_MSG(memcmp(a, b, (size_t)n * sizeof(int32_t)) == 0,
                          "%s P=%d objective %d: not deterministic", pg_part_method_name(m), P, obj);
            }
            if (P == 1)
                for (int64_t i = 0; i < n; i++) CHECK(a[i] == 0);
        }
    /* A different seed gives a different random partition. */
    CHECK_STATUS(pg_partition(&ds->adj, 4, PG_PART_RANDOM, PG_PART_CUT, TOL, NULL, 1, a, NULL, NULL), PARGNN_STATUS_OK, NULL);
    CHECK_STATUS(pg_partition(&ds->adj, 4, PG_PART_RANDOM, PG_PART_CUT, TOL, NULL, 2, b, NULL, NULL), PARGNN_STATUS_OK, NULL);
    CHECK(memcmp(a, b, (size_t)n * sizeof(int32_t)) != 0);
    /* METIS without a training mask: two constraints. */
    int fb = -1;
    CHECK_STATUS(pg_partition(&ds->adj, 5, PG_PART_METIS, PG_PART_VOL, TOL, NULL, 3, a, &fb, NULL), PARGNN_STATUS_OK, NULL);
    int64_t mn, mx;
    CHECK(valid_partition(a, n, 5, &mn, &mx) && fb == 0);
    free(a);
    free(b);
    free(mask);
    pargnn_dataset_free(ds);
}

/* Path 0-1-2-3-4-5 plus the chord 0-2 and a self-loop on 3, in parts {0,1} {2,3} {4,5}:
 *   cut edges 0-2, 1-2, 3-4 -> edge cut 3;
 *   halos: part 0 needs {2}, part 1 needs {0,1,4}, part 2 needs {3} -> 1 + 3 + 1 = 5, max 3;
 *   row non-zeros 2,2,3,3,2,1 -> per part 4, 6, 3 of 13: edge imbalance 6 / (13/3) = 18/13;
 *   training nodes 0, 1, 4 -> 2, 0, 1: train imbalance 2. */
static void test_stats_hand(void) {
    const int32_t src[] = {0, 1, 2, 3, 4, 0, 3}, dst[] = {1, 2, 3, 4, 5, 2, 3};
    pg_csr g = make_graph(6, 7, src, dst);
    if (!g.rowptr) return;
    CHECK(g.nnz == 13);
    const int32_t part[] = {0, 0, 1, 1, 2, 2};
    const unsigned char mask[] = {1, 1, 0, 0, 1, 0};
    pg_part_stats st;
    CHECK_STATUS(pg_part_stats_compute(&g, part, 3, mask, &st), PARGNN_STATUS_OK, NULL);
    CHECK(st.nparts == 3);
    CHECK(st.edge_cut == 3);
    CHECK(st.comm_volume == 5 && st.total_halo == 5 && st.max_halo == 3);
    CHECK(st.part_halo[0] == 1 && st.part_halo[1] == 3 && st.part_halo[2] == 1);
    CHECK(st.part_nodes[0] == 2 && st.part_nodes[1] == 2 && st.part_nodes[2] == 2);
    CHECK(st.part_edges[0] == 4 && st.part_edges[1] == 6 && st.part_edges[2] == 3);
    CHECK(st.part_train[0] == 2 && st.part_train[1] == 0 && st.part_train[2] == 1);
    CHECK(st.node_imbalance == 1.0);
    CHECK(st.edge_imbalance > 18.0 / 13 - 1e-12 && st.edge_imbalance < 18.0 / 13 + 1e-12);
    CHECK(st.train_imbalance == 2.0);
    pg_part_stats_free(&st);
    /* No mask: train imbalance 1. One part: nothing cut. */
    CHECK_STATUS(pg_part_stats_compute(&g, part, 3, NULL, &st), PARGNN_STATUS_OK, NULL);
    CHECK(st.train_imbalance == 1.0 && st.part_train[0] == 0);
    pg_part_stats_free(&st);
    const int32_t zero[6] = {0};
    CHECK_STATUS(pg_part_stats_compute(&g, zero, 1, mask, &st), PARGNN_STATUS_OK, NULL);
    CHECK(st.edge_cut == 0 && st.comm_volume == 0 && st.node_imbalance == 1.0);
    pg_part_stats_free(&st);
    /* Bad part ids and part counts are reported, not trusted. */
    const int32_t bad[] = {0, 0, 1, 3, 2, 2};
    CHECK_STATUS(pg_part_stats_compute(&g, bad, 3, NULL, &st), PARGNN_STATUS_INVALID_ARGUMENT, "part[3] = 3");
    CHECK_STATUS(pg_part_stats_compute(&g, part, 0, NULL, &st), PARGNN_STATUS_INVALID_ARGUMENT, "--parts");
    pg_part_stats_free(&st); /* safe on a failed st */
    /* Hand graph through every method: 3 parts of 2 nodes. */
    int32_t out[6];
    for (size_t mi = 0; mi < 3; mi++) {
        int fb = -1;
        const char *note = NULL;
        CHECK_STATUS(pg_partition(&g, 3, methods[mi], PG_PART_CUT, TOL, mask, 0, out, &fb, &note),
                     PARGNN_STATUS_OK, NULL);
        int64_t mn, mx;
        CHECK_MSG(valid_partition(out, 6, 3, &mn, &mx), "%s on the hand graph", pg_part_method_name(methods[mi]));
        if (fb) printf("hand graph, %s: fallback: %s\n", pg_part_method_name(methods[mi]), note);
    }
    pg_csr_free(&g);
}

static void test_errors_and_names(void) {
    const int32_t src[] = {0, 1, 2}, dst[] = {1, 2, 3};
    pg_csr g = make_graph(4, 3, src, dst);
    if (!g.rowptr) return;
    int32_t out[4];
    for (size_t mi = 0; mi < 3; mi++) {
        CHECK_STATUS(pg_partition(&g, 0, methods[mi], PG_PART_CUT, TOL, NULL, 0, out, NULL, NULL),
                     PARGNN_STATUS_INVALID_ARGUMENT, "--parts");
        CHECK_STATUS(pg_partition(&g, 5, methods[mi], PG_PART_CUT, TOL, NULL, 0, out, NULL, NULL),
                     PARGNN_STATUS_INVALID_ARGUMENT, "rank count");
    }
    CHECK_STATUS(pg_partition(&g, 2, (pg_part_method)9, PG_PART_CUT, TOL, NULL, 0, out, NULL, NULL),
                 PARGNN_STATUS_INVALID_ARGUMENT, "--partition");
    CHECK_STATUS(pg_partition(&g, 2, PG_PART_METIS, (pg_part_objective)9, TOL, NULL, 0, out, NULL, NULL),
                 PARGNN_STATUS_INVALID_ARGUMENT, "--partition-objective");
    /* The balance tolerance: outside [1.001, 2] (including "no slack", a percentage written
     * as a fraction and gpmetis's ufactor 30) or NaN is refused by every method. */
    const double bad_tol[] = {0, 0.05, 1.0, 1.0009, 2.01, 30, -1.1, NAN, INFINITY};
    for (size_t k = 0; k < sizeof bad_tol / sizeof bad_tol[0]; k++)
        for (size_t mi = 0; mi < 3; mi++)
            CHECK_STATUS(pg_partition(&g, 2, methods[mi], PG_PART_CUT, bad_tol[k], NULL, 0, out, NULL, NULL),
                         PARGNN_STATUS_INVALID_ARGUMENT, "--partition-imbalance");
    for (size_t mi = 0; mi < 3; mi++) /* the ends of the range are accepted */
        for (int k = 0; k < 2; k++)
            CHECK_STATUS(pg_partition(&g, 2, methods[mi], PG_PART_CUT,
                                      k ? PARGNN_PARTITION_IMBALANCE_MAX : PARGNN_PARTITION_IMBALANCE_MIN,
                                      NULL, 0, out, NULL, NULL),
                         PARGNN_STATUS_OK, NULL);
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    CHECK(cfg.partition_imbalance == PARGNN_PARTITION_IMBALANCE_DEFAULT);
    CHECK_STATUS(pargnn_config_validate(&cfg), PARGNN_STATUS_OK, NULL);
    cfg.partition_imbalance = 1.0;
    CHECK_STATUS(pargnn_config_validate(&cfg), PARGNN_STATUS_INVALID_ARGUMENT, "--partition-imbalance");
    cfg.partition_imbalance = NAN;
    CHECK_STATUS(pargnn_config_validate(&cfg), PARGNN_STATUS_INVALID_ARGUMENT, "--partition-imbalance");
    /* nparts == n: one node per part, whatever METIS does with such a tiny graph. */
    for (size_t mi = 0; mi < 3; mi++) {
        int fb = -1;
        const char *note = NULL;
        CHECK_STATUS(pg_partition(&g, 4, methods[mi], PG_PART_VOL, TOL, NULL, 5, out, &fb, &note), PARGNN_STATUS_OK, NULL);
        int64_t mn, mx;
        CHECK(valid_partition(out, 4, 4, &mn, &mx) && mx == 1);
        CHECK(fb == 0 || (fb == 1 && note && *note));
        if (note) printf("path of 4 nodes into 4 parts, %s: fallback %d: %s\n", pg_part_method_name(methods[mi]), fb, note);
    }
    for (size_t mi = 0; mi < 3; mi++) {
        pg_part_method m = PG_PART_BLOCK;
        CHECK(pg_part_method_from_name(pg_part_method_name(methods[mi]), &m) && m == methods[mi]);
    }
    pg_part_method m;
    pg_part_objective o;
    CHECK(!pg_part_method_from_name("parmetis", &m) && !pg_part_method_from_name(NULL, &m));
    CHECK(pg_part_objective_from_name("vol", &o) && o == PG_PART_VOL);
    CHECK(pg_part_objective_from_name("cut", &o) && o == PG_PART_CUT);
    CHECK(!pg_part_objective_from_name("volume", &o));
    pg_csr_free(&g);
}

/* METIS must not be asked what it cannot do: a graph "too big" for idx_t (the limit lowered
 * by the test hook), a graph without edges, a directed graph (symmetrised for METIS). */
static void test_fallbacks(void) {
    pargnn_dataset_t *ds = make_sbm(2000, 6, 4, 3);
    if (!ds) return;
    const int64_t n = ds->num_nodes;
    int32_t *a = malloc((size_t)n * sizeof(int32_t)), *blk = malloc((size_t)n * sizeof(int32_t));
    int fb = -1;
    const char *note = NULL;
    pg_partition_set_idx_limit_for_testing(1000);
    CHECK_STATUS(pg_partition(&ds->adj, 4, PG_PART_METIS, PG_PART_CUT, TOL, NULL, 0, a, &fb, &note),
                 PARGNN_STATUS_OK, NULL);
    pg_partition_set_idx_limit_for_testing(0);
    CHECK(fb == 1 && note && strstr(note, "idx_t") && strstr(note, "block"));
    printf("forced fallback: %s\n", note ? note : "(none)");
    CHECK_STATUS(pg_partition(&ds->adj, 4, PG_PART_BLOCK, PG_PART_CUT, TOL, NULL, 0, blk, NULL, NULL), PARGNN_STATUS_OK, NULL);
    CHECK(memcmp(a, blk, (size_t)n * sizeof(int32_t)) == 0);
    /* The edge count alone over the limit (nodes fit). */
    pg_partition_set_idx_limit_for_testing(ds->adj.nnz - 1);
    CHECK_STATUS(pg_partition(&ds->adj, 3, PG_PART_METIS, PG_PART_VOL, TOL, NULL, 0, a, &fb, &note),
                 PARGNN_STATUS_OK, NULL);
    pg_partition_set_idx_limit_for_testing(0);
    CHECK(fb == 1 && note != NULL);
    /* Back to normal: no fallback. */
    CHECK_STATUS(pg_partition(&ds->adj, 4, PG_PART_METIS, PG_PART_CUT, TOL, NULL, 0, a, &fb, &note),
                 PARGNN_STATUS_OK, NULL);
    CHECK(fb == 0 && note == NULL);
    free(a);
    free(blk);
    pargnn_dataset_free(ds);

    /* Fewer than 16 nodes per part: METIS is not called (libmetis prints and empties parts). */
    {
        const int32_t s5[] = {0, 1, 2, 3}, d5[] = {1, 2, 3, 4};
        pg_csr path = make_graph(5, 4, s5, d5);
        int32_t p5[5];
        CHECK_STATUS(pg_partition(&path, 2, PG_PART_METIS, PG_PART_CUT, TOL, NULL, 0, p5, &fb, &note),
                     PARGNN_STATUS_OK, NULL);
        int64_t lo, hi;
        CHECK(valid_partition(p5, 5, 2, &lo, &hi) && fb == 1 && note && strstr(note, "16 nodes per part"));
        CHECK(p5[0] == 0 && p5[2] == 0 && p5[3] == 1 && p5[4] == 1);
        pg_csr_free(&path);
    }
    /* No edges at all: still a valid partition (METIS or block, said which). */
    pg_csr empty = make_graph(100, 0, NULL, NULL);
    int32_t out[100];
    CHECK_STATUS(pg_partition(&empty, 4, PG_PART_METIS, PG_PART_CUT, TOL, NULL, 0, out, &fb, &note),
                 PARGNN_STATUS_OK, NULL);
    int64_t mn, mx;
    CHECK(valid_partition(out, 100, 4, &mn, &mx));
    CHECK(fb == 0 || note != NULL);
    if (note) printf("edgeless graph: fallback %d: %s\n", fb, note);
    pg_csr_free(&empty);

    /* A directed ring 0 -> 1 -> ... -> 59 -> 0 (row i holds i-1 only): METIS sees the
     * symmetrised ring and cuts it into arcs, so the cut is small. */
    enum { R = 60 };
    int64_t rp[R + 1];
    int32_t cl[R];
    for (int i = 0; i <= R; i++) rp[i] = i;
    for (int i = 0; i < R; i++) cl[i] = (i + R - 1) % R;
    pg_csr ring = {R, R, R, rp, cl, NULL};
    int32_t rpart[R];
    CHECK_STATUS(pg_partition(&ring, 3, PG_PART_METIS, PG_PART_CUT, TOL, NULL, 0, rpart, &fb, &note),
                 PARGNN_STATUS_OK, NULL);
    CHECK(valid_partition(rpart, R, 3, &mn, &mx) && fb == 0);
    pg_part_stats st;
    CHECK_STATUS(pg_part_stats_compute(&ring, rpart, 3, NULL, &st), PARGNN_STATUS_OK, NULL);
    CHECK_MSG(st.comm_volume <= 6, "directed ring: halo %lld", (long long)st.comm_volume);
    pg_part_stats_free(&st);
}

/* Two random communities of 580 and 420 nodes (degree about 10 inside) joined by 20 edges:
 * their natural split holds 1.16 times the mean part's nodes and edges. */
static pg_csr two_communities(void) {
    enum { N = 1000, BIG = 580, INNER = 5000, BRIDGES = 20 };
    int32_t *src = malloc((INNER + BRIDGES) * sizeof(int32_t)), *dst = malloc((INNER + BRIDGES) * sizeof(int32_t));
    pg_csr g;
    memset(&g, 0, sizeof g);
    if (!src || !dst) {
        CHECK(0);
        free(src), free(dst);
        return g;
    }
    unsigned long long state = 12345;
    for (int e = 0; e < INNER + BRIDGES; e++) {
        const int big = e < INNER * BIG / N; /* edges in proportion to the community sizes */
        const int lo = big ? 0 : BIG, size = big ? BIG : N - BIG;
        src[e] = lo + (int32_t)pg_test_uniform(&state, 0, size);
        dst[e] = lo + (int32_t)pg_test_uniform(&state, 0, size);
        if (e >= INNER) src[e] = (int32_t)pg_test_uniform(&state, 0, BIG); /* a bridge */
    }
    g = make_graph(N, INNER + BRIDGES, src, dst);
    free(src);
    free(dst);
    return g;
}

/* The balance tolerance reaches METIS. At the default, two parts of the graph above must
 * split the big community (hundreds of halo nodes); at 1.2 the natural split fits and the
 * halo is the bridges' ends. Each partition stays within its tolerance (METIS's target, not
 * a guarantee: a little rounding slack is allowed). */
static void test_tolerance(void) {
    pg_csr g = two_communities();
    if (!g.rowptr) return;
    const int64_t n = g.nrows;
    int32_t *a = malloc((size_t)n * sizeof(int32_t)), *b = malloc((size_t)n * sizeof(int32_t));
    if (!a || !b) {
        CHECK(0);
        free(a), free(b);
        pg_csr_free(&g);
        return;
    }
    const double tol[2] = {TOL, 1.2};
    int32_t *out[2] = {a, b};
    int64_t vol[2] = {0, 0};
    double node_imb[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int fb = -1;
        CHECK_STATUS(pg_partition(&g, 2, PG_PART_METIS, PG_PART_CUT, tol[k], NULL, 1, out[k], &fb, NULL),
                     PARGNN_STATUS_OK, NULL);
        CHECK(fb == 0);
        pg_part_stats st;
        CHECK_STATUS(pg_part_stats_compute(&g, out[k], 2, NULL, &st), PARGNN_STATUS_OK, NULL);
        printf("two communities (580 + 420 nodes), 2 parts, tolerance %.2f: halo %lld, edge cut %lld, "
               "node imb %.3f, edge imb %.3f\n",
               tol[k], (long long)st.comm_volume, (long long)st.edge_cut, st.node_imbalance, st.edge_imbalance);
        CHECK_MSG(st.node_imbalance <= tol[k] + 0.01 && st.edge_imbalance <= tol[k] + 0.01,
                  "tolerance %.2f: node imbalance %.3f, edge imbalance %.3f", tol[k], st.node_imbalance,
                  st.edge_imbalance);
        vol[k] = st.comm_volume;
        node_imb[k] = st.node_imbalance;
        pg_part_stats_free(&st);
    }
    CHECK_MSG(memcmp(a, b, (size_t)n * sizeof(int32_t)) != 0, "tolerance 1.2 gave the default's partition");
    CHECK_MSG(node_imb[1] > 1.1, "tolerance 1.2 did not take the natural split (node imbalance %.3f)", node_imb[1]);
    CHECK_MSG(vol[1] <= 2 * 20 && vol[0] > 4 * vol[1],
              "halo %lld at tolerance 1.2 vs %lld at the default: expected the bridges' ends only",
              (long long)vol[1], (long long)vol[0]);
    free(a);
    free(b);
    pg_csr_free(&g);
}

/* METIS (both objectives) against random and block, printed as a table. From 4 parts on,
 * METIS's halo must be at most max_ratio of random's. With labels (an SBM), a class-aligned
 * partition (part = class % P) is printed too: it is what a perfect partitioner finds on a
 * planted-class graph, and METIS's halo must be within 5% of it. */
static void compare(const char *name, const pg_csr *adj, const unsigned char *mask,
                    const int32_t *labels, double tol, double max_ratio) {
    static const int32_t parts[] = {2, 4, 8};
    const int64_t n = adj->nrows;
    int32_t *part = malloc((size_t)n * sizeof(int32_t));
    printf("%s: %lld nodes, %lld non-zeros; METIS balance tolerance %.2f\n", name, (long long)n,
           (long long)adj->nnz, tol);
    printf("  %-10s %5s %10s %10s %9s %8s %8s %9s\n", "method", "parts", "edge_cut", "comm_vol",
           "max_halo", "node_imb", "edge_imb", "train_imb");
    for (int pi = 0; pi < 3; pi++) {
        const int32_t P = parts[pi];
        int64_t vol[5] = {0}, cut[5] = {0};
        char line[160];
        for (int k = 0; k < (labels ? 5 : 4); k++) {
            pg_part_method m = k < 2 ? PG_PART_METIS : k == 2 ? PG_PART_RANDOM : PG_PART_BLOCK;
            pg_part_objective o = k == 1 ? PG_PART_VOL : PG_PART_CUT;
            int fb = -1;
            const char *note = NULL;
            double t0 = pg_now_ms();
            if (k == 4) {
                for (int64_t i = 0; i < n; i++) part[i] = labels[i] % P;
                fb = 0;
            } else {
                CHECK_STATUS(pg_partition(adj, P, m, o, tol, mask, 1, part, &fb, &note), PARGNN_STATUS_OK, NULL);
            }
            double ms = pg_now_ms() - t0;
            CHECK_MSG(fb == 0, "%s %s P=%d fell back: %s", name, pg_part_method_name(m), P, note ? note : "");
            pg_part_stats st;
            CHECK_STATUS(pg_part_stats_compute(adj, part, P, mask, &st), PARGNN_STATUS_OK, NULL);
            const char *label = k == 0 ? "metis/cut" : k == 1 ? "metis/vol" : k == 4 ? "classes" : pg_part_method_name(m);
            snprintf(line, sizeof line, "  %-10s %5d %10lld %10lld %9lld %8.3f %8.3f %9.3f", label, P,
                     (long long)st.edge_cut, (long long)st.comm_volume, (long long)st.max_halo,
                     st.node_imbalance, st.edge_imbalance, st.train_imbalance);
            vol[k] = st.comm_volume;
            cut[k] = st.edge_cut;
            pg_part_stats_free(&st);
            if (k < 2) printf("%s   %.0f ms\n", line, ms);
            else printf("%s\n", line);
        }
        printf("    METIS halo / random: cut %.1f%%, vol %.1f%%; METIS edge cut / random: %.1f%%, %.1f%%\n",
               100.0 * vol[0] / vol[2], 100.0 * vol[1] / vol[2], 100.0 * cut[0] / cut[2], 100.0 * cut[1] / cut[2]);
        if (P >= 4)
            for (int k = 0; k < 2; k++)
                CHECK_MSG((double)vol[k] <= max_ratio * (double)vol[2],
                          "%s P=%d: METIS/%s halo %lld is more than %.0f%% of random's %lld", name, P,
                          k ? "vol" : "cut", (long long)vol[k], 100 * max_ratio, (long long)vol[2]);
        if (labels)
            for (int k = 0; k < 2; k++)
                CHECK_MSG((double)vol[k] <= 1.05 * (double)vol[4],
                          "%s P=%d: METIS/%s halo %lld is more than 5%% above the class-aligned %lld",
                          name, P, k ? "vol" : "cut", (long long)vol[k], (long long)vol[4]);
    }
    free(part);
}

static void quality_sbm(double homophily, double max_ratio) {
    pargnn_sbm_params p;
    pargnn_sbm_params_default(&p);
    p.num_nodes = 20000;
    p.avg_degree = 10;
    p.num_features = 4;
    p.num_classes = 16;
    p.homophily = homophily;
    p.seed = 0;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&p, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    unsigned char *mask = train_mask_of(ds);
    char name[128];
    snprintf(name, sizeof name, "SBM (20000 nodes, degree 10, 16 classes, homophily %.2f)", homophily);
    compare(name, &ds->adj, mask, ds->labels, TOL, max_ratio);
    free(mask);
    pargnn_dataset_free(ds);
}

static void test_quality_sbm(void) {
    /* Strongly homophilous: the bar, METIS halo <= 30% of random's at 4 and 8 parts. */
    quality_sbm(0.95, 0.30);
    /* The SBM (homophily 0.8): a fifth of the edges go to uniformly random other
     * classes, so even the class-aligned partition keeps about 45% (P = 4) and 33% (P = 8)
     * of random's halo (expected remote parts per node: (P-1)(1 - exp(-d(1-h)/P)) against
     * (P-1)(1 - exp(-d/P))). METIS reaches that partition; the 30% bar cannot be met here by
     * any partitioner, so the check is "within 5% of class-aligned" and "under half of random". */
    quality_sbm(0.80, 0.50);
}

static void test_quality_amazon(void) {
    const char *dir = pg_test_dataset("amazon-photo");
    if (!dir) {
        printf("SKIP part: amazon-photo not found under $PARGNN_DATASETS\n");
        return;
    }
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_dataset_load(dir, NULL, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    unsigned char *mask = train_mask_of(ds);
    /* With nodes, degree (SpMM work) and training nodes balanced to METIS's 3% default,
     * Amazon Photo's halo is 29-37% of random's (a guard against regressions: 40%). With
     * 10% slack (--partition-imbalance 1.10) it meets the bar of 30% at 4 and 8 parts
     * (29.0% and 27.6% with the cut objective, this seed and Debian's libmetis 5.1.0; other
     * METIS seeds: bench/results/partitioners.md). */
    compare("Amazon Photo", &ds->adj, mask, NULL, TOL, 0.40);
    compare("Amazon Photo", &ds->adj, mask, NULL, 1.10, 0.30);
    free(mask);
    pargnn_dataset_free(ds);
}

int main(void) {
    test_stats_hand();
    test_errors_and_names();
    test_cover_and_determinism();
    test_fallbacks();
    test_tolerance();
    test_quality_sbm();
    test_quality_amazon();
    return pg_test_finish();
}
