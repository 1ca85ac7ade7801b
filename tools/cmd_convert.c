/*
 * pargnn convert: loads a dataset in any supported input (OGB folder, binary file, edge
 * list) and writes it in pargnn's binary format (or back to the OGB layout with --to ogb).
 * Only flags and messages here; reading and writing are the library's.
 */
#include <stdio.h>
#include <time.h>

#include "cmdline.h"
#include "pargnn.h"

#define PROG "pargnn convert"

static const char *const to_names[] = {"bin", "ogb", NULL};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_convert(int argc, char **argv) {
    cl_data_opts d = {0};
    const char *out = NULL;
    int to = 0;
    cl_flag flags[] = {
        {.name = "data", .kind = CL_STRING, .dest = &d.data, .meta = "DIR|FILE", .required = 1,
         .help = "dataset to read: an OGB raw layout folder, a pargnn binary file or an edge "
                 "list file"},
        {.name = "out", .kind = CL_STRING, .dest = &out, .meta = "FILE", .required = 1,
         .help = "file to write (a folder with --to ogb); written under a temporary name, "
                 "then renamed"},
        {.name = "to", .kind = CL_CHOICE, .dest = &to, .choices = to_names,
         .help = "output format: pargnn's binary format, or the OGB raw layout"},
        {.name = "split", .kind = CL_STRING, .dest = &d.split, .meta = "NAME",
         .help = "split scheme under DIR/split (the binary file keeps this one)",
         .default_text = "the only one present"},
        {.name = "format", .kind = CL_CHOICE, .dest = &d.format, .choices = cl_format_names,
         .help = "what --data holds; auto: a folder is OGB, a file starting with the binary "
                 "magic is binary, any other file an edge list"},
        {.name = "undirected", .kind = CL_BOOL, .dest = &d.undirected,
         .help = "edge list: also add the reverse of every edge (default: directed)"},
        {.name = "features", .kind = CL_STRING, .dest = &d.features, .meta = "FILE",
         .help = "edge list: node features, one \"id,v1,...,vF\" row per node",
         .default_text = "one constant feature"},
        {.name = "labels", .kind = CL_STRING, .dest = &d.labels, .meta = "FILE",
         .help = "edge list: node classes, one \"id,label\" row per node", .default_text = "none"},
        {0},
    };
    switch (cl_parse(PROG, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, PROG, "--data DIR|FILE --out FILE [flags]",
                      "Writes a dataset in pargnn's binary format: a versioned header and "
                      "checksummed CSR, feature, label and split sections that every command "
                      "taking --data maps back in about a second, without parsing.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    pargnn_dataset_t *ds = NULL;
    double t0 = now_s();
    pargnn_status st = cl_data_load(&d, &ds);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    double t1 = now_s();
    st = to == 0 ? pargnn_dataset_write_bin(ds, out) : pargnn_dataset_write_ogb(ds, out);
    if (st != PARGNN_STATUS_OK) {
        pargnn_dataset_free(ds);
        return cl_fail(st);
    }
    double t2 = now_s();
    pargnn_dataset_info in;
    pargnn_dataset_get_info(ds, &in);
    printf("wrote %s (%s): %lld nodes, %lld edges, %lld features, %d classes; read in %.2f s, "
           "written in %.2f s\n",
           out, to_names[to], (long long)in.num_nodes, (long long)in.num_edges,
           (long long)in.num_features, (int)in.num_classes, t1 - t0, t2 - t1);
    pargnn_dataset_free(ds);
    return CL_EXIT_OK;
}
