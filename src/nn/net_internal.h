/*
 * What the layer files of the network share (net.c and gat.c): a layer's input as the
 * forward pass saw it, and the dense transform with its weight gradient. Not a public
 * interface: layers only.
 */
#ifndef PG_NET_INTERNAL_H
#define PG_NET_INTERNAL_H

#include "nn/net.h"

/* The (possibly dropped) input of a layer: a dense pointer or a CSR view. */
typedef struct layer_in {
    const pg_real *dense; /* (n, fin) */
    const pg_csr *csr;    /* (n, fin) */
} layer_in;

/* Y (n, fout) = in W + beta Y, for a dense or sparse input. */
void pg_net_transform(const pg_net *net, const layer_in *in, const pg_real *W, int64_t fin,
                      int64_t fout, pg_real beta, pg_real *Y);
/* Parameter gradients: every one is a sum over rows. They land at offset off of
 * net->grads, or with cfg.reproducible of net->grads64, summed in double (the backend's
 * *64 kernels), so that however the rows are split among processes the sums agree to
 * about 1e-16 and round to the same reals almost always. */
/* (fin, fout) at off = in^T dY (n, fout), for the dense or sparse input the forward used. */
void pg_net_transform_grad(const pg_net *net, const layer_in *in, const pg_real *dY,
                           int64_t fin, int64_t fout, int64_t off);
/* The same for a dense (n, fin) input A. */
void pg_net_dense_grad(const pg_net *net, const pg_real *A, const pg_real *dY, int64_t fin,
                       int64_t fout, int64_t off);
/* dZ (n, f) = dropout(dZ) under drop (NULL: none; rows keyed as graph g's), then
 * dZ *= (Z > 0) when relu; then (f) at off (off < 0: none) = column sums of dZ. */
void pg_net_bias_grad(const pg_net *net, pg_real *dZ, const pg_real *Z, int64_t n, int64_t f,
                      int relu, int64_t off, const pg_dropout_key *drop, const pg_graph *g);
/* One value at off, computed in double. */
void pg_net_set_grad(const pg_net *net, int64_t off, double v);

/* GAT (gat.c). forward: Z[l] (n, fout) before bias and activation; training applies the
 * attention dropout keyed by epoch. backward: from dZ (n, fout) with the bias and ELU
 * gradients taken (epoch: the forward's); fills the layer's parameter gradients and, for l > 0, leaves the input
 * gradient (n, fin) in *dH. tmp: scratch of (n + n_halo, max_dim). */
pargnn_status pg_gat_forward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                             int training, uint32_t epoch);
pargnn_status pg_gat_backward(pg_net *net, const pg_graph *g, const layer_in *in, int l,
                              pg_real *dZ, pg_real *tmp, pg_real **dH, uint32_t epoch);
void pg_gat_free(pg_gat_state *s, int32_t layers);

/* The epilogue of layer l (epilogue.c) on Z[l] (n, fout): bias, then on hidden layers the
 * L2 normalisation, norm, activation (ReLU; GAT: ELU) and residual the layer has. fused:
 * the layer applied it already, as pg_epilogue_fusable allowed (nothing is left to do). */
pargnn_status pg_epilogue_forward(pg_net *net, const pg_graph *g, int l, int training, int fused);
/* 1 when layer l's epilogue is only a bias and, on a hidden layer, a ReLU, which its last
 * product can apply as it stores Z[l]: *e is that epilogue. 0 otherwise (a norm, the L2
 * normalisation, a residual or ELU follow). */
int pg_epilogue_fusable(const pg_net *net, int l, pg_gemm_epi *e);
/* Its backward on dZ (n, fout) in place, down to the gradient of the conv's output; the
 * bias and norm parameter gradients are this process's shares. drop (NULL: none): dZ
 * still needs the gradient of the next layer's input dropout, taken first (fused into
 * the ReLU's pass where the epilogue is plain). With a residual, dZ is then copied to
 * net->gR for the layer's input. */
pargnn_status pg_epilogue_backward(pg_net *net, const pg_graph *g, int l, pg_real *dZ,
                                   const pg_dropout_key *drop);
/* Batch or layer norm of site ns over Z (n, ns->f) in place, keeping what backward needs in
 * e; batch statistics are summed over every process (training) or are the running ones. */
pargnn_status pg_norm_forward(pg_net *net, const pg_graph *g, const pg_norm_site *ns,
                              pg_norm_state *e, pg_real *Z, int training);
/* Its backward: gamma's and beta's gradients (this process's share), and dY (n, ns->f)
 * becomes the gradient of the norm's input. */
pargnn_status pg_norm_backward(pg_net *net, const pg_graph *g, const pg_norm_site *ns,
                               const pg_norm_state *e, pg_real *dY);
/* Workspace of the epilogues (called by pg_net_workspace), and its release. */
pargnn_status pg_epilogue_workspace(pg_net *net);
void pg_epilogue_free(pg_net *net);

#endif
