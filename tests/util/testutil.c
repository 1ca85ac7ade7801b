/*
 * Implementation of the test harness in testutil.h.
 */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int pg_test_failures = 0;
int pg_test_checks = 0;
static char pg_tmp[4096];

void pg_test_check_status(pargnn_status got, pargnn_status want, const char *needle,
                          const char *file, int line, const char *expr) {
    pg_test_checks++;
    const char *msg = pargnn_last_error();
    if (got != want) {
        pg_test_failures++;
        fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); message: %s\n", file, line,
                expr, got, pargnn_status_str(got), want, pargnn_status_str(want), msg);
        return;
    }
    if (want != PARGNN_STATUS_OK && needle && !strstr(msg, needle)) {
        pg_test_failures++;
        fprintf(stderr, "%s:%d: %s: message \"%s\" lacks \"%s\"\n", file, line, expr, msg, needle);
    }
}

const char *pg_test_tmpdir(void) {
    if (pg_tmp[0]) return pg_tmp;
    const char *base = getenv("TMPDIR");
    snprintf(pg_tmp, sizeof pg_tmp, "%s/pargnn-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(pg_tmp)) {
        perror("mkdtemp");
        exit(1);
    }
    return pg_tmp;
}

static void mkdirs_for(char *path) {
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) perror(path);
            *p = '/';
        }
}

void pg_test_write_file(const char *dir, const char *rel, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    mkdirs_for(path);
    size_t len = strlen(rel);
    if (len > 3 && strcmp(rel + len - 3, ".gz") == 0) {
        gzFile g = gzopen(path, "wb");
        unsigned n = (unsigned)strlen(text);
        if (!g || (n > 0 && gzwrite(g, text, n) != (int)n) || gzclose(g) != Z_OK) {
            fprintf(stderr, "cannot write %s\n", path);
            exit(1);
        }
    } else {
        FILE *f = fopen(path, "wb");
        if (!f) {
            perror(path);
            exit(1);
        }
        if (fputs(text, f) == EOF && *text) {
            perror(path);
            exit(1);
        }
        if (fclose(f) != 0) {
            perror(path);
            exit(1);
        }
    }
}

const char *pg_test_dataset(const char *name) {
    static char path[4096];
    const char *root = getenv("PARGNN_DATASETS");
    if (!root || !*root) root = "../shared/datasets";
    snprintf(path, sizeof path, "%s/%s", root, name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return path;
}

void pg_test_skip(const char *why) {
    printf("SKIP: %s\n", why);
    fflush(stdout);
    exit(77);
}

int pg_test_finish(void) {
    if (pg_tmp[0]) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg_tmp);
        if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", pg_tmp);
    }
    printf("%d checks, %d failed\n", pg_test_checks, pg_test_failures);
    return pg_test_failures ? 1 : 0;
}

pargnn_dataset_t *pg_test_sbm(int64_t nodes, int64_t features, double avg_degree,
                              double homophily, uint64_t seed) {
    pargnn_sbm_params p;
    pargnn_sbm_params_default(&p);
    p.num_nodes = nodes;
    p.num_features = features;
    p.avg_degree = avg_degree;
    p.homophily = homophily;
    p.seed = seed;
    pargnn_dataset_t *ds = NULL;
    CHECK_STATUS(pargnn_generate_sbm(&p, &ds), PARGNN_STATUS_OK, NULL);
    return ds;
}

pargnn_trainer_t *pg_test_train(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                pargnn_result *r) {
    pargnn_trainer_t *tr = NULL;
    if (r) memset(r, 0, sizeof *r);
    CHECK_STATUS(pargnn_trainer_create(ds, cfg, &tr), PARGNN_STATUS_OK, NULL);
    if (!tr) return NULL;
    pargnn_status s = pargnn_trainer_run(tr, NULL, NULL);
    CHECK_STATUS(s, PARGNN_STATUS_OK, NULL);
    if (s != PARGNN_STATUS_OK) {
        pargnn_trainer_free(tr);
        return NULL;
    }
    if (r) pargnn_trainer_result(tr, r);
    return tr;
}

double pg_test_uniform(unsigned long long *state, double lo, double hi) {
    /* splitmix64 */
    unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return lo + (hi - lo) * (double)(z >> 11) * (1.0 / 9007199254740992.0);
}
