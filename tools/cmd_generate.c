/*
 * pargnn generate <generator>: synthetic datasets for demos, tests and benchmarks, written
 * in the OGB raw layout. Each generator is one table entry with its own flags; the output
 * flags and the writer are shared, so a new generator or output format plugs in here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "pargnn.h"

/* ---- output, shared by every generator ---- */

typedef struct gen_output {
    const char *dir;
} gen_output;

#define GEN_OUTPUT_FLAGS(o)                                                               \
    {.name = "out", .kind = CL_STRING, .dest = &(o)->dir, .meta = "DIR", .required = 1,   \
     .help = "folder to write (DIR/raw/*.csv.gz, DIR/split/NAME/*.csv.gz)"}

static int write_output(const gen_output *o, const pargnn_dataset_t *ds) {
    pargnn_status st = pargnn_dataset_write_ogb(ds, o->dir);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    pargnn_dataset_info in;
    pargnn_dataset_get_info(ds, &in);
    printf("wrote %s: %lld nodes, %lld edges, %lld features, %d classes; split %s: %lld train, "
           "%lld valid, %lld test\n",
           o->dir, (long long)in.num_nodes, (long long)in.num_edges, (long long)in.num_features,
           (int)in.num_classes, in.split, (long long)in.num_train, (long long)in.num_valid,
           (long long)in.num_test);
    return CL_EXIT_OK;
}

/* ---- generators ---- */

static int gen_sbm(const char *prog, int argc, char **argv) {
    pargnn_sbm_params p;
    pargnn_sbm_params_default(&p);
    gen_output out = {0};
    cl_flag flags[] = {
        GEN_OUTPUT_FLAGS(&out),
        {.name = "nodes", .kind = CL_INT64, .dest = &p.num_nodes, .meta = "N",
         .has_range = 1, .min = 1, .max = HUGE_VAL, .help = "number of nodes"},
        {.name = "avg-degree", .kind = CL_DOUBLE, .dest = &p.avg_degree, .meta = "D",
         .has_range = 1, .min = 0, .max = HUGE_VAL,
         .help = "average number of neighbours of a node"},
        {.name = "features", .kind = CL_INT64, .dest = &p.num_features, .meta = "F",
         .has_range = 1, .min = 1, .max = HUGE_VAL,
         .help = "binary features per node, noisy indicators of the class"},
        {.name = "classes", .kind = CL_INT32, .dest = &p.num_classes, .meta = "C",
         .has_range = 1, .min = 2, .max = HUGE_VAL, .help = "number of planted blocks (classes)"},
        {.name = "homophily", .kind = CL_DOUBLE, .dest = &p.homophily, .meta = "H",
         .has_range = 1, .min = 0, .max = 1,
         .help = "fraction of edges inside a block, in [0, 1]"},
        {.name = "seed", .kind = CL_UINT64, .dest = &p.seed, .meta = "N",
         .help = "random seed; the same seed gives the same dataset"},
        {0},
    };
    switch (cl_parse(prog, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, prog, "--out DIR [flags]",
                      "A stochastic block model with planted classes: C blocks, a fraction H of "
                      "the edges inside a block, binary features that are noisy indicators of "
                      "the class, 20 training and 30 validation nodes per class, the rest test. "
                      "Deterministic for a seed.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    pargnn_dataset_t *ds = NULL;
    pargnn_status st = pargnn_generate_sbm(&p, &ds);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    int rc = write_output(&out, ds);
    pargnn_dataset_free(ds);
    return rc;
}

typedef struct generator {
    const char *name;
    const char *summary;
    int (*run)(const char *prog, int argc, char **argv);
} generator;

static const generator generators[] = {
    {"sbm", "stochastic block model with planted, homophilous classes", gen_sbm},
};
#define NUM_GENERATORS (sizeof generators / sizeof generators[0])

static void usage(FILE *out) {
    fprintf(out,
            "usage: pargnn generate <generator> --out DIR [flags]\n"
            "\n"
            "Writes a synthetic dataset in the OGB raw layout, ready for 'pargnn train --data "
            "DIR'.\n"
            "\n"
            "generators:\n");
    for (size_t i = 0; i < NUM_GENERATORS; i++)
        fprintf(out, "  %-10s  %s\n", generators[i].name, generators[i].summary);
    fprintf(out, "\n  pargnn generate <generator> --help   its flags, with their defaults\n");
}

int cmd_generate(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return CL_EXIT_OK;
    }
    if (name[0] == '-') {
        fprintf(stderr, "pargnn generate: the generator comes first, e.g. 'pargnn generate sbm "
                        "%s ...' (see 'pargnn generate --help')\n", name);
        return CL_EXIT_USAGE;
    }
    for (size_t i = 0; i < NUM_GENERATORS; i++) {
        if (strcmp(generators[i].name, name) == 0) {
            char prog[64];
            snprintf(prog, sizeof prog, "pargnn generate %s", name);
            return generators[i].run(prog, argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "pargnn generate: unknown generator '%s' (known:", name);
    for (size_t i = 0; i < NUM_GENERATORS; i++) fprintf(stderr, " %s", generators[i].name);
    fprintf(stderr, "; see 'pargnn generate --help')\n");
    return CL_EXIT_USAGE;
}
