/*
 * libFuzzer target for the checkpoint reader (train/checkpoint.c): the input is a
 * checkpoint file whose trailing crc32 is recomputed first (so the fuzzer explores the
 * parser behind the checksum), then read as a config, predicted from, and resumed into a
 * trainer on a fixed tiny dataset.
 */
#include <stdint.h>

#include "core/pg.h"
#include "fuzz_util.h"
#include "pargnn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pargnn_dataset_t *ds;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fz_make_dir("checkpoint");
    fz_write_ogb("d");
    if (pargnn_dataset_load(fz_path("d"), NULL, &ds) != PARGNN_STATUS_OK) {
        fprintf(stderr, "fuzz_checkpoint: %s\n", pargnn_last_error());
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > ((size_t)1 << 20)) return 0;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    if (size >= 16) {
        uint32_t crc = pg_crc32(0, buf, size - 4);
        memcpy(buf + size - 4, &crc, 4);
    }
    fz_write("in.ckpt", buf, size);
    free(buf);
    char path[512];
    snprintf(path, sizeof path, "%s", fz_path("in.ckpt"));
    pargnn_config cfg;
    if (pargnn_checkpoint_read_config(path, &cfg) != PARGNN_STATUS_OK) return 0;
    float *probs = NULL;
    int32_t classes = 0;
    if (pargnn_predict(path, ds, 1, &probs, &classes) == PARGNN_STATUS_OK) free(probs);
    cfg.threads = 1;
    if (cfg.epochs > 50) cfg.epochs = 50; /* the trainer sizes its loss curve by epochs */
    pargnn_trainer_t *tr = NULL;
    if (pargnn_trainer_create(ds, &cfg, &tr) == PARGNN_STATUS_OK) {
        (void)pargnn_trainer_resume(tr, path);
        pargnn_trainer_free(tr);
    }
    return 0;
}
