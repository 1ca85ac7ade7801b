/*
 * 1D vertex partitioning of a symmetric graph into P parts (METIS k-way, seeded random,
 * contiguous blocks) and the statistics that predict its cost: edge cut, halo volume, balance.
 * It only assigns nodes to parts; building local CSRs and send lists is the halo code's job.
 */
#ifndef PG_PARTITION_H
#define PG_PARTITION_H

#include "core/pg.h"

typedef enum pg_part_method { PG_PART_METIS = 0, PG_PART_RANDOM = 1, PG_PART_BLOCK = 2 } pg_part_method;
typedef enum pg_part_objective { PG_PART_CUT = 0, PG_PART_VOL = 1 } pg_part_objective;

/* part[i] in [0, nparts) for every node i of the symmetric graph adj (n x n CSR, may contain
 * self-loops, which METIS never sees). Every part owns at least one node.
 * train_mask: NULL or n bytes (1 = training node), used as a balance constraint.
 * Deterministic for a seed (and, for METIS, a given libmetis build).
 *
 * METIS balances three constraints: nodes, degree (row non-zeros of adj, the SpMM work) and
 * training nodes (two without a mask or without training nodes), each to within imbalance
 * (METIS's ubvec: the largest part may hold imbalance times the mean; METIS treats it as a
 * target, not a guarantee). imbalance must be in [PARGNN_PARTITION_IMBALANCE_MIN, _MAX] for
 * every method; random and block do not use it. When METIS cannot balance:
 *   - a multi-constraint failure is retried with one constraint (node count): *fallback = 0,
 *     *note says so;
 *   - fewer than 16 nodes per part (libmetis 5.1 prints to stdout and leaves parts empty
 *     on such graphs), n, nnz or n * ncon beyond its 32-bit idx_t, an error from METIS, or a
 *     part left empty: block partitioning is used, *fallback = 1 and *note says why.
 * Otherwise *fallback = 0 and *note = NULL. *note is a static string. fallback and note may
 * be NULL. random: a seeded permutation dealt round-robin (sizes differ by at most 1).
 * block: contiguous id ranges (sizes differ by at most 1).
 * Errors: nparts < 1 or nparts > n -> PARGNN_STATUS_INVALID_ARGUMENT naming --parts;
 * imbalance out of range -> the same, naming --partition-imbalance. */
pargnn_status pg_partition(const pg_csr *adj, int32_t nparts, pg_part_method method,
                           pg_part_objective objective, double imbalance,
                           const unsigned char *train_mask, uint64_t seed, int32_t *part,
                           int *fallback, const char **note);

typedef struct pg_part_stats {
    int32_t nparts;
    int64_t edge_cut;          /* undirected edges whose ends are in different parts
                                  (off-diagonal cut entries / 2, as METIS counts) */
    int64_t comm_volume;       /* sum over parts of their halo nodes (distinct remote
                                  neighbours) = rows received per exchange; = total_halo */
    int64_t max_halo, total_halo;
    double node_imbalance;     /* max part size / mean */
    double edge_imbalance;     /* max over parts of (non-zeros of owned rows) / mean */
    double train_imbalance;    /* max train nodes per part / mean (1 if no mask or none) */
    int64_t *part_nodes, *part_edges, *part_halo, *part_train; /* nparts each, malloc'ed */
} pg_part_stats;

/* Fills st for a partition (part[i] in [0, nparts), checked). A part p needs node j as a
 * halo node when j is outside p and some row owned by p has a non-zero in column j.
 * Free with pg_part_stats_free (also safe on a zeroed or failed st). */
pargnn_status pg_part_stats_compute(const pg_csr *adj, const int32_t *part, int32_t nparts,
                                    const unsigned char *train_mask, pg_part_stats *st);
void pg_part_stats_free(pg_part_stats *st);

const char *pg_part_method_name(pg_part_method m);              /* "metis", "random", "block" */
int pg_part_method_from_name(const char *s, pg_part_method *m); /* 1 ok, 0 unknown */
const char *pg_part_objective_name(pg_part_objective o);        /* "cut", "vol" */
int pg_part_objective_from_name(const char *s, pg_part_objective *o); /* 1 ok, 0 unknown */

/* Tests only: pretend idx_t holds at most `limit` (0 restores INT32_MAX), to exercise the
 * too-big-for-METIS fallback on a small graph. Not thread-safe. */
void pg_partition_set_idx_limit_for_testing(int64_t limit);

#endif
