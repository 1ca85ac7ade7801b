/*
 * Node reordering for locality: a permutation of the nodes (by degree, reverse
 * Cuthill-McKee on the graph, or METIS clusters) and its application to a CSR (rows and columns alike).
 * Computes and applies permutations only; the trainer decides what to permute.
 */
#ifndef PG_REORDER_H
#define PG_REORDER_H

#include "core/pg.h"

/* perm: (n) new position -> old node id, for a square, structurally symmetric adj.
 * NONE gives the identity; DEGREE sorts by descending degree (ties by id), so hubs share
 * cache lines; RCM numbers each connected component breadth-first from a low-degree
 * node, neighbours by ascending degree, and reverses the order (small bandwidth: a row's
 * neighbours sit close to it, so their feature rows are still cached). Deterministic. */
pargnn_status pg_reorder_perm(const pg_csr *adj, pargnn_reorder kind, int32_t *perm);

/* METIS (src/dist/partition.c, edge-cut objective) splits the graph into ceil(n / per)
 * clusters of about per nodes; perm lists cluster 0's nodes, then cluster 1's, ..., each in
 * id order. Most of a node's neighbours then sit in its own cluster, whose feature rows
 * (per x width floats) stay cached while the SpMM walks its rows. per >= n gives the
 * identity; a graph METIS cannot take (pg_partition's fallback) is an error naming
 * --reorder metis and METIS's reason. pg_reorder_perm's METIS uses per =
 * PG_REORDER_CLUSTER_NODES: 1,024 to 16,384 measured alike on the ogbn-arxiv-shaped SBM
 * graph (docs/performance.md); 4,096 rows of 256 floats are 4 MiB. */
#define PG_REORDER_CLUSTER_NODES 4096
pargnn_status pg_reorder_clusters(const pg_csr *adj, int64_t per, int32_t *perm);

/* out = P A P^T for a square A: row r of out is row perm[r] of A, column ids renamed by
 * the inverse permutation and sorted (values follow). out is allocated; free with
 * pg_csr_free. */
pargnn_status pg_csr_permute(const pg_csr *A, const int32_t *perm, pg_csr *out);

/* Rows of a (n, f) dense matrix or a CSR (columns untouched): out row r = in row perm[r]. */
void pg_rows_permute(const pg_real *X, int64_t n, int64_t f, const int32_t *perm, pg_real *out);
pargnn_status pg_csr_rows_permute(const pg_csr *A, const int32_t *perm, pg_csr *out);

/* The bandwidth-like locality measure of a CSR: mean |row - col| over the non-zeros. */
double pg_csr_mean_distance(const pg_csr *A);

/* Renumbers a one-process prepared problem (src/train/reorder.c): A_hat, features, labels
 * and splits; gid records every row's original id so dropout masks do not change. */
struct pg_prepared;
pargnn_status pg_prepared_reorder(struct pg_prepared *p, pargnn_reorder kind);

#endif
