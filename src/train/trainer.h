/*
 * The trainer's state, shared by the training loop, checkpoints, the JSON report and
 * prediction. It holds what is derived from the dataset once (normalised operator and
 * features) so that no epoch allocates.
 */
#ifndef PG_TRAINER_H
#define PG_TRAINER_H

#include <stdio.h>

#include "core/dataset.h"
#include "nn/net.h"

struct pg_halo;
struct pargnn_comm;

/* Everything a model needs from a dataset, derived once, for the rows this process owns:
 * the normalised operator over owned + halo columns, the normalised input features,
 * labels and split rows. One process owns every row (gid == NULL, no halo); with MPI it
 * owns a part, built by pg_prepare_part (src/dist/local.c) or read from a part file. */
typedef struct pg_prepared {
    /* the whole dataset's shape, for reports and checkpoints */
    char *name, *split_name;
    int64_t num_nodes, num_edges, num_features, feat_nnz;
    int32_t num_classes;
    int feat_sparse;
    /* the rows held here */
    int64_t n_own, n_halo, n_inner;
    int32_t *gid;                 /* n_own global ids (NULL: row i is node i) */
    pg_csr adj_hat;               /* (n_own, n_own + n_halo): the model's operator structure
                                     (GCN: A_hat; SAGE, GIN: A with values 1) */
    pg_real *lscale;              /* n_own row scales of the operator (SAGE: 1 / degree) */
    pg_csr adj_inner, adj_outer;  /* its rows without / with halo columns (with MPI) */
    pg_mat xdense;
    pg_csr xcsr;
    pg_input x;
    pg_graph g;
    int32_t *labels;              /* n_own */
    int32_t *split_idx[3];        /* local rows of each split, ascending */
    int64_t split_len[3];
    int64_t split_total[3];       /* over every process */
    struct pg_halo *halo;         /* exchange plan; NULL in one process */
    struct pargnn_comm *comm;     /* NULL in one process */
    int64_t owned_edges;          /* non-zeros of adj_hat held here (work, for balance) */
} pg_prepared;

/* One process: every node, no halo. */
pargnn_status pg_prepare(const pargnn_dataset_t *ds, pargnn_feature_norm norm,
                         pargnn_model_kind model, pg_prepared *p);
/* The operator's row scales for the model (SAGE's mean: 1 / row length), from the wired
 * operator views (p->g); called once the rows are in their final order. */
pargnn_status pg_prepared_scales(pg_prepared *p, pargnn_model_kind model);
void pg_prepared_free(pg_prepared *p);
/* Row normalisation (Kipf & Welling) of features held as dense rows or CSR values. */
void pg_row_normalise(pg_real *val, const int64_t *rowptr, int64_t n, int64_t f);
/* Copies the dataset's shape (name, counts) into p. */
pargnn_status pg_prepared_set_shape(pg_prepared *p, const pargnn_dataset_t *ds);

/* Creates a trainer on a prepared problem (takes ownership of *p's contents). */
pargnn_status pg_trainer_create_prepared(pg_prepared *p, const pargnn_config *cfg,
                                         pargnn_trainer_t **out);

struct pargnn_trainer {
    pargnn_config cfg;
    pg_prepared prep;
    pg_net net;
    pg_real *best_params;         /* num_params: weights at the best validation epoch */

    int32_t epoch;                /* epochs completed since the start of training */
    double *loss_curve;           /* cfg.epochs entries (at least epoch of them valid) */
    int32_t loss_cap;
    double *step_ms;              /* step times of epochs run by this process */
    int32_t step_count;
    double best_val, best_test, best_train;
    int32_t best_epoch;
    int stopped_early;
    double last_train_acc, last_val_acc, last_test_acc;
    /* per-epoch communication of the last epoch (bytes sent by this rank, ms) */
    int64_t comm_bytes_epoch;
    double comm_ms_epoch, wait_ms_epoch;
    double *comm_ms, *wait_ms;    /* per timed step */
    double *phase_ms;             /* per timed step, PARGNN_PHASE_COUNT values (ops/ops.h timers) */
    const char *partition_note;   /* why the partitioner fell back, or NULL (static) */
};

/* Distributed report (src/dist/report.c): gathers per-rank figures to rank 0 (collective;
 * *all is NULL on other ranks), then rank 0 writes them into the JSON object. */
pargnn_status pg_dist_gather_stats(const pargnn_trainer_t *tr, double **all);
void pg_dist_json_write(FILE *f, const pargnn_trainer_t *tr, const double *all);

/* Grows loss_curve to hold at least n epochs. */
pargnn_status pg_trainer_reserve(pargnn_trainer_t *tr, int32_t n);

#endif
