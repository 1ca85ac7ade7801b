/*
 * The CPU backend: dense products on gemm.c's AVX-512 kernels where the CPU has them, else
 * through single-threaded OpenBLAS calls that OpenMP splits (one thread pool, no OpenBLAS
 * workers spinning beside ours; weight gradients take either per chunk), sparse products
 * with the SIMD row kernels of spmm.c balanced by non-zeros. The same bits for any thread
 * count: every output element has one writer, and reductions run in chunks whose count
 * depends on the shape alone, summed in a fixed order.
 */
#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/kernels.h"

#ifdef PARGNN_REAL_DOUBLE
#define PG_CBLAS_GEMM cblas_dgemm
#else
#define PG_CBLAS_GEMM cblas_sgemm
#endif

/* Fewer non-zeros x width than this run on one thread: starting threads costs more. */
#define PG_PAR_MIN_WORK 32768
/* Row chunks per thread in SpMM: more than one, so a thread slowed by another process
 * or by cache misses hands work to the other (rows are independent: no effect on bits). */
#define PG_CHUNKS_PER_THREAD 8
#define PG_MAX_THREADS 256

/* OpenBLAS's own thread count and kernel choice (declared here: not every cblas.h
 * exposes them). */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);

/* OpenBLAS's x86 cores without AVX2 kernels: the ones a CPU with AVX2 or AVX-512 should
 * not be running (OpenBLAS before 0.3.25 drops a model it does not know to Prescott). */
static const char *const pre_avx2_cores[] = {
    "Prescott", "Core2",    "Penryn",     "Dunnington",  "Nehalem",   "Sandybridge", "Atom",
    "Barcelona", "Bobcat",  "Bulldozer",  "Piledriver",  "Steamroller", "Opteron",
    "Opteron_SSE3", "Katmai", "Coppermine", "Northwood", "Banias",    "Athlon",      "Unknown",
};

const char *pg_blas_advice(const char *core, int cpu_isa, const char *env, int dynamic_arch) {
    /* a single-core build ignores OPENBLAS_CORETYPE; a core the user named is theirs (a
     * misspelt name is not: OpenBLAS falls back to Prescott then) */
    if (!core || !dynamic_arch || cpu_isa < PG_ISA_AVX2) return NULL;
    if (env && *env && strcasecmp(env, core) == 0) return NULL;
    for (size_t i = 0; i < sizeof pre_avx2_cores / sizeof pre_avx2_cores[0]; i++)
        if (strcasecmp(core, pre_avx2_cores[i]) == 0)
            return cpu_isa >= PG_ISA_AVX512 ? "SkylakeX" : "Haswell";
    return NULL;
}

/* What OpenBLAS's SkylakeX and Haswell kernels need, independent of pargnn's own SIMD
 * paths (which the double build and $PARGNN_ISA turn off). */
static int blas_cpu_isa(void) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        return PG_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PG_ISA_AVX2;
#endif
    return PG_ISA_GENERIC;
}

void pargnn_blas_get_info(pargnn_blas_info *info) {
    const int isa = blas_cpu_isa();
    info->core = openblas_get_corename();
    info->cpu = pg_kernel_isa_name(isa);
    const char *config = openblas_get_config();
    const int own = pg_gemm_tall_active();
    info->products = own ? "avx512" : "openblas";
    info->advice_double = pg_blas_advice(info->core, isa, getenv("OPENBLAS_CORETYPE"),
                                         config && strstr(config, "DYNAMIC_ARCH") != NULL);
    info->advice = own ? NULL : info->advice_double;
}

static int pg_threads = 0;

void pg_set_threads(int threads) {
    /* OpenBLAS always runs single-threaded: cpu_gemm splits the product over OpenMP
     * threads itself. With the pthread build of OpenBLAS its workers otherwise busy-wait
     * after each call while our OpenMP workers busy-wait after each loop: on 2 cores
     * that is 3-4 spinning threads, and on a loaded machine steps slow down many times. */
    openblas_set_num_threads(1);
    if (threads <= 0) return;
    pg_threads = threads;
    omp_set_num_threads(threads);
}

int pg_get_threads(void) { return pg_threads > 0 ? pg_threads : omp_get_max_threads(); }

/* ---- phase timers ---- */

double pg_phase_acc[PARGNN_PHASE_COUNT];

void pg_phase_reset(void) { memset(pg_phase_acc, 0, sizeof pg_phase_acc); }

void pg_phase_get(double *ms) { memcpy(ms, pg_phase_acc, sizeof pg_phase_acc); }

/* ---- scratch: grows on first use, then reused (no allocation in later epochs) ---- */

static pg_real *scratch;
static size_t scratch_len;

static pg_real *get_scratch(size_t count) {
    if (count > scratch_len) {
        pg_free(scratch);
        scratch = pg_alloc(count, sizeof(pg_real), "kernel scratch");
        scratch_len = scratch ? count : 0;
    }
    return scratch;
}

/* ---- dense ---- */

static void blas(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                 const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                 pg_real *C, int64_t ldc) {
    if (ta && !tb && k >= m && pg_gemm_tall_tn(m, n, k, alpha, A, lda, B, ldb, beta, C, ldc))
        return; /* a weight gradient (or a chunk of one) on the AVX-512 path (gemm.c) */
    PG_CBLAS_GEMM(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  (blasint)m, (blasint)n, (blasint)k, alpha, A, (blasint)lda, B, (blasint)ldb, beta,
                  C, (blasint)ldc);
}

/* Long reductions (weight gradients: (fin, n)(n, fout), k the row count) are cut into
 * chunks of at least this many k, at most PG_K_CHUNKS of them, and at most PG_K_PART_BYTES
 * of partial products: counts that depend on the shape alone. */
#define PG_K_CHUNK_MIN 1024
#define PG_K_CHUNKS 16
#define PG_K_PART_BYTES ((size_t)64 << 20)
/* Other products are cut by rows of C: chunks of at least this many rows, at most
 * PG_ROW_CHUNKS of them (a few per thread, so a thread slowed by another process hands
 * work to the others). */
#define PG_ROW_CHUNK_MIN 512
#define PG_ROW_CHUNKS 32

/* The chunk count of a k split of an (m, n) product over k (1: no split). */
static int k_chunks(int64_t m, int64_t n, int64_t k) {
    if (k <= m || k < 2 * PG_K_CHUNK_MIN) return 1;
    int64_t c = k / PG_K_CHUNK_MIN;
    if (c > PG_K_CHUNKS) c = PG_K_CHUNKS;
    const int64_t by_mem = (int64_t)(PG_K_PART_BYTES / sizeof(pg_real)) / (m * n > 0 ? m * n : 1);
    if (c > by_mem) c = by_mem;
    return c > 1 ? (int)c : 1;
}

/* Rows of C per BLAS call when op(A) is A: every call has PG_ROW_TILE rows, the last one
 * padded through a scratch copy, so every row of C is computed by the same call shape at
 * any row count. OpenBLAS picks its kernel by the size of each call (small-matrix kernels
 * sum in another order) and treats a partial micro-tile with other code, so without this
 * a row's bits would depend on how many rows a process holds, not only on the row. */
#define PG_ROW_TILE 512

static pg_real *tail_scratch;
static size_t tail_len;

/* C = alpha A op(B) + beta C in tiles of PG_ROW_TILE rows. Returns 0 (nothing done) when
 * the padded tail's scratch cannot be had. */
static int row_tiles(int tb, int64_t m, int64_t n, int64_t k, pg_real alpha, const pg_real *A,
                     int64_t lda, const pg_real *B, int64_t ldb, pg_real beta, pg_real *C,
                     int64_t ldc, int nt) {
    const int64_t T = PG_ROW_TILE, full = m / T, tail = m - full * T;
    pg_real *ta_ = NULL, *tc = NULL;
    if (tail > 0) {
        const size_t need = (size_t)T * (size_t)(k + n);
        if (need > tail_len) {
            pg_free(tail_scratch);
            tail_scratch = pg_alloc(need, sizeof(pg_real), "kernel tail scratch");
            tail_len = tail_scratch ? need : 0;
        }
        if (!tail_scratch) return 0;
        ta_ = tail_scratch, tc = tail_scratch + T * k;
        memset(ta_ + tail * k, 0, (size_t)((T - tail) * k) * sizeof(pg_real));
        memset(tc, 0, (size_t)(T * n) * sizeof(pg_real));
        for (int64_t r = 0; r < tail; r++) {
            memcpy(ta_ + r * k, A + (full * T + r) * lda, (size_t)k * sizeof(pg_real));
            if (beta != 0) memcpy(tc + r * n, C + (full * T + r) * ldc, (size_t)n * sizeof(pg_real));
        }
    }
    const int64_t calls = full + (tail > 0);
    const int par = nt > 1 && calls > 1 && (double)m * (double)n * (double)k >= 4.0 * PG_PAR_MIN_WORK * 16;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (par)
    for (int64_t c = 0; c < calls; c++) {
        if (c < full) blas(0, tb, T, n, k, alpha, A + c * T * lda, lda, B, ldb, beta, C + c * T * ldc, ldc);
        else blas(0, tb, T, n, k, alpha, ta_, k, B, ldb, beta, tc, n);
    }
    for (int64_t r = 0; r < tail; r++)
        memcpy(C + (full * T + r) * ldc, tc + r * n, (size_t)n * sizeof(pg_real));
    return 1;
}

/* C: (m, n) = alpha op(A) op(B) + beta C. The same bits for any thread count: the work is
 * cut into chunks whose count and bounds depend on the shape alone, each one BLAS call by
 * whichever thread. GCN shapes are tall and skinny: (n, fin)(fin, fout) runs in fixed row
 * tiles (row_tiles); (fin, n)(n, fout) (weight gradients) is cut by k, and the partial
 * products are summed in chunk order. */
static void gemm_blas(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                      const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                      pg_real *C, int64_t ldc, int nt) {
    if (k == 0) { /* BLAS leaves C untouched for k == 0 only when beta == 1 */
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    if (!ta && row_tiles(tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, nt))
        return; /* rows of C are rows of A: fixed tiles, whatever k */
    const int big = (double)m * (double)n * (double)k >= 4.0 * PG_PAR_MIN_WORK * 16;
    const int nc = big ? k_chunks(m, n, k) : 1;
    pg_real *part = nc > 1 ? get_scratch((size_t)nc * (size_t)(m * n)) : NULL;
    if (part) {
#pragma omp parallel num_threads(nt)
        {
#pragma omp for schedule(dynamic, 1)
            for (int c = 0; c < nc; c++) {
                const int64_t p0 = k * c / nc, p1 = k * (c + 1) / nc;
                const pg_real *Ac = ta ? A + p0 * lda : A + p0;
                const pg_real *Bc = tb ? B + p0 : B + p0 * ldb;
                blas(ta, tb, m, n, p1 - p0, alpha, Ac, lda, Bc, ldb, 0, part + (size_t)c * (size_t)(m * n), n);
            }
#pragma omp for schedule(static)
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) {
                    pg_real s = beta == 0 ? 0 : beta * C[i * ldc + j];
                    for (int c = 0; c < nc; c++) s += part[(size_t)c * (size_t)(m * n) + (size_t)(i * n + j)];
                    C[i * ldc + j] = s;
                }
        }
        return;
    }
    /* rows of C in chunks of whole 16-row tiles (OpenBLAS's micro-kernel stays on full
     * tiles), their count from the shape alone: OpenBLAS picks its kernels by the size of
     * each call (small-matrix kernels sum in another order), so each call must not depend
     * on the thread count either */
    const int64_t rc = nc > 1 || !big ? 1
                       : m / PG_ROW_CHUNK_MIN < PG_ROW_CHUNKS ? m / PG_ROW_CHUNK_MIN : PG_ROW_CHUNKS;
    if (rc > 1) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int64_t c = 0; c < rc; c++) {
            const int64_t r0 = (m / 16) * c / rc * 16, r1 = c == rc - 1 ? m : (m / 16) * (c + 1) / rc * 16;
            if (r1 > r0)
                blas(ta, tb, r1 - r0, n, k, alpha, ta ? A + r0 : A + r0 * lda, lda, B, ldb, beta,
                     C + r0 * ldc, ldc);
        }
        return;
    }
    /* small, or out of memory for the partials: one call (a k split that found no memory
     * gives other bits than the chunks would; the scratch is tiny next to the inputs) */
    blas(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* The product with its epilogue epi (NULL: none): on the AVX-512 kernels (gemm.c), each
 * row's bits depending on the row alone and epi applied in their stores; else through
 * gemm_blas, then epi as a pass of its own. */
static void gemm_impl(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                      const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                      pg_real *C, int64_t ldc, const pg_gemm_epi *epi) {
    if (m == 0 || n == 0) return;
    int nt = pg_get_threads();
    if (nt > PG_MAX_THREADS) nt = PG_MAX_THREADS;
    if (!ta && pg_gemm_tall(tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, nt, epi)) return;
    gemm_blas(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, nt);
    if (epi) pg_gemm_epi_apply(epi, m, n, C, ldc);
}

static void cpu_gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, pg_real alpha,
                     const pg_real *A, int64_t lda, const pg_real *B, int64_t ldb, pg_real beta,
                     pg_real *C, int64_t ldc) {
    const double t0 = pg_now_ms();
    gemm_impl(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
    pg_phase_acc[PARGNN_PHASE_GEMM] += pg_now_ms() - t0;
}

/* ---- sparse ---- */

/* First row of each of nc chunks so that chunks hold about equal non-zeros (+ rows, so
 * that empty rows still cost something). bounds: nc + 1 entries. */
static void split_rows_by_nnz(const pg_csr *S, int nc, int64_t *bounds) {
    const int64_t n = S->nrows, total = S->nnz + n;
    bounds[0] = 0;
    int64_t r = 0;
    for (int t = 1; t < nc; t++) {
        const int64_t target = total * t / nc;
        int64_t lo = r, hi = n;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (S->rowptr[mid] + mid < target) lo = mid + 1;
            else hi = mid;
        }
        r = lo;
        bounds[t] = r;
    }
    bounds[nc] = n;
}

void pg_cpu_spmm_args(const pg_spmm_args *a) {
    const pg_csr *S = a->S;
    int nt = pg_get_threads();
    if (nt > PG_MAX_THREADS) nt = PG_MAX_THREADS;
    if (nt <= 1 || (S->nnz + S->nrows) * a->f < PG_PAR_MIN_WORK) {
        pg_spmm_rows(a, 0, S->nrows);
        return;
    }
    int64_t bounds[PG_MAX_THREADS * PG_CHUNKS_PER_THREAD + 1];
    const int nc = nt * PG_CHUNKS_PER_THREAD;
    split_rows_by_nnz(S, nc, bounds);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (int c = 0; c < nc; c++) pg_spmm_rows(a, bounds[c], bounds[c + 1]);
}

/* Y: (S.nrows, f) = S X + beta Y */
static void cpu_spmm(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    const double t0 = pg_now_ms();
    pg_spmm_args a = {.S = S, .X = X, .f = f, .beta = beta, .Y = Y};
    pg_cpu_spmm_args(&a);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
}

/* Y: (S.nrows, f) = relu?(S X + self Xs + bias): the self term, the layer's bias and its
 * activation applied while the row is still in registers, saving passes over Y. */
static void cpu_spmm_epilogue(const pg_csr *S, const pg_real *X, int64_t f, pg_real self,
                              const pg_real *Xs, const pg_real *bias, int relu, pg_real *Y) {
    const double t0 = pg_now_ms();
    pg_spmm_args a = {.S = S, .X = X, .f = f, .Y = Y, .bias = bias, .relu = relu, .self = self, .Xs = Xs};
    pg_cpu_spmm_args(&a);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
}

/* Y: (S.ncols, f) = S^T X + beta Y. Scattering rows from several threads would race.
 * When the output is small next to the work (feature products: X^T dT with few feature
 * columns), the rows are cut into PG_T_CHUNKS blocks of equal non-zeros (at most
 * PG_K_PART_BYTES of copies), each scattered into a private copy by whichever thread, and
 * the copies are summed in block order: counts that depend on the shape alone, so any
 * thread count gives the same bits. Otherwise each thread owns a block of columns, which
 * leaves every element's sum (in row order) alone. */
#define PG_T_CHUNKS 8
/* The private copies of a transposed product with elements of elem bytes: how many (1:
 * none), from the shape alone. */
static int t_chunks(const pg_csr *S, int64_t f, size_t elem) {
    const int64_t total = S->ncols * f, work = (S->nnz + S->nrows) * f;
    if (work < PG_PAR_MIN_WORK || S->ncols * 4 > S->nnz) return 1;
    const int64_t by_mem = (int64_t)(PG_K_PART_BYTES / elem) / (total > 0 ? total : 1);
    return by_mem < PG_T_CHUNKS ? (int)by_mem : PG_T_CHUNKS;
}

static void spmm_t_impl(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    const int64_t total = S->ncols * f;
    int nt = pg_get_threads();
    if (nt > PG_MAX_THREADS) nt = PG_MAX_THREADS;
    const int64_t work = (S->nnz + S->nrows) * f;
    const int nc = t_chunks(S, f, sizeof(pg_real));
    pg_real *part = nc > 1 ? get_scratch((size_t)nc * (size_t)total) : NULL;
    if (part) {
        int64_t bounds[PG_T_CHUNKS + 1];
        split_rows_by_nnz(S, nc, bounds);
#pragma omp parallel num_threads(nt)
        {
#pragma omp for schedule(dynamic, 1)
            for (int c = 0; c < nc; c++) {
                pg_real *Yc = part + (size_t)c * (size_t)total;
                memset(Yc, 0, (size_t)total * sizeof *Yc);
                pg_spmm_t_scatter(S, X, f, Yc, bounds[c], bounds[c + 1], 0, f);
            }
#pragma omp for schedule(static)
            for (int64_t r = 0; r < total; r++) {
                pg_real s = beta == 0 ? 0 : beta * Y[r];
                for (int c = 0; c < nc; c++) s += part[(size_t)c * (size_t)total + (size_t)r];
                Y[r] = s;
            }
        }
        return;
    }
    if (beta == 0) memset(Y, 0, (size_t)total * sizeof *Y);
    else
        for (int64_t r = 0; r < total; r++) Y[r] *= beta;
    if (nt > f) nt = (int)f;
    if (nt <= 1 || work < PG_PAR_MIN_WORK) {
        pg_spmm_t_scatter(S, X, f, Y, 0, S->nrows, 0, f);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) pg_spmm_t_scatter(S, X, f, Y, 0, S->nrows, f * t / nt, f * (t + 1) / nt);
}

static void cpu_spmm_t(const pg_csr *S, const pg_real *X, int64_t f, pg_real beta, pg_real *Y) {
    const double t0 = pg_now_ms();
    spmm_t_impl(S, X, f, beta, Y);
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
}

/* ---- weight gradients summed in double (--reproducible) ---- */

static double *scratch64;
static size_t scratch64_len;

static double *get_scratch64(size_t count) {
    if (count > scratch64_len) {
        pg_free(scratch64);
        scratch64 = pg_alloc(count, sizeof(double), "double-precision kernel scratch");
        scratch64_len = scratch64 ? count : 0;
    }
    return scratch64;
}

/* Rows converted to double per DGEMM call. */
#define PG_T64_ROWS 256

/* C: (m, n) = A^T B summed in double. The k rows are cut into chunks counted from the
 * shape (as gemm_impl's k split); a chunk converts PG_T64_ROWS rows of A and B at a time
 * to double (products of floats are exact there) and adds their product into its own
 * double partial with DGEMM; the partials are summed in chunk order. Half the rate of the
 * real product, plus the conversion. */
static void gemm_tn64_impl(int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                           const pg_real *B, int64_t ldb, double *C, int64_t ldc) {
    if (m == 0 || n == 0) return;
    int nt = pg_get_threads();
    if (nt > PG_MAX_THREADS) nt = PG_MAX_THREADS;
    int64_t nc = k / (4 * PG_T64_ROWS);
    if (nc > PG_K_CHUNKS) nc = PG_K_CHUNKS;
    const int64_t by_mem = (int64_t)(PG_K_PART_BYTES / sizeof(double)) / (m * n + PG_T64_ROWS * (m + n));
    if (nc > by_mem) nc = by_mem;
    if (nc < 1) nc = 1;
    const size_t per = (size_t)(m * n) + (size_t)PG_T64_ROWS * (size_t)(m + n);
    double *buf = get_scratch64((size_t)nc * per);
    if (!buf) { /* no memory for the conversion: plain loops, the same sums in row order */
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) C[i * ldc + j] = 0;
        for (int64_t p = 0; p < k; p++)
            for (int64_t i = 0; i < m; i++) {
                const double a = (double)A[p * lda + i];
                for (int64_t j = 0; j < n; j++) C[i * ldc + j] += a * (double)B[p * ldb + j];
            }
        return;
    }
#pragma omp parallel num_threads(nt)
    {
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = 0; c < nc; c++) {
            double *part = buf + (size_t)c * per, *Ad = part + m * n, *Bd = Ad + PG_T64_ROWS * m;
            memset(part, 0, (size_t)(m * n) * sizeof(double));
            const int64_t p1 = k * (c + 1) / nc;
            for (int64_t p0 = k * c / nc; p0 < p1; p0 += PG_T64_ROWS) {
                const int64_t kb = p1 - p0 < PG_T64_ROWS ? p1 - p0 : PG_T64_ROWS;
                for (int64_t r = 0; r < kb; r++) {
                    for (int64_t i = 0; i < m; i++) Ad[r * m + i] = (double)A[(p0 + r) * lda + i];
                    for (int64_t j = 0; j < n; j++) Bd[r * n + j] = (double)B[(p0 + r) * ldb + j];
                }
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)m, (blasint)n,
                            (blasint)kb, 1.0, Ad, (blasint)m, Bd, (blasint)n, 1.0, part, (blasint)n);
            }
        }
#pragma omp for schedule(static)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double s = 0;
                for (int64_t c = 0; c < nc; c++) s += buf[(size_t)c * per + (size_t)(i * n + j)];
                C[i * ldc + j] = s;
            }
    }
}

static void cpu_gemm_tn64(int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                          const pg_real *B, int64_t ldb, double *C, int64_t ldc) {
    const double t0 = pg_now_ms();
    gemm_tn64_impl(m, n, k, A, lda, B, ldb, C, ldc);
    pg_phase_acc[PARGNN_PHASE_GEMM] += pg_now_ms() - t0;
}

/* Y[col rows j0..j1) of S^T X in double, scattering rows [r0, r1) of S. */
static void scatter64(const pg_csr *S, const pg_real *X, int64_t f, double *Y, int64_t r0,
                      int64_t r1, int64_t j0, int64_t j1) {
    for (int64_t i = r0; i < r1; i++) {
        const pg_real *x = X + i * f;
        for (int64_t e = S->rowptr[i]; e < S->rowptr[i + 1]; e++) {
            const double v = S->val ? (double)S->val[e] : 1;
            double *y = Y + (int64_t)S->col[e] * f;
            for (int64_t j = j0; j < j1; j++) y[j] += v * (double)x[j];
        }
    }
}

/* Y: (S.ncols, f) = S^T X in double: as spmm_t_impl, PG_T_CHUNKS private copies of
 * non-zero-balanced row blocks summed in block order, or column blocks per thread. */
static void cpu_spmm_t64(const pg_csr *S, const pg_real *X, int64_t f, double *Y) {
    const double t0 = pg_now_ms();
    const int64_t total = S->ncols * f;
    int nt = pg_get_threads();
    if (nt > PG_MAX_THREADS) nt = PG_MAX_THREADS;
    const int64_t work = (S->nnz + S->nrows) * f;
    const int nc = t_chunks(S, f, sizeof(double));
    double *part = nc > 1 ? get_scratch64((size_t)nc * (size_t)total) : NULL;
    if (part) {
        int64_t bounds[PG_T_CHUNKS + 1];
        split_rows_by_nnz(S, nc, bounds);
#pragma omp parallel num_threads(nt)
        {
#pragma omp for schedule(dynamic, 1)
            for (int c = 0; c < nc; c++) {
                double *Yc = part + (size_t)c * (size_t)total;
                memset(Yc, 0, (size_t)total * sizeof *Yc);
                scatter64(S, X, f, Yc, bounds[c], bounds[c + 1], 0, f);
            }
#pragma omp for schedule(static)
            for (int64_t r = 0; r < total; r++) {
                double s = 0;
                for (int c = 0; c < nc; c++) s += part[(size_t)c * (size_t)total + (size_t)r];
                Y[r] = s;
            }
        }
    } else {
        memset(Y, 0, (size_t)total * sizeof *Y);
        if (nt > f) nt = (int)f;
        if (nt < 1) nt = 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1 && work >= PG_PAR_MIN_WORK)
        for (int t = 0; t < nt; t++) scatter64(S, X, f, Y, 0, S->nrows, f * t / nt, f * (t + 1) / nt);
    }
    pg_phase_acc[PARGNN_PHASE_SPMM] += pg_now_ms() - t0;
}

/* C = epi(A op(B) (+ C)): in the AVX-512 kernels' stores, else the product then one pass. */
static void cpu_gemm_epi(int tb, int64_t m, int64_t n, int64_t k, const pg_real *A, int64_t lda,
                         const pg_real *B, int64_t ldb, const pg_gemm_epi *epi, pg_real *C,
                         int64_t ldc) {
    const double t0 = pg_now_ms();
    gemm_impl(0, tb, m, n, k, 1, A, lda, B, ldb, epi->accumulate ? 1 : 0, C, ldc, epi);
    pg_phase_acc[PARGNN_PHASE_GEMM] += pg_now_ms() - t0;
}

static const pg_backend cpu_backend = {"cpu",        cpu_gemm,          cpu_spmm,
                                       cpu_spmm_t,   cpu_spmm_epilogue, cpu_gemm_tn64,
                                       cpu_spmm_t64, cpu_gemm_epi};

const pg_backend *pg_backend_cpu(void) { return &cpu_backend; }
