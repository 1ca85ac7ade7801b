/*
 * pg_comm over MPI (when built with it) or over a single process. MPI errors are set to
 * return (MPI_ERRORS_RETURN) and each call's code becomes a status whose message names the
 * call and rank; the caller (the CLI) then aborts the job so no rank waits forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/comm.h"

#ifdef PARGNN_HAVE_MPI
#include <mpi.h>

#ifdef PARGNN_REAL_DOUBLE
#define PG_MPI_REAL MPI_DOUBLE
#else
#define PG_MPI_REAL MPI_FLOAT
#endif

static pargnn_status mpi_check(int rc, const char *call, const pg_comm *c) {
    if (rc == MPI_SUCCESS) return PARGNN_STATUS_OK;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return pg_error(PARGNN_STATUS_INTERNAL, "rank %d: %s failed: %s", c->rank, call, msg);
}
#define WORLD(c) (*(MPI_Comm *)(c)->world)
#endif

/* MPI counts are int: reduce in chunks so > 2^31 values stay correct. */
#define PG_MPI_CHUNK ((int64_t)1 << 28)

static pargnn_status reduce(pg_comm *c, void *buf, int64_t count, size_t elem, int kind) {
    if (!c || c->size <= 1 || count == 0) return PARGNN_STATUS_OK;
#ifdef PARGNN_HAVE_MPI
    static const char *const names[] = {"MPI_Allreduce(real)", "MPI_Allreduce(double)",
                                        "MPI_Allreduce(int64)", "MPI_Allreduce(max)"};
    MPI_Datatype t = kind == 0 ? PG_MPI_REAL : kind == 2 ? MPI_INT64_T : MPI_DOUBLE;
    MPI_Op op = kind == 3 ? MPI_MAX : MPI_SUM;
    for (int64_t off = 0; off < count; off += PG_MPI_CHUNK) {
        int64_t k = count - off < PG_MPI_CHUNK ? count - off : PG_MPI_CHUNK;
        PG_TRY(mpi_check(MPI_Allreduce(MPI_IN_PLACE, (char *)buf + (size_t)off * elem, (int)k, t,
                                       op, WORLD(c)),
                         names[kind], c));
    }
    return PARGNN_STATUS_OK;
#else
    (void)buf, (void)elem, (void)kind;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

pargnn_status pg_comm_sum_real(pg_comm *c, pg_real *buf, int64_t count) {
    return reduce(c, buf, count, sizeof *buf, 0);
}
pargnn_status pg_comm_sum_f64(pg_comm *c, double *buf, int64_t count) {
    return reduce(c, buf, count, sizeof *buf, 1);
}
pargnn_status pg_comm_sum_i64(pg_comm *c, int64_t *buf, int64_t count) {
    return reduce(c, buf, count, sizeof *buf, 2);
}
pargnn_status pg_comm_max_f64(pg_comm *c, double *buf, int64_t count) {
    return reduce(c, buf, count, sizeof *buf, 3);
}

pargnn_status pg_comm_bcast(pg_comm *c, void *buf, int64_t bytes, int root) {
    if (!c || c->size <= 1 || bytes == 0) return PARGNN_STATUS_OK;
#ifdef PARGNN_HAVE_MPI
    for (int64_t off = 0; off < bytes; off += PG_MPI_CHUNK) {
        int64_t k = bytes - off < PG_MPI_CHUNK ? bytes - off : PG_MPI_CHUNK;
        PG_TRY(mpi_check(MPI_Bcast((char *)buf + off, (int)k, MPI_BYTE, root, WORLD(c)),
                         "MPI_Bcast", c));
    }
    return PARGNN_STATUS_OK;
#else
    (void)buf, (void)root;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

pargnn_status pg_comm_gather_f64(pg_comm *c, const double *in, int64_t count, double *out, int root) {
    if (!c || c->size <= 1) {
        memcpy(out, in, (size_t)count * sizeof *in);
        return PARGNN_STATUS_OK;
    }
#ifdef PARGNN_HAVE_MPI
    return mpi_check(MPI_Gather(in, (int)count, MPI_DOUBLE, out, (int)count, MPI_DOUBLE, root,
                                WORLD(c)),
                     "MPI_Gather", c);
#else
    (void)root;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

#ifdef PARGNN_HAVE_MPI
struct pg_comm_req {
    MPI_Request req[1];
};
/* One row type per width, made on first use (transfers count rows, so an int count covers
 * any graph with fewer than 2^31 nodes however wide its rows). */
#define PG_ROW_TYPES 16
static int64_t row_width[PG_ROW_TYPES];
static MPI_Datatype row_type[PG_ROW_TYPES];

static pargnn_status row_datatype(pg_comm *c, int64_t f, MPI_Datatype *t) {
    for (int k = 0; k < PG_ROW_TYPES; k++) {
        if (row_width[k] == f) {
            *t = row_type[k];
            return PARGNN_STATUS_OK;
        }
        if (row_width[k] == 0) {
            if (f > INT32_MAX)
                return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "row width %lld too large for MPI",
                                (long long)f);
            PG_TRY(mpi_check(MPI_Type_contiguous((int)f, PG_MPI_REAL, &row_type[k]),
                             "MPI_Type_contiguous", c));
            PG_TRY(mpi_check(MPI_Type_commit(&row_type[k]), "MPI_Type_commit", c));
            row_width[k] = f;
            *t = row_type[k];
            return PARGNN_STATUS_OK;
        }
    }
    return pg_error(PARGNN_STATUS_INTERNAL, "more than %d distinct row widths", PG_ROW_TYPES);
}
#else
struct pg_comm_req {
    int unused;
};
#endif

pg_comm_req *pg_comm_requests(int n) {
    pg_comm_req *r = calloc((size_t)(n > 0 ? n : 1), sizeof *r);
    if (!r) pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate %d MPI requests", n);
    return r;
}

void pg_comm_requests_free(pg_comm_req *r) { free(r); }

pargnn_status pg_comm_irecv_rows(pg_comm *c, pg_real *buf, int64_t rows, int64_t f, int src,
                                 pg_comm_req *r, int k) {
#ifdef PARGNN_HAVE_MPI
    MPI_Datatype t;
    PG_TRY(row_datatype(c, f, &t));
    return mpi_check(MPI_Irecv(buf, (int)rows, t, src, 7, WORLD(c), &r[k].req[0]), "MPI_Irecv", c);
#else
    (void)buf, (void)rows, (void)f, (void)src, (void)r, (void)k;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

pargnn_status pg_comm_isend_rows(pg_comm *c, const pg_real *buf, int64_t rows, int64_t f,
                                 int dst, pg_comm_req *r, int k) {
#ifdef PARGNN_HAVE_MPI
    MPI_Datatype t;
    PG_TRY(row_datatype(c, f, &t));
    return mpi_check(MPI_Isend(buf, (int)rows, t, dst, 7, WORLD(c), &r[k].req[0]), "MPI_Isend", c);
#else
    (void)buf, (void)rows, (void)f, (void)dst, (void)r, (void)k;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

pargnn_status pg_comm_wait(pg_comm *c, pg_comm_req *r, int k) {
#ifdef PARGNN_HAVE_MPI
    return mpi_check(MPI_Wait(&r[k].req[0], MPI_STATUS_IGNORE), "MPI_Wait", c);
#else
    (void)r, (void)k;
    return pg_error(PARGNN_STATUS_INTERNAL, "built without MPI but %d ranks", c->size);
#endif
}

/* ------------------------------------------------------------ public API */

static pg_comm pg_self = {0, 1, 0, NULL};

/* Under an MPI launcher? (Open MPI, MPICH/Hydra, PMIx and Slurm set these.) */
static int launched_by_mpi(void) {
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                       "MPI_LOCALNRANKS", NULL};
    for (int k = 0; vars[k]; k++)
        if (getenv(vars[k])) return 1;
    return 0;
}

pargnn_status pargnn_comm_init(int *argc, char ***argv, pargnn_comm_t **out) {
    *out = &pg_self;
    if (!launched_by_mpi()) return PARGNN_STATUS_OK;
#ifdef PARGNN_HAVE_MPI
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return pg_error(PARGNN_STATUS_INTERNAL, "MPI_Init_thread failed");
    pg_comm *c = calloc(1, sizeof *c);
    MPI_Comm *w = malloc(sizeof *w);
    if (!c || !w) {
        free(c), free(w);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "communicator: cannot allocate");
    }
    *w = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(*w, MPI_ERRORS_RETURN);
    MPI_Comm_rank(*w, &c->rank);
    MPI_Comm_size(*w, &c->size);
    c->mpi = 1;
    c->world = w;
    *out = c;
    return PARGNN_STATUS_OK;
#else
    (void)argc, (void)argv;
    return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                    "started by an MPI launcher, but this pargnn was built without MPI "
                    "(install libopenmpi-dev and rebuild)");
#endif
}

int pargnn_comm_rank(const pargnn_comm_t *c) { return c ? c->rank : 0; }
int pargnn_comm_size(const pargnn_comm_t *c) { return c ? c->size : 1; }

pargnn_status pargnn_comm_agree(pargnn_comm_t *c, pargnn_status local) {
    if (!c || c->size <= 1) return local;
#ifdef PARGNN_HAVE_MPI
    /* The lowest (worst) status wins; its lowest rank's message is broadcast so every rank
     * can report the same cause. */
    int mine[2] = {(int)local, c->rank}, worst[2];
    if (MPI_Allreduce(mine, worst, 1, MPI_2INT, MPI_MINLOC, WORLD(c)) != MPI_SUCCESS)
        return pg_error(PARGNN_STATUS_INTERNAL, "rank %d: MPI_Allreduce(status) failed", c->rank);
    if (worst[0] == PARGNN_STATUS_OK) return PARGNN_STATUS_OK;
    char msg[1024];
    if (c->rank == worst[1]) snprintf(msg, sizeof msg, "rank %d: %s", c->rank, pargnn_last_error());
    if (MPI_Bcast(msg, sizeof msg, MPI_CHAR, worst[1], WORLD(c)) != MPI_SUCCESS)
        return pg_error(PARGNN_STATUS_INTERNAL, "rank %d: MPI_Bcast(message) failed", c->rank);
    msg[sizeof msg - 1] = '\0';
    return pg_error((pargnn_status)worst[0], "%s", msg);
#else
    return local;
#endif
}

void pargnn_comm_abort(pargnn_comm_t *c, int code) {
#ifdef PARGNN_HAVE_MPI
    if (c && c->mpi) MPI_Abort(WORLD(c), code);
#else
    (void)c, (void)code;
#endif
}

void pargnn_comm_finalize(pargnn_comm_t *c) {
    if (!c || c == &pg_self) return;
#ifdef PARGNN_HAVE_MPI
    if (c->mpi) {
        for (int k = 0; k < PG_ROW_TYPES && row_width[k]; k++) MPI_Type_free(&row_type[k]);
        memset(row_width, 0, sizeof row_width);
        MPI_Finalize();
    }
#endif
    free(c->world);
    free(c);
}
