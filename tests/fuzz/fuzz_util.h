/*
 * Helpers shared by the libFuzzer targets: a private scratch folder and whole-file writes.
 * Header-only so each target stays one translation unit; aborts only on harness failures.
 */
#ifndef PG_FUZZ_UTIL_H
#define PG_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char fz_dir[256];

/* A fresh folder under $TMPDIR or /tmp, removed at exit by the caller's cleanup (a fuzz
 * run is one process, so one folder). */
static void fz_make_dir(const char *tag) {
    const char *t = getenv("TMPDIR");
    snprintf(fz_dir, sizeof fz_dir, "%s/pargnn-fuzz-%s-XXXXXX", t && *t ? t : "/tmp", tag);
    if (!mkdtemp(fz_dir)) {
        perror("mkdtemp");
        abort();
    }
}

static void fz_write(const char *rel, const void *data, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir, rel);
    /* parents, one level at a time */
    for (char *s = path + strlen(fz_dir) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0777);
            *s = '/';
        }
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static void fz_write_str(const char *rel, const char *text) { fz_write(rel, text, strlen(text)); }

static const char *fz_path(const char *rel) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir, rel);
    return path;
}

/* The intact tiny OGB dataset the targets start from: 4 nodes, 3 edges, 2 features. */
static const char *const fz_ogb_files[8][2] = {
    {"raw/num-node-list.csv", "4\n"},
    {"raw/num-edge-list.csv", "3\n"},
    {"raw/edge.csv", "0,1\n1,2\n2,3\n"},
    {"raw/node-feat.csv", "1,0\n0,1\n1,1\n0.5,0\n"},
    {"raw/node-label.csv", "0\n1\n0\n1\n"},
    {"split/s/train.csv", "0\n1\n"},
    {"split/s/valid.csv", "2\n"},
    {"split/s/test.csv", "3\n"},
};

__attribute__((unused)) static void fz_write_ogb(const char *sub) {
    char rel[256];
    for (int k = 0; k < 8; k++) {
        snprintf(rel, sizeof rel, "%s/%s", sub, fz_ogb_files[k][0]);
        fz_write_str(rel, fz_ogb_files[k][1]);
    }
}

#endif
