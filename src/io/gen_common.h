/*
 * Parts shared by the synthetic generators (io/generate.c, io/rmat.c) and the edge-list
 * loader's random split (io/edgelist.c): parameter checks, grouping nodes by class, the
 * per-class shuffle and ascending split lists. The random draws themselves stay with each.
 */
#ifndef PG_IO_GEN_COMMON_H
#define PG_IO_GEN_COMMON_H

#include "core/dataset.h"
#include "core/rng.h"

/* The generators' split: per class, this many training and validation nodes, the rest test. */
#define PG_GEN_TRAIN_PER_CLASS 20
#define PG_GEN_VALID_PER_CLASS 30

/* The checks both generators make, in this order, with messages naming the CLI flags:
 * classes in [2, 65536], nodes in [100 per class, INT32_MAX - 1], avg_degree in
 * [0, max_degree] and below nodes (degree_range: how the message states that range),
 * features in [1, 2^20], homophily in [0, 1]. */
pargnn_status pg_gen_check_params(int num_classes, int64_t num_nodes, double avg_degree,
                                  double max_degree, const char *degree_range,
                                  int64_t num_features, double homophily);

/* Refuses dense features of more than 64 GB (num_nodes x num_features reals). */
pargnn_status pg_gen_check_feature_bytes(int64_t num_nodes, int64_t num_features);

/* A new dataset with this name, the generators' split name "random20", num_nodes n,
 * num_classes C and room for n labels; NULL (status NO_MEMORY set) when out of memory. */
pargnn_dataset_t *pg_gen_dataset_new(const char *name, int64_t n, int32_t C);

/* Nodes grouped by class: *start (C + 1 offsets) and *members (n ids, ascending within a
 * class; class c holds members[start[c] .. start[c+1])). Free both with pg_free, also on
 * failure (then either may be NULL). labels: (n), each in [0, C). */
pargnn_status pg_group_by_class(const int32_t *labels, int64_t n, int64_t C, int64_t **start,
                                int32_t **members);

/* Every class must hold at least PG_GEN_TRAIN_PER_CLASS + PG_GEN_VALID_PER_CLASS + 1
 * nodes; otherwise "--nodes: class C <verb> only K nodes; ...". start: (C + 1) offsets. */
pargnn_status pg_gen_check_class_sizes(const int64_t *start, int64_t C, const char *verb);

/* Fisher-Yates from the back: a[0..k) in a uniform order drawn from rng. */
void pg_shuffle_i32(pg_rng_stream *rng, int32_t *a, int64_t k);

/* Fills ds->split_idx / split_len from tag[i] in {PG_SPLIT_TRAIN, VALID, TEST} for each of
 * the ds->num_nodes nodes: ids come out ascending, as the loaders produce them. */
pargnn_status pg_split_from_tags(pargnn_dataset_t *ds, const unsigned char *tag);

#endif
