/*
 * Building one rank's part of a partitioned dataset, and its part file. The halo of rank r
 * from owner q is ordered by global id, and so is q's send list to r: both sides derive the
 * same order independently, so no ids travel at run time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist/local.h"

void pg_local_free(pg_local *l) {
    if (!l) return;
    free(l->gid);
    free(l->deg);
    pg_csr_free(&l->adj);
    free(l->nbr);
    free(l->recv_cnt);
    free(l->send_cnt);
    free(l->send_idx);
    pg_mat_free(&l->feat);
    pg_csr_free(&l->feat_csr);
    free(l->labels);
    for (int s = 0; s < 3; s++) free(l->split_idx[s]);
    memset(l, 0, sizeof *l);
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Global degree of A + I for node u (one self-loop whether or not A has it). */
static int64_t degree_plus_self(const pg_csr *a, int64_t u) {
    int64_t d = a->rowptr[u + 1] - a->rowptr[u];
    int has = 0;
    for (int64_t e = a->rowptr[u]; e < a->rowptr[u + 1] && !has; e++) has = a->col[e] == u;
    return d + !has;
}

/* One pass over the send lists: owned node u (ascending) goes once to each other rank q
 * that owns one of its neighbours, into neighbour slot k = slot[q]. idx == NULL: counts,
 * at[k]++; otherwise idx[at[k]++] = loc[u] (at: write cursors). last: (nparts) scratch. */
static void send_pass(const pg_csr *A, int64_t n, const int32_t *part, int32_t nparts,
                      int32_t rank, const int32_t *slot, const int32_t *loc, int32_t *last,
                      int64_t *at, int32_t *idx) {
    for (int q = 0; q < nparts; q++) last[q] = -1;
    for (int64_t u = 0; u < n; u++) {
        if (part[u] != rank) continue;
        for (int64_t e = A->rowptr[u]; e < A->rowptr[u + 1]; e++) {
            int32_t q = part[A->col[e]];
            if (q != rank && last[q] != (int32_t)u) {
                last[q] = (int32_t)u;
                if (idx) idx[at[slot[q]]] = loc[u];
                at[slot[q]]++;
            }
        }
    }
}

#define NOMEM(x)                                                                             \
    do {                                                                                     \
        if (!(x)) {                                                                          \
            s = pg_error(PARGNN_STATUS_NO_MEMORY, "part %d: cannot allocate", rank);        \
            goto fail;                                                                       \
        }                                                                                    \
    } while (0)

pargnn_status pg_local_build(const pargnn_dataset_t *ds, const int32_t *part, int32_t nparts,
                             int32_t rank, pg_local *out) {
    memset(out, 0, sizeof *out);
    const pg_csr *A = &ds->adj;
    const int64_t n = ds->num_nodes;
    pargnn_status s = PARGNN_STATUS_OK;
    int32_t *loc = NULL, *last = NULL;
    int64_t *qcount = NULL;
    out->rank = rank;
    out->nparts = nparts;
    out->num_nodes = n;
    out->num_edges = A->nnz;
    out->num_features = ds->num_features;
    out->feat_nnz = ds->feat_nnz;
    out->num_classes = ds->num_classes;
    out->feat_sparse = ds->feat_sparse;
    for (int k = 0; k < 3; k++) out->split_total[k] = ds->split_len[k];

    /* loc[u]: local index of u here (owned or halo), -1 if neither. */
    NOMEM(loc = malloc((size_t)n * sizeof *loc));
    NOMEM(last = malloc((size_t)nparts * sizeof *last));
    NOMEM(qcount = calloc((size_t)nparts, sizeof *qcount));
    for (int64_t u = 0; u < n; u++) loc[u] = -1;
    int64_t n_own = 0, n_inner = 0;
    for (int64_t u = 0; u < n; u++)
        if (part[u] == rank) {
            n_own++;
            int inner = 1;
            for (int64_t e = A->rowptr[u]; e < A->rowptr[u + 1] && inner; e++)
                inner = part[A->col[e]] == rank;
            n_inner += inner;
        }
    if (n_own == 0) {
        s = pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "part %d of %d owns no node", rank, nparts);
        goto fail;
    }
    /* Halo: remote neighbours, counted per owner. */
    int64_t n_halo = 0;
    for (int64_t u = 0; u < n; u++) {
        if (part[u] != rank) continue;
        for (int64_t e = A->rowptr[u]; e < A->rowptr[u + 1]; e++) {
            int32_t v = A->col[e];
            if (part[v] != rank && loc[v] == -1) {
                loc[v] = -2; /* seen */
                qcount[part[v]]++;
                n_halo++;
            }
        }
    }
    out->n_own = n_own;
    out->n_inner = n_inner;
    out->n_halo = n_halo;
    NOMEM(out->gid = malloc((size_t)(n_own + n_halo) * sizeof(int32_t)));
    NOMEM(out->deg = malloc((size_t)(n_own + n_halo) * sizeof(int64_t)));
    /* Owned: inner rows first, then boundary rows, each ascending by global id. */
    int64_t ki = 0, kb = n_inner;
    for (int64_t u = 0; u < n; u++) {
        if (part[u] != rank) continue;
        int inner = 1;
        for (int64_t e = A->rowptr[u]; e < A->rowptr[u + 1] && inner; e++)
            inner = part[A->col[e]] == rank;
        int64_t i = inner ? ki++ : kb++;
        out->gid[i] = (int32_t)u;
        loc[u] = (int32_t)i;
    }
    /* Halo rows grouped by owner (ascending rank), ascending global id inside a group. */
    int64_t *qoff = calloc((size_t)nparts + 1, sizeof *qoff);
    NOMEM(qoff);
    for (int q = 0; q < nparts; q++) qoff[q + 1] = qoff[q] + qcount[q];
    for (int64_t v = 0; v < n; v++)
        if (loc[v] == -2) {
            int64_t h = qoff[part[v]]++;
            out->gid[n_own + h] = (int32_t)v;
            loc[v] = (int32_t)(n_own + h);
        }
    free(qoff);
    for (int64_t i = 0; i < n_own + n_halo; i++) out->deg[i] = degree_plus_self(A, out->gid[i]);
    /* Neighbour ranks and the send lists (symmetric graph: q needs from us exactly the owned
     * nodes adjacent to q's nodes, which are the rows we receive from q's side). */
    int32_t nnbr = 0;
    for (int q = 0; q < nparts; q++) nnbr += qcount[q] > 0;
    out->nnbr = nnbr;
    NOMEM(out->nbr = malloc((size_t)(nnbr > 0 ? nnbr : 1) * sizeof(int32_t)));
    NOMEM(out->recv_cnt = calloc((size_t)(nnbr > 0 ? nnbr : 1), sizeof(int64_t)));
    NOMEM(out->send_cnt = calloc((size_t)(nnbr > 0 ? nnbr : 1), sizeof(int64_t)));
    int32_t *slot = malloc((size_t)nparts * sizeof *slot); /* rank -> neighbour index */
    NOMEM(slot);
    for (int q = 0, k = 0; q < nparts; q++) {
        slot[q] = qcount[q] > 0 ? k : -1;
        if (qcount[q] > 0) {
            out->nbr[k] = q;
            out->recv_cnt[k] = qcount[q];
            k++;
        }
    }
    send_pass(A, n, part, nparts, rank, slot, loc, last, out->send_cnt, NULL);
    int64_t send_total = 0;
    for (int k = 0; k < nnbr; k++) send_total += out->send_cnt[k];
    int64_t *soff = calloc((size_t)nnbr + 1, sizeof *soff);
    out->send_idx = malloc((size_t)(send_total > 0 ? send_total : 1) * sizeof(int32_t));
    if (!soff || !out->send_idx) {
        free(soff), free(slot);
        NOMEM(NULL);
    }
    for (int k = 0; k < nnbr; k++) soff[k + 1] = soff[k] + out->send_cnt[k];
    send_pass(A, n, part, nparts, rank, slot, loc, last, soff, out->send_idx);
    free(soff);
    free(slot);
    /* Local adjacency: owned rows in local order, columns as local indices. */
    pg_csr *L = &out->adj;
    L->nrows = n_own;
    L->ncols = n_own + n_halo;
    NOMEM(L->rowptr = malloc((size_t)(n_own + 1) * sizeof(int64_t)));
    L->rowptr[0] = 0;
    for (int64_t i = 0; i < n_own; i++) {
        int32_t u = out->gid[i];
        L->rowptr[i + 1] = L->rowptr[i] + (A->rowptr[u + 1] - A->rowptr[u]);
    }
    L->nnz = L->rowptr[n_own];
    NOMEM(L->col = malloc((size_t)(L->nnz > 0 ? L->nnz : 1) * sizeof(int32_t)));
    for (int64_t i = 0; i < n_own; i++) {
        int32_t u = out->gid[i];
        int64_t k = L->rowptr[i];
        /* in A's order, ascending global id: a row's sums run in one process's order */
        for (int64_t e = A->rowptr[u]; e < A->rowptr[u + 1]; e++) L->col[k++] = loc[A->col[e]];
    }
    /* Features, labels and splits of the owned rows. */
    const int64_t f = ds->num_features;
    if (ds->feat_sparse) {
        const pg_csr *X = &ds->feat_csr;
        pg_csr *Y = &out->feat_csr;
        Y->nrows = n_own;
        Y->ncols = f;
        NOMEM(Y->rowptr = malloc((size_t)(n_own + 1) * sizeof(int64_t)));
        Y->rowptr[0] = 0;
        for (int64_t i = 0; i < n_own; i++)
            Y->rowptr[i + 1] = Y->rowptr[i] + X->rowptr[out->gid[i] + 1] - X->rowptr[out->gid[i]];
        Y->nnz = Y->rowptr[n_own];
        NOMEM(Y->col = malloc((size_t)(Y->nnz + 1) * sizeof(int32_t)));
        NOMEM(Y->val = malloc((size_t)(Y->nnz + 1) * sizeof(pg_real)));
        for (int64_t i = 0; i < n_own; i++) {
            int64_t b = X->rowptr[out->gid[i]], len = X->rowptr[out->gid[i] + 1] - b;
            memcpy(Y->col + Y->rowptr[i], X->col + b, (size_t)len * sizeof(int32_t));
            for (int64_t k = 0; k < len; k++) Y->val[Y->rowptr[i] + k] = X->val ? X->val[b + k] : 1;
        }
    } else {
        if ((s = pg_mat_alloc(&out->feat, n_own, f, 0, "part features"))) goto fail;
        for (int64_t i = 0; i < n_own; i++)
            memcpy(out->feat.data + i * f, ds->feat.data + (int64_t)out->gid[i] * f,
                   (size_t)f * sizeof(pg_real));
    }
    NOMEM(out->labels = malloc((size_t)n_own * sizeof(int32_t)));
    for (int64_t i = 0; i < n_own; i++) out->labels[i] = ds->labels ? ds->labels[out->gid[i]] : 0;
    for (int k = 0; k < 3; k++) {
        int64_t cnt = 0;
        for (int64_t j = 0; j < ds->split_len[k]; j++) cnt += part[ds->split_idx[k][j]] == rank;
        NOMEM(out->split_idx[k] = malloc((size_t)(cnt > 0 ? cnt : 1) * sizeof(int32_t)));
        out->split_len[k] = 0;
        for (int64_t j = 0; j < ds->split_len[k]; j++) {
            int32_t u = ds->split_idx[k][j];
            if (part[u] == rank) out->split_idx[k][out->split_len[k]++] = loc[u];
        }
        qsort(out->split_idx[k], (size_t)cnt, sizeof(int32_t), cmp_i32);
    }
    free(loc);
    free(last);
    free(qcount);
    return PARGNN_STATUS_OK;
fail:
    free(loc);
    free(last);
    free(qcount);
    pg_local_free(out);
    return s;
}

/* ---------------------------------------------------------------- part files */

#define PART_MAGIC "PARGNNPT"
/* 2: each row's columns in ascending global id (version 1 sorted them by local id) */
#define PART_VERSION 2u

typedef struct wfile {
    FILE *f;
    uint32_t crc;
    int bad;
} wfile;

static void w(wfile *o, const void *p, size_t n) {
    if (o->bad || n == 0) return;
    o->crc = pg_crc32(o->crc, p, n);
    o->bad |= fwrite(p, 1, n, o->f) != n;
}
static void w64(wfile *o, int64_t v) { w(o, &v, 8); }
static void w32(wfile *o, int32_t v) { w(o, &v, 4); }

pargnn_status pg_local_write(const pg_local *l, const char *path) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    wfile o = {fopen(tmp, "wb"), 0, 0};
    if (!o.f) return pg_error(PARGNN_STATUS_IO, "%s: cannot create: %s", tmp, strerror(errno));
    w(&o, PART_MAGIC, 8);
    w32(&o, PART_VERSION);
    w32(&o, (int32_t)sizeof(pg_real));
    w32(&o, l->rank);
    w32(&o, l->nparts);
    w64(&o, l->num_nodes);
    w64(&o, l->num_edges);
    w64(&o, l->num_features);
    w64(&o, l->feat_nnz);
    w32(&o, l->num_classes);
    w32(&o, l->feat_sparse);
    for (int k = 0; k < 3; k++) w64(&o, l->split_total[k]);
    w64(&o, l->n_own);
    w64(&o, l->n_inner);
    w64(&o, l->n_halo);
    w64(&o, l->adj.nnz);
    w32(&o, l->nnbr);
    for (int k = 0; k < 3; k++) w64(&o, l->split_len[k]);
    w64(&o, l->feat_sparse ? l->feat_csr.nnz : 0);
    const int64_t cols = l->n_own + l->n_halo;
    int64_t send_total = 0;
    for (int k = 0; k < l->nnbr; k++) send_total += l->send_cnt[k];
    w(&o, l->gid, (size_t)cols * 4);
    w(&o, l->deg, (size_t)cols * 8);
    w(&o, l->adj.rowptr, (size_t)(l->n_own + 1) * 8);
    w(&o, l->adj.col, (size_t)l->adj.nnz * 4);
    w(&o, l->nbr, (size_t)l->nnbr * 4);
    w(&o, l->recv_cnt, (size_t)l->nnbr * 8);
    w(&o, l->send_cnt, (size_t)l->nnbr * 8);
    w(&o, l->send_idx, (size_t)send_total * 4);
    if (l->feat_sparse) {
        w(&o, l->feat_csr.rowptr, (size_t)(l->n_own + 1) * 8);
        w(&o, l->feat_csr.col, (size_t)l->feat_csr.nnz * 4);
        w(&o, l->feat_csr.val, (size_t)l->feat_csr.nnz * sizeof(pg_real));
    } else {
        w(&o, l->feat.data, (size_t)(l->n_own * l->num_features) * sizeof(pg_real));
    }
    w(&o, l->labels, (size_t)l->n_own * 4);
    for (int k = 0; k < 3; k++) w(&o, l->split_idx[k], (size_t)l->split_len[k] * 4);
    uint32_t crc = o.crc;
    o.bad |= fwrite(&crc, 4, 1, o.f) != 1;
    o.bad |= fflush(o.f) != 0;
    o.bad |= fsync(fileno(o.f)) != 0;
    o.bad |= fclose(o.f) != 0;
    if (o.bad) {
        unlink(tmp);
        return pg_error(PARGNN_STATUS_IO, "%s: write failed: %s", tmp, strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return pg_error(PARGNN_STATUS_IO, "%s: cannot rename: %s", path, strerror(errno));
    }
    return PARGNN_STATUS_OK;
}

typedef struct rfile {
    const unsigned char *p;
    size_t len, pos;
    const char *path;
} rfile;

static pargnn_status r(rfile *in, void *dst, int64_t count, size_t elem, const char *what) {
    size_t bytes;
    if (count < 0 || !pg_mul_ok((size_t)count, elem, &bytes) || bytes > in->len - in->pos)
        return pg_error(PARGNN_STATUS_CORRUPT, "%s: truncated or inconsistent at '%s'", in->path, what);
    if (bytes) memcpy(dst, in->p + in->pos, bytes);
    in->pos += bytes;
    return PARGNN_STATUS_OK;
}

/* Allocates count elements and reads them (count checked against the file first). */
static pargnn_status ra(rfile *in, void **dst, int64_t count, size_t elem, const char *what) {
    size_t bytes;
    if (count < 0 || !pg_mul_ok((size_t)count, elem, &bytes) || bytes > in->len - in->pos)
        return pg_error(PARGNN_STATUS_CORRUPT, "%s: truncated or inconsistent at '%s'", in->path, what);
    *dst = malloc(bytes ? bytes : 1);
    if (!*dst) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate '%s'", in->path, what);
    return r(in, *dst, count, elem, what);
}

pargnn_status pg_local_read(const char *path, pg_local *l) {
    memset(l, 0, sizeof *l);
    FILE *f = fopen(path, "rb");
    if (!f) return pg_error(PARGNN_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long e = ftell(f);
        if (e > 0) len = (size_t)e;
        rewind(f);
    }
    buf = malloc(len ? len : 1);
    if (!buf || fread(buf, 1, len, f) != len) {
        fclose(f);
        free(buf);
        return pg_error(PARGNN_STATUS_IO, "%s: cannot read", path);
    }
    fclose(f);
    pargnn_status s = PARGNN_STATUS_OK;
    rfile in = {buf, len, 0, path};
    uint32_t version = 0, real = 0, crc = 0;
    if (len < 12 || memcmp(buf, PART_MAGIC, 8) != 0) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: not a pargnn part file", path);
        goto done;
    }
    memcpy(&version, buf + 8, 4);
    if (version != PART_VERSION) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: part file version %u, this pargnn reads %u%s", path,
                     version, PART_VERSION,
                     version < PART_VERSION ? " (written by an older pargnn: run pargnn partition again)" : "");
        goto done;
    }
    memcpy(&crc, buf + len - 4, 4);
    if (len < 16 || pg_crc32(0, buf, len - 4) != crc) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: checksum mismatch (truncated or corrupted)", path);
        goto done;
    }
    in.len = len - 4;
    in.pos = 12;
#define R(x, what) if ((s = r(&in, &(x), 1, sizeof(x), what))) goto done
    R(real, "real size");
    if (real != sizeof(pg_real)) {
        s = pg_error(PARGNN_STATUS_MISMATCH, "%s: %u-byte reals, this build uses %zu", path, real,
                     sizeof(pg_real));
        goto done;
    }
    int64_t adj_nnz = 0, feat_nnz_local = 0;
    R(l->rank, "rank");
    R(l->nparts, "nparts");
    R(l->num_nodes, "num_nodes");
    R(l->num_edges, "num_edges");
    R(l->num_features, "num_features");
    R(l->feat_nnz, "feat_nnz");
    R(l->num_classes, "num_classes");
    R(l->feat_sparse, "feat_sparse");
    for (int k = 0; k < 3; k++) R(l->split_total[k], "split_total");
    R(l->n_own, "n_own");
    R(l->n_inner, "n_inner");
    R(l->n_halo, "n_halo");
    R(adj_nnz, "adj_nnz");
    R(l->nnbr, "nnbr");
    for (int k = 0; k < 3; k++) R(l->split_len[k], "split_len");
    R(feat_nnz_local, "feat_nnz_local");
#undef R
    if (l->n_own <= 0 || l->n_own > INT32_MAX || l->n_halo < 0 || l->n_halo > INT32_MAX ||
        l->n_inner < 0 || l->n_inner > l->n_own || l->nnbr < 0 || l->nnbr > l->nparts ||
        l->num_features <= 0 || l->num_classes <= 0 || l->nparts < 1 || l->rank < 0 ||
        l->rank >= l->nparts) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: inconsistent header counts", path);
        goto done;
    }
    const int64_t cols = l->n_own + l->n_halo;
#define RA(ptr, cnt, what) if ((s = ra(&in, (void **)&(ptr), (cnt), sizeof(*(ptr)), what))) goto done
    RA(l->gid, cols, "gid");
    RA(l->deg, cols, "deg");
    l->adj.nrows = l->n_own;
    l->adj.ncols = cols;
    l->adj.nnz = adj_nnz;
    RA(l->adj.rowptr, l->n_own + 1, "adj rowptr");
    RA(l->adj.col, adj_nnz, "adj col");
    RA(l->nbr, l->nnbr, "nbr");
    RA(l->recv_cnt, l->nnbr, "recv_cnt");
    RA(l->send_cnt, l->nnbr, "send_cnt");
    int64_t send_total = 0, recv_total = 0;
    for (int k = 0; k < l->nnbr; k++) {
        if (l->send_cnt[k] < 0 || l->send_cnt[k] > l->n_own || l->recv_cnt[k] < 0 ||
            l->nbr[k] < 0 || l->nbr[k] >= l->nparts || l->nbr[k] == l->rank) {
            s = pg_error(PARGNN_STATUS_CORRUPT, "%s: bad neighbour table", path);
            goto done;
        }
        send_total += l->send_cnt[k];
        recv_total += l->recv_cnt[k];
    }
    if (recv_total != l->n_halo) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: halo counts do not add up", path);
        goto done;
    }
    RA(l->send_idx, send_total, "send_idx");
    if (l->feat_sparse) {
        l->feat_csr.nrows = l->n_own;
        l->feat_csr.ncols = l->num_features;
        l->feat_csr.nnz = feat_nnz_local;
        RA(l->feat_csr.rowptr, l->n_own + 1, "feature rowptr");
        RA(l->feat_csr.col, feat_nnz_local, "feature col");
        RA(l->feat_csr.val, feat_nnz_local, "feature val");
    } else {
        l->feat.rows = l->n_own;
        l->feat.cols = l->num_features;
        size_t cnt;
        if (!pg_mul_ok((size_t)l->n_own, (size_t)l->num_features, &cnt)) {
            s = pg_error(PARGNN_STATUS_CORRUPT, "%s: feature size overflows", path);
            goto done;
        }
        RA(l->feat.data, (int64_t)cnt, "features");
    }
    RA(l->labels, l->n_own, "labels");
    for (int k = 0; k < 3; k++) RA(l->split_idx[k], l->split_len[k], "split");
#undef RA
    if (in.pos != in.len) {
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: %zu trailing bytes", path, in.len - in.pos);
        goto done;
    }
    /* Structural checks: every index in range, so a crafted file cannot make us write out
     * of bounds. */
    if (l->adj.rowptr[0] != 0 || l->adj.rowptr[l->n_own] != adj_nnz) goto bad;
    for (int64_t i = 0; i < l->n_own; i++)
        if (l->adj.rowptr[i + 1] < l->adj.rowptr[i]) goto bad;
    for (int64_t e = 0; e < adj_nnz; e++)
        if (l->adj.col[e] < 0 || l->adj.col[e] >= cols) goto bad;
    for (int64_t i = 0; i < cols; i++)
        if (l->gid[i] < 0 || l->gid[i] >= l->num_nodes || l->deg[i] < 1) goto bad;
    /* the operator's self-loop placement and one process's summation order need every
     * row's neighbours in strictly ascending global id */
    for (int64_t i = 0; i < l->n_own; i++)
        for (int64_t e = l->adj.rowptr[i] + 1; e < l->adj.rowptr[i + 1]; e++)
            if (l->gid[l->adj.col[e]] <= l->gid[l->adj.col[e - 1]]) {
                s = pg_error(PARGNN_STATUS_CORRUPT,
                             "%s: row %lld: neighbours not in ascending global id", path, (long long)i);
                goto done;
            }
    for (int64_t k = 0; k < send_total; k++)
        if (l->send_idx[k] < 0 || l->send_idx[k] >= l->n_own) goto bad;
    for (int64_t i = 0; i < l->n_own; i++)
        if (l->labels[i] < 0 || l->labels[i] >= l->num_classes) goto bad;
    for (int k = 0; k < 3; k++)
        for (int64_t j = 0; j < l->split_len[k]; j++)
            if (l->split_idx[k][j] < 0 || l->split_idx[k][j] >= l->n_own) goto bad;
    if (l->feat_sparse) {
        if (l->feat_csr.rowptr[0] != 0 || l->feat_csr.rowptr[l->n_own] != feat_nnz_local) goto bad;
        for (int64_t i = 0; i < l->n_own; i++)
            if (l->feat_csr.rowptr[i + 1] < l->feat_csr.rowptr[i]) goto bad;
        for (int64_t e = 0; e < feat_nnz_local; e++)
            if (l->feat_csr.col[e] < 0 || l->feat_csr.col[e] >= l->num_features) goto bad;
    }
    goto done;
bad:
    s = pg_error(PARGNN_STATUS_CORRUPT, "%s: an index is out of range", path);
done:
    free(buf);
    if (s) pg_local_free(l);
    return s;
}
