/*
 * Finite-difference gradient checks in double precision (this test links the library
 * built with pg_real = double): every op's backward rule, then whole GCN, GraphSAGE and GIN
 * models of several shapes (sparse and dense input, both product orders, dropout on, GIN's
 * eps fixed and learned) on random graphs, undirected and directed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "io/load.h"
#include "nn/net.h"
#include "testutil.h"

_Static_assert(sizeof(pg_real) == 8, "gradient checks need the double build");

static unsigned long long rs = 99;
static pg_real *rnd(int64_t n) {
    pg_real *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    for (int64_t k = 0; k < n; k++) p[k] = pg_test_uniform(&rs, -1, 1);
    return p;
}
static double dot(const pg_real *a, const pg_real *b, int64_t n) {
    double s = 0;
    for (int64_t k = 0; k < n; k++) s += a[k] * b[k];
    return s;
}
static double rel_err(double a, double b) { return fabs(a - b) / fmax(1e-7, fabs(a) + fabs(b)); }

/* The model under test; SAGE and GIN take the raw structure (values 1), SAGE with the
 * mean's row scales 1 / row length. */
static pargnn_model_kind cur_model = PARGNN_MODEL_GCN;
static int cur_learn_eps;
static int cur_heads = 1, cur_out_heads = 1; /* GAT */
static double cur_attn_dropout, cur_msg_dropout;
static pargnn_norm cur_norm, cur_mlp_norm; /* epilogues; GIN's MLP */
static int cur_residual, cur_sage_normalize;
static int cur_reproducible; /* --reproducible: gradients summed in double, then rounded */
static pg_real mean_scale[64];
static void model_operator(pg_csr *a, pg_csr *out) {
    if (cur_model == PARGNN_MODEL_GCN || cur_model == PARGNN_MODEL_GAT) {
        pg_model_operator(cur_model, a, out); /* GAT: A + I, values unused */
        return;
    }
    pg_adj_structure(a, out);
    for (int64_t i = 0; i < out->nrows; i++) {
        int64_t d = out->rowptr[i + 1] - out->rowptr[i];
        mean_scale[i] = d > 0 ? 1.0 / (double)d : 0;
    }
}

/* A random symmetric graph normalised for the model (GCN: with self-loops). */
static pg_csr rand_graph(int64_t n, int64_t m) {
    int32_t *s = malloc((size_t)m * sizeof *s), *d = malloc((size_t)m * sizeof *d);
    for (int64_t e = 0; e < m; e++) {
        s[e] = (int32_t)pg_test_uniform(&rs, 0, (double)n);
        d[e] = (int32_t)pg_test_uniform(&rs, 0, (double)n);
    }
    pg_csr a, h;
    pg_csr_from_undirected(n, m, s, d, &a);
    model_operator(&a, &h);
    pg_csr_free(&a);
    free(s), free(d);
    return h;
}

/* check_model on a random directed graph (rows are destinations, as an edge list loads
 * it): A_hat is not symmetric, so backward must use spmm_t. */
static int use_directed;
static pg_csr rand_digraph(int64_t n, int64_t m) {
    int32_t *s = malloc((size_t)m * sizeof *s), *d = malloc((size_t)m * sizeof *d);
    for (int64_t e = 0; e < m; e++) {
        s[e] = (int32_t)pg_test_uniform(&rs, 0, (double)n);
        d[e] = (int32_t)pg_test_uniform(&rs, 0, (double)n);
    }
    pg_csr a, h;
    pg_csr_from_directed(n, m, s, d, &a);
    model_operator(&a, &h);
    int64_t asym = 0; /* entries whose transpose is absent: the case is really directed */
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = h.rowptr[i]; e < h.rowptr[i + 1]; e++) {
            int found = 0;
            for (int64_t f = h.rowptr[h.col[e]]; f < h.rowptr[h.col[e] + 1]; f++)
                found |= h.col[f] == i;
            asym += !found;
        }
    CHECK_MSG(asym > m / 2, "directed test graph has only %lld one-way entries", (long long)asym);
    pg_csr_free(&a);
    free(s), free(d);
    return h;
}

/* Checks d<R, f(x)>/dx against analytic g at a few coordinates by central differences. */
typedef void (*fn_t)(void *ctx, const pg_real *x, pg_real *out);
static void check_op(const char *name, fn_t f, void *ctx, pg_real *x, int64_t nx, int64_t nout,
                     const pg_real *analytic) {
    pg_real *R = rnd(nout), *out = malloc((size_t)nout * sizeof *out);
    (void)R;
    double worst = 0;
    const double h = 1e-6;
    for (int64_t t = 0; t < (nx < 24 ? nx : 24); t++) {
        int64_t k = nx < 24 ? t : (int64_t)pg_test_uniform(&rs, 0, (double)nx);
        pg_real keep = x[k];
        x[k] = keep + h;
        f(ctx, x, out);
        double lp = dot(out, ((pg_real **)ctx)[0], nout);
        x[k] = keep - h;
        f(ctx, x, out);
        double lm = dot(out, ((pg_real **)ctx)[0], nout);
        x[k] = keep;
        double fd = (lp - lm) / (2 * h);
        worst = fmax(worst, rel_err(fd, analytic[k]));
    }
    CHECK_MSG(worst < 1e-6, "%s: worst relative error %g", name, worst);
    free(R), free(out);
}

/* ctx layouts: first pointer is always the upstream gradient R. */
typedef struct { pg_real *R; const pg_csr *S; int64_t f; } spmm_ctx;
static void f_spmm(void *c, const pg_real *x, pg_real *out) {
    spmm_ctx *s = c;
    pg_backend_ref()->spmm(s->S, x, s->f, 0, out);
}
typedef struct { pg_real *R; const pg_real *other; int64_t m, n, k; int wrt_b; } gemm_ctx;
static void f_gemm(void *c, const pg_real *x, pg_real *out) {
    gemm_ctx *g = c;
    const pg_real *A = g->wrt_b ? g->other : x, *B = g->wrt_b ? x : g->other;
    pg_backend_ref()->gemm(0, 0, g->m, g->n, g->k, 1, A, g->k, B, g->n, 0, out, g->n);
}
typedef struct { pg_real *R; int64_t n, f; pg_dropout_key key; } ew_ctx;
static void f_relu(void *c, const pg_real *x, pg_real *out) {
    ew_ctx *e = c;
    memcpy(out, x, (size_t)(e->n * e->f) * sizeof *out);
    pg_relu(out, e->n * e->f);
}
static void f_bias(void *c, const pg_real *x, pg_real *out) {
    ew_ctx *e = c;
    memset(out, 0, (size_t)(e->n * e->f) * sizeof *out);
    pg_bias_add(out, e->n, e->f, x);
}
static void f_dropout(void *c, const pg_real *x, pg_real *out) {
    ew_ctx *e = c;
    pg_dropout_dense(&e->key, x, out, e->n, e->f, 0, NULL);
}

static void test_ops(void) {
    const int64_t n = 30, f = 5;
    pg_csr A = rand_graph(n, 70);
    /* spmm: d<R, S X>/dX = S^T R */
    spmm_ctx sc = {rnd(n * f), &A, f};
    pg_real *X = rnd(n * f), *g = malloc((size_t)(n * f) * sizeof *g);
    pg_backend_ref()->spmm_t(&A, sc.R, f, 0, g);
    check_op("spmm", f_spmm, &sc, X, n * f, n * f, g);
    /* gemm: C = A B; dA = R B^T, dB = A^T R (through the cpu backend's transposes) */
    const int64_t m = 6, k = 4, nn = 3;
    pg_real *Am = rnd(m * k), *Bm = rnd(k * nn), *dA = rnd(m * k), *dB = rnd(k * nn);
    gemm_ctx gc = {rnd(m * nn), Bm, m, nn, k, 0};
    pg_backend_cpu()->gemm(0, 1, m, k, nn, 1, gc.R, nn, Bm, nn, 0, dA, k);
    check_op("gemm dA", f_gemm, &gc, Am, m * k, m * nn, dA);
    gc.other = Am;
    gc.wrt_b = 1;
    pg_backend_cpu()->gemm(1, 0, k, nn, m, 1, Am, k, gc.R, nn, 0, dB, nn);
    check_op("gemm dB", f_gemm, &gc, Bm, k * nn, m * nn, dB);
    /* relu, bias, dropout */
    ew_ctx ec = {rnd(n * f), n, f, {3, 1, 0, 0.4}};
    pg_real *Y = malloc((size_t)(n * f) * sizeof *Y);
    f_relu(&ec, X, Y);
    memcpy(g, ec.R, (size_t)(n * f) * sizeof *g);
    pg_relu_backward(g, Y, n * f);
    check_op("relu", f_relu, &ec, X, n * f, n * f, g);
    pg_real *b = rnd(f), *db = rnd(f);
    pg_bias_grad(ec.R, n, f, db);
    check_op("bias", f_bias, &ec, b, f, n * f, db);
    pg_dropout_dense(&ec.key, ec.R, g, n, f, 0, NULL);
    check_op("dropout", f_dropout, &ec, X, n * f, n * f, g);
    /* softmax cross-entropy: the loss itself is the scalar */
    const int64_t c = 4;
    pg_real *Z = rnd(n * c), *dZ = malloc((size_t)(n * c) * sizeof *dZ);
    int32_t y[30], rows[10];
    for (int i = 0; i < 30; i++) y[i] = i % 4;
    for (int i = 0; i < 10; i++) rows[i] = 3 * i;
    pg_softmax_xent(Z, n, c, y, rows, 10, 10, dZ);
    double worst = 0;
    for (int64_t q = 0; q < n * c; q++) {
        pg_real keep = Z[q];
        Z[q] = keep + 1e-6;
        double lp = pg_softmax_xent(Z, n, c, y, rows, 10, 10, NULL);
        Z[q] = keep - 1e-6;
        double lm = pg_softmax_xent(Z, n, c, y, rows, 10, 10, NULL);
        Z[q] = keep;
        worst = fmax(worst, fabs((lp - lm) / 2e-6 - dZ[q]));
    }
    CHECK_MSG(worst < 1e-8, "softmax_xent: worst abs error %g", worst);
    free(sc.R), free(X), free(g), free(Am), free(Bm), free(dA), free(dB), free(gc.R), free(ec.R);
    free(Y), free(b), free(db), free(Z), free(dZ);
    pg_csr_free(&A);
}

/* Whole model: loss(params) by forward + softmax_xent, gradient by backward. */
static void check_model(const char *name, int layers, int hidden, int64_t fin, int sparse,
                        double dropout) {
    const int64_t n = 40, C = 3;
    pg_csr A = use_directed ? rand_digraph(n, 90) : rand_graph(n, 90);
    pg_real *Xd = rnd(n * fin);
    pg_csr Xs = {0};
    if (sparse) { /* keep about a quarter of the entries */
        Xs.nrows = n, Xs.ncols = fin;
        Xs.rowptr = malloc((size_t)(n + 1) * sizeof(int64_t));
        Xs.col = malloc((size_t)(n * fin) * sizeof(int32_t));
        Xs.val = malloc((size_t)(n * fin) * sizeof(pg_real));
        int64_t k = 0;
        Xs.rowptr[0] = 0;
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < fin; j++)
                if (pg_test_uniform(&rs, 0, 1) < 0.25) Xs.col[k] = (int32_t)j, Xs.val[k++] = Xd[i * fin + j];
            Xs.rowptr[i + 1] = k;
        }
        Xs.nnz = k;
    }
    pg_input x = {sparse, n, fin, sparse ? NULL : Xd, sparse ? &Xs : NULL};
    pg_graph g = {.adj = &A, .symmetric = !use_directed,
                  .lscale = cur_model == PARGNN_MODEL_SAGE ? mean_scale : NULL};
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.layers = layers, cfg.hidden = hidden, cfg.dropout = dropout, cfg.seed = 5;
    cfg.model = cur_model, cfg.gin_train_eps = cur_learn_eps;
    if (cur_model == PARGNN_MODEL_GAT)
        cfg.heads = cur_heads, cfg.out_heads = cur_out_heads, cfg.attn_dropout = cur_attn_dropout,
        cfg.message_dropout = cur_msg_dropout;
    cfg.norm = cur_norm, cfg.residual = cur_residual, cfg.sage_normalize = cur_sage_normalize;
    cfg.gin_mlp_norm = cur_mlp_norm;
    cfg.reproducible = cur_reproducible;
    pg_net net;
    CHECK_STATUS(pg_net_init(&net, &cfg, fin, C, sparse, pg_backend_ref()), PARGNN_STATUS_OK, NULL);
    CHECK_STATUS(pg_net_workspace(&net, n, 0, Xs.nnz), PARGNN_STATUS_OK, NULL);
    /* nudge biases off zero so their gradients are exercised generically */
    for (int64_t k = 0; k < net.num_params; k++) net.params[k] += 0.05 * pg_test_uniform(&rs, -1, 1);
    int32_t y[40], rows[15];
    for (int i = 0; i < 40; i++) y[i] = (i * 7) % 3;
    for (int i = 0; i < 15; i++) rows[i] = i * 2 + 1;
    const uint32_t epoch = 2;
    const pg_real *Z = NULL;
    CHECK_STATUS(pg_net_forward(&net, &g, &x, 1, epoch, &Z), PARGNN_STATUS_OK, NULL);
    pg_softmax_xent(Z, n, C, y, rows, 15, 15, net.gA);
    CHECK_STATUS(pg_net_backward(&net, &g, &x, net.gA, epoch), PARGNN_STATUS_OK, NULL);
    CHECK_MSG(!cur_reproducible == !net.grads64, "model %s: double gradients %s", name,
              net.grads64 ? "present without --reproducible" : "missing");
    pg_net_round_grads(&net);
    pg_real *grad = malloc((size_t)net.num_params * sizeof *grad);
    memcpy(grad, net.grads, (size_t)net.num_params * sizeof *grad);
    double worst = 0, gmax = 0;
    int64_t checked = 0;
    const int64_t stride = 1 + net.num_params / 150;
    for (int64_t k = 0; k < net.num_params; k++) {
        int is_eps = 0; /* a learned eps is always checked */
        for (int l = 0; l < layers; l++) is_eps |= net.layers[l].eps_off == k;
        if (k % stride != 0 && !is_eps) continue;
        checked++;
        pg_real keep = net.params[k];
        net.params[k] = keep + 1e-6;
        pg_net_forward(&net, &g, &x, 1, epoch, &Z);
        double lp = pg_softmax_xent(Z, n, C, y, rows, 15, 15, NULL);
        net.params[k] = keep - 1e-6;
        pg_net_forward(&net, &g, &x, 1, epoch, &Z);
        double lm = pg_softmax_xent(Z, n, C, y, rows, 15, 15, NULL);
        net.params[k] = keep;
        double fd = (lp - lm) / 2e-6;
        /* relative, with an absolute floor for entries that are ~0 (dead units) */
        double e = fabs(fd - grad[k]) / fmax(1e-4, fabs(fd) + fabs(grad[k]));
        worst = fmax(worst, e);
        gmax = fmax(gmax, fabs(grad[k]));
    }
    CHECK_MSG(gmax > 1e-3, "model %s: gradients are all ~0 (max %g): nothing was checked", name, gmax);
    CHECK_MSG(worst < 1e-5, "model %s: worst relative error %g over %lld params", name, worst,
              (long long)checked);
    int orders = 0;
    for (int l = 0; l < layers; l++) orders |= 1 << net.layers[l].aggregate_first;
    if (cur_learn_eps)
        for (int l = 0; l < layers; l++)
            CHECK_MSG(fabs(grad[net.layers[l].eps_off]) > 1e-6, "model %s: eps of layer %d has no gradient", name, l);
    printf("%s%-4s %-34s params %5lld checked %4lld max |g| %.2e worst rel err %.2e orders %s%s\n",
           cur_reproducible ? "[reproducible] " : "", pargnn_model_name(cur_model), name, (long long)net.num_params, (long long)checked, gmax, worst, orders & 1 ? "A(HW) " : "",
           orders & 2 ? "(AH)W" : "");
    pg_net_free(&net);
    pg_csr_free(&A);
    free(Xd), free(grad);
    if (sparse) free(Xs.rowptr), free(Xs.col), free(Xs.val);
}

/* Every model and option; run once as usual and once with --reproducible, where every
 * gradient must land in the double buffer and come back rounded. */
static void check_models(void) {
    cur_model = PARGNN_MODEL_GCN, cur_learn_eps = 0, cur_heads = 1, cur_out_heads = 1;
    cur_attn_dropout = 0, cur_msg_dropout = 0, cur_norm = PARGNN_NORM_NONE;
    cur_mlp_norm = PARGNN_NORM_NONE, cur_residual = 0, cur_sage_normalize = 0;
    check_model("1 layer dense", 1, 8, 6, 0, 0.0);
    check_model("2 layers sparse, dropout", 2, 7, 12, 1, 0.5);
    check_model("2 layers dense wide hidden", 2, 16, 5, 0, 0.3);  /* (AH)W on layer 0 */
    check_model("3 layers dense, dropout", 3, 6, 9, 0, 0.5);
    check_model("4 layers sparse narrow", 4, 4, 20, 1, 0.2);
    use_directed = 1;
    check_model("directed, 2 layers dense", 2, 8, 6, 0, 0.3);
    check_model("directed, 3 layers sparse", 3, 6, 12, 1, 0.5);
    check_model("directed, (AH)W first", 2, 16, 5, 0, 0.0);
    use_directed = 0;
    cur_model = PARGNN_MODEL_SAGE;
    check_model("1 layer dense", 1, 8, 6, 0, 0.0);
    check_model("2 layers sparse, dropout", 2, 7, 12, 1, 0.5);
    check_model("2 layers dense wide hidden", 2, 16, 5, 0, 0.3);  /* mean(H) W on layer 0 */
    check_model("3 layers dense, dropout", 3, 6, 9, 0, 0.5);
    check_model("3 layers sparse, wide", 3, 12, 10, 1, 0.4);     /* (AH)W on layer 1 */
    use_directed = 1;
    check_model("directed, 2 layers sparse", 2, 8, 12, 1, 0.3);
    check_model("directed, (AH)W first", 2, 16, 5, 0, 0.0);
    use_directed = 0;
    cur_model = PARGNN_MODEL_GIN;
    for (cur_learn_eps = 0; cur_learn_eps <= 1; cur_learn_eps++) {
        const char *e = cur_learn_eps ? "eps learned" : "eps fixed";
        char nm[64];
        snprintf(nm, sizeof nm, "1 layer dense, %s", e);
        check_model(nm, 1, 8, 6, 0, 0.0);
        snprintf(nm, sizeof nm, "2 layers sparse, dropout, %s", e);
        check_model(nm, 2, 7, 12, 1, 0.5);
        snprintf(nm, sizeof nm, "2 layers dense wide hidden, %s", e);
        check_model(nm, 2, 16, 5, 0, 0.3);  /* (AH)W in layer 0 */
        snprintf(nm, sizeof nm, "3 layers dense, dropout, %s", e);
        check_model(nm, 3, 6, 9, 0, 0.5);
    }
    use_directed = 1;
    check_model("directed, 2 layers sparse, eps learned", 2, 8, 12, 1, 0.3);
    use_directed = 0;
    /* GAT: scores, softmax, attention dropout, concatenated and averaged heads, ELU */
    cur_model = PARGNN_MODEL_GAT;
    cur_learn_eps = 0;
    check_model("1 layer dense, 1 head", 1, 8, 6, 0, 0.0);
    cur_out_heads = 3;
    check_model("1 layer dense, 3 averaged heads", 1, 8, 6, 0, 0.0);
    cur_heads = 4, cur_out_heads = 1, cur_attn_dropout = 0.5;
    check_model("2 layers sparse, 4 heads, both dropouts", 2, 5, 12, 1, 0.5);
    cur_heads = 2, cur_out_heads = 2, cur_attn_dropout = 0.3;
    check_model("3 layers dense, 2+2 heads, dropouts", 3, 4, 9, 0, 0.3);
    cur_msg_dropout = 0.4;
    check_model("3 layers dense, 2+2 heads, message dropout", 3, 4, 9, 0, 0.3);
    use_directed = 1;
    check_model("directed, 2 layers, 2+2 heads, message dropout", 2, 6, 7, 0, 0.2);
    use_directed = 0;
    cur_msg_dropout = 0;
    /* Epilogues: batch and layer norm, residual connections, SAGE's L2 normalisation */
    cur_heads = 1, cur_out_heads = 1, cur_attn_dropout = 0;
    const pargnn_model_kind kinds[4] = {PARGNN_MODEL_GCN, PARGNN_MODEL_SAGE, PARGNN_MODEL_GIN,
                                        PARGNN_MODEL_GAT};
    for (int k = 0; k < 4; k++) {
        cur_model = kinds[k];
        cur_heads = cur_model == PARGNN_MODEL_GAT ? 2 : 1;
        cur_norm = PARGNN_NORM_BATCH, cur_residual = 1;
        check_model("4 layers, batch norm, residual", 4, 6, 9, 0, 0.3);
        cur_norm = PARGNN_NORM_LAYER;
        check_model("3 layers sparse, layer norm, residual", 3, 5, 12, 1, 0.2);
        cur_norm = PARGNN_NORM_NONE;
        check_model("3 layers, residual only", 3, 7, 6, 0, 0.0);
        cur_residual = 0, cur_norm = PARGNN_NORM_BATCH;
        check_model("2 layers, batch norm", 2, 8, 6, 0, 0.0);
        cur_norm = PARGNN_NORM_NONE;
    }
    /* GIN's norm inside its MLP, alone, with a learned eps, and with the layers' own */
    cur_model = PARGNN_MODEL_GIN, cur_heads = 1;
    cur_mlp_norm = PARGNN_NORM_BATCH;
    check_model("2 layers, MLP batch norm", 2, 8, 6, 0, 0.0);
    cur_learn_eps = 1;
    check_model("3 layers sparse, MLP batch norm, learned eps", 3, 5, 12, 1, 0.3);
    cur_learn_eps = 0, cur_mlp_norm = PARGNN_NORM_LAYER;
    check_model("2 layers, MLP layer norm", 2, 7, 5, 0, 0.2);
    cur_norm = PARGNN_NORM_BATCH, cur_residual = 1, cur_mlp_norm = PARGNN_NORM_BATCH;
    check_model("4 layers, MLP and layer batch norms, residual", 4, 6, 9, 0, 0.3);
    cur_norm = PARGNN_NORM_NONE, cur_residual = 0, cur_mlp_norm = PARGNN_NORM_NONE;
    cur_model = PARGNN_MODEL_SAGE, cur_heads = 1, cur_sage_normalize = 1;
    check_model("2 layers, L2-normalised", 2, 8, 6, 0, 0.3);
    cur_norm = PARGNN_NORM_BATCH, cur_residual = 1;
    check_model("4 layers, L2, batch norm, residual", 4, 6, 9, 1, 0.2);
}

int main(void) {
    test_ops();
    for (cur_reproducible = 0; cur_reproducible <= 1; cur_reproducible++) check_models();
    return pg_test_finish();
}
