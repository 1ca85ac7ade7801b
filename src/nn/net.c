/*
 * GCN layers (Kipf & Welling): H' = act(A_hat drop(H) W + b), forward and backward over
 * a full graph, with the product order chosen per layer and a sparse first-layer product
 * when the input features are mostly zeros. Other layer types will sit beside these.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/net.h"

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
    pg_free(net->adam_m);
    pg_free(net->adam_v);
    pg_free(net->decay);
    free_ptr_array(net->Z, net->num_layers);
    free_ptr_array(net->H, net->num_layers);
    free_ptr_array(net->T, net->num_layers);
    pg_free(net->xval);
    pg_free(net->gA);
    pg_free(net->gB);
    memset(net, 0, sizeof *net);
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
    int64_t off = 0;
    for (int32_t l = 0; l < L; l++) {
        pg_layer *ly = &net->layers[l];
        ly->fin = l == 0 ? in_dim : cfg->hidden;
        ly->fout = l == L - 1 ? num_classes : cfg->hidden;
        /* A (H W) costs nnz(A) fout, (A H) W costs nnz(A) fin: aggregate on the narrow
         * side. A sparse input is always transformed first (A X would densify it). */
        ly->aggregate_first = !(l == 0 && input_sparse) && ly->fin < ly->fout;
        ly->w_off = off;
        off += ly->fin * ly->fout;
        ly->b_off = off;
        off += ly->fout;
    }
    net->num_params = off;
    const size_t np = (size_t)off;
    net->params = pg_alloc(np, sizeof(pg_real), "model parameters");
    net->grads = pg_calloc(np, sizeof(pg_real), "model gradients");
    net->adam_m = pg_calloc(np, sizeof(pg_real), "Adam first moments");
    net->adam_v = pg_calloc(np, sizeof(pg_real), "Adam second moments");
    net->decay = pg_calloc(np, sizeof(pg_real), "weight decay coefficients");
    if (!net->params || !net->grads || !net->adam_m || !net->adam_v || !net->decay) {
        pg_net_free(net);
        return PARGNN_STATUS_NO_MEMORY;
    }
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        /* Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fin + fout)); one counter-based
         * draw per (layer, row, col) so every process computes identical weights. */
        const double a = sqrt(6.0 / (double)(ly->fin + ly->fout));
        pg_real *W = net->params + ly->w_off;
        for (int64_t i = 0; i < ly->fin; i++)
            for (int64_t j = 0; j < ly->fout; j++) {
                uint32_t u = pg_rng_u32(cfg->seed, PG_RNG_INIT, 0, (uint32_t)l, (uint32_t)i,
                                        (uint32_t)j);
                W[i * ly->fout + j] = (pg_real)((2.0 * pg_u32_to_unit(u) - 1.0) * a);
            }
        memset(net->params + ly->b_off, 0, (size_t)ly->fout * sizeof(pg_real));
        const int decayed = cfg->decay_scope == PARGNN_DECAY_SCOPE_ALL || l == 0;
        if (decayed && cfg->weight_decay > 0)
            for (int64_t k = 0; k < ly->fin * ly->fout; k++)
                net->decay[ly->w_off + k] = (pg_real)cfg->weight_decay;
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
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        /* gA/gB hold outputs and gradients of outputs, and input gradients of layers >= 1
         * (layer 0's input gradient is never computed). */
        if (ly->fout > maxd) maxd = ly->fout;
        if (l > 0 && ly->fin > maxd) maxd = ly->fin;
    }
    net->max_dim = maxd;
    net->Z = calloc((size_t)L, sizeof(pg_real *));
    net->H = calloc((size_t)L, sizeof(pg_real *));
    net->T = calloc((size_t)L, sizeof(pg_real *));
    if (!net->Z || !net->H || !net->T)
        return pg_error(PARGNN_STATUS_NO_MEMORY, "model workspace: cannot allocate");
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        size_t cnt;
        if (!pg_mul_ok((size_t)rows, (size_t)(ly->fin > ly->fout ? ly->fin : ly->fout), &cnt))
            return pg_error(PARGNN_STATUS_NO_MEMORY, "layer %d: %lld rows x %lld too large", l,
                            (long long)rows, (long long)(ly->fin > ly->fout ? ly->fin : ly->fout));
        if (!(net->Z[l] = pg_alloc((size_t)n * (size_t)ly->fout, sizeof(pg_real), "layer outputs")))
            return PARGNN_STATUS_NO_MEMORY;
        const int dense_in = l > 0 || !net->input_sparse;
        if (dense_in && (net->cfg.dropout > 0 || ly->aggregate_first) &&
            !(net->H[l] = pg_alloc((size_t)rows * (size_t)ly->fin, sizeof(pg_real), "layer inputs")))
            return PARGNN_STATUS_NO_MEMORY;
        if (ly->aggregate_first &&
            !(net->T[l] = pg_alloc((size_t)n * (size_t)ly->fin, sizeof(pg_real), "aggregated inputs")))
            return PARGNN_STATUS_NO_MEMORY;
    }
    net->gA = pg_alloc((size_t)rows * (size_t)maxd, sizeof(pg_real), "gradient scratch");
    net->gB = pg_alloc((size_t)rows * (size_t)maxd, sizeof(pg_real), "gradient scratch");
    if (!net->gA || !net->gB) return PARGNN_STATUS_NO_MEMORY;
    if (net->input_sparse &&
        !(net->xval = pg_alloc((size_t)(xnnz > 0 ? xnnz : 1), sizeof(pg_real), "dropped features")))
        return PARGNN_STATUS_NO_MEMORY;
    return PARGNN_STATUS_OK;
}

/* The (possibly dropped) input of layer l: dense pointer or the dropped CSR view. A layer
 * with its own input buffer H[l] (dropout, or aggregate-first: its input gets halo rows)
 * reads that buffer. */
typedef struct layer_in {
    const pg_real *dense; /* (n, fin) */
    const pg_csr *csr;    /* (n, fin) */
} layer_in;

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

/* Y (n, fout) = in W, for a dense or sparse input. */
static void transform(const pg_net *net, const layer_in *in, const pg_real *W, int64_t fin,
                      int64_t fout, pg_real *Y) {
    if (in->csr) net->be->spmm(in->csr, W, fout, 0, Y);
    else net->be->gemm(0, 0, net->n, fout, fin, 1, in->dense, fin, W, fout, 0, Y, fout);
}

/* Y (n, f) = A X, X: (n + n_halo, f). Across processes the halo rows of X are filled while
 * the rows that need none are computed (overlap), then the rest. */
static pargnn_status aggregate(const pg_net *net, const pg_graph *g, pg_real *X, int64_t f,
                               pg_real *Y) {
    if (!g->ex) {
        net->be->spmm(g->adj, X, f, 0, Y);
        return PARGNN_STATUS_OK;
    }
    PG_TRY(g->ex->begin(g->ex->ctx, X, f));
    if (g->adj_inner->nrows > 0) net->be->spmm(g->adj_inner, X, f, 0, Y);
    PG_TRY(g->ex->end(g->ex->ctx, X, f));
    if (g->adj_outer->nrows > 0)
        net->be->spmm(g->adj_outer, X, f, 0, Y + g->adj_inner->nrows * f);
    return PARGNN_STATUS_OK;
}

/* Y = A^T X. A symmetric operator needs no transpose: its owned rows are its owned
 * columns, so the halo exchange of X and the forward product give A^T X exactly. */
static pargnn_status aggregate_t(const pg_net *net, const pg_graph *g, pg_real *X, int64_t f,
                                 pg_real *Y) {
    if (g->symmetric) return aggregate(net, g, X, f, Y);
    if (g->ex)
        return pg_error(PARGNN_STATUS_INTERNAL,
                        "the transposed product of a non-symmetric operator across processes "
                        "is not implemented");
    net->be->spmm_t(g->adj, X, f, 0, Y);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_net_forward(pg_net *net, const pg_graph *g, const pg_input *x, int training,
                             uint32_t epoch, const pg_real **logits) {
    const int32_t L = net->num_layers;
    const pg_backend *be = net->be;
    for (int32_t l = 0; l < L; l++) {
        const pg_layer *ly = &net->layers[l];
        const pg_real *W = net->params + ly->w_off, *b = net->params + ly->b_off;
        layer_in in = layer_input(net, g, x, l, training, epoch);
        pg_real *Z = net->Z[l];
        if (ly->aggregate_first) {
            /* T (n, fin) = A H; Z (n, fout) = T W */
            PG_TRY(aggregate(net, g, net->H[l], ly->fin, net->T[l]));
            be->gemm(0, 0, net->n, ly->fout, ly->fin, 1, net->T[l], ly->fin, W, ly->fout, 0, Z,
                     ly->fout);
        } else {
            /* gB (n, fout) = H W; Z (n, fout) = A gB */
            transform(net, &in, W, ly->fin, ly->fout, net->gB);
            PG_TRY(aggregate(net, g, net->gB, ly->fout, Z));
        }
        /* bias and ReLU in one pass over Z (ops.h: equal to pg_bias_add then pg_relu) */
        pg_bias_relu_dropout(Z, net->n, ly->fout, b, l < L - 1, NULL, NULL, 0, NULL);
    }
    *logits = net->Z[L - 1];
    return PARGNN_STATUS_OK;
}

pargnn_status pg_net_backward(pg_net *net, const pg_graph *g, const pg_input *x,
                              const pg_real *dlogits, uint32_t epoch) {
    const int32_t L = net->num_layers;
    const pg_backend *be = net->be;
    const int64_t n = net->n;
    pg_real *dZ = net->gA, *tmp = net->gB;
    if (dlogits != dZ)
        memcpy(dZ, dlogits, (size_t)(n * net->num_classes) * sizeof(pg_real));
    for (int32_t l = L - 1; l >= 0; l--) {
        const pg_layer *ly = &net->layers[l];
        const pg_real *W = net->params + ly->w_off;
        pg_real *dW = net->grads + ly->w_off, *db = net->grads + ly->b_off;
        /* ReLU mask and bias gradient in one pass (fixed-order sums: thread-independent) */
        pg_relu_bias_grad(dZ, net->Z[l], n, ly->fout, l < L - 1, db);
        if (!ly->aggregate_first) {
            /* The input the forward pass used (dropout is a pure function of its key). */
            const pg_csr *in_csr = NULL;
            const pg_real *in_dense = NULL;
            if (l == 0 && x->sparse) in_csr = net->cfg.dropout > 0 ? &net->xdrop : x->csr;
            else in_dense = net->H[l] ? net->H[l] : l == 0 ? x->dense : net->Z[l - 1];
            /* Z = A (H W): dT (n, fout) = A^T dZ; dW = H^T dT; dH (n, fin) = dT W^T */
            PG_TRY(aggregate_t(net, g, dZ, ly->fout, tmp));
            if (in_csr) be->spmm_t(in_csr, tmp, ly->fout, 0, dW);
            else be->gemm(1, 0, ly->fin, ly->fout, n, 1, in_dense, ly->fin, tmp, ly->fout, 0, dW,
                          ly->fout);
            if (l > 0)
                be->gemm(0, 1, n, ly->fin, ly->fout, 1, tmp, ly->fout, W, ly->fout, 0, dZ, ly->fin);
        } else {
            /* Z = (A H) W: dW = T^T dZ; dT (n, fin) = dZ W^T; dH = A^T dT */
            be->gemm(1, 0, ly->fin, ly->fout, n, 1, net->T[l], ly->fin, dZ, ly->fout, 0, dW,
                     ly->fout);
            if (l > 0) {
                be->gemm(0, 1, n, ly->fin, ly->fout, 1, dZ, ly->fout, W, ly->fout, 0, tmp, ly->fin);
                PG_TRY(aggregate_t(net, g, tmp, ly->fin, dZ));
            }
        }
        if (l > 0 && net->cfg.dropout > 0) {
            pg_dropout_key key = {net->cfg.seed, epoch, (uint32_t)l, net->cfg.dropout};
            pg_dropout_dense(&key, dZ, dZ, n, ly->fin, g->row0, g->gid);
        }
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
