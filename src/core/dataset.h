/*
 * The in-memory dataset: a symmetric adjacency in CSR, node features (dense, or CSR when
 * mostly zeros), labels and one train/valid/test split. Loaders fill it; models read it.
 */
#ifndef PG_DATASET_H
#define PG_DATASET_H

#include "core/pg.h"

/* Features with fewer non-zeros than this fraction are kept sparse (CSR). */
#define PG_SPARSE_FEATURE_DENSITY 0.25

struct pargnn_dataset {
    char *name;              /* path or generator description, for messages */
    char *split_name;
    int64_t num_nodes;
    pg_csr adj;              /* num_nodes x num_nodes, symmetric, val == NULL,
                                duplicates removed, self-loops kept once as stored */
    int64_t num_features;
    int feat_sparse;         /* which of the two below holds the features */
    pg_mat feat;             /* num_nodes x num_features (dense) */
    pg_csr feat_csr;         /* num_nodes x num_features (sparse) */
    int64_t feat_nnz;
    int32_t num_classes;
    int32_t *labels;         /* num_nodes, in [0, num_classes) */
    int32_t *split_idx[3];   /* train, valid, test node ids, sorted ascending */
    int64_t split_len[3];
};

enum { PG_SPLIT_TRAIN = 0, PG_SPLIT_VALID = 1, PG_SPLIT_TEST = 2 };
extern const char *const pg_split_names[3]; /* "train", "valid", "test" */

pargnn_dataset_t *pg_dataset_new(void);

/* Builds a symmetric CSR from an undirected edge list (each edge once, either order):
 * adds reverse edges, drops duplicates, keeps a self-loop once. n is the node count; ids
 * must already be checked to be in [0, n). */
pargnn_status pg_csr_from_undirected(int64_t n, int64_t m, const int32_t *src,
                                     const int32_t *dst, pg_csr *out);

/* Turns dense features into CSR when their density is under the threshold (or keeps them
 * dense), recording feat_nnz. Used by every loader and generator once features are read. */
pargnn_status pg_dataset_finish_features(pargnn_dataset_t *ds);

/* Structural check of a finished dataset: sizes, adjacency columns, label range, split ids
 * (in range, ascending, unique, no node in two splits); the message names the field. */
pargnn_status pg_dataset_validate(const pargnn_dataset_t *ds);

#endif
