/*
 * Checkpoints: a versioned little-endian binary file holding the hyperparameters, the
 * dataset shape, training progress (epoch, best epoch, loss history) and four parameter
 * arrays (weights, Adam moments, best weights), closed by a crc32 of everything before it.
 * Written to a temporary file then renamed; read whole, verified, then parsed with bounds
 * checks. Dropout keys derive from (seed, epoch), so no RNG state beyond those is needed.
 * Prediction from a checkpoint's best weights lives here too, beside the reader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train/trainer.h"

#define CKPT_MAGIC "PARGNNCK"
/* 6: GIN's MLP norm (--gin-mlp-norm) after the initialisation; 5: the initialisation
 * (--init) after the residual flag; 4: GAT's message dropout, SAGE's normalisation, the
 * norm and residual flags after GAT's other fields; 3: GAT's heads, output heads and
 * attention dropout after GIN's eps mode; 2: GIN's eps mode after the seed; 1: GCN only.
 * Every earlier version is still read. */
#define CKPT_VERSION 6u
#define CKPT_MAX_BYTES ((uint64_t)1 << 40)

/* ------------------------------------------------------------ serialisation */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int failed;
} wbuf;

static void put(wbuf *b, const void *src, size_t n) {
    if (b->failed) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void put_i32(wbuf *b, int32_t v) { put(b, &v, 4); }
static void put_u32(wbuf *b, uint32_t v) { put(b, &v, 4); }
static void put_i64(wbuf *b, int64_t v) { put(b, &v, 8); }
static void put_u64(wbuf *b, uint64_t v) { put(b, &v, 8); }
static void put_f64(wbuf *b, double v) { put(b, &v, 8); }

typedef struct rbuf {
    const unsigned char *p;
    size_t len, pos;
    const char *path;
} rbuf;

static pargnn_status get(rbuf *b, void *dst, size_t n, const char *field) {
    if (n > b->len - b->pos)
        return pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: truncated in field '%s'", b->path,
                        field);
    memcpy(dst, b->p + b->pos, n);
    b->pos += n;
    return PARGNN_STATUS_OK;
}

/* The parsed contents of a checkpoint. Arrays point into the file buffer. */
typedef struct ckpt {
    pargnn_config cfg;
    int64_t num_nodes, in_dim, num_classes, num_params;
    int32_t epoch, best_epoch;
    double best_val, best_test, best_train;
    const unsigned char *loss, *params, *m, *v, *best;
    unsigned char *file;
} ckpt;

static void serialise_config(wbuf *b, const pargnn_config *c) {
    put_i32(b, (int32_t)c->model);
    put_i32(b, c->layers);
    put_i32(b, c->hidden);
    put_f64(b, c->dropout);
    put_f64(b, c->lr);
    put_f64(b, c->weight_decay);
    put_i32(b, (int32_t)c->decay_scope);
    put_i32(b, (int32_t)c->feature_norm);
    put_i32(b, c->epochs);
    put_i32(b, c->patience);
    put_u64(b, c->seed);
    put_i32(b, c->gin_train_eps); /* version 2 */
    put_i32(b, c->heads);         /* version 3 */
    put_i32(b, c->out_heads);
    put_f64(b, c->attn_dropout);
    put_f64(b, c->message_dropout); /* version 4 */
    put_i32(b, c->sage_normalize);
    put_i32(b, (int32_t)c->norm);
    put_i32(b, c->residual);
    put_i32(b, (int32_t)c->init); /* version 5 */
    put_i32(b, (int32_t)c->gin_mlp_norm); /* version 6 */
}

static pargnn_status parse_config(rbuf *b, uint32_t version, pargnn_config *c) {
    int32_t model = 0, scope = 0, norm = 0;
    pargnn_config_default(c);
    PG_TRY(get(b, &model, 4, "model"));
    PG_TRY(get(b, &c->layers, 4, "layers"));
    PG_TRY(get(b, &c->hidden, 4, "hidden"));
    PG_TRY(get(b, &c->dropout, 8, "dropout"));
    PG_TRY(get(b, &c->lr, 8, "lr"));
    PG_TRY(get(b, &c->weight_decay, 8, "weight_decay"));
    PG_TRY(get(b, &scope, 4, "decay_scope"));
    PG_TRY(get(b, &norm, 4, "feature_norm"));
    PG_TRY(get(b, &c->epochs, 4, "epochs"));
    PG_TRY(get(b, &c->patience, 4, "patience"));
    PG_TRY(get(b, &c->seed, 8, "seed"));
    if (version >= 2) PG_TRY(get(b, &c->gin_train_eps, 4, "gin_train_eps"));
    if (version >= 3) {
        PG_TRY(get(b, &c->heads, 4, "heads"));
        PG_TRY(get(b, &c->out_heads, 4, "out_heads"));
        PG_TRY(get(b, &c->attn_dropout, 8, "attn_dropout"));
    }
    if (version >= 4) {
        int32_t nm = 0;
        PG_TRY(get(b, &c->message_dropout, 8, "message_dropout"));
        PG_TRY(get(b, &c->sage_normalize, 4, "sage_normalize"));
        PG_TRY(get(b, &nm, 4, "norm"));
        PG_TRY(get(b, &c->residual, 4, "residual"));
        c->norm = (pargnn_norm)nm;
    }
    if (version >= 5) {
        int32_t init = 0;
        PG_TRY(get(b, &init, 4, "init"));
        c->init = (pargnn_init)init;
    }
    if (version >= 6) {
        int32_t mn = 0;
        PG_TRY(get(b, &mn, 4, "gin_mlp_norm"));
        c->gin_mlp_norm = (pargnn_norm)mn;
    }
    c->model = (pargnn_model_kind)model;
    c->decay_scope = (pargnn_decay_scope)scope;
    c->feature_norm = (pargnn_feature_norm)norm;
    if (pargnn_config_validate(c) != PARGNN_STATUS_OK) {
        pg_error_context("checkpoint %s: stored hyperparameters are invalid", b->path);
        return PARGNN_STATUS_CORRUPT;
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_trainer_save(const pargnn_trainer_t *tr, const char *path) {
    const pg_net *net = &tr->net;
    const size_t pbytes = (size_t)net->num_params * sizeof(pg_real);
    wbuf b = {0};
    put(&b, CKPT_MAGIC, 8);
    put_u32(&b, CKPT_VERSION);
    put_u32(&b, (uint32_t)sizeof(pg_real));
    serialise_config(&b, &tr->cfg);
    put_i64(&b, tr->prep.num_nodes);
    put_i64(&b, net->in_dim);
    put_i64(&b, net->num_classes);
    put_i64(&b, net->num_params);
    put_i32(&b, tr->epoch);
    put_i32(&b, tr->best_epoch);
    put_f64(&b, tr->best_val);
    put_f64(&b, tr->best_test);
    put_f64(&b, tr->best_train);
    put(&b, tr->loss_curve, (size_t)tr->epoch * sizeof(double));
    put(&b, net->params, pbytes);
    put(&b, net->adam_m, pbytes);
    put(&b, net->adam_v, pbytes);
    put(&b, tr->best_params, pbytes);
    uint32_t crc = b.failed ? 0 : pg_crc32(0, b.p, b.len);
    put_u32(&b, crc);
    if (b.failed) {
        free(b.p);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "checkpoint %s: cannot allocate", path);
    }
    /* Temporary file beside the target, then rename: a crash leaves the old file whole. */
    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    if (!tmp) {
        free(b.p);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "checkpoint %s: cannot allocate", path);
    }
    snprintf(tmp, plen, "%s.tmp.%ld", path, (long)getpid());
    pargnn_status s = PARGNN_STATUS_OK;
    FILE *f = fopen(tmp, "wb");
    if (!f) s = pg_error(PARGNN_STATUS_IO, "checkpoint %s: cannot create: %s", tmp, strerror(errno));
    else {
        int bad = fwrite(b.p, 1, b.len, f) != b.len;
        bad |= fflush(f) != 0;
        bad |= fsync(fileno(f)) != 0;
        bad |= fclose(f) != 0;
        if (bad) s = pg_error(PARGNN_STATUS_IO, "checkpoint %s: write failed: %s", tmp, strerror(errno));
        else if (rename(tmp, path) != 0)
            s = pg_error(PARGNN_STATUS_IO, "checkpoint %s: cannot rename from %s: %s", path, tmp,
                         strerror(errno));
        if (s) unlink(tmp);
    }
    free(tmp);
    free(b.p);
    return s;
}

static pargnn_status read_whole(const char *path, unsigned char **out, size_t *len) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return pg_error(PARGNN_STATUS_IO, "checkpoint %s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return pg_error(PARGNN_STATUS_IO, "checkpoint %s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > CKPT_MAX_BYTES) {
        fclose(f);
        return pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: implausible size %lld bytes", path,
                        (long long)st.st_size);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *p = malloc(n ? n : 1);
    if (!p) {
        fclose(f);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "checkpoint %s: cannot allocate %zu bytes", path, n);
    }
    if (fread(p, 1, n, f) != n) {
        free(p);
        fclose(f);
        return pg_error(PARGNN_STATUS_IO, "checkpoint %s: read failed", path);
    }
    fclose(f);
    *out = p;
    *len = n;
    return PARGNN_STATUS_OK;
}


static pargnn_status ckpt_read(const char *path, ckpt *c) {
    memset(c, 0, sizeof *c);
    size_t len = 0;
    PG_TRY(read_whole(path, &c->file, &len));
    rbuf b = {c->file, len, 0, path};
    pargnn_status s;
#define CK(x)                                                                                \
    do {                                                                                     \
        if ((s = (x)) != PARGNN_STATUS_OK) goto fail;                                        \
    } while (0)
    char magic[8];
    uint32_t version = 0, real_size = 0, crc_stored = 0;
    if (len < 8 || memcmp(c->file, CKPT_MAGIC, 8) != 0) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: not a pargnn checkpoint (bad magic)", path);
        goto fail;
    }
    CK(get(&b, magic, 8, "magic"));
    CK(get(&b, &version, 4, "version"));
    if (version < 1 || version > CKPT_VERSION) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: version %u, this pargnn reads versions 1 to %u",
                     path, version, CKPT_VERSION);
        goto fail;
    }
    if (len < 4 + b.pos) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: truncated", path);
        goto fail;
    }
    memcpy(&crc_stored, c->file + len - 4, 4);
    if (pg_crc32(0, c->file, len - 4) != crc_stored) {
        s = pg_error(PARGNN_STATUS_CORRUPT,
                     "checkpoint %s: checksum mismatch (file truncated or corrupted)", path);
        goto fail;
    }
    b.len = len - 4;
    CK(get(&b, &real_size, 4, "real_size"));
    if (real_size != sizeof(pg_real)) {
        s = pg_error(PARGNN_STATUS_MISMATCH, "checkpoint %s: stores %u-byte reals, this build uses %zu",
                     path, real_size, sizeof(pg_real));
        goto fail;
    }
    CK(parse_config(&b, version, &c->cfg));
    CK(get(&b, &c->num_nodes, 8, "num_nodes"));
    CK(get(&b, &c->in_dim, 8, "in_dim"));
    CK(get(&b, &c->num_classes, 8, "num_classes"));
    CK(get(&b, &c->num_params, 8, "num_params"));
    CK(get(&b, &c->epoch, 4, "epoch"));
    CK(get(&b, &c->best_epoch, 4, "best_epoch"));
    CK(get(&b, &c->best_val, 8, "best_val"));
    CK(get(&b, &c->best_test, 8, "best_test"));
    CK(get(&b, &c->best_train, 8, "best_train"));
    if (c->num_nodes <= 0 || c->in_dim <= 0 || c->num_classes <= 0 || c->num_params <= 0 ||
        c->epoch < 0 || c->best_epoch < 0 || c->best_epoch > c->epoch ||
        (uint64_t)c->num_params > len / sizeof(pg_real)) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: inconsistent header counts", path);
        goto fail;
    }
    if (pg_net_param_count(&c->cfg, c->in_dim, c->num_classes) != c->num_params) {
        s = pg_error(PARGNN_STATUS_CORRUPT,
                     "checkpoint %s: %lld parameters do not fit its model (%d layers, hidden %d, "
                     "%lld features, %lld classes)",
                     path, (long long)c->num_params, (int)c->cfg.layers, (int)c->cfg.hidden,
                     (long long)c->in_dim, (long long)c->num_classes);
        goto fail;
    }
    const size_t pbytes = (size_t)c->num_params * sizeof(pg_real);
    c->loss = c->file + b.pos;
    if ((size_t)c->epoch * 8 > b.len - b.pos) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: truncated in field 'loss_curve'", path);
        goto fail;
    }
    b.pos += (size_t)c->epoch * 8;
    const unsigned char **arrays[4] = {&c->params, &c->m, &c->v, &c->best};
    const char *names[4] = {"params", "adam_m", "adam_v", "best_params"};
    for (int k = 0; k < 4; k++) {
        if (pbytes > b.len - b.pos) {
            s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: truncated in field '%s'", path, names[k]);
            goto fail;
        }
        *arrays[k] = c->file + b.pos;
        b.pos += pbytes;
    }
    if (b.pos != b.len) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: %zu unexpected trailing bytes", path,
                     b.len - b.pos);
        goto fail;
    }
    return PARGNN_STATUS_OK;
fail:
    free(c->file);
    c->file = NULL;
    return s;
#undef CK
}

pargnn_status pargnn_checkpoint_read_config(const char *path, pargnn_config *cfg) {
    ckpt c;
    PG_TRY(ckpt_read(path, &c));
    *cfg = c.cfg;
    free(c.file);
    return PARGNN_STATUS_OK;
}

/* The first hyperparameter that differs, as its flag, or NULL. */
static const char *config_diff(const pargnn_config *a, const pargnn_config *b) {
    if (a->model != b->model) return "--model";
    if (a->gin_train_eps != b->gin_train_eps) return "--gin-eps";
    if (a->heads != b->heads) return "--heads";
    if (a->out_heads != b->out_heads) return "--out-heads";
    if (a->attn_dropout != b->attn_dropout) return "--attn-dropout";
    if (a->message_dropout != b->message_dropout) return "--message-dropout";
    if (a->sage_normalize != b->sage_normalize) return "--sage-normalize";
    if (a->norm != b->norm) return "--norm";
    if (a->gin_mlp_norm != b->gin_mlp_norm) return "--gin-mlp-norm";
    if (a->residual != b->residual) return "--residual";
    if (a->init != b->init) return "--init";
    if (a->layers != b->layers) return "--layers";
    if (a->hidden != b->hidden) return "--hidden";
    if (a->dropout != b->dropout) return "--dropout";
    if (a->lr != b->lr) return "--lr";
    if (a->weight_decay != b->weight_decay) return "--weight-decay";
    if (a->decay_scope != b->decay_scope) return "--decay-scope";
    if (a->feature_norm != b->feature_norm) return "--feature-norm";
    if (a->seed != b->seed) return "--seed";
    return NULL;
}

pargnn_status pargnn_trainer_resume(pargnn_trainer_t *tr, const char *path) {
    ckpt c;
    PG_TRY(ckpt_read(path, &c));
    pargnn_status s = PARGNN_STATUS_OK;
    pg_net *net = &tr->net;
    const char *flag = config_diff(&c.cfg, &tr->cfg);
    if (flag)
        s = pg_error(PARGNN_STATUS_MISMATCH,
                     "checkpoint %s: trained with a different %s than this run", path, flag);
    else if (c.num_nodes != tr->prep.num_nodes || c.in_dim != net->in_dim ||
             c.num_classes != net->num_classes)
        s = pg_error(PARGNN_STATUS_MISMATCH,
                     "checkpoint %s: made for %lld nodes, %lld features, %lld classes; "
                     "this dataset has %lld, %lld, %lld",
                     path, (long long)c.num_nodes, (long long)c.in_dim, (long long)c.num_classes,
                     (long long)tr->prep.num_nodes, (long long)net->in_dim,
                     (long long)net->num_classes);
    else if (c.num_params != net->num_params)
        s = pg_error(PARGNN_STATUS_MISMATCH, "checkpoint %s: %lld parameters, model has %lld", path,
                     (long long)c.num_params, (long long)net->num_params);
    else if ((s = pg_trainer_reserve(tr, c.epoch > tr->cfg.epochs ? c.epoch : tr->cfg.epochs)) ==
             PARGNN_STATUS_OK) {
        const size_t pbytes = (size_t)net->num_params * sizeof(pg_real);
        memcpy(net->params, c.params, pbytes);
        memcpy(net->adam_m, c.m, pbytes);
        memcpy(net->adam_v, c.v, pbytes);
        memcpy(tr->best_params, c.best, pbytes);
        memcpy(tr->loss_curve, c.loss, (size_t)c.epoch * sizeof(double));
        tr->epoch = c.epoch;
        tr->best_epoch = c.best_epoch;
        tr->best_val = c.best_epoch > 0 ? c.best_val : -1;
        tr->best_test = c.best_test;
        tr->best_train = c.best_train;
    }
    free(c.file);
    return s;
}

pargnn_status pargnn_predict(const char *checkpoint, const pargnn_dataset_t *ds, int32_t threads,
                             float **probs, int32_t *num_classes) {
    *probs = NULL;
    *num_classes = 0;
    ckpt c;
    PG_TRY(pg_dataset_validate(ds));
    PG_TRY(ckpt_read(checkpoint, &c));
    pargnn_status s = PARGNN_STATUS_OK;
    pg_prepared prep;
    pg_net net;
    memset(&prep, 0, sizeof prep);
    memset(&net, 0, sizeof net);
    float *out = NULL;
    pg_set_threads(threads);
    if (c.in_dim != ds->num_features) {
        s = pg_error(PARGNN_STATUS_MISMATCH,
                     "checkpoint %s: model takes %lld features, dataset %s has %lld", checkpoint,
                     (long long)c.in_dim, ds->name ? ds->name : "", (long long)ds->num_features);
        goto done;
    }
    if ((s = pg_prepare(ds, c.cfg.feature_norm, c.cfg.model, &prep)) ||
        (s = pg_prepared_scales(&prep, c.cfg.model)) ||
        (s = pg_net_init(&net, &c.cfg, c.in_dim, c.num_classes, ds->feat_sparse, pg_backend_cpu())))
        goto done;
    if (net.num_params != c.num_params) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "checkpoint %s: parameter count does not match its config",
                     checkpoint);
        goto done;
    }
    if ((s = pg_net_workspace(&net, ds->num_nodes, 0, ds->feat_sparse ? ds->feat_csr.nnz : 0)))
        goto done;
    memcpy(net.params, c.best, (size_t)net.num_params * sizeof(pg_real));
    const pg_real *logits = NULL;
    if ((s = pg_net_forward(&net, &prep.g, &prep.x, 0, 0, &logits))) goto done;
    const size_t cnt = (size_t)ds->num_nodes * (size_t)c.num_classes;
    out = malloc(cnt * sizeof(float));
    pg_real *p = pg_alloc(cnt, sizeof(pg_real), "probabilities");
    if (!out || !p) {
        pg_free(p);
        s = pg_error(PARGNN_STATUS_NO_MEMORY, "predict: cannot allocate probabilities");
        goto done;
    }
    pg_softmax_rows(logits, ds->num_nodes, c.num_classes, p);
    for (size_t k = 0; k < cnt; k++) out[k] = (float)p[k];
    pg_free(p);
    *probs = out;
    *num_classes = (int32_t)c.num_classes;
    out = NULL;
done:
    free(out);
    pg_net_free(&net);
    pg_prepared_free(&prep);
    free(c.file);
    return s;
}
