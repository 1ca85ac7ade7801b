/*
 * One rank's share of a partitioned graph (1D vertex partitioning): its owned nodes (those
 * without remote neighbours first, so their rows can be computed while the halo is in
 * flight), the halo it needs grouped by owner, what it sends to whom, and its features,
 * labels and split rows. Built from the whole dataset in memory, or read from a part file
 * written by `pargnn partition` so that a rank never loads the whole graph.
 */
#ifndef PG_LOCAL_H
#define PG_LOCAL_H

#include "core/dataset.h"
#include "dist/comm.h"

/* The raw local problem, before the model-specific normalisation. Serialisable. */
typedef struct pg_local {
    int32_t rank, nparts;
    int64_t num_nodes, num_edges, num_features, feat_nnz;
    int32_t num_classes;
    int32_t feat_sparse;
    int64_t split_total[3];
    int64_t n_own, n_inner, n_halo;
    int32_t *gid;            /* n_own + n_halo global ids (owned, then halo) */
    int64_t *deg;            /* n_own + n_halo: global degree of A + I (one self-loop each) */
    pg_csr adj;              /* (n_own, n_own + n_halo), raw 0/1, no self-loops added;
                                each row's columns in ascending global id */
    int32_t nnbr;
    int32_t *nbr;            /* neighbour ranks, ascending */
    int64_t *recv_cnt, *send_cnt; /* nnbr each */
    int32_t *send_idx;       /* sum(send_cnt) owned local rows */
    pg_mat feat;             /* n_own x num_features (dense), or */
    pg_csr feat_csr;         /* n_own x num_features (sparse) */
    int32_t *labels;         /* n_own */
    int32_t *split_idx[3];   /* local rows, ascending */
    int64_t split_len[3];
} pg_local;

void pg_local_free(pg_local *l);

/* Part `rank` of the dataset under the node-to-part map part[] (num_nodes entries). */
pargnn_status pg_local_build(const pargnn_dataset_t *ds, const int32_t *part, int32_t nparts,
                             int32_t rank, pg_local *out);

/* A part file: a versioned binary image of a pg_local with a crc32. */
pargnn_status pg_local_write(const pg_local *l, const char *path);
pargnn_status pg_local_read(const char *path, pg_local *out);

#endif
