/*
 * The epilogue of a layer, after its convolution: bias (none before batch norm, whose shift
 * replaces it), then on hidden layers
 *   L2 row normalisation (SAGE, --sage-normalize: y = z / max(|z|, 1e-12), as PyG's),
 *   batch or layer normalisation (--norm: xhat = (z - mean) / sqrt(var + 1e-5) with the
 *     biased variance, y = gamma xhat + beta; batch statistics over every node of the graph,
 *     summed across processes so that any process count normalises alike, and running
 *     statistics with momentum 0.1 (unbiased variance) for evaluation, as PyTorch's),
 *   the activation (ReLU; GAT: ELU),
 *   a residual connection (--residual: + the layer's input before dropout, where the
 *     widths match).
 * Without any of the optional steps it is the fused bias + activation of the first version.
 * The norm itself (pg_norm_forward/backward) also serves GIN's norm inside its MLP.
 * Column sums go through fixed row blocks: the same sums for any thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/net_internal.h"

#define NORM_EPS 1e-5
#define BN_MOMENTUM 0.1
#define L2_EPS 1e-12
#define SUM_BLOCKS 64
#define PAR_MIN 65536

static int plain(const pg_layer *ly) { return !ly->l2norm && ly->norm.kind == PARGNN_NORM_NONE && !ly->residual; }

/* The buffers of a norm over (n, s->f), when it has a kind. */
static pargnn_status norm_state(const pg_norm_site *s, int64_t n, pg_norm_state *e) {
    if (s->kind == PARGNN_NORM_NONE) return PARGNN_STATUS_OK;
    const size_t ns = s->kind == PARGNN_NORM_BATCH ? (size_t)s->f : (size_t)n + 1;
    if (!(e->xhat = pg_alloc((size_t)n * (size_t)s->f, sizeof(pg_real), "normalised values")) ||
        !(e->stat = pg_alloc(ns, sizeof(pg_real), "norm statistics")))
        return PARGNN_STATUS_NO_MEMORY;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_epilogue_workspace(pg_net *net) {
    const int32_t L = net->num_layers;
    const int64_t n = net->n;
    net->epi = calloc((size_t)L, sizeof *net->epi);
    if (!net->epi) return pg_error(PARGNN_STATUS_NO_MEMORY, "model workspace: cannot allocate");
    int any = 0, res = 0, norm = 0;
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        pg_epilogue_state *e = &net->epi[l];
        const size_t nf = (size_t)n * (size_t)ly->fout;
        const int mlp = ly->mlp_norm.kind != PARGNN_NORM_NONE;
        any |= !plain(ly) || mlp;
        res |= ly->residual;
        norm |= ly->norm.kind != PARGNN_NORM_NONE || mlp;
        if (ly->l2norm && (!(e->l2y = pg_alloc(nf, sizeof(pg_real), "normalised outputs")) ||
                           !(e->l2n = pg_alloc((size_t)n + 1, sizeof(pg_real), "row norms"))))
            return PARGNN_STATUS_NO_MEMORY;
        PG_TRY(norm_state(&ly->norm, n, &e->norm));
        PG_TRY(norm_state(&ly->mlp_norm, n, &e->mlp));
        if (ly->residual && !(e->act = pg_alloc(nf, sizeof(pg_real), "activations")))
            return PARGNN_STATUS_NO_MEMORY;
    }
    if (res && !(net->gR = pg_alloc((size_t)n * (size_t)net->max_dim, sizeof(pg_real), "residual gradients")))
        return PARGNN_STATUS_NO_MEMORY;
    if (norm && !(net->normsum = pg_alloc((size_t)(2 * net->max_dim + 1), sizeof(double), "norm sums")))
        return PARGNN_STATUS_NO_MEMORY;
    if (any && !(net->colsum = pg_alloc((size_t)SUM_BLOCKS * 2 * (size_t)net->max_dim, sizeof(double),
                                        "column sums")))
        return PARGNN_STATUS_NO_MEMORY;
    return PARGNN_STATUS_OK;
}

void pg_epilogue_free(pg_net *net) {
    if (net->epi)
        for (int32_t l = 0; l < net->num_layers; l++) {
            pg_epilogue_state *e = &net->epi[l];
            pg_free(e->l2y), pg_free(e->l2n), pg_free(e->act);
            pg_free(e->norm.xhat), pg_free(e->norm.stat), pg_free(e->mlp.xhat), pg_free(e->mlp.stat);
        }
    free(net->epi);
    net->epi = NULL;
    pg_free(net->gR);
    pg_free(net->colsum);
    pg_free(net->normsum);
    net->gR = NULL;
    net->colsum = NULL;
    net->normsum = NULL;
}

/* out[j] = sum_i A[i,j] * (B ? B[i,j] : 1), out2[j] likewise with B2 (out2 NULL: none),
 * i over n rows, summed in SUM_BLOCKS fixed row blocks then in block order. */
static void col_sums(const pg_net *net, const pg_real *A, const pg_real *B, const pg_real *B2,
                     int64_t n, int64_t f, double *out, double *out2) {
    const int64_t nb = n < SUM_BLOCKS ? (n > 0 ? n : 1) : SUM_BLOCKS;
    double *part = net->colsum; /* (nb, 2 f) */
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
    for (int64_t bk = 0; bk < nb; bk++) {
        double *p = part + bk * 2 * f, *p2 = p + f;
        memset(p, 0, (size_t)(2 * f) * sizeof(double));
        for (int64_t i = n * bk / nb; i < n * (bk + 1) / nb; i++) {
            const pg_real *a = A + i * f;
            const pg_real *b = B ? B + i * f : NULL, *b2 = B2 ? B2 + i * f : NULL;
            for (int64_t j = 0; j < f; j++) p[j] += (double)a[j] * (b ? (double)b[j] : 1.0);
            if (out2)
                for (int64_t j = 0; j < f; j++) p2[j] += (double)a[j] * (b2 ? (double)b2[j] : 1.0);
        }
    }
    for (int64_t j = 0; j < f; j++) out[j] = 0;
    if (out2)
        for (int64_t j = 0; j < f; j++) out2[j] = 0;
    for (int64_t bk = 0; bk < nb; bk++) {
        for (int64_t j = 0; j < f; j++) out[j] += part[bk * 2 * f + j];
        if (out2)
            for (int64_t j = 0; j < f; j++) out2[j] += part[bk * 2 * f + f + j];
    }
}

static pargnn_status global_sum(const pg_graph *g, double *x, int64_t count) {
    return g->ex && g->ex->sum ? g->ex->sum(g->ex->ctx, x, count) : PARGNN_STATUS_OK;
}

static void l2_forward(pg_epilogue_state *e, pg_real *Z, int64_t n, int64_t f) {
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
        pg_real *z = Z + i * f;
        double s = 0;
        for (int64_t j = 0; j < f; j++) s += (double)z[j] * (double)z[j];
        const double nrm = sqrt(s) > L2_EPS ? sqrt(s) : L2_EPS;
        e->l2n[i] = (pg_real)nrm;
        for (int64_t j = 0; j < f; j++) z[j] = (pg_real)((double)z[j] / nrm);
        memcpy(e->l2y + i * f, z, (size_t)f * sizeof(pg_real));
    }
}

/* y = z / max(|z|, eps): dz = (dy - y (y . dy)) / |z| where |z| > eps, else dy / eps. */
static void l2_backward(const pg_epilogue_state *e, pg_real *dY, int64_t n, int64_t f) {
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
        pg_real *d = dY + i * f;
        const pg_real *y = e->l2y + i * f;
        const double nrm = e->l2n[i];
        double dot = 0;
        if (nrm > L2_EPS)
            for (int64_t j = 0; j < f; j++) dot += (double)y[j] * (double)d[j];
        for (int64_t j = 0; j < f; j++) d[j] = (pg_real)(((double)d[j] - (double)y[j] * dot) / nrm);
    }
}

pargnn_status pg_norm_forward(pg_net *net, const pg_graph *g, const pg_norm_site *ns,
                              pg_norm_state *e, pg_real *Z, int training) {
    const int64_t n = net->n, f = ns->f;
    pg_real *xh = e->xhat;
    const pg_real *gamma = net->params + ns->g_off, *beta = net->params + ns->b_off;
    if (ns->kind == PARGNN_NORM_LAYER) {
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            pg_real *z = Z + i * f, *x = xh + i * f;
            double m = 0, v = 0;
            for (int64_t j = 0; j < f; j++) m += z[j];
            m /= (double)f;
            for (int64_t j = 0; j < f; j++) v += ((double)z[j] - m) * ((double)z[j] - m);
            const double rstd = 1.0 / sqrt(v / (double)f + NORM_EPS);
            e->stat[i] = (pg_real)rstd;
            for (int64_t j = 0; j < f; j++) {
                x[j] = (pg_real)(((double)z[j] - m) * rstd);
                z[j] = gamma[j] * x[j] + beta[j];
            }
        }
        return PARGNN_STATUS_OK;
    }
    /* batch: two passes (mean, then centred squares), each summed over every process */
    pg_real *rmean = net->params + ns->rm_off, *rvar = net->params + ns->rv_off;
    double *mean = net->normsum; /* workspace: no allocation per step */
    double *var = mean + f; /* f values, then the node count while summing */
    pargnn_status s = PARGNN_STATUS_OK;
    if (training) {
        col_sums(net, Z, NULL, NULL, n, f, var, NULL);
        var[f] = (double)n;
        if ((s = global_sum(g, var, f + 1))) return s; /* the sums and the node count at once */
        const double N = var[f];
        for (int64_t j = 0; j < f; j++) mean[j] = var[j] / (N > 0 ? N : 1);
        /* centred squares into xhat (scratch), summed */
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < f; j++) xh[i * f + j] = (pg_real)((double)Z[i * f + j] - mean[j]);
        col_sums(net, xh, xh, NULL, n, f, var, NULL);
        if ((s = global_sum(g, var, f))) return s;
        for (int64_t j = 0; j < f; j++) {
            var[j] /= (N > 0 ? N : 1);
            e->stat[j] = (pg_real)(1.0 / sqrt(var[j] + NORM_EPS));
            const double unbiased = N > 1 ? var[j] * N / (N - 1) : var[j];
            rmean[j] = (pg_real)((1 - BN_MOMENTUM) * rmean[j] + BN_MOMENTUM * mean[j]);
            rvar[j] = (pg_real)((1 - BN_MOMENTUM) * rvar[j] + BN_MOMENTUM * unbiased);
        }
    } else {
        for (int64_t j = 0; j < f; j++) {
            mean[j] = rmean[j];
            e->stat[j] = (pg_real)(1.0 / sqrt((double)rvar[j] + NORM_EPS));
        }
    }
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) {
            const pg_real x = (pg_real)(((double)Z[i * f + j] - mean[j]) * (double)e->stat[j]);
            xh[i * f + j] = x;
            Z[i * f + j] = gamma[j] * x + beta[j];
        }
    return s;
}

pargnn_status pg_norm_backward(pg_net *net, const pg_graph *g, const pg_norm_site *ns,
                               const pg_norm_state *e, pg_real *dY) {
    const int64_t n = net->n, f = ns->f;
    const pg_real *xh = e->xhat, *gamma = net->params + ns->g_off;
    double *s = net->normsum;
    double *sb = s, *sg = s + f; /* sum dY, sum dY xhat */
    col_sums(net, dY, NULL, xh, n, f, sb, sg);
    for (int64_t j = 0; j < f; j++)
        pg_net_set_grad(net, ns->b_off + j, sb[j]), pg_net_set_grad(net, ns->g_off + j, sg[j]);
    pargnn_status st = PARGNN_STATUS_OK;
    if (ns->kind == PARGNN_NORM_LAYER) {
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            pg_real *d = dY + i * f;
            const pg_real *x = xh + i * f;
            double m1 = 0, m2 = 0;
            for (int64_t j = 0; j < f; j++) {
                const double dx = (double)d[j] * (double)gamma[j];
                m1 += dx;
                m2 += dx * (double)x[j];
            }
            m1 /= (double)f, m2 /= (double)f;
            const double rstd = e->stat[i];
            for (int64_t j = 0; j < f; j++)
                d[j] = (pg_real)(rstd * ((double)d[j] * (double)gamma[j] - m1 - (double)x[j] * m2));
        }
    } else {
        /* batch: the means run over every node, so the sums are global */
        if ((st = global_sum(g, s, 2 * f))) return st;
        double N = (double)n;
        if ((st = global_sum(g, &N, 1))) return st;
        for (int64_t j = 0; j < f; j++) sb[j] *= (double)gamma[j] / N, sg[j] *= (double)gamma[j] / N;
#pragma omp parallel for schedule(static) if (n * f >= PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < f; j++) {
                const double dx = (double)dY[i * f + j] * (double)gamma[j];
                dY[i * f + j] = (pg_real)((double)e->stat[j] * (dx - sb[j] - (double)xh[i * f + j] * sg[j]));
            }
    }
    return st;
}

static int uses_elu(const pg_net *net, int l) {
    return net->layers[l].kind == PARGNN_MODEL_GAT && l < net->num_layers - 1;
}

int pg_epilogue_fusable(const pg_net *net, int l, pg_gemm_epi *e) {
    const pg_layer *ly = &net->layers[l];
    if (!plain(ly) || uses_elu(net, l)) return 0;
    const int64_t boff = ly->kind == PARGNN_MODEL_GIN ? ly->b2_off : ly->b_off;
    *e = (pg_gemm_epi){.bias = boff >= 0 ? net->params + boff : NULL, .relu = l < net->num_layers - 1};
    return 1;
}

pargnn_status pg_epilogue_forward(pg_net *net, const pg_graph *g, int l, int training, int fused) {
    const pg_layer *ly = &net->layers[l];
    if (fused) return PARGNN_STATUS_OK; /* pg_epilogue_fusable's: applied as Z was stored */
    const int32_t L = net->num_layers;
    const int64_t n = net->n, f = ly->fout;
    pg_real *Z = net->Z[l];
    const int64_t boff = ly->kind == PARGNN_MODEL_GIN ? ly->b2_off : ly->b_off;
    const pg_real *bias = boff >= 0 ? net->params + boff : NULL; /* none before batch norm */
    const int hidden = l < L - 1, elu = uses_elu(net, l);
    if (plain(ly)) { /* bias and ReLU in one pass (ops.h: equal to pg_bias_add then pg_relu) */
        pg_bias_relu_dropout(Z, n, f, bias, hidden && !elu, NULL, NULL, 0, NULL);
        if (elu) pg_elu(Z, n * f);
        return PARGNN_STATUS_OK;
    }
    pg_epilogue_state *e = &net->epi[l];
    if (bias) pg_bias_add(Z, n, f, bias);
    if (ly->l2norm) l2_forward(e, Z, n, f);
    if (ly->norm.kind != PARGNN_NORM_NONE) PG_TRY(pg_norm_forward(net, g, &ly->norm, &e->norm, Z, training));
    if (hidden) {
        if (elu) pg_elu(Z, n * f);
        else pg_relu(Z, n * f);
    }
    if (ly->residual) {
        memcpy(e->act, Z, (size_t)(n * f) * sizeof(pg_real));
        const pg_real *in = net->Z[l - 1];
        for (int64_t k = 0; k < n * f; k++) Z[k] += in[k];
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pg_epilogue_backward(pg_net *net, const pg_graph *g, int l, pg_real *dZ,
                                   const pg_dropout_key *drop) {
    const pg_layer *ly = &net->layers[l];
    const int32_t L = net->num_layers;
    const int64_t n = net->n, f = ly->fout;
    const int64_t boff = ly->kind == PARGNN_MODEL_GIN ? ly->b2_off : ly->b_off;
    const int hidden = l < L - 1, elu = uses_elu(net, l);
    if (drop && (!plain(ly) || elu)) { /* the dropout's gradient as a pass of its own */
        pg_dropout_dense(drop, dZ, dZ, n, f, g->row0, g->gid);
        drop = NULL;
    }
    if (plain(ly)) { /* dropout, activation mask and bias gradient in one pass (fixed-order sums) */
        if (elu) pg_elu_backward(dZ, net->Z[l], n * f);
        pg_net_bias_grad(net, dZ, net->Z[l], n, f, hidden && !elu, boff, drop, g);
        return PARGNN_STATUS_OK;
    }
    const pg_epilogue_state *e = &net->epi[l];
    if (ly->residual) memcpy(net->gR, dZ, (size_t)(n * f) * sizeof(pg_real));
    const pg_real *act = ly->residual ? e->act : net->Z[l];
    if (hidden) {
        if (elu) pg_elu_backward(dZ, act, n * f);
        else pg_relu_backward(dZ, act, n * f);
    }
    if (ly->norm.kind != PARGNN_NORM_NONE) PG_TRY(pg_norm_backward(net, g, &ly->norm, &e->norm, dZ));
    if (ly->l2norm) l2_backward(e, dZ, n, f);
    if (boff >= 0) pg_net_bias_grad(net, dZ, dZ, n, f, 0, boff, NULL, NULL); /* no mask */
    return PARGNN_STATUS_OK;
}
