/*
 * libFuzzer target for the edge-list loader (io/edgelist.c) and the statistics of what it
 * loads (io/info.c). The first byte picks the role of the rest: a directed or undirected
 * edge list, or the features or labels file of a fixed small graph.
 */
#include <stdint.h>

#include "fuzz_util.h"
#include "pargnn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fz_make_dir("edgelist");
    fz_write_str("graph.txt", "# fixed graph\n10 20\n20 30\n30 10\n30 40\n");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const int mode = data[0] % 4;
    fz_write("in.txt", data + 1, size - 1);
    char in[512], graph[512];
    snprintf(in, sizeof in, "%s", fz_path("in.txt"));
    snprintf(graph, sizeof graph, "%s", fz_path("graph.txt"));
    pargnn_load_options o;
    pargnn_load_options_default(&o);
    o.format = PARGNN_FORMAT_EDGELIST;
    o.undirected = mode == 1;
    if (mode == 2) o.features = in;
    if (mode == 3) o.labels = in;
    pargnn_dataset_t *ds = NULL;
    if (pargnn_dataset_load_ex(mode >= 2 ? graph : in, &o, &ds) == PARGNN_STATUS_OK) {
        pargnn_config cfg;
        pargnn_config_default(&cfg);
        pargnn_dataset_stats s;
        if (pargnn_dataset_stats_compute(ds, &cfg, &s) == PARGNN_STATUS_OK)
            pargnn_dataset_stats_free(&s);
        for (int64_t i = 0; i < 3; i++) (void)pargnn_dataset_original_id(ds, i);
        pargnn_dataset_free(ds);
    }
    return 0;
}
