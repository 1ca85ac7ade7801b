/*
 * Layers of three kinds, forward and backward over a full graph: GCN (Kipf & Welling),
 * GraphSAGE with the mean aggregator, GIN with a 2-layer MLP. The product order is chosen
 * per layer and the first layer's product is sparse when the input features are mostly
 * zeros. The operator (nn/net.h pg_graph) is built by the caller.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/net_internal.h"

static void free_ptr_array(pg_real **a, int32_t count) {
    if (!a) return;
    for (int32_t l = 0; l < count; l++) pg_free(a[l]);
    free(a);
}

void pg_net_free(pg_net *net) {
    if (!net) return;
    free(net->layers);
    pg_free(net->params);
    pg_free(net->grads);
    pg_free(net->grads64);
    pg_free(net->adam_m);
    pg_free(net->adam_v);
    pg_free(net->decay);
    free_ptr_array(net->Z, net->num_layers);
    free_ptr_array(net->H, net->num_layers);
    free_ptr_array(net->T, net->num_layers);
    free_ptr_array(net->R, net->num_layers);
    pg_free(net->gC);
    pg_free(net->xval);
    pg_free(net->gA);
    pg_free(net->gB);
    pg_gat_free(&net->gat, net->num_layers);
    pg_epilogue_free(net);
    memset(net, 0, sizeof *net);
}

/* A norm of kind over f columns with its parameters from offset off; returns the next
 * offset. */
static int64_t plan_norm(pg_norm_site *s, pargnn_norm kind, int64_t f, int64_t off, double *approx) {
    s->kind = kind;
    s->f = f;
    if (kind == PARGNN_NORM_NONE) return off;
    s->g_off = off;
    s->b_off = off + f;
    off += 2 * f;
    if (kind == PARGNN_NORM_BATCH) {
        s->rm_off = off;
        s->rv_off = off + f;
        off += 2 * f;
    }
    *approx += 4.0 * (double)f;
    return off;
}

/* Layer shapes and parameter offsets; returns the parameter count, or -1 past 2^62.
 * GCN's layout (W then b per layer) and initialisation keys are those of the first
 * version, so its results are unchanged. */
static int64_t plan_layers(const pargnn_config *cfg, int64_t in_dim, int64_t num_classes,
                           int input_sparse, pg_layer *layers) {
    const int32_t L = cfg->layers;
    double approx = 0;
    int64_t off = 0, prev = in_dim;
    for (int32_t l = 0; l < L; l++) {
        pg_layer ly = {0};
        ly.kind = cfg->model;
        ly.fin = prev;
        ly.fout = l == L - 1 ? num_classes : cfg->hidden;
        ly.mid = cfg->model == PARGNN_MODEL_GIN ? cfg->hidden : 0;
        ly.ws_off = ly.w2_off = ly.b2_off = ly.eps_off = ly.as_off = ly.ad_off = -1;
        ly.norm = ly.mlp_norm = (pg_norm_site){PARGNN_NORM_NONE, 0, -1, -1, -1, -1};
        if (cfg->model == PARGNN_MODEL_GAT) {
            /* heads of width hw: concatenated on hidden layers, averaged on the output */
            ly.heads = l == L - 1 ? cfg->out_heads : cfg->heads;
            ly.hw = ly.fout;
            ly.mid = ly.heads * ly.hw;
            if (l < L - 1) ly.fout = ly.mid;
        }
        prev = ly.fout;
        /* A (H W) costs nnz(A) w, (A H) W costs nnz(A) fin, w the width of W's output:
         * aggregate on the narrow side. A sparse input is always transformed first (A X
         * would densify it). */
        const int64_t w = ly.mid > 0 ? ly.mid : ly.fout;
        ly.aggregate_first = ly.kind != PARGNN_MODEL_GAT && !(l == 0 && input_sparse) && ly.fin < w;
        const double fi = (double)ly.fin, fo = (double)ly.fout, mi = (double)ly.mid;
        ly.w_off = off;
        off += ly.fin * w;
        /* A hidden layer followed by batch norm has no output bias: the norm removes any
         * constant per column, so its gradient would be rounding noise (which Adam's
         * per-value scaling turns into full-size steps that differ with the process
         * count); the norm's shift takes its place. */
        const int no_bias = l < L - 1 && cfg->norm == PARGNN_NORM_BATCH;
        /* GIN's first map feeds its MLP's norm (of every layer): the same rule */
        const int gin = ly.kind == PARGNN_MODEL_GIN;
        const int no_b = gin ? cfg->gin_mlp_norm == PARGNN_NORM_BATCH : no_bias;
        ly.b_off = no_b ? -1 : off;
        off += no_b ? 0 : ly.kind == PARGNN_MODEL_GAT ? ly.fout : w;
        approx += fi * (double)w + (double)w;
        if (ly.kind == PARGNN_MODEL_SAGE) {
            ly.ws_off = off;
            off += ly.fin * ly.fout;
            approx += fi * fo;
        } else if (ly.kind == PARGNN_MODEL_GIN) {
            ly.w2_off = off;
            off += ly.mid * ly.fout;
            ly.b2_off = no_bias ? -1 : off;
            off += no_bias ? 0 : ly.fout;
            approx += mi * fo + fo;
            if (cfg->gin_train_eps) ly.eps_off = off++;
            off = plan_norm(&ly.mlp_norm, cfg->gin_mlp_norm, ly.mid, off, &approx);
        } else if (ly.kind == PARGNN_MODEL_GAT) {
            ly.as_off = off;
            off += ly.mid;
            ly.ad_off = off;
            off += ly.mid;
            approx += 2 * mi;
        }
        if (l < L - 1) { /* the epilogue of a hidden layer */
            ly.l2norm = cfg->sage_normalize != 0;
            ly.residual = cfg->residual && l > 0 && ly.fin == ly.fout;
            off = plan_norm(&ly.norm, cfg->norm, ly.fout, off, &approx);
        }
        if (approx > 4.6e18) return -1;
        if (layers) layers[l] = ly;
    }
    return off;
}

int64_t pg_net_param_count(const pargnn_config *cfg, int64_t in_dim, int64_t num_classes) {
    return plan_layers(cfg, in_dim, num_classes, 0, NULL);
}

/* U(-a, a) over the (rows, cols) matrix at W; one counter-based draw per (layer, matrix,
 * row, col) so every process computes identical weights. GCN's only matrix is matrix 0. */
static void uniform(pg_real *W, int64_t rows, int64_t cols, double a, uint64_t seed, int32_t l,
                    uint32_t mat) {
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            uint32_t u = pg_rng_u32(seed, PG_RNG_INIT, mat, (uint32_t)l, (uint32_t)i, (uint32_t)j);
            W[i * cols + j] = (pg_real)((2.0 * pg_u32_to_unit(u) - 1.0) * a);
        }
}

/* Glorot/Xavier uniform (fin, fout): a = sqrt(6 / (fin + fout)). */
static void glorot(pg_real *W, int64_t fin, int64_t fout, uint64_t seed, int32_t l, uint32_t mat) {
    uniform(W, fin, fout, sqrt(6.0 / (double)(fin + fout)), seed, l, mat);
}

/* torch.nn.Linear's start (--init pyg): weight (fin, fout) and bias both U(+-1/sqrt(fin)).
 * The bias draws use matrix key bmat; bias may be NULL (SAGE's self weight has none, and
 * a layer followed by batch norm has none). */
static void linear_pyg(pg_real *W, pg_real *bias, int64_t fin, int64_t fout, uint64_t seed,
                       int32_t l, uint32_t mat, uint32_t bmat) {
    const double a = 1.0 / sqrt((double)fin);
    uniform(W, fin, fout, a, seed, l, mat);
    if (bias) uniform(bias, 1, fout, a, seed, l, bmat);
}

pargnn_status pg_net_init(pg_net *net, const pargnn_config *cfg, int64_t in_dim,
                          int64_t num_classes, int input_sparse, const pg_backend *be) {
    memset(net, 0, sizeof *net);
    net->cfg = *cfg;
    net->num_layers = cfg->layers;
    net->in_dim = in_dim;
    net->num_classes = num_classes;
    net->input_sparse = input_sparse;
    net->be = be;
    const int32_t L = cfg->layers;
    net->layers = calloc((size_t)L, sizeof *net->layers);
    if (!net->layers) return pg_error(PARGNN_STATUS_NO_MEMORY, "model: cannot allocate layers");
    const int64_t off = plan_layers(cfg, in_dim, num_classes, input_sparse, net->layers);
    if (off < 0) {
        pg_net_free(net);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "model: the parameter count overflows");
    }
    net->num_params = off;
    const size_t np = (size_t)off;
    net->params = pg_alloc(np, sizeof(pg_real), "model parameters");
    net->grads = pg_calloc(np, sizeof(pg_real), "model gradients");
    net->adam_m = pg_calloc(np, sizeof(pg_real), "Adam first moments");
    net->adam_v = pg_calloc(np, sizeof(pg_real), "Adam second moments");
    net->decay = pg_calloc(np, sizeof(pg_real), "weight decay coefficients");
    if (cfg->reproducible && !(net->grads64 = pg_calloc(np, sizeof(double), "double gradients"))) {
        pg_net_free(net);
        return PARGNN_STATUS_NO_MEMORY;
    }
    if (!net->params || !net->grads || !net->adam_m || !net->adam_v || !net->decay) {
        pg_net_free(net);
        return PARGNN_STATUS_NO_MEMORY;
    }
    memset(net->params, 0, np * sizeof(pg_real)); /* biases and a learned eps start at 0 */
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        const int64_t w = ly->mid > 0 ? ly->mid : ly->fout;
        pg_real *const P = net->params;
        if (cfg->init == PARGNN_INIT_PYG &&
            (ly->kind == PARGNN_MODEL_SAGE || ly->kind == PARGNN_MODEL_GIN)) {
            /* SAGEConv's two Linear maps (the bias on the neighbour one), GINConv's MLP */
            linear_pyg(P + ly->w_off, ly->b_off >= 0 ? P + ly->b_off : NULL, ly->fin, w,
                       cfg->seed, l, 0, 4);
            if (ly->ws_off >= 0) linear_pyg(P + ly->ws_off, NULL, ly->fin, ly->fout, cfg->seed, l, 1, 5);
            if (ly->w2_off >= 0)
                linear_pyg(P + ly->w2_off, ly->b2_off >= 0 ? P + ly->b2_off : NULL, ly->mid,
                           ly->fout, cfg->seed, l, 1, 5);
        } else {
            glorot(P + ly->w_off, ly->fin, w, cfg->seed, l, 0);
            if (ly->ws_off >= 0) glorot(P + ly->ws_off, ly->fin, ly->fout, cfg->seed, l, 1);
            if (ly->w2_off >= 0) glorot(P + ly->w2_off, ly->mid, ly->fout, cfg->seed, l, 1);
        }
        /* GAT's attention vectors: Glorot over (heads, hw), as PyG's */
        if (ly->as_off >= 0) glorot(net->params + ly->as_off, ly->heads, ly->hw, cfg->seed, l, 2);
        if (ly->ad_off >= 0) glorot(net->params + ly->ad_off, ly->heads, ly->hw, cfg->seed, l, 3);
        /* norms: gamma 1, beta 0; running mean 0, running variance 1 */
        const pg_norm_site *sites[2] = {&ly->norm, &ly->mlp_norm};
        for (int i = 0; i < 2; i++) {
            for (int64_t k = 0; sites[i]->g_off >= 0 && k < sites[i]->f; k++) P[sites[i]->g_off + k] = 1;
            for (int64_t k = 0; sites[i]->rv_off >= 0 && k < sites[i]->f; k++) P[sites[i]->rv_off + k] = 1;
        }
        /* L2 decay on weight matrices only (not biases, not eps) */
        const int decayed = cfg->decay_scope == PARGNN_DECAY_SCOPE_ALL || l == 0;
        if (!decayed || !(cfg->weight_decay > 0)) continue;
        const pg_real wd = (pg_real)cfg->weight_decay;
        for (int64_t k = 0; k < ly->fin * w; k++) net->decay[ly->w_off + k] = wd;
        if (ly->ws_off >= 0)
            for (int64_t k = 0; k < ly->fin * ly->fout; k++) net->decay[ly->ws_off + k] = wd;
        if (ly->w2_off >= 0)
            for (int64_t k = 0; k < ly->mid * ly->fout; k++) net->decay[ly->w2_off + k] = wd;
        if (ly->as_off >= 0)
            for (int64_t k = 0; k < 2 * ly->mid; k++) net->decay[ly->as_off + k] = wd; /* a_src, a_dst */
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pg_net_workspace(pg_net *net, int64_t n, int64_t n_halo, int64_t xnnz) {
    const int32_t L = net->num_layers;
    net->n = n;
    net->n_halo = n_halo;
    net->xnnz = xnnz;
    const int64_t rows = n + n_halo; /* matrices that get aggregated carry the halo rows */
    int64_t maxd = 0;
    int any_sage = 0;
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        /* gA/gB hold outputs and gradients of outputs (and GIN's mid-width activations),
         * and input gradients of layers >= 1 (layer 0's input gradient is never computed,
         * but an aggregate-first GIN layer 0 with a learned eps forms dU (n, fin)). */
        if (ly->fout > maxd) maxd = ly->fout;
        if (ly->mid > maxd) maxd = ly->mid;
        if ((l > 0 || ly->aggregate_first) && ly->fin > maxd) maxd = ly->fin;
        any_sage |= ly->kind == PARGNN_MODEL_SAGE;
    }
    net->max_dim = maxd;
    net->Z = calloc((size_t)L, sizeof(pg_real *));
    net->H = calloc((size_t)L, sizeof(pg_real *));
    net->T = calloc((size_t)L, sizeof(pg_real *));
    net->R = calloc((size_t)L, sizeof(pg_real *));
    if (!net->Z || !net->H || !net->T || !net->R)
        return pg_error(PARGNN_STATUS_NO_MEMORY, "model workspace: cannot allocate");
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        int64_t wide = ly->fin > ly->fout ? ly->fin : ly->fout;
        if (ly->mid > wide) wide = ly->mid;
        size_t cnt;
        if (!pg_mul_ok((size_t)rows, (size_t)wide, &cnt))
            return pg_error(PARGNN_STATUS_NO_MEMORY, "layer %d: %lld rows x %lld too large", l,
                            (long long)rows, (long long)wide);
        if (!(net->Z[l] = pg_alloc((size_t)n * (size_t)ly->fout, sizeof(pg_real), "layer outputs")))
            return PARGNN_STATUS_NO_MEMORY;
        /* A layer's input is aggregated, and so carries the halo rows, only when the layer
         * aggregates first; otherwise H W is, and H needs the owned rows alone. */
        const int dense_in = l > 0 || !net->input_sparse;
        const int64_t hrows = ly->aggregate_first ? rows : n;
        if (dense_in && (net->cfg.dropout > 0 || ly->aggregate_first) &&
            !(net->H[l] = pg_alloc((size_t)hrows * (size_t)ly->fin, sizeof(pg_real), "layer inputs")))
            return PARGNN_STATUS_NO_MEMORY;
        if (ly->aggregate_first &&
            !(net->T[l] = pg_alloc((size_t)n * (size_t)ly->fin, sizeof(pg_real), "aggregated inputs")))
            return PARGNN_STATUS_NO_MEMORY;
        if (ly->kind == PARGNN_MODEL_GAT &&
            !(net->T[l] = pg_alloc((size_t)rows * (size_t)ly->mid, sizeof(pg_real), "transformed inputs")))
            return PARGNN_STATUS_NO_MEMORY;
        if (ly->kind == PARGNN_MODEL_GIN) {
            if (!ly->aggregate_first && /* P = H W is aggregated: it carries the halo rows */
                !(net->T[l] = pg_alloc((size_t)rows * (size_t)ly->mid, sizeof(pg_real), "transformed inputs")))
                return PARGNN_STATUS_NO_MEMORY;
            if (!(net->R[l] = pg_alloc((size_t)n * (size_t)ly->mid, sizeof(pg_real), "MLP activations")))
                return PARGNN_STATUS_NO_MEMORY;
        }
    }
    if (any_sage && !(net->gC = pg_alloc((size_t)n * (size_t)maxd, sizeof(pg_real), "gradient scratch")))
        return PARGNN_STATUS_NO_MEMORY;
    net->gA = pg_alloc((size_t)rows * (size_t)maxd, sizeof(pg_real), "gradient scratch");
    net->gB = pg_alloc((size_t)rows * (size_t)maxd, sizeof(pg_real), "gradient scratch");
    if (!net->gA || !net->gB) return PARGNN_STATUS_NO_MEMORY;
    if (net->input_sparse &&
        !(net->xval = pg_alloc((size_t)(xnnz > 0 ? xnnz : 1), sizeof(pg_real), "dropped features")))
        return PARGNN_STATUS_NO_MEMORY;
    return pg_epilogue_workspace(net);
}

/* The (possibly dropped) input of layer l: dense pointer or the dropped CSR view. A layer
 * with its own input buffer H[l] (dropout, or aggregate-first: its input gets halo rows)
 * reads that buffer. */
static layer_in layer_input(pg_net *net, const pg_graph *g, const pg_input *x, int l,
                            int training, uint32_t epoch) {
    layer_in in = {0};
    const pg_layer *ly = &net->layers[l];
    const double p = training ? net->cfg.dropout : 0;
    pg_dropout_key key = {net->cfg.seed, epoch, (uint32_t)l, p};
    if (l == 0 && x->sparse) {
        if (p <= 0) {
            in.csr = x->csr;
            return in;
        }
        pg_dropout_csr(&key, x->csr, net->xval, g->row0, g->gid);
        net->xdrop = *x->csr;
        net->xdrop.val = net->xval;
        in.csr = &net->xdrop;
        return in;
    }
    const pg_real *src = l == 0 ? x->dense : net->Z[l - 1];
    if (!net->H[l]) {
        in.dense = src;
        return in;
    }
    pg_dropout_dense(&key, src, net->H[l], net->n, ly->fin, g->row0, g->gid); /* p = 0: copy */
    in.dense = net->H[l];
    return in;
}

void pg_net_transform(const pg_net *net, const layer_in *in, const pg_real *W, int64_t fin,
                      int64_t fout, pg_real beta, pg_real *Y) {
    if (in->csr) net->be->spmm(in->csr, W, fout, beta, Y);
    else net->be->gemm(0, 0, net->n, fout, fin, 1, in->dense, fin, W, fout, beta, Y, fout);
}

void pg_net_transform_grad(const pg_net *net, const layer_in *in, const pg_real *dY,
                           int64_t fin, int64_t fout, int64_t off) {
    if (net->grads64) {
        double *dW = net->grads64 + off;
        if (in->csr) net->be->spmm_t64(in->csr, dY, fout, dW);
        else net->be->gemm_tn64(fin, fout, net->n, in->dense, fin, dY, fout, dW, fout);
        return;
    }
    pg_real *dW = net->grads + off;
    if (in->csr) net->be->spmm_t(in->csr, dY, fout, 0, dW);
    else net->be->gemm(1, 0, fin, fout, net->n, 1, in->dense, fin, dY, fout, 0, dW, fout);
}

void pg_net_dense_grad(const pg_net *net, const pg_real *A, const pg_real *dY, int64_t fin,
                       int64_t fout, int64_t off) {
    const layer_in in = {.dense = A};
    pg_net_transform_grad(net, &in, dY, fin, fout, off);
}

void pg_net_bias_grad(const pg_net *net, pg_real *dZ, const pg_real *Z, int64_t n, int64_t f,
                      int relu, int64_t off, const pg_dropout_key *drop, const pg_graph *g) {
    const int64_t row0 = drop ? g->row0 : 0;
    const int32_t *gid = drop ? g->gid : NULL;
    if (!net->grads64 || off < 0) {
        pg_relu_bias_grad(dZ, Z, n, f, relu, off >= 0 ? net->grads + off : NULL, drop, row0, gid);
        return;
    }
    if (relu || drop) pg_relu_bias_grad(dZ, Z, n, f, relu, NULL, drop, row0, gid);
    pg_col_sums64(dZ, n, f, net->grads64 + off);
}

void pg_net_set_grad(const pg_net *net, int64_t off, double v) {
    if (net->grads64) net->grads64[off] = v;
    else net->grads[off] = (pg_real)v;
}

void pg_net_round_grads(pg_net *net) {
    if (!net->grads64) return;
    const int64_t np = net->num_params;
#pragma omp parallel for schedule(static) if (np >= 65536)
    for (int64_t k = 0; k < np; k++) net->grads[k] = (pg_real)net->grads64[k];
}

/* X (n, f) rows scaled: X[i, :] *= s[i]. */
static void scale_rows(pg_real *X, int64_t n, int64_t f, const pg_real *s) {
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < f; j++) X[i * f + j] *= s[i];
}

/* Y (n, f) += a X (n, f), rows of stride f. */
static void axpy(pg_real *Y, pg_real a, const pg_real *X, int64_t count) {
    for (int64_t k = 0; k < count; k++) Y[k] += a * X[k];
}

/* Y (n, f) = diag(lscale) S X, X: (n + n_halo, f). Across processes the halo rows of X are
 * filled while the rows that need none are computed (overlap), then the rest. */
static pargnn_status aggregate(const pg_net *net, const pg_graph *g, pg_real *X, int64_t f,
                               pg_real *Y) {
    if (!g->ex) {
        net->be->spmm(g->adj, X, f, 0, Y);
    } else {
        PG_TRY(g->ex->begin(g->ex->ctx, X, f));
        if (g->adj_inner->nrows > 0) net->be->spmm(g->adj_inner, X, f, 0, Y);
        PG_TRY(g->ex->end(g->ex->ctx, X, f));
        if (g->adj_outer->nrows > 0)
            net->be->spmm(g->adj_outer, X, f, 0, Y + g->adj_inner->nrows * f);
    }
    if (g->lscale) scale_rows(Y, net->n, f, g->lscale);
    return PARGNN_STATUS_OK;
}

/* Y = (diag(lscale) S)^T X = S^T diag(lscale) X. X's owned rows are scaled in place (the
 * callers pass a gradient they no longer need). A symmetric S needs no transpose: its
 * owned rows are its owned columns, so scaling the owned rows, the halo exchange (each
 * owner sends its rows already scaled) and the forward product give the transpose exactly. */
static pargnn_status aggregate_t(const pg_net *net, const pg_graph *g, pg_real *X, int64_t f,
                                 pg_real *Y) {
    if (g->lscale) scale_rows(X, net->n, f, g->lscale);
    if (g->symmetric) {
        pg_graph plain = *g;
        plain.lscale = NULL;
        return aggregate(net, &plain, X, f, Y);
    }
    if (g->ex)
        return pg_error(PARGNN_STATUS_INTERNAL,
                        "the transposed product of a non-symmetric operator across processes "
                        "is not implemented");
    net->be->spmm_t(g->adj, X, f, 0, Y);
    return PARGNN_STATUS_OK;
}

/* Y = relu?(S X + self X + bias) over the owned rows (GIN's sum with its (1 + eps) h
 * term, and in the forward its MLP's bias and ReLU), in the SpMM's epilogue: no passes
 * over Y after the product. transposed: S^T in place of S (the backward); a transpose that
 * is not S itself (a directed graph, one process) takes separate passes. GIN's sum has no
 * row scales, and this does not take them. */
static pargnn_status aggregate_self(const pg_net *net, const pg_graph *g, pg_real *X, int64_t f,
                                    pg_real self, const pg_real *bias, int relu, int transposed,
                                    pg_real *Y) {
    const pg_backend *be = net->be;
    if (g->lscale)
        return pg_error(PARGNN_STATUS_INTERNAL, "a self term with row scales is not implemented");
    if (transposed && !g->symmetric) {
        PG_TRY(aggregate_t(net, g, X, f, Y)); /* no row scales: X intact */
        axpy(Y, self, X, net->n * f);
        if (bias || relu) pg_bias_relu_dropout(Y, net->n, f, bias, relu, NULL, NULL, 0, NULL);
        return PARGNN_STATUS_OK;
    }
    if (!g->ex) {
        be->spmm_epilogue(g->adj, X, f, self, X, bias, relu, Y);
        return PARGNN_STATUS_OK;
    }
    const int64_t ni = g->adj_inner->nrows; /* inner rows first, then the outer ones */
    PG_TRY(g->ex->begin(g->ex->ctx, X, f));
    if (ni > 0) be->spmm_epilogue(g->adj_inner, X, f, self, X, bias, relu, Y);
    PG_TRY(g->ex->end(g->ex->ctx, X, f));
    if (g->adj_outer->nrows > 0)
        be->spmm_epilogue(g->adj_outer, X, f, self, X + ni * f, bias, relu, Y + ni * f);
    return PARGNN_STATUS_OK;
}

/* The input the forward pass used for layer l (dropout is a pure function of its key). */
static layer_in layer_input_again(const pg_net *net, const pg_input *x, int l) {
    layer_in in = {0};
    if (l == 0 && x->sparse) in.csr = net->cfg.dropout > 0 ? &net->xdrop : x->csr;
    else in.dense = net->H[l] ? net->H[l] : l == 0 ? x->dense : net->Z[l - 1];
    return in;
}

static pg_real gin_eps(const pg_net *net, const pg_layer *ly) {
    return ly->eps_off >= 0 ? net->params[ly->eps_off] : 0;
}

/* ---- forward of one layer: Z (n, fout) before bias and activation, unless the layer
 * was given the epilogue epi (pg_epilogue_fusable; NULL: none) and set *fused: then its
 * last product applied it as Z was stored */

/* C (n, w) = A W for A (n, k), with epi applied as C is stored when not NULL (then *fused
 * is set, fused NULL: not asked for). */
static void map(const pg_net *net, const pg_real *A, int64_t k, const pg_real *W, int64_t w,
                const pg_gemm_epi *epi, pg_real *C, int *fused) {
    if (!epi) {
        net->be->gemm(0, 0, net->n, w, k, 1, A, k, W, w, 0, C, w);
        return;
    }
    net->be->gemm_epi(0, net->n, w, k, A, k, W, w, epi, C, w);
    if (fused) *fused = 1;
}

static pargnn_status gcn_forward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                 const pg_gemm_epi *epi, int *fused) {
    const pg_layer *ly = &net->layers[l];
    const pg_real *W = net->params + ly->w_off;
    pg_real *Z = net->Z[l];
    if (ly->aggregate_first) {
        /* T (n, fin) = A H; Z (n, fout) = T W */
        PG_TRY(aggregate(net, g, net->H[l], ly->fin, net->T[l]));
        map(net, net->T[l], ly->fin, W, ly->fout, epi, Z, fused);
    } else {
        /* gB (n, fout) = H W; Z (n, fout) = A gB */
        pg_net_transform(net, in, W, ly->fin, ly->fout, 0, net->gB);
        PG_TRY(aggregate(net, g, net->gB, ly->fout, Z));
    }
    return PARGNN_STATUS_OK;
}

/* SAGE: the propagation of GCN with the mean operator (the graph's), plus the self term,
 * whose product comes last (it takes the epilogue). */
static pargnn_status sage_forward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                  const pg_gemm_epi *epi, int *fused) {
    const pg_layer *ly = &net->layers[l];
    const pg_real *Ws = net->params + ly->ws_off;
    PG_TRY(gcn_forward(net, g, in, l, NULL, fused)); /* Z = mean(H) W */
    if (epi && in->dense) { /* Z = epi(H W_self + Z) */
        pg_gemm_epi e = *epi;
        e.accumulate = 1;
        net->be->gemm_epi(0, net->n, ly->fout, ly->fin, in->dense, ly->fin, Ws, ly->fout, &e, net->Z[l], ly->fout);
        *fused = 1;
    } else {
        pg_net_transform(net, in, Ws, ly->fin, ly->fout, 1, net->Z[l]); /* += H W_self */
    }
    return PARGNN_STATUS_OK;
}

static pargnn_status gin_forward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                 int training, const pg_gemm_epi *epi, int *fused) {
    const pg_layer *ly = &net->layers[l];
    const pg_real *W = net->params + ly->w_off, *b = ly->b_off >= 0 ? net->params + ly->b_off : NULL;
    const pg_real *W2 = net->params + ly->w2_off;
    const pg_real one_eps = 1 + gin_eps(net, ly);
    const int64_t n = net->n;
    pg_real *R = net->R[l], *T = net->T[l];
    /* without the MLP's norm, its bias and ReLU ride in the first map's product or
     * aggregation; with it, they follow the norm below */
    const int plain_mlp = ly->mlp_norm.kind == PARGNN_NORM_NONE;
    if (ly->aggregate_first) {
        /* T = U (n, fin) = A H + (1+eps) H; R (n, mid) = U W */
        PG_TRY(aggregate_self(net, g, net->H[l], ly->fin, one_eps, NULL, 0, 0, T));
        const pg_gemm_epi e = {.bias = b, .relu = 1}; /* as the product is stored */
        map(net, T, ly->fin, W, ly->mid, plain_mlp ? &e : NULL, R, NULL);
    } else {
        /* T = P (n, mid) = H W; R = A P + (1+eps) P (+ b, ReLU: without the MLP's norm) */
        pg_net_transform(net, in, W, ly->fin, ly->mid, 0, T);
        PG_TRY(aggregate_self(net, g, T, ly->mid, one_eps, plain_mlp ? b : NULL, plain_mlp, 0, R));
    }
    if (!plain_mlp) { /* the MLP's norm between its first map and the ReLU */
        if (b) pg_bias_add(R, n, ly->mid, b);
        PG_TRY(pg_norm_forward(net, g, &ly->mlp_norm, &net->epi[l].mlp, R, training));
        pg_relu(R, n * ly->mid);
    }
    map(net, R, ly->mid, W2, ly->fout, epi, net->Z[l], fused); /* epi: b2 and the ReLU between layers */
    return PARGNN_STATUS_OK;
}

pargnn_status pg_net_forward(pg_net *net, const pg_graph *g, const pg_input *x, int training,
                             uint32_t epoch, const pg_real **logits) {
    const int32_t L = net->num_layers;
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        layer_in in = layer_input(net, g, x, l, training, epoch);
        pg_gemm_epi e;
        const pg_gemm_epi *epi = pg_epilogue_fusable(net, l, &e) ? &e : NULL;
        int fused = 0;
        switch (ly->kind) {
        case PARGNN_MODEL_GCN: PG_TRY(gcn_forward(net, g, &in, l, epi, &fused)); break;
        case PARGNN_MODEL_SAGE: PG_TRY(sage_forward(net, g, &in, l, epi, &fused)); break;
        case PARGNN_MODEL_GIN: PG_TRY(gin_forward(net, g, &in, l, training, epi, &fused)); break;
        case PARGNN_MODEL_GAT: PG_TRY(pg_gat_forward(net, g, &in, l, training, epoch)); break;
        }
        /* bias (GIN: b2), then norm, activation, residual as configured (epilogue.c) */
        PG_TRY(pg_epilogue_forward(net, g, l, training, fused));
    }
    *logits = net->Z[L - 1];
    return PARGNN_STATUS_OK;
}

/* ---- backward of one layer from dZ (n, fout), the gradient of its pre-activation (bias
 * gradient already taken). Layers l > 0 leave the input gradient (n, fin) in *dH (gA or
 * gB); the buffers named are scratch of (n + n_halo, max_dim). */

static pargnn_status gcn_backward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                  pg_real *dZ, pg_real *tmp, pg_real **dH) {
    const pg_layer *ly = &net->layers[l];
    const pg_backend *be = net->be;
    const int64_t n = net->n;
    const pg_real *W = net->params + ly->w_off;
    *dH = dZ;
    if (!ly->aggregate_first) {
        /* Z = A (H W): dT (n, fout) = A^T dZ; dW = H^T dT; dH (n, fin) = dT W^T */
        PG_TRY(aggregate_t(net, g, dZ, ly->fout, tmp));
        pg_net_transform_grad(net, in, tmp, ly->fin, ly->fout, ly->w_off);
        if (l > 0) be->gemm(0, 1, n, ly->fin, ly->fout, 1, tmp, ly->fout, W, ly->fout, 0, dZ, ly->fin);
    } else {
        /* Z = (A H) W: dW = T^T dZ; dT (n, fin) = dZ W^T; dH = A^T dT */
        pg_net_dense_grad(net, net->T[l], dZ, ly->fin, ly->fout, ly->w_off);
        if (l > 0) {
            be->gemm(0, 1, n, ly->fin, ly->fout, 1, dZ, ly->fout, W, ly->fout, 0, tmp, ly->fin);
            PG_TRY(aggregate_t(net, g, tmp, ly->fin, dZ));
        }
    }
    return PARGNN_STATUS_OK;
}

static pargnn_status sage_backward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                   pg_real *dZ, pg_real *tmp, pg_real **dH) {
    const pg_layer *ly = &net->layers[l];
    const pg_backend *be = net->be;
    const int64_t n = net->n, fin = ly->fin, fout = ly->fout;
    const pg_real *W = net->params + ly->w_off, *Ws = net->params + ly->ws_off;
    pg_real *dself = net->gC;
    /* self term Z += H W_self: dW_self = H^T dZ; dH_self (n, fin) = dZ W_self^T */
    pg_net_transform_grad(net, in, dZ, fin, fout, ly->ws_off);
    if (l > 0) be->gemm(0, 1, n, fin, fout, 1, dZ, fout, Ws, fout, 0, dself, fin);
    *dH = dZ;
    if (ly->aggregate_first) {
        /* Z = mean(H) W: dW = T^T dZ; dT = dZ W^T; dH += mean^T dT */
        pg_net_dense_grad(net, net->T[l], dZ, fin, fout, ly->w_off);
        if (l > 0) {
            be->gemm(0, 1, n, fin, fout, 1, dZ, fout, W, fout, 0, tmp, fin);
            PG_TRY(aggregate_t(net, g, tmp, fin, dZ)); /* dZ is dead: dH lands there */
            axpy(dZ, 1, dself, n * fin);
        }
    } else {
        /* Z = mean(H W): dT (n, fout) = mean^T dZ; dW = H^T dT; dH += dT W^T */
        PG_TRY(aggregate_t(net, g, dZ, fout, tmp));
        pg_net_transform_grad(net, in, tmp, fin, fout, ly->w_off);
        if (l > 0) {
            memcpy(dZ, dself, (size_t)(n * fin) * sizeof(pg_real));
            be->gemm(0, 1, n, fin, fout, 1, tmp, fout, W, fout, 1, dZ, fin);
        }
    }
    return PARGNN_STATUS_OK;
}

static double dot_rows(const pg_real *a, const pg_real *b, int64_t count) {
    double s = 0; /* fixed order: thread-independent */
    for (int64_t k = 0; k < count; k++) s += (double)a[k] * (double)b[k];
    return s;
}

static pargnn_status gin_backward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                                  pg_real *dZ, pg_real *tmp, pg_real **dH) {
    const pg_layer *ly = &net->layers[l];
    const pg_backend *be = net->be;
    const int64_t n = net->n, fin = ly->fin, fout = ly->fout, mid = ly->mid;
    const pg_real *W = net->params + ly->w_off, *W2 = net->params + ly->w2_off;
    pg_real *R = net->R[l], *T = net->T[l];
    const pg_real one_eps = 1 + gin_eps(net, ly);
    const int learn = ly->eps_off >= 0;
    /* Z = R W2: dW2 = R^T dZ; dM (n, mid) = (dZ W2^T) masked by R > 0 (in the product's
     * store; then through the MLP's norm), db = its column sums (in the same store, but
     * after a norm or in double for --reproducible) */
    pg_net_dense_grad(net, R, dZ, mid, fout, ly->w2_off);
    const int plain_mlp = ly->mlp_norm.kind == PARGNN_NORM_NONE;
    const int db_in_store = plain_mlp && ly->b_off >= 0 && !net->grads64;
    const pg_gemm_epi relu_mask = {.mask = R, .ldm = mid, .colsum = db_in_store ? net->grads + ly->b_off : NULL};
    be->gemm_epi(1, n, mid, fout, dZ, fout, W2, fout, &relu_mask, tmp, mid);
    if (plain_mlp) {
        if (ly->b_off >= 0 && !db_in_store) pg_net_bias_grad(net, tmp, tmp, n, mid, 0, ly->b_off, NULL, NULL);
    } else {
        PG_TRY(pg_norm_backward(net, g, &ly->mlp_norm, &net->epi[l].mlp, tmp));
        if (ly->b_off >= 0) pg_net_bias_grad(net, tmp, tmp, n, mid, 0, ly->b_off, NULL, NULL); /* no mask */
    }
    pg_real *dM = tmp;
    *dH = NULL;
    if (ly->aggregate_first) {
        /* M = U W: dW = U^T dM; dU (n, fin) = dM W^T; deps = <dU, H>; dH = A^T dU + (1+eps) dU */
        pg_net_dense_grad(net, T, dM, fin, mid, ly->w_off);
        if (l > 0 || learn) {
            pg_real *dU = dZ; /* dZ is dead */
            be->gemm(0, 1, n, fin, mid, 1, dM, mid, W, mid, 0, dU, fin);
            if (learn) pg_net_set_grad(net, ly->eps_off, dot_rows(dU, net->H[l], n * fin));
            if (l > 0) {
                PG_TRY(aggregate_self(net, g, dU, fin, one_eps, NULL, 0, 1, tmp));
                *dH = tmp;
            }
        }
    } else {
        /* M = A P + (1+eps) P, P = H W: deps = <dM, P>; dP = A^T dM + (1+eps) dM;
         * dW = H^T dP; dH = dP W^T */
        if (learn) pg_net_set_grad(net, ly->eps_off, dot_rows(dM, T, n * mid));
        pg_real *dP = dZ;
        PG_TRY(aggregate_self(net, g, dM, mid, one_eps, NULL, 0, 1, dP));
        pg_net_transform_grad(net, in, dP, fin, mid, ly->w_off);
        if (l > 0) {
            be->gemm(0, 1, n, fin, mid, 1, dP, mid, W, mid, 0, tmp, fin);
            *dH = tmp;
        }
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pg_net_backward(pg_net *net, const pg_graph *g, const pg_input *x,
                              const pg_real *dlogits, uint32_t epoch) {
    const int32_t L = net->num_layers;
    const int64_t n = net->n;
    pg_real *dZ = net->gA, *tmp = net->gB;
    /* the gradient through layer l + 1's input dropout, left to layer l's epilogue (one
     * pass with its ReLU mask and bias gradient) */
    pg_dropout_key key;
    const pg_dropout_key *drop = NULL;
    if (net->grads64) /* sums land with '=', but running statistics have no gradient */
        memset(net->grads64, 0, (size_t)net->num_params * sizeof(double));
    if (dlogits != dZ)
        memcpy(dZ, dlogits, (size_t)(n * net->num_classes) * sizeof(pg_real));
    for (int32_t l = L - 1; l >= 0; l--) {
        const pg_layer *ly = &net->layers[l];
        PG_TRY(pg_epilogue_backward(net, g, l, dZ, drop)); /* down to the conv's output */
        layer_in in = layer_input_again(net, x, l);
        pg_real *dH = NULL;
        switch (ly->kind) {
        case PARGNN_MODEL_GCN: PG_TRY(gcn_backward(net, g, &in, l, dZ, tmp, &dH)); break;
        case PARGNN_MODEL_SAGE: PG_TRY(sage_backward(net, g, &in, l, dZ, tmp, &dH)); break;
        case PARGNN_MODEL_GIN: PG_TRY(gin_backward(net, g, &in, l, dZ, tmp, &dH)); break;
        case PARGNN_MODEL_GAT: PG_TRY(pg_gat_backward(net, g, &in, l, dZ, tmp, &dH, epoch)); break;
        }
        if (l == 0) break;
        if (dH != dZ) { /* the input gradient is the next layer's dZ */
            tmp = dZ;
            dZ = dH;
        }
        drop = NULL;
        if (net->cfg.dropout > 0) {
            key = (pg_dropout_key){net->cfg.seed, epoch, (uint32_t)l, net->cfg.dropout};
            if (ly->residual) pg_dropout_dense(&key, dZ, dZ, n, ly->fin, g->row0, g->gid);
            else drop = &key;
        }
        if (ly->residual) /* the input also reached the output directly (undropped) */
            for (int64_t k = 0; k < n * ly->fin; k++) dZ[k] += net->gR[k];
    }
    return PARGNN_STATUS_OK;
}

void pg_net_adam(pg_net *net, int64_t t) {
    pg_adam_hparams h = {net->cfg.lr, 0.9, 0.999, 1e-8};
    pg_adam_step(&h, t, net->params, net->grads, net->adam_m, net->adam_v, net->decay,
                 net->num_params);
}

pargnn_status pg_gcn_normalize(const pg_csr *adj, pg_csr *out) {
    const int64_t n = adj->nrows;
    memset(out, 0, sizeof *out);
    int64_t missing = 0;
    for (int64_t i = 0; i < n; i++) {
        int has = 0;
        for (int64_t e = adj->rowptr[i]; e < adj->rowptr[i + 1]; e++) has |= adj->col[e] == i;
        missing += !has;
    }
    const int64_t nnz = adj->nnz + missing;
    out->nrows = out->ncols = n;
    out->nnz = nnz;
    out->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "normalised adjacency offsets");
    out->col = pg_alloc((size_t)nnz, sizeof(int32_t), "normalised adjacency columns");
    out->val = pg_alloc((size_t)nnz, sizeof(pg_real), "normalised adjacency values");
    double *dinv = pg_alloc((size_t)n, sizeof(double), "degrees");
    if (!out->rowptr || !out->col || !out->val || !dinv) {
        pg_csr_free(out);
        pg_free(dinv);
        return PARGNN_STATUS_NO_MEMORY;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        out->rowptr[i] = k;
        int placed = 0;
        for (int64_t e = adj->rowptr[i]; e < adj->rowptr[i + 1]; e++) {
            const int32_t j = adj->col[e];
            if (!placed && j >= i) {
                out->col[k++] = (int32_t)i;
                placed = 1;
                if (j == i) continue;
            }
            out->col[k++] = j;
        }
        if (!placed) out->col[k++] = (int32_t)i;
        dinv[i] = 1.0 / sqrt((double)(k - out->rowptr[i]));
    }
    out->rowptr[n] = k;
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = out->rowptr[i]; e < out->rowptr[i + 1]; e++)
            out->val[e] = (pg_real)(dinv[i] * dinv[out->col[e]]);
    pg_free(dinv);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_adj_structure(const pg_csr *adj, pg_csr *out) {
    const int64_t n = adj->nrows, nnz = adj->nnz;
    memset(out, 0, sizeof *out);
    out->nrows = n;
    out->ncols = adj->ncols;
    out->nnz = nnz;
    out->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "adjacency offsets");
    out->col = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(int32_t), "adjacency columns");
    out->val = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(pg_real), "adjacency values");
    if (!out->rowptr || !out->col || !out->val) {
        pg_csr_free(out);
        return PARGNN_STATUS_NO_MEMORY;
    }
    memcpy(out->rowptr, adj->rowptr, ((size_t)n + 1) * sizeof(int64_t));
    memcpy(out->col, adj->col, (size_t)nnz * sizeof(int32_t));
    for (int64_t k = 0; k < nnz; k++) out->val[k] = 1;
    return PARGNN_STATUS_OK;
}

pargnn_status pg_model_operator(pargnn_model_kind model, const pg_csr *adj, pg_csr *out) {
    if (model == PARGNN_MODEL_GCN || model == PARGNN_MODEL_GAT) return pg_gcn_normalize(adj, out);
    return pg_adj_structure(adj, out);
}
