/*
 * libFuzzer target for the OGB raw loader (io/ogb.c, io/reader.c): the first byte picks one
 * of the eight files of an otherwise valid tiny dataset, the rest replaces its content
 * (plain or gzip: the reader detects it). The statistics of what loads are computed too.
 */
#include <stdint.h>

#include "fuzz_util.h"
#include "pargnn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fz_make_dir("ogb");
    fz_write_ogb("d");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const int k = data[0] % 8;
    char rel[256];
    snprintf(rel, sizeof rel, "d/%s", fz_ogb_files[k][0]);
    fz_write(rel, data + 1, size - 1);
    pargnn_dataset_t *ds = NULL;
    if (pargnn_dataset_load(fz_path("d"), NULL, &ds) == PARGNN_STATUS_OK) {
        pargnn_dataset_stats s;
        if (pargnn_dataset_stats_compute(ds, NULL, &s) == PARGNN_STATUS_OK)
            pargnn_dataset_stats_free(&s);
        pargnn_dataset_free(ds);
    }
    fz_write_str(rel, fz_ogb_files[k][1]); /* back to the intact file */
    return 0;
}
