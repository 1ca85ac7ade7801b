/*
 * The in-memory dataset: a symmetric adjacency in CSR, node features (dense, or CSR when
 * mostly zeros), labels and one train/valid/test split. Loaders fill it; models read it.
 */
#ifndef PG_DATASET_H
#define PG_DATASET_H

#include "core/pg.h"

/* Features with fewer non-zeros than this fraction are kept sparse (CSR). The sparse
 * products alone win up to ~40% density (bench/feature_density.sh), but sparse dropout
 * draws one Philox word per stored value: on Amazon Photo (35%) the whole step was 37 ms
 * sparse against 29 ms dense (docs/performance.md), so the threshold stays lower. */
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
    /* A directed graph: row i of adj lists the sources j of the edges j -> i (messages
       flow along edges), so adj is not symmetric. 0 for OGB and generated graphs. */
    int directed;
    /* Original id of node i when the loader renumbered ids (edge lists); NULL: i itself. */
    int64_t *orig_ids;
    /* labels == NULL, num_classes == 0 and empty splits: an unlabelled graph (an edge
       list without --labels). pg_dataset_validate accepts it; training refuses it. */
    /* Arrays loaded from a binary file point into its read-only mapping (zero copy): the
       PG_DS_* bits of `borrowed` say which; pargnn_dataset_free unmaps the file instead of
       freeing them. */
    unsigned borrowed;
    void *map_base;
    size_t map_len;
};

/* Bits of pargnn_dataset.borrowed: arrays that belong to the file mapping, not to malloc. */
enum {
    PG_DS_ADJ = 1u << 0,      /* adj.rowptr, adj.col */
    PG_DS_FEAT = 1u << 1,     /* feat.data, or feat_csr.rowptr/col/val */
    PG_DS_LABELS = 1u << 2,   /* labels */
    PG_DS_SPLITS = 1u << 3,   /* split_idx[0..2] */
    PG_DS_ORIG_IDS = 1u << 4, /* orig_ids */
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
