/*
 * The communicator: rank, size, reductions and the halo exchange's point-to-point
 * transfers. With MPI (built when found, used when the process runs under an MPI launcher)
 * it wraps MPI_COMM_WORLD with errors returned, never fatal; otherwise it is one process
 * and every collective is a no-op. Every MPI call is checked and turned into a status.
 */
#ifndef PG_COMM_H
#define PG_COMM_H

#include "core/pg.h"

struct pargnn_comm {
    int rank, size;
    int mpi;             /* 1: MPI was initialised by pargnn_comm_init and is in use */
    void *world;         /* MPI_Comm *, when mpi */
};

typedef struct pargnn_comm pg_comm;

/* Sums count values element-wise over all ranks, in place. */
pargnn_status pg_comm_sum_real(pg_comm *c, pg_real *buf, int64_t count);
pargnn_status pg_comm_sum_f64(pg_comm *c, double *buf, int64_t count);
pargnn_status pg_comm_sum_i64(pg_comm *c, int64_t *buf, int64_t count);
pargnn_status pg_comm_max_f64(pg_comm *c, double *buf, int64_t count);
/* Broadcasts bytes from root. */
pargnn_status pg_comm_bcast(pg_comm *c, void *buf, int64_t bytes, int root);
/* Gathers count doubles from every rank into out (size * count) on root. */
pargnn_status pg_comm_gather_f64(pg_comm *c, const double *in, int64_t count, double *out, int root);

/* Point-to-point rows for the halo exchange: requests live in an opaque array made by
 * pg_comm_requests (n of them). Transfers are of `rows` rows of f reals each. */
typedef struct pg_comm_req pg_comm_req;
pg_comm_req *pg_comm_requests(int n);
void pg_comm_requests_free(pg_comm_req *r);
pargnn_status pg_comm_irecv_rows(pg_comm *c, pg_real *buf, int64_t rows, int64_t f, int src,
                                 pg_comm_req *r, int k);
pargnn_status pg_comm_isend_rows(pg_comm *c, const pg_real *buf, int64_t rows, int64_t f,
                                 int dst, pg_comm_req *r, int k);
/* Completes request k (posted by one of the two calls above). */
pargnn_status pg_comm_wait(pg_comm *c, pg_comm_req *r, int k);

#endif
