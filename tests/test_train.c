/*
 * Training end to end on generated graphs: it learns, it is deterministic for a seed,
 * checkpoints round-trip, resume reproduces a straight run, and bad checkpoints are refused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "train/trainer.h"

static void test_learns(const pargnn_dataset_t *ds) {
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 100;
    pargnn_result r;
    pargnn_trainer_t *tr = pg_test_train(ds, &cfg, &r);
    if (!tr) return;
    CHECK_MSG(r.test_acc > 0.8, "test acc %.3f on an SBM with homophily 0.9", r.test_acc);
    CHECK(r.epochs_run == 100);
    CHECK(r.best_epoch >= 1 && r.best_epoch <= 100);
    CHECK_MSG(r.loss_curve[99] < 0.7 * r.loss_curve[0], "loss %.3f -> %.3f", r.loss_curve[0],
              r.loss_curve[99]);
    pargnn_trainer_free(tr);

    /* No signal in the graph (homophily at chance) and none in features of a 1-layer model
     * with dropout near 1 would be contrived; instead check accuracy drops with homophily. */
}

static void test_deterministic(const pargnn_dataset_t *ds) {
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 30;
    cfg.layers = 3;
    cfg.hidden = 32;
    pargnn_result ra, rb, rc;
    pargnn_trainer_t *a = pg_test_train(ds, &cfg, &ra), *b = pg_test_train(ds, &cfg, &rb);
    int same = ra.epochs_run == rb.epochs_run;
    for (int e = 0; same && e < ra.epochs_run; e++) same = ra.loss_curve[e] == rb.loss_curve[e];
    CHECK_MSG(same, "two runs with seed 0 differ");
    cfg.seed = 1;
    pargnn_trainer_t *c = pg_test_train(ds, &cfg, &rc);
    if (a && c)
        CHECK_MSG(rc.loss_curve[5] != ra.loss_curve[5], "seed 1 gave seed 0's loss curve");
    pargnn_trainer_free(a);
    pargnn_trainer_free(b);
    pargnn_trainer_free(c);
}

/* A trainer with cfg resuming from path is refused with a message naming flag. */
static void check_resume_refused(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                 const char *path, const char *flag) {
    pargnn_trainer_t *wrong = NULL;
    CHECK_STATUS(pargnn_trainer_create(ds, cfg, &wrong), PARGNN_STATUS_OK, NULL);
    if (wrong) CHECK_STATUS(pargnn_trainer_resume(wrong, path), PARGNN_STATUS_MISMATCH, flag);
    pargnn_trainer_free(wrong);
}

/* predict from the checkpoint at path gives a row of 4 class probabilities per node. */
static void check_predicts(const pargnn_dataset_t *ds, const char *path) {
    float *probs = NULL;
    int32_t C = 0;
    CHECK_STATUS(pargnn_predict(path, ds, 0, &probs, &C), PARGNN_STATUS_OK, NULL);
    CHECK(C == 4 && probs);
    free(probs);
}

/* Trains cfg.epochs straight, and `split` epochs saved to path then resumed up to
 * cfg.epochs: the loss curves, best epoch and test accuracy must be identical. The
 * checkpoint at path stays for the caller's further checks. */
static void check_resume_equivalence(const pargnn_dataset_t *ds, pargnn_config cfg, int32_t split,
                                     const char *path, const char *tag) {
    const int32_t total = cfg.epochs;
    pargnn_trainer_t *full = pg_test_train(ds, &cfg, NULL);
    cfg.epochs = split;
    pargnn_trainer_t *half = pg_test_train(ds, &cfg, NULL);
    pargnn_trainer_t *rest = NULL;
    if (full && half) {
        CHECK_STATUS(pargnn_trainer_save(half, path), PARGNN_STATUS_OK, NULL);
        CHECK(access(path, F_OK) == 0);
        cfg.epochs = total;
        CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &rest), PARGNN_STATUS_OK, NULL);
    }
    if (rest) {
        CHECK_STATUS(pargnn_trainer_resume(rest, path), PARGNN_STATUS_OK, NULL);
        CHECK_STATUS(pargnn_trainer_run(rest, NULL, NULL), PARGNN_STATUS_OK, NULL);
        pargnn_result rf, rr;
        pargnn_trainer_result(full, &rf);
        pargnn_trainer_result(rest, &rr);
        int same = rf.epochs_run == total && rr.epochs_run == total;
        for (int e = 0; same && e < total; e++) same = rf.loss_curve[e] == rr.loss_curve[e];
        CHECK_MSG(same, "%s: resumed run's loss curve differs from the straight run", tag);
        CHECK(rf.best_epoch == rr.best_epoch && rf.test_acc == rr.test_acc);
    }
    pargnn_trainer_free(full);
    pargnn_trainer_free(half);
    pargnn_trainer_free(rest);
}

static void test_resume(const pargnn_dataset_t *ds, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/half.ckpt", dir);
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 40;
    check_resume_equivalence(ds, cfg, 17, path, "gcn");
    pargnn_config stored;
    CHECK_STATUS(pargnn_checkpoint_read_config(path, &stored), PARGNN_STATUS_OK, NULL);
    CHECK(stored.epochs == 17 && stored.hidden == cfg.hidden && stored.dropout == cfg.dropout);

    /* Predictions come from the best weights and are probability rows. */
    float *probs = NULL;
    int32_t C = 0;
    CHECK_STATUS(pargnn_predict(path, ds, 0, &probs, &C), PARGNN_STATUS_OK, NULL);
    CHECK(C == 4 && probs);
    double worst = 0;
    for (int64_t i = 0; probs && i < 1200; i++) {
        double s = 0;
        for (int c = 0; c < C; c++) s += probs[i * C + c];
        worst = fmax(worst, fabs(s - 1));
    }
    CHECK_MSG(worst < 1e-4, "probability rows sum off by %g", worst);
    free(probs);

    /* A different hyperparameter is refused, naming the flag. */
    pargnn_config other = cfg;
    other.hidden = 32;
    check_resume_refused(ds, &other, path, "--hidden");

    /* Another dataset shape is refused. */
    pargnn_dataset_t *ds2 = pg_test_sbm(2000, 20, 8, 0.8, 0);
    check_resume_refused(ds2, &cfg, path, "features");
    CHECK_STATUS(pargnn_predict(path, ds2, 0, &probs, &C), PARGNN_STATUS_MISMATCH, "features");
    pargnn_dataset_free(ds2);

    /* Truncated, corrupted, foreign and missing files are refused with a clear message. */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)len);
    CHECK(fread(bytes, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    char bad[4096];
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    pargnn_config junk;
    f = fopen(bad, "wb");
    fwrite(bytes, 1, (size_t)len / 2, f);
    fclose(f);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_CORRUPT, "bad.ckpt");
    bytes[len / 3] ^= 0x40;
    f = fopen(bad, "wb");
    fwrite(bytes, 1, (size_t)len, f);
    fclose(f);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_CORRUPT, "checksum");
    bytes[len / 3] ^= 0x40;
    bytes[8] = 99; /* version */
    f = fopen(bad, "wb");
    fwrite(bytes, 1, (size_t)len, f);
    fclose(f);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_CORRUPT, "version");
    f = fopen(bad, "wb");
    fputs("hello, not a checkpoint\n", f);
    fclose(f);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_CORRUPT, "magic");
    f = fopen(bad, "wb");
    fclose(f);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_CORRUPT, "bad.ckpt");
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    CHECK_STATUS(pargnn_checkpoint_read_config(bad, &junk), PARGNN_STATUS_IO, "missing.ckpt");
    /* Saving into a folder that does not exist fails without leaving anything. */
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.ckpt", dir);
    cfg.epochs = 2;
    pargnn_trainer_t *small = pg_test_train(ds, &cfg, NULL);
    if (small) CHECK_STATUS(pargnn_trainer_save(small, bad), PARGNN_STATUS_IO, "x.ckpt");
    pargnn_trainer_free(small);
    free(bytes);
}

static void test_homophily_matters(void) {
    /* At homophily 1/C the graph carries no class signal: GCN accuracy must fall well
     * below the homophilous graph's (proof that the aggregation is used, not only features). */
    double acc[2];
    for (int k = 0; k < 2; k++) {
        pargnn_dataset_t *ds = pg_test_sbm(1200, 48, 12, k == 0 ? 0.95 : 0.25, 0);
        pargnn_config cfg;
        pargnn_config_default(&cfg);
        cfg.epochs = 100;
        pargnn_result r;
        pargnn_trainer_t *tr = ds ? pg_test_train(ds, &cfg, &r) : NULL;
        acc[k] = tr ? r.test_acc : 0;
        pargnn_trainer_free(tr);
        pargnn_dataset_free(ds);
    }
    CHECK_MSG(acc[0] > acc[1] + 0.15, "homophily 0.95: %.3f, 0.25: %.3f", acc[0], acc[1]);
}

/* GraphSAGE, GIN and GAT learn the planted classes (4 classes: chance is 0.25). */
static void test_models_learn(const pargnn_dataset_t *ds) {
    const pargnn_model_kind kinds[4] = {PARGNN_MODEL_SAGE, PARGNN_MODEL_GIN, PARGNN_MODEL_GIN,
                                        PARGNN_MODEL_GAT};
    for (int k = 0; k < 4; k++) {
        pargnn_config cfg;
        pargnn_config_default(&cfg);
        cfg.model = kinds[k];
        cfg.gin_train_eps = k == 2;
        if (kinds[k] == PARGNN_MODEL_GAT) cfg.heads = 4, cfg.hidden = 8, cfg.attn_dropout = 0.3;
        cfg.epochs = 100;
        pargnn_result r;
        pargnn_trainer_t *tr = pg_test_train(ds, &cfg, &r);
        if (!tr) continue;
        printf("%s%s: test acc %.3f, loss %.3f -> %.3f\n", pargnn_model_name(cfg.model),
               k == 2 ? " (eps learned)" : "", r.test_acc, r.loss_curve[0], r.loss_curve[99]);
        CHECK_MSG(r.test_acc > 0.7, "%s: test acc %.3f on an SBM with homophily 0.9",
                  pargnn_model_name(cfg.model), r.test_acc);
        CHECK_MSG(r.loss_curve[99] < 0.7 * r.loss_curve[0], "%s: loss %.3f -> %.3f",
                  pargnn_model_name(cfg.model), r.loss_curve[0], r.loss_curve[99]);
        pargnn_trainer_free(tr);
    }
}

/* Resume equivalence and predict for GIN with a learned eps (the eps is in the parameter
 * buffer, its moments in Adam's); the model and eps mode are stored and checked. */
static void test_resume_gin(const pargnn_dataset_t *ds, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/gin.ckpt", dir);
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_GIN;
    cfg.gin_train_eps = 1;
    cfg.epochs = 30;
    check_resume_equivalence(ds, cfg, 13, path, "gin");
    pargnn_config stored;
    CHECK_STATUS(pargnn_checkpoint_read_config(path, &stored), PARGNN_STATUS_OK, NULL);
    CHECK(stored.model == PARGNN_MODEL_GIN && stored.gin_train_eps == 1);
    check_predicts(ds, path);
    /* another model, or GIN with a fixed eps, is refused naming the flag */
    pargnn_config other = cfg;
    other.model = PARGNN_MODEL_SAGE;
    other.gin_train_eps = 0;
    check_resume_refused(ds, &other, path, "--model");
    other.model = PARGNN_MODEL_GIN;
    check_resume_refused(ds, &other, path, "--gin-eps");
}

/* GAT: resume equivalence (attention dropout draws keyed by epoch), predict, and the
 * heads stored and checked. */
static void test_resume_gat(const pargnn_dataset_t *ds, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/gat.ckpt", dir);
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_GAT;
    cfg.heads = 3, cfg.out_heads = 2, cfg.hidden = 6, cfg.attn_dropout = 0.4, cfg.message_dropout = 0.3;
    cfg.epochs = 24;
    check_resume_equivalence(ds, cfg, 11, path, "gat");
    pargnn_config stored;
    CHECK_STATUS(pargnn_checkpoint_read_config(path, &stored), PARGNN_STATUS_OK, NULL);
    CHECK(stored.model == PARGNN_MODEL_GAT && stored.heads == 3 && stored.out_heads == 2 &&
          stored.attn_dropout == 0.4);
    check_predicts(ds, path);
    pargnn_config other = cfg;
    other.heads = 2;
    check_resume_refused(ds, &other, path, "--heads");
    other = cfg;
    other.message_dropout = 0;
    check_resume_refused(ds, &other, path, "--message-dropout");
}

/* Deeper models: batch norm's running statistics live in the parameter buffer (carried by
 * checkpoints, untouched by Adam), so resume stays exact; SAGE with L2-normalised outputs,
 * layer norm and residuals learns. */
static void test_norm_residual(const pargnn_dataset_t *ds, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/bn.ckpt", dir);
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.layers = 3, cfg.hidden = 24, cfg.norm = PARGNN_NORM_BATCH, cfg.residual = 1;
    cfg.epochs = 20;
    check_resume_equivalence(ds, cfg, 9, path, "gcn batch norm");
    check_predicts(ds, path);
    pargnn_config other = cfg;
    other.norm = PARGNN_NORM_LAYER;
    check_resume_refused(ds, &other, path, "--norm");
    other = cfg;
    other.residual = 0;
    check_resume_refused(ds, &other, path, "--residual");
    /* GIN with batch norm inside its MLP: running statistics of the MLP's norm carried too */
    snprintf(path, sizeof path, "%s/gin_bn.ckpt", dir);
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_GIN, cfg.gin_mlp_norm = PARGNN_NORM_BATCH, cfg.layers = 3;
    cfg.hidden = 16, cfg.epochs = 20;
    check_resume_equivalence(ds, cfg, 9, path, "gin mlp batch norm");
    check_predicts(ds, path);
    pargnn_config stored;
    CHECK_STATUS(pargnn_checkpoint_read_config(path, &stored), PARGNN_STATUS_OK, NULL);
    CHECK(stored.gin_mlp_norm == PARGNN_NORM_BATCH);
    other = cfg;
    other.gin_mlp_norm = PARGNN_NORM_NONE;
    check_resume_refused(ds, &other, path, "--gin-mlp-norm");
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_SAGE, cfg.sage_normalize = 1, cfg.norm = PARGNN_NORM_LAYER;
    cfg.layers = 3, cfg.hidden = 24, cfg.residual = 1, cfg.epochs = 100;
    pargnn_result r;
    pargnn_trainer_t *tr = pg_test_train(ds, &cfg, &r);
    if (tr) {
        printf("sage, L2, layer norm, residual: test acc %.3f\n", r.test_acc);
        CHECK_MSG(r.test_acc > 0.7, "sage with L2, layer norm, residual: test acc %.3f", r.test_acc);
    }
    pargnn_trainer_free(tr);
}

static void test_bad_config(const pargnn_dataset_t *ds) {
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    pargnn_trainer_t *tr = NULL;
    cfg.dropout = 1.0;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--dropout");
    pargnn_config_default(&cfg);
    cfg.layers = 0;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--layers");
    pargnn_config_default(&cfg);
    cfg.lr = -1;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--lr");
    CHECK(tr == NULL);
    pargnn_config_default(&cfg);
    cfg.gin_train_eps = 1; /* with GCN */
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--gin-eps");
    pargnn_config_default(&cfg);
    cfg.sage_normalize = 1; /* with GCN */
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--sage-normalize");
    pargnn_config_default(&cfg);
    cfg.norm = (pargnn_norm)5;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--norm");
    pargnn_config_default(&cfg);
    cfg.gin_mlp_norm = PARGNN_NORM_BATCH; /* with GCN */
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--gin-mlp-norm");
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_GIN, cfg.gin_mlp_norm = (pargnn_norm)3;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--gin-mlp-norm");
    pargnn_config_default(&cfg);
    cfg.init = (pargnn_init)2;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--init");
    pargnn_config_default(&cfg);
    cfg.heads = 4; /* with GCN */
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--heads");
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_GAT;
    cfg.attn_dropout = 1;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--attn-dropout");
    cfg.attn_dropout = 0;
    cfg.out_heads = 0;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--out-heads");
    pargnn_config_default(&cfg);
    cfg.model = (pargnn_model_kind)7;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_INVALID_ARGUMENT, "--model");
    CHECK(tr == NULL);
    /* A learning rate that blows up is reported, not silently continued. */
    pargnn_config_default(&cfg);
    cfg.lr = 1e30;
    cfg.epochs = 20;
    CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_OK, NULL);
    CHECK_STATUS(pargnn_trainer_run(tr, NULL, NULL), PARGNN_STATUS_NUMERIC, "epoch");
    pargnn_trainer_free(tr);
}

/* Largest |x| over n values. */
static double max_abs(const pg_real *x, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fabs((double)x[i]) > m ? fabs((double)x[i]) : m;
    return m;
}

/* Checks that (n) values at x lie in U(+-a) and fill it: the largest is above the level
 * all n uniform draws stay under with probability 1e-3. a == 0: all zero. */
static void check_uniform(const pg_real *x, int64_t n, double a, const char *what) {
    const double m = max_abs(x, n);
    if (a == 0) CHECK_MSG(m == 0, "%s: max |x| %g, expected all zero", what, m);
    else CHECK_MSG(m <= a * (1 + 1e-6) && m > a * pow(1e-3, 1.0 / (double)n), "%s: max |x| %g, expected U(+-%g)", what, m, a);
}

/* --init: pyg draws SAGE's and GIN's linear maps and biases U(+-1/sqrt(fan_in)) (as
 * torch.nn.Linear), glorot draws every matrix Glorot-uniform with zero biases; GCN and GAT
 * start the same under both. The choice is stored in checkpoints and checked on resume. */
static void test_init(const pargnn_dataset_t *ds, const char *dir) {
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.hidden = 32;
    const int64_t F = 48, C = 8;
    for (int model = PARGNN_MODEL_GCN; model <= PARGNN_MODEL_GAT; model++) {
        pg_net g, p;
        cfg.model = (pargnn_model_kind)model;
        cfg.init = PARGNN_INIT_GLOROT;
        CHECK_STATUS(pg_net_init(&g, &cfg, F, C, 0, pg_backend_cpu()), PARGNN_STATUS_OK, NULL);
        cfg.init = PARGNN_INIT_PYG;
        CHECK_STATUS(pg_net_init(&p, &cfg, F, C, 0, pg_backend_cpu()), PARGNN_STATUS_OK, NULL);
        const int same = g.num_params == p.num_params &&
                         memcmp(g.params, p.params, (size_t)g.num_params * sizeof(pg_real)) == 0;
        const char *name = pargnn_model_name(cfg.model);
        if (model == PARGNN_MODEL_GCN || model == PARGNN_MODEL_GAT) {
            CHECK_MSG(same, "%s: --init pyg changed the initial weights (GCNConv/GATConv are Glorot)", name);
        } else {
            CHECK_MSG(!same, "%s: --init pyg gave Glorot's weights", name);
            for (int32_t l = 0; l < p.num_layers; l++) {
                const pg_layer *ly = &p.layers[l];
                const int64_t w = ly->mid > 0 ? ly->mid : ly->fout;
                const double a = 1 / sqrt((double)ly->fin), ag = sqrt(6.0 / (double)(ly->fin + w));
                char what[96];
                snprintf(what, sizeof what, "%s layer %d pyg W", name, (int)l);
                check_uniform(p.params + ly->w_off, ly->fin * w, a, what);
                snprintf(what, sizeof what, "%s layer %d pyg bias", name, (int)l);
                check_uniform(p.params + ly->b_off, w, a, what);
                snprintf(what, sizeof what, "%s layer %d glorot W", name, (int)l);
                check_uniform(g.params + ly->w_off, ly->fin * w, ag, what);
                snprintf(what, sizeof what, "%s layer %d glorot bias", name, (int)l);
                check_uniform(g.params + ly->b_off, w, 0, what);
                if (ly->ws_off >= 0) {
                    snprintf(what, sizeof what, "%s layer %d pyg W_self", name, (int)l);
                    check_uniform(p.params + ly->ws_off, ly->fin * ly->fout, a, what);
                }
                if (ly->w2_off >= 0) {
                    const double a2 = 1 / sqrt((double)ly->mid);
                    snprintf(what, sizeof what, "%s layer %d pyg W2", name, (int)l);
                    check_uniform(p.params + ly->w2_off, ly->mid * ly->fout, a2, what);
                    snprintf(what, sizeof what, "%s layer %d pyg bias2", name, (int)l);
                    check_uniform(p.params + ly->b2_off, ly->fout, a2, what);
                }
            }
        }
        pg_net_free(&g);
        pg_net_free(&p);
    }
    /* stored and refused on resume; and it trains */
    char path[4096];
    snprintf(path, sizeof path, "%s/init.ckpt", dir);
    pargnn_config_default(&cfg);
    cfg.model = PARGNN_MODEL_SAGE, cfg.init = PARGNN_INIT_PYG, cfg.epochs = 20;
    check_resume_equivalence(ds, cfg, 11, path, "sage --init pyg");
    pargnn_config stored;
    CHECK_STATUS(pargnn_checkpoint_read_config(path, &stored), PARGNN_STATUS_OK, NULL);
    CHECK(stored.init == PARGNN_INIT_PYG);
    pargnn_config other = cfg;
    other.init = PARGNN_INIT_GLOROT;
    check_resume_refused(ds, &other, path, "--init");
}

/* Any thread count gives the same bits (ops/cpu.c cuts work by shape, not by thread):
 * every model's loss curve and test accuracy on 1, 2 and 3 threads, equal exactly. Hidden
 * 64 on 10,000 nodes so that the GEMMs take their row and k splits, the sparse features
 * (9% dense) spmm_t's private copies, and GAT, the norms and the bias gradients their
 * blocked sums. */
static void test_threads_same_bits(void) {
    pargnn_dataset_t *ds = pg_test_sbm(10000, 32, 6, 0.8, 3);
    if (!ds) return;
    struct { pargnn_model_kind model; int layers; pargnn_norm norm, mlp_norm; int repro; const char *name; } cases[] = {
        {PARGNN_MODEL_GCN, 2, PARGNN_NORM_NONE, PARGNN_NORM_NONE, 0, "gcn"},
        {PARGNN_MODEL_SAGE, 3, PARGNN_NORM_BATCH, PARGNN_NORM_NONE, 0, "sage, batch norm"},
        {PARGNN_MODEL_GIN, 2, PARGNN_NORM_NONE, PARGNN_NORM_BATCH, 0, "gin, MLP batch norm"},
        {PARGNN_MODEL_GAT, 2, PARGNN_NORM_NONE, PARGNN_NORM_NONE, 0, "gat"},
        {PARGNN_MODEL_GIN, 3, PARGNN_NORM_LAYER, PARGNN_NORM_LAYER, 0, "gin, layer norms"},
        {PARGNN_MODEL_SAGE, 3, PARGNN_NORM_BATCH, PARGNN_NORM_NONE, 1, "sage, batch norm, reproducible"},
        {PARGNN_MODEL_GAT, 2, PARGNN_NORM_NONE, PARGNN_NORM_NONE, 1, "gat, reproducible"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pargnn_config cfg;
        pargnn_config_default(&cfg);
        cfg.model = cases[c].model, cfg.layers = cases[c].layers, cfg.norm = cases[c].norm;
        cfg.gin_mlp_norm = cases[c].mlp_norm, cfg.reproducible = cases[c].repro;
        cfg.epochs = 8, cfg.hidden = 64, cfg.threads = 1;
        if (cfg.model == PARGNN_MODEL_GAT) cfg.heads = 2, cfg.hidden = 16, cfg.attn_dropout = 0.3;
        pargnn_result base;
        pargnn_trainer_t *t1 = pg_test_train(ds, &cfg, &base);
        for (int th = 2; t1 && th <= 3; th++) {
            cfg.threads = th;
            pargnn_result r;
            pargnn_trainer_t *t = pg_test_train(ds, &cfg, &r);
            if (!t) continue;
            int same = r.epochs_run == base.epochs_run && r.test_acc == base.test_acc;
            for (int e = 0; same && e < r.epochs_run; e++) same = r.loss_curve[e] == base.loss_curve[e];
            CHECK_MSG(same, "%s: %d threads give other bits than 1 (test acc %g against %g)",
                      cases[c].name, th, r.test_acc, base.test_acc);
            pargnn_trainer_free(t);
        }
        if (t1 && cfg.reproducible) { /* the same model as without: only the last bits move */
            cfg.reproducible = 0, cfg.threads = 1;
            pargnn_result r;
            pargnn_trainer_t *t = pg_test_train(ds, &cfg, &r);
            double worst = 0;
            for (int e = 0; t && e < r.epochs_run && e < base.epochs_run; e++)
                worst = fmax(worst, fabs(r.loss_curve[e] - base.loss_curve[e]) / fabs(base.loss_curve[e]));
            CHECK_MSG(t && r.epochs_run == base.epochs_run && worst < 1e-4,
                      "%s: loss curve %g from the default mode's", cases[c].name, worst);
            pargnn_trainer_free(t);
        }
        pargnn_trainer_free(t1);
    }
    pargnn_dataset_free(ds);
}

/* --reorder renumbers the nodes but keeps dropout keyed by the original ids: every order
 * gives the one-process loss curve up to summation order, and the same test accuracy.
 * 10,000 nodes: --reorder metis cuts them into 3 clusters. */
static void test_reorder_same_result(void) {
    pargnn_dataset_t *ds = pg_test_sbm(10000, 32, 6, 0.8, 3);
    if (!ds) return;
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 15, cfg.hidden = 24, cfg.threads = 1;
    pargnn_result base;
    pargnn_trainer_t *t0 = pg_test_train(ds, &cfg, &base);
    for (int ro = PARGNN_REORDER_DEGREE; t0 && ro <= PARGNN_REORDER_METIS; ro++) {
        cfg.reorder = (pargnn_reorder)ro;
        pargnn_result r;
        pargnn_trainer_t *t = pg_test_train(ds, &cfg, &r);
        if (!t) continue;
        double worst = 0;
        for (int e = 0; e < cfg.epochs; e++) {
            const double d = fabs(r.loss_curve[e] - base.loss_curve[e]) / fabs(base.loss_curve[e]);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(r.epochs_run == base.epochs_run && worst < 1e-5 && r.test_acc == base.test_acc,
                  "--reorder %d: loss curve off by %g relative, test acc %g against %g", ro, worst,
                  r.test_acc, base.test_acc);
        pargnn_trainer_free(t);
    }
    pargnn_trainer_free(t0);
    pargnn_dataset_free(ds);
}

int main(void) {
    const char *dir = pg_test_tmpdir();
    pargnn_dataset_t *ds = pg_test_sbm(1200, 48, 8, 0.9, 0);
    if (!ds) return pg_test_finish();
    test_learns(ds);
    test_deterministic(ds);
    test_resume(ds, dir);
    test_models_learn(ds);
    test_resume_gin(ds, dir);
    test_resume_gat(ds, dir);
    test_norm_residual(ds, dir);
    test_init(ds, dir);
    test_bad_config(ds);
    test_homophily_matters();
    test_reorder_same_result();
    test_threads_same_bits();
    pargnn_dataset_free(ds);
    return pg_test_finish();
}
