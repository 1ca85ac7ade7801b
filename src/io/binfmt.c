/*
 * Writer and zero-copy loader of pargnn's binary dataset format. Loading maps the file and
 * points the dataset's arrays into the mapping after checking every count, offset and
 * checksum; nothing is parsed or copied (except features in the double build).
 *
 * Layout (native little-endian; the endianness marker makes a big-endian reader refuse):
 *   header, 128 bytes: "PARGNNDS", u32 version, u32 0x01020304, u32 header bytes (128),
 *     u32 flags, u32 section count, i32 classes, i64 nodes, adjacency nnz, feature width,
 *     feature nnz, train/valid/test lengths, split-name length, u64 file bytes,
 *     20 reserved zero bytes, u32 crc32 of the header's first 124 bytes and the table.
 *   section table, 32 bytes an entry: u32 id, u32 element bytes, u64 offset, u64 bytes,
 *     u32 crc32 of the section's bytes, u32 zero.
 *   sections, each at a 64-byte aligned offset, in id order: adjacency row offsets (i64,
 *     nodes+1), columns (i32, nnz); features dense (f32, nodes x width) or CSR (i64 offsets,
 *     i32 columns, f32 values); labels (i32, when flagged); train, valid, test ids (i32);
 *     the split name (bytes); original node ids (i64, when flagged).
 * Which sections exist follows from the flags, so the table is checked against a plan
 * computed from the header rather than trusted.
 */
#define _DEFAULT_SOURCE /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/binfmt.h"

#define PG_BIN_ENDIAN 0x01020304u
#define PG_BIN_ALIGN 64
#define PG_BIN_MAX_SECTIONS 16
#define PG_BIN_MAX_NAME 4096
#define PG_BIN_MAX_CLASSES (1 << 20)

enum {
    BIN_FLAG_SPARSE = 1u << 0,   /* features stored as CSR */
    BIN_FLAG_DIRECTED = 1u << 1, /* adjacency not symmetric (row i: sources of edges into i) */
    BIN_FLAG_LABELS = 1u << 2,   /* labels section present */
    BIN_FLAG_ORIG_IDS = 1u << 3, /* original node ids section present */
    BIN_FLAGS_KNOWN = 0xf,
};

enum {
    SEC_ADJ_ROWPTR = 1, SEC_ADJ_COL, SEC_FEAT_DENSE, SEC_FEAT_ROWPTR, SEC_FEAT_COL,
    SEC_FEAT_VAL, SEC_LABELS, SEC_TRAIN, SEC_VALID, SEC_TEST, SEC_SPLIT_NAME, SEC_ORIG_IDS,
    SEC_COUNT_IDS
};

static const char *const sec_names[SEC_COUNT_IDS] = {
    "?", "adj_rowptr", "adj_col", "feat_dense", "feat_rowptr", "feat_col", "feat_val",
    "labels", "split_train", "split_valid", "split_test", "split_name", "orig_ids"};

typedef struct bin_header {
    char magic[8];
    uint32_t version, endian, header_bytes, flags, num_sections;
    int32_t num_classes;
    int64_t num_nodes, adj_nnz, num_features, feat_nnz, split_len[3], split_name_len;
    uint64_t file_bytes;
    uint32_t reserved[5];
    uint32_t header_crc;
} bin_header;

typedef struct bin_section {
    uint32_t id, elem_bytes;
    uint64_t offset, bytes;
    uint32_t crc, reserved;
} bin_section;

_Static_assert(sizeof(bin_header) == 128, "binary header must be 128 bytes");
_Static_assert(sizeof(bin_section) == 32, "section entry must be 32 bytes");

int pg_bin_has_magic(const void *head, size_t len) {
    return len >= PG_BIN_MAGIC_LEN && memcmp(head, PG_BIN_MAGIC, PG_BIN_MAGIC_LEN) == 0;
}

int pg_bin_file_has_magic(const char *path) {
    char head[PG_BIN_MAGIC_LEN];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return pg_bin_has_magic(head, got);
}

/* The sections a header implies, with element sizes and counts. Counts must already be
 * known not to overflow (the reader checks them against the file size first). */
typedef struct sec_plan {
    uint32_t id, elem_bytes;
    uint64_t count;
} sec_plan;

static int plan_sections(const bin_header *h, sec_plan *p) {
    int k = 0;
    const uint64_t n = (uint64_t)h->num_nodes;
#define ADD(i, e, c) (p[k].id = (i), p[k].elem_bytes = (e), p[k].count = (uint64_t)(c), k++)
    ADD(SEC_ADJ_ROWPTR, 8, n + 1);
    ADD(SEC_ADJ_COL, 4, h->adj_nnz);
    if (h->flags & BIN_FLAG_SPARSE) {
        ADD(SEC_FEAT_ROWPTR, 8, n + 1);
        ADD(SEC_FEAT_COL, 4, h->feat_nnz);
        ADD(SEC_FEAT_VAL, 4, h->feat_nnz);
    } else {
        ADD(SEC_FEAT_DENSE, 4, n * (uint64_t)h->num_features);
    }
    if (h->flags & BIN_FLAG_LABELS) ADD(SEC_LABELS, 4, n);
    ADD(SEC_TRAIN, 4, h->split_len[0]);
    ADD(SEC_VALID, 4, h->split_len[1]);
    ADD(SEC_TEST, 4, h->split_len[2]);
    ADD(SEC_SPLIT_NAME, 1, h->split_name_len);
    if (h->flags & BIN_FLAG_ORIG_IDS) ADD(SEC_ORIG_IDS, 8, n);
#undef ADD
    return k;
}

static uint64_t align_up(uint64_t x) { return (x + PG_BIN_ALIGN - 1) / PG_BIN_ALIGN * PG_BIN_ALIGN; }

/* crc32 of a large range, in 4 MiB chunks over the OpenMP threads, combined with
 * crc32_combine: the same value as one serial pass, for any thread count. zlib's crc32 runs
 * at about 4 GB/s a core here, so a 1.5 GB dataset costs ~0.2 s on 2 cores; a faster
 * non-standard hash was not worth giving up a checksum anyone can recompute. */
static uint32_t crc_parallel(const void *data, uint64_t len) {
    const uint64_t chunk = (uint64_t)4 << 20;
    const unsigned char *p = data;
    if (len <= chunk) return pg_crc32(0, p, (size_t)len);
    const int64_t nchunks = (int64_t)((len + chunk - 1) / chunk);
    uint32_t *c = malloc((size_t)nchunks * sizeof *c);
    if (!c) return pg_crc32(0, p, (size_t)len);
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < nchunks; k++) {
        uint64_t off = (uint64_t)k * chunk, l = len - off < chunk ? len - off : chunk;
        c[k] = (uint32_t)crc32(0L, p + off, (uInt)l);
    }
    uint32_t crc = c[0];
    for (int64_t k = 1; k < nchunks; k++) {
        uint64_t off = (uint64_t)k * chunk, l = len - off < chunk ? len - off : chunk;
        crc = (uint32_t)crc32_combine(crc, c[k], (z_off_t)l);
    }
    free(c);
    return crc;
}

static uint32_t header_crc(const bin_header *h, const bin_section *table, uint32_t count) {
    uint32_t crc = pg_crc32(0, h, offsetof(bin_header, header_crc));
    return pg_crc32(crc, table, (size_t)count * sizeof *table);
}

/* ------------------------------------------------------------------ write */

typedef struct bin_writer {
    const char *tmp;
    int fd;
    uint64_t pos;
} bin_writer;

static pargnn_status put(bin_writer *w, const void *data, uint64_t len) {
    const char *p = data;
    while (len > 0) {
        size_t chunk = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : (size_t)len;
        ssize_t got = write(w->fd, p, chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0)
            return pg_error(PARGNN_STATUS_IO, "%s: write error: %s", w->tmp,
                            got < 0 ? strerror(errno) : "no progress");
        p += got;
        len -= (uint64_t)got;
        w->pos += (uint64_t)got;
    }
    return PARGNN_STATUS_OK;
}

static pargnn_status pad_to(bin_writer *w, uint64_t offset) {
    static const char zeros[PG_BIN_ALIGN];
    if (offset < w->pos) return pg_error(PARGNN_STATUS_INTERNAL, "%s: section layout", w->tmp);
    while (w->pos < offset) {
        uint64_t gap = offset - w->pos;
        PG_TRY(put(w, zeros, gap < sizeof zeros ? gap : sizeof zeros));
    }
    return PARGNN_STATUS_OK;
}

/* Features as float32 whatever pg_real is: straight from memory in the float build,
 * converted in blocks in the double build (which only tests use). */
static pargnn_status put_reals(bin_writer *w, const pg_real *v, uint64_t count, uint32_t *crc) {
#ifdef PARGNN_REAL_DOUBLE
    enum { BLOCK = 1 << 16 };
    float *buf = malloc(BLOCK * sizeof(float));
    if (!buf) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", w->tmp);
    uint32_t c = 0;
    pargnn_status st = PARGNN_STATUS_OK;
    for (uint64_t k = 0; k < count && st == PARGNN_STATUS_OK; k += BLOCK) {
        size_t l = count - k < BLOCK ? (size_t)(count - k) : BLOCK;
        for (size_t i = 0; i < l; i++) buf[i] = (float)v[k + i];
        c = pg_crc32(c, buf, l * sizeof(float));
        st = put(w, buf, l * sizeof(float));
    }
    free(buf);
    *crc = c;
    return st;
#else
    *crc = crc_parallel(v, count * sizeof(float));
    return put(w, v, count * sizeof(float));
#endif
}

pargnn_status pargnn_dataset_write_bin(const pargnn_dataset_t *ds, const char *path) {
    if (!ds || !path || !*path)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "write binary dataset: no dataset or path");
    if (ds->num_nodes <= 0 || ds->adj.nrows != ds->num_nodes || !ds->adj.rowptr ||
        (ds->feat_sparse ? !ds->feat_csr.rowptr : !ds->feat.data))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "write binary dataset %s: incomplete dataset",
                        path);
    PG_TRY(pg_dataset_validate(ds)); /* what cannot be loaded back is not written */
    bin_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, PG_BIN_MAGIC, PG_BIN_MAGIC_LEN);
    h.version = PG_BIN_VERSION;
    h.endian = PG_BIN_ENDIAN;
    h.header_bytes = sizeof h;
    h.flags = (ds->feat_sparse ? BIN_FLAG_SPARSE : 0) | (ds->directed ? BIN_FLAG_DIRECTED : 0) |
              (ds->labels ? BIN_FLAG_LABELS : 0) | (ds->orig_ids ? BIN_FLAG_ORIG_IDS : 0);
    h.num_classes = ds->num_classes;
    h.num_nodes = ds->num_nodes;
    h.adj_nnz = ds->adj.nnz;
    h.num_features = ds->num_features;
    if (ds->feat_sparse) {
        h.feat_nnz = ds->feat_csr.nnz;
    } else { /* counted here, not trusted: the reader recounts and must agree */
        const int64_t total = ds->num_nodes * ds->num_features;
        const pg_real *v = ds->feat.data;
        int64_t nz = 0;
#pragma omp parallel for schedule(static) reduction(+ : nz)
        for (int64_t k = 0; k < total; k++) nz += v[k] != 0;
        h.feat_nnz = nz;
    }
    for (int s = 0; s < 3; s++) h.split_len[s] = ds->split_len[s];
    const char *split_name = ds->split_name ? ds->split_name : "";
    h.split_name_len = (int64_t)strlen(split_name);
    if (h.split_name_len > PG_BIN_MAX_NAME)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "write binary dataset %s: split name too long",
                        path);
    sec_plan plan[PG_BIN_MAX_SECTIONS];
    const int ns = plan_sections(&h, plan);
    h.num_sections = (uint32_t)ns;
    bin_section table[PG_BIN_MAX_SECTIONS];
    memset(table, 0, sizeof table);
    uint64_t off = align_up(sizeof h + (uint64_t)ns * sizeof(bin_section));
    for (int k = 0; k < ns; k++) {
        table[k].id = plan[k].id;
        table[k].elem_bytes = plan[k].elem_bytes;
        table[k].offset = off;
        table[k].bytes = plan[k].count * plan[k].elem_bytes;
        off = align_up(off + table[k].bytes);
    }
    h.file_bytes = off;

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", path);
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    bin_writer w = {tmp, open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666), 0};
    if (w.fd < 0) {
        pargnn_status st = pg_error(PARGNN_STATUS_IO, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    pargnn_status st = pad_to(&w, table[0].offset);
    for (int k = 0; k < ns && st == PARGNN_STATUS_OK; k++) {
        bin_section *t = &table[k];
        const void *src = NULL;
        int reals = 0;
        switch (t->id) {
        case SEC_ADJ_ROWPTR: src = ds->adj.rowptr; break;
        case SEC_ADJ_COL: src = ds->adj.col; break;
        case SEC_FEAT_DENSE: src = ds->feat.data; reals = 1; break;
        case SEC_FEAT_ROWPTR: src = ds->feat_csr.rowptr; break;
        case SEC_FEAT_COL: src = ds->feat_csr.col; break;
        case SEC_FEAT_VAL: src = ds->feat_csr.val; reals = 1; break;
        case SEC_LABELS: src = ds->labels; break;
        case SEC_TRAIN: src = ds->split_idx[0]; break;
        case SEC_VALID: src = ds->split_idx[1]; break;
        case SEC_TEST: src = ds->split_idx[2]; break;
        case SEC_SPLIT_NAME: src = split_name; break;
        case SEC_ORIG_IDS: src = ds->orig_ids; break;
        }
        st = pad_to(&w, t->offset);
        if (st != PARGNN_STATUS_OK || t->bytes == 0) continue;
        if (t->id == SEC_FEAT_VAL && !src) { /* a CSR without values: every value is 1 */
            float one = 1;
            uint32_t crc = 0;
            for (uint64_t i = 0; i < plan[k].count && st == PARGNN_STATUS_OK; i++) {
                crc = pg_crc32(crc, &one, sizeof one);
                st = put(&w, &one, sizeof one);
            }
            t->crc = crc;
        } else if (reals) {
            st = put_reals(&w, src, plan[k].count, &t->crc);
        } else {
            t->crc = crc_parallel(src, t->bytes);
            st = put(&w, src, t->bytes);
        }
    }
    if (st == PARGNN_STATUS_OK) st = pad_to(&w, h.file_bytes);
    if (st == PARGNN_STATUS_OK) {
        h.header_crc = header_crc(&h, table, (uint32_t)ns);
        unsigned char head[sizeof h + PG_BIN_MAX_SECTIONS * sizeof(bin_section)];
        memcpy(head, &h, sizeof h);
        memcpy(head + sizeof h, table, (size_t)ns * sizeof(bin_section));
        size_t hl = sizeof h + (size_t)ns * sizeof(bin_section);
        if (pwrite(w.fd, head, hl, 0) != (ssize_t)hl)
            st = pg_error(PARGNN_STATUS_IO, "%s: write error: %s", tmp, strerror(errno));
    }
    if (close(w.fd) != 0 && st == PARGNN_STATUS_OK)
        st = pg_error(PARGNN_STATUS_IO, "%s: write error: %s", tmp, strerror(errno));
    if (st == PARGNN_STATUS_OK && rename(tmp, path) != 0)
        st = pg_error(PARGNN_STATUS_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (st != PARGNN_STATUS_OK) unlink(tmp);
    free(tmp);
    return st;
}

/* ------------------------------------------------------------------- load */

#define CORRUPT(...) pg_error(PARGNN_STATUS_CORRUPT, __VA_ARGS__)

/* Largest count of elem-byte elements a file of `size` bytes can hold. */
static int fits(int64_t count, uint64_t elem, uint64_t size) {
    return count >= 0 && (uint64_t)count <= size / elem;
}

static pargnn_status check_header(const char *path, const bin_header *h, uint64_t size) {
    if (h->header_bytes != sizeof *h)
        return CORRUPT("%s: header size %u, expected %zu", path, h->header_bytes, sizeof *h);
    if (h->num_sections > PG_BIN_MAX_SECTIONS)
        return CORRUPT("%s: header announces %u sections (at most %d)", path, h->num_sections,
                       PG_BIN_MAX_SECTIONS);
    if (size < sizeof *h + (uint64_t)h->num_sections * sizeof(bin_section))
        return CORRUPT("%s: truncated in the section table (%llu bytes)", path,
                       (unsigned long long)size);
    return PARGNN_STATUS_OK;
}

/* Every count against the file size, before any is multiplied or used. */
static pargnn_status check_counts(const char *path, const bin_header *h, uint64_t size) {
    if (h->flags & ~(uint32_t)BIN_FLAGS_KNOWN)
        return CORRUPT("%s: unknown flags 0x%x (written by a newer pargnn?)", path, h->flags);
    for (int k = 0; k < 5; k++)
        if (h->reserved[k] != 0) return CORRUPT("%s: reserved header bytes are not zero", path);
    if (h->num_nodes < 1 || h->num_nodes > INT32_MAX)
        return CORRUPT("%s: header: node count %lld not in [1, %d]", path,
                       (long long)h->num_nodes, INT32_MAX);
    if (!fits(h->num_nodes + 1, 8, size))
        return CORRUPT("%s: header: %lld nodes cannot fit in a %llu-byte file", path,
                       (long long)h->num_nodes, (unsigned long long)size);
    if (!fits(h->adj_nnz, 4, size))
        return CORRUPT("%s: header: adjacency nnz %lld cannot fit in a %llu-byte file", path,
                       (long long)h->adj_nnz, (unsigned long long)size);
    if (h->num_features < 1 || h->num_features > INT32_MAX)
        return CORRUPT("%s: header: feature width %lld not in [1, %d]", path,
                       (long long)h->num_features, INT32_MAX);
    /* A CSR entry takes 8 bytes (column, value); dense features bound nnz by n x width. */
    if (h->feat_nnz < 0 || ((h->flags & BIN_FLAG_SPARSE) && !fits(h->feat_nnz, 8, size)) ||
        (uint64_t)h->feat_nnz > (uint64_t)h->num_nodes * (uint64_t)h->num_features)
        return CORRUPT("%s: header: feature nnz %lld impossible for %lld x %lld in a %llu-byte "
                       "file", path, (long long)h->feat_nnz, (long long)h->num_nodes,
                       (long long)h->num_features, (unsigned long long)size);
    if (!(h->flags & BIN_FLAG_SPARSE) &&
        (uint64_t)h->num_features > size / 4 / (uint64_t)h->num_nodes)
        return CORRUPT("%s: header: %lld x %lld dense features cannot fit in a %llu-byte file",
                       path, (long long)h->num_nodes, (long long)h->num_features,
                       (unsigned long long)size);
    const int labelled = (h->flags & BIN_FLAG_LABELS) != 0;
    if (labelled ? (h->num_classes < 1 || h->num_classes > PG_BIN_MAX_CLASSES) : h->num_classes != 0)
        return CORRUPT("%s: header: %d classes %s", path, h->num_classes,
                       labelled ? "out of range" : "without labels");
    for (int s = 0; s < 3; s++)
        if (h->split_len[s] < 0 || h->split_len[s] > h->num_nodes)
            return CORRUPT("%s: header: %s split length %lld not in [0, %lld]", path,
                           pg_split_names[s], (long long)h->split_len[s], (long long)h->num_nodes);
    if (h->split_name_len < 0 || h->split_name_len > PG_BIN_MAX_NAME)
        return CORRUPT("%s: header: split name length %lld not in [0, %d]", path,
                       (long long)h->split_name_len, PG_BIN_MAX_NAME);
    return PARGNN_STATUS_OK;
}

static pargnn_status check_table(const char *path, const bin_header *h, const bin_section *t,
                                 uint64_t size) {
    sec_plan plan[PG_BIN_MAX_SECTIONS];
    const int ns = plan_sections(h, plan);
    if ((uint32_t)ns != h->num_sections)
        return CORRUPT("%s: %u sections in the table, the header's flags imply %d", path,
                       h->num_sections, ns);
    uint64_t end = sizeof *h + (uint64_t)ns * sizeof *t;
    for (int k = 0; k < ns; k++) {
        const char *name = sec_names[plan[k].id];
        if (t[k].id != plan[k].id || t[k].elem_bytes != plan[k].elem_bytes || t[k].reserved)
            return CORRUPT("%s: section table entry %d is not section %s", path, k, name);
        /* Counts were checked to fit the file, so count * elem cannot overflow. */
        uint64_t want = plan[k].count * plan[k].elem_bytes;
        if (t[k].bytes != want)
            return CORRUPT("%s: section %s: %llu bytes, the header's counts need %llu", path,
                           name, (unsigned long long)t[k].bytes, (unsigned long long)want);
        if (t[k].offset % PG_BIN_ALIGN || t[k].offset < end || t[k].offset > size ||
            t[k].bytes > size - t[k].offset)
            return CORRUPT("%s: section %s: offset %llu + %llu bytes outside the file (%llu bytes) "
                           "or misplaced", path, name, (unsigned long long)t[k].offset,
                           (unsigned long long)t[k].bytes, (unsigned long long)size);
        end = t[k].offset + t[k].bytes;
    }
    return PARGNN_STATUS_OK;
}

/* CSR offsets: rowptr[0] = 0, non-decreasing, rowptr[n] = nnz. */
static pargnn_status check_rowptr(const char *path, const char *sec, const int64_t *rp, int64_t n,
                                  int64_t nnz) {
    if (rp[0] != 0 || rp[n] != nnz)
        return CORRUPT("%s: section %s: offsets run from %lld to %lld, expected 0 to %lld", path,
                       sec, (long long)rp[0], (long long)rp[n], (long long)nnz);
    int64_t bad = INT64_MAX;
#pragma omp parallel for schedule(static) reduction(min : bad)
    for (int64_t i = 0; i < n; i++)
        if (rp[i + 1] < rp[i] && i < bad) bad = i;
    if (bad != INT64_MAX)
        return CORRUPT("%s: section %s: offsets decrease at row %lld", path, sec, (long long)bad);
    return PARGNN_STATUS_OK;
}

/* Columns of each row ascending, unique, in [0, ncols); offsets already checked. */
static pargnn_status check_cols(const char *path, const char *sec, const int64_t *rp,
                                const int32_t *col, int64_t n, int64_t ncols) {
    int64_t bad = INT64_MAX;
#pragma omp parallel for schedule(dynamic, 4096) reduction(min : bad)
    for (int64_t i = 0; i < n; i++) {
        int32_t prev = -1;
        for (int64_t k = rp[i]; k < rp[i + 1]; k++) {
            if (col[k] <= prev || col[k] >= ncols) {
                if (i < bad) bad = i;
                break;
            }
            prev = col[k];
        }
    }
    if (bad != INT64_MAX)
        return CORRUPT("%s: section %s: row %lld has columns out of range, unsorted or repeated",
                       path, sec, (long long)bad);
    return PARGNN_STATUS_OK;
}

/* Finite values; returns their non-zero count in *nnz. */
static pargnn_status check_values(const char *path, const char *sec, const float *v, uint64_t count,
                                  int64_t *nnz) {
    int64_t bad = INT64_MAX, nz = 0;
#pragma omp parallel for schedule(static) reduction(min : bad) reduction(+ : nz)
    for (int64_t k = 0; k < (int64_t)count; k++) {
        if (!isfinite(v[k]) && k < bad) bad = k;
        nz += v[k] != 0;
    }
    if (bad != INT64_MAX)
        return CORRUPT("%s: section %s: value %lld is not finite", path, sec, (long long)bad);
    *nnz = nz;
    return PARGNN_STATUS_OK;
}

static pg_real *reals_from(pargnn_dataset_t *ds, const float *v, uint64_t count) {
#ifdef PARGNN_REAL_DOUBLE
    pg_real *r = pg_alloc((size_t)(count ? count : 1), sizeof(pg_real), "features (double)");
    if (r)
        for (uint64_t k = 0; k < count; k++) r[k] = v[k];
    return r;
#else
    (void)ds, (void)count;
    return (pg_real *)(uintptr_t)v; /* read-only mapping; nothing writes a dataset's features */
#endif
}

static pargnn_status load_mapped(pargnn_dataset_t *ds, const char *path, const char *split,
                                 const unsigned char *base, uint64_t size) {
    bin_header h;
    memcpy(&h, base, sizeof h);
    if (h.endian != PG_BIN_ENDIAN)
        return CORRUPT("%s: written on a machine of the other byte order (marker 0x%08x)", path,
                       h.endian);
    if (h.version != PG_BIN_VERSION)
        return CORRUPT("%s: format version %u, this pargnn reads version %u", path, h.version,
                       PG_BIN_VERSION);
    PG_TRY(check_header(path, &h, size));
    const bin_section *t = (const bin_section *)(base + sizeof h);
    uint32_t crc = header_crc(&h, t, h.num_sections);
    if (crc != h.header_crc)
        return CORRUPT("%s: header checksum mismatch (stored 0x%08x, computed 0x%08x)", path,
                       h.header_crc, crc);
    if (h.file_bytes != size)
        return CORRUPT("%s: %s: the header says %llu bytes, the file has %llu", path,
                       h.file_bytes > size ? "truncated" : "trailing bytes",
                       (unsigned long long)h.file_bytes, (unsigned long long)size);
    PG_TRY(check_counts(path, &h, size));
    PG_TRY(check_table(path, &h, t, size));
    const int ns = (int)h.num_sections;
    const void *sec[SEC_COUNT_IDS] = {0};
    for (int k = 0; k < ns; k++) {
        const void *p = base + t[k].offset;
        uint32_t c = crc_parallel(p, t[k].bytes);
        if (c != t[k].crc)
            return CORRUPT("%s: section %s: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                           path, sec_names[t[k].id], t[k].crc, c);
        sec[t[k].id] = p;
    }
    const int64_t n = h.num_nodes;
    if (h.split_name_len > 0) {
        const char *nm = sec[SEC_SPLIT_NAME];
        if (memchr(nm, '\0', (size_t)h.split_name_len))
            return CORRUPT("%s: section split_name: holds a NUL byte", path);
        if (!(ds->split_name = strndup(nm, (size_t)h.split_name_len)))
            return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", path);
    }
    if (split && (!ds->split_name || strcmp(split, ds->split_name) != 0))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: no split scheme \"%s\"; available: %s (a binary file holds one)",
                        path, split, ds->split_name ? ds->split_name : "none");

    ds->num_nodes = n;
    ds->directed = (h.flags & BIN_FLAG_DIRECTED) != 0;
    ds->adj.nrows = ds->adj.ncols = n;
    ds->adj.nnz = h.adj_nnz;
    ds->adj.rowptr = (int64_t *)(uintptr_t)sec[SEC_ADJ_ROWPTR];
    ds->adj.col = (int32_t *)(uintptr_t)sec[SEC_ADJ_COL];
    ds->borrowed |= PG_DS_ADJ;
    PG_TRY(check_rowptr(path, "adj_rowptr", ds->adj.rowptr, n, h.adj_nnz));
    PG_TRY(check_cols(path, "adj_col", ds->adj.rowptr, ds->adj.col, n, n));

    const int64_t f = h.num_features;
    ds->num_features = f;
    ds->feat.rows = n;
    ds->feat.cols = f;
    int64_t nz = 0;
#ifndef PARGNN_REAL_DOUBLE
    ds->borrowed |= PG_DS_FEAT;
#endif
    if (h.flags & BIN_FLAG_SPARSE) {
        const int64_t *rp = sec[SEC_FEAT_ROWPTR];
        const int32_t *cl = sec[SEC_FEAT_COL];
        PG_TRY(check_rowptr(path, "feat_rowptr", rp, n, h.feat_nnz));
        PG_TRY(check_cols(path, "feat_col", rp, cl, n, f));
        PG_TRY(check_values(path, "feat_val", sec[SEC_FEAT_VAL], (uint64_t)h.feat_nnz, &nz));
        pg_csr *a = &ds->feat_csr;
        a->nrows = n;
        a->ncols = f;
        a->nnz = h.feat_nnz;
        ds->feat_sparse = 1;
        ds->feat_nnz = h.feat_nnz;
#ifdef PARGNN_REAL_DOUBLE
        a->rowptr = pg_alloc((size_t)n + 1, sizeof(int64_t), "feature offsets");
        a->col = pg_alloc((size_t)(h.feat_nnz ? h.feat_nnz : 1), sizeof(int32_t), "feature columns");
        if (!a->rowptr || !a->col) return PARGNN_STATUS_NO_MEMORY;
        memcpy(a->rowptr, rp, ((size_t)n + 1) * sizeof(int64_t));
        memcpy(a->col, cl, (size_t)h.feat_nnz * sizeof(int32_t));
#else
        a->rowptr = (int64_t *)(uintptr_t)rp;
        a->col = (int32_t *)(uintptr_t)cl;
#endif
        if (!(a->val = reals_from(ds, sec[SEC_FEAT_VAL], (uint64_t)h.feat_nnz)))
            return PARGNN_STATUS_NO_MEMORY;
    } else {
        const uint64_t count = (uint64_t)n * (uint64_t)f;
        PG_TRY(check_values(path, "feat_dense", sec[SEC_FEAT_DENSE], count, &nz));
        if (nz != h.feat_nnz)
            return CORRUPT("%s: section feat_dense: %lld non-zeros, the header says %lld", path,
                           (long long)nz, (long long)h.feat_nnz);
        ds->feat_nnz = nz;
        if (!(ds->feat.data = reals_from(ds, sec[SEC_FEAT_DENSE], count)))
            return PARGNN_STATUS_NO_MEMORY;
    }
    if (h.flags & BIN_FLAG_LABELS) {
        ds->labels = (int32_t *)(uintptr_t)sec[SEC_LABELS];
        ds->borrowed |= PG_DS_LABELS;
    }
    ds->num_classes = h.num_classes;
    ds->borrowed |= PG_DS_SPLITS;
    static const int split_sec[3] = {SEC_TRAIN, SEC_VALID, SEC_TEST};
    for (int s = 0; s < 3; s++) {
        ds->split_len[s] = h.split_len[s];
        ds->split_idx[s] = h.split_len[s] ? (int32_t *)(uintptr_t)sec[split_sec[s]] : NULL;
    }
    if (h.flags & BIN_FLAG_ORIG_IDS) {
        ds->orig_ids = (int64_t *)(uintptr_t)sec[SEC_ORIG_IDS];
        ds->borrowed |= PG_DS_ORIG_IDS;
        for (int64_t i = 0; i < n; i++)
            if (ds->orig_ids[i] < 0)
                return CORRUPT("%s: section orig_ids: node %lld has negative id %lld", path,
                               (long long)i, (long long)ds->orig_ids[i]);
    }
    pargnn_status st = pg_dataset_validate(ds);
    if (st != PARGNN_STATUS_OK) {
        pg_error_context("%s: invalid content", path);
        return PARGNN_STATUS_CORRUPT;
    }
    return PARGNN_STATUS_OK;
}

pargnn_status pg_bin_load(const char *path, const char *split, pargnn_dataset_t **out) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pg_error(PARGNN_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return pg_error(PARGNN_STATUS_IO, "%s: not a regular file", path);
    }
    const uint64_t size = (uint64_t)sb.st_size;
    bin_header h;
    ssize_t got = pread(fd, &h, sizeof h, 0);
    if (got < PG_BIN_MAGIC_LEN || !pg_bin_has_magic(&h, (size_t)got)) {
        close(fd);
        return CORRUPT("%s: not a pargnn binary dataset (bad magic)", path);
    }
    if ((size_t)got < sizeof h) {
        close(fd);
        return CORRUPT("%s: truncated: %llu bytes, shorter than the %zu-byte header", path,
                       (unsigned long long)size, sizeof h);
    }
    if (size > SIZE_MAX) {
        close(fd);
        return CORRUPT("%s: %llu bytes cannot be mapped here", path, (unsigned long long)size);
    }
    int mflags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    mflags |= MAP_POPULATE; /* fault the whole file in at once; the checksums read it all */
#endif
    void *map = mmap(NULL, (size_t)size, PROT_READ, mflags, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        return pg_error(PARGNN_STATUS_IO, "%s: cannot map %llu bytes: %s", path,
                        (unsigned long long)size, strerror(map_errno));
    pargnn_dataset_t *ds = pg_dataset_new();
    if (!ds) {
        munmap(map, (size_t)size);
        return PARGNN_STATUS_NO_MEMORY;
    }
    ds->map_base = map;
    ds->map_len = (size_t)size;
    pargnn_status st = (ds->name = strdup(path)) ? load_mapped(ds, path, split, map, size)
                                                 : pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a name");
    if (st != PARGNN_STATUS_OK) {
        pargnn_dataset_free(ds);
        return st;
    }
    *out = ds;
    return PARGNN_STATUS_OK;
}
