/*
 * pargnn predict: class probabilities for every node from a checkpoint's best weights,
 * written as CSV (node, predicted class, one probability per class). The file appears
 * complete or not at all: it is written next to its name and renamed at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "pargnn.h"

#define PROG "pargnn predict"

typedef struct predict_opts {
    const char *model_file, *data, *split, *out;
    int32_t threads;
} predict_opts;

static int write_failed(const char *path, int err) {
    fprintf(stderr, "pargnn: cannot write '%s': %s\n", path, strerror(err));
    return pargnn_status_exit_code(PARGNN_STATUS_IO);
}

/* probs: (n, c) row-major. */
/* Nodes are named by their original ids (an edge list's ids may have been renumbered). */
static int write_csv(const char *path, const pargnn_dataset_t *ds, const float *probs, int64_t n,
                     int32_t c) {
    size_t len = strlen(path);
    char *tmp = malloc(len + 5);
    if (!tmp) {
        fprintf(stderr, "pargnn: out of memory\n");
        return CL_EXIT_INTERNAL;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp", 5);

    int rc = CL_EXIT_OK;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        rc = write_failed(tmp, errno);
        free(tmp);
        return rc;
    }
    fputs("node,pred", f);
    for (int32_t k = 0; k < c; k++) fprintf(f, ",p%d", (int)k);
    fputc('\n', f);
    for (int64_t i = 0; i < n; i++) {
        const float *p = probs + i * c;
        int32_t best = 0;
        for (int32_t k = 1; k < c; k++)
            if (p[k] > p[best]) best = k;
        fprintf(f, "%lld,%d", (long long)pargnn_dataset_original_id(ds, i), (int)best);
        for (int32_t k = 0; k < c; k++) fprintf(f, ",%.6g", (double)p[k]);
        fputc('\n', f);
    }
    /* A full disk shows up in ferror or at fclose, not at each fprintf. */
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) {
        fprintf(stderr, "pargnn: cannot rename '%s' to '%s': %s\n", tmp, path, strerror(errno));
        rc = pargnn_status_exit_code(PARGNN_STATUS_IO);
    } else if (err) {
        rc = write_failed(tmp, err);
    }
    if (rc != CL_EXIT_OK) remove(tmp);
    free(tmp);
    return rc;
}

int cmd_predict(int argc, char **argv) {
    predict_opts o = {0};
    cl_data_opts d = {0}; /* the edge-list flags; data and split come from o */
    cl_flag flags[] = {
        {.name = "model-file", .kind = CL_STRING, .dest = &o.model_file, .meta = "FILE",
         .required = 1, .help = "checkpoint written by 'pargnn train --save'"},
        {.name = "data", .kind = CL_STRING, .dest = &o.data, .meta = "DIR|FILE", .required = 1,
         .help = "dataset (OGB raw layout folder or pargnn binary file) of the shape the model "
                 "was trained on"},
        {.name = "split", .kind = CL_STRING, .dest = &o.split, .meta = "NAME",
         .help = "split scheme under DIR/split (needed to load the dataset; every node is "
                 "predicted)",
         .default_text = "the only one present"},
        {.name = "format", .kind = CL_CHOICE, .dest = &d.format, .choices = cl_format_names,
         .help = "what --data holds, as for 'pargnn train'"},
        {.name = "undirected", .kind = CL_BOOL, .dest = &d.undirected,
         .help = "edge list: also add the reverse of every edge (as the model was trained)"},
        {.name = "features", .kind = CL_STRING, .dest = &d.features, .meta = "FILE",
         .help = "edge list: node features, one \"id,v1,...,vF\" row per node",
         .default_text = "one constant feature"},
        {.name = "labels", .kind = CL_STRING, .dest = &d.labels, .meta = "FILE",
         .help = "edge list: node classes (not needed to predict)", .default_text = "none"},
        {.name = "out", .kind = CL_STRING, .dest = &o.out, .meta = "FILE.csv", .required = 1,
         .help = "output: header node,pred,p0,...,p{C-1}, then one row per node"},
        {.name = "threads", .kind = CL_INT32, .dest = &o.threads, .meta = "N",
         .has_range = 1, .min = 0, .max = 1 << 20,
         .help = "OpenMP and OpenBLAS threads", .default_text = "0 = the OpenMP default"},
        {0},
    };
    switch (cl_parse(PROG, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, PROG, "--model-file FILE --data DIR|FILE --out FILE.csv [flags]",
                      "Predicts a class for every node of DIR with the best weights (by "
                      "validation accuracy) stored in a checkpoint, and writes the class "
                      "probabilities as CSV. A failure leaves no partial output.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }

    pargnn_dataset_t *ds = NULL;
    d.data = o.data;
    d.split = o.split;
    pargnn_status st = cl_data_load(&d, &ds);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    pargnn_dataset_info info;
    pargnn_dataset_get_info(ds, &info);

    float *probs = NULL;
    int32_t classes = 0;
    int rc;
    st = pargnn_predict(o.model_file, ds, o.threads, &probs, &classes);
    if (st != PARGNN_STATUS_OK) {
        rc = cl_fail(st);
    } else {
        rc = write_csv(o.out, ds, probs, info.num_nodes, classes);
        if (rc == CL_EXIT_OK)
            printf("wrote %s: %lld nodes, %d classes\n", o.out, (long long)info.num_nodes,
                   (int)classes);
    }
    free(probs);
    pargnn_dataset_free(ds);
    return rc;
}
