/*
 * pargnn: training graph neural networks fast, from a serial reference implementation
 * up to shared-memory kernels and (later) MPI across processes.
 *
 * The public API is small: load a dataset, fill a configuration, create a trainer, run
 * it (one epoch at a time or to the end), save or resume checkpoints, and predict from a
 * saved model. Every function that can fail returns a pargnn_status (0 = ok, negative =
 * error) and leaves a message for pargnn_last_error() that names the file, line, field or
 * flag at fault. The library never exits the process and never prints: progress reaches
 * the caller through a callback.
 *
 * Worked example (error handling trimmed to one check):
 *
 *     pargnn_dataset_t *ds;
 *     if (pargnn_dataset_load("../shared/datasets/cora", NULL, &ds) != PARGNN_STATUS_OK) {
 *         fprintf(stderr, "%s\n", pargnn_last_error());
 *         return 2;
 *     }
 *     pargnn_config cfg;
 *     pargnn_config_default(&cfg);          // 2-layer GCN, hidden 16, Adam lr 0.01, ...
 *     cfg.epochs = 200;
 *     pargnn_trainer_t *tr;
 *     pargnn_trainer_create(ds, &cfg, &tr);
 *     pargnn_trainer_run(tr, NULL, NULL);   // or a callback printing each epoch
 *     pargnn_result res;
 *     pargnn_trainer_result(tr, &res);      // res.test_acc at the best validation epoch
 *     pargnn_trainer_save(tr, "cora.ckpt");
 *     pargnn_trainer_free(tr);
 *     pargnn_dataset_free(ds);
 */
#ifndef PARGNN_H
#define PARGNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PARGNN_BUILDING)
#define PARGNN_API __attribute__((visibility("default")))
#else
#define PARGNN_API
#endif

#define PARGNN_VERSION "0.1.0"

/* ------------------------------------------------------------------ status */

typedef enum pargnn_status {
    PARGNN_STATUS_OK = 0,
    PARGNN_STATUS_INVALID_ARGUMENT = -1, /* a parameter or flag out of its range */
    PARGNN_STATUS_IO = -2,               /* cannot open, read, write or rename a file */
    PARGNN_STATUS_BAD_INPUT = -3,        /* a data file is malformed */
    PARGNN_STATUS_NO_MEMORY = -4,        /* an allocation failed or a size is impossible */
    PARGNN_STATUS_CORRUPT = -5,          /* checksum, version or truncation of our own files */
    PARGNN_STATUS_MISMATCH = -6,         /* a checkpoint does not fit the dataset or config */
    PARGNN_STATUS_NUMERIC = -7,          /* NaN or Inf appeared during training */
    PARGNN_STATUS_INTERNAL = -8,         /* a bug: please report it */
} pargnn_status;

PARGNN_API const char *pargnn_status_str(pargnn_status status);
/* Message of the last failure in this thread ("" if none). */
PARGNN_API const char *pargnn_last_error(void);
/* Exit code a command-line tool should use: 0 ok, 2 bad usage or input, 1 internal. */
PARGNN_API int pargnn_status_exit_code(pargnn_status status);

/* ----------------------------------------------------------------- dataset */

typedef struct pargnn_dataset pargnn_dataset_t;

/* Loads the Open Graph Benchmark raw node-property layout:
 *   DIR/raw/{edge,node-feat,node-label,num-node-list,num-edge-list}.csv[.gz]
 *   DIR/split/SPLIT/{train,valid,test}.csv[.gz]
 * split may be NULL: the only scheme under DIR/split is taken (an error lists them when
 * there are several). Edges are made undirected, duplicates dropped, self-loops kept once. */
PARGNN_API pargnn_status pargnn_dataset_load(const char *dir, const char *split,
                                             pargnn_dataset_t **out);
PARGNN_API void pargnn_dataset_free(pargnn_dataset_t *ds);

/* What a dataset path holds. AUTO: a folder is OGB, a regular file is the binary format
 * when it starts with its magic, otherwise an edge list. */
typedef enum pargnn_format {
    PARGNN_FORMAT_AUTO = 0,
    PARGNN_FORMAT_OGB = 1,
    PARGNN_FORMAT_BIN = 2,
    PARGNN_FORMAT_EDGELIST = 3,
} pargnn_format;

/* Options of pargnn_dataset_load_ex; pargnn_load_options_default fills the defaults.
 * Edge list (SNAP style, plain or gzip): one "src dst [weight]" per line, separated by
 * blanks or a comma; lines starting with '#' or '%' are comments; the weight is checked
 * to be a finite number and then ignored. Node ids are any integers in [0, 2^63); when the
 * ids present are not exactly 0..n-1 they are renumbered in ascending order of the
 * original id (pargnn_dataset_original_id maps back). The node set is every id in the
 * edge, feature and label files. Directed by default: node i aggregates from the sources
 * of the edges pointing to it. */
typedef struct pargnn_load_options {
    pargnn_format format;
    const char *split;      /* OGB: split scheme (NULL: the only one present) */
    int undirected;         /* edge list: also add the reverse of every edge */
    const char *features;   /* edge list: "id,v1,...,vF" per node (every node exactly once);
                               NULL: one constant feature equal to 1 */
    const char *labels;     /* edge list: "id,label" per node (every node exactly once);
                               NULL: no labels (info and convert work, train refuses) */
    uint64_t split_seed;    /* edge list with labels: seed of the random split, per class
                               up to 20 train and 30 valid nodes, the rest test */
} pargnn_load_options;
PARGNN_API void pargnn_load_options_default(pargnn_load_options *opt);
/* Loads an OGB folder, a binary dataset file or an edge list (opt may be NULL). */
PARGNN_API pargnn_status pargnn_dataset_load_ex(const char *path, const pargnn_load_options *opt,
                                                pargnn_dataset_t **out);
/* Original id of node i as it appeared in the input (i itself when ids were not renumbered). */
PARGNN_API int64_t pargnn_dataset_original_id(const pargnn_dataset_t *ds, int64_t i);
/* Whether the dataset has labels (and so a split): training needs them. */
PARGNN_API int pargnn_dataset_has_labels(const pargnn_dataset_t *ds);

typedef struct pargnn_dataset_info {
    int64_t num_nodes;
    int64_t num_edges;      /* directed entries of the adjacency (self-loops once) */
    int64_t num_features;
    int64_t feature_nnz;    /* non-zero feature values */
    int32_t num_classes;
    int64_t num_train, num_valid, num_test;
    const char *split;      /* split scheme name */
} pargnn_dataset_info;
PARGNN_API void pargnn_dataset_get_info(const pargnn_dataset_t *ds, pargnn_dataset_info *info);

/* Statistics of a loaded dataset (pargnn info). Degrees are row lengths of the adjacency:
 * the degree of an undirected graph, the in-degree of a directed one. Percentiles are
 * nearest-rank. Components are weakly connected components. */
typedef struct pargnn_dataset_stats {
    int64_t num_nodes;
    int directed;
    int64_t num_entries;        /* stored adjacency entries: directed edges, self-loops once */
    int64_t num_undirected;     /* distinct unordered pairs {i, j}, self-loops included */
    int64_t self_loops;
    int64_t isolated;           /* nodes with no edge to or from another node */
    int64_t deg_min, deg_max, deg_p50, deg_p90, deg_p99;
    double deg_mean;
    int64_t out_deg_max;        /* directed graphs: largest out-degree */
    int64_t components, largest_component;
    int64_t num_features, feature_nnz;
    double feature_density;     /* feature_nnz / (num_nodes * num_features) */
    int feature_sparse;         /* features are held as CSR */
    int32_t num_classes;        /* 0: no labels */
    int64_t *class_counts;      /* num_classes entries (malloc'ed; pargnn_dataset_stats_free) */
    int64_t num_train, num_valid, num_test;
    const char *split;          /* owned by the dataset */
    int64_t dataset_bytes;      /* memory the loaded dataset holds */
    int64_t train_bytes;        /* trainer memory on top of it for the given model (0: none) */
} pargnn_dataset_stats;
struct pargnn_config; /* below, under config */
/* cfg: the model to estimate training memory for (layers, hidden, dropout); NULL: none. */
PARGNN_API pargnn_status pargnn_dataset_stats_compute(const pargnn_dataset_t *ds,
                                                      const struct pargnn_config *cfg,
                                                      pargnn_dataset_stats *stats);
PARGNN_API void pargnn_dataset_stats_free(pargnn_dataset_stats *stats);

/* Writes a dataset in the OGB raw layout under dir (gzip'ed CSV). */
PARGNN_API pargnn_status pargnn_dataset_write_ogb(const pargnn_dataset_t *ds, const char *dir);

/* A stochastic block model with planted classes, for demos and tests: num_classes blocks,
 * average degree avg_degree, a fraction homophily of edges inside a block, binary
 * features that are noisy indicators of the class, 20 training and 30 validation nodes per
 * class, the rest test. Deterministic for a seed. */
typedef struct pargnn_sbm_params {
    int64_t num_nodes;
    double avg_degree;
    int64_t num_features;
    int32_t num_classes;
    double homophily;
    uint64_t seed;
} pargnn_sbm_params;
PARGNN_API void pargnn_sbm_params_default(pargnn_sbm_params *p);
PARGNN_API pargnn_status pargnn_generate_sbm(const pargnn_sbm_params *p, pargnn_dataset_t **out);

/* Writes a dataset in pargnn's binary format: a versioned header, then 64-byte aligned
 * sections (CSR, features, labels, split) with a crc32 each. pargnn_dataset_load maps it
 * back without parsing or copying. Written to a temporary file, then renamed. */
PARGNN_API pargnn_status pargnn_dataset_write_bin(const pargnn_dataset_t *ds, const char *path);

/* Progress of a long generation: a phase name ("edges", "adjacency", "features") and the
 * fraction of it done, in [0, 1]. Called from the generating thread only. */
typedef void (*pargnn_generate_progress_fn)(const char *phase, double fraction, void *user);

/* An R-MAT (Kronecker) power-law graph with learnable classes. Edges are drawn by the
 * recursive quadrant rule with probabilities a, b, c, d (Graph500: 0.57, 0.19, 0.19, 0.05)
 * on the next power of two above num_nodes; a seeded permutation spreads the hubs and
 * keeps the edges between the first num_nodes ids. A node's class is a function of the
 * low bits of its R-MAT id; with probability homophily an edge copies those bits from its
 * source to its target (the same class, and the same degree distribution when b == c).
 * Features are dense: a class centroid plus uniform noise. Split: 20 train and 30 valid
 * per class, the rest test. Deterministic for a seed whatever the thread count. */
typedef struct pargnn_rmat_params {
    int64_t num_nodes;
    double avg_degree;       /* 2 x drawn edges / nodes; duplicates are then dropped */
    int64_t num_features;
    int32_t num_classes;
    double homophily;
    double feature_signal;   /* feature = (1 - S) * uniform noise + S * class centroid */
    double a, b, c;          /* d = 1 - a - b - c */
    uint64_t seed;
    pargnn_generate_progress_fn progress; /* may be NULL */
    void *progress_user;
} pargnn_rmat_params;
PARGNN_API void pargnn_rmat_params_default(pargnn_rmat_params *p);
PARGNN_API pargnn_status pargnn_generate_rmat(const pargnn_rmat_params *p, pargnn_dataset_t **out);

/* ------------------------------------------------------------------ config */

typedef enum pargnn_model_kind {
    PARGNN_MODEL_GCN = 0,   /* H' = A_hat H W + b, A_hat = D^-1/2 (A + I) D^-1/2 */
    PARGNN_MODEL_SAGE = 1,  /* GraphSAGE, mean aggregator: H' = mean(H_nbr) W + H W_self + b */
    PARGNN_MODEL_GIN = 2,   /* GIN: H' = MLP((1 + eps) H + sum(H_nbr)), MLP = Linear-ReLU-Linear
                               (Linear-norm-ReLU-Linear with gin_mlp_norm) */
    PARGNN_MODEL_GAT = 3,   /* GAT: per head k, h'_i = sum_j alpha_ij W_k h_j over j in N(i) + i,
                               alpha = softmax_j LeakyReLU_0.2(a_src.W_k h_j + a_dst.W_k h_i);
                               heads concatenated (hidden layers) or averaged (output), ELU */
} pargnn_model_kind;

typedef enum pargnn_feature_norm {
    PARGNN_FEATURE_NORM_ROW = 0,  /* each feature row divided by its sum (Kipf & Welling) */
    PARGNN_FEATURE_NORM_NONE = 1,
} pargnn_feature_norm;

typedef enum pargnn_decay_scope {
    PARGNN_DECAY_SCOPE_FIRST = 0, /* L2 weight decay on the first layer's weights (the paper) */
    PARGNN_DECAY_SCOPE_ALL = 1,   /* on every layer's weights */
} pargnn_decay_scope;

typedef enum pargnn_partition_method {
    PARGNN_PARTITION_METIS = 0,   /* METIS k-way, balancing nodes, edges and training nodes */
    PARGNN_PARTITION_RANDOM = 1,  /* seeded random, balanced node counts */
    PARGNN_PARTITION_BLOCK = 2,   /* contiguous ranges of node ids */
} pargnn_partition_method;

typedef enum pargnn_partition_objective {
    PARGNN_PARTITION_OBJECTIVE_CUT = 0, /* minimise the edge cut */
    PARGNN_PARTITION_OBJECTIVE_VOL = 1, /* minimise the communication volume */
} pargnn_partition_objective;

/* Normalisation after each hidden layer (before its activation). */
typedef enum pargnn_norm {
    PARGNN_NORM_NONE = 0,
    PARGNN_NORM_BATCH = 1,  /* batch norm over every node of the graph (all processes'),
                               running statistics (momentum 0.1) for evaluation */
    PARGNN_NORM_LAYER = 2,  /* layer norm over each node's features */
} pargnn_norm;

/* METIS balance tolerance (partition_imbalance, --partition-imbalance): each balanced
 * quantity of a part (nodes, edges, training nodes) may reach this multiple of the mean.
 * Looser balance lets METIS cut fewer edges; bench/results/partitioners.md measures both. */
#define PARGNN_PARTITION_IMBALANCE_DEFAULT 1.03 /* METIS's own k-way default (ufactor 30) */
#define PARGNN_PARTITION_IMBALANCE_MIN 1.001
#define PARGNN_PARTITION_IMBALANCE_MAX 2.0

/* Initial weights (--init). */
typedef enum pargnn_init {
    PARGNN_INIT_GLOROT = 0, /* every matrix Glorot-uniform U(+-sqrt(6 / (fan_in + fan_out))),
                               biases 0 */
    PARGNN_INIT_PYG = 1,    /* as PyTorch Geometric's layers start: SAGE's and GIN's linear
                               maps U(+-1/sqrt(fan_in)) with biases U(+-1/sqrt(fan_in))
                               (torch.nn.Linear); GCN and GAT as GLOROT (GCNConv, GATConv) */
} pargnn_init;

/* Node order used inside the trainer (results are the same; speed is not). */
typedef enum pargnn_reorder {
    PARGNN_REORDER_NONE = 0,
    PARGNN_REORDER_DEGREE = 1,  /* descending degree */
    PARGNN_REORDER_RCM = 2,     /* reverse Cuthill-McKee */
    PARGNN_REORDER_METIS = 3,   /* METIS clusters of cache-sized node blocks, one after another */
} pargnn_reorder;

typedef struct pargnn_config {
    pargnn_model_kind model;
    int32_t gin_train_eps;      /* GIN: 1 = eps is a learned parameter per layer (from 0);
                                   0 = eps fixed at 0 */
    int32_t heads;              /* GAT: attention heads of each hidden layer (concatenated:
                                   the next layer's input is heads * hidden wide) */
    int32_t out_heads;          /* GAT: heads of the output layer (averaged) */
    double attn_dropout;        /* GAT: probability of dropping an attention coefficient */
    double message_dropout;     /* GAT: probability of dropping an element of the messages
                                   W h_j before they are summed (the paper's code drops them
                                   with its input dropout; PyG's GATConv does not) */
    int32_t sage_normalize;     /* SAGE: 1 = L2-normalise each hidden layer's output rows */
    pargnn_norm norm;           /* between layers: none, batch or layer normalisation */
    pargnn_norm gin_mlp_norm;   /* GIN: normalisation inside each layer's MLP, between its
                                   first linear map and the ReLU (the GIN paper's and PyG's
                                   MLP; batch: that map has no bias) */
    int32_t residual;           /* 1 = add each hidden layer's input to its output where
                                   the widths match (layers 2 .. N-1) */
    pargnn_init init;           /* initial weights */
    int32_t layers;             /* number of graph convolutions, >= 1 */
    int32_t hidden;             /* width of every hidden layer */
    double dropout;             /* probability of dropping, in [0, 1) */
    double lr;                  /* Adam learning rate */
    double weight_decay;        /* L2 coefficient: gradient += weight_decay * W */
    pargnn_decay_scope decay_scope;
    pargnn_feature_norm feature_norm;
    int32_t epochs;             /* epochs counted from the start of training */
    int32_t patience;           /* stop after this many epochs without a better val acc; 0 = never */
    uint64_t seed;
    int32_t threads;            /* 0 = leave OpenMP / OpenBLAS defaults */
    pargnn_partition_method partition;       /* how nodes are split over MPI ranks */
    pargnn_partition_objective partition_objective;
    double partition_imbalance; /* METIS tolerance, max part / mean (PARGNN_PARTITION_IMBALANCE_*) */
    pargnn_reorder reorder;     /* node order for locality; dropout stays keyed by original id */
    int32_t reproducible;       /* 1 = sum every parameter gradient (and GAT's reverse halo
                                   sums) in double, rounded once after the sum over
                                   processes: any rank count gives one process's bits
                                   (--reproducible; slower weight-gradient products) */
} pargnn_config;

PARGNN_API void pargnn_config_default(pargnn_config *cfg);
/* Checks ranges; the message names the field (as its command-line flag). */
PARGNN_API pargnn_status pargnn_config_validate(const pargnn_config *cfg);
PARGNN_API const char *pargnn_model_name(pargnn_model_kind kind);

/* ----------------------------------------------------------------- trainer */

/* ---------------------------------------------------------- communicator */

/* Processes that train one model together (MPI ranks). A program started by an MPI
 * launcher (mpirun) gets MPI_COMM_WORLD; otherwise a single process, without touching MPI. */
typedef struct pargnn_comm pargnn_comm_t;
PARGNN_API pargnn_status pargnn_comm_init(int *argc, char ***argv, pargnn_comm_t **out);
PARGNN_API int pargnn_comm_rank(const pargnn_comm_t *comm);
PARGNN_API int pargnn_comm_size(const pargnn_comm_t *comm);
/* Collective: every rank passes its own status; all get the worst one, with the failing
 * rank's message ("rank R: ..."). Call it where a rank may have failed alone. */
PARGNN_API pargnn_status pargnn_comm_agree(pargnn_comm_t *comm, pargnn_status local);
/* Ends every rank of the job (MPI_Abort); for a program that cannot agree any more. */
PARGNN_API void pargnn_comm_abort(pargnn_comm_t *comm, int code);
PARGNN_API void pargnn_comm_finalize(pargnn_comm_t *comm);

/* ----------------------------------------------------------------- trainer */

typedef struct pargnn_trainer pargnn_trainer_t;

/* Phases of a training step whose wall time is reported separately (phase_ms). */
typedef enum pargnn_phase {
    PARGNN_PHASE_SPMM = 0,        /* sparse products: aggregation and sparse features */
    PARGNN_PHASE_GEMM = 1,        /* dense products */
    PARGNN_PHASE_ELEMENTWISE = 2, /* bias, ReLU, dropout and their gradients */
    PARGNN_PHASE_LOSS = 3,        /* softmax cross-entropy and its gradient */
    PARGNN_PHASE_OPTIMIZER = 4,   /* Adam */
    PARGNN_PHASE_COMM = 5,        /* communication between processes (0 on one process) */
    PARGNN_PHASE_COUNT = 6
} pargnn_phase;
/* "spmm", "gemm", "elementwise", "loss", "optimizer", "comm". */
PARGNN_API const char *pargnn_phase_name(pargnn_phase phase);

/* The kernels the dense products run on. On a CPU with AVX-512 pargnn runs the layers'
 * products on its own kernels (products "avx512"); elsewhere, and in the double build,
 * OpenBLAS does ("openblas"). OpenBLAS chooses its kernels by CPU model when it loads;
 * releases before 0.3.25 (Debian 12 has 0.3.21) give a model they do not know their
 * Prescott (SSE3) kernels whatever its instruction set, and its products then run several
 * times slower. advice is the OPENBLAS_CORETYPE value that gives this CPU kernels of its
 * own instruction set when that happened (with the variable unset, or set to a name
 * OpenBLAS did not take), OpenBLAS reads the variable (a DYNAMIC_ARCH build) and OpenBLAS
 * runs the layers' products; else NULL. advice_double is the same for OpenBLAS's double
 * products, which run on OpenBLAS on every CPU (the weight gradients of --reproducible),
 * whatever runs the float ones. */
typedef struct pargnn_blas_info {
    const char *core;     /* OpenBLAS's core name (openblas_get_corename), e.g. "SkylakeX" */
    const char *cpu;      /* what the CPU supports: "avx512", "avx2" or "generic" */
    const char *advice;   /* an OPENBLAS_CORETYPE value ("SkylakeX", "Haswell") or NULL */
    const char *products; /* what runs the layers' dense products: "avx512" or "openblas" */
    const char *advice_double; /* as advice, for OpenBLAS's double products */
} pargnn_blas_info;
PARGNN_API void pargnn_blas_get_info(pargnn_blas_info *info);

typedef struct pargnn_epoch_stats {
    int32_t epoch;              /* 1-based */
    double loss;                /* mean cross-entropy over training nodes (no L2 term) */
    double train_acc, val_acc, test_acc;
    double step_ms;             /* forward + backward + update */
    double eval_ms;
} pargnn_epoch_stats;

typedef struct pargnn_result {
    double test_acc;            /* at the epoch of best validation accuracy */
    double val_acc;             /* best validation accuracy */
    double train_acc;           /* at that epoch */
    int32_t best_epoch;         /* 1-based; 0 before any epoch ran */
    int32_t epochs_run;         /* epochs completed since the start of training */
    double epoch_ms;            /* median step time (forward, backward, update) */
    const double *loss_curve;   /* epochs_run values, owned by the trainer */
    int32_t threads;
    int32_t ranks;
    int stopped_early;
    double phase_ms[PARGNN_PHASE_COUNT]; /* per phase, the median over the timed steps */
} pargnn_result;

typedef int (*pargnn_progress_fn)(const pargnn_epoch_stats *stats, int32_t epochs_total,
                                  void *user);

PARGNN_API pargnn_status pargnn_trainer_create(const pargnn_dataset_t *ds,
                                               const pargnn_config *cfg,
                                               pargnn_trainer_t **out);
/* Distributed training over the ranks of comm: every rank passes the whole dataset; it is
 * partitioned (cfg.partition) and each rank keeps its part plus the halo it needs. A comm of
 * one process gives pargnn_trainer_create. Collective. */
PARGNN_API pargnn_status pargnn_trainer_create_dist(const pargnn_dataset_t *ds,
                                                    const pargnn_config *cfg,
                                                    pargnn_comm_t *comm,
                                                    pargnn_trainer_t **out);
/* The same from a folder written by pargnn_partition_write: each rank reads only its part
 * (the part count must equal the rank count). Collective. */
PARGNN_API pargnn_status pargnn_trainer_create_parts(const char *dir, const pargnn_config *cfg,
                                                     pargnn_comm_t *comm,
                                                     pargnn_trainer_t **out);
PARGNN_API void pargnn_trainer_free(pargnn_trainer_t *tr);

/* What pargnn_partition_write did: the partition's quality and balance. */
typedef struct pargnn_partition_report {
    int32_t parts;
    int fallback;                /* METIS could not be used: block partitioning instead */
    const char *note;            /* why (static string), or NULL */
    int64_t edge_cut;            /* undirected edges between parts */
    int64_t comm_volume;         /* halo rows received per exchange, summed over parts */
    int64_t max_halo;
    double node_imbalance, edge_imbalance, train_imbalance; /* max / mean over parts */
} pargnn_partition_report;
/* Offline partitioning: writes DIR/part-NNNNN.bin (owned ids, local adjacency over owned +
 * halo columns, global degrees, halo owners and send lists, features, labels, split rows of
 * the owned nodes, each with a crc32) and DIR/manifest.txt, one part at a time. */
PARGNN_API pargnn_status pargnn_partition_write(const pargnn_dataset_t *ds, int32_t parts,
                                                pargnn_partition_method method,
                                                pargnn_partition_objective objective,
                                                double imbalance, /* as partition_imbalance */
                                                uint64_t seed, const char *dir,
                                                pargnn_partition_report *report);
/* One epoch: a training step then evaluation on every split. */
PARGNN_API pargnn_status pargnn_trainer_epoch(pargnn_trainer_t *tr, pargnn_epoch_stats *stats);
/* Epochs until cfg.epochs, early stopping, or the callback returning non-zero. */
PARGNN_API pargnn_status pargnn_trainer_run(pargnn_trainer_t *tr, pargnn_progress_fn fn,
                                            void *user);
PARGNN_API void pargnn_trainer_result(const pargnn_trainer_t *tr, pargnn_result *res);
PARGNN_API const pargnn_config *pargnn_trainer_config(const pargnn_trainer_t *tr);

/* Checkpoints hold the weights, Adam moments, best weights, epoch, loss history,
 * hyperparameters and a checksum; written to a temporary file, then renamed. */
PARGNN_API pargnn_status pargnn_trainer_save(const pargnn_trainer_t *tr, const char *path);
/* Reads the hyperparameters stored in a checkpoint (to resume with the same ones). */
PARGNN_API pargnn_status pargnn_checkpoint_read_config(const char *path, pargnn_config *cfg);
/* Restores the state of a checkpoint into a trainer made with the same dataset shape and
 * hyperparameters; the message names the first field that does not match. */
PARGNN_API pargnn_status pargnn_trainer_resume(pargnn_trainer_t *tr, const char *path);

/* Writes the run's summary as JSON: accuracies, epochs, timings, loss curve, config. */
PARGNN_API pargnn_status pargnn_trainer_write_json(const pargnn_trainer_t *tr, const char *path);

/* Class probabilities (num_nodes x num_classes, row-major, malloc'ed, caller frees) from
 * the best weights stored in a checkpoint. */
PARGNN_API pargnn_status pargnn_predict(const char *checkpoint, const pargnn_dataset_t *ds,
                                        int32_t threads, float **probs, int32_t *num_classes);

#ifdef __cplusplus
}
#endif
#endif /* PARGNN_H */
