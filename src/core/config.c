/*
 * Training configuration: defaults (the GCN paper's recipe) and range checks whose
 * messages name the command-line flag, so the CLI can print them as they are.
 */
#include <math.h>
#include <string.h>

#include "core/pg.h"

void pargnn_config_default(pargnn_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->model = PARGNN_MODEL_GCN;
    cfg->heads = 1;
    cfg->out_heads = 1;
    cfg->attn_dropout = 0;
    cfg->layers = 2;
    cfg->hidden = 16;
    cfg->dropout = 0.5;
    cfg->lr = 0.01;
    cfg->weight_decay = 5e-4;
    cfg->decay_scope = PARGNN_DECAY_SCOPE_FIRST;
    cfg->feature_norm = PARGNN_FEATURE_NORM_ROW;
    cfg->epochs = 200;
    cfg->patience = 0;
    cfg->seed = 0;
    cfg->threads = 0;
    cfg->partition_imbalance = PARGNN_PARTITION_IMBALANCE_DEFAULT;
}

const char *pargnn_model_name(pargnn_model_kind kind) {
    switch (kind) {
    case PARGNN_MODEL_GCN: return "gcn";
    case PARGNN_MODEL_SAGE: return "sage";
    case PARGNN_MODEL_GIN: return "gin";
    case PARGNN_MODEL_GAT: return "gat";
    }
    return "unknown";
}

#define PG_MAX_LAYERS 64
#define PG_MAX_HIDDEN (1 << 20)
#define PG_MAX_EPOCHS 100000000
#define PG_MAX_HEADS 1024

pargnn_status pargnn_config_validate(const pargnn_config *cfg) {
    if ((unsigned)cfg->model > PARGNN_MODEL_GAT)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--model: unknown model %d", (int)cfg->model);
    if (cfg->gin_train_eps != 0 && cfg->gin_train_eps != 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--gin-eps: unknown value %d",
                        (int)cfg->gin_train_eps);
    if (cfg->gin_train_eps && cfg->model != PARGNN_MODEL_GIN)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--gin-eps learn: only for --model gin");
    if (cfg->heads < 1 || cfg->heads > PG_MAX_HEADS)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--heads: %d is not in [1, %d]",
                        cfg->heads, PG_MAX_HEADS);
    if (cfg->out_heads < 1 || cfg->out_heads > PG_MAX_HEADS)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--out-heads: %d is not in [1, %d]",
                        cfg->out_heads, PG_MAX_HEADS);
    if (!(cfg->attn_dropout >= 0 && cfg->attn_dropout < 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--attn-dropout: %g is not in [0, 1)",
                        cfg->attn_dropout);
    if (!(cfg->message_dropout >= 0 && cfg->message_dropout < 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--message-dropout: %g is not in [0, 1)",
                        cfg->message_dropout);
    if (cfg->model != PARGNN_MODEL_GAT && (cfg->heads != 1 || cfg->out_heads != 1 ||
                                           cfg->attn_dropout != 0 || cfg->message_dropout != 0))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--%s: only for --model gat",
                        cfg->heads != 1       ? "heads"
                        : cfg->out_heads != 1 ? "out-heads"
                        : cfg->attn_dropout != 0 ? "attn-dropout"
                                                 : "message-dropout");
    if ((int64_t)cfg->heads * cfg->hidden > PG_MAX_HIDDEN)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--heads %d x --hidden %d: a hidden layer wider than %d", cfg->heads,
                        cfg->hidden, PG_MAX_HIDDEN);
    if (cfg->sage_normalize != 0 && cfg->sage_normalize != 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--sage-normalize: unknown value %d",
                        (int)cfg->sage_normalize);
    if (cfg->sage_normalize && cfg->model != PARGNN_MODEL_SAGE)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--sage-normalize: only for --model sage");
    if ((unsigned)cfg->gin_mlp_norm > PARGNN_NORM_LAYER)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--gin-mlp-norm: unknown value %d",
                        (int)cfg->gin_mlp_norm);
    if (cfg->gin_mlp_norm != PARGNN_NORM_NONE && cfg->model != PARGNN_MODEL_GIN)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--gin-mlp-norm: only for --model gin");
    if ((unsigned)cfg->norm > PARGNN_NORM_LAYER)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--norm: unknown value %d", (int)cfg->norm);
    if (cfg->residual != 0 && cfg->residual != 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--residual: unknown value %d",
                        (int)cfg->residual);
    if ((unsigned)cfg->init > PARGNN_INIT_PYG)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--init: unknown value %d", (int)cfg->init);
    if (cfg->layers < 1 || cfg->layers > PG_MAX_LAYERS)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--layers: %d is not in [1, %d]",
                        cfg->layers, PG_MAX_LAYERS);
    if (cfg->hidden < 1 || cfg->hidden > PG_MAX_HIDDEN)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--hidden: %d is not in [1, %d]",
                        cfg->hidden, PG_MAX_HIDDEN);
    if (!(cfg->dropout >= 0 && cfg->dropout < 1))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--dropout: %g is not in [0, 1)", cfg->dropout);
    if (!(cfg->lr > 0 && isfinite(cfg->lr)))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--lr: %g is not a positive number", cfg->lr);
    if (!(cfg->weight_decay >= 0 && isfinite(cfg->weight_decay)))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--weight-decay: %g is not >= 0",
                        cfg->weight_decay);
    if (cfg->decay_scope != PARGNN_DECAY_SCOPE_FIRST && cfg->decay_scope != PARGNN_DECAY_SCOPE_ALL)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--decay-scope: unknown value %d",
                        (int)cfg->decay_scope);
    if (cfg->feature_norm != PARGNN_FEATURE_NORM_ROW && cfg->feature_norm != PARGNN_FEATURE_NORM_NONE)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--feature-norm: unknown value %d",
                        (int)cfg->feature_norm);
    if (cfg->epochs < 0 || cfg->epochs > PG_MAX_EPOCHS)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--epochs: %d is not in [0, %d]",
                        cfg->epochs, PG_MAX_EPOCHS);
    if (cfg->patience < 0)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--patience: %d is negative", cfg->patience);
    if (cfg->threads < 0 || cfg->threads > 4096)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--threads: %d is not in [0, 4096]",
                        cfg->threads);
    if (!(cfg->partition_imbalance >= PARGNN_PARTITION_IMBALANCE_MIN &&
          cfg->partition_imbalance <= PARGNN_PARTITION_IMBALANCE_MAX))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--partition-imbalance: %g is not in [%g, %g]",
                        cfg->partition_imbalance, PARGNN_PARTITION_IMBALANCE_MIN,
                        PARGNN_PARTITION_IMBALANCE_MAX);
    if ((unsigned)cfg->reorder > PARGNN_REORDER_METIS)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--reorder: unknown order %d", (int)cfg->reorder);
    return PARGNN_STATUS_OK;
}
