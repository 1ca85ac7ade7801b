/*
 * Node partitioners (METIS k-way through Debian's 32-bit libmetis, seeded random, block) and
 * partition statistics (edge cut, halo volume, balance). No MPI here: every rank can call
 * pg_partition on the whole graph and get the same answer, or an offline tool can.
 */
#include <metis.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "dist/partition.h"

/* Stream of the counter-based RNG for random partitioning; kept apart from rng.h's streams
 * (dropout, init, generators) so the same seed never correlates them. */
#define PG_RNG_PARTITION 0x50u

/* Below this many nodes per part METIS is not called (see part_metis). */
#define PG_METIS_MIN_PART_NODES 16

/* 0: the real limit of idx_t. Tests lower it to reach the too-big fallback on small graphs. */
static int64_t pg_idx_limit_override = 0;

void pg_partition_set_idx_limit_for_testing(int64_t limit) { pg_idx_limit_override = limit; }

static int64_t idx_limit(void) {
    return pg_idx_limit_override > 0 ? pg_idx_limit_override : (int64_t)IDX_MAX;
}

const char *pg_part_method_name(pg_part_method m) {
    switch (m) {
    case PG_PART_METIS: return "metis";
    case PG_PART_RANDOM: return "random";
    case PG_PART_BLOCK: return "block";
    }
    return "unknown";
}

const char *pg_part_objective_name(pg_part_objective o) {
    return o == PG_PART_CUT ? "cut" : o == PG_PART_VOL ? "vol" : "unknown";
}

int pg_part_objective_from_name(const char *s, pg_part_objective *o) {
    if (!s) return 0;
    if (strcmp(s, "cut") == 0) *o = PG_PART_CUT;
    else if (strcmp(s, "vol") == 0) *o = PG_PART_VOL;
    else return 0;
    return 1;
}

int pg_part_method_from_name(const char *s, pg_part_method *m) {
    static const pg_part_method all[] = {PG_PART_METIS, PG_PART_RANDOM, PG_PART_BLOCK};
    if (!s) return 0;
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (strcmp(s, pg_part_method_name(all[k])) == 0) {
            *m = all[k];
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------------ block, random */

/* The first n % P parts get one node more: sizes differ by at most one. */
static void part_block(int64_t n, int32_t nparts, int32_t *part) {
    const int64_t q = n / nparts, r = n % nparts, big = r * (q + 1);
    for (int64_t i = 0; i < n; i++)
        part[i] = (int32_t)(i < big ? i / (q + 1) : r + (i - big) / q);
}

/* Deal 0, 1, ..., P-1, 0, 1, ... and shuffle (Fisher-Yates): uniform over assignments with
 * balanced sizes, so no part is empty and the halo is what a random assignment costs. */
static void part_random(int64_t n, int32_t nparts, uint64_t seed, int32_t *part) {
    for (int64_t i = 0; i < n; i++) part[i] = (int32_t)(i % nparts);
    pg_rng_stream rng;
    pg_rng_stream_init(&rng, seed, PG_RNG_PARTITION, 0);
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)pg_rng_stream_below(&rng, (uint64_t)(i + 1));
        int32_t t = part[i];
        part[i] = part[j];
        part[j] = t;
    }
}

/* ------------------------------------------------------------------- METIS */

/* Whether column i is in the sorted row j. */
static int row_has(const pg_csr *a, int64_t j, int32_t i) {
    int64_t lo = a->rowptr[j], hi = a->rowptr[j + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a->col[mid] < i) lo = mid + 1;
        else hi = mid;
    }
    return lo < a->rowptr[j + 1] && a->col[lo] == i;
}

static int is_symmetric(const pg_csr *a) {
    for (int64_t i = 0; i < a->nrows; i++)
        for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++)
            if (!row_has(a, a->col[k], (int32_t)i)) return 0;
    return 1;
}

/* The METIS graph: the structure of A + A^T without the diagonal, in idx_t. A symmetric
 * adjacency (the usual case) is copied minus self-loops; a directed one is symmetrised,
 * because METIS silently misbehaves on asymmetric input. Returns 0 with *too_big set when
 * the edge count exceeds the idx_t limit; -1 on allocation failure (error set). */
typedef struct metis_graph {
    idx_t *xadj, *adjncy;
} metis_graph;

static void metis_graph_free(metis_graph *g) {
    pg_free(g->xadj);
    pg_free(g->adjncy);
    g->xadj = g->adjncy = NULL;
}

static int metis_graph_build(const pg_csr *a, metis_graph *g, int *too_big) {
    const int64_t n = a->nrows;
    *too_big = 0;
    g->xadj = g->adjncy = NULL;
    int64_t *trp = NULL;
    int32_t *trc = NULL;
    const int sym = is_symmetric(a);
    if (!sym) { /* transpose, to merge row i of A with row i of A^T */
        trp = pg_calloc((size_t)n + 1, sizeof(int64_t), "partition: transpose offsets");
        trc = pg_alloc((size_t)a->nnz, sizeof(int32_t), "partition: transpose columns");
        if (!trp || !trc) goto oom;
        for (int64_t k = 0; k < a->nnz; k++) trp[a->col[k] + 1]++;
        for (int64_t i = 0; i < n; i++) trp[i + 1] += trp[i];
        int64_t *fill = pg_alloc((size_t)n, sizeof(int64_t), "partition: transpose cursor");
        if (!fill) goto oom;
        memcpy(fill, trp, (size_t)n * sizeof(int64_t));
        for (int64_t i = 0; i < n; i++) /* rows in order: each transposed row comes out sorted */
            for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) trc[fill[a->col[k]]++] = (int32_t)i;
        pg_free(fill);
    }
    /* Two passes over the merged rows: count, then fill. */
    if (!(g->xadj = pg_alloc((size_t)n + 1, sizeof(idx_t), "partition: METIS xadj"))) goto oom;
    for (int pass = 0; pass < 2; pass++) {
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++) {
            if (pass == 0) g->xadj[i] = (idx_t)m;
            int64_t p = a->rowptr[i], pe = a->rowptr[i + 1];
            int64_t t = sym ? 0 : trp[i], te = sym ? 0 : trp[i + 1];
            int32_t last = -1;
            while (p < pe || t < te) {
                int32_t c;
                if (t >= te || (p < pe && a->col[p] <= trc[t])) c = a->col[p++];
                else c = trc[t++];
                if (c == last || c == (int32_t)i) continue;
                last = c;
                if (pass == 1) g->adjncy[m] = (idx_t)c;
                m++;
            }
            if (pass == 0 && m > idx_limit()) {
                *too_big = 1;
                break;
            }
        }
        if (*too_big) break;
        if (pass == 0) {
            g->xadj[n] = (idx_t)m;
            if (!(g->adjncy = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(idx_t), "partition: METIS adjncy")))
                goto oom;
        }
    }
    pg_free(trp);
    pg_free(trc);
    if (*too_big) metis_graph_free(g);
    return 0;
oom:
    pg_free(trp);
    pg_free(trc);
    metis_graph_free(g);
    return -1;
}

/* The notes are static strings: one per (what failed, METIS code). */
static const char *note_single(int rc) {
    switch (rc) {
    case METIS_ERROR_INPUT:
        return "METIS could not balance nodes, degree and training nodes together (METIS_ERROR_INPUT): "
               "partitioned balancing node count only";
    case METIS_ERROR_MEMORY:
        return "METIS could not balance nodes, degree and training nodes together (METIS_ERROR_MEMORY): "
               "partitioned balancing node count only";
    case METIS_ERROR:
        return "METIS could not balance nodes, degree and training nodes together (METIS_ERROR): "
               "partitioned balancing node count only";
    }
    return "METIS could not balance nodes, degree and training nodes together (unknown return code): "
           "partitioned balancing node count only";
}

static const char *note_block(int rc) {
    switch (rc) {
    case METIS_ERROR_INPUT:
        return "METIS_PartGraphKway failed (METIS_ERROR_INPUT), also with one constraint: "
               "block partitioning used instead";
    case METIS_ERROR_MEMORY:
        return "METIS_PartGraphKway failed (METIS_ERROR_MEMORY), also with one constraint: "
               "block partitioning used instead";
    case METIS_ERROR:
        return "METIS_PartGraphKway failed (METIS_ERROR), also with one constraint: "
               "block partitioning used instead";
    }
    return "METIS_PartGraphKway returned an unknown code, also with one constraint: "
           "block partitioning used instead";
}

#define NOTE_TOO_BIG                                                                       \
    "the graph is too large for METIS's 32-bit idx_t (nodes x constraints or edges beyond " \
    "2^31 - 1): block partitioning used instead"
#define NOTE_SMALL                                                                         \
    "fewer than 16 nodes per part: METIS is not used on graphs this small for the part "    \
    "count (libmetis prints and leaves parts empty there): block partitioning used instead"
#define NOTE_EMPTY                                                                         \
    "METIS left a part without nodes (too many parts for this graph): block partitioning " \
    "used instead"

/* One METIS_PartGraphKway call with ncon constraints, each held to imbalance (max part /
 * mean, METIS's ubvec); where: n idx_t. Returns METIS's code. */
static int metis_call(const metis_graph *g, int64_t n, int32_t nparts, idx_t ncon, idx_t *vwgt,
                      pg_part_objective objective, double imbalance, uint64_t seed, idx_t *where) {
    idx_t nv = (idx_t)n, nc = ncon, np = (idx_t)nparts, objval = 0;
    real_t ubvec[3];
    for (int c = 0; c < 3; c++) ubvec[c] = (real_t)imbalance;
    idx_t options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_OBJTYPE] = objective == PG_PART_VOL ? METIS_OBJTYPE_VOL : METIS_OBJTYPE_CUT;
    /* Truncated to the non-negative range of idx_t: METIS reads -1 as "its own default". */
    options[METIS_OPTION_SEED] = (idx_t)(seed & (uint64_t)IDX_MAX);
    options[METIS_OPTION_NUMBERING] = 0;
    return METIS_PartGraphKway(&nv, &nc, g->xadj, g->adjncy, vwgt, NULL, NULL, &np, NULL, ubvec,
                               options, &objval, where);
}

/* METIS into part, or block with a note. Only allocation failures are errors. */
static pargnn_status part_metis(const pg_csr *adj, int32_t nparts, pg_part_objective objective,
                                double imbalance, const unsigned char *train_mask, uint64_t seed,
                                int32_t *part, int *fallback, const char **note) {
    const int64_t n = adj->nrows;
    /* libmetis 5.1.0 misbehaves when parts would hold a handful of nodes: it prints "Cannot
     * bisect a graph with 0 vertices" to stdout (the library must not print) and returns
     * empty parts. Such graphs gain nothing from METIS. */
    if (n < PG_METIS_MIN_PART_NODES * (int64_t)nparts) {
        part_block(n, nparts, part);
        *fallback = 1;
        *note = NOTE_SMALL;
        return PARGNN_STATUS_OK;
    }
    int64_t ntrain = 0;
    if (train_mask)
        for (int64_t i = 0; i < n; i++) ntrain += train_mask[i] != 0;
    /* Constraints: 1 per node, the row's non-zeros (SpMM work), the training indicator.
     * A constraint whose total is zero says nothing and is left out. */
    const int use_deg = adj->nnz > 0, use_train = ntrain > 0;
    const idx_t ncon = (idx_t)(1 + use_deg + use_train);
    if (n > idx_limit() / ncon || adj->nnz > idx_limit()) {
        part_block(n, nparts, part);
        *fallback = 1;
        *note = NOTE_TOO_BIG;
        return PARGNN_STATUS_OK;
    }
    metis_graph g;
    int too_big;
    if (metis_graph_build(adj, &g, &too_big)) return PARGNN_STATUS_NO_MEMORY;
    if (too_big) {
        part_block(n, nparts, part);
        *fallback = 1;
        *note = NOTE_TOO_BIG;
        return PARGNN_STATUS_OK;
    }
    pargnn_status s = PARGNN_STATUS_OK;
    idx_t *vwgt = pg_alloc((size_t)n * (size_t)ncon, sizeof(idx_t), "partition: METIS vertex weights");
    idx_t *where = pg_alloc((size_t)n, sizeof(idx_t), "partition: METIS parts");
    int64_t *count = pg_calloc((size_t)nparts, sizeof(int64_t), "partition: part sizes");
    if (!vwgt || !where || !count) {
        s = PARGNN_STATUS_NO_MEMORY;
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        idx_t *w = vwgt + i * ncon;
        int c = 0;
        w[c++] = 1;
        if (use_deg) w[c++] = (idx_t)(adj->rowptr[i + 1] - adj->rowptr[i]);
        if (use_train) w[c++] = train_mask[i] != 0;
    }
    int rc = metis_call(&g, n, nparts, ncon, vwgt, objective, imbalance, seed, where);
    if (rc != METIS_OK && ncon > 1) {
        /* Multi-constraint k-way can fail where plain k-way works (tiny graphs, many parts):
         * keep METIS's cut, give up the degree and training balance, and say so. */
        for (int64_t i = 0; i < n; i++) vwgt[i] = 1;
        int rc1 = metis_call(&g, n, nparts, 1, vwgt, objective, imbalance, seed, where);
        if (rc1 == METIS_OK) *note = note_single(rc);
        rc = rc1;
    }
    if (rc != METIS_OK) {
        part_block(n, nparts, part);
        *fallback = 1;
        *note = note_block(rc);
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        if (where[i] < 0 || where[i] >= nparts) { /* never seen; do not trust such a result */
            part_block(n, nparts, part);
            *fallback = 1;
            *note = "METIS returned a part id out of range: block partitioning used instead";
            goto done;
        }
        count[where[i]]++;
    }
    for (int32_t p = 0; p < nparts; p++)
        if (count[p] == 0) {
            part_block(n, nparts, part);
            *fallback = 1;
            *note = NOTE_EMPTY;
            goto done;
        }
    for (int64_t i = 0; i < n; i++) part[i] = (int32_t)where[i];
done:
    metis_graph_free(&g);
    pg_free(vwgt);
    pg_free(where);
    pg_free(count);
    return s;
}

pargnn_status pg_partition(const pg_csr *adj, int32_t nparts, pg_part_method method,
                           pg_part_objective objective, double imbalance,
                           const unsigned char *train_mask, uint64_t seed, int32_t *part,
                           int *fallback, const char **note) {
    int fb_local;
    const char *note_local;
    if (!fallback) fallback = &fb_local;
    if (!note) note = &note_local;
    *fallback = 0;
    *note = NULL;
    if (!adj || !part)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "partition: %s is NULL", adj ? "part" : "adj");
    if (adj->nrows != adj->ncols)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "partition: the adjacency is %lld x %lld, not square",
                        (long long)adj->nrows, (long long)adj->ncols);
    const int64_t n = adj->nrows;
    if (nparts < 1 || nparts > n)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--parts (the rank count): %d is not in [1, %lld] (the graph has %lld nodes)",
                        nparts, (long long)n, (long long)n);
    if (objective != PG_PART_CUT && objective != PG_PART_VOL)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--partition-objective: unknown objective %d (cut or vol)", (int)objective);
    if (!(imbalance >= PARGNN_PARTITION_IMBALANCE_MIN && imbalance <= PARGNN_PARTITION_IMBALANCE_MAX))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--partition-imbalance: %g is not in [%g, %g] (the largest part's share of "
                        "each balanced quantity over the mean, e.g. 1.05 for 5%%)",
                        imbalance, PARGNN_PARTITION_IMBALANCE_MIN, PARGNN_PARTITION_IMBALANCE_MAX);
    if (nparts == 1) {
        memset(part, 0, (size_t)n * sizeof(int32_t));
        return PARGNN_STATUS_OK;
    }
    switch (method) {
    case PG_PART_BLOCK: part_block(n, nparts, part); return PARGNN_STATUS_OK;
    case PG_PART_RANDOM: part_random(n, nparts, seed, part); return PARGNN_STATUS_OK;
    case PG_PART_METIS:
        return part_metis(adj, nparts, objective, imbalance, train_mask, seed, part, fallback, note);
    }
    return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                    "--partition: unknown method %d (metis, random or block)", (int)method);
}

/* -------------------------------------------------------------- statistics */

void pg_part_stats_free(pg_part_stats *st) {
    if (!st) return;
    pg_free(st->part_nodes);
    pg_free(st->part_edges);
    pg_free(st->part_halo);
    pg_free(st->part_train);
    memset(st, 0, sizeof *st);
}

/* max / mean of v[0..k), 1 when everything is zero (nothing to balance). */
static double imbalance(const int64_t *v, int32_t k) {
    int64_t total = 0, mx = 0;
    for (int32_t p = 0; p < k; p++) {
        total += v[p];
        if (v[p] > mx) mx = v[p];
    }
    return total > 0 ? (double)mx * (double)k / (double)total : 1.0;
}

pargnn_status pg_part_stats_compute(const pg_csr *adj, const int32_t *part, int32_t nparts,
                                    const unsigned char *train_mask, pg_part_stats *st) {
    memset(st, 0, sizeof *st);
    if (!adj || !part)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "partition stats: %s is NULL", adj ? "part" : "adj");
    const int64_t n = adj->nrows;
    if (nparts < 1 || nparts > n)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--parts (the rank count): %d is not in [1, %lld] (the graph has %lld nodes)",
                        nparts, (long long)n, (long long)n);
    for (int64_t i = 0; i < n; i++)
        if (part[i] < 0 || part[i] >= nparts)
            return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                            "partition stats: part[%lld] = %d is not in [0, %d)", (long long)i,
                            part[i], nparts);
    pargnn_status s = PARGNN_STATUS_OK;
    st->nparts = nparts;
    st->part_nodes = pg_calloc((size_t)nparts, sizeof(int64_t), "partition stats: nodes");
    st->part_edges = pg_calloc((size_t)nparts, sizeof(int64_t), "partition stats: edges");
    st->part_halo = pg_calloc((size_t)nparts, sizeof(int64_t), "partition stats: halo");
    st->part_train = pg_calloc((size_t)nparts, sizeof(int64_t), "partition stats: train");
    int64_t *start = pg_calloc((size_t)nparts + 1, sizeof(int64_t), "partition stats: offsets");
    int32_t *order = pg_alloc((size_t)n, sizeof(int32_t), "partition stats: node order");
    int32_t *stamp = pg_alloc((size_t)n, sizeof(int32_t), "partition stats: halo marks");
    if (!st->part_nodes || !st->part_edges || !st->part_halo || !st->part_train || !start ||
        !order || !stamp) {
        s = PARGNN_STATUS_NO_MEMORY;
        goto done;
    }
    /* Nodes grouped by part, so one stamp per node tells whether the current part has
     * counted it as a halo node already: O(n + nnz) time, O(n) memory. */
    for (int64_t i = 0; i < n; i++) start[part[i] + 1]++;
    for (int32_t p = 0; p < nparts; p++) start[p + 1] += start[p];
    for (int64_t i = 0; i < n; i++) order[start[part[i]]++] = (int32_t)i;
    for (int32_t p = nparts; p > 0; p--) start[p] = start[p - 1];
    start[0] = 0;
    for (int64_t i = 0; i < n; i++) stamp[i] = -1;
    int64_t cut_entries = 0;
    for (int32_t p = 0; p < nparts; p++) {
        for (int64_t k = start[p]; k < start[p + 1]; k++) {
            const int64_t i = order[k];
            st->part_nodes[p]++;
            st->part_edges[p] += adj->rowptr[i + 1] - adj->rowptr[i];
            if (train_mask && train_mask[i]) st->part_train[p]++;
            for (int64_t e = adj->rowptr[i]; e < adj->rowptr[i + 1]; e++) {
                const int32_t j = adj->col[e];
                if (part[j] == p) continue;
                cut_entries++;
                if (stamp[j] != p) {
                    stamp[j] = p;
                    st->part_halo[p]++;
                }
            }
        }
        st->total_halo += st->part_halo[p];
        if (st->part_halo[p] > st->max_halo) st->max_halo = st->part_halo[p];
    }
    st->edge_cut = cut_entries / 2;
    st->comm_volume = st->total_halo;
    st->node_imbalance = imbalance(st->part_nodes, nparts);
    st->edge_imbalance = imbalance(st->part_edges, nparts);
    st->train_imbalance = imbalance(st->part_train, nparts);
done:
    pg_free(start);
    pg_free(order);
    pg_free(stamp);
    if (s) pg_part_stats_free(st);
    return s;
}
