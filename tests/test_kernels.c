/*
 * The fast kernels (SIMD SpMM on every available path, fused epilogues, threaded GEMM and
 * transposed SpMM, node reordering) against the serial reference or the unfused
 * composition, on random inputs with odd widths, empty rows and power-law rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/reorder.h"
#include "core/rng.h"
#include "nn/net.h"
#include "ops/kernels.h"
#include "testutil.h"

static unsigned long long rs = 777;

static pg_real *rand_buf(int64_t n) {
    pg_real *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    for (int64_t k = 0; k < n; k++) p[k] = (pg_real)pg_test_uniform(&rs, -1, 1);
    return p;
}

static pg_real *copy_buf(const pg_real *a, int64_t n) {
    pg_real *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    if (n > 0) memcpy(p, a, (size_t)n * sizeof *p);
    return p;
}

/* Row i has about max_deg * u^3 entries (u uniform: a few long rows, many short ones),
 * every 7th row empty; columns sorted and unique. */
static pg_csr powerlaw_csr(int64_t nr, int64_t nc, int64_t max_deg, int with_val) {
    pg_csr a = {0};
    a.nrows = nr;
    a.ncols = nc;
    a.rowptr = malloc((size_t)(nr + 1) * sizeof(int64_t));
    a.col = malloc((size_t)(nr * (max_deg < nc ? max_deg : nc) + 1) * sizeof(int32_t));
    char *used = calloc((size_t)nc + 1, 1);
    int64_t k = 0;
    a.rowptr[0] = 0;
    for (int64_t i = 0; i < nr; i++) {
        double u = pg_test_uniform(&rs, 0, 1);
        int64_t d = i % 7 == 2 ? 0 : (int64_t)(max_deg * u * u * u) + 1;
        if (d > nc) d = nc;
        for (int64_t t = 0; t < d; t++) used[(int64_t)pg_test_uniform(&rs, 0, (double)nc)] = 1;
        for (int64_t j = 0; j < nc; j++)
            if (used[j]) a.col[k++] = (int32_t)j, used[j] = 0;
        a.rowptr[i + 1] = k;
    }
    free(used);
    a.nnz = k;
    a.val = with_val ? rand_buf(k) : NULL;
    return a;
}

static void free_csr(pg_csr *a) { free(a->rowptr), free(a->col), free(a->val); }

static double max_rel_diff(const pg_real *a, const pg_real *b, int64_t n) {
    double worst = 0;
    for (int64_t k = 0; k < n; k++) {
        double d = fabs((double)a[k] - (double)b[k]) / (1.0 + fabs((double)b[k]));
        if (!(d <= worst)) worst = isnan(d) ? INFINITY : d;
    }
    return worst;
}

/* odd widths and every tile boundary of the AVX2 (8/16/32/64) and AVX-512 (16/.../128) kernels */
static const int64_t widths[] = {1, 3, 16, 17, 40, 64, 129, 255, 256};
#define NW (sizeof widths / sizeof widths[0])

static void test_spmm_paths(void) {
    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    const int best = pg_kernel_set_isa(-1);
    for (int isa = PG_ISA_GENERIC; isa <= best; isa++) {
        CHECK(pg_kernel_set_isa(isa) == isa);
        for (int wv = 0; wv < 2; wv++) {
            pg_csr S = powerlaw_csr(400, 300, 120, wv);
            for (size_t w = 0; w < NW; w++)
                for (int t = 1; t <= 2; t++)
                    for (int bk = 0; bk < 2; bk++) {
                        const int64_t f = widths[w];
                        pg_set_threads(t);
                        pg_real beta = bk ? (pg_real)-0.25 : 0;
                        pg_real *X = rand_buf(S.ncols * f), *Y1 = rand_buf(S.nrows * f);
                        pg_real *Y2 = copy_buf(Y1, S.nrows * f);
                        cpu->spmm(&S, X, f, beta, Y1);
                        ref->spmm(&S, X, f, beta, Y2);
                        double d = max_rel_diff(Y1, Y2, S.nrows * f);
                        CHECK_MSG(d < 1e-5, "spmm %s f=%lld val=%d thr=%d beta=%g: diff %g",
                                  pg_kernel_isa_name(isa), (long long)f, wv, t, (double)beta, d);
                        /* fused self term (with bias), bias + ReLU against the reference
                         * composition */
                        pg_real *b = bk ? rand_buf(f) : NULL, *Xs = NULL;
                        if (bk) { /* not from rand_buf: the later tests' draws stay as they were */
                            Xs = malloc((size_t)(S.nrows * f) * sizeof *Xs);
                            for (int64_t q = 0; q < S.nrows * f; q++) Xs[q] = (pg_real)sin(0.37 * (double)q);
                        }
                        cpu->spmm_epilogue(&S, X, f, (pg_real)1.5, Xs, b, wv, Y1);
                        ref->spmm_epilogue(&S, X, f, (pg_real)1.5, Xs, b, wv, Y2);
                        d = max_rel_diff(Y1, Y2, S.nrows * f);
                        CHECK_MSG(d < 1e-5, "spmm_epilogue %s f=%lld relu=%d bias+self=%d thr=%d: diff %g",
                                  pg_kernel_isa_name(isa), (long long)f, wv, bk, t, d);
                        free(X), free(Y1), free(Y2), free(b), free(Xs);
                    }
            free_csr(&S);
        }
    }
    pg_kernel_set_isa(-1);
}

/* The GCN form without edge values: Y_i = d_i sum_j d_j X_j equals A_hat with values. */
static void test_spmm_dscale(void) {
    const pg_backend *ref = pg_backend_ref();
    const int best = pg_kernel_set_isa(-1);
    pg_csr S = powerlaw_csr(600, 600, 80, 0);
    pg_real *d = rand_buf(600);
    pg_csr V = S;
    V.val = malloc((size_t)S.nnz * sizeof(pg_real));
    for (int64_t i = 0; i < S.nrows; i++)
        for (int64_t e = S.rowptr[i]; e < S.rowptr[i + 1]; e++) V.val[e] = d[i] * d[S.col[e]];
    for (int isa = PG_ISA_GENERIC; isa <= best; isa++) {
        pg_kernel_set_isa(isa);
        for (size_t w = 0; w < NW; w++) {
            const int64_t f = widths[w];
            pg_real *X = rand_buf(600 * f), *Y1 = rand_buf(600 * f), *Y2 = rand_buf(600 * f);
            pg_spmm_args a = {.S = &S, .X = X, .f = f, .Y = Y1, .rowscale = d, .colscale = d};
            pg_set_threads(2);
            pg_cpu_spmm_args(&a);
            ref->spmm(&V, X, f, 0, Y2);
            double diff = max_rel_diff(Y1, Y2, 600 * f);
            CHECK_MSG(diff < 1e-5, "dscale %s f=%lld: diff %g", pg_kernel_isa_name(isa), (long long)f, diff);
            free(X), free(Y1), free(Y2);
        }
    }
    pg_kernel_set_isa(-1);
    free(d), free(V.val), free_csr(&S);
}

static void test_spmm_t(void) {
    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    /* few columns, many non-zeros: per-thread copies; square: column blocks */
    const int64_t shapes[][3] = {{2000, 60, 40}, {900, 900, 30}, {50, 7, 5}};
    const int best = pg_kernel_set_isa(-1);
    for (int isa = PG_ISA_GENERIC; isa <= best; isa++) {
        pg_kernel_set_isa(isa);
        for (size_t s = 0; s < 3; s++)
            for (size_t w = 0; w < NW; w += 2)
                for (int t = 1; t <= 2; t++) {
                    const int64_t f = widths[w];
                    pg_csr S = powerlaw_csr(shapes[s][0], shapes[s][1], shapes[s][2], (int)(w & 2));
                    pg_set_threads(t);
                    pg_real beta = t == 2 ? (pg_real)0.5 : 0;
                    pg_real *X = rand_buf(S.nrows * f), *Y1 = rand_buf(S.ncols * f);
                    pg_real *Y2 = copy_buf(Y1, S.ncols * f), *Y3 = copy_buf(Y1, S.ncols * f);
                    cpu->spmm_t(&S, X, f, beta, Y1);
                    ref->spmm_t(&S, X, f, beta, Y2);
                    double d = max_rel_diff(Y1, Y2, S.ncols * f);
                    CHECK_MSG(d < 1e-5, "spmm_t %s shape %zu f=%lld thr=%d: diff %g",
                              pg_kernel_isa_name(isa), s, (long long)f, t, d);
                    cpu->spmm_t(&S, X, f, beta, Y3);
                    CHECK_MSG(memcmp(Y3, Y1, (size_t)(S.ncols * f) * sizeof *Y1) == 0,
                              "spmm_t shape %zu f=%lld thr=%d: two runs differ", s, (long long)f, t);
                    free(X), free(Y1), free(Y2), free(Y3);
                    free_csr(&S);
                }
    }
    pg_kernel_set_isa(-1);
}

/* Any thread count gives the same bits: every path of spmm_t (copies summed in block
 * order; column blocks) and of the threaded GEMM (row split, k split, one call). */
static void test_thread_independent(void) {
    const pg_backend *cpu = pg_backend_cpu();
    const int64_t tshapes[][3] = {{3000, 100, 60}, {900, 900, 30}, {20000, 40, 20}};
    for (size_t s = 0; s < 3; s++)
        for (size_t w = 0; w < NW; w += 3) {
            pg_csr S = powerlaw_csr(tshapes[s][0], tshapes[s][1], tshapes[s][2], 1);
            const int64_t f = widths[w];
            pg_real *X = rand_buf(S.nrows * f), *Y0 = rand_buf(S.ncols * f);
            pg_real *Y[3];
            for (int t = 1; t <= 3; t++) {
                pg_set_threads(t);
                Y[t - 1] = copy_buf(Y0, S.ncols * f);
                cpu->spmm_t(&S, X, f, (pg_real)0.5, Y[t - 1]);
            }
            for (int t = 2; t <= 3; t++)
                CHECK_MSG(memcmp(Y[0], Y[t - 1], (size_t)(S.ncols * f) * sizeof(pg_real)) == 0,
                          "spmm_t shape %zu f=%lld: %d threads differ from 1", s, (long long)f, t);
            free(X), free(Y0), free(Y[0]), free(Y[1]), free(Y[2]), free_csr(&S);
        }
    /* row split; k split (16 and 6 chunks); one call; a k split of a wide (m, n) */
    const int64_t gshapes[][3] = {{3001, 17, 45}, {64, 40, 50000}, {45, 17, 7000}, {9, 9, 9}, {600, 300, 9000}};
    for (size_t s = 0; s < sizeof gshapes / sizeof gshapes[0]; s++)
        for (int ta = 0; ta < 2; ta++) {
            const int64_t m = gshapes[s][0], n = gshapes[s][1], k = gshapes[s][2];
            const int64_t lda = ta ? m : k;
            pg_real *A = rand_buf(m * k), *B = rand_buf(k * n), *C0 = rand_buf(m * n);
            pg_real *C[3];
            for (int t = 1; t <= 3; t++) {
                pg_set_threads(t);
                C[t - 1] = copy_buf(C0, m * n);
                cpu->gemm(ta, 0, m, n, k, (pg_real)0.75, A, lda, B, n, (pg_real)0.5, C[t - 1], n);
            }
            for (int t = 2; t <= 3; t++)
                CHECK_MSG(memcmp(C[0], C[t - 1], (size_t)(m * n) * sizeof(pg_real)) == 0,
                          "gemm %lldx%lldx%lld ta=%d: %d threads differ from 1", (long long)m,
                          (long long)n, (long long)k, ta, t);
            free(A), free(B), free(C0), free(C[0]), free(C[1]), free(C[2]);
        }
    pg_set_threads(2);
}

/* Shapes that take each path of the threaded GEMM: row split, k split, single call. */
static void test_gemm_split(void) {
    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    const int64_t shapes[][3] = {{3001, 17, 45}, {45, 17, 3001}, {2500, 64, 3}, {64, 40, 5000}, {9, 9, 9}};
    for (int t = 1; t <= 2; t++) {
        pg_set_threads(t);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                    pg_real *A = rand_buf(m * k), *B = rand_buf(k * n), *C1 = rand_buf(m * n);
                    pg_real *C2 = copy_buf(C1, m * n), *C3 = copy_buf(C1, m * n);
                    const int64_t lda = ta ? m : k, ldb = tb ? k : n;
                    cpu->gemm(ta, tb, m, n, k, (pg_real)0.75, A, lda, B, ldb, (pg_real)0.5, C1, n);
                    ref->gemm(ta, tb, m, n, k, (pg_real)0.75, A, lda, B, ldb, (pg_real)0.5, C2, n);
                    double d = max_rel_diff(C1, C2, m * n);
                    CHECK_MSG(d < 1e-4, "gemm %lldx%lldx%lld ta=%d tb=%d thr=%d: diff %g", (long long)m,
                              (long long)n, (long long)k, ta, tb, t, d);
                    cpu->gemm(ta, tb, m, n, k, (pg_real)0.75, A, lda, B, ldb, (pg_real)0.5, C3, n);
                    CHECK_MSG(memcmp(C1, C3, (size_t)(m * n) * sizeof *C1) == 0,
                              "gemm %lldx%lldx%lld ta=%d tb=%d thr=%d not deterministic", (long long)m,
                              (long long)n, (long long)k, ta, tb, t);
                    free(A), free(B), free(C1), free(C2), free(C3);
                }
    }
}

/* A row of C = A op(B) has the same bits whatever rows surround it (fixed row tiles): the
 * rows a process holds, in any count, give one process's rows. Rows 7..m-1 of a product
 * are computed again as a product of their own (other row counts, other tile positions,
 * a tail of another length) and must match to the bit; for 1 to 3 threads. */
static void test_gemm_rows_independent(void) {
    const pg_backend *cpu = pg_backend_cpu();
    const int64_t shapes[][3] = {{2708, 7, 16}, {1354, 16, 7}, {3001, 17, 45}, {1100, 256, 128}, {40, 40, 40}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int tb = 0; tb < 2; tb++)
            for (int t = 1; t <= 3; t++) {
                pg_set_threads(t);
                const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ldb = tb ? k : n;
                pg_real *A = rand_buf(m * k), *B = rand_buf(k * n), *C = rand_buf(m * n);
                pg_real *D = copy_buf(C + 7 * n, (m - 7) * n);
                cpu->gemm(0, tb, m, n, k, 1, A, k, B, ldb, (pg_real)0.5, C, n);
                cpu->gemm(0, tb, m - 7, n, k, 1, A + 7 * k, k, B, ldb, (pg_real)0.5, D, n);
                CHECK_MSG(memcmp(C + 7 * n, D, (size_t)((m - 7) * n) * sizeof(pg_real)) == 0,
                          "gemm %lldx%lldx%lld tb=%d thr=%d: a row's bits depend on the row count",
                          (long long)m, (long long)n, (long long)k, tb, t);
                free(A), free(B), free(C), free(D);
            }
    pg_set_threads(2);
}

/* C (m, n) = alpha op(A) op(B) + beta C, in double, straight from the definition: the
 * yardstick of the AVX-512 products (strides lda, ldb, ldc). */
static void gemm_oracle(int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha,
                        const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb,
                        double beta, pg_real *C, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t p = 0; p < k; p++)
                s += (double)(ta ? A[p * lda + i] : A[i * lda + p]) * (double)(tb ? B[j * ldb + p] : B[p * ldb + j]);
            C[i * ldc + j] = (pg_real)(alpha * s + (beta == 0 ? 0 : beta * (double)C[i * ldc + j]));
        }
}

/* Zeros in A (after a ReLU and dropout most of a layer's input is zero) are skipped by
 * the AVX-512 products: each element of C must still be, to the bit, the chain of fused
 * multiply-adds over all of k in order from zero (what the kernels compute with alpha 1
 * and beta 0), whatever the pattern: scattered zeros at several densities, k where every
 * row is zero, rows and whole blocks of zeros, a NaN (never skipped). Both row products
 * (op(B) plain and transposed) and the weight gradient (A^T B, zeros in A's columns). Of
 * the products over 97 and 301 rows, the first and last 8 rows, every 29th and the zero
 * row are checked. */
static void test_gemm_tall_zeros(void) {
#ifndef PARGNN_REAL_DOUBLE
    if (pg_kernel_set_isa(-1) != PG_ISA_AVX512) {
        printf("AVX-512 zero skipping: not available here\n");
        return;
    }
    const int64_t ms[] = {13, 97, 301}, ns[] = {40, 130, 256}, ks[] = {7, 128, 300};
    const double dens[] = {0.0, 0.05, 0.3, 0.9};
    int ran = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t d = 0; d < 4; d++)
                    for (int v = 0; v < 3; v++) { /* v: 0 NN, 1 NT, 2 TN */
                        const int64_t m = ms[a], n = ns[b], k = ks[c];
                        const int tn = v == 2; /* TN: A (k, m) */
                        const int64_t ar = tn ? k : m, ac = tn ? m : k;
                        pg_real *A = rand_buf(ar * ac), *B = rand_buf(v == 1 ? n * k : k * n), *C = rand_buf(m * n);
                        for (int64_t q = 0; q < ar * ac; q++)
                            if (pg_test_uniform(&rs, 0, 1) >= dens[d]) A[q] = 0;
                        /* a zero row of A (a node with no active unit), a zero column (a
                         * dead unit) and, when dense, a NaN that must reach its outputs */
                        for (int64_t j = 0; j < ac; j++) A[(ar / 2) * ac + j] = 0;
                        for (int64_t i = 0; i < ar; i++) A[i * ac + ac / 3] = 0;
                        if (d == 3) A[(ar - 1) * ac + ac - 1] = (pg_real)NAN;
                        const int did = tn ? pg_gemm_tall_tn(m, n, k, 1, A, m, B, n, 0, C, n)
                                           : pg_gemm_tall(v, m, n, k, 1, A, k, B, v ? k : n, 0, C, n, 2, NULL);
                        CHECK_MSG(did, "zero skipping: the AVX-512 product declined %lldx%lldx%lld",
                                  (long long)m, (long long)n, (long long)k);
                        int64_t bad = 0;
                        for (int64_t i = 0; did && i < m; i++) {
                            /* the scalar chains are slow under the sanitizers: of the taller
                             * products, the first and last rows (the tail, the last task),
                             * every 29th and the zero row */
                            if (m > 16 && i >= 8 && i < m - 8 && i % 29 && i != m / 2) continue;
                            for (int64_t j = 0; j < n; j++) {
                                float s = 0.0f;
                                for (int64_t p = 0; p < k; p++) {
                                    const float x = tn ? A[p * m + i] : A[i * k + p];
                                    const float y = v == 1 ? B[j * k + p] : B[p * n + j];
                                    s = fmaf(x, y, s);
                                }
                                const float z = C[i * n + j];
                                bad += isnan(s) ? !isnan(z) : z != s;
                            }
                        }
                        CHECK_MSG(bad == 0, "zero skipping %s %lldx%lldx%lld density %.2f: %lld elements "
                                  "differ from the in-order chain", v == 0 ? "NN" : v == 1 ? "NT" : "TN",
                                  (long long)m, (long long)n, (long long)k, dens[d], (long long)bad);
                        ran++;
                        free(A), free(B), free(C);
                    }
    printf("AVX-512 zero skipping: %d products equal to the in-order chains\n", ran);
#endif
}

/* The AVX-512 products of gemm.c called directly: every tail (rows past a block of 6 or 8,
 * columns past a 16-lane vector or a 48/64-column panel, k past a block of 128), both
 * panel widths, op(B) transposed, strides wider than the matrices, alpha and beta, and a
 * C full of NaN with beta 0 (BLAS semantics: C is not read). Against the double oracle
 * (to float rounding of a k-term chain: 4e-7 (k + 8), where a wrong term is off by O(1));
 * the columns past n in each row of C (the stride's slack) must stay untouched. Where the
 * CPU has no AVX-512 the calls must decline (return 0). */
static void test_gemm_tall(void) {
    const int avx512 = pg_kernel_set_isa(-1) == PG_ISA_AVX512;
#ifdef PARGNN_REAL_DOUBLE
    const int expect = 0;
#else
    const int expect = avx512;
#endif
    const int64_t ms[] = {1, 5, 6, 13, 97}, ns[] = {1, 15, 16, 17, 40, 48, 49, 64, 65, 130, 256},
                  ks[] = {1, 7, 128, 129, 300};
    int ran = 0;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++)
            for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++)
                for (int v = 0; v < 4; v++) { /* v: tb, NaN C with beta 0, alpha/beta, strides */
                    const int64_t m = ms[a], n = ns[b], k = ks[c];
                    const int tb = v & 1, nanc = v == 2;
                    const double alpha = v >= 2 ? 1.0 : 0.75, beta = nanc ? 0.0 : v == 3 ? 1.0 : 0.5;
                    const int64_t pad = v >= 2 ? 3 : 0, lda = k + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
                    pg_real *A = rand_buf(m * lda), *B = rand_buf((tb ? n : k) * ldb), *C = rand_buf(m * ldc);
                    if (nanc)
                        for (int64_t q = 0; q < m * ldc; q++) C[q] = (pg_real)NAN;
                    pg_real *R = copy_buf(C, m * ldc);
                    gemm_oracle(0, tb, m, n, k, alpha, A, lda, B, ldb, beta, R, ldc);
                    const int did = pg_gemm_tall(tb, m, n, k, (pg_real)alpha, A, lda, B, ldb, (pg_real)beta, C, ldc, 2, NULL);
                    CHECK_MSG(did == expect, "pg_gemm_tall %lldx%lldx%lld: returned %d on a CPU with%s AVX-512",
                              (long long)m, (long long)n, (long long)k, did, avx512 ? "" : "out");
                    if (did) {
                        ran++;
                        double worst = 0;
                        int slack_ok = 1;
                        for (int64_t i = 0; i < m; i++) {
                            const double d = max_rel_diff(C + i * ldc, R + i * ldc, n);
                            worst = d > worst ? d : worst;
                            for (int64_t j = n; j < ldc && !nanc; j++) slack_ok &= C[i * ldc + j] == R[i * ldc + j];
                        }
                        CHECK_MSG(worst < 4e-7 * (double)(k + 8), "pg_gemm_tall %lldx%lldx%lld tb=%d v=%d: %g from the oracle",
                                  (long long)m, (long long)n, (long long)k, tb, v, worst);
                        CHECK_MSG(slack_ok, "pg_gemm_tall %lldx%lldx%lld: wrote past column n", (long long)m,
                                  (long long)n, (long long)k);
                    }
                    free(A), free(B), free(C), free(R);
                }
    /* weight gradients: A (k, m), B (k, n), C (m, n) = alpha A^T B + beta C */
    const int64_t tm[] = {1, 4, 5, 8, 9, 40, 130}, tk[] = {1, 127, 128, 129, 1000};
    for (size_t a = 0; a < sizeof tm / sizeof tm[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++)
            for (size_t c = 0; c < sizeof tk / sizeof tk[0]; c++)
                for (int v = 0; v < 3; v++) {
                    const int64_t m = tm[a], n = ns[b], k = tk[c];
                    const int nanc = v == 1;
                    const double alpha = v == 2 ? 0.75 : 1.0, beta = v == 2 ? 0.5 : 0.0;
                    const int64_t pad = v == 2 ? 5 : 0, lda = m + pad, ldb = n + pad, ldc = n + pad;
                    pg_real *A = rand_buf(k * lda), *B = rand_buf(k * ldb), *C = rand_buf(m * ldc);
                    if (nanc)
                        for (int64_t q = 0; q < m * ldc; q++) C[q] = (pg_real)NAN;
                    pg_real *R = copy_buf(C, m * ldc);
                    gemm_oracle(1, 0, m, n, k, alpha, A, lda, B, ldb, beta, R, ldc);
                    const int did = pg_gemm_tall_tn(m, n, k, (pg_real)alpha, A, lda, B, ldb, (pg_real)beta, C, ldc);
                    CHECK_MSG(did == expect, "pg_gemm_tall_tn %lldx%lldx%lld: returned %d", (long long)m,
                              (long long)n, (long long)k, did);
                    if (did) {
                        ran++;
                        double worst = 0;
                        for (int64_t i = 0; i < m; i++) {
                            const double d = max_rel_diff(C + i * ldc, R + i * ldc, n);
                            worst = d > worst ? d : worst;
                        }
                        CHECK_MSG(worst < 4e-7 * (double)(k + 8), "pg_gemm_tall_tn %lldx%lldx%lld v=%d: %g from the oracle",
                                  (long long)m, (long long)n, (long long)k, v, worst);
                    }
                    free(A), free(B), free(C), free(R);
                }
    /* out of range, and lowered by the dispatch: declined, C untouched */
    pg_real one = 1, c0 = 7;
    CHECK(!pg_gemm_tall(0, 1, PG_TALL_MAX_N + 1, 1, 1, &one, 1, &one, 1, 0, &c0, 1, 1, NULL) && c0 == 7);
    pg_kernel_set_isa(PG_ISA_GENERIC);
    CHECK(!pg_gemm_tall(0, 1, 1, 1, 1, &one, 1, &one, 1, 0, &c0, 1, 1, NULL) && c0 == 7);
    CHECK(!pg_gemm_tall_tn(1, 1, 1, 1, &one, 1, &one, 1, 0, &c0, 1) && c0 == 7);
    pg_kernel_set_isa(-1);
    printf("AVX-512 products: %s (%d products checked against the oracle)\n",
           expect ? "in use" : "not available here", ran);
}

/* Every row of C (m, n) is relu(bias) for the bias of test_gemm_epi's NaN case: j - 10,
 * NaN at column 3 (kept: z < 0 ? 0 : z). */
static int relu_of_bias(const pg_real *C, int64_t m, int64_t n) {
    int ok = 1;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            const pg_real got = C[i * n + j];
            ok &= j == 3 ? isnan(got) : got == (j < 10 ? 0 : (pg_real)j - 10);
        }
    return ok;
}

/* A product with its epilogue (added to C, bias, ReLU, a ReLU's mask, column sums;
 * pg_gemm_epi) against the reference composition, on the AVX-512 kernels and on the
 * OpenBLAS path, with row tails, narrow and wide outputs, op(B) transposed and a mask with
 * a stride of its own; the column sums against double sums of the reference's output. */
static void test_gemm_epi(void) {
    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    const int64_t shapes[][3] = {{1003, 40, 256}, {997, 256, 128}, {13, 17, 9}, {600, 65, 300}};
    for (int isa = PG_ISA_AVX2; isa <= PG_ISA_AVX512; isa++) {
        pg_kernel_set_isa(isa);
        for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++)
            for (int v = 0; v < 6; v++) {
                /* v: bias+relu, mask, bias+relu+mask (tb), mask (tb), + C with bias+relu, + C
                 * with bias (tb) */
                const int64_t m = shapes[sh][0], n = shapes[sh][1], k = shapes[sh][2];
                const int tb = v == 2 || v == 3 || v == 5, ldm = (int)n + 3;
                pg_real *A = rand_buf(m * k), *B = rand_buf(k * n), *bias = rand_buf(n), *M = rand_buf(m * ldm);
                pg_real *C1 = rand_buf(m * n), *C2 = copy_buf(C1, m * n);
                pg_real *cs1 = rand_buf(n), *cs2 = rand_buf(n);
                const int sums = v == 1 || v == 3 || v == 4; /* GIN's masked store, and one more */
                pg_gemm_epi e = {.bias = v != 1 && v != 3 ? bias : NULL,
                                 .relu = v == 0 || v == 2 || v == 4,
                                 .mask = v >= 1 && v <= 3 ? M : NULL,
                                 .ldm = ldm,
                                 .accumulate = v >= 4,
                                 .colsum = sums ? cs1 : NULL};
                cpu->gemm_epi(tb, m, n, k, A, k, B, tb ? k : n, &e, C1, n);
                e.colsum = sums ? cs2 : NULL;
                ref->gemm_epi(tb, m, n, k, A, k, B, tb ? k : n, &e, C2, n);
                for (int64_t j = 0; j < n && sums; j++) {
                    double s = 0;
                    for (int64_t i = 0; i < m; i++) s += (double)C2[i * n + j];
                    const double d1 = fabs((double)cs1[j] - s) / (1 + fabs(s)), d2 = fabs((double)cs2[j] - s) / (1 + fabs(s));
                    CHECK_MSG(d1 < 1e-4 && d2 < 1e-4, "gemm_epi %s %lldx%lldx%lld v=%d: column %lld sums %g and %g, not %g",
                              pg_kernel_isa_name(pg_kernel_isa()), (long long)m, (long long)n, (long long)k, v,
                              (long long)j, (double)cs1[j], (double)cs2[j], s);
                    if (d1 >= 1e-4 || d2 >= 1e-4) break;
                }
                free(cs1), free(cs2);
                const double d = max_rel_diff(C1, C2, m * n);
                int zeros_ok = 1; /* the masked elements are exactly 0 */
                for (int64_t i = 0; i < m && e.mask; i++)
                    for (int64_t j = 0; j < n; j++) zeros_ok &= M[i * ldm + j] > 0 || C1[i * n + j] == 0;
                CHECK_MSG(d < 1e-4 && zeros_ok, "gemm_epi %s %lldx%lldx%lld v=%d: diff %g, mask zeros %d",
                          pg_kernel_isa_name(pg_kernel_isa()), (long long)m, (long long)n, (long long)k, v, d, zeros_ok);
                free(A), free(B), free(bias), free(M), free(C1), free(C2);
            }
    }
    /* a NaN through bias and ReLU: kept, as the elementwise ReLU (z < 0 ? 0 : z) keeps it,
     * on every path (MAXPS returns its second operand for a NaN) */
    for (int isa = PG_ISA_GENERIC; isa <= PG_ISA_AVX512; isa++) {
        pg_kernel_set_isa(isa);
        const int64_t m = 7, n = 20, k = 3;
        pg_real A[7 * 3], B[3 * 20], bias[20], C[7 * 20];
        for (int64_t q = 0; q < m * k; q++) A[q] = 0;
        for (int64_t q = 0; q < k * n; q++) B[q] = 1;
        for (int64_t j = 0; j < n; j++) bias[j] = j == 3 ? (pg_real)NAN : (pg_real)j - 10;
        const pg_gemm_epi e = {.bias = bias, .relu = 1};
        cpu->gemm_epi(0, m, n, k, A, k, B, n, &e, C, n);
        CHECK_MSG(relu_of_bias(C, m, n), "gemm_epi %s: a NaN through bias + ReLU was not kept",
                  pg_kernel_isa_name(pg_kernel_isa()));
        /* the same through the SpMM's epilogue: one stored 0 per row, so the sum is 0 */
        pg_csr S = {m, m, m, NULL, NULL, NULL};
        int64_t rp[8];
        int32_t col[7];
        pg_real val[7], X[7 * 20], Y[7 * 20];
        for (int64_t i = 0; i <= m; i++) rp[i] = i;
        for (int64_t i = 0; i < m; i++) col[i] = (int32_t)i, val[i] = 0;
        for (int64_t q = 0; q < m * n; q++) X[q] = 1;
        S.rowptr = rp, S.col = col, S.val = val;
        cpu->spmm_epilogue(&S, X, n, 0, NULL, bias, 1, Y);
        CHECK_MSG(relu_of_bias(Y, m, n), "spmm_epilogue %s: a NaN through bias + ReLU was not kept",
                  pg_kernel_isa_name(pg_kernel_isa()));
    }
    pg_kernel_set_isa(-1);
}

/* The double-accumulated weight-gradient kernels (--reproducible) against the reference
 * (both sum exact products in double: agreement to double rounding), the same bits on 1 to
 * 3 threads, and the split property they exist for: the sum over all rows equals the sum
 * of two row ranges' sums to double rounding (1e-11 over 20000 rows), where float32 sums differ by
 * 1e-7 or more. */
static void test_double_sums(void) {
    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    const int64_t shapes[][3] = {{17, 45, 3001}, {64, 40, 20000}, {9, 9, 9}, {256, 40, 1500}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], h = k / 3;
        pg_real *A = rand_buf(k * m), *B = rand_buf(k * n);
        double *C[3], *R = malloc((size_t)(m * n) * sizeof(double));
        double *P1 = malloc((size_t)(m * n) * sizeof(double)), *P2 = malloc((size_t)(m * n) * sizeof(double));
        for (int t = 1; t <= 3; t++) {
            pg_set_threads(t);
            C[t - 1] = malloc((size_t)(m * n) * sizeof(double));
            cpu->gemm_tn64(m, n, k, A, m, B, n, C[t - 1], n);
        }
        ref->gemm_tn64(m, n, k, A, m, B, n, R, n);
        cpu->gemm_tn64(m, n, h, A, m, B, n, P1, n);
        cpu->gemm_tn64(m, n, k - h, A + h * m, m, B + h * n, n, P2, n);
        double d = 0, dsplit = 0;
        for (int64_t q = 0; q < m * n; q++) {
            const double sc = 1 + fabs(R[q]);
            d = fmax(d, fabs(C[0][q] - R[q]) / sc);
            dsplit = fmax(dsplit, fabs(P1[q] + P2[q] - C[0][q]) / sc);
        }
        CHECK_MSG(d < 1e-11, "gemm_tn64 %lldx%lldx%lld: %g from the reference", (long long)m,
                  (long long)n, (long long)k, d);
        CHECK_MSG(dsplit < 1e-11, "gemm_tn64 %lldx%lldx%lld: split rows differ by %g", (long long)m,
                  (long long)n, (long long)k, dsplit);
        for (int t = 2; t <= 3; t++)
            CHECK_MSG(memcmp(C[0], C[t - 1], (size_t)(m * n) * sizeof(double)) == 0,
                      "gemm_tn64 %lldx%lldx%lld: %d threads differ from 1", (long long)m,
                      (long long)n, (long long)k, t);
        free(A), free(B), free(R), free(P1), free(P2), free(C[0]), free(C[1]), free(C[2]);
    }
    for (int wv = 0; wv < 2; wv++)
        for (size_t w = 0; w < NW; w += 2) {
            pg_csr S = powerlaw_csr(3000, 200, 60, wv);
            const int64_t f = widths[w];
            pg_real *X = rand_buf(S.nrows * f);
            double *Y[3], *R = malloc((size_t)(S.ncols * f) * sizeof(double));
            for (int t = 1; t <= 3; t++) {
                pg_set_threads(t);
                Y[t - 1] = malloc((size_t)(S.ncols * f) * sizeof(double));
                cpu->spmm_t64(&S, X, f, Y[t - 1]);
            }
            ref->spmm_t64(&S, X, f, R);
            double d = 0;
            for (int64_t q = 0; q < S.ncols * f; q++) d = fmax(d, fabs(Y[0][q] - R[q]) / (1 + fabs(R[q])));
            CHECK_MSG(d < 1e-13, "spmm_t64 f=%lld val=%d: %g from the reference", (long long)f, wv, d);
            for (int t = 2; t <= 3; t++)
                CHECK_MSG(memcmp(Y[0], Y[t - 1], (size_t)(S.ncols * f) * sizeof(double)) == 0,
                          "spmm_t64 f=%lld val=%d: %d threads differ from 1", (long long)f, wv, t);
            free(X), free(R), free(Y[0]), free(Y[1]), free(Y[2]), free_csr(&S);
        }
    /* column sums in double, against a plain loop */
    pg_real *A = rand_buf(5000 * 33);
    double out[33];
    pg_col_sums64(A, 5000, 33, out);
    double d = 0;
    for (int64_t j = 0; j < 33; j++) {
        double r = 0;
        for (int64_t i = 0; i < 5000; i++) r += (double)A[i * 33 + j];
        d = fmax(d, fabs(out[j] - r));
    }
    CHECK_MSG(d < 1e-10, "pg_col_sums64: %g from a plain sum", d);
    free(A);
    pg_set_threads(2);
}

static void test_fused_elementwise(void) {
    for (size_t w = 0; w < NW; w++)
        for (int t = 1; t <= 2; t++)
            for (int relu = 0; relu < 2; relu++) {
                const int64_t n = 1500, f = widths[w];
                pg_set_threads(t);
                pg_dropout_key key = {11, 2, 1, relu ? 0.5 : 0.0};
                pg_real *Z = rand_buf(n * f), *b = rand_buf(f);
                pg_real *Zr = copy_buf(Z, n * f), *H = rand_buf(n * f), *Hr = rand_buf(n * f);
                pg_bias_relu_dropout(Z, n, f, b, relu, &key, H, 5, NULL);
                pg_bias_add(Zr, n, f, b);
                if (relu) pg_relu(Zr, n * f);
                pg_dropout_dense(&key, Zr, Hr, n, f, 5, NULL);
                CHECK_MSG(memcmp(Z, Zr, (size_t)(n * f) * sizeof *Z) == 0 &&
                              memcmp(H, Hr, (size_t)(n * f) * sizeof *H) == 0,
                          "bias_relu_dropout f=%lld relu=%d thr=%d differs from the composition",
                          (long long)f, relu, t);
                /* with node ids: the same mask as the unfused kernel keyed by those ids */
                int32_t *gid = malloc((size_t)n * sizeof *gid);
                for (int64_t i = 0; i < n; i++) gid[i] = (int32_t)((i * 7919) % n);
                pg_bias_relu_dropout(Z, n, f, NULL, 0, &key, H, 0, gid);
                pg_dropout_dense(&key, Z, Hr, n, f, 0, gid);
                CHECK_MSG(memcmp(H, Hr, (size_t)(n * f) * sizeof *H) == 0, "gid-keyed fused dropout differs");
                free(gid);
                /* backward: the next layer's dropout (with the keys of the forward: rows from
                 * 5, or by node id), ReLU mask and bias gradient in one pass */
                for (int dv = 0; dv < 3; dv++) {
                    const pg_dropout_key *drop = dv ? &key : NULL;
                    int32_t *ids = dv == 2 ? malloc((size_t)n * sizeof *ids) : NULL;
                    for (int64_t i = 0; ids && i < n; i++) ids[i] = (int32_t)((i * 31) % n);
                    pg_real *dZ = rand_buf(n * f), *dZr = copy_buf(dZ, n * f);
                    pg_real *db = rand_buf(f), *dbr = rand_buf(f);
                    pg_relu_bias_grad(dZ, Zr, n, f, relu, db, drop, 5, ids);
                    if (drop) pg_dropout_dense(drop, dZr, dZr, n, f, 5, ids);
                    if (relu) pg_relu_backward(dZr, Zr, n * f);
                    pg_bias_grad(dZr, n, f, dbr);
                    CHECK_MSG(memcmp(dZ, dZr, (size_t)(n * f) * sizeof *dZ) == 0,
                              "relu_bias_grad f=%lld relu=%d dropout=%d: dZ differs", (long long)f, relu, dv);
                    double d = max_rel_diff(db, dbr, f);
                    CHECK_MSG(d < 1e-4, "relu_bias_grad f=%lld dropout=%d: db diff %g", (long long)f, dv, d);
                    free(ids), free(dZ), free(dZr), free(db), free(dbr);
                }
                free(Z), free(b), free(Zr), free(H), free(Hr);
            }
}

/* The vectorised Philox and the dropout masks built on it draw exactly pg_rng_u32. */
static void test_philox16(void) {
    const int best = pg_kernel_set_isa(-1);
    for (int isa = PG_ISA_GENERIC; isa <= best; isa++) {
        pg_kernel_set_isa(isa);
        uint32_t c1[16], o[4][16];
        int ok = 1;
        for (int r = 0; r < 50; r++) {
            for (int l = 0; l < 16; l++) c1[l] = (uint32_t)(r * 977 + l * 131071);
            const uint64_t key = 0x9e3779b97f4a7c15ULL * (uint64_t)(r + 1);
            pg_philox16(key, (uint32_t)r, c1, 7u + (uint32_t)r, 0xabcdefu, o);
            for (int l = 0; l < 16; l++) {
                pg_philox_out w = pg_philox(key, (uint32_t)r, c1[l], 7u + (uint32_t)r, 0xabcdefu);
                for (int k = 0; k < 4; k++) ok &= o[k][l] == w.v[k];
            }
        }
        CHECK_MSG(ok, "philox16 (%s) differs from pg_philox", pg_kernel_isa_name(isa));
        /* dense and sparse dropout: element (i, j) kept iff its pg_rng_u32 draw >= p 2^32 */
        const int64_t n = 37, f = 131;
        pg_dropout_key key = {5, 9, 2, 0.4};
        pg_real *X = rand_buf(n * f), *Y = rand_buf(n * f);
        pg_dropout_dense(&key, X, Y, n, f, 1000, NULL);
        pg_csr S = powerlaw_csr(n, f, 90, 1);
        pg_real *sv = rand_buf(S.nnz);
        pg_dropout_csr(&key, &S, sv, 1000, NULL);
        const uint32_t thr = (uint32_t)(0.4 * 4294967296.0);
        int okd = 1, oks = 1;
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < f; j++) {
                uint32_t u = pg_rng_u32(5, PG_RNG_DROPOUT, 9, 2, (uint32_t)(1000 + i), (uint32_t)j);
                okd &= (u >= thr) == (Y[i * f + j] != 0 || X[i * f + j] == 0);
            }
            for (int64_t e = S.rowptr[i]; e < S.rowptr[i + 1]; e++) {
                uint32_t u = pg_rng_u32(5, PG_RNG_DROPOUT, 9, 2, (uint32_t)(1000 + i), (uint32_t)S.col[e]);
                oks &= (u >= thr) == (sv[e] != 0 || S.val[e] == 0);
            }
        }
        CHECK_MSG(okd && oks, "dropout masks (%s) differ from pg_rng_u32: dense %d sparse %d",
                  pg_kernel_isa_name(isa), okd, oks);
        free(X), free(Y), free(sv), free_csr(&S);
    }
    pg_kernel_set_isa(-1);
}

static void test_phase_timers(void) {
    const pg_backend *cpu = pg_backend_cpu();
    pg_csr S = powerlaw_csr(4000, 4000, 200, 1);
    pg_real *X = rand_buf(4000 * 64), *Y = rand_buf(4000 * 64);
    double ms[PARGNN_PHASE_COUNT];
    pg_phase_reset();
    pg_phase_get(ms);
    CHECK(ms[PARGNN_PHASE_SPMM] == 0 && ms[PARGNN_PHASE_GEMM] == 0);
    const double t0 = pg_now_ms();
    for (int r = 0; r < 5; r++) cpu->spmm(&S, X, 64, 0, Y);
    const double wall = pg_now_ms() - t0;
    pg_relu(Y, 4000 * 64);
    pg_phase_get(ms);
    CHECK_MSG(ms[PARGNN_PHASE_SPMM] > 0 && ms[PARGNN_PHASE_SPMM] <= wall * 1.01 + 0.01,
              "spmm phase %g ms for %g ms of calls", ms[PARGNN_PHASE_SPMM], wall);
    CHECK(ms[PARGNN_PHASE_ELEMENTWISE] > 0 && ms[PARGNN_PHASE_GEMM] == 0);
    CHECK(strcmp(pargnn_phase_name(PARGNN_PHASE_OPTIMIZER), "optimizer") == 0);
    free(X), free(Y), free_csr(&S);
}

/* Through the trainer: every phase of a step is reported, evaluation is left out, and
 * the phases add up to about the step time (medians of each, so not exactly). */
static void test_trainer_phases(void) {
    pargnn_sbm_params sp;
    pargnn_sbm_params_default(&sp);
    sp.num_nodes = 3000;
    sp.num_features = 200;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&sp, &ds), PARGNN_STATUS_OK, NULL);
    if (!ds) return;
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cfg.epochs = 15;
    cfg.threads = 1;
    cfg.hidden = 32;
    for (int ro = 0; ro <= PARGNN_REORDER_RCM; ro += PARGNN_REORDER_RCM) {
        cfg.reorder = (pargnn_reorder)ro;
        pargnn_trainer_t *tr = NULL;
        pargnn_result r;
        double sum = 0;
        /* A step preempted between kernels (other jobs on the cores) has time no phase
         * counts: a low sum is measured again, up to 5 runs; a high one fails at once. */
        for (int attempt = 0; attempt < 5; attempt++) {
            pargnn_trainer_free(tr);
            tr = NULL;
            CHECK_STATUS(pargnn_trainer_create(ds, &cfg, &tr), PARGNN_STATUS_OK, NULL);
            if (!tr) break;
            CHECK_STATUS(pargnn_trainer_run(tr, NULL, NULL), PARGNN_STATUS_OK, NULL);
            pargnn_trainer_result(tr, &r);
            sum = 0;
            for (int ph = 0; ph < PARGNN_PHASE_COUNT; ph++) sum += r.phase_ms[ph];
            if (sum >= 0.5 * r.epoch_ms) break;
        }
        if (!tr) break;
        CHECK_MSG(r.phase_ms[PARGNN_PHASE_SPMM] > 0 && r.phase_ms[PARGNN_PHASE_GEMM] + r.phase_ms[PARGNN_PHASE_SPMM] > 0 &&
                      r.phase_ms[PARGNN_PHASE_ELEMENTWISE] > 0 && r.phase_ms[PARGNN_PHASE_LOSS] > 0 &&
                      r.phase_ms[PARGNN_PHASE_OPTIMIZER] > 0 && r.phase_ms[PARGNN_PHASE_COMM] == 0,
                  "a phase is missing: spmm %g gemm %g elementwise %g loss %g optimizer %g comm %g",
                  r.phase_ms[0], r.phase_ms[1], r.phase_ms[2], r.phase_ms[3], r.phase_ms[4], r.phase_ms[5]);
        CHECK_MSG(sum >= 0.5 * r.epoch_ms && sum <= 1.3 * r.epoch_ms + 0.5,
                  "reorder %d: phases sum to %g ms, step %g ms", ro, sum, r.epoch_ms);
        pargnn_trainer_free(tr);
    }
    pargnn_dataset_free(ds);
}

/* Symmetric banded graph under a scrambled numbering: RCM must recover a small bandwidth,
 * and A P-permuted times P-permuted X must equal the permuted product. */
static void test_reorder(void) {
    const int64_t n = 3000;
    int32_t *scr = malloc((size_t)n * sizeof *scr);
    for (int64_t i = 0; i < n; i++) scr[i] = (int32_t)((i * 1103) % n); /* 1103 prime to 3000 */
    /* edges i -- i+1 .. i+3 in the original numbering, stored under scr */
    pg_csr B = {n, n, 0, malloc((size_t)(n + 1) * sizeof(int64_t)), malloc((size_t)n * 6 * sizeof(int32_t)), NULL};
    int64_t k = 0;
    int32_t *inv = malloc((size_t)n * sizeof *inv);
    for (int64_t i = 0; i < n; i++) inv[scr[i]] = (int32_t)i;
    for (int64_t v = 0; v < n; v++) { /* row of new id v = original node inv[v] */
        B.rowptr[v] = k;
        int32_t nb[6];
        int c = 0;
        for (int dlt = -3; dlt <= 3; dlt++) {
            int64_t o = inv[v] + dlt;
            if (dlt && o >= 0 && o < n) nb[c++] = scr[o];
        }
        for (int p = 1; p < c; p++)
            for (int q = p; q > 0 && nb[q] < nb[q - 1]; q--) {
                int32_t tmp = nb[q];
                nb[q] = nb[q - 1];
                nb[q - 1] = tmp;
            }
        for (int p = 0; p < c; p++) B.col[k++] = nb[p];
    }
    B.rowptr[n] = k;
    B.nnz = k;
    B.val = rand_buf(k);
    /* kinds 0..3, then METIS clusters of 250 nodes (kind 4; pg_reorder_perm's 4,096 leave
     * this graph whole) */
    for (int kind = 0; kind <= PARGNN_REORDER_METIS + 1; kind++) {
        int32_t *perm = malloc((size_t)n * sizeof *perm);
        if (kind <= PARGNN_REORDER_METIS)
            CHECK_STATUS(pg_reorder_perm(&B, (pargnn_reorder)kind, perm), PARGNN_STATUS_OK, NULL);
        else
            CHECK_STATUS(pg_reorder_clusters(&B, 250, perm), PARGNN_STATUS_OK, NULL);
        char *seen = calloc((size_t)n, 1);
        int ok = 1;
        for (int64_t i = 0; i < n; i++) ok &= perm[i] >= 0 && perm[i] < n && !seen[perm[i]]++;
        CHECK_MSG(ok, "reorder %d: not a permutation", kind);
        pg_csr P;
        CHECK_STATUS(pg_csr_permute(&B, perm, &P), PARGNN_STATUS_OK, NULL);
        if (kind == PARGNN_REORDER_RCM)
            CHECK_MSG(pg_csr_mean_distance(&P) < 10 && pg_csr_mean_distance(&B) > 100,
                      "rcm: mean distance %g (scrambled %g)", pg_csr_mean_distance(&P), pg_csr_mean_distance(&B));
        if (kind > PARGNN_REORDER_METIS) /* a band cut into 12 pieces: neighbours within a piece */
            CHECK_MSG(pg_csr_mean_distance(&P) < 125 && pg_csr_mean_distance(&B) > 500,
                      "metis clusters: mean distance %g (scrambled %g)", pg_csr_mean_distance(&P),
                      pg_csr_mean_distance(&B));
        int sorted = 1;
        for (int64_t i = 0; i < n; i++)
            for (int64_t e = P.rowptr[i] + 1; e < P.rowptr[i + 1]; e++) sorted &= P.col[e] > P.col[e - 1];
        CHECK(sorted && P.nnz == B.nnz);
        /* (P A P^T)(P X) = P (A X) */
        const int64_t f = 5;
        pg_real *X = rand_buf(n * f), *PX = rand_buf(n * f), *Y = rand_buf(n * f), *PY = rand_buf(n * f),
                *Y2 = rand_buf(n * f);
        pg_rows_permute(X, n, f, perm, PX);
        pg_backend_ref()->spmm(&B, X, f, 0, Y);
        pg_backend_ref()->spmm(&P, PX, f, 0, PY);
        pg_rows_permute(Y, n, f, perm, Y2);
        double d = max_rel_diff(PY, Y2, n * f);
        CHECK_MSG(d < 1e-5, "reorder %d: permuted product differs by %g", kind, d);
        free(perm), free(seen), free(X), free(PX), free(Y), free(PY), free(Y2);
        pg_csr_free(&P);
    }
    free(scr), free(inv), free_csr(&B);
}

/* The OpenBLAS kernel advice: a pre-AVX2 core on an AVX2 or AVX-512 CPU, and only then. */
static void test_blas_advice(void) {
    const char *a = pg_blas_advice("Prescott", PG_ISA_AVX512, NULL, 1);
    CHECK_MSG(a && strcmp(a, "SkylakeX") == 0, "Prescott on AVX-512: advice %s", a ? a : "none");
    a = pg_blas_advice("prescott", PG_ISA_AVX2, "", 1);
    CHECK_MSG(a && strcmp(a, "Haswell") == 0, "Prescott on AVX2: advice %s", a ? a : "none");
    a = pg_blas_advice("Nehalem", PG_ISA_AVX2, NULL, 1);
    CHECK_MSG(a && strcmp(a, "Haswell") == 0, "Nehalem on AVX2: advice %s", a ? a : "none");
    a = pg_blas_advice("Prescott", PG_ISA_AVX512, "SkylakeXX", 1); /* misspelt: not taken */
    CHECK_MSG(a && strcmp(a, "SkylakeX") == 0, "a name OpenBLAS did not take: advice %s",
              a ? a : "none");
    CHECK_MSG(!pg_blas_advice("SkylakeX", PG_ISA_AVX512, NULL, 1), "SkylakeX needs no advice");
    CHECK_MSG(!pg_blas_advice("Haswell", PG_ISA_AVX512, NULL, 1), "Haswell is OpenBLAS's choice");
    CHECK_MSG(!pg_blas_advice("Zen", PG_ISA_AVX2, NULL, 1), "Zen needs no advice");
    CHECK_MSG(!pg_blas_advice("Prescott", PG_ISA_GENERIC, NULL, 1), "Prescott is right without AVX2");
    CHECK_MSG(!pg_blas_advice("Prescott", PG_ISA_AVX512, "prescott", 1),
              "the core OPENBLAS_CORETYPE names is the user's choice");
    CHECK_MSG(!pg_blas_advice("PRESCOTT", PG_ISA_AVX512, NULL, 0),
              "a build without DYNAMIC_ARCH ignores the variable: no advice");
    CHECK(!pg_blas_advice(NULL, PG_ISA_AVX512, NULL, 1));
    /* the public call agrees with its parts on this machine */
    pargnn_blas_info info;
    pargnn_blas_get_info(&info);
    CHECK(info.core && info.cpu);
    printf("OpenBLAS core %s on a CPU with %s%s%s\n", info.core, info.cpu,
           info.advice ? "; advice: OPENBLAS_CORETYPE=" : "", info.advice ? info.advice : "");
}

int main(void) {
    /* the dispatch: forcing the portable path works on every machine */
    CHECK(pg_kernel_set_isa(PG_ISA_GENERIC) == PG_ISA_GENERIC && pg_kernel_isa() == PG_ISA_GENERIC);
    printf("best SIMD path: %s\n", pg_kernel_isa_name(pg_kernel_set_isa(-1)));
    test_spmm_paths();
    test_spmm_dscale();
    test_spmm_t();
    test_thread_independent();
    test_gemm_split();
    test_gemm_rows_independent();
    test_gemm_tall();
    test_gemm_tall_zeros();
    test_gemm_epi();
    test_double_sums();
    test_fused_elementwise();
    test_philox16();
    test_phase_timers();
    test_reorder();
    test_trainer_phases();
    test_blas_advice();
    return pg_test_finish();
}
