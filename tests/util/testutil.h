/*
 * Tiny test harness: CHECK macros that count failures, scratch directories, dataset
 * lookup and skipping. A test's main ends with `return pg_test_finish();`, which exits
 * non-zero when any check failed.
 */
#ifndef PG_TESTUTIL_H
#define PG_TESTUTIL_H

#include <stdio.h>
#include <string.h>

#include "pargnn.h"

extern int pg_test_failures;
extern int pg_test_checks;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        pg_test_checks++;                                                               \
        if (!(cond)) {                                                                  \
            pg_test_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                               \
    } while (0)

#define CHECK_MSG(cond, ...)                                                            \
    do {                                                                                \
        pg_test_checks++;                                                               \
        if (!(cond)) {                                                                  \
            pg_test_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
        }                                                                               \
    } while (0)

/* Expects status `want` from expr; on a failure status, the last error must contain
 * `needle` (NULL: any message). */
#define CHECK_STATUS(expr, want, needle)                                                \
    pg_test_check_status((expr), (want), (needle), __FILE__, __LINE__, #expr)

void pg_test_check_status(pargnn_status got, pargnn_status want, const char *needle,
                          const char *file, int line, const char *expr);

/* A fresh directory under $TMPDIR (or /tmp), removed by pg_test_finish. */
const char *pg_test_tmpdir(void);
/* Writes text to dir/rel (creating parent folders); gzip when rel ends in ".gz". */
void pg_test_write_file(const char *dir, const char *rel, const char *text);
/* $PARGNN_DATASETS/name, or NULL when that folder does not exist. The path lives in a
 * static buffer that the next call overwrites. */
const char *pg_test_dataset(const char *name);
/* Prints "SKIP: why" and exits 77 (CTest's skip code for our tests). */
void pg_test_skip(const char *why) __attribute__((noreturn));
/* Prints a summary, removes scratch space, returns the exit code. */
int pg_test_finish(void);

/* An SBM dataset with the default class count (4), checked to generate; NULL on failure
 * (already counted). */
pargnn_dataset_t *pg_test_sbm(int64_t nodes, int64_t features, double avg_degree,
                              double homophily, uint64_t seed);
/* Creates a trainer for ds and runs it, checking both calls; fills *r (when r is not NULL)
 * from the finished run. Returns the trainer, which owns r->loss_curve (free it with
 * pargnn_trainer_free), or NULL on failure (counted; *r is then zeroed). */
pargnn_trainer_t *pg_test_train(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                pargnn_result *r);

/* Deterministic uniform doubles in [lo, hi) for random test inputs. */
double pg_test_uniform(unsigned long long *state, double lo, double hi);

#endif
