/*
 * Kernel microbenchmark and roofline (not part of make test): measures this machine's
 * ceilings (triad bandwidth, OpenBLAS SGEMM at the GCN shapes), then the SpMM variants,
 * the dense products and the reorderings, and the roofline lower bound of a GCN epoch.
 * Every timed result is checked against the serial reference outside the timed region.
 *
 *   pargnn_bench_kernels [--nodes N] [--avg-degree D] [--in F] [--hidden H] [--classes C]
 *                        [--layers L] [--graph uniform|powerlaw] [--reps R] [--quick]
 *                        [--only spmm|spmm-cachegrind --reorder none|degree|rcm|metis --width F]
 *                        [--only feature-density --nodes N --in F --hidden H]
 *                        [--only gemm --nodes N --in F --hidden H --classes C --reps R]
 * Output: human-readable lines plus "CSV," lines (kind,name,threads,value,unit,...).
 */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pg.h"
#include "core/reorder.h"
#include "core/rng.h"
#include "nn/net.h"
#include "ops/kernels.h"

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static int reps = 15;

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median wall time (ms) of reps calls after two warm-up calls. */
#define TIME_MEDIAN(out, ...)                                                          \
    do {                                                                                \
        double ts_[256];                                                                \
        int r_ = reps > 256 ? 256 : reps;                                               \
        __VA_ARGS__;                                                                    \
        __VA_ARGS__;                                                                    \
        for (int q_ = 0; q_ < r_; q_++) {                                               \
            double t0_ = pg_now_ms();                                                   \
            __VA_ARGS__;                                                                \
            ts_[q_] = pg_now_ms() - t0_;                                                \
        }                                                                               \
        qsort(ts_, (size_t)r_, sizeof(double), cmp_d);                                  \
        (out) = ts_[r_ / 2];                                                            \
    } while (0)

static void csv(const char *kind, const char *name, int threads, double value, const char *unit,
                const char *extra) {
    printf("CSV,%s,%s,%d,%.6g,%s,%s\n", kind, name, threads, value, unit, extra ? extra : "");
}

static float *rand_buf(int64_t n, uint64_t seed) {
    float *p = pg_alloc((size_t)n, sizeof *p, "bench buffer");
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < n; k++)
        p[k] = (float)(pg_u32_to_unit(pg_rng_u32(seed, 9, 0, 0, (uint32_t)(k >> 20), (uint32_t)(k & 0xfffff))) - 0.5);
    return p;
}

static double max_rel(const float *a, const float *b, int64_t n) {
    double w = 0;
    for (int64_t k = 0; k < n; k++) {
        double d = fabs((double)a[k] - (double)b[k]) / (1 + fabs((double)b[k]));
        if (!(d <= w)) w = d;
    }
    return w;
}

/* ------------------------------------------------------------ graph */

/* Undirected graph with n nodes and about n * deg / 2 edges: uniform endpoints (like the
 * SBM generator, whose neighbours are spread over the whole id range) or power-law
 * (R-MAT-like: endpoint ids drawn from a skewed distribution, then ids scrambled). */
static pg_csr make_graph(int64_t n, double deg, int powerlaw, uint64_t seed) {
    const int64_t m = (int64_t)(n * deg / 2);
    int32_t *src = pg_alloc((size_t)m, sizeof *src, "edges"), *dst = pg_alloc((size_t)m, sizeof *dst, "edges");
    for (int64_t e = 0; e < m; e++) {
        pg_philox_out o = pg_philox(seed, (uint32_t)e, (uint32_t)(e >> 32), 0, 7);
        double u1 = pg_u32_to_unit(o.v[0]), u2 = pg_u32_to_unit(o.v[1]);
        int64_t a, b;
        if (powerlaw) {
            /* P(id < x) ~ (x / n)^0.35: a few nodes get most of the edges */
            a = (int64_t)(pow(u1, 1 / 0.35) * (double)n);
            b = (int64_t)(u2 * (double)n);
            a = (a * 2654435761LL) % n; /* scramble so hubs are not all at the front */
        } else {
            a = (int64_t)(u1 * (double)n);
            b = (int64_t)(u2 * (double)n);
        }
        src[e] = (int32_t)(a < n ? a : n - 1);
        dst[e] = (int32_t)(b < n ? b : n - 1);
    }
    /* symmetric CSR, duplicates dropped (counting sort by source, then sort rows) */
    int64_t *cnt = pg_calloc((size_t)n + 1, sizeof *cnt, "deg");
    for (int64_t e = 0; e < m; e++) cnt[src[e] + 1]++, cnt[dst[e] + 1]++;
    for (int64_t i = 0; i < n; i++) cnt[i + 1] += cnt[i];
    int32_t *col = pg_alloc((size_t)(2 * m + 1), sizeof *col, "cols");
    int64_t *pos = pg_alloc((size_t)n, sizeof *pos, "pos");
    memcpy(pos, cnt, (size_t)n * sizeof *pos);
    for (int64_t e = 0; e < m; e++) col[pos[src[e]]++] = dst[e], col[pos[dst[e]]++] = src[e];
    pg_csr A = {n, n, 0, pg_alloc((size_t)n + 1, sizeof(int64_t), "rowptr"), col, NULL};
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t b = cnt[i], e = cnt[i + 1];
        /* insertion sort: rows are short */
        for (int64_t p = b + 1; p < e; p++) {
            int32_t v = col[p];
            int64_t q = p - 1;
            while (q >= b && col[q] > v) col[q + 1] = col[q], q--;
            col[q + 1] = v;
        }
        A.rowptr[i] = k;
        for (int64_t p = b; p < e; p++)
            if (p == b || col[p] != col[p - 1]) col[k++] = col[p];
    }
    A.rowptr[n] = k;
    A.nnz = k;
    pg_free(src), pg_free(dst), pg_free(cnt), pg_free(pos);
    return A;
}

/* ------------------------------------------------------------ ceilings */

static void triad(float *restrict a, const float *restrict b, const float *restrict c, int64_t n) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) a[i] = b[i] + 1.5f * c[i];
}

static double triad_gbs(int threads, int64_t n) {
    float *a = rand_buf(n, 1), *b = rand_buf(n, 2), *c = rand_buf(n, 3);
    double ms;
    omp_set_num_threads(threads);
    TIME_MEDIAN(ms, triad(a, b, c, n));
    pg_free(a), pg_free(b), pg_free(c);
    return 3.0 * 4.0 * (double)n / (ms * 1e6); /* STREAM counting: 2 reads + 1 write */
}

/* Random-row read bandwidth: GB/s of reading `reads` rows of f floats, each chosen uniformly
 * at random from an (n, f) matrix (the rows a SpMM fetches when the graph has no locality),
 * summed into one accumulator row so the reads cannot be skipped. The indices are drawn
 * before the clock starts. */
#define GATHER_BODY                                                                        \
    _Pragma("omp parallel") {                                                              \
        float *restrict a = acc + (int64_t)omp_get_thread_num() * ((f + 15) / 16 * 16);    \
        _Pragma("omp for schedule(static)") for (int64_t k = 0; k < reads; k++) {          \
            const float *restrict x = X + (int64_t)idx[k] * f;                             \
            for (int64_t j = 0; j < f; j++) a[j] += x[j];                                  \
        }                                                                                  \
    }
static void gather_generic(const float *X, const int32_t *idx, int64_t reads, int64_t f, float *acc) {
    GATHER_BODY
}
#if defined(__x86_64__)
/* the widest vectors the CPU has, as the SpMM kernels use them */
__attribute__((target("avx512f,prefer-vector-width=512"))) static void
gather_avx512(const float *X, const int32_t *idx, int64_t reads, int64_t f, float *acc) {
    GATHER_BODY
}
#endif
static void gather_pass(const float *X, const int32_t *idx, int64_t reads, int64_t f, float *acc) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        gather_avx512(X, idx, reads, f, acc);
        return;
    }
#endif
    gather_generic(X, idx, reads, f, acc);
}

static double gather_gbs(int threads, int64_t n, int64_t f, int64_t reads) {
    float *X = rand_buf(n * f, 7);
    int32_t *idx = pg_alloc((size_t)reads, sizeof *idx, "gather indices");
    /* one accumulator row per thread, each on its own cache lines */
    float *acc = pg_calloc((size_t)(omp_get_max_threads() > threads ? omp_get_max_threads() : threads) *
                               (size_t)((f + 15) / 16 * 16), sizeof *acc, "gather accumulators");
    if (!idx || !acc) exit(1);
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (int64_t k = 0; k < reads; k++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        idx[k] = (int32_t)(r % (uint64_t)n);
    }
    omp_set_num_threads(threads);
    double ms;
    TIME_MEDIAN(ms, gather_pass(X, idx, reads, f, acc));
    pg_free(X), pg_free(idx), pg_free(acc);
    return 4.0 * (double)f * (double)reads / (ms * 1e6);
}

/* OpenBLAS itself (its own threads) at C (m, n) = A (m, k) B (k, n), op(A) transposed when ta. */
static double blas_gflops(int threads, int ta, int64_t m, int64_t n, int64_t k) {
    float *A = rand_buf(m * k, 4), *B = rand_buf(k * n, 5), *C = rand_buf(m * n, 6);
    openblas_set_num_threads(threads);
    double ms;
    TIME_MEDIAN(ms, cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans,
                                (blasint)m, (blasint)n, (blasint)k, 1, A, ta ? (blasint)m : (blasint)k,
                                B, (blasint)n, 0, C, (blasint)n));
    openblas_set_num_threads(1);
    pg_free(A), pg_free(B), pg_free(C);
    return 2.0 * (double)m * (double)n * (double)k / (ms * 1e6);
}

/* ------------------------------------------------------------ main */

typedef struct shape { int ta; int64_t m, n, k; const char *what; } shape;

int main(int argc, char **argv) {
    int64_t n = 169343;
    double deg = 13.7;
    int64_t fin = 128, hidden = 256, classes = 40, layers = 3;
    int powerlaw = 0, quick = 0, cg = 0, cg_width = 256;
    pargnn_reorder cg_reorder = PARGNN_REORDER_NONE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--nodes")) n = atoll(v), i++;
        else if (!strcmp(a, "--avg-degree")) deg = atof(v), i++;
        else if (!strcmp(a, "--in")) fin = atoll(v), i++;
        else if (!strcmp(a, "--hidden")) hidden = atoll(v), i++;
        else if (!strcmp(a, "--classes")) classes = atoll(v), i++;
        else if (!strcmp(a, "--layers")) layers = atoll(v), i++;
        else if (!strcmp(a, "--reps")) reps = atoi(v), i++;
        else if (!strcmp(a, "--graph")) powerlaw = !strcmp(v, "powerlaw"), i++;
        else if (!strcmp(a, "--quick")) quick = 1;
        else if (!strcmp(a, "--only"))
            cg = !strcmp(v, "spmm-cachegrind") ? 1 : !strcmp(v, "spmm") ? 2 : !strcmp(v, "feature-density") ? 3
                 : !strcmp(v, "gemm") ? 4 : 0, i++;
        else if (!strcmp(a, "--width")) cg_width = atoi(v), i++;
        else if (!strcmp(a, "--reorder")) {
            cg_reorder = !strcmp(v, "rcm")      ? PARGNN_REORDER_RCM
                         : !strcmp(v, "degree") ? PARGNN_REORDER_DEGREE
                         : !strcmp(v, "metis")  ? PARGNN_REORDER_METIS
                                                : PARGNN_REORDER_NONE;
            i++;
        } else {
            fprintf(stderr, "unknown argument %s (see the comment at the top of bench/kernels.c)\n", a);
            return 2;
        }
    }
    openblas_set_num_threads(1);

    if (cg == 4) {
        /* The layer products of SAGE and GIN (3 layers) through cpu->gemm: pargnn's AVX-512
         * kernels (gemm.c) against the OpenBLAS path (the same call with the dispatch
         * lowered), interleaved call by call so both see the same machine; medians of reps,
         * and the two results compared. */
        if (pg_kernel_set_isa(-1) < PG_ISA_AVX512) {
            printf("no AVX-512 on this CPU: the products run on OpenBLAS only\n");
            return 0;
        }
        const pg_backend *be = pg_backend_cpu();
        typedef struct { int ta, tb; int64_t m, n, k; const char *what; } gshape;
        const gshape gs[] = {
            {0, 0, n, hidden, fin, "H W, layer 0 (NN)"},       {0, 0, n, hidden, hidden, "H W, hidden (NN)"},
            {0, 0, n, classes, hidden, "H W, output (NN)"},    {0, 1, n, hidden, hidden, "dZ W^T, hidden (NT)"},
            {0, 1, n, hidden, classes, "dZ W^T, output (NT)"}, {1, 0, fin, hidden, n, "H^T dZ, layer 0 (TN)"},
            {1, 0, hidden, hidden, n, "H^T dZ, hidden (TN)"},  {1, 0, hidden, classes, n, "H^T dZ, output (TN)"},
        };
        printf("OpenBLAS core: %s\n", openblas_get_corename());
        for (int t = 1; t <= 2; t++) {
            pg_set_threads(t);
            for (size_t s = 0; s < sizeof gs / sizeof gs[0]; s++) {
                const gshape *q = &gs[s];
                const int64_t ar = q->ta ? q->k : q->m, ac = q->ta ? q->m : q->k;
                const int64_t br = q->tb ? q->n : q->k, bc = q->tb ? q->k : q->n;
                float *A = rand_buf(ar * ac, 51), *B = rand_buf(br * bc, 52);
                float *C1 = rand_buf(q->m * q->n, 53), *C2 = rand_buf(q->m * q->n, 54);
                double ts[2][64];
                const int r = reps > 64 ? 64 : reps;
                for (int i = -1; i < r; i++) /* one warm-up round */
                    for (int w = 0; w < 2; w++) {
                        pg_kernel_set_isa(w ? PG_ISA_AVX2 : -1);
                        const double t0 = pg_now_ms();
                        be->gemm(q->ta, q->tb, q->m, q->n, q->k, 1, A, ac, B, bc, 0, w ? C2 : C1, q->n);
                        if (i >= 0) ts[w][i] = pg_now_ms() - t0;
                    }
                pg_kernel_set_isa(-1);
                for (int w = 0; w < 2; w++) qsort(ts[w], (size_t)r, sizeof(double), cmp_d);
                const double flops = 2.0 * (double)q->m * (double)q->n * (double)q->k;
                const double a = ts[0][r / 2], b = ts[1][r / 2];
                const double d = max_rel(C1, C2, q->m * q->n);
                char name[96], extra[160];
                snprintf(name, sizeof name, "%s %lldx%lldx%lld", q->what, (long long)q->m, (long long)q->n, (long long)q->k);
                printf("%-48s %d thr: avx512 %7.2f ms (%5.1f GFLOP/s, p10-p90 %.2f-%.2f)  openblas %7.2f ms "
                       "(%5.1f GFLOP/s)  %.2fx  diff %.1e%s\n",
                       name, t, a, flops / (a * 1e6), ts[0][r / 10], ts[0][r - 1 - r / 10], b, flops / (b * 1e6),
                       b / a, d, d > 1e-3 ? "  !! results differ" : "");
                snprintf(extra, sizeof extra, "openblas_ms=%.3f;openblas_core=%s;speedup=%.3f;max_rel_diff=%.2g", b,
                         openblas_get_corename(), b / a, d);
                csv("gemm_tall", name, t, a, "ms", extra);
                if (d > 1e-3) return 1;
                pg_free(A), pg_free(B), pg_free(C1), pg_free(C2);
            }
        }
        return 0;
    }

    if (cg == 3) {
        /* Dense GEMM against sparse products for the first layer's X W and X^T dT, with
         * binary features of several densities (where PG_SPARSE_FEATURE_DENSITY belongs). */
        const pg_backend *be = pg_backend_cpu();
        const double dens[] = {0.05, 0.15, 0.25, 0.35, 0.5};
        float *W = rand_buf(fin * hidden, 41), *dT = rand_buf(n * hidden, 42);
        float *Y = rand_buf(n * hidden, 43), *dW = rand_buf(fin * hidden, 44);
        for (size_t d = 0; d < sizeof dens / sizeof dens[0]; d++) {
            float *X = pg_calloc((size_t)(n * fin), sizeof *X, "features");
            pg_csr S = {n, fin, 0, pg_alloc((size_t)n + 1, sizeof(int64_t), "rowptr"),
                        pg_alloc((size_t)(n * fin), sizeof(int32_t), "col"), pg_alloc((size_t)(n * fin), sizeof(float), "val")};
            int64_t e = 0;
            for (int64_t i = 0; i < n; i++) {
                S.rowptr[i] = e;
                for (int64_t j = 0; j < fin; j++)
                    if (pg_u32_to_unit(pg_rng_u32(5, 9, 1, 0, (uint32_t)i, (uint32_t)j)) < dens[d]) {
                        X[i * fin + j] = 1;
                        S.col[e] = (int32_t)j;
                        S.val[e++] = 1;
                    }
            }
            S.rowptr[n] = e;
            S.nnz = e;
            for (int t = 1; t <= 2; t++) {
                pg_set_threads(t);
                double g1, s1, g2, s2;
                TIME_MEDIAN(g1, be->gemm(0, 0, n, hidden, fin, 1, X, fin, W, hidden, 0, Y, hidden));
                TIME_MEDIAN(s1, be->spmm(&S, W, hidden, 0, Y));
                TIME_MEDIAN(g2, be->gemm(1, 0, fin, hidden, n, 1, X, fin, dT, hidden, 0, dW, hidden));
                TIME_MEDIAN(s2, be->spmm_t(&S, dT, hidden, 0, dW));
                printf("density %.2f (nnz %lld) %d thr: X W dense %.2f ms sparse %.2f ms; X^T dT dense %.2f ms "
                       "sparse %.2f ms; pair sparse/dense %.2f\n",
                       dens[d], (long long)e, t, g1, s1, g2, s2, (s1 + s2) / (g1 + g2));
                char name[48];
                snprintf(name, sizeof name, "density=%.2f", dens[d]);
                csv("feature_density", name, t, (s1 + s2) / (g1 + g2), "sparse/dense", NULL);
            }
            pg_free(X), pg_csr_free(&S);
        }
        return 0;
    }

    /* A_hat of the generated graph, as the trainer builds it */
    pg_csr A0 = make_graph(n, deg, powerlaw, 42), Ah;
    if (pg_gcn_normalize(&A0, &Ah)) return 1;
    pg_csr_free(&A0);

    if (cg) {
        /* Only one SpMM, for valgrind --tool=cachegrind: bench/cachegrind_spmm.sh reads the
         * kernel function's own counts, so generating and permuting the graph do not mix in. */
        int32_t *perm = pg_alloc((size_t)n, sizeof *perm, "perm");
        pg_csr P;
        pg_reorder_perm(&Ah, cg_reorder, perm);
        pg_csr_permute(&Ah, perm, &P);
        float *X = rand_buf(n * cg_width, 7), *Y = rand_buf(n * cg_width, 8);
        pg_set_threads(cg == 2 ? pg_get_threads() : 1);
        double ms = 0;
        if (cg == 2) TIME_MEDIAN(ms, pg_backend_cpu()->spmm(&P, X, cg_width, 0, Y));
        else pg_backend_cpu()->spmm(&P, X, cg_width, 0, Y);
        if (cg == 2) printf("spmm median %.3f ms (%d threads)\n", ms, pg_get_threads());
        printf("spmm once: n=%lld nnz=%lld width=%d reorder=%d mean|i-j|=%.0f\n", (long long)n,
               (long long)P.nnz, cg_width, (int)cg_reorder, pg_csr_mean_distance(&P));
        return 0;
    }

    printf("# machine: %d cores; SIMD path %s; OpenBLAS %s\n", omp_get_num_procs(),
           pg_kernel_isa_name(pg_kernel_isa()), OPENBLAS_VERSION);
    printf("# graph: %s, n=%lld, nnz(A_hat)=%lld, layers=%lld in=%lld hidden=%lld classes=%lld\n",
           powerlaw ? "power-law" : "uniform", (long long)n, (long long)Ah.nnz, (long long)layers,
           (long long)fin, (long long)hidden, (long long)classes);

    /* ---- ceilings ---- */
    const int64_t tn = quick ? (1 << 22) : (1 << 25);
    double bw[3] = {0};
    for (int t = 1; t <= 2; t++) {
        bw[t] = triad_gbs(t, tn);
        printf("triad bandwidth, %d thread(s): %.2f GB/s\n", t, bw[t]);
        csv("ceiling", "triad", t, bw[t], "GB/s", NULL);
    }
    double peak[3];
    for (int t = 1; t <= 2; t++) {
        peak[t] = blas_gflops(t, 0, 2048, 2048, 2048);
        printf("OpenBLAS sgemm 2048^3, %d thread(s): %.1f GFLOP/s\n", t, peak[t]);
        csv("ceiling", "sgemm_2048", t, peak[t], "GFLOP/s", NULL);
    }

    /* ---- the GCN epoch's products (training step: forward + backward) ---- */
    /* per layer: fin_l, fout_l, aggregate_first as net.c chooses */
    shape sh[64];
    int nsh = 0;
    int64_t spmm_w[64];
    int nsp = 0;
    for (int64_t l = 0; l < layers; l++) {
        const int64_t a = l == 0 ? fin : hidden, b = l == layers - 1 ? classes : hidden;
        const int agg_first = a < b;
        if (agg_first) {
            spmm_w[nsp++] = a;                                     /* T = A H */
            sh[nsh++] = (shape){0, n, b, a, "fwd T W"};            /* Z = T W */
            sh[nsh++] = (shape){1, a, b, n, "bwd dW = T^T dZ"};
            if (l > 0) sh[nsh++] = (shape){2, n, a, b, "bwd dZ W^T"}, spmm_w[nsp++] = a;
        } else {
            sh[nsh++] = (shape){0, n, b, a, "fwd H W"};
            spmm_w[nsp++] = b;                                     /* Z = A (H W) */
            spmm_w[nsp++] = b;                                     /* dT = A^T dZ */
            sh[nsh++] = (shape){1, a, b, n, "bwd dW = H^T dT"};
            if (l > 0) sh[nsh++] = (shape){2, n, a, b, "bwd dT W^T"};
        }
    }

    const pg_backend *cpu = pg_backend_cpu(), *ref = pg_backend_ref();
    double gemm_ms[3] = {0}, gemm_floor[3] = {0}, gemm_flops = 0;
    for (int s = 0; s < nsh; s++) {
        const shape *q = &sh[s];
        const int ta = q->ta == 1, tb = q->ta == 2;
        const double flops = 2.0 * (double)q->m * (double)q->n * (double)q->k;
        gemm_flops += flops;
        float *A = rand_buf(q->m * q->k, 11), *B = rand_buf(q->k * q->n, 12), *C = rand_buf(q->m * q->n, 13);
        const int64_t lda = ta ? q->m : q->k, ldb = tb ? q->k : q->n;
        for (int t = 1; t <= 2; t++) {
            /* ceiling at this shape: OpenBLAS with its own threads */
            openblas_set_num_threads(t);
            double ms_blas;
            TIME_MEDIAN(ms_blas, cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                                             tb ? CblasTrans : CblasNoTrans, (blasint)q->m,
                                             (blasint)q->n, (blasint)q->k, 1, A, (blasint)lda, B,
                                             (blasint)ldb, 0, C, (blasint)q->n));
            pg_set_threads(t);
            double ms;
            TIME_MEDIAN(ms, cpu->gemm(ta, tb, q->m, q->n, q->k, 1, A, lda, B, ldb, 0, C, q->n));
            const double ceil_rate = flops / (ms_blas * 1e6) > peak[t] ? flops / (ms_blas * 1e6) : peak[t];
            gemm_ms[t] += ms;
            gemm_floor[t] += flops / (ceil_rate * 1e6);
            char name[96], extra[160];
            snprintf(name, sizeof name, "%s (%lldx%lldx%lld)", q->what, (long long)q->m, (long long)q->n, (long long)q->k);
            snprintf(extra, sizeof extra, "openblas_at_shape=%.1f;fraction_of_best=%.2f", flops / (ms_blas * 1e6),
                     flops / (ms * 1e6) / ceil_rate);
            printf("gemm %-40s %d thr: %7.3f ms %6.1f GFLOP/s (OpenBLAS alone %6.1f; %.0f%% of best ceiling)\n", name, t, ms,
                   flops / (ms * 1e6), flops / (ms_blas * 1e6), 100 * flops / (ms * 1e6) / ceil_rate);
            csv("gemm", name, t, flops / (ms * 1e6), "GFLOP/s", extra);
        }
        /* check against the oracle on a slice (the reference is slow) */
        if (q->ta == 0) {
            const int64_t mm = q->m < 500 ? q->m : 500;
            float *C2 = rand_buf(mm * q->n, 14);
            ref->gemm(0, 0, mm, q->n, q->k, 1, A, lda, B, ldb, 0, C2, q->n);
            cpu->gemm(0, 0, q->m, q->n, q->k, 1, A, lda, B, ldb, 0, C, q->n);
            double d = max_rel(C, C2, mm * q->n);
            if (d > 1e-3) printf("!! gemm check failed: %g\n", d);
            pg_free(C2);
        }
        pg_free(A), pg_free(B), pg_free(C);
    }

    /* ---- SpMM ---- */
    const int64_t wmax = hidden > fin ? (hidden > classes ? hidden : classes) : (fin > classes ? fin : classes);
    float *X = rand_buf(n * wmax, 21), *Y = rand_buf(n * wmax, 22), *Yr = rand_buf(n * wmax, 23);
    int64_t widths[8] = {classes, fin, hidden};
    int nw = 3;
    double spmm_ms[3] = {0}, spmm_floor[3] = {0}, spmm_bytes_epoch = 0;
    /* the rate of the SpMM's scattered row reads, at each width, for the fraction below */
    double gbw[8][3] = {{0}};
    for (int wi = 0; wi < nw; wi++)
        for (int t = 1; t <= 2; t++) {
            gbw[wi][t] = gather_gbs(t, n, widths[wi], Ah.nnz);
            printf("random-row reads, width %lld, %d thread(s): %.2f GB/s\n", (long long)widths[wi], t, gbw[wi][t]);
            char name[48];
            snprintf(name, sizeof name, "gather_f%lld", (long long)widths[wi]);
            csv("ceiling", name, t, gbw[wi][t], "GB/s", NULL);
        }
    const char *orders[4] = {"none", "degree", "rcm", "metis"};
    for (int o = 0; o < 4; o++) {
        int32_t *perm = pg_alloc((size_t)n, sizeof *perm, "perm");
        pg_csr P;
        double t0 = pg_now_ms();
        pg_reorder_perm(&Ah, (pargnn_reorder)o, perm);
        pg_csr_permute(&Ah, perm, &P);
        double tperm = pg_now_ms() - t0;
        printf("reorder %-6s: %.0f ms to compute and apply, mean |i-j| over non-zeros %.0f\n", orders[o],
               tperm, pg_csr_mean_distance(&P));
        for (int wi = 0; wi < nw; wi++) {
            const int64_t f = widths[wi];
            const double bytes = 8.0 * (double)(n + 1) + 8.0 * (double)P.nnz + 8.0 * (double)n * (double)f;
            ref->spmm(&P, X, f, 0, Yr);
            for (int isa = PG_ISA_AVX512; isa >= PG_ISA_GENERIC; isa--) {
                if (pg_kernel_set_isa(isa) != isa) continue;
                if (o > 0 && isa != PG_ISA_AVX512 && !quick) continue; /* ISA comparison on the natural order only */
                for (int t = 1; t <= 2; t++) {
                    pg_set_threads(t);
                    double ms;
                    TIME_MEDIAN(ms, cpu->spmm(&P, X, f, 0, Y));
                    double d = max_rel(Y, Yr, n * f);
                    char name[64], extra[192];
                    snprintf(name, sizeof name, "spmm f=%lld %s %s", (long long)f, pg_kernel_isa_name(isa), orders[o]);
                    /* fetched: every non-zero reads its whole input row (no reuse) */
                    const double fetched = bytes - 4.0 * (double)n * (double)f + 4.0 * (double)P.nnz * (double)f;
                    const double gfrac = fetched / (ms * 1e6) / gbw[wi][t];
                    snprintf(extra, sizeof extra, "GB/s=%.2f;fraction_of_triad=%.2f;fetched_GB/s=%.2f;fraction_of_gather=%.2f;maxdiff=%.1e",
                             bytes / (ms * 1e6), bytes / (ms * 1e6) / bw[t], fetched / (ms * 1e6), gfrac, d);
                    printf("%-34s %d thr: %7.3f ms %6.2f GB/s (%3.0f%% of triad; fetched %5.2f GB/s, %3.0f%% of random-row reads) %5.2f GFLOP/s%s\n",
                           name, t, ms, bytes / (ms * 1e6), 100 * bytes / (ms * 1e6) / bw[t], fetched / (ms * 1e6), 100 * gfrac,
                           2.0 * (double)P.nnz * (double)f / (ms * 1e6), d > 1e-4 ? "  !! MISMATCH" : "");
                    csv("spmm", name, t, ms, "ms", extra);
                }
            }
            pg_kernel_set_isa(-1);
            if (o == 0) {
                /* serial reference, for the speed-up over the oracle */
                double ms;
                int save = reps;
                reps = 3;
                TIME_MEDIAN(ms, ref->spmm(&P, X, f, 0, Yr));
                reps = save;
                printf("%-34s 1 thr: %7.3f ms (serial reference)\n", "spmm ref", ms);
                csv("spmm", "ref", 1, ms, "ms", NULL);
                /* the GCN alternative: unweighted CSR + D^-1/2 per node, no edge values */
                pg_csr U = P;
                U.val = NULL;
                float *dis = pg_alloc((size_t)n, sizeof *dis, "dinv");
                for (int64_t i = 0; i < n; i++) dis[i] = (float)(1.0 / sqrt((double)(P.rowptr[i + 1] - P.rowptr[i])));
                pg_spmm_args a = {.S = &U, .X = X, .f = f, .Y = Y, .rowscale = dis, .colscale = dis};
                const double bytes_u = bytes - 4.0 * (double)P.nnz + 4.0 * (double)n;
                for (int t = 1; t <= 2; t++) {
                    pg_set_threads(t);
                    TIME_MEDIAN(ms, pg_cpu_spmm_args(&a));
                    double d = max_rel(Y, Yr, n * f);
                    char name[64], extra[96];
                    snprintf(name, sizeof name, "spmm f=%lld unweighted+dscale", (long long)f);
                    snprintf(extra, sizeof extra, "GB/s=%.2f;maxdiff=%.1e", bytes_u / (ms * 1e6), d);
                    printf("%-34s %d thr: %7.3f ms %6.2f GB/s%s\n", name, t, ms, bytes_u / (ms * 1e6), d > 1e-4 ? "  !! MISMATCH" : "");
                    csv("spmm", name, t, ms, "ms", extra);
                }
                pg_free(dis);
                /* fused epilogue against spmm + bias + relu */
                float *bias = rand_buf(f, 30);
                for (int t = 1; t <= 2; t++) {
                    pg_set_threads(t);
                    double ms_f, ms_u;
                    TIME_MEDIAN(ms_f, cpu->spmm_epilogue(&P, X, f, 0, NULL, bias, 1, Y));
                    TIME_MEDIAN(ms_u, { cpu->spmm(&P, X, f, 0, Y); pg_bias_add(Y, n, f, bias); pg_relu(Y, n * f); });
                    printf("%-34s %d thr: fused %7.3f ms, unfused %7.3f ms\n", "spmm+bias+relu", t, ms_f, ms_u);
                    char name[64];
                    snprintf(name, sizeof name, "spmm+bias+relu f=%lld fused", (long long)f);
                    csv("spmm", name, t, ms_f, "ms", NULL);
                    snprintf(name, sizeof name, "spmm+bias+relu f=%lld unfused", (long long)f);
                    csv("spmm", name, t, ms_u, "ms", NULL);
                }
                pg_free(bias);
            }
        }
        /* the epoch's SpMMs in this order */
        for (int t = 1; t <= 2 && o == 0; t++) {
            pg_set_threads(t);
            for (int s = 0; s < nsp; s++) {
                double ms;
                TIME_MEDIAN(ms, cpu->spmm(&P, X, spmm_w[s], 0, Y));
                const double bytes = 8.0 * (double)(n + 1) + 8.0 * (double)P.nnz + 8.0 * (double)n * (double)spmm_w[s];
                spmm_ms[t] += ms;
                spmm_floor[t] += bytes / (bw[t] * 1e6);
                if (t == 1) spmm_bytes_epoch += bytes;
            }
        }
        pg_free(perm);
        pg_csr_free(&P);
    }

    /* ---- elementwise traffic of a step (bias, ReLU, dropout, their gradients, loss, Adam):
     * counted as reads + writes of the (n, width) activations, a lower bound ---- */
    double elem_bytes = 0;
    for (int64_t l = 0; l < layers; l++) {
        const int64_t a = l == 0 ? fin : hidden, b = l == layers - 1 ? classes : hidden;
        elem_bytes += 4.0 * (double)n * (double)a * 2;  /* dropout of the input: read + write */
        elem_bytes += 4.0 * (double)n * (double)b * 2;  /* bias (+ReLU) */
        elem_bytes += 4.0 * (double)n * (double)b * 3;  /* ReLU/bias gradient: dZ, Z, dZ */
        if (l > 0) elem_bytes += 4.0 * (double)n * (double)a * 2; /* dropout of the gradient */
    }
    elem_bytes += 4.0 * (double)n * (double)classes * 2; /* loss: logits in, gradient out */
    for (int t = 1; t <= 2; t++) {
        const double elem_floor = elem_bytes / (bw[t] * 1e6);
        const double lb = spmm_floor[t] + gemm_floor[t] + elem_floor;
        printf("epoch model, %d thr: spmm %.2f ms (floor %.2f), gemm %.2f ms (floor %.2f), elementwise floor %.2f; "
               "lower bound %.2f ms, kernels alone %.2f ms\n",
               t, spmm_ms[t], spmm_floor[t], gemm_ms[t], gemm_floor[t], elem_floor, lb, spmm_ms[t] + gemm_ms[t]);
        csv("epoch", "lower_bound", t, lb, "ms", NULL);
        csv("epoch", "spmm_floor", t, spmm_floor[t], "ms", NULL);
        csv("epoch", "gemm_floor", t, gemm_floor[t], "ms", NULL);
        csv("epoch", "elementwise_floor", t, elem_floor, "ms", NULL);
        csv("epoch", "spmm_measured", t, spmm_ms[t], "ms", NULL);
        csv("epoch", "gemm_measured", t, gemm_ms[t], "ms", NULL);
    }
    printf("epoch: %.1f MB SpMM traffic, %.2f GFLOP dense, %.1f MB elementwise traffic\n", spmm_bytes_epoch / 1e6,
           gemm_flops / 1e9, elem_bytes / 1e6);
    pg_free(X), pg_free(Y), pg_free(Yr);
    pg_csr_free(&Ah);
    return 0;
}
