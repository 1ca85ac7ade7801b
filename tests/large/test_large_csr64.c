/*
 * 64-bit safety at more than 2^31 non-zeros: a symmetric CSR of 65536 nodes, each linked to
 * the 32769 nodes within circular distance 16384 (2,147,549,184 entries), written in the
 * binary format and mapped back. Checks that offsets, degree sums and the file size are
 * exact (no 32-bit wrap). The columns are built in a file-backed mapping, so the kernel can
 * write them back under memory pressure instead of failing: ~17 GiB of disk, and memory
 * helps speed only. Label "large" (make test-large).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dataset.h"
#include "testutil.h"

#define N 65536
#define HALF 16384
#define DEG (2 * HALF + 1)

int main(void) {
    const int64_t nnz = (int64_t)N * DEG;
    printf("building a CSR with %lld non-zeros (2^31 = %lld)\n", (long long)nnz, 1LL << 31);
    CHECK(nnz > INT32_MAX);
    pargnn_dataset_t *ds = calloc(1, sizeof *ds);
    ds->name = strdup("csr64");
    ds->split_name = strdup("tiny");
    ds->num_nodes = N;
    ds->adj.nrows = ds->adj.ncols = N;
    ds->adj.nnz = nnz;
    ds->adj.rowptr = pg_alloc(N + 1, sizeof(int64_t), "rowptr");
    char colpath[4096];
    snprintf(colpath, sizeof colpath, "%s/columns.raw", pg_test_tmpdir());
    const size_t colbytes = (size_t)nnz * sizeof(int32_t);
    int fd = open(colpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)colbytes) != 0) pg_test_skip("cannot create an 8.6 GB scratch file");
    void *colmap = mmap(NULL, colbytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (colmap == MAP_FAILED || !ds->adj.rowptr) pg_test_skip("cannot map 8.6 GB for the columns");
    ds->adj.col = colmap;
    for (int64_t i = 0; i <= N; i++) ds->adj.rowptr[i] = i * DEG;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < N; i++) { /* ascending: the wrapped part of the window first */
        int32_t *c = ds->adj.col + ds->adj.rowptr[i];
        int64_t k = 0;
        for (int64_t j = 0; j < N; j++) {
            int64_t d = j - i < 0 ? i - j : j - i;
            if (d > N / 2) d = N - d;
            if (d <= HALF) c[k++] = (int32_t)j;
        }
    }
    ds->num_features = 1;
    pg_mat_alloc(&ds->feat, N, 1, 0, "features");
    for (int64_t i = 0; i < N; i++) ds->feat.data[i] = (pg_real)(i % 7 + 1);
    ds->feat_nnz = N;
    ds->num_classes = 2;
    ds->labels = pg_alloc(N, sizeof(int32_t), "labels");
    for (int64_t i = 0; i < N; i++) ds->labels[i] = (int32_t)(i & 1);
    for (int s = 0; s < 3; s++) {
        ds->split_len[s] = 10;
        ds->split_idx[s] = pg_alloc(10, sizeof(int32_t), "split");
        for (int k = 0; k < 10; k++) ds->split_idx[s][k] = s * 10 + k;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/csr64.bin", pg_test_tmpdir());
    double t0 = pg_now_ms();
    CHECK_STATUS(pargnn_dataset_write_bin(ds, path), PARGNN_STATUS_OK, NULL);
    double t1 = pg_now_ms();
    munmap(colmap, colbytes); /* the columns were never the dataset's to free */
    ds->adj.col = NULL;
    unlink(colpath);
    pargnn_dataset_free(ds);

    struct stat sb;
    CHECK(stat(path, &sb) == 0);
    /* At least the offsets and the columns; computed in 64 bits, as the writer must. */
    const int64_t min_size = (int64_t)(N + 1) * 8 + nnz * 4;
    printf("file: %lld bytes (> 2^33 = %lld); written in %.1f s\n", (long long)sb.st_size,
           1LL << 33, (t1 - t0) / 1e3);
    CHECK_MSG((int64_t)sb.st_size > min_size && (int64_t)sb.st_size > (1LL << 33),
              "file size %lld, expected more than %lld", (long long)sb.st_size,
              (long long)min_size);

    pargnn_dataset_t *b = NULL;
    CHECK_STATUS(pargnn_dataset_load(path, NULL, &b), PARGNN_STATUS_OK, NULL);
    double t2 = pg_now_ms();
    if (b) {
        printf("mapped back in %.1f s (checksums and structure checked)\n", (t2 - t1) / 1e3);
        pargnn_dataset_info in;
        pargnn_dataset_get_info(b, &in);
        CHECK_MSG(in.num_edges == nnz, "info: %lld edges", (long long)in.num_edges);
        CHECK(b->adj.rowptr[N] == nnz);
        int64_t bad_off = 0, degsum = 0, bad_col = 0;
        for (int64_t i = 0; i < N; i++) {
            bad_off += b->adj.rowptr[i] != i * DEG;
            degsum += b->adj.rowptr[i + 1] - b->adj.rowptr[i];
        }
        /* The last row: its final columns sit beyond byte 2^33 of the column array. */
        const int32_t *last = b->adj.col + b->adj.rowptr[N - 1];
        for (int64_t k = 0; k < DEG; k++) {
            int64_t want = k < HALF ? k : N - 1 - HALF + (k - HALF);
            bad_col += last[k] != want;
        }
        CHECK_MSG(bad_off == 0, "%lld row offsets differ from i x %d", (long long)bad_off, DEG);
        CHECK_MSG(degsum == nnz, "degree sum %lld, expected %lld", (long long)degsum, (long long)nnz);
        CHECK_MSG(bad_col == 0, "%lld columns of the last row are wrong", (long long)bad_col);
        printf("offsets, degree sum (%lld) and the last row's columns are exact\n",
               (long long)degsum);
    }
    pargnn_dataset_free(b);
    return pg_test_finish();
}
