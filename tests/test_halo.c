/*
 * Halo structure of a partitioned graph, checked in one process for every part: parts
 * cover every node once; each part's halo is exactly the set of remote neighbours of its
 * nodes, each received once; the rows a part sends to another are, in order, the rows that
 * one expects in its halo block; inner rows have no halo column. Also a part file round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "dist/local.h"
#include "dist/partition.h"
#include "testutil.h"

#define TOL PARGNN_PARTITION_IMBALANCE_DEFAULT /* METIS balance tolerance */

static void check_parts(const pargnn_dataset_t *ds, int32_t P, pg_part_method method) {
    const int64_t n = ds->num_nodes;
    int32_t *part = malloc((size_t)n * sizeof *part);
    CHECK_STATUS(pg_partition(&ds->adj, P, method, PG_PART_CUT, TOL, NULL, 1, part, NULL, NULL),
                 PARGNN_STATUS_OK, NULL);
    pg_local *L = calloc((size_t)P, sizeof *L);
    for (int32_t r = 0; r < P; r++)
        CHECK_STATUS(pg_local_build(ds, part, P, r, &L[r]), PARGNN_STATUS_OK, NULL);
    /* cover: every node owned by exactly one part, the one part[] names */
    int *owned = calloc((size_t)n, sizeof *owned);
    for (int32_t r = 0; r < P; r++)
        for (int64_t i = 0; i < L[r].n_own; i++) {
            owned[L[r].gid[i]]++;
            CHECK(part[L[r].gid[i]] == r);
        }
    int cover = 1;
    for (int64_t u = 0; u < n; u++) cover &= owned[u] == 1;
    CHECK_MSG(cover, "P=%d %s: a node is owned by 0 or 2 parts", P, pg_part_method_name(method));
    unsigned char *need = malloc((size_t)n);
    for (int32_t r = 0; r < P; r++) {
        const pg_local *l = &L[r];
        /* the halo is exactly the remote neighbours, each once, grouped by owner */
        memset(need, 0, (size_t)n);
        int64_t want = 0;
        for (int64_t i = 0; i < l->n_own; i++) {
            int32_t u = l->gid[i];
            int has_remote = 0;
            for (int64_t e = ds->adj.rowptr[u]; e < ds->adj.rowptr[u + 1]; e++) {
                int32_t v = ds->adj.col[e];
                if (part[v] != r) {
                    has_remote = 1;
                    if (!need[v]) need[v] = 1, want++;
                }
            }
            CHECK_MSG(has_remote == (i >= l->n_inner), "part %d row %lld: inner/boundary order wrong", r, (long long)i);
        }
        CHECK_MSG(want == l->n_halo, "part %d: halo %lld, remote neighbours %lld", r,
                  (long long)l->n_halo, (long long)want);
        int once = 1;
        for (int64_t h = 0; h < l->n_halo; h++) {
            int32_t v = l->gid[l->n_own + h];
            once &= need[v] == 1;
            need[v] = 2;
            if (h > 0) {
                int32_t pv = l->gid[l->n_own + h - 1];
                once &= part[pv] < part[v] || (part[pv] == part[v] && pv < v);
            }
        }
        CHECK_MSG(once, "part %d: a halo node is repeated, foreign or out of order", r);
        /* local columns point at the right global nodes */
        int cols_ok = 1;
        for (int64_t i = 0; i < l->n_own; i++) {
            int32_t u = l->gid[i];
            cols_ok &= l->adj.rowptr[i + 1] - l->adj.rowptr[i] == ds->adj.rowptr[u + 1] - ds->adj.rowptr[u];
            for (int64_t e = l->adj.rowptr[i]; e < l->adj.rowptr[i + 1]; e++) {
                int32_t v = l->gid[l->adj.col[e]];
                int found = 0;
                for (int64_t k = ds->adj.rowptr[u]; k < ds->adj.rowptr[u + 1] && !found; k++) found = ds->adj.col[k] == v;
                cols_ok &= found;
            }
        }
        CHECK_MSG(cols_ok, "part %d: local adjacency does not match the graph", r);
        /* what r sends to q is what q expects from r, in order */
        int64_t soff = 0;
        for (int k = 0; k < l->nnbr; k++) {
            const pg_local *q = &L[l->nbr[k]];
            int64_t qoff = 0, qcnt = -1;
            for (int j = 0; j < q->nnbr; j++) {
                if (q->nbr[j] == r) qcnt = q->recv_cnt[j];
                if (q->nbr[j] < r) qoff += q->recv_cnt[j];
            }
            int match = qcnt == l->send_cnt[k];
            for (int64_t t = 0; match && t < qcnt; t++)
                match = l->gid[l->send_idx[soff + t]] == q->gid[q->n_own + qoff + t];
            CHECK_MSG(match, "part %d -> %d: send list differs from the receiver's halo block", r, l->nbr[k]);
            soff += l->send_cnt[k];
        }
    }
    /* part file round trip */
    char path[4096];
    snprintf(path, sizeof path, "%s/part.bin", pg_test_tmpdir());
    CHECK_STATUS(pg_local_write(&L[P - 1], path), PARGNN_STATUS_OK, NULL);
    pg_local back;
    CHECK_STATUS(pg_local_read(path, &back), PARGNN_STATUS_OK, NULL);
    CHECK(back.n_own == L[P - 1].n_own && back.n_halo == L[P - 1].n_halo && back.adj.nnz == L[P - 1].adj.nnz);
    CHECK(memcmp(back.gid, L[P - 1].gid, (size_t)(back.n_own + back.n_halo) * 4) == 0);
    pg_local_free(&back);
    FILE *f = fopen(path, "r+b");
    fseek(f, 200, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    CHECK_STATUS(pg_local_read(path, &back), PARGNN_STATUS_CORRUPT, "part.bin");
    /* every row lists its neighbours in ascending global id (one process's summation
     * order); a file whose row does not, checksum and all, is refused */
    pg_local *lp = &L[P - 1];
    int64_t swap_row = -1;
    for (int64_t i = 0; i < lp->n_own; i++)
        for (int64_t e = lp->adj.rowptr[i] + 1; e < lp->adj.rowptr[i + 1]; e++) {
            CHECK_MSG(lp->gid[lp->adj.col[e]] > lp->gid[lp->adj.col[e - 1]],
                      "P=%d row %lld: neighbours not in ascending global id", P, (long long)i);
            if (swap_row < 0) swap_row = i;
        }
    if (swap_row >= 0) {
        int32_t *c = lp->adj.col + lp->adj.rowptr[swap_row], t = c[0];
        c[0] = c[1], c[1] = t;
        CHECK_STATUS(pg_local_write(lp, path), PARGNN_STATUS_OK, NULL);
        CHECK_STATUS(pg_local_read(path, &back), PARGNN_STATUS_CORRUPT, "ascending global id");
    }
    for (int32_t r = 0; r < P; r++) pg_local_free(&L[r]);
    free(L), free(part), free(owned), free(need);
}

int main(void) {
    pargnn_sbm_params p;
    pargnn_sbm_params_default(&p);
    p.num_nodes = 1500;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&p, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return pg_test_finish();
    for (int32_t P = 1; P <= 5; P++) {
        check_parts(ds, P, PG_PART_METIS);
        check_parts(ds, P, PG_PART_RANDOM);
    }
    check_parts(ds, 3, PG_PART_BLOCK);
    pargnn_dataset_free(ds);
    return pg_test_finish();
}
