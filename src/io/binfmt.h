/*
 * pargnn's binary dataset format: a versioned, checksummed, memory-mappable file that
 * reloads a dataset without parsing. The layout is documented in io/binfmt.c and README.md.
 */
#ifndef PG_IO_BINFMT_H
#define PG_IO_BINFMT_H

#include <stddef.h>

#include "core/dataset.h"

#define PG_BIN_MAGIC "PARGNNDS"   /* 8 bytes, no NUL */
#define PG_BIN_MAGIC_LEN 8
#define PG_BIN_VERSION 1u

/* Whether the first bytes of a file are the binary format's magic (used by the dispatch
 * to tell it from an edge list). */
int pg_bin_has_magic(const void *head, size_t len);
/* Whether the file at path starts with the magic (0 when it cannot be read). */
int pg_bin_file_has_magic(const char *path);

/* Maps path and points the dataset's arrays into the mapping (zero copy; the double build
 * converts the features). split: NULL, or the name of the one split the file holds.
 * Refuses foreign, truncated, corrupt or inconsistent files (PARGNN_STATUS_CORRUPT or
 * BAD_INPUT) with a message naming the file and the section. */
pargnn_status pg_bin_load(const char *path, const char *split, pargnn_dataset_t **out);

#endif
