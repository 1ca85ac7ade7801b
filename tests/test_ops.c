/*
 * The CPU backend against the serial reference on random inputs (every transpose case,
 * skewed sparse rows, empty rows), plus the RNG and elementwise kernels' contracts.
 */
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "nn/net.h"
#include "ops/ops.h"
#include "testutil.h"

static unsigned long long rs = 12345;

static pg_real *rand_buf(int64_t n) {
    pg_real *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    for (int64_t k = 0; k < n; k++) p[k] = (pg_real)pg_test_uniform(&rs, -1, 1);
    return p;
}

/* A random CSR with a power-law-ish row length (row i gets about max_deg / (1 + i % 17)),
 * some empty rows, sorted unique columns. */
static pg_csr rand_csr(int64_t nr, int64_t nc, int64_t max_deg, int with_val) {
    pg_csr a = {0};
    a.nrows = nr;
    a.ncols = nc;
    a.rowptr = malloc((size_t)(nr + 1) * sizeof(int64_t));
    a.col = malloc((size_t)(nr * (max_deg + 1) + 1) * sizeof(int32_t));
    a.rowptr[0] = 0;
    char *used = calloc((size_t)nc, 1);
    int64_t k = 0;
    for (int64_t i = 0; i < nr; i++) {
        int64_t d = i % 11 == 3 ? 0 : max_deg / (1 + i % 17);
        if (d > nc) d = nc;
        for (int64_t t = 0; t < d; t++) used[(int64_t)pg_test_uniform(&rs, 0, (double)nc)] = 1;
        for (int64_t j = 0; j < nc; j++)
            if (used[j]) {
                a.col[k++] = (int32_t)j;
                used[j] = 0;
            }
        a.rowptr[i + 1] = k;
    }
    free(used);
    a.nnz = k;
    a.val = with_val ? rand_buf(k) : NULL;
    return a;
}

static double max_rel_diff(const pg_real *a, const pg_real *b, int64_t n) {
    double worst = 0;
    for (int64_t k = 0; k < n; k++) {
        double d = fabs((double)a[k] - (double)b[k]) / (1.0 + fabs((double)b[k]));
        if (d > worst || isnan(d)) worst = isnan(d) ? INFINITY : d;
    }
    return worst;
}

static void test_gemm(const pg_backend *fast, const pg_backend *ref) {
    const int64_t shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {64, 16, 33}, {300, 40, 129}, {5, 0, 4}, {0, 3, 2}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bk = 0; bk < 2; bk++) {
                    int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                    pg_real *A = rand_buf(m * k), *B = rand_buf(k * n), *C1 = rand_buf(m * n);
                    pg_real *C2 = malloc((size_t)(m * n + 1) * sizeof *C2);
                    for (int64_t q = 0; q < m * n; q++) C2[q] = C1[q];
                    pg_real beta = bk ? (pg_real)0.5 : 0;
                    int64_t lda = ta ? m : k, ldb = tb ? k : n;
                    fast->gemm(ta, tb, m, n, k, (pg_real)1.5, A, lda, B, ldb, beta, C1, n);
                    ref->gemm(ta, tb, m, n, k, (pg_real)1.5, A, lda, B, ldb, beta, C2, n);
                    double d = max_rel_diff(C1, C2, m * n);
                    CHECK_MSG(d < 1e-4, "gemm %lldx%lldx%lld ta=%d tb=%d beta=%g: diff %g",
                              (long long)m, (long long)n, (long long)k, ta, tb, (double)beta, d);
                    free(A), free(B), free(C1), free(C2);
                }
}

static void test_spmm(const pg_backend *fast, const pg_backend *ref) {
    const int64_t cases[][4] = {{1, 1, 1, 1}, {50, 40, 9, 3}, {2000, 1500, 60, 16}, {3000, 3000, 200, 64}, {10, 10, 0, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int wv = 0; wv < 2; wv++)
            for (int bk = 0; bk < 2; bk++) {
                int64_t nr = cases[c][0], nc = cases[c][1], f = cases[c][3];
                pg_csr S = rand_csr(nr, nc, cases[c][2], wv);
                pg_real beta = bk ? (pg_real)-0.25 : 0;
                pg_real *X = rand_buf(nc * f), *Y1 = rand_buf(nr * f);
                pg_real *Y2 = malloc((size_t)(nr * f) * sizeof *Y2);
                for (int64_t q = 0; q < nr * f; q++) Y2[q] = Y1[q];
                fast->spmm(&S, X, f, beta, Y1);
                ref->spmm(&S, X, f, beta, Y2);
                double d = max_rel_diff(Y1, Y2, nr * f);
                CHECK_MSG(d < 1e-5, "spmm case %zu val=%d beta=%g: diff %g", c, wv, (double)beta, d);
                pg_real *Xt = rand_buf(nr * f), *Z1 = rand_buf(nc * f);
                pg_real *Z2 = malloc((size_t)(nc * f) * sizeof *Z2);
                for (int64_t q = 0; q < nc * f; q++) Z2[q] = Z1[q];
                fast->spmm_t(&S, Xt, f, beta, Z1);
                ref->spmm_t(&S, Xt, f, beta, Z2);
                d = max_rel_diff(Z1, Z2, nc * f);
                CHECK_MSG(d < 1e-5, "spmm_t case %zu val=%d beta=%g: diff %g", c, wv, (double)beta, d);
                free(X), free(Y1), free(Y2), free(Xt), free(Z1), free(Z2);
                free(S.rowptr), free(S.col), free(S.val);
            }
}

static void test_threads_deterministic(const pg_backend *fast) {
    /* Same thread count, same bits; and the row split covers every row exactly once. */
    pg_csr S = rand_csr(5000, 5000, 120, 1);
    const int64_t f = 24;
    pg_real *X = rand_buf(5000 * f), *Y1 = rand_buf(5000 * f), *Y2 = rand_buf(5000 * f);
    pg_real *Y0 = rand_buf(5000 * f);
    pg_set_threads(1);
    fast->spmm(&S, X, f, 0, Y0);
    pg_set_threads(2);
    fast->spmm(&S, X, f, 0, Y1);
    fast->spmm(&S, X, f, 0, Y2);
    int same = 1, same1 = 1;
    for (int64_t q = 0; q < 5000 * f; q++) same &= Y1[q] == Y2[q], same1 &= Y0[q] == Y1[q];
    CHECK_MSG(same, "two 2-thread spmm runs differ");
    CHECK_MSG(same1, "spmm rows must not depend on the thread split");
    free(X), free(Y0), free(Y1), free(Y2), free(S.rowptr), free(S.col), free(S.val);
}

static void test_philox(void) {
    /* Known-answer vectors of Philox4x32-10 (Random123's kat_vectors). */
    pg_philox_out o = pg_philox(0, 0, 0, 0, 0);
    CHECK_MSG(o.v[0] == 0x6627e8d5u && o.v[1] == 0xe169c58du && o.v[2] == 0xbc57ac4cu &&
                  o.v[3] == 0x9b00dbd8u,
              "philox(0) = %08x %08x %08x %08x", o.v[0], o.v[1], o.v[2], o.v[3]);
    o = pg_philox(0xffffffffffffffffULL, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu);
    CHECK_MSG(o.v[0] == 0x408f276du && o.v[1] == 0x41c83b0eu && o.v[2] == 0xa20bc7c6u &&
                  o.v[3] == 0x6d5451fdu,
              "philox(~0) = %08x %08x %08x %08x", o.v[0], o.v[1], o.v[2], o.v[3]);
}

static void test_dropout(void) {
    const int64_t n = 400, f = 37;
    pg_real *X = rand_buf(n * f), *Y = malloc((size_t)(n * f) * sizeof *Y);
    pg_dropout_key key = {7, 3, 1, 0.3};
    pg_dropout_dense(&key, X, Y, n, f, 0, NULL);
    int64_t dropped = 0, bad = 0;
    for (int64_t q = 0; q < n * f; q++) {
        if (Y[q] == 0) dropped++;
        else bad += fabs((double)Y[q] - (double)X[q] / 0.7) > 1e-5;
    }
    double frac = (double)dropped / (double)(n * f);
    CHECK_MSG(fabs(frac - 0.3) < 0.02, "dropped fraction %.4f, want 0.3", frac);
    CHECK(bad == 0);
    /* Rows keyed by global id: rows 100.. of a block starting at global row 100 match. */
    pg_real *Y2 = malloc((size_t)(n * f) * sizeof *Y2);
    pg_dropout_dense(&key, X + 100 * f, Y2, n - 100, f, 100, NULL);
    int same = 1;
    for (int64_t q = 0; q < (n - 100) * f; q++) same &= Y2[q] == Y[100 * f + q];
    CHECK_MSG(same, "dropout of a row block differs from the same rows in the whole");
    /* The sparse variant draws the same mask for the same (row, col). */
    pg_csr S = rand_csr(n, f, 20, 1);
    pg_real *dense = calloc((size_t)(n * f), sizeof *dense), *sv = malloc((size_t)S.nnz * sizeof *sv);
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = S.rowptr[i]; e < S.rowptr[i + 1]; e++) dense[i * f + S.col[e]] = S.val[e];
    pg_dropout_csr(&key, &S, sv, 0, NULL);
    pg_dropout_dense(&key, dense, dense, n, f, 0, NULL);
    same = 1;
    for (int64_t i = 0; i < n; i++)
        for (int64_t e = S.rowptr[i]; e < S.rowptr[i + 1]; e++) same &= sv[e] == dense[i * f + S.col[e]];
    CHECK_MSG(same, "sparse and dense dropout masks differ");
    /* A different epoch gives a different mask. */
    key.epoch = 4;
    pg_dropout_dense(&key, X, Y2, n, f, 0, NULL);
    int64_t differ = 0;
    for (int64_t q = 0; q < n * f; q++) differ += (Y2[q] == 0) != (Y[q] == 0);
    CHECK(differ > n * f / 10);
    free(X), free(Y), free(Y2), free(dense), free(sv), free(S.rowptr), free(S.col), free(S.val);
}

static void test_gcn_normalize(void) {
    /* Path 0-1-2 plus an existing self-loop on 2: A+I keeps one loop per node. */
    int64_t rowptr[] = {0, 1, 3, 5};
    int32_t col[] = {1, 0, 2, 1, 2};
    pg_csr A = {3, 3, 5, rowptr, col, NULL};
    pg_csr H;
    CHECK_STATUS(pg_gcn_normalize(&A, &H), PARGNN_STATUS_OK, NULL);
    CHECK(H.nnz == 7);
    /* degrees of A+I: 2, 3, 2 */
    const double d[3] = {2, 3, 2};
    int ok = 1;
    for (int64_t i = 0; i < 3; i++) {
        for (int64_t e = H.rowptr[i]; e < H.rowptr[i + 1]; e++) {
            double want = 1.0 / sqrt(d[i] * d[H.col[e]]);
            ok &= fabs((double)H.val[e] - want) < 1e-6;
            if (e > H.rowptr[i]) ok &= H.col[e] > H.col[e - 1];
        }
    }
    CHECK_MSG(ok, "A_hat values or column order wrong");
    pg_csr_free(&H);
}

static void test_softmax_xent(void) {
    pg_real Z[] = {1, 2, 3, 0, 0, 0, -50, 50, 0};
    int32_t y[] = {2, 0, 1};
    int32_t rows[] = {0, 2};
    pg_real dZ[9];
    double loss = pg_softmax_xent(Z, 3, 3, y, rows, 2, 2, dZ);
    double l0 = log(exp(1) + exp(2) + exp(3)) - 3;
    CHECK_MSG(fabs(loss - l0 / 2) < 1e-6, "loss %g want %g", loss, l0 / 2);
    CHECK(dZ[3] == 0 && dZ[4] == 0 && dZ[5] == 0); /* row 1 is not a training row */
    double s = 0;
    for (int j = 0; j < 3; j++) s += dZ[j];
    CHECK(fabs(s) < 1e-6);
    CHECK(fabs(pg_accuracy(Z, 3, 3, y, rows, 2) - 1.0) < 1e-12);
}

int main(void) {
    const pg_backend *ref = pg_backend_ref(), *cpu = pg_backend_cpu();
    for (int t = 1; t <= 2; t++) {
        pg_set_threads(t);
        test_gemm(cpu, ref);
        test_spmm(cpu, ref);
    }
    test_threads_deterministic(cpu);
    test_philox();
    test_dropout();
    test_gcn_normalize();
    test_softmax_xent();
    return pg_test_finish();
}
