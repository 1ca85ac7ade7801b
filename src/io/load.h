/*
 * The loaders behind pargnn_dataset_load_ex, one per input format, and the dispatch that
 * picks one (io/load.c). Each returns a validated dataset or an error naming file and line.
 */
#ifndef PG_IO_LOAD_H
#define PG_IO_LOAD_H

#include "core/dataset.h"

/* OGB raw layout folder (io/ogb.c); split NULL = the only scheme present. */
pargnn_status pg_ogb_load(const char *dir, const char *split, pargnn_dataset_t **out);

/* SNAP-style edge list file plus optional features and labels files (io/edgelist.c); see
 * pargnn_load_options in pargnn.h for the format. */
pargnn_status pg_edgelist_load(const char *path, const pargnn_load_options *opt,
                               pargnn_dataset_t **out);

/* Builds a CSR from directed edges src[e] -> dst[e], ids in [0, n): row i lists the sources
 * of the edges into i, sorted, duplicates dropped (a self-loop kept once). */
pargnn_status pg_csr_from_directed(int64_t n, int64_t m, const int32_t *src,
                                   const int32_t *dst, pg_csr *out);

#endif
