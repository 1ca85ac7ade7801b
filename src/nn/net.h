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

/* The aggregation operator of a layer: A_hat (n, n) over the rows held here. */
typedef struct pg_graph {
    const pg_csr *adj;
    int symmetric;     /* adj == adj^T: backward reuses spmm instead of spmm_t */
    int64_t row0;      /* global id of local row 0 (dropout keys use global ids) */
} pg_graph;

typedef struct pg_layer {
    int64_t fin, fout;
    int aggregate_first;   /* (A H) W when the input is dense and narrower than the output */
    int64_t w_off, b_off;  /* W: (fin, fout) and b: (fout) within the parameter buffer */
} pg_layer;

typedef struct pg_net {
    pargnn_config cfg;
    int32_t num_layers;
    int64_t in_dim, num_classes;
    int input_sparse;
    pg_layer *layers;

    int64_t num_params;
    pg_real *params, *grads, *adam_m, *adam_v, *decay; /* num_params each */

    /* Workspace for n rows, allocated once by pg_net_workspace. */
    int64_t n, max_dim;
    pg_real **Z;       /* per layer: output (n, fout), after ReLU on hidden layers */
    pg_real **H;       /* per layer >= 1: dropped input (n, fin); NULL if no dropout */
    pg_real **T;       /* per aggregate-first layer: A H (n, fin) */
    pg_real *xval;     /* dropped values of a sparse input (nnz) */
    pg_csr xdrop;      /* view of the sparse input with xval as values */
    pg_real *gA, *gB;  /* gradient scratch (n, max_dim) each */
    int64_t xnnz;
    const pg_backend *be;
} pg_net;

/* Sets up layers and parameters (Glorot uniform weights keyed by seed, zero biases). */
pargnn_status pg_net_init(pg_net *net, const pargnn_config *cfg, int64_t in_dim,
                          int64_t num_classes, int input_sparse, const pg_backend *be);
/* Workspace for n rows; xnnz: non-zeros of a sparse input (0 when dense). */
pargnn_status pg_net_workspace(pg_net *net, int64_t n, int64_t xnnz);
void pg_net_free(pg_net *net);

/* Forward over every row. training: apply dropout keyed by epoch. Returns the logits
 * (n, num_classes), owned by the net. */
const pg_real *pg_net_forward(pg_net *net, const pg_graph *g, const pg_input *x, int training,
                              uint32_t epoch);
/* Backward from dlogits (n, num_classes) of the last forward (same epoch, training = 1):
 * fills net->grads. dlogits may be net->gA. */
void pg_net_backward(pg_net *net, const pg_graph *g, const pg_input *x, const pg_real *dlogits,
                     uint32_t epoch);
/* One Adam step (t >= 1) with the configured learning rate and weight decay. */
void pg_net_adam(pg_net *net, int64_t t);

/* A_hat = D^-1/2 (A + I) D^-1/2 with exactly one self-loop of weight 1 per node (added
 * where missing, as PyG's add_remaining_self_loops), D the degree of A + I. */
pargnn_status pg_gcn_normalize(const pg_csr *adj, pg_csr *out);

#endif
