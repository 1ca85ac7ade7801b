/*
 * The binary format in the double build: features are stored as float32 and converted on
 * load (not mapped), everything else is still mapped; a round trip keeps float precision.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "testutil.h"

static void round_trip(pargnn_dataset_t *ds, const char *path, const char *tag) {
    CHECK_STATUS(pargnn_dataset_write_bin(ds, path), PARGNN_STATUS_OK, NULL);
    pargnn_dataset_t *b = NULL;
    CHECK_STATUS(pargnn_dataset_load(path, NULL, &b), PARGNN_STATUS_OK, NULL);
    if (!b) return;
    CHECK_MSG(sizeof(pg_real) == sizeof(double), "%s: not the double build", tag);
    CHECK_MSG((b->borrowed & PG_DS_ADJ) && !(b->borrowed & PG_DS_FEAT),
              "%s: adjacency should be mapped and features converted", tag);
    CHECK(b->feat_sparse == ds->feat_sparse && b->adj.nnz == ds->adj.nnz);
    CHECK(memcmp(b->adj.col, ds->adj.col, (size_t)ds->adj.nnz * sizeof(int32_t)) == 0);
    int64_t bad = 0;
    if (ds->feat_sparse) {
        CHECK(b->feat_csr.nnz == ds->feat_csr.nnz);
        for (int64_t k = 0; k < ds->feat_csr.nnz && b->feat_csr.nnz == ds->feat_csr.nnz; k++)
            bad += b->feat_csr.val[k] != (double)(float)(ds->feat_csr.val ? ds->feat_csr.val[k] : 1) ||
                   b->feat_csr.col[k] != ds->feat_csr.col[k];
    } else {
        for (int64_t k = 0; k < ds->num_nodes * ds->num_features; k++)
            bad += b->feat.data[k] != (double)(float)ds->feat.data[k];
    }
    CHECK_MSG(bad == 0, "%s: %lld feature values differ from their float rounding", tag,
              (long long)bad);
    pargnn_dataset_free(b);
}

int main(void) {
    const char *dir = pg_test_tmpdir();
    char path[4096];
    pargnn_sbm_params sp;
    pargnn_sbm_params_default(&sp);
    sp.num_nodes = 500;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&sp, &ds), PARGNN_STATUS_OK, NULL);
    snprintf(path, sizeof path, "%s/sbm.bin", dir);
    if (ds) round_trip(ds, path, "sbm (sparse)");
    pargnn_dataset_free(ds);
    pargnn_rmat_params rp;
    pargnn_rmat_params_default(&rp);
    rp.num_nodes = 900;
    rp.num_classes = 3;
    rp.num_features = 7;
    CHECK_STATUS(pargnn_generate_rmat(&rp, &ds), PARGNN_STATUS_OK, NULL);
    snprintf(path, sizeof path, "%s/rmat.bin", dir);
    if (ds) round_trip(ds, path, "rmat (dense)");
    pargnn_dataset_free(ds);
    return pg_test_finish();
}
