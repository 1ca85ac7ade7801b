/*
 * The trainer's state, shared by the training loop, checkpoints, the JSON report and
 * prediction. It holds what is derived from the dataset once (normalised operator and
 * features) so that no epoch allocates.
 */
#ifndef PG_TRAINER_H
#define PG_TRAINER_H

#include "core/dataset.h"
#include "nn/net.h"

/* Everything a model needs from a dataset, derived once: A_hat and the normalised input. */
typedef struct pg_prepared {
    pg_csr adj_hat;
    pg_mat xdense;
    pg_csr xcsr;
    pg_input x;
    pg_graph g;
} pg_prepared;

pargnn_status pg_prepare(const pargnn_dataset_t *ds, pargnn_feature_norm norm, pg_prepared *p);
void pg_prepared_free(pg_prepared *p);

struct pargnn_trainer {
    pargnn_config cfg;
    const pargnn_dataset_t *ds;
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
};

/* Grows loss_curve to hold at least n epochs. */
pargnn_status pg_trainer_reserve(pargnn_trainer_t *tr, int32_t n);

#endif
