/*
 * The training loop: one full-graph step (forward with dropout, softmax cross-entropy on
 * the training nodes, backward, Adam), then evaluation on every split, model selection by
 * best validation accuracy and early stopping. Checkpoints live in checkpoint.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/trainer.h"

void pg_prepared_free(pg_prepared *p) {
    pg_csr_free(&p->adj_hat);
    pg_mat_free(&p->xdense);
    pg_csr_free(&p->xcsr);
    memset(p, 0, sizeof *p);
}

/* Row normalisation (Kipf & Welling): each row divided by its sum; all-zero rows stay. */
static void row_normalise(pg_real *val, const int64_t *rowptr, int64_t n, int64_t f) {
    for (int64_t i = 0; i < n; i++) {
        int64_t b = rowptr ? rowptr[i] : i * f, e = rowptr ? rowptr[i + 1] : (i + 1) * f;
        double s = 0;
        for (int64_t k = b; k < e; k++) s += val[k];
        if (s != 0)
            for (int64_t k = b; k < e; k++) val[k] = (pg_real)(val[k] / s);
    }
}

pargnn_status pg_prepare(const pargnn_dataset_t *ds, pargnn_feature_norm norm, pg_prepared *p) {
    memset(p, 0, sizeof *p);
    pargnn_status s = pg_gcn_normalize(&ds->adj, &p->adj_hat);
    if (s) return s;
    const int64_t n = ds->num_nodes, f = ds->num_features;
    if (ds->feat_sparse) {
        const pg_csr *src = &ds->feat_csr;
        pg_csr *c = &p->xcsr;
        *c = *src;
        c->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "feature offsets");
        c->col = pg_alloc((size_t)src->nnz + 1, sizeof(int32_t), "feature columns");
        c->val = pg_alloc((size_t)src->nnz + 1, sizeof(pg_real), "feature values");
        if (!c->rowptr || !c->col || !c->val) {
            pg_prepared_free(p);
            return PARGNN_STATUS_NO_MEMORY;
        }
        memcpy(c->rowptr, src->rowptr, ((size_t)n + 1) * sizeof(int64_t));
        memcpy(c->col, src->col, (size_t)src->nnz * sizeof(int32_t));
        for (int64_t k = 0; k < src->nnz; k++) c->val[k] = src->val ? src->val[k] : 1;
        if (norm == PARGNN_FEATURE_NORM_ROW) row_normalise(c->val, c->rowptr, n, f);
        p->x.sparse = 1;
        p->x.csr = c;
    } else {
        if ((s = pg_mat_alloc(&p->xdense, n, f, 0, "features"))) {
            pg_prepared_free(p);
            return s;
        }
        memcpy(p->xdense.data, ds->feat.data, (size_t)n * (size_t)f * sizeof(pg_real));
        if (norm == PARGNN_FEATURE_NORM_ROW) row_normalise(p->xdense.data, NULL, n, f);
        p->x.dense = p->xdense.data;
    }
    p->x.n = n;
    p->x.f = f;
    p->g.adj = &p->adj_hat;
    p->g.symmetric = 1; /* A_hat of an undirected graph with symmetric normalisation */
    p->g.row0 = 0;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_trainer_reserve(pargnn_trainer_t *tr, int32_t n) {
    if (n <= tr->loss_cap) return PARGNN_STATUS_OK;
    double *c = realloc(tr->loss_curve, (size_t)n * sizeof(double));
    if (!c) return pg_error(PARGNN_STATUS_NO_MEMORY, "loss curve: cannot allocate");
    tr->loss_curve = c;
    tr->loss_cap = n;
    return PARGNN_STATUS_OK;
}

void pargnn_trainer_free(pargnn_trainer_t *tr) {
    if (!tr) return;
    pg_prepared_free(&tr->prep);
    pg_net_free(&tr->net);
    pg_free(tr->best_params);
    free(tr->loss_curve);
    free(tr->step_ms);
    free(tr);
}

pargnn_status pargnn_trainer_create(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                    pargnn_trainer_t **out) {
    *out = NULL;
    PG_TRY(pargnn_config_validate(cfg));
    PG_TRY(pg_dataset_validate(ds));
    pg_set_threads(cfg->threads);
    pargnn_trainer_t *tr = calloc(1, sizeof *tr);
    if (!tr) return pg_error(PARGNN_STATUS_NO_MEMORY, "trainer: cannot allocate");
    tr->cfg = *cfg;
    tr->ds = ds;
    pargnn_status s;
    if ((s = pg_prepare(ds, cfg->feature_norm, &tr->prep)) ||
        (s = pg_net_init(&tr->net, cfg, ds->num_features, ds->num_classes, ds->feat_sparse,
                         pg_backend_cpu())) ||
        (s = pg_net_workspace(&tr->net, ds->num_nodes, ds->feat_sparse ? ds->feat_csr.nnz : 0)) ||
        (s = pg_trainer_reserve(tr, cfg->epochs > 0 ? cfg->epochs : 1))) {
        pargnn_trainer_free(tr);
        return s;
    }
    tr->best_params = pg_alloc((size_t)tr->net.num_params, sizeof(pg_real), "best parameters");
    tr->step_ms = malloc(((size_t)cfg->epochs + 1) * sizeof(double));
    if (!tr->best_params || !tr->step_ms) {
        pargnn_trainer_free(tr);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "trainer: cannot allocate");
    }
    memcpy(tr->best_params, tr->net.params, (size_t)tr->net.num_params * sizeof(pg_real));
    tr->best_val = -1;
    *out = tr;
    return PARGNN_STATUS_OK;
}

const pargnn_config *pargnn_trainer_config(const pargnn_trainer_t *tr) { return &tr->cfg; }

pargnn_status pargnn_trainer_epoch(pargnn_trainer_t *tr, pargnn_epoch_stats *st) {
    const pargnn_dataset_t *ds = tr->ds;
    pg_net *net = &tr->net;
    pg_prepared *p = &tr->prep;
    const int64_t n = ds->num_nodes, c = ds->num_classes;
    const uint32_t epoch = (uint32_t)tr->epoch; /* 0-based key of the epoch being run */
    PG_TRY(pg_trainer_reserve(tr, tr->epoch + 1));

    double t0 = pg_now_ms();
    const pg_real *logits = pg_net_forward(net, &p->g, &p->x, 1, epoch);
    double loss = pg_softmax_xent(logits, n, c, ds->labels, ds->split_idx[PG_SPLIT_TRAIN],
                                  ds->split_len[PG_SPLIT_TRAIN], net->gA);
    if (!isfinite(loss))
        return pg_error(PARGNN_STATUS_NUMERIC,
                        "epoch %d: training loss is %g (diverged; try a smaller --lr)",
                        tr->epoch + 1, loss);
    pg_net_backward(net, &p->g, &p->x, net->gA, epoch);
    pg_net_adam(net, (int64_t)tr->epoch + 1);
    double t1 = pg_now_ms();

    logits = pg_net_forward(net, &p->g, &p->x, 0, epoch);
    double acc[3];
    for (int s = 0; s < 3; s++)
        acc[s] = pg_accuracy(logits, n, c, ds->labels, ds->split_idx[s], ds->split_len[s]);
    double t2 = pg_now_ms();
    if (!pg_all_finite(net->params, net->num_params))
        return pg_error(PARGNN_STATUS_NUMERIC, "epoch %d: weights became NaN or Inf", tr->epoch + 1);

    tr->loss_curve[tr->epoch] = loss;
    tr->epoch++;
    if (tr->step_count < tr->cfg.epochs + 1) tr->step_ms[tr->step_count++] = t1 - t0;
    tr->last_train_acc = acc[PG_SPLIT_TRAIN];
    tr->last_val_acc = acc[PG_SPLIT_VALID];
    tr->last_test_acc = acc[PG_SPLIT_TEST];
    if (acc[PG_SPLIT_VALID] > tr->best_val) {
        tr->best_val = acc[PG_SPLIT_VALID];
        tr->best_test = acc[PG_SPLIT_TEST];
        tr->best_train = acc[PG_SPLIT_TRAIN];
        tr->best_epoch = tr->epoch;
        memcpy(tr->best_params, net->params, (size_t)net->num_params * sizeof(pg_real));
    }
    if (st) {
        st->epoch = tr->epoch;
        st->loss = loss;
        st->train_acc = acc[PG_SPLIT_TRAIN];
        st->val_acc = acc[PG_SPLIT_VALID];
        st->test_acc = acc[PG_SPLIT_TEST];
        st->step_ms = t1 - t0;
        st->eval_ms = t2 - t1;
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_trainer_run(pargnn_trainer_t *tr, pargnn_progress_fn fn, void *user) {
    pg_set_threads(tr->cfg.threads);
    while (tr->epoch < tr->cfg.epochs) {
        if (tr->cfg.patience > 0 && tr->best_epoch > 0 &&
            tr->epoch - tr->best_epoch >= tr->cfg.patience) {
            tr->stopped_early = 1;
            break;
        }
        pargnn_epoch_stats st;
        PG_TRY(pargnn_trainer_epoch(tr, &st));
        if (fn && fn(&st, tr->cfg.epochs, user)) break;
    }
    return PARGNN_STATUS_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the step times run by this process (0 if none). */
static double median_ms(const pargnn_trainer_t *tr) {
    if (tr->step_count == 0) return 0;
    double *tmp = malloc((size_t)tr->step_count * sizeof(double));
    if (!tmp) return 0;
    memcpy(tmp, tr->step_ms, (size_t)tr->step_count * sizeof(double));
    qsort(tmp, (size_t)tr->step_count, sizeof(double), cmp_double);
    int32_t k = tr->step_count;
    double m = k % 2 ? tmp[k / 2] : 0.5 * (tmp[k / 2 - 1] + tmp[k / 2]);
    free(tmp);
    return m;
}

void pargnn_trainer_result(const pargnn_trainer_t *tr, pargnn_result *res) {
    memset(res, 0, sizeof *res);
    res->test_acc = tr->best_epoch > 0 ? tr->best_test : 0;
    res->val_acc = tr->best_epoch > 0 ? tr->best_val : 0;
    res->train_acc = tr->best_epoch > 0 ? tr->best_train : 0;
    res->best_epoch = tr->best_epoch;
    res->epochs_run = tr->epoch;
    res->epoch_ms = median_ms(tr);
    res->loss_curve = tr->loss_curve;
    res->threads = pg_get_threads();
    res->ranks = 1;
    res->stopped_early = tr->stopped_early;
}
