/*
 * The network: layers, their parameters in one contiguous buffer (with gradients and Adam
 * moments in buffers of the same layout, so the optimizer step and a future gradient
 * allreduce are one call each), and the forward/backward passes over a full graph.
 * It knows nothing of files or of where rows live: a caller passes the aggregation
 * operator and the input features of the rows it holds.
 */
#ifndef PG_NET_H
#define PG_NET_H

#include "core/pg.h"
#include "ops/ops.h"

/* The model's input features: dense (n, f) or CSR (n, f). */
typedef struct pg_input {
    int sparse;
    int64_t n, f;
    const pg_real *dense;
    const pg_csr *csr;
} pg_input;

/* Filling the halo: rows [n_own, n_own + n_halo) of a matrix X (row stride f) receive
 * copies of rows owned by other processes. begin posts the transfers and returns at once;
 * end completes them. Between the two the caller works on rows that need no halo row. */
typedef struct pg_exchange {
    pargnn_status (*begin)(void *ctx, pg_real *X, int64_t f);
    pargnn_status (*end)(void *ctx, pg_real *X, int64_t f);
    /* The reverse: the halo rows of X are sent to their owners, who add them into their
     * owned rows (a transposed product that scattered into halo rows finishes with it).
     * Blocking; sums in a fixed order. */
    pargnn_status (*reduce)(void *ctx, pg_real *X, int64_t f);
    /* The same on doubles (--reproducible: partial sums travel unrounded). */
    pargnn_status (*reduce64)(void *ctx, double *X, int64_t f);
    /* x (count) = its sum over the processes (batch statistics). */
    pargnn_status (*sum)(void *ctx, double *x, int64_t count);
    void *ctx;
} pg_exchange;

/* The aggregation operator of a layer over the rows held here, restricted to the n_own
 * owned rows, with columns over owned (0 .. n_own-1) then halo nodes. It is
 * diag(lscale) S with S a structure whose values are 1 (SAGE's mean, GIN's sum) or GCN's
 * D^-1/2 (A + I) D^-1/2 (the symmetric scaling folded into the values, lscale NULL).
 * When S is symmetric, the transpose is S diag(lscale): scale the owned rows, exchange
 * the halo (owners send rows already scaled) and reuse the forward product. */
typedef struct pg_graph {
    const pg_csr *adj;       /* (n_own, n_own + n_halo) */
    int symmetric;           /* S == S^T globally: backward exchanges and reuses spmm */
    const pg_real *lscale;   /* n_own row scales (the mean's 1 / degree), or NULL */
    int64_t row0;            /* global id of local row 0 when gid is NULL */
    const int32_t *gid;      /* global id of every owned then halo row (dropout keys), or
                                NULL (row0 + i) */
    int64_t n_halo;          /* halo rows appended below the owned ones */
    const pg_exchange *ex;   /* NULL in a single process */
    /* With ex: the owned rows split into those with no halo column (computed while the
     * halo is in flight) and the rest; each a CSR of its own (rowptr from 0). */
    const pg_csr *adj_inner, *adj_outer;
} pg_graph;

/* A batch or layer normalisation over the f columns of an (n, f) matrix (nn/epilogue.c):
 * xhat = (z - mean) / sqrt(var + 1e-5), y = gamma xhat + beta. A hidden layer's epilogue
 * may have one, and a GIN layer a second inside its MLP. */
typedef struct pg_norm_site {
    pargnn_norm kind;       /* PARGNN_NORM_*; NONE: absent (offsets -1) */
    int64_t f;
    int64_t g_off, b_off;   /* scale gamma and shift beta (f each) */
    int64_t rm_off, rv_off; /* batch: running mean and variance (f each), kept in the
                               parameter buffer with zero gradient and no decay, so Adam
                               leaves them alone and checkpoints carry them; else -1 */
} pg_norm_site;

/* What a normalisation keeps for backward. */
typedef struct pg_norm_state {
    pg_real *xhat;          /* normalised values (n, f) */
    pg_real *stat;          /* batch: 1/std per column (f); layer: 1/std per row (n) */
} pg_norm_state;

/* A layer's kind is the model's (cfg.model); its parameters are views (offsets) into the
 * one parameter buffer:
 *   GCN:  Z = A_hat H W + b                       W (fin, fout), b (fout)
 *   SAGE: Z = mean(H) W + H W_self + b            W, W_self (fin, fout), b (fout)
 *   GIN:  Z = relu(norm(((1+eps) H + sum(H)) W + b)) W2 + b2
 *                                                 W (fin, mid), b (mid; none before a
 *                                                 batch norm), W2 (mid, fout), b2 (fout),
 *                                                 eps (1, when learned); norm: mlp_norm
 *   GAT:  P = H W; per head k: Z_k = att_k P_k    W (fin, heads*hw), a_src, a_dst
 *         (att: nn/gat.c), heads concatenated     (heads*hw), b (fout)
 *         (fout = heads*hw) or averaged (fout = hw)
 * followed by ReLU (GAT: ELU) on hidden layers. mid = hidden. */
typedef struct pg_layer {
    pargnn_model_kind kind;
    int64_t fin, fout, mid;
    int aggregate_first;   /* aggregate the narrow side: (A H) W when the dense input is
                              narrower than W's output (fout, or mid for GIN) */
    int64_t w_off, b_off;  /* W and b within the parameter buffer */
    int64_t ws_off;        /* SAGE: W_self; else -1 */
    int64_t w2_off, b2_off;/* GIN: second linear; else -1 */
    int64_t eps_off;       /* GIN with a learned eps; else -1 (eps fixed at 0) */
    int64_t heads, hw;     /* GAT: heads and the width of each; else 0 */
    int64_t as_off, ad_off;/* GAT: attention vectors a_src, a_dst (heads*hw each); else -1 */
    /* Epilogue of a hidden layer (nn/epilogue.c), in this order after the bias:
     * L2 row normalisation (SAGE), batch or layer norm, activation, residual. */
    int l2norm;            /* SAGE --sage-normalize */
    pg_norm_site norm;     /* over the conv's output (fout); kind NONE on the output layer */
    int residual;          /* add the layer's (undropped) input: fin == fout, 0 < l < L-1 */
    pg_norm_site mlp_norm; /* GIN: inside the MLP (mid), every layer; else kind NONE */
} pg_layer;

/* What the epilogue of a hidden layer keeps for backward. */
typedef struct pg_epilogue_state {
    pg_real *l2y, *l2n;    /* L2 normalisation: output rows (n, fout), row norms (n) */
    pg_norm_state norm;    /* the layer's norm */
    pg_norm_state mlp;     /* GIN: the norm inside its MLP */
    pg_real *act;          /* residual: the activation's output (n, fout) */
} pg_epilogue_state;

/* GAT's per-edge state: the operator's edges in one CSR over the owned rows (both halves
 * of a distributed operator, inner rows first), its transpose (per column, the edges in
 * row order: gathers instead of scatters, so any thread count sums in the same order), and
 * per layer the attention coefficients. Built at the first forward over a graph. */
typedef struct pg_gat_state {
    const void *key[2];      /* the operator it was built for */
    int64_t n, rows, nnz;
    int64_t *rowptr;         /* (n + 1) */
    int32_t *col;            /* (nnz) */
    int64_t *tptr;           /* (rows + 1), rows = n + n_halo */
    int32_t *trow;           /* (nnz): the row of each edge, grouped by column */
    int64_t *tedge;          /* (nnz): its index in col */
    pg_real **alpha;         /* per layer (nnz, heads): softmax coefficients */
    pg_real **alpha_d;       /* per layer (nnz, heads): after attention dropout (training) */
    int *dropped;            /* per layer: alpha_d holds dropped values (else use alpha) */
    pg_real **score;         /* per layer: s_src (rows, heads) then s_dst (n, heads) */
    pg_real **msg;           /* per layer (rows, heads*hw): P after the message dropout */
    int *msg_dropped;        /* per layer: the last forward used msg */
    pg_real *edge_tmp;       /* (nnz, max heads): score gradients */
    pg_real *ds;             /* (rows + n, max heads): score-vector gradients */
    double *g64;             /* --reproducible: (rows, max width + max heads) source sums */
    double *part64;          /* (64 + 1, max width): attention-vector gradient partials */
} pg_gat_state;

typedef struct pg_net {
    pargnn_config cfg;
    int32_t num_layers;
    int64_t in_dim, num_classes;
    int input_sparse;
    pg_layer *layers;

    int64_t num_params;
    pg_real *params, *grads, *adam_m, *adam_v, *decay; /* num_params each */
    double *grads64;   /* cfg.reproducible: the gradients summed in double (num_params),
                          rounded into grads by pg_net_round_grads after the sum over
                          processes; else NULL */

    /* Workspace for n owned rows (+ n_halo rows below them in every matrix that is
     * aggregated), allocated once by pg_net_workspace. */
    int64_t n, n_halo, max_dim;
    pg_real **Z;       /* per layer: output (n, fout), after ReLU on hidden layers */
    pg_real **H;       /* per layer: dropped or copied input when the layer needs its own
                          copy (dropout, or aggregate-first); else NULL. (n + n_halo, fin)
                          when the layer aggregates first (H is aggregated), else (n, fin) */
    pg_real **T;       /* per aggregate-first layer: A H (n, fin) (GIN: (1+eps) H + A H);
                          GIN transform-first: P = H W (n + n_halo, mid) */
    pg_real **R;       /* GIN: hidden activations of the MLP (n, mid); else NULL */
    pg_real *gC;       /* SAGE: self-term input gradient (n, max_dim); else NULL */
    pg_real *xval;     /* dropped values of a sparse input (nnz) */
    pg_csr xdrop;      /* view of the sparse input with xval as values */
    pg_real *gA, *gB;  /* gradient scratch (n + n_halo, max_dim) each */
    int64_t xnnz;
    const pg_backend *be;
    pg_gat_state gat;  /* GAT only */
    pg_epilogue_state *epi; /* per layer */
    pg_real *gR;       /* residual: the output gradient kept for the input (n, max_dim) */
    double *colsum;    /* column-sum partials (64 x max_dim) */
    double *normsum;   /* norm statistics being summed (2 max_dim + 1) */
} pg_net;

/* Parameters of a model of this shape (pg_net_init's layout), or -1 past 2^62. */
int64_t pg_net_param_count(const pargnn_config *cfg, int64_t in_dim, int64_t num_classes);
/* Sets up layers and parameters (Glorot uniform weights keyed by seed, zero biases). */
pargnn_status pg_net_init(pg_net *net, const pargnn_config *cfg, int64_t in_dim,
                          int64_t num_classes, int input_sparse, const pg_backend *be);
/* Workspace for n owned rows and n_halo halo rows; xnnz: non-zeros of a sparse input. */
pargnn_status pg_net_workspace(pg_net *net, int64_t n, int64_t n_halo, int64_t xnnz);
void pg_net_free(pg_net *net);

/* Forward over every owned row. training: apply dropout keyed by epoch. *logits gets the
 * output (n, num_classes), owned by the net. Fails only when a halo exchange fails. */
pargnn_status pg_net_forward(pg_net *net, const pg_graph *g, const pg_input *x, int training,
                             uint32_t epoch, const pg_real **logits);
/* Backward from dlogits (n, num_classes) of the last forward (same epoch, training = 1):
 * fills net->grads (cfg.reproducible: net->grads64) with this process's share (a caller
 * with several processes sums them).
 * dlogits may be net->gA. */
pargnn_status pg_net_backward(pg_net *net, const pg_graph *g, const pg_input *x,
                              const pg_real *dlogits, uint32_t epoch);
/* With cfg.reproducible: grads = grads64 rounded once (after the caller has summed grads64
 * over the processes). Else nothing. */
void pg_net_round_grads(pg_net *net);
/* One Adam step (t >= 1) with the configured learning rate and weight decay. */
void pg_net_adam(pg_net *net, int64_t t);

/* A_hat = D^-1/2 (A + I) D^-1/2 with exactly one self-loop of weight 1 per node (added
 * where missing, as PyG's add_remaining_self_loops), D the degree of A + I. */
pargnn_status pg_gcn_normalize(const pg_csr *adj, pg_csr *out);
/* The structure of A with values 1 (SAGE's mean before its row scales, GIN's sum): the
 * adjacency as stored, a self-loop in the data kept once, none added. */
pargnn_status pg_adj_structure(const pg_csr *adj, pg_csr *out);
/* The operator each model trains on, built from a stored adjacency: GCN's A_hat; GAT's
 * A + I with one self-loop per node (the same structure; values unused); otherwise A. */
pargnn_status pg_model_operator(pargnn_model_kind model, const pg_csr *adj, pg_csr *out);

#endif
