/*
 * The training loop: one full-graph step (forward with dropout, softmax cross-entropy on
 * the training nodes, backward, Adam), then evaluation on every split, model selection by
 * best validation accuracy and early stopping. Checkpoints live in checkpoint.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist/comm.h"
#include "dist/halo.h"
#include "core/reorder.h"
#include "train/trainer.h"

void pg_prepared_free(pg_prepared *p) {
    free(p->name);
    free(p->split_name);
    free(p->gid);
    pg_csr_free(&p->adj_hat);
    pg_csr_free(&p->adj_inner);
    pg_csr_free(&p->adj_outer);
    pg_free(p->lscale);
    pg_mat_free(&p->xdense);
    pg_csr_free(&p->xcsr);
    pg_free(p->labels);
    for (int s = 0; s < 3; s++) pg_free(p->split_idx[s]);
    if (p->halo) {
        pg_halo_free(p->halo);
        free(p->halo);
    }
    memset(p, 0, sizeof *p);
}

void pg_row_normalise(pg_real *val, const int64_t *rowptr, int64_t n, int64_t f) {
    for (int64_t i = 0; i < n; i++) {
        int64_t b = rowptr ? rowptr[i] : i * f, e = rowptr ? rowptr[i + 1] : (i + 1) * f;
        double s = 0;
        for (int64_t k = b; k < e; k++) s += val[k];
        if (s != 0)
            for (int64_t k = b; k < e; k++) val[k] = (pg_real)(val[k] / s);
    }
}

pargnn_status pg_prepared_set_shape(pg_prepared *p, const pargnn_dataset_t *ds) {
    p->name = strdup(ds->name ? ds->name : "dataset");
    p->split_name = strdup(ds->split_name ? ds->split_name : "");
    if (!p->name || !p->split_name) return pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate names");
    p->num_nodes = ds->num_nodes;
    p->num_edges = ds->adj.nnz;
    p->num_features = ds->num_features;
    p->feat_nnz = ds->feat_nnz;
    p->num_classes = ds->num_classes;
    p->feat_sparse = ds->feat_sparse;
    for (int s = 0; s < 3; s++) p->split_total[s] = ds->split_len[s];
    return PARGNN_STATUS_OK;
}

pargnn_status pg_prepare(const pargnn_dataset_t *ds, pargnn_feature_norm norm,
                         pargnn_model_kind model, pg_prepared *p) {
    memset(p, 0, sizeof *p);
    pargnn_status s;
    const int64_t n = ds->num_nodes, f = ds->num_features;
    if ((s = pg_prepared_set_shape(p, ds)) ||
        (s = pg_model_operator(model, &ds->adj, &p->adj_hat))) {
        pg_prepared_free(p);
        return s;
    }
    p->n_own = p->n_inner = n;
    p->owned_edges = p->adj_hat.nnz;
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
        if (norm == PARGNN_FEATURE_NORM_ROW) pg_row_normalise(c->val, c->rowptr, n, f);
        p->x.sparse = 1;
        p->x.csr = c;
    } else {
        if ((s = pg_mat_alloc(&p->xdense, n, f, 0, "features"))) {
            pg_prepared_free(p);
            return s;
        }
        memcpy(p->xdense.data, ds->feat.data, (size_t)n * (size_t)f * sizeof(pg_real));
        if (norm == PARGNN_FEATURE_NORM_ROW) pg_row_normalise(p->xdense.data, NULL, n, f);
        p->x.dense = p->xdense.data;
    }
    p->x.n = n;
    p->x.f = f;
    /* Labels and splits are copied so that a trainer never points into a dataset the caller
     * may free (and so that distributed parts, which own theirs, look the same). */
    if (ds->labels) {
        p->labels = pg_alloc((size_t)n, sizeof(int32_t), "labels");
        if (!p->labels) {
            pg_prepared_free(p);
            return PARGNN_STATUS_NO_MEMORY;
        }
        memcpy(p->labels, ds->labels, (size_t)n * sizeof(int32_t));
    }
    for (int k = 0; k < 3; k++) {
        p->split_len[k] = ds->split_len[k];
        p->split_idx[k] = pg_alloc((size_t)(ds->split_len[k] > 0 ? ds->split_len[k] : 1),
                                   sizeof(int32_t), "split");
        if (!p->split_idx[k]) {
            pg_prepared_free(p);
            return PARGNN_STATUS_NO_MEMORY;
        }
        if (ds->split_len[k] > 0)
            memcpy(p->split_idx[k], ds->split_idx[k], (size_t)ds->split_len[k] * sizeof(int32_t));
    }
    p->g.adj = &p->adj_hat;
    /* The operator of an undirected graph is symmetric (up to its row scales); a directed
     * one's rows are destinations, so backward needs the transposed product. */
    p->g.symmetric = !ds->directed;
    p->g.row0 = 0;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_prepared_scales(pg_prepared *q, pargnn_model_kind model) {
    pg_free(q->lscale);
    q->lscale = NULL;
    q->g.lscale = NULL;
    if (model != PARGNN_MODEL_SAGE) return PARGNN_STATUS_OK;
    /* The mean: 1 / degree of A, the length of the owned row (an owned row holds every
     * neighbour, so this is the global degree on any number of processes; a self-loop in
     * the data counts once, as in the serial CSR). No neighbour: scale 0, output 0. */
    const int64_t n = q->n_own;
    if (!(q->lscale = pg_alloc((size_t)(n > 0 ? n : 1), sizeof(pg_real), "mean scales")))
        return PARGNN_STATUS_NO_MEMORY;
    for (int64_t i = 0; i < n; i++) {
        const pg_csr *a = q->g.adj ? q->g.adj : i < q->g.adj_inner->nrows ? q->g.adj_inner : q->g.adj_outer;
        const int64_t r = q->g.adj || i < q->g.adj_inner->nrows ? i : i - q->g.adj_inner->nrows;
        const int64_t deg = a->rowptr[r + 1] - a->rowptr[r];
        q->lscale[i] = deg > 0 ? (pg_real)(1.0 / (double)deg) : 0;
    }
    q->g.lscale = q->lscale;
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
    free(tr->comm_ms);
    free(tr->wait_ms);
    free(tr->phase_ms);
    free(tr);
}

pargnn_status pg_trainer_create_prepared(pg_prepared *p, const pargnn_config *cfg,
                                         pargnn_trainer_t **out) {
    *out = NULL;
    pargnn_trainer_t *tr = calloc(1, sizeof *tr);
    if (!tr) {
        pg_prepared_free(p);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "trainer: cannot allocate");
    }
    tr->cfg = *cfg;
    tr->prep = *p;
    memset(p, 0, sizeof *p);
    pg_prepared *q = &tr->prep;
    /* The views point into the struct itself: aim them at its new home. */
    q->x.csr = q->x.sparse ? &q->xcsr : NULL;
    q->x.dense = q->x.sparse ? NULL : q->xdense.data;
    q->g.gid = q->gid;
    if (q->g.ex) {
        q->g.adj = NULL;
        q->g.adj_inner = &q->adj_inner;
        q->g.adj_outer = &q->adj_outer;
    } else {
        q->g.adj = q->adj_hat.rowptr ? &q->adj_hat : &q->adj_inner;
    }
    pargnn_status s;
    if ((s = pg_prepared_scales(q, cfg->model))) {
        pargnn_trainer_free(tr);
        return s;
    }
    if ((s = pg_net_init(&tr->net, cfg, q->num_features, q->num_classes, q->x.sparse,
                         pg_backend_cpu())) ||
        (s = pg_net_workspace(&tr->net, q->n_own, q->n_halo, q->x.sparse ? q->xcsr.nnz : 0)) ||
        (s = pg_trainer_reserve(tr, cfg->epochs > 0 ? cfg->epochs : 1))) {
        pargnn_trainer_free(tr);
        return s;
    }
    tr->best_params = pg_alloc((size_t)tr->net.num_params, sizeof(pg_real), "best parameters");
    tr->step_ms = malloc(((size_t)cfg->epochs + 1) * sizeof(double));
    tr->comm_ms = malloc(((size_t)cfg->epochs + 1) * sizeof(double));
    tr->wait_ms = malloc(((size_t)cfg->epochs + 1) * sizeof(double));
    tr->phase_ms = malloc(((size_t)cfg->epochs + 1) * PARGNN_PHASE_COUNT * sizeof(double));
    if (!tr->best_params || !tr->step_ms || !tr->comm_ms || !tr->wait_ms || !tr->phase_ms) {
        pargnn_trainer_free(tr);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "trainer: cannot allocate");
    }
    memcpy(tr->best_params, tr->net.params, (size_t)tr->net.num_params * sizeof(pg_real));
    tr->best_val = -1;
    *out = tr;
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_trainer_create(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                    pargnn_trainer_t **out) {
    *out = NULL;
    PG_TRY(pargnn_config_validate(cfg));
    PG_TRY(pg_dataset_validate(ds));
    if (!ds->labels)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: the dataset has no labels; training needs them (give a labels "
                        "file with --labels FILE)", ds->name ? ds->name : "dataset");
    pg_set_threads(cfg->threads);
    pg_prepared p;
    PG_TRY(pg_prepare(ds, cfg->feature_norm, cfg->model, &p));
    pargnn_status rs = pg_prepared_reorder(&p, cfg->reorder);
    if (rs) {
        pg_prepared_free(&p);
        return rs;
    }
    return pg_trainer_create_prepared(&p, cfg, out);
}

const pargnn_config *pargnn_trainer_config(const pargnn_trainer_t *tr) { return &tr->cfg; }

pargnn_status pargnn_trainer_epoch(pargnn_trainer_t *tr, pargnn_epoch_stats *st) {
    pg_net *net = &tr->net;
    pg_prepared *p = &tr->prep;
    const int64_t n = p->n_own, c = p->num_classes;
    const uint32_t epoch = (uint32_t)tr->epoch; /* 0-based key of the epoch being run */
    PG_TRY(pg_trainer_reserve(tr, tr->epoch + 1));
    if (p->halo) p->halo->t_comm_ms = p->halo->t_wait_ms = 0, p->halo->bytes_sent = 0;

    pg_phase_reset(); /* the kernels add their wall time per phase from here to t1 */
    double t0 = pg_now_ms();
    const pg_real *logits;
    PG_TRY(pg_net_forward(net, &p->g, &p->x, 1, epoch, &logits));
    /* Mean over every process's training rows: this process's rows divided by the total
     * (the processes' losses are then summed). */
    double loss = pg_softmax_xent(logits, n, c, p->labels, p->split_idx[PG_SPLIT_TRAIN],
                                  p->split_len[PG_SPLIT_TRAIN], p->split_total[PG_SPLIT_TRAIN],
                                  net->gA);
    PG_TRY(pg_net_backward(net, &p->g, &p->x, net->gA, epoch));
    if (p->comm) { /* one allreduce of the whole gradient buffer, and the loss */
        if (net->grads64) PG_TRY(pg_comm_sum_f64(p->comm, net->grads64, net->num_params));
        else PG_TRY(pg_comm_sum_real(p->comm, net->grads, net->num_params));
        PG_TRY(pg_comm_sum_f64(p->comm, &loss, 1));
    }
    pg_net_round_grads(net); /* --reproducible: rounded once, after the sum */
    if (!isfinite(loss)) /* every rank sees the same reduced loss, so all stop together */
        return pg_error(PARGNN_STATUS_NUMERIC,
                        "epoch %d: training loss is %g (diverged; try a smaller --lr)",
                        tr->epoch + 1, loss);
    pg_net_adam(net, (int64_t)tr->epoch + 1);
    double t1 = pg_now_ms();
    double phase_step[PARGNN_PHASE_COUNT];
    pg_phase_get(phase_step);
    double comm_step = p->halo ? p->halo->t_comm_ms : 0, wait_step = p->halo ? p->halo->t_wait_ms : 0;
    phase_step[PARGNN_PHASE_COMM] += comm_step;
    tr->comm_bytes_epoch = p->halo ? p->halo->bytes_sent : 0;

    PG_TRY(pg_net_forward(net, &p->g, &p->x, 0, epoch, &logits));
    double hits[3];
    for (int s = 0; s < 3; s++)
        hits[s] = (double)llround(pg_accuracy(logits, n, c, p->labels, p->split_idx[s],
                                              p->split_len[s]) * (double)p->split_len[s]);
    if (p->comm) PG_TRY(pg_comm_sum_f64(p->comm, hits, 3));
    double acc[3];
    for (int s = 0; s < 3; s++)
        acc[s] = p->split_total[s] > 0 ? hits[s] / (double)p->split_total[s] : 0;
    double t2 = pg_now_ms();
    if (!pg_all_finite(net->params, net->num_params))
        return pg_error(PARGNN_STATUS_NUMERIC, "epoch %d: weights became NaN or Inf", tr->epoch + 1);

    tr->loss_curve[tr->epoch] = loss;
    tr->epoch++;
    if (tr->step_count < tr->cfg.epochs + 1) {
        tr->comm_ms[tr->step_count] = comm_step;
        tr->wait_ms[tr->step_count] = wait_step;
        memcpy(tr->phase_ms + (size_t)tr->step_count * PARGNN_PHASE_COUNT, phase_step, sizeof phase_step);
        tr->step_ms[tr->step_count++] = t1 - t0;
    }
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
        int stop = fn && fn(&st, tr->cfg.epochs, user);
        if (tr->prep.comm) { /* a stop asked on any rank (rank 0's Ctrl-C) stops all */
            double any = stop;
            PG_TRY(pg_comm_max_f64(tr->prep.comm, &any, 1));
            stop = any != 0;
        }
        if (stop) break;
    }
    return PARGNN_STATUS_OK;
}

void pargnn_trainer_result(const pargnn_trainer_t *tr, pargnn_result *res) {
    memset(res, 0, sizeof *res);
    res->test_acc = tr->best_epoch > 0 ? tr->best_test : 0;
    res->val_acc = tr->best_epoch > 0 ? tr->best_val : 0;
    res->train_acc = tr->best_epoch > 0 ? tr->best_train : 0;
    res->best_epoch = tr->best_epoch;
    res->epochs_run = tr->epoch;
    res->epoch_ms = pg_median(tr->step_ms, tr->step_count, 1); /* steps run by this process */
    res->loss_curve = tr->loss_curve;
    res->threads = pg_get_threads();
    res->ranks = tr->prep.comm ? tr->prep.comm->size : 1;
    res->stopped_early = tr->stopped_early;
    /* per phase, the median over the steps (so the phases need not sum to the median step) */
    for (int ph = 0; ph < PARGNN_PHASE_COUNT; ph++)
        res->phase_ms[ph] = pg_median(tr->phase_ms + ph, tr->step_count, PARGNN_PHASE_COUNT);
}
