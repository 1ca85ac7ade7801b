/*
 * pargnn train: flags -> pargnn_config, then load, (resume,) run with a progress callback,
 * save and write the JSON summary. Ctrl-C stops after the current epoch and still saves.
 * All training logic is in the library; this file only decides what to print and when.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "pargnn.h"

#define PROG "pargnn train"

/* Choice lists, in the same order as the enum values they stand for. */
static const char *const model_names[] = {"gcn", "sage", "gin", "gat", NULL};
static const int model_values[] = {PARGNN_MODEL_GCN, PARGNN_MODEL_SAGE, PARGNN_MODEL_GIN,
                                   PARGNN_MODEL_GAT};
static const char *const gin_eps_names[] = {"fixed", "learn", NULL}; /* = gin_train_eps */
static const char *const layer_norm_names[] = {"none", "batch", "layer", NULL}; /* = pargnn_norm */
static const char *const init_names[] = {"glorot", "pyg", NULL};                /* = pargnn_init */
static const char *const scope_names[] = {"first", "all", NULL};
static const int scope_values[] = {PARGNN_DECAY_SCOPE_FIRST, PARGNN_DECAY_SCOPE_ALL};
static const char *const norm_names[] = {"row", "none", NULL};
static const int norm_values[] = {PARGNN_FEATURE_NORM_ROW, PARGNN_FEATURE_NORM_NONE};
/* in pargnn_reorder order */
static const char *const reorder_names[] = {"none", "degree", "rcm", "metis", NULL};

/* Flags a resumed run takes from the checkpoint: the model and the optimizer. Giving one
 * with another value would silently train a different model than the one saved. */
static const char *const checkpoint_flags[] = {
    "model", "gin-eps", "heads", "out-heads", "attn-dropout", "message-dropout",
    "sage-normalize", "norm", "gin-mlp-norm",
    "residual", "init", "layers", "hidden", "dropout", "lr", "weight-decay", "decay-scope",
    "feature-norm", "seed", NULL};

typedef struct train_opts {
    pargnn_config cfg;
    int model, gin_eps, decay_scope, feature_norm, norm, gin_mlp_norm, init; /* indices into the choice lists */
    cl_data_opts d; /* --data, --split, --format, --undirected, --features, --labels */
    const char *json, *save, *resume;
    const char *partitions;               /* --partitions DIR: each rank reads its part */
    int partition, partition_objective;   /* indices into the choice lists */
    int reorder;                          /* index into reorder_names */
    int quiet;
} train_opts;

static int choice_index(const int *values, int n, int v) {
    for (int i = 0; i < n; i++)
        if (values[i] == v) return i;
    return 0;
}

static void opts_from_config(train_opts *o, const pargnn_config *cfg) {
    o->cfg = *cfg;
    o->model = choice_index(model_values, 4, (int)cfg->model);
    o->gin_eps = cfg->gin_train_eps != 0;
    o->norm = (int)cfg->norm;
    o->gin_mlp_norm = (int)cfg->gin_mlp_norm;
    o->init = (int)cfg->init;
    o->decay_scope = choice_index(scope_values, 2, (int)cfg->decay_scope);
    o->feature_norm = choice_index(norm_values, 2, (int)cfg->feature_norm);
    o->reorder = (int)cfg->reorder;
}

static void opts_to_config(train_opts *o) {
    o->cfg.model = (pargnn_model_kind)model_values[o->model];
    o->cfg.gin_train_eps = o->gin_eps;
    o->cfg.norm = (pargnn_norm)o->norm;
    o->cfg.gin_mlp_norm = (pargnn_norm)o->gin_mlp_norm;
    o->cfg.init = (pargnn_init)o->init;
    o->cfg.decay_scope = (pargnn_decay_scope)scope_values[o->decay_scope];
    o->cfg.feature_norm = (pargnn_feature_norm)norm_values[o->feature_norm];
    o->cfg.partition = (pargnn_partition_method)o->partition;
    o->cfg.partition_objective = (pargnn_partition_objective)o->partition_objective;
    o->cfg.reorder = (pargnn_reorder)o->reorder;
}

enum { TRAIN_NFLAGS = 39 };

static const char *const partition_names[] = {"metis", "random", "block", NULL};
static const char *const objective_names[] = {"cut", "vol", NULL};

/* The flag table bound to o; built by a function so the same table can describe the
 * values read from a checkpoint when checking --resume for conflicts. */
static void train_flags(train_opts *o, cl_flag *t) {
    pargnn_config *c = &o->cfg;
    const cl_flag flags[] = {
        {.name = "data", .kind = CL_STRING, .dest = &o->d.data, .meta = "DIR|FILE",
         .default_text = "required unless --partitions",
         .help = "dataset: a folder in the OGB raw layout (DIR/raw, DIR/split/NAME), a pargnn "
                 "binary file (pargnn convert) or an edge list file"},
        {.name = "split", .kind = CL_STRING, .dest = &o->d.split, .meta = "NAME",
         .help = "split scheme under DIR/split", .default_text = "the only one present"},
        {.name = "format", .kind = CL_CHOICE, .dest = &o->d.format, .choices = cl_format_names,
         .help = "what --data holds; auto: a folder is OGB, a file starting with the binary "
                 "magic is binary, any other file an edge list"},
        {.name = "undirected", .kind = CL_BOOL, .dest = &o->d.undirected,
         .help = "edge list: also add the reverse of every edge (default: directed)"},
        {.name = "features", .kind = CL_STRING, .dest = &o->d.features, .meta = "FILE",
         .help = "edge list: node features, one \"id,v1,...,vF\" row per node",
         .default_text = "one constant feature"},
        {.name = "labels", .kind = CL_STRING, .dest = &o->d.labels, .meta = "FILE",
         .help = "edge list: node classes, one \"id,label\" row per node; training needs "
                 "them",
         .default_text = "none"},
        {.name = "model", .kind = CL_CHOICE, .dest = &o->model, .choices = model_names,
         .help = "model architecture: gcn, sage (GraphSAGE, mean aggregator), gin or gat "
                 "(graph attention)"},
        {.name = "gin-eps", .kind = CL_CHOICE, .dest = &o->gin_eps, .choices = gin_eps_names,
         .help = "GIN: eps fixed at 0, or learned per layer (--model gin only)"},
        {.name = "gin-mlp-norm", .kind = CL_CHOICE, .dest = &o->gin_mlp_norm,
         .choices = layer_norm_names,
         .help = "GIN: batch or layer norm inside each layer's MLP, between its first linear "
                 "map and the ReLU, as the GIN paper's MLPs and PyG's GIN example (batch: "
                 "that map has no bias; --model gin only)"},
        {.name = "heads", .kind = CL_INT32, .dest = &c->heads, .meta = "K",
         .help = "GAT: attention heads of each hidden layer, concatenated (a hidden layer is "
                 "K x --hidden wide)"},
        {.name = "out-heads", .kind = CL_INT32, .dest = &c->out_heads, .meta = "K",
         .help = "GAT: attention heads of the output layer, averaged"},
        {.name = "attn-dropout", .kind = CL_DOUBLE, .dest = &c->attn_dropout, .meta = "P",
         .help = "GAT: probability of dropping an attention coefficient, in [0, 1)"},
        {.name = "message-dropout", .kind = CL_DOUBLE, .dest = &c->message_dropout, .meta = "P",
         .help = "GAT: probability of dropping an element of the transformed features W h "
                 "that are summed (not of those the scores see), as the GAT paper's code "
                 "does with its input dropout; PyG's GATConv has none"},
        {.name = "sage-normalize", .kind = CL_BOOL, .dest = &c->sage_normalize,
         .help = "SAGE: L2-normalise each hidden layer's output rows (--model sage only)"},
        {.name = "norm", .kind = CL_CHOICE, .dest = &o->norm, .choices = layer_norm_names,
         .help = "after each hidden layer, before its activation: batch norm (statistics over "
                 "every node, on any number of processes; running statistics for evaluation) "
                 "or layer norm (over each node's features)"},
        {.name = "residual", .kind = CL_BOOL, .dest = &c->residual,
         .help = "add each hidden layer's input to its output where the widths match (layers "
                 "2 to N-1; needs --layers 3 or more)"},
        {.name = "init", .kind = CL_CHOICE, .dest = &o->init, .choices = init_names,
         .help = "initial weights: glorot (every matrix Glorot-uniform, biases 0) or pyg (as "
                 "PyTorch Geometric's layers start: SAGE's and GIN's linear maps and biases "
                 "U(+-1/sqrt(fan_in)), as torch.nn.Linear; GCN and GAT stay Glorot, as "
                 "GCNConv and GATConv)"},
        {.name = "layers", .kind = CL_INT32, .dest = &c->layers, .meta = "N",
         .help = "number of graph convolutions"},
        {.name = "hidden", .kind = CL_INT32, .dest = &c->hidden, .meta = "N",
         .help = "width of every hidden layer"},
        {.name = "dropout", .kind = CL_DOUBLE, .dest = &c->dropout, .meta = "P",
         .help = "probability of dropping an input of each layer, in [0, 1)"},
        {.name = "lr", .kind = CL_DOUBLE, .dest = &c->lr, .meta = "X",
         .help = "Adam learning rate"},
        {.name = "weight-decay", .kind = CL_DOUBLE, .dest = &c->weight_decay, .meta = "X",
         .help = "L2 coefficient: gradient += X * W"},
        {.name = "decay-scope", .kind = CL_CHOICE, .dest = &o->decay_scope,
         .choices = scope_names,
         .help = "weights that get the L2 term: the first layer's (as in the paper) or all"},
        {.name = "feature-norm", .kind = CL_CHOICE, .dest = &o->feature_norm,
         .choices = norm_names,
         .help = "divide each input feature row by its sum, or use the features as stored"},
        {.name = "epochs", .kind = CL_INT32, .dest = &c->epochs, .meta = "N",
         .help = "epochs counted from the start of training: a resumed run continues up to "
                 "epoch N",
         .default_note = "; with --resume, the checkpoint's"},
        {.name = "patience", .kind = CL_INT32, .dest = &c->patience, .meta = "N",
         .help = "stop after N epochs without a better validation accuracy; 0 = never",
         .default_note = "; with --resume, the checkpoint's"},
        {.name = "seed", .kind = CL_UINT64, .dest = &c->seed, .meta = "N",
         .help = "seed of the initial weights and of the dropout masks"},
        {.name = "threads", .kind = CL_INT32, .dest = &c->threads, .meta = "N",
         .help = "OpenMP threads (OpenBLAS runs inside them); the same seed gives the same "
                 "loss curve, bit for bit, on any thread count",
         .default_text = "0 = the OpenMP default"},
        {.name = "reproducible", .kind = CL_BOOL, .dest = &c->reproducible,
         .help = "sum every parameter gradient in double and round it once after the sum "
                 "over ranks, so any rank count trains one process's weights (weight "
                 "gradients cost twice as much; not stored in checkpoints)"},
        {.name = "json", .kind = CL_STRING, .dest = &o->json, .meta = "FILE",
         .help = "write accuracies, timings, the loss curve and every hyperparameter as JSON"},
        {.name = "save", .kind = CL_STRING, .dest = &o->save, .meta = "FILE",
         .help = "write a checkpoint at the end (also when interrupted by Ctrl-C)"},
        {.name = "resume", .kind = CL_STRING, .dest = &o->resume, .meta = "FILE",
         .help = "continue from a checkpoint; model and optimizer flags come from it, and "
                 "giving one with another value is an error"},
        {.name = "quiet", .kind = CL_BOOL, .dest = &o->quiet,
         .help = "no dataset summary or per-epoch progress on stderr (warnings still print)"},
        {.name = "partition", .kind = CL_CHOICE, .dest = &o->partition, .choices = partition_names,
         .help = "under mpirun: how nodes are split over the ranks (METIS k-way balancing "
                 "nodes, edges and training nodes; seeded random; contiguous blocks)"},
        {.name = "partition-objective", .kind = CL_CHOICE, .dest = &o->partition_objective,
         .choices = objective_names,
         .help = "METIS objective: edge cut or communication volume"},
        {.name = "partition-imbalance", .kind = CL_DOUBLE, .dest = &c->partition_imbalance,
         .meta = "X", .has_range = 1, .min = PARGNN_PARTITION_IMBALANCE_MIN,
         .max = PARGNN_PARTITION_IMBALANCE_MAX,
         .help = "METIS balance tolerance: no rank may hold more than X times the mean of "
                 "nodes, edges or training nodes; looser can shrink the halo"},
        {.name = "partitions", .kind = CL_STRING, .dest = &o->partitions, .meta = "DIR",
         .help = "under mpirun: train from a folder written by 'pargnn partition'; each rank "
                 "reads only its part (the part count must equal the rank count)"},
        {.name = "reorder", .kind = CL_CHOICE, .dest = &o->reorder, .choices = reorder_names,
         .help = "renumber the nodes for cache locality (descending degree, reverse "
                 "Cuthill-McKee, or METIS clusters of 4,096 nodes one after another); same "
                 "results, dropout masks keyed by the original ids; one process only"},
        {0},
    };
    _Static_assert(sizeof flags / sizeof flags[0] == TRAIN_NFLAGS, "TRAIN_NFLAGS is stale");
    memcpy(t, flags, sizeof flags);
}

static void print_help(cl_flag *flags) {
    cl_print_help(stdout, PROG, "--data DIR [flags]",
                  "Trains a graph neural network on the training nodes of DIR, evaluates on "
                  "the validation and test nodes every epoch, and reports the test accuracy at "
                  "the epoch of best validation accuracy. Progress goes to stderr, the summary "
                  "to stdout. Ctrl-C stops after the current epoch, saves (--save) and writes "
                  "the JSON (--json), then exits with status 130.",
                  flags);
}

/* ---- resume: the checkpoint's hyperparameters, refusing explicit contradictions ---- */

static int apply_checkpoint(train_opts *o, cl_flag *flags) {
    pargnn_config ck;
    pargnn_status st = pargnn_checkpoint_read_config(o->resume, &ck);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);

    train_opts from_ck = *o;
    opts_from_config(&from_ck, &ck);
    cl_flag ck_flags[TRAIN_NFLAGS];
    train_flags(&from_ck, ck_flags);
    for (int i = 0; checkpoint_flags[i]; i++) {
        cl_flag *mine = cl_find(flags, checkpoint_flags[i]);
        cl_flag *theirs = cl_find(ck_flags, checkpoint_flags[i]);
        if (!mine->given) continue;
        char a[64], b[64];
        cl_format_value(mine, mine->dest, a, sizeof a);
        cl_format_value(theirs, theirs->dest, b, sizeof b);
        if (strcmp(a, b) != 0) {
            fprintf(stderr,
                    "%s: --%s %s conflicts with the checkpoint '%s', trained with --%s %s "
                    "(drop --%s to resume with the checkpoint's value)\n",
                    PROG, mine->name, a, o->resume, mine->name, b, mine->name);
            return CL_EXIT_USAGE;
        }
    }

    /* Model and optimizer from the checkpoint; run length and machine from this command. */
    pargnn_config run = o->cfg;
    opts_from_config(o, &ck);
    if (cl_find(flags, "epochs")->given) o->cfg.epochs = run.epochs;
    if (cl_find(flags, "patience")->given) o->cfg.patience = run.patience;
    o->cfg.threads = run.threads;
    o->cfg.reproducible = run.reproducible;
    o->cfg.partition = run.partition;
    o->cfg.partition_objective = run.partition_objective;
    o->cfg.partition_imbalance = run.partition_imbalance;
    o->cfg.reorder = run.reorder;
    o->reorder = (int)run.reorder;
    return CL_EXIT_OK;
}

/* ---- progress ---- */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

/* A second Ctrl-C kills at once (SA_RESETHAND), for an epoch that takes too long. A signal
 * ignored when we started (a background job of a script) stays ignored. */
static void catch_signal(int sig, struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(sig, NULL, old);
    if (old->sa_handler != SIG_IGN) sigaction(sig, &sa, NULL);
}

typedef struct progress {
    int quiet;
    int tty;           /* stderr is a terminal: rewrite one line instead of scrolling */
    int live_line;     /* a rewritten line is on screen and needs its newline */
    double start_ms;   /* wall clock when the run started */
    int32_t first_epoch;
} progress;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void format_eta(double ms, char *buf, size_t size) {
    long s = (long)(ms / 1000.0 + 0.5);
    if (s < 1) snprintf(buf, size, "<1s");
    else if (s < 60) snprintf(buf, size, "%lds", s);
    else if (s < 3600) snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
    else snprintf(buf, size, "%ldh%02ldm", s / 3600, (s / 60) % 60);
}

static int on_epoch(const pargnn_epoch_stats *st, int32_t total, void *user) {
    progress *p = user;
    if (!p->quiet) {
        if (p->first_epoch == 0) p->first_epoch = st->epoch;
        /* ETA from wall-clock time (step + evaluation) of the epochs this process ran. */
        double done = (double)(st->epoch - p->first_epoch + 1);
        double per_epoch = (now_ms() - p->start_ms) / done;
        char eta[32];
        format_eta(per_epoch * (double)(total - st->epoch), eta, sizeof eta);
        int w = total >= 10000 ? 5 : total >= 1000 ? 4 : total >= 100 ? 3 : total >= 10 ? 2 : 1;
        if (p->tty) {
            fprintf(stderr,
                    "\r\033[Kepoch %*d/%d  loss %.4f  train %5.1f%%  val %5.1f%%  "
                    "step %.2f ms  ETA %s",
                    w, (int)st->epoch, (int)total, st->loss, 100.0 * st->train_acc,
                    100.0 * st->val_acc, st->step_ms, eta);
            p->live_line = 1;
        } else {
            fprintf(stderr, "epoch %*d/%d loss %.4f train %.1f%% val %.1f%% %.2fms eta %s\n", w,
                    (int)st->epoch, (int)total, st->loss, 100.0 * st->train_acc,
                    100.0 * st->val_acc, st->step_ms, eta);
        }
        fflush(stderr);
    }
    return interrupted ? 1 : 0;
}

static void end_live_line(progress *p) {
    if (p->live_line) fputc('\n', stderr);
    p->live_line = 0;
}

/* ---- output ---- */

static void print_dataset(const train_opts *o, const pargnn_dataset_t *ds) {
    pargnn_dataset_info in;
    pargnn_dataset_get_info(ds, &in);
    fprintf(stderr,
            "pargnn: %s: %lld nodes, %lld edges, %lld features, %d classes; split %s: "
            "%lld train, %lld valid, %lld test\n",
            o->d.data, (long long)in.num_nodes, (long long)in.num_edges,
            (long long)in.num_features, (int)in.num_classes, in.split, (long long)in.num_train,
            (long long)in.num_valid, (long long)in.num_test);
    const pargnn_config *c = &o->cfg;
    char dropout[32], lr[32], wd[32];
    cl_flag tmp = {.kind = CL_DOUBLE};
    cl_format_value(&tmp, &c->dropout, dropout, sizeof dropout);
    cl_format_value(&tmp, &c->lr, lr, sizeof lr);
    cl_format_value(&tmp, &c->weight_decay, wd, sizeof wd);
    fprintf(stderr,
            "pargnn: %s, %d layers, hidden %d, dropout %s, lr %s, weight decay %s (%s), "
            "features %s, seed %llu, %d epochs%s\n",
            pargnn_model_name(c->model), (int)c->layers, (int)c->hidden, dropout, lr, wd,
            scope_names[o->decay_scope], norm_names[o->feature_norm],
            (unsigned long long)c->seed, (int)c->epochs,
            c->patience > 0 ? ", early stopping" : "");
}

static void print_summary(const pargnn_result *r, const pargnn_config *c) {
    printf("epochs run   %d of %d%s\n", (int)r->epochs_run, (int)c->epochs,
           r->stopped_early ? " (stopped early: no better validation accuracy for --patience epochs)"
                            : "");
    printf("best epoch   %d\n", (int)r->best_epoch);
    printf("val acc      %.2f%%\n", 100.0 * r->val_acc);
    printf("test acc     %.2f%% (at the best validation epoch)\n", 100.0 * r->test_acc);
    if (r->epoch_ms > 0)
        printf("step time    %.3f ms (median: forward, backward and update)\n", r->epoch_ms);
    else
        printf("step time    - (no epoch ran in this process)\n");
    printf("threads      %d, ranks %d\n", (int)r->threads, (int)r->ranks);
}

int cmd_train(int argc, char **argv) {
    train_opts o = {0};
    pargnn_config def;
    pargnn_config_default(&def);
    opts_from_config(&o, &def);
    cl_flag flags[TRAIN_NFLAGS];
    train_flags(&o, flags);

    switch (cl_parse(PROG, flags, argc, argv, 1)) {
    case CL_HELP: print_help(flags); return CL_EXIT_OK;
    case CL_ERROR: return CL_EXIT_USAGE;
    case CL_PARSED: break;
    }
    opts_to_config(&o);

    int rc;
    if (!o.d.data && !o.partitions) {
        fprintf(stderr, "%s: --data is required (or --partitions under mpirun; see '%s --help')\n",
                PROG, PROG);
        return CL_EXIT_USAGE;
    }
    if (o.d.data && o.partitions) {
        fprintf(stderr, "%s: give --data or --partitions, not both\n", PROG);
        return CL_EXIT_USAGE;
    }
    if (cl_find(flags, "partition-imbalance")->given && (o.partitions || o.partition != 0)) {
        fprintf(stderr, "%s: --partition-imbalance: only for --partition metis%s\n", PROG,
                o.partitions ? " (--partitions DIR was made by 'pargnn partition --imbalance X')" : "");
        return CL_EXIT_USAGE;
    }
    if (o.resume && (rc = apply_checkpoint(&o, flags)) != CL_EXIT_OK) return rc;
    pargnn_status st = pargnn_config_validate(&o.cfg);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);

    /* Under mpirun every rank runs this; rank 0 speaks. A failure that one rank meets alone
     * is agreed on (all exit with its message); a failure inside a collective aborts the job. */
    pargnn_comm_t *comm = NULL;
    st = pargnn_comm_init(NULL, NULL, &comm);
    if (st != PARGNN_STATUS_OK) return cl_fail(st);
    const int rank = pargnn_comm_rank(comm), size = pargnn_comm_size(comm);
    if (rank != 0) o.quiet = 1;

    pargnn_dataset_t *ds = NULL;
    pargnn_trainer_t *tr = NULL;
    if (o.partitions) {
        st = pargnn_trainer_create_parts(o.partitions, &o.cfg, comm, &tr);
    } else {
        st = pargnn_comm_agree(comm, cl_data_load(&o.d, &ds));
        if (st == PARGNN_STATUS_OK && !o.quiet) print_dataset(&o, ds);
        if (st == PARGNN_STATUS_OK) st = pargnn_trainer_create_dist(ds, &o.cfg, comm, &tr);
    }
    if (st != PARGNN_STATUS_OK) {
        rc = rank == 0 ? cl_fail(st) : pargnn_status_exit_code(st);
        goto done;
    }
    pargnn_blas_info blas;
    pargnn_blas_get_info(&blas);
    /* the float products' advice, or with --reproducible its double weight gradients' */
    const char *advice = blas.advice ? blas.advice : o.cfg.reproducible ? blas.advice_double : NULL;
    if (rank == 0 && advice) /* even with --quiet: it can cost more than the run */
        fprintf(stderr,
                "pargnn: warning: OpenBLAS runs its %s kernels on this CPU, which has %s: "
                "%s may run several times slower. Set OPENBLAS_CORETYPE=%s "
                "(OpenBLAS before 0.3.25 does not recognise newer CPU models; README, "
                "\"Performance\")\n",
                blas.core, strcmp(blas.cpu, "avx512") == 0 ? "AVX-512" : "AVX2",
                blas.advice ? "dense products" : "--reproducible's double-precision weight gradients",
                advice);
    if (size > 1 && !o.quiet)
        fprintf(stderr, "pargnn: %d ranks x %d threads, partition %s%s\n", size,
                (int)o.cfg.threads, o.partitions ? "read from " : partition_names[o.partition],
                o.partitions ? o.partitions : "");
    if (o.resume) {
        st = pargnn_comm_agree(comm, pargnn_trainer_resume(tr, o.resume));
        if (st != PARGNN_STATUS_OK) {
            rc = rank == 0 ? cl_fail(st) : pargnn_status_exit_code(st);
            goto done;
        }
        if (!o.quiet) {
            pargnn_result r;
            pargnn_trainer_result(tr, &r);
            if (r.epochs_run >= o.cfg.epochs)
                fprintf(stderr,
                        "pargnn: '%s' is at epoch %d already, not below --epochs %d: nothing "
                        "to train\n",
                        o.resume, (int)r.epochs_run, (int)o.cfg.epochs);
            else
                fprintf(stderr, "pargnn: resuming from '%s' after epoch %d\n", o.resume,
                        (int)r.epochs_run);
        }
    }

    struct sigaction old_int, old_term;
    interrupted = 0;
    catch_signal(SIGINT, &old_int);
    catch_signal(SIGTERM, &old_term);

    progress prog = {.quiet = o.quiet, .tty = isatty(STDERR_FILENO), .start_ms = now_ms()};
    st = pargnn_trainer_run(tr, on_epoch, &prog);
    end_live_line(&prog);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (st != PARGNN_STATUS_OK) {
        /* Every rank meets the same reduced numbers, so a numerical failure is shared; an
         * MPI failure may not be: then end the whole job rather than leave ranks waiting. */
        rc = cl_fail(st);
        if (size > 1 && st != PARGNN_STATUS_NUMERIC) pargnn_comm_abort(comm, rc);
        goto done;
    }

    pargnn_result res;
    pargnn_trainer_result(tr, &res);
    rc = CL_EXIT_OK;
    if (interrupted && rank == 0) {
        fprintf(stderr, "pargnn: interrupted: stopped after epoch %d of %d\n",
                (int)res.epochs_run, (int)o.cfg.epochs);
    }
    if (rank == 0) print_summary(&res, &o.cfg);
    /* Both outputs are attempted even if one fails: a full disk for the JSON should not
     * also cost the checkpoint. Every rank holds the same weights: rank 0 saves. */
    if (o.save && rank == 0) {
        st = pargnn_trainer_save(tr, o.save);
        if (st != PARGNN_STATUS_OK) rc = cl_fail(st);
        else printf("checkpoint   %s\n", o.save);
    }
    if (o.json) { /* collective: rank 0 gathers every rank's figures and writes */
        st = pargnn_trainer_write_json(tr, o.json);
        if (st != PARGNN_STATUS_OK) {
            int jrc = cl_fail(st);
            if (rc == CL_EXIT_OK) rc = jrc;
        } else if (rank == 0) {
            printf("json         %s\n", o.json);
        }
    }
    if (rc == CL_EXIT_OK && interrupted) rc = CL_EXIT_INTERRUPTED;

done:
    pargnn_trainer_free(tr);
    pargnn_dataset_free(ds);
    pargnn_comm_finalize(comm);
    return rc;
}
