/*
 * The distributed part of the JSON report: per-rank sizes, bytes and times gathered to
 * rank 0, and their totals (comm_bytes, halo_nodes, imbalance, comm and wait times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dist/comm.h"
#include "dist/halo.h"
#include "train/trainer.h"

enum { F_OWNED, F_INNER, F_HALO, F_EDGES, F_BYTES, F_STEP, F_COMM, F_WAIT, F_RSS, F_COUNT };

/* Peak resident memory of this process so far, in MiB (Linux reports KiB). */
static double peak_rss_mib(void) {
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : 0;
}

pargnn_status pg_dist_gather_stats(const pargnn_trainer_t *tr, double **out) {
    *out = NULL;
    const pg_prepared *p = &tr->prep;
    const int size = p->comm ? p->comm->size : 1, rank = p->comm ? p->comm->rank : 0;
    double mine[F_COUNT] = {(double)p->n_own, (double)p->n_inner, (double)p->n_halo,
                            (double)p->owned_edges, (double)tr->comm_bytes_epoch,
                            pg_median(tr->step_ms, tr->step_count, 1),
                            pg_median(tr->comm_ms, tr->step_count, 1),
                            pg_median(tr->wait_ms, tr->step_count, 1), peak_rss_mib()};
    double *all = rank == 0 ? malloc((size_t)size * F_COUNT * sizeof *all) : NULL;
    if (rank == 0 && !all) return pg_error(PARGNN_STATUS_NO_MEMORY, "json: cannot allocate");
    double dummy[F_COUNT];
    pargnn_status s = pg_comm_gather_f64(p->comm, mine, F_COUNT, all ? all : dummy, 0);
    if (s) {
        free(all);
        return s;
    }
    *out = all;
    return PARGNN_STATUS_OK;
}

void pg_dist_json_write(FILE *f, const pargnn_trainer_t *tr, const double *all) {
    const pg_prepared *p = &tr->prep;
    const int size = p->comm ? p->comm->size : 1;
    double bytes = 0, halo = 0, edges_max = 0, edges_sum = 0, comm_max = 0, wait_max = 0;
    double rss_max = 0;
    for (int r = 0; r < size; r++) {
        const double *v = all + r * F_COUNT;
        bytes += v[F_BYTES];
        halo += v[F_HALO];
        edges_sum += v[F_EDGES];
        if (v[F_EDGES] > edges_max) edges_max = v[F_EDGES];
        if (v[F_COMM] > comm_max) comm_max = v[F_COMM];
        if (v[F_WAIT] > wait_max) wait_max = v[F_WAIT];
        if (v[F_RSS] > rss_max) rss_max = v[F_RSS];
    }
    fprintf(f, "  \"comm_bytes\": %.0f,\n  \"halo_nodes\": %.0f,\n  \"imbalance\": %.6f,\n", bytes,
            halo, edges_sum > 0 ? edges_max / (edges_sum / size) : 1.0);
    fprintf(f, "  \"comm_ms\": %.6f,\n  \"wait_ms\": %.6f,\n  \"peak_rss_mib\": %.1f,\n", comm_max,
            wait_max, rss_max);
    if (tr->partition_note) fprintf(f, "  \"partition_note\": \"%s\",\n", tr->partition_note);
    fputs("  \"per_rank\": [", f);
    for (int r = 0; r < size; r++) {
        const double *v = all + r * F_COUNT;
        fprintf(f,
                "%s\n    {\"rank\": %d, \"owned_nodes\": %.0f, \"inner_nodes\": %.0f, "
                "\"halo_nodes\": %.0f, \"edges\": %.0f, \"bytes_sent\": %.0f, \"step_ms\": %.6f, "
                "\"comm_ms\": %.6f, \"wait_ms\": %.6f, \"peak_rss_mib\": %.1f}",
                r ? "," : "", r, v[F_OWNED], v[F_INNER], v[F_HALO], v[F_EDGES], v[F_BYTES],
                v[F_STEP], v[F_COMM], v[F_WAIT], v[F_RSS]);
    }
    fputs("\n  ],\n", f);
}
