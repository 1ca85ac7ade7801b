/*
 * The JSON summary of a run (--json): accuracies, epochs, step-time statistics, the loss
 * curve, the dataset's shape and every hyperparameter. Written to a temporary file, then
 * renamed, so a reader never sees half a report.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/trainer.h"

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

/* JSON has no NaN or Inf: write null for them. */
static void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fputs("null", f);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, int32_t n, double q) {
    if (n == 0) return 0;
    double pos = q * (n - 1);
    int32_t i = (int32_t)pos;
    double frac = pos - i;
    return i + 1 < n ? sorted[i] * (1 - frac) + sorted[i + 1] * frac : sorted[i];
}

pargnn_status pargnn_trainer_write_json(const pargnn_trainer_t *tr, const char *path) {
    /* Collective with several ranks: every rank passes here, rank 0 writes. */
    double *per_rank = NULL;
    PG_TRY(pg_dist_gather_stats(tr, &per_rank));
    if (!per_rank) return PARGNN_STATUS_OK;
    pargnn_result r;
    pargnn_trainer_result(tr, &r);
    const pargnn_config *c = &tr->cfg;
    const pg_prepared *ds = &tr->prep;
    double *sorted = malloc(((size_t)tr->step_count + 1) * sizeof(double));
    if (!sorted) {
        free(per_rank);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "json: cannot allocate");
    }
    memcpy(sorted, tr->step_ms, (size_t)tr->step_count * sizeof(double));
    qsort(sorted, (size_t)tr->step_count, sizeof(double), cmp_double);

    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    if (!tmp) {
        free(sorted);
        free(per_rank);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "json: cannot allocate");
    }
    snprintf(tmp, plen, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        pargnn_status s = pg_error(PARGNN_STATUS_IO, "--json %s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        free(sorted);
        free(per_rank);
        return s;
    }
    fprintf(f, "{\n  \"pargnn_version\": \"%s\",\n  \"model\": ", PARGNN_VERSION);
    json_string(f, pargnn_model_name(c->model));
    fputs(",\n  \"dataset\": ", f);
    json_string(f, ds->name);
    fputs(",\n  \"split\": ", f);
    json_string(f, ds->split_name);
    fprintf(f, ",\n  \"num_nodes\": %lld,\n  \"num_edges\": %lld,\n  \"num_features\": %lld,\n"
               "  \"feature_nnz\": %lld,\n  \"sparse_features\": %s,\n  \"num_classes\": %d,\n",
            (long long)ds->num_nodes, (long long)ds->num_edges, (long long)ds->num_features,
            (long long)ds->feat_nnz, ds->feat_sparse ? "true" : "false", ds->num_classes);
    fputs("  \"test_acc\": ", f);
    json_num(f, r.test_acc);
    fputs(",\n  \"val_acc\": ", f);
    json_num(f, r.val_acc);
    fputs(",\n  \"train_acc\": ", f);
    json_num(f, r.train_acc);
    fprintf(f, ",\n  \"best_epoch\": %d,\n  \"epochs_run\": %d,\n  \"stopped_early\": %s,\n",
            r.best_epoch, r.epochs_run, r.stopped_early ? "true" : "false");
    fputs("  \"epoch_ms\": ", f);
    json_num(f, r.epoch_ms);
    fputs(",\n  \"epoch_ms_min\": ", f);
    json_num(f, tr->step_count ? sorted[0] : 0);
    fputs(",\n  \"epoch_ms_p10\": ", f);
    json_num(f, quantile(sorted, tr->step_count, 0.1));
    fputs(",\n  \"epoch_ms_p90\": ", f);
    json_num(f, quantile(sorted, tr->step_count, 0.9));
    /* per phase of the step, the median over the timed steps (this process) */
    fputs(",\n  \"phase_ms\": {", f);
    for (int ph = 0; ph < PARGNN_PHASE_COUNT; ph++) {
        fprintf(f, "%s\"%s\": ", ph ? ", " : "", pargnn_phase_name((pargnn_phase)ph));
        json_num(f, r.phase_ms[ph]);
    }
    /* wait: the part of comm spent blocked on transfers (exposed communication) */
    fputs(", \"wait\": ", f);
    json_num(f, pg_median(tr->wait_ms, tr->step_count, 1));
    fputs("}", f);
    fprintf(f, ",\n  \"epochs_timed\": %d,\n  \"threads\": %d,\n  \"ranks\": %d,\n", tr->step_count,
            r.threads, r.ranks);
    pargnn_blas_info blas;
    pargnn_blas_get_info(&blas);
    fputs("  \"blas\": {\"core\": ", f);
    json_string(f, blas.core ? blas.core : "");
    fprintf(f, ", \"cpu\": \"%s\", \"advice\": ", blas.cpu);
    if (blas.advice) json_string(f, blas.advice);
    else fputs("null", f);
    fprintf(f, ", \"products\": \"%s\", \"advice_double\": ", blas.products);
    if (blas.advice_double) json_string(f, blas.advice_double);
    else fputs("null", f);
    fputs("},\n", f);
    pg_dist_json_write(f, tr, per_rank);
    free(per_rank);
    per_rank = NULL;
    fputs("  \"layer_order\": [", f);
    for (int32_t l = 0; l < tr->net.num_layers; l++)
        fprintf(f, "%s\"%s\"", l ? ", " : "", tr->net.layers[l].aggregate_first ? "(AH)W" : "A(HW)");
    fputs("],\n  \"loss_curve\": [", f);
    for (int32_t e = 0; e < r.epochs_run; e++) {
        if (e) fputs(", ", f);
        json_num(f, r.loss_curve[e]);
    }
    fprintf(f, "],\n  \"config\": {\n    \"model\": \"%s\",\n    \"gin_eps\": \"%s\",\n"
               "    \"heads\": %d,\n    \"out_heads\": %d,\n    \"attn_dropout\": ",
            pargnn_model_name(c->model), c->gin_train_eps ? "learn" : "fixed", c->heads, c->out_heads);
    json_num(f, c->attn_dropout);
    fputs(",\n    \"message_dropout\": ", f);
    json_num(f, c->message_dropout);
    static const char *const norms[] = {"none", "batch", "layer"};
    fprintf(f, ",\n    \"sage_normalize\": %s,\n    \"norm\": \"%s\",\n    \"residual\": %s",
            c->sage_normalize ? "true" : "false", (unsigned)c->norm <= PARGNN_NORM_LAYER ? norms[c->norm] : "?",
            c->residual ? "true" : "false");
    fprintf(f, ",\n    \"gin_mlp_norm\": \"%s\"",
            (unsigned)c->gin_mlp_norm <= PARGNN_NORM_LAYER ? norms[c->gin_mlp_norm] : "?");
    fprintf(f, ",\n    \"init\": \"%s\"", c->init == PARGNN_INIT_PYG ? "pyg" : "glorot");
    fprintf(f, ",\n    \"layers\": %d,\n    \"hidden\": %d,\n    \"dropout\": ", c->layers, c->hidden);
    json_num(f, c->dropout);
    fputs(",\n    \"lr\": ", f);
    json_num(f, c->lr);
    fputs(",\n    \"weight_decay\": ", f);
    json_num(f, c->weight_decay);
    fprintf(f, ",\n    \"decay_scope\": \"%s\",\n    \"feature_norm\": \"%s\",\n"
               "    \"epochs\": %d,\n    \"patience\": %d,\n    \"seed\": %llu,\n"
               "    \"threads\": %d,\n    \"reproducible\": %s,\n    \"reorder\": \"%s\",\n"
               "    \"partition\": \"%s\",\n    \"partition_objective\": \"%s\",\n"
               "    \"partition_imbalance\": ",
            c->decay_scope == PARGNN_DECAY_SCOPE_ALL ? "all" : "first",
            c->feature_norm == PARGNN_FEATURE_NORM_ROW ? "row" : "none", c->epochs, c->patience,
            (unsigned long long)c->seed, c->threads, c->reproducible ? "true" : "false",
            c->reorder == PARGNN_REORDER_METIS    ? "metis"
            : c->reorder == PARGNN_REORDER_RCM    ? "rcm"
            : c->reorder == PARGNN_REORDER_DEGREE ? "degree"
                                                  : "none",
            c->partition == PARGNN_PARTITION_RANDOM  ? "random"
            : c->partition == PARGNN_PARTITION_BLOCK ? "block"
                                                     : "metis",
            c->partition_objective == PARGNN_PARTITION_OBJECTIVE_VOL ? "vol" : "cut");
    json_num(f, c->partition_imbalance);
    fputs("\n  }\n}\n", f);
    free(sorted);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    pargnn_status s = PARGNN_STATUS_OK;
    if (bad) s = pg_error(PARGNN_STATUS_IO, "--json %s: write failed", tmp);
    else if (rename(tmp, path) != 0)
        s = pg_error(PARGNN_STATUS_IO, "--json %s: cannot rename: %s", path, strerror(errno));
    if (s) unlink(tmp);
    free(tmp);
    return s;
}
