/*
 * Non-blocking halo exchange: begin posts one receive per neighbour straight into its block
 * of halo rows, packs each destination's rows once and posts the sends; end waits. The
 * layers compute the rows without halo neighbours in between (see aggregate in nn/net.c).
 */
#include <stdlib.h>
#include <string.h>

#include "dist/halo.h"

static pargnn_status halo_begin(void *ctx, pg_real *X, int64_t f) {
    pg_halo *h = ctx;
    const double t0 = pg_now_ms();
    if (f > h->max_f)
        return pg_error(PARGNN_STATUS_INTERNAL, "halo exchange of width %lld > planned %lld",
                        (long long)f, (long long)h->max_f);
    pg_real *halo = X + h->n_own * f;
    int64_t off = 0;
    for (int k = 0; k < h->nnbr; k++) {
        if (h->recv_cnt[k] > 0)
            PG_TRY(pg_comm_irecv_rows(h->comm, halo + off * f, h->recv_cnt[k], f, h->nbr[k], h->req, k));
        off += h->recv_cnt[k];
    }
    /* Pack: rows for one destination are contiguous in send_buf. */
    const int64_t total = h->send_total;
#pragma omp parallel for schedule(static) if (total * f >= 65536)
    for (int64_t r = 0; r < total; r++)
        memcpy(h->send_buf + r * f, X + (int64_t)h->send_idx[r] * f, (size_t)f * sizeof(pg_real));
    off = 0;
    for (int k = 0; k < h->nnbr; k++) {
        if (h->send_cnt[k] > 0)
            PG_TRY(pg_comm_isend_rows(h->comm, h->send_buf + off * f, h->send_cnt[k], f, h->nbr[k],
                                      h->req, h->nnbr + k));
        off += h->send_cnt[k];
    }
    h->bytes_sent += total * f * (int64_t)sizeof(pg_real);
    h->bytes_recv += h->n_halo * f * (int64_t)sizeof(pg_real);
    h->exchanges++;
    h->t_comm_ms += pg_now_ms() - t0;
    return PARGNN_STATUS_OK;
}

static pargnn_status halo_end(void *ctx, pg_real *X, int64_t f) {
    (void)X, (void)f;
    pg_halo *h = ctx;
    const double t0 = pg_now_ms();
    /* Wait on the posted requests only (zero-count transfers were not posted). */
    for (int k = 0; k < h->nnbr; k++) {
        if (h->recv_cnt[k] > 0) PG_TRY(pg_comm_wait(h->comm, h->req, k));
        if (h->send_cnt[k] > 0) PG_TRY(pg_comm_wait(h->comm, h->req, h->nnbr + k));
    }
    const double dt = pg_now_ms() - t0;
    h->t_wait_ms += dt;
    h->t_comm_ms += dt;
    return PARGNN_STATUS_OK;
}

/* The reverse of begin/end: each neighbour's block of halo rows goes back to it (its
 * owner), which receives into buf (the layout of its send lists). X holds rows of w reals
 * on the wire (a row of f doubles is 2f floats' bytes: sent unconverted). */
static pargnn_status reduce_transfer(pg_halo *h, void *X, int64_t w, pg_real *buf) {
    int64_t off = 0;
    for (int k = 0; k < h->nnbr; k++) {
        if (h->send_cnt[k] > 0)
            PG_TRY(pg_comm_irecv_rows(h->comm, buf + off * w, h->send_cnt[k], w, h->nbr[k], h->req, k));
        off += h->send_cnt[k];
    }
    const pg_real *halo = (const pg_real *)X + h->n_own * w;
    off = 0;
    for (int k = 0; k < h->nnbr; k++) {
        if (h->recv_cnt[k] > 0)
            PG_TRY(pg_comm_isend_rows(h->comm, halo + off * w, h->recv_cnt[k], w, h->nbr[k], h->req,
                                      h->nnbr + k));
        off += h->recv_cnt[k];
    }
    const double tw = pg_now_ms();
    for (int k = 0; k < h->nnbr; k++) {
        if (h->send_cnt[k] > 0) PG_TRY(pg_comm_wait(h->comm, h->req, k));
        if (h->recv_cnt[k] > 0) PG_TRY(pg_comm_wait(h->comm, h->req, h->nnbr + k));
    }
    h->t_wait_ms += pg_now_ms() - tw;
    h->bytes_sent += h->n_halo * w * (int64_t)sizeof(pg_real);
    h->bytes_recv += h->send_total * w * (int64_t)sizeof(pg_real);
    h->exchanges++;
    return PARGNN_STATUS_OK;
}

/* The reverse exchange: every owner adds the rows it receives into the owned rows they
 * name, neighbours in ascending order: a fixed summation order. */
static pargnn_status halo_reduce(void *ctx, pg_real *X, int64_t f) {
    pg_halo *h = ctx;
    const double t0 = pg_now_ms();
    if (f > h->max_f)
        return pg_error(PARGNN_STATUS_INTERNAL, "halo reduction of width %lld > planned %lld",
                        (long long)f, (long long)h->max_f);
    PG_TRY(reduce_transfer(h, X, f, h->send_buf));
    /* an owned row may be sent to several neighbours: rows in order, columns in parallel */
    const int64_t total = h->send_total;
#pragma omp parallel for schedule(static) if (total * f >= 65536 && f >= 16)
    for (int64_t j = 0; j < f; j++)
        for (int64_t r = 0; r < total; r++) X[(int64_t)h->send_idx[r] * f + j] += h->send_buf[r * f + j];
    h->t_comm_ms += pg_now_ms() - t0;
    return PARGNN_STATUS_OK;
}

/* The same on doubles (--reproducible), through a double buffer made at the first call. */
static pargnn_status halo_reduce64(void *ctx, double *X, int64_t f) {
    pg_halo *h = ctx;
    const double t0 = pg_now_ms();
    const int64_t w = f * (int64_t)(sizeof(double) / sizeof(pg_real)); /* reals on the wire */
    const int64_t total = h->send_total;
    if (f > h->buf64_f) {
        size_t cnt;
        if (!pg_mul_ok((size_t)(total > 0 ? total : 1), (size_t)f, &cnt))
            return pg_error(PARGNN_STATUS_NO_MEMORY, "halo reduction buffer size overflows");
        pg_free(h->buf64);
        h->buf64_f = 0;
        if (!(h->buf64 = pg_alloc(cnt, sizeof(double), "halo double reduction buffer")))
            return PARGNN_STATUS_NO_MEMORY;
        h->buf64_f = f;
    }
    PG_TRY(reduce_transfer(h, X, w, (pg_real *)h->buf64));
#pragma omp parallel for schedule(static) if (total * f >= 65536 && f >= 16)
    for (int64_t j = 0; j < f; j++)
        for (int64_t r = 0; r < total; r++) X[(int64_t)h->send_idx[r] * f + j] += h->buf64[r * f + j];
    h->t_comm_ms += pg_now_ms() - t0;
    return PARGNN_STATUS_OK;
}

static pargnn_status halo_sum(void *ctx, double *x, int64_t count) {
    pg_halo *h = ctx;
    const double t0 = pg_now_ms();
    pargnn_status s = pg_comm_sum_f64(h->comm, x, count);
    h->t_comm_ms += pg_now_ms() - t0;
    return s;
}

pargnn_status pg_halo_init(pg_halo *h, pg_comm *comm, int64_t n_own, int64_t n_halo, int nnbr,
                           int32_t *nbr, int64_t *recv_cnt, int64_t *send_cnt,
                           int32_t *send_idx, int64_t max_f) {
    memset(h, 0, sizeof *h);
    h->comm = comm;
    h->n_own = n_own;
    h->n_halo = n_halo;
    h->nnbr = nnbr;
    h->nbr = nbr;
    h->recv_cnt = recv_cnt;
    h->send_cnt = send_cnt;
    h->send_idx = send_idx;
    h->max_f = max_f;
    for (int k = 0; k < nnbr; k++) h->send_total += send_cnt[k];
    h->req = pg_comm_requests(2 * nnbr);
    size_t cnt;
    if (!pg_mul_ok((size_t)(h->send_total > 0 ? h->send_total : 1), (size_t)max_f, &cnt))
        return pg_error(PARGNN_STATUS_NO_MEMORY, "halo send buffer size overflows");
    h->send_buf = pg_alloc(cnt, sizeof(pg_real), "halo send buffer");
    if (!h->req || !h->send_buf) return PARGNN_STATUS_NO_MEMORY;
    h->ex.begin = halo_begin;
    h->ex.end = halo_end;
    h->ex.reduce = halo_reduce;
    h->ex.reduce64 = halo_reduce64;
    h->ex.sum = halo_sum;
    h->ex.ctx = h;
    return PARGNN_STATUS_OK;
}

void pg_halo_free(pg_halo *h) {
    if (!h) return;
    free(h->nbr);
    free(h->recv_cnt);
    free(h->send_cnt);
    free(h->send_idx);
    pg_free(h->send_buf);
    pg_free(h->buf64);
    pg_comm_requests_free(h->req);
    memset(h, 0, sizeof *h);
}
