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

/* ------------------------------------------------------------------ config */

typedef enum pargnn_model_kind {
    PARGNN_MODEL_GCN = 0,
} pargnn_model_kind;

typedef enum pargnn_feature_norm {
    PARGNN_FEATURE_NORM_ROW = 0,  /* each feature row divided by its sum (Kipf & Welling) */
    PARGNN_FEATURE_NORM_NONE = 1,
} pargnn_feature_norm;

typedef enum pargnn_decay_scope {
    PARGNN_DECAY_SCOPE_FIRST = 0, /* L2 weight decay on the first layer's weights (the paper) */
    PARGNN_DECAY_SCOPE_ALL = 1,   /* on every layer's weights */
} pargnn_decay_scope;

typedef struct pargnn_config {
    pargnn_model_kind model;
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
} pargnn_config;

PARGNN_API void pargnn_config_default(pargnn_config *cfg);
/* Checks ranges; the message names the field (as its command-line flag). */
PARGNN_API pargnn_status pargnn_config_validate(const pargnn_config *cfg);
PARGNN_API const char *pargnn_model_name(pargnn_model_kind kind);

/* ----------------------------------------------------------------- trainer */

typedef struct pargnn_trainer pargnn_trainer_t;

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
} pargnn_result;

typedef int (*pargnn_progress_fn)(const pargnn_epoch_stats *stats, int32_t epochs_total,
                                  void *user);

PARGNN_API pargnn_status pargnn_trainer_create(const pargnn_dataset_t *ds,
                                               const pargnn_config *cfg,
                                               pargnn_trainer_t **out);
PARGNN_API void pargnn_trainer_free(pargnn_trainer_t *tr);
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
