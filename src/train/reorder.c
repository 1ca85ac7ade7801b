/*
 * --reorder inside the trainer: renumbers the prepared problem (A_hat, features, labels,
 * splits) for locality and records each row's original id, which keys the dropout masks,
 * so a reordered run draws the same masks as the original order.
 */
#include <stdlib.h>
#include <string.h>

#include "core/reorder.h"
#include "train/trainer.h"

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

pargnn_status pg_prepared_reorder(struct pg_prepared *p, pargnn_reorder kind) {
    if (kind == PARGNN_REORDER_NONE) return PARGNN_STATUS_OK;
    if (p->halo || p->comm || p->n_halo > 0)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "--reorder: not supported across several processes yet");
    const int64_t n = p->n_own;
    const size_t nn = (size_t)(n > 0 ? n : 1);
    int32_t *perm = malloc(nn * sizeof *perm); /* becomes p->gid, which is free()d */
    int32_t *inv = pg_alloc(nn, sizeof *inv, "inverse permutation");
    int32_t *labels = p->labels ? pg_alloc(nn, sizeof *labels, "labels") : NULL;
    pg_csr adj = {0}, xcsr = {0};
    pg_mat xdense = {0};
    pargnn_status s = PARGNN_STATUS_NO_MEMORY;
    if (!perm || !inv || (p->labels && !labels)) goto fail;
    if ((s = pg_reorder_perm(&p->adj_hat, kind, perm))) goto fail;
    if ((s = pg_csr_permute(&p->adj_hat, perm, &adj))) goto fail;
    if (p->x.sparse) {
        if ((s = pg_csr_rows_permute(&p->xcsr, perm, &xcsr))) goto fail;
    } else {
        if ((s = pg_mat_alloc(&xdense, n, p->xdense.cols, 0, "reordered features"))) goto fail;
        pg_rows_permute(p->xdense.data, n, p->xdense.cols, perm, xdense.data);
    }
    for (int64_t r = 0; r < n; r++) inv[perm[r]] = (int32_t)r;
    if (labels)
        for (int64_t r = 0; r < n; r++) labels[r] = p->labels[perm[r]];
    /* split rows: renamed, then ascending again (every consumer expects sorted ids) */
    for (int k = 0; k < 3; k++) {
        for (int64_t q = 0; q < p->split_len[k]; q++) p->split_idx[k][q] = inv[p->split_idx[k][q]];
        qsort(p->split_idx[k], (size_t)p->split_len[k], sizeof(int32_t), cmp_i32);
    }
    /* original ids for dropout (composed with ids already held) */
    if (p->gid)
        for (int64_t r = 0; r < n; r++) perm[r] = p->gid[perm[r]];
    free(p->gid);
    p->gid = perm;
    p->g.gid = perm;
    pg_csr_free(&p->adj_hat);
    p->adj_hat = adj;
    p->g.adj = &p->adj_hat;
    if (p->x.sparse) {
        pg_csr_free(&p->xcsr);
        p->xcsr = xcsr;
        p->x.csr = &p->xcsr;
    } else {
        pg_mat_free(&p->xdense);
        p->xdense = xdense;
        p->x.dense = p->xdense.data;
    }
    if (labels) {
        pg_free(p->labels);
        p->labels = labels;
    }
    pg_free(inv);
    return PARGNN_STATUS_OK;
fail:
    free(perm);
    pg_free(inv);
    pg_free(labels);
    pg_csr_free(&adj);
    pg_csr_free(&xcsr);
    pg_mat_free(&xdense);
    return s;
}
