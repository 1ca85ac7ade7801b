/*
 * pargnn generate <generator>: synthetic datasets for demos, tests and benchmarks, written
 * in the OGB raw layout or pargnn's binary format. Each generator is one table entry with
 * its own flags; the output flags, the writer and the progress display are shared.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "pargnn.h"

/* ---- output, shared by every generator ---- */

typedef struct gen_output {
    const char *dir;
    int format; /* index into format_names */
} gen_output;

static const char *const format_names[] = {"ogb", "bin", NULL};

#define GEN_OUTPUT_FLAGS(o)                                                               \
    {.name = "out", .kind = CL_STRING, .dest = &(o)->dir, .meta = "DIR|FILE",             \
     .required = 1,                                                                       \
     .help = "where to write: a folder for ogb (DIR/raw/*.csv.gz, DIR/split/NAME/*.csv.gz), "\
             "a file for bin"},                                                           \
    {.name = "format", .kind = CL_CHOICE, .dest = &(o)->format, .choices = format_names,  \
     .help = "ogb: gzip'ed CSV in the OGB raw layout; bin: pargnn's binary format, "      \
             "loaded without parsing"}

static int write_output(const gen_output *o, const pargnn_dataset_t *ds) {
    pargnn_status st = o->format == 1 ? pargnn_dataset_write_bin(ds, o->dir)
                                      : pargnn_dataset_write_ogb(ds, o->dir);
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

/* ---- progress on stderr: silent for runs under a second, then every 0.5 s (10 s when
 *      stderr is not a terminal) and at the end of each phase ---- */

typedef struct gen_progress {
    double start, last;
    const char *phase;
    int tty;
} gen_progress;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(const char *phase, double fraction, void *user) {
    gen_progress *g = user;
    double t = now_s();
    int same = g->phase && strcmp(g->phase, phase) == 0;
    const double every = g->tty ? 0.5 : 10; /* a log file needs far fewer lines */
    if (t - g->start < 1.0 || (same && fraction < 1 && t - g->last < every)) return;
    g->last = t;
    g->phase = phase;
    int pct = (int)(fraction * 100 + 0.5);
    char bar[21];
    for (int i = 0; i < 20; i++) bar[i] = i < pct / 5 ? '#' : '.';
    bar[20] = '\0';
    fprintf(stderr, "%spargnn: %-10s [%s] %3d%%  %6.1f s%s", g->tty ? "\r" : "", phase, bar, pct,
            t - g->start, g->tty && fraction < 1 ? "" : "\n");
    fflush(stderr);
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
        cl_print_help(stdout, prog, "--out DIR|FILE [flags]",
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

static int gen_rmat(const char *prog, int argc, char **argv) {
    pargnn_rmat_params p;
    pargnn_rmat_params_default(&p);
    gen_output out = {0};
    cl_flag flags[] = {
        GEN_OUTPUT_FLAGS(&out),
        {.name = "nodes", .kind = CL_INT64, .dest = &p.num_nodes, .meta = "N",
         .has_range = 1, .min = 1, .max = HUGE_VAL,
         .help = "number of nodes (any count: drawn on the next power of two, then kept)"},
        {.name = "avg-degree", .kind = CL_DOUBLE, .dest = &p.avg_degree, .meta = "D",
         .has_range = 1, .min = 0, .max = HUGE_VAL,
         .help = "2 x drawn edges / nodes; duplicate edges are then dropped"},
        {.name = "features", .kind = CL_INT64, .dest = &p.num_features, .meta = "F",
         .has_range = 1, .min = 1, .max = HUGE_VAL,
         .help = "dense features per node: class centroid plus noise"},
        {.name = "classes", .kind = CL_INT32, .dest = &p.num_classes, .meta = "C",
         .has_range = 1, .min = 2, .max = HUGE_VAL, .help = "number of classes"},
        {.name = "homophily", .kind = CL_DOUBLE, .dest = &p.homophily, .meta = "H",
         .has_range = 1, .min = 0, .max = 1,
         .help = "probability that an edge is drawn inside its source's class"},
        {.name = "signal", .kind = CL_DOUBLE, .dest = &p.feature_signal, .meta = "S",
         .has_range = 1, .min = 0, .max = 1,
         .help = "feature = (1 - S) x uniform noise + S x class centroid, in [0, 1]"},
        {.name = "a", .kind = CL_DOUBLE, .dest = &p.a, .meta = "P", .has_range = 1, .min = 0,
         .max = 1, .help = "R-MAT probability of the top-left quadrant"},
        {.name = "b", .kind = CL_DOUBLE, .dest = &p.b, .meta = "P", .has_range = 1, .min = 0,
         .max = 1, .help = "top-right quadrant"},
        {.name = "c", .kind = CL_DOUBLE, .dest = &p.c, .meta = "P", .has_range = 1, .min = 0,
         .max = 1, .help = "bottom-left quadrant (bottom-right: d = 1 - a - b - c)"},
        {.name = "seed", .kind = CL_UINT64, .dest = &p.seed, .meta = "N",
         .help = "random seed; the same seed gives the same dataset for any thread count"},
        {0},
    };
    switch (cl_parse(prog, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, prog, "--out DIR|FILE [flags]",
                      "An R-MAT (Kronecker) power-law graph, Graph500 parameters by default. "
                      "A node's class comes from the low bits of its R-MAT id; with "
                      "probability H an edge copies them from its source to its target, which "
                      "keeps the degree distribution. Dense features: class centroid plus "
                      "uniform noise. 20 training and 30 validation nodes per class, the rest "
                      "test. Progress goes to stderr for runs over a second.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    gen_progress g = {.start = now_s(), .tty = isatty(2)};
    p.progress = show_progress;
    p.progress_user = &g;
    pargnn_dataset_t *ds = NULL;
    pargnn_status st = pargnn_generate_rmat(&p, &ds);
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
    {"rmat", "R-MAT power-law graph (Graph500 parameters) with learnable classes", gen_rmat},
};
#define NUM_GENERATORS (sizeof generators / sizeof generators[0])

static void usage(FILE *out) {
    fprintf(out,
            "usage: pargnn generate <generator> --out DIR|FILE [--format ogb|bin] [flags]\n"
            "\n"
            "Writes a synthetic dataset in the OGB raw layout (or pargnn's binary format),\n"
            "ready for 'pargnn train --data DIR|FILE'.\n"
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
