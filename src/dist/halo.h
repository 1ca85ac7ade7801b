/*
 * The halo exchange plan of one rank: which owned rows each neighbour rank needs (sent,
 * packed once per destination) and where each neighbour's rows land (a contiguous block of
 * halo rows below the owned ones). It implements pg_exchange for the network's layers and
 * counts bytes and time for the report.
 */
#ifndef PG_HALO_H
#define PG_HALO_H

#include "dist/comm.h"
#include "nn/net.h"

typedef struct pg_halo {
    pg_comm *comm;
    int64_t n_own, n_halo;
    int nnbr;                 /* neighbour ranks, ascending */
    int32_t *nbr;
    int64_t *recv_cnt;        /* per neighbour: halo rows it sends us (consecutive blocks) */
    int64_t *send_cnt;        /* per neighbour: rows we send it */
    int32_t *send_idx;        /* owned local rows to send, grouped by neighbour */
    int64_t send_total;
    pg_real *send_buf;        /* send_total x max_f */
    double *buf64;            /* send_total x buf64_f: double reductions (made on first use) */
    int64_t buf64_f;
    int64_t max_f;
    pg_comm_req *req;         /* 2 * nnbr */
    pg_exchange ex;
    /* Accumulated over exchanges (reset by the caller per epoch if wanted). */
    double t_comm_ms, t_wait_ms;
    int64_t bytes_sent, bytes_recv, exchanges;
} pg_halo;

/* Takes ownership of nbr, recv_cnt, send_cnt, send_idx (malloc'ed). max_f: widest row. */
pargnn_status pg_halo_init(pg_halo *h, pg_comm *comm, int64_t n_own, int64_t n_halo, int nnbr,
                           int32_t *nbr, int64_t *recv_cnt, int64_t *send_cnt,
                           int32_t *send_idx, int64_t max_f);
void pg_halo_free(pg_halo *h);

#endif
