/*
 * Times pargnn_dataset_load on one path: WARMUP untimed loads, then REPEATS timed ones;
 * prints one CSV line "path,repeats,median_s,min_s,max_s,nodes,edges". The counts are
 * checked outside the timed region. Built by bench/data_scale.sh against libpargnn.a.
 * Usage: load_time PATH REPEATS WARMUP
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pargnn.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PATH REPEATS WARMUP\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int reps = atoi(argv[2]), warm = atoi(argv[3]);
    if (reps < 1 || reps > 1000 || warm < 0) return 2;
    double *t = malloc((size_t)reps * sizeof *t);
    pargnn_dataset_info first = {0};
    for (int r = -warm; r < reps; r++) {
        pargnn_dataset_t *ds = NULL;
        double t0 = now_s();
        pargnn_status st = pargnn_dataset_load(path, NULL, &ds);
        double t1 = now_s();
        if (st != PARGNN_STATUS_OK) {
            fprintf(stderr, "load_time: %s\n", pargnn_last_error());
            return 1;
        }
        pargnn_dataset_info in;
        pargnn_dataset_get_info(ds, &in);
        if (r == -warm) first = in;
        if (in.num_nodes != first.num_nodes || in.num_edges != first.num_edges) {
            fprintf(stderr, "load_time: loads disagree\n");
            return 1;
        }
        pargnn_dataset_free(ds);
        if (r >= 0) t[r] = t1 - t0;
        fprintf(stderr, "load_time: %s: %.3f s%s\n", path, t1 - t0, r < 0 ? " (warm-up)" : "");
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_d);
    printf("%s,%d,%.4f,%.4f,%.4f,%lld,%lld\n", path, reps, t[reps / 2], t[0], t[reps - 1],
           (long long)first.num_nodes, (long long)first.num_edges);
    free(t);
    return 0;
}
