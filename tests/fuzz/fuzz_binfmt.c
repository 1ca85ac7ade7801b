/*
 * libFuzzer target for the binary dataset loader (io/binfmt.c) and what reads a dataset it
 * loads (get_info, stats). The first byte picks the mode, the rest is the file: mode % 4 ==
 * 0 loads it as is (so the checksum rejections stay covered); otherwise every section crc
 * whose table entry lies inside the file, then the header crc, are recomputed first so the
 * fuzzer reaches the checks behind them, and with mode & 4 also the header's file size.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/pg.h"
#include "fuzz_util.h"
#include "pargnn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The on-disk layout of io/binfmt.c (its structs are private there); only the fields the
 * repair touches are named. */
typedef struct fz_bin_header {
    char magic[8];
    uint32_t version, endian, header_bytes, flags, num_sections;
    int32_t num_classes;
    int64_t counts[8]; /* nodes, adj nnz, width, feat nnz, 3 split lengths, name length */
    uint64_t file_bytes;
    uint32_t reserved[5];
    uint32_t header_crc;
} fz_bin_header;

typedef struct fz_bin_section {
    uint32_t id, elem_bytes;
    uint64_t offset, bytes;
    uint32_t crc, reserved;
} fz_bin_section;

_Static_assert(sizeof(fz_bin_header) == 128, "binfmt header is 128 bytes");
_Static_assert(sizeof(fz_bin_section) == 32, "binfmt section entry is 32 bytes");

#define FZ_BIN_MAX_SECTIONS 16 /* PG_BIN_MAX_SECTIONS: the loader refuses more */

/* buf: the file, len bytes. Section crcs first: the header crc covers the table. */
static void repair(uint8_t *buf, size_t len, int fix_size) {
    fz_bin_header h;
    if (len < sizeof h) return;
    memcpy(&h, buf, sizeof h);
    if (h.num_sections > FZ_BIN_MAX_SECTIONS ||
        len < sizeof h + (size_t)h.num_sections * sizeof(fz_bin_section))
        return;
    for (uint32_t k = 0; k < h.num_sections; k++) {
        uint8_t *e = buf + sizeof h + (size_t)k * sizeof(fz_bin_section);
        fz_bin_section s;
        memcpy(&s, e, sizeof s);
        if (s.offset > len || s.bytes > len - s.offset) continue;
        s.crc = pg_crc32(0, buf + s.offset, (size_t)s.bytes);
        memcpy(e + offsetof(fz_bin_section, crc), &s.crc, sizeof s.crc);
    }
    if (fix_size) {
        h.file_bytes = len;
        memcpy(buf + offsetof(fz_bin_header, file_bytes), &h.file_bytes, sizeof h.file_bytes);
    }
    uint32_t crc = pg_crc32(0, buf, offsetof(fz_bin_header, header_crc));
    crc = pg_crc32(crc, buf + sizeof h, (size_t)h.num_sections * sizeof(fz_bin_section));
    memcpy(buf + offsetof(fz_bin_header, header_crc), &crc, sizeof crc);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fz_make_dir("binfmt");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > ((size_t)1 << 20)) return 0;
    const int mode = data[0];
    const size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, len);
    if (mode % 4 != 0) repair(buf, len, mode & 4);
    fz_write("in.bin", buf, len);
    free(buf);
    pargnn_dataset_t *ds = NULL;
    /* pargnn_dataset_load sends a regular file with the magic to the binary loader and any
     * other file to the edge-list parser (fuzz_edgelist's business): without the magic,
     * force the binary format instead, which must refuse it. */
    if (len < 8 || memcmp(data + 1, "PARGNNDS", 8) != 0) {
        pargnn_load_options o;
        pargnn_load_options_default(&o);
        o.format = PARGNN_FORMAT_BIN;
        if (pargnn_dataset_load_ex(fz_path("in.bin"), &o, &ds) == PARGNN_STATUS_OK) abort();
        return 0;
    }
    if (pargnn_dataset_load(fz_path("in.bin"), NULL, &ds) != PARGNN_STATUS_OK) return 0;
    pargnn_dataset_info info;
    pargnn_dataset_get_info(ds, &info);
    if (info.split == NULL || info.num_nodes < 1) abort(); /* a loaded dataset has both */
    pargnn_dataset_stats s;
    if (pargnn_dataset_stats_compute(ds, NULL, &s) == PARGNN_STATUS_OK)
        pargnn_dataset_stats_free(&s);
    (void)pargnn_dataset_original_id(ds, info.num_nodes - 1);
    pargnn_dataset_free(ds);
    return 0;
}
