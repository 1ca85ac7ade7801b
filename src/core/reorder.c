/*
 * Node reordering (degree sort, reverse Cuthill-McKee, METIS clusters) and symmetric CSR
 * permutation.
 * The SpMM reads one feature row per non-zero: numbering neighbours close together
 * makes those reads hit rows still in cache. See docs/performance.md for the effect.
 */
#include <stdlib.h>
#include <string.h>

#include "core/reorder.h"
#include "dist/partition.h"

/* Sorting keys packed as (key << 32 | id): qsort on uint64 gives a deterministic order. */
static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static pargnn_status perm_degree(const pg_csr *A, int32_t *perm) {
    const int64_t n = A->nrows;
    uint64_t *k = pg_alloc((size_t)(n > 0 ? n : 1), sizeof *k, "reorder keys");
    if (!k) return PARGNN_STATUS_NO_MEMORY;
    for (int64_t i = 0; i < n; i++) {
        const uint64_t deg = (uint64_t)(A->rowptr[i + 1] - A->rowptr[i]);
        const uint64_t inv = deg > 0xffffffffu ? 0 : 0xffffffffu - deg; /* descending degree */
        k[i] = inv << 32 | (uint64_t)i;
    }
    qsort(k, (size_t)n, sizeof *k, cmp_u64);
    for (int64_t i = 0; i < n; i++) perm[i] = (int32_t)(k[i] & 0xffffffffu);
    pg_free(k);
    return PARGNN_STATUS_OK;
}

static pargnn_status perm_rcm(const pg_csr *A, int32_t *perm) {
    const int64_t n = A->nrows;
    const size_t nn = (size_t)(n > 0 ? n : 1);
    uint64_t *start = pg_alloc(nn, sizeof *start, "reorder keys");
    uint64_t *nb = pg_alloc(nn, sizeof *nb, "reorder neighbour keys");
    unsigned char *seen = pg_calloc(nn, 1, "reorder marks");
    if (!start || !nb || !seen) {
        pg_free(start), pg_free(nb), pg_free(seen);
        return PARGNN_STATUS_NO_MEMORY;
    }
#define DEG(v) ((uint64_t)(A->rowptr[(v) + 1] - A->rowptr[(v)]))
    /* component roots: lowest degree first (a cheap stand-in for a peripheral node) */
    for (int64_t i = 0; i < n; i++) start[i] = (DEG(i) < 0xffffffffu ? DEG(i) : 0xffffffffu) << 32 | (uint64_t)i;
    qsort(start, nn, sizeof *start, cmp_u64);
    int64_t head = 0, tail = 0; /* perm doubles as the BFS queue */
    for (int64_t s = 0; s < n; s++) {
        const int32_t root = (int32_t)(start[s] & 0xffffffffu);
        if (seen[root]) continue;
        seen[root] = 1;
        perm[tail++] = root;
        while (head < tail) {
            const int32_t v = perm[head++];
            int64_t k = 0;
            for (int64_t e = A->rowptr[v]; e < A->rowptr[v + 1]; e++) {
                const int32_t u = A->col[e];
                if (seen[u]) continue;
                seen[u] = 1;
                nb[k++] = (DEG(u) < 0xffffffffu ? DEG(u) : 0xffffffffu) << 32 | (uint64_t)u;
            }
            qsort(nb, (size_t)k, sizeof *nb, cmp_u64);
            for (int64_t q = 0; q < k; q++) perm[tail++] = (int32_t)(nb[q] & 0xffffffffu);
        }
    }
#undef DEG
    for (int64_t i = 0; i < n / 2; i++) {
        int32_t t = perm[i];
        perm[i] = perm[n - 1 - i];
        perm[n - 1 - i] = t;
    }
    pg_free(start), pg_free(nb), pg_free(seen);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_reorder_clusters(const pg_csr *A, int64_t per, int32_t *perm) {
    const int64_t n = A->nrows;
    if (per < 1)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--reorder metis: %lld nodes per cluster",
                        (long long)per);
    if (n == 0) return PARGNN_STATUS_OK;
    const int64_t k64 = (n + per - 1) / per;
    const int32_t k = k64 < 1 ? 1 : k64 > INT32_MAX ? INT32_MAX : (int32_t)k64;
    int32_t *part = pg_alloc((size_t)(n > 0 ? n : 1), sizeof *part, "reorder clusters");
    int64_t *start = pg_calloc((size_t)k + 1, sizeof *start, "reorder cluster offsets");
    if (!part || !start) {
        pg_free(part), pg_free(start);
        return PARGNN_STATUS_NO_MEMORY;
    }
    /* k == 1 gives one cluster: the identity order. A graph METIS cannot take would come
     * back as blocks of ids, the identity too: say so instead of pretending to reorder. */
    int fallback = 0;
    const char *note = NULL;
    pargnn_status s = pg_partition(A, k, PG_PART_METIS, PG_PART_CUT, PARGNN_PARTITION_IMBALANCE_DEFAULT,
                                   NULL, 0, part, &fallback, &note);
    if (s == PARGNN_STATUS_OK && fallback && k > 1)
        s = pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--reorder metis is not possible here (METIS: %s); use --reorder rcm or none",
                     note ? note : "METIS failed");
    if (s == PARGNN_STATUS_OK) { /* clusters one after another, each in id order */
        for (int64_t i = 0; i < n; i++) start[part[i] + 1]++;
        for (int32_t p = 0; p < k; p++) start[p + 1] += start[p];
        for (int64_t i = 0; i < n; i++) perm[start[part[i]]++] = (int32_t)i;
    }
    pg_free(part), pg_free(start);
    return s;
}

pargnn_status pg_reorder_perm(const pg_csr *adj, pargnn_reorder kind, int32_t *perm) {
    if (adj->nrows != adj->ncols)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--reorder: the adjacency is not square");
    switch (kind) {
    case PARGNN_REORDER_NONE:
        for (int64_t i = 0; i < adj->nrows; i++) perm[i] = (int32_t)i;
        return PARGNN_STATUS_OK;
    case PARGNN_REORDER_DEGREE: return perm_degree(adj, perm);
    case PARGNN_REORDER_RCM: return perm_rcm(adj, perm);
    case PARGNN_REORDER_METIS: return pg_reorder_clusters(adj, PG_REORDER_CLUSTER_NODES, perm);
    }
    return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--reorder: unknown kind %d", (int)kind);
}

/* Rows of out in the order of perm, columns mapped through inv (NULL: unchanged). */
static pargnn_status permute_impl(const pg_csr *A, const int32_t *perm, const int32_t *inv,
                                  pg_csr *out) {
    const int64_t n = A->nrows;
    memset(out, 0, sizeof *out);
    out->nrows = n;
    out->ncols = A->ncols;
    out->nnz = A->nnz;
    out->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "permuted offsets");
    out->col = pg_alloc((size_t)(A->nnz > 0 ? A->nnz : 1), sizeof(int32_t), "permuted columns");
    if (A->val) out->val = pg_alloc((size_t)(A->nnz > 0 ? A->nnz : 1), sizeof(pg_real), "permuted values");
    int64_t maxdeg = 0;
    for (int64_t i = 0; i < n; i++)
        if (A->rowptr[i + 1] - A->rowptr[i] > maxdeg) maxdeg = A->rowptr[i + 1] - A->rowptr[i];
    uint64_t *tmp = inv ? pg_alloc((size_t)(maxdeg > 0 ? maxdeg : 1), sizeof *tmp, "permute scratch") : NULL;
    if (!out->rowptr || !out->col || (A->val && !out->val) || (inv && !tmp)) {
        pg_csr_free(out);
        pg_free(tmp);
        return PARGNN_STATUS_NO_MEMORY;
    }
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++) {
        const int32_t o = perm[r];
        out->rowptr[r] = k;
        const int64_t b = A->rowptr[o], e = A->rowptr[o + 1];
        if (!inv) {
            memcpy(out->col + k, A->col + b, (size_t)(e - b) * sizeof(int32_t));
            if (A->val) memcpy(out->val + k, A->val + b, (size_t)(e - b) * sizeof(pg_real));
            k += e - b;
            continue;
        }
        /* (new column << 32 | position in the row): sorting carries the values along */
        for (int64_t q = b; q < e; q++) tmp[q - b] = (uint64_t)(uint32_t)inv[A->col[q]] << 32 | (uint64_t)(q - b);
        qsort(tmp, (size_t)(e - b), sizeof *tmp, cmp_u64);
        for (int64_t q = 0; q < e - b; q++) {
            out->col[k] = (int32_t)(tmp[q] >> 32);
            if (A->val) out->val[k] = A->val[b + (int64_t)(tmp[q] & 0xffffffffu)];
            k++;
        }
    }
    out->rowptr[n] = k;
    pg_free(tmp);
    return PARGNN_STATUS_OK;
}

pargnn_status pg_csr_permute(const pg_csr *A, const int32_t *perm, pg_csr *out) {
    const int64_t n = A->nrows;
    int32_t *inv = pg_alloc((size_t)(n > 0 ? n : 1), sizeof *inv, "inverse permutation");
    if (!inv) return PARGNN_STATUS_NO_MEMORY;
    for (int64_t r = 0; r < n; r++) inv[perm[r]] = (int32_t)r;
    pargnn_status s = permute_impl(A, perm, inv, out);
    pg_free(inv);
    return s;
}

pargnn_status pg_csr_rows_permute(const pg_csr *A, const int32_t *perm, pg_csr *out) {
    return permute_impl(A, perm, NULL, out);
}

void pg_rows_permute(const pg_real *X, int64_t n, int64_t f, const int32_t *perm, pg_real *out) {
    for (int64_t r = 0; r < n; r++)
        memcpy(out + r * f, X + (int64_t)perm[r] * f, (size_t)f * sizeof *out);
}

double pg_csr_mean_distance(const pg_csr *A) {
    double s = 0;
    for (int64_t i = 0; i < A->nrows; i++)
        for (int64_t e = A->rowptr[i]; e < A->rowptr[i + 1]; e++)
            s += (double)(A->col[e] > i ? A->col[e] - i : i - A->col[e]);
    return A->nnz > 0 ? s / (double)A->nnz : 0;
}
