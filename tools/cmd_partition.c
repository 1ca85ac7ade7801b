/*
 * pargnn partition: offline partitioning for distributed training. Loads the dataset once,
 * splits it into P parts (METIS, random or block) and writes one file per part plus a
 * manifest, then prints the edge cut, communication volume and balance. Each rank of
 * `mpirun -np P pargnn train --partitions DIR` then reads only its own part.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "pargnn.h"

#define PROG "pargnn partition"

static const char *const method_names[] = {"metis", "random", "block", NULL};
static const char *const objective_names[] = {"cut", "vol", NULL};

int cmd_partition(int argc, char **argv) {
    cl_data_opts d = {0};
    int32_t parts = 0;
    int method = 0, objective = 0;
    uint64_t seed = 0;
    double imbalance = PARGNN_PARTITION_IMBALANCE_DEFAULT;
    const char *out = NULL;
    cl_flag flags[] = {
        {.name = "data", .kind = CL_STRING, .dest = &d.data, .meta = "DIR|FILE", .required = 1,
         .help = "dataset: a folder in the OGB raw layout, a binary file or an edge list"},
        {.name = "split", .kind = CL_STRING, .dest = &d.split, .meta = "NAME",
         .help = "split scheme under DIR/split", .default_text = "the only one present"},
        {.name = "format", .kind = CL_CHOICE, .dest = &d.format, .choices = cl_format_names,
         .help = "what --data holds"},
        {.name = "undirected", .kind = CL_BOOL, .dest = &d.undirected,
         .help = "edge list: also add the reverse of every edge"},
        {.name = "features", .kind = CL_STRING, .dest = &d.features, .meta = "FILE",
         .help = "edge list: node features"},
        {.name = "labels", .kind = CL_STRING, .dest = &d.labels, .meta = "FILE",
         .help = "edge list: node classes"},
        {.name = "parts", .kind = CL_INT32, .dest = &parts, .meta = "P", .required = 1,
         .has_range = 1, .min = 1, .max = 1 << 20,
         .help = "number of parts: the rank count of the training run"},
        {.name = "method", .kind = CL_CHOICE, .dest = &method, .choices = method_names,
         .help = "METIS k-way (balancing nodes, edges and training nodes), seeded random, "
                 "or contiguous blocks of node ids"},
        {.name = "objective", .kind = CL_CHOICE, .dest = &objective, .choices = objective_names,
         .help = "METIS objective: edge cut or communication volume"},
        {.name = "imbalance", .kind = CL_DOUBLE, .dest = &imbalance, .meta = "X",
         .has_range = 1, .min = PARGNN_PARTITION_IMBALANCE_MIN, .max = PARGNN_PARTITION_IMBALANCE_MAX,
         .help = "METIS balance tolerance: no part may hold more than X times the mean of nodes, "
                 "edges or training nodes (1.10 = 10% above); looser balance can shrink the halo "
                 "where the graph has locality, and slows the slowest rank"},
        {.name = "seed", .kind = CL_UINT64, .dest = &seed, .meta = "N",
         .help = "seed of the partitioner"},
        {.name = "out", .kind = CL_STRING, .dest = &out, .meta = "DIR", .required = 1,
         .help = "folder to write: DIR/part-NNNNN.bin and DIR/manifest.txt"},
        {0},
    };
    switch (cl_parse(PROG, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, PROG, "--data DIR --parts P --out DIR [flags]",
                      "Partitions a dataset for distributed training and writes one file per "
                      "part, so that each rank of 'mpirun -np P pargnn train --partitions DIR' "
                      "reads only its own nodes, their halo and send lists. Prints the edge cut, "
                      "the communication volume (halo rows per exchange) and the balance.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    if (cl_find(flags, "imbalance")->given && method != 0) {
        fprintf(stderr, "%s: --imbalance: only for --method metis\n", PROG);
        return CL_EXIT_USAGE;
    }
    pargnn_dataset_t *ds = NULL;
    pargnn_status st = cl_data_load(&d, &ds);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    pargnn_partition_report rep;
    st = pargnn_partition_write(ds, parts, (pargnn_partition_method)method,
                                (pargnn_partition_objective)objective, imbalance, seed, out, &rep);
    pargnn_dataset_free(ds);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    if (rep.fallback || rep.note) fprintf(stderr, "pargnn: partitioner: %s\n", rep.note ? rep.note : "");
    printf("wrote %s: %d parts (%s%s)\n", out, (int)rep.parts,
           rep.fallback ? "block, fallback from " : "", method_names[method]);
    printf("edge cut        %lld undirected edges\n", (long long)rep.edge_cut);
    printf("comm volume     %lld halo rows per exchange (max %lld on one part)\n",
           (long long)rep.comm_volume, (long long)rep.max_halo);
    printf("balance         nodes %.3f, edges %.3f, training nodes %.3f (max / mean)\n",
           rep.node_imbalance, rep.edge_imbalance, rep.train_imbalance);
    return CL_EXIT_OK;
}
