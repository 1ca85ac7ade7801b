/*
 * pargnn info: loads a dataset and prints its statistics (pargnn_dataset_stats_compute)
 * as text or JSON, with the training memory of a GCN of the given shape. Computing them
 * is the library's; this file only formats.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "pargnn.h"

#define PROG "pargnn info"

static void human_bytes(int64_t b, char *buf, size_t size) {
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* JSON string body: the characters JSON requires escaping, escaped. */
static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void print_json(const char *data, const pargnn_dataset_stats *s,
                       const pargnn_config *c) {
    FILE *f = stdout;
    fprintf(f, "{\n  \"data\": ");
    json_str(f, data);
    fprintf(f, ",\n  \"nodes\": %lld,\n  \"directed\": %s,\n", (long long)s->num_nodes,
            s->directed ? "true" : "false");
    fprintf(f, "  \"edges_directed\": %lld,\n  \"edges_undirected\": %lld,\n",
            (long long)s->num_entries, (long long)s->num_undirected);
    fprintf(f, "  \"self_loops\": %lld,\n  \"isolated_nodes\": %lld,\n", (long long)s->self_loops,
            (long long)s->isolated);
    fprintf(f,
            "  \"degree\": {\"kind\": \"%s\", \"min\": %lld, \"max\": %lld, \"mean\": %.6g, "
            "\"p50\": %lld, \"p90\": %lld, \"p99\": %lld},\n",
            s->directed ? "in" : "undirected", (long long)s->deg_min, (long long)s->deg_max,
            s->deg_mean, (long long)s->deg_p50, (long long)s->deg_p90, (long long)s->deg_p99);
    if (s->directed) fprintf(f, "  \"out_degree_max\": %lld,\n", (long long)s->out_deg_max);
    fprintf(f, "  \"components\": %lld,\n  \"largest_component\": %lld,\n",
            (long long)s->components, (long long)s->largest_component);
    fprintf(f,
            "  \"features\": {\"width\": %lld, \"nonzeros\": %lld, \"density\": %.6g, "
            "\"storage\": \"%s\"},\n",
            (long long)s->num_features, (long long)s->feature_nnz, s->feature_density,
            s->feature_sparse ? "csr" : "dense");
    fprintf(f, "  \"classes\": %d,\n  \"class_counts\": [", (int)s->num_classes);
    for (int32_t k = 0; k < s->num_classes; k++)
        fprintf(f, "%s%lld", k ? ", " : "", (long long)s->class_counts[k]);
    fprintf(f, "],\n  \"split\": ");
    json_str(f, s->split);
    fprintf(f, ",\n  \"split_sizes\": {\"train\": %lld, \"valid\": %lld, \"test\": %lld},\n",
            (long long)s->num_train, (long long)s->num_valid, (long long)s->num_test);
    fprintf(f,
            "  \"memory\": {\"dataset_bytes\": %lld, \"train_bytes\": %lld, \"model\": "
            "{\"model\": \"%s\", \"heads\": %d, \"layers\": %d, \"hidden\": %d, "
            "\"dropout\": %g}}\n}\n",
            (long long)s->dataset_bytes, (long long)s->train_bytes, pargnn_model_name(c->model),
            (int)c->heads, (int)c->layers, (int)c->hidden, c->dropout);
}

static void print_text(const char *data, const pargnn_dataset_stats *s, const pargnn_config *c) {
    char b1[32], b2[32], b3[32];
    printf("dataset        %s\n", data);
    printf("nodes          %lld\n", (long long)s->num_nodes);
    printf("edges          %lld directed entries, %lld undirected (%s graph)\n",
           (long long)s->num_entries, (long long)s->num_undirected,
           s->directed ? "directed" : "undirected");
    printf("self-loops     %lld\n", (long long)s->self_loops);
    printf("isolated       %lld nodes\n", (long long)s->isolated);
    printf("%-14s min %lld  max %lld  mean %.2f  p50 %lld  p90 %lld  p99 %lld\n",
           s->directed ? "in-degree" : "degree", (long long)s->deg_min, (long long)s->deg_max,
           s->deg_mean, (long long)s->deg_p50, (long long)s->deg_p90, (long long)s->deg_p99);
    if (s->directed) printf("out-degree     max %lld\n", (long long)s->out_deg_max);
    printf("components     %lld (largest %lld nodes)\n", (long long)s->components,
           (long long)s->largest_component);
    printf("features       %lld wide, %.4f%% non-zero (%s)\n", (long long)s->num_features,
           100.0 * s->feature_density, s->feature_sparse ? "kept sparse" : "dense");
    if (s->num_classes > 0) {
        printf("classes        %d:", (int)s->num_classes);
        for (int32_t k = 0; k < s->num_classes; k++)
            printf(" %lld", (long long)s->class_counts[k]);
        printf("\n");
        printf("split          %s: %lld train, %lld valid, %lld test\n", s->split,
               (long long)s->num_train, (long long)s->num_valid, (long long)s->num_test);
    } else {
        printf("classes        none (no labels: pargnn train needs them)\n");
    }
    human_bytes(s->dataset_bytes, b1, sizeof b1);
    human_bytes(s->train_bytes, b2, sizeof b2);
    human_bytes(s->dataset_bytes + s->train_bytes, b3, sizeof b3);
    char heads[32] = "";
    if (c->model == PARGNN_MODEL_GAT) snprintf(heads, sizeof heads, ", %d heads", (int)c->heads);
    printf("memory         dataset %s; %s training (%d layers, hidden %d%s) %s more; %s in all\n",
           b1, pargnn_model_name(c->model), (int)c->layers, (int)c->hidden, heads, b2, b3);
}

int cmd_info(int argc, char **argv) {
    cl_data_opts d = {0};
    int json = 0, model = 0, norm = 0, mlp_norm = 0;
    static const char *const models[] = {"gcn", "sage", "gin", "gat", NULL}; /* = pargnn_model_kind */
    static const char *const norms[] = {"none", "batch", "layer", NULL};      /* = pargnn_norm */
    pargnn_config cfg;
    pargnn_config_default(&cfg);
    cl_flag flags[] = {
        {.name = "data", .kind = CL_STRING, .dest = &d.data, .meta = "DIR|FILE", .required = 1,
         .help = "dataset: a folder in the OGB raw layout or an edge list file"},
        {.name = "split", .kind = CL_STRING, .dest = &d.split, .meta = "NAME",
         .help = "split scheme under DIR/split", .default_text = "the only one present"},
        {.name = "format", .kind = CL_CHOICE, .dest = &d.format, .choices = cl_format_names,
         .help = "what --data holds; auto: a folder is OGB, a file an edge list"},
        {.name = "undirected", .kind = CL_BOOL, .dest = &d.undirected,
         .help = "edge list: also add the reverse of every edge (default: directed)"},
        {.name = "features", .kind = CL_STRING, .dest = &d.features, .meta = "FILE",
         .help = "edge list: node features, one \"id,v1,...,vF\" row per node",
         .default_text = "one constant feature"},
        {.name = "labels", .kind = CL_STRING, .dest = &d.labels, .meta = "FILE",
         .help = "edge list: node classes, one \"id,label\" row per node", .default_text = "none"},
        {.name = "json", .kind = CL_BOOL, .dest = &json, .help = "print JSON instead of text"},
        {.name = "model", .kind = CL_CHOICE, .dest = &model, .choices = models,
         .help = "model of the training memory estimate"},
        {.name = "heads", .kind = CL_INT32, .dest = &cfg.heads, .meta = "K",
         .help = "GAT: heads of each hidden layer, for the memory estimate"},
        {.name = "norm", .kind = CL_CHOICE, .dest = &norm, .choices = norms,
         .help = "normalisation between layers, for the memory estimate"},
        {.name = "gin-mlp-norm", .kind = CL_CHOICE, .dest = &mlp_norm, .choices = norms,
         .help = "GIN: normalisation inside each layer's MLP, for the memory estimate"},
        {.name = "residual", .kind = CL_BOOL, .dest = &cfg.residual,
         .help = "residual connections, for the memory estimate"},
        {.name = "reproducible", .kind = CL_BOOL, .dest = &cfg.reproducible,
         .help = "double-precision gradient sums, for the memory estimate"},
        {.name = "layers", .kind = CL_INT32, .dest = &cfg.layers, .meta = "N",
         .help = "layers, for the training memory estimate"},
        {.name = "hidden", .kind = CL_INT32, .dest = &cfg.hidden, .meta = "N",
         .help = "hidden width, for the training memory estimate"},
        {.name = "dropout", .kind = CL_DOUBLE, .dest = &cfg.dropout, .meta = "P",
         .help = "dropout (adds a copy of each dense layer input), for the memory estimate"},
        {0},
    };
    switch (cl_parse(PROG, flags, argc, argv, 1)) {
    case CL_HELP:
        cl_print_help(stdout, PROG, "--data DIR|FILE [flags]",
                      "Prints a dataset's size, degree distribution (percentiles are "
                      "nearest-rank; in-degree for a directed graph), self-loops, isolated "
                      "nodes, connected components (weak, for a directed graph), feature "
                      "width and density, class counts, split sizes, and the memory a model "
                      "of the given kind and shape needs to train on it.",
                      flags);
        return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    cfg.model = (pargnn_model_kind)model;
    cfg.norm = (pargnn_norm)norm;
    cfg.gin_mlp_norm = (pargnn_norm)mlp_norm;
    pargnn_status st = pargnn_config_validate(&cfg);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    pargnn_dataset_t *ds = NULL;
    if ((st = cl_data_load(&d, &ds)) != PARGNN_STATUS_OK) return cl_fail(st);
    pargnn_dataset_stats s;
    st = pargnn_dataset_stats_compute(ds, &cfg, &s);
    if (st != PARGNN_STATUS_OK) {
        pargnn_dataset_free(ds);
        return cl_fail(st);
    }
    if (json) print_json(d.data, &s, &cfg);
    else print_text(d.data, &s, &cfg);
    fflush(stdout);
    int rc = ferror(stdout) ? CL_EXIT_INTERNAL : CL_EXIT_OK;
    pargnn_dataset_stats_free(&s);
    pargnn_dataset_free(ds);
    return rc;
}
