/*
 * Distributed training set-up: partition (rank 0, broadcast), build each rank's part
 * (or read it from a part file), normalise its operator with the global degrees, wire the
 * halo exchange into the network, and the offline `pargnn partition` writer. Statuses are
 * agreed across ranks at every step where one rank may fail alone.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dist/comm.h"
#include "dist/halo.h"
#include "dist/local.h"
#include "dist/partition.h"
#include "train/trainer.h"

/* The operator of the owned rows, split into the rows without halo columns and the rest.
 * Rows keep their neighbours in global order (pg_local_build), so every row sums in one
 * process's order. GCN: one self-loop per row, placed by global id, value dinv_i dinv_j
 * with the global degrees of A + I (same arithmetic as pg_gcn_normalize); GAT: the same structure (values unused). Otherwise (SAGE, GIN) the structure of A with values 1
 * and no self-loop added (pg_adj_structure); the mean's row scales come later from the
 * owned row lengths (pg_prepared_scales), which are global degrees. */
static pargnn_status local_operator(const pg_local *l, pargnn_model_kind model, pg_csr *inner,
                                    pg_csr *outer) {
    const int gcn = model == PARGNN_MODEL_GCN || model == PARGNN_MODEL_GAT; /* A + I */
    const int64_t cols = l->n_own + l->n_halo;
    double *dinv = malloc((size_t)cols * sizeof *dinv);
    if (!dinv) return pg_error(PARGNN_STATUS_NO_MEMORY, "part operator: cannot allocate");
    for (int64_t i = 0; i < cols; i++) dinv[i] = 1.0 / sqrt((double)l->deg[i]);
    pg_csr *parts[2] = {inner, outer};
    const int64_t r0[2] = {0, l->n_inner}, r1[2] = {l->n_inner, l->n_own};
    for (int k = 0; k < 2; k++) {
        pg_csr *o = parts[k];
        memset(o, 0, sizeof *o);
        const int64_t rows = r1[k] - r0[k];
        int64_t nnz = 0;
        for (int64_t i = r0[k]; i < r1[k]; i++) {
            int has = 0;
            for (int64_t e = l->adj.rowptr[i]; e < l->adj.rowptr[i + 1]; e++) has |= l->adj.col[e] == i;
            nnz += l->adj.rowptr[i + 1] - l->adj.rowptr[i] + (gcn && !has);
        }
        o->nrows = rows;
        o->ncols = cols;
        o->nnz = nnz;
        o->rowptr = pg_alloc((size_t)rows + 1, sizeof(int64_t), "part operator");
        o->col = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(int32_t), "part operator");
        o->val = pg_alloc((size_t)(nnz > 0 ? nnz : 1), sizeof(pg_real), "part operator");
        if (!o->rowptr || !o->col || !o->val) {
            free(dinv);
            return PARGNN_STATUS_NO_MEMORY;
        }
        int64_t w = 0;
        for (int64_t i = r0[k]; i < r1[k]; i++) {
            o->rowptr[i - r0[k]] = w;
            int placed = !gcn; /* only GCN adds the self-loop */
            for (int64_t e = l->adj.rowptr[i]; e < l->adj.rowptr[i + 1]; e++) {
                int32_t j = l->adj.col[e];
                if (!placed && l->gid[j] >= l->gid[i]) { /* columns in global order */
                    o->col[w++] = (int32_t)i;
                    placed = 1;
                    if (j == i) continue;
                } else if (gcn && j == i) {
                    continue; /* placed already: one self-loop, as counted */
                }
                o->col[w++] = j;
            }
            if (!placed) o->col[w++] = (int32_t)i;
            for (int64_t e = o->rowptr[i - r0[k]]; e < w; e++)
                o->val[e] = gcn ? (pg_real)(dinv[i] * dinv[o->col[e]]) : 1;
        }
        o->rowptr[rows] = w;
    }
    free(dinv);
    return PARGNN_STATUS_OK;
}

/* Moves a built or read part into a prepared problem wired for the exchange. */
static pargnn_status prepare_from_local(pg_local *l, const char *name, const char *split,
                                        const pargnn_config *cfg, pg_comm *comm, pg_prepared *p) {
    memset(p, 0, sizeof *p);
    pargnn_status s;
    p->name = strdup(name ? name : "dataset");
    p->split_name = strdup(split ? split : "");
    if (!p->name || !p->split_name) return pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate");
    p->num_nodes = l->num_nodes;
    p->num_edges = l->num_edges;
    p->num_features = l->num_features;
    p->feat_nnz = l->feat_nnz;
    p->num_classes = l->num_classes;
    p->feat_sparse = l->feat_sparse;
    p->n_own = l->n_own;
    p->n_halo = l->n_halo;
    p->n_inner = l->n_inner;
    for (int k = 0; k < 3; k++) {
        p->split_total[k] = l->split_total[k];
        p->split_len[k] = l->split_len[k];
        p->split_idx[k] = l->split_idx[k];
        l->split_idx[k] = NULL;
    }
    p->labels = l->labels;
    l->labels = NULL;
    /* owned then halo rows: GAT's attention dropout is keyed by both ends of an edge */
    const size_t cols = (size_t)(l->n_own + l->n_halo);
    p->gid = malloc((cols > 0 ? cols : 1) * sizeof(int32_t));
    if (!p->gid) return pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate ids");
    memcpy(p->gid, l->gid, cols * sizeof(int32_t));
    if ((s = local_operator(l, cfg->model, &p->adj_inner, &p->adj_outer)))
        return s;
    p->owned_edges = p->adj_inner.nnz + p->adj_outer.nnz;
    const int64_t f = l->num_features;
    if (l->feat_sparse) {
        p->xcsr = l->feat_csr;
        memset(&l->feat_csr, 0, sizeof l->feat_csr);
        if (cfg->feature_norm == PARGNN_FEATURE_NORM_ROW)
            pg_row_normalise(p->xcsr.val, p->xcsr.rowptr, p->n_own, f);
        p->x.sparse = 1;
        p->x.csr = &p->xcsr;
    } else {
        p->xdense = l->feat;
        memset(&l->feat, 0, sizeof l->feat);
        if (cfg->feature_norm == PARGNN_FEATURE_NORM_ROW)
            pg_row_normalise(p->xdense.data, NULL, p->n_own, f);
        p->x.dense = p->xdense.data;
    }
    p->x.n = p->n_own;
    p->x.f = f;
    /* the widest row exchanged: features, a hidden layer (GAT: all its heads) or the
     * output layer (GAT: all its heads before the average) */
    int64_t max_f = f > cfg->hidden ? f : cfg->hidden;
    if (cfg->model == PARGNN_MODEL_GAT) {
        if ((int64_t)cfg->heads * cfg->hidden > max_f) max_f = (int64_t)cfg->heads * cfg->hidden;
        if ((int64_t)cfg->out_heads * l->num_classes > max_f) max_f = (int64_t)cfg->out_heads * l->num_classes;
    }
    if (l->num_classes > max_f) max_f = l->num_classes;
    p->halo = calloc(1, sizeof *p->halo);
    if (!p->halo) return pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate the halo plan");
    s = pg_halo_init(p->halo, comm, l->n_own, l->n_halo, l->nnbr, l->nbr, l->recv_cnt, l->send_cnt,
                     l->send_idx, max_f);
    l->nbr = NULL, l->recv_cnt = NULL, l->send_cnt = NULL, l->send_idx = NULL;
    if (s) return s;
    p->comm = comm;
    p->g.adj = NULL; /* only the two halves exist across processes */
    p->g.symmetric = 1;
    p->g.gid = p->gid;
    p->g.n_halo = p->n_halo;
    p->g.ex = &p->halo->ex;
    p->g.adj_inner = &p->adj_inner;
    p->g.adj_outer = &p->adj_outer;
    return PARGNN_STATUS_OK;
}

static pg_part_method method_of(pargnn_partition_method m) {
    return m == PARGNN_PARTITION_RANDOM ? PG_PART_RANDOM
         : m == PARGNN_PARTITION_BLOCK  ? PG_PART_BLOCK
                                        : PG_PART_METIS;
}

/* Node -> part map for the dataset (the caller frees). */
static pargnn_status make_partition(const pargnn_dataset_t *ds, int32_t nparts,
                                    pargnn_partition_method method,
                                    pargnn_partition_objective objective, double imbalance,
                                    uint64_t seed, int32_t **part_out, int *fallback,
                                    const char **note) {
    const int64_t n = ds->num_nodes;
    int32_t *part = malloc((size_t)n * sizeof *part);
    unsigned char *train = calloc((size_t)n, 1);
    if (!part || !train) {
        free(part), free(train);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "partition: cannot allocate");
    }
    for (int64_t k = 0; k < ds->split_len[PG_SPLIT_TRAIN]; k++) train[ds->split_idx[PG_SPLIT_TRAIN][k]] = 1;
    pargnn_status s = pg_partition(&ds->adj, nparts, method_of(method),
                                   objective == PARGNN_PARTITION_OBJECTIVE_VOL ? PG_PART_VOL : PG_PART_CUT,
                                   imbalance, train, seed, part, fallback, note);
    free(train);
    if (s) {
        free(part);
        return s;
    }
    *part_out = part;
    return PARGNN_STATUS_OK;
}

static pargnn_status check_dist_input(const pargnn_dataset_t *ds, const pargnn_config *cfg) {
    PG_TRY(pargnn_config_validate(cfg));
    PG_TRY(pg_dataset_validate(ds));
    if (!ds->labels)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: the dataset has no labels; training needs them", ds->name ? ds->name : "dataset");
    if (ds->directed)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: distributed training of a directed graph is not supported yet "
                        "(run it on one process, or load it with --undirected)",
                        ds->name ? ds->name : "dataset");
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_trainer_create_dist(const pargnn_dataset_t *ds, const pargnn_config *cfg,
                                         pargnn_comm_t *comm, pargnn_trainer_t **out) {
    *out = NULL;
    if (!comm || comm->size <= 1) return pargnn_trainer_create(ds, cfg, out);
    pargnn_status s = check_dist_input(ds, cfg);
    PG_TRY(pargnn_comm_agree(comm, s));
    pg_set_threads(cfg->threads);
    /* Rank 0 partitions; everyone gets its map (METIS is deterministic, but one copy of the
     * answer is cheaper than trusting that across machines). */
    const int64_t n = ds->num_nodes;
    int32_t *part = NULL;
    int fallback = 0;
    const char *note = NULL;
    if (comm->rank == 0)
        s = make_partition(ds, comm->size, cfg->partition, cfg->partition_objective,
                           cfg->partition_imbalance, cfg->seed, &part, &fallback, &note);
    else if (!(part = malloc((size_t)n * sizeof *part)))
        s = pg_error(PARGNN_STATUS_NO_MEMORY, "partition map: cannot allocate");
    if ((s = pargnn_comm_agree(comm, s))) {
        free(part);
        return s;
    }
    if ((s = pg_comm_bcast(comm, part, n * (int64_t)sizeof *part, 0))) {
        free(part);
        return s;
    }
    pg_local l;
    pg_prepared p;
    memset(&p, 0, sizeof p);
    s = pg_local_build(ds, part, comm->size, comm->rank, &l);
    free(part);
    if (!s) {
        s = prepare_from_local(&l, ds->name, ds->split_name, cfg, comm, &p);
        pg_local_free(&l);
        if (s) pg_prepared_free(&p);
    }
    if ((s = pargnn_comm_agree(comm, s))) {
        pg_prepared_free(&p);
        return s;
    }
    s = pg_trainer_create_prepared(&p, cfg, out);
    if ((s = pargnn_comm_agree(comm, s))) {
        pargnn_trainer_free(*out);
        *out = NULL;
        return s;
    }
    (*out)->partition_note = fallback ? note : NULL;
    return PARGNN_STATUS_OK;
}

/* -------------------------------------------------------------- part folders */

#define MANIFEST "manifest.txt"

static void part_path(char *buf, size_t size, const char *dir, int32_t k) {
    snprintf(buf, size, "%s/part-%05d.bin", dir, k);
}

pargnn_status pargnn_partition_write(const pargnn_dataset_t *ds, int32_t parts,
                                     pargnn_partition_method method,
                                     pargnn_partition_objective objective, double imbalance,
                                     uint64_t seed, const char *dir, pargnn_partition_report *rep) {
    memset(rep, 0, sizeof *rep);
    PG_TRY(pg_dataset_validate(ds));
    if (ds->directed)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: partitioning a directed graph is not supported yet", ds->name);
    if (!(imbalance >= PARGNN_PARTITION_IMBALANCE_MIN && imbalance <= PARGNN_PARTITION_IMBALANCE_MAX))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "--imbalance: %g is not in [%g, %g]", imbalance,
                        PARGNN_PARTITION_IMBALANCE_MIN, PARGNN_PARTITION_IMBALANCE_MAX);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return pg_error(PARGNN_STATUS_IO, "--out %s: cannot create: %s", dir, strerror(errno));
    int32_t *part = NULL;
    int fallback = 0;
    const char *note = NULL;
    PG_TRY(make_partition(ds, parts, method, objective, imbalance, seed, &part, &fallback, &note));
    unsigned char *train = calloc((size_t)ds->num_nodes, 1);
    if (!train) {
        free(part);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "partition: cannot allocate");
    }
    for (int64_t k = 0; k < ds->split_len[PG_SPLIT_TRAIN]; k++) train[ds->split_idx[PG_SPLIT_TRAIN][k]] = 1;
    pg_part_stats st;
    memset(&st, 0, sizeof st);
    pargnn_status s = pg_part_stats_compute(&ds->adj, part, parts, train, &st);
    free(train);
    char path[4200], tmp[4300];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, MANIFEST);
    FILE *mf = s ? NULL : fopen(tmp, "w");
    if (!s && !mf) s = pg_error(PARGNN_STATUS_IO, "%s: cannot create: %s", tmp, strerror(errno));
    if (!s)
        fprintf(mf, "pargnn-partitions 1\nparts %d\nmethod %s\nobjective %s\nimbalance %g\nseed %llu\n"
                    "nodes %lld\nedges %lld\nsplit %s\nname %s\n",
                parts, pg_part_method_name(method_of(method)),
                objective == PARGNN_PARTITION_OBJECTIVE_VOL ? "vol" : "cut", imbalance,
                (unsigned long long)seed, (long long)ds->num_nodes,
                (long long)ds->adj.nnz, ds->split_name ? ds->split_name : "", ds->name ? ds->name : "");
    for (int32_t k = 0; !s && k < parts; k++) {
        pg_local l;
        if ((s = pg_local_build(ds, part, parts, k, &l))) break;
        part_path(path, sizeof path, dir, k);
        s = pg_local_write(&l, path);
        if (!s)
            fprintf(mf, "part %d part-%05d.bin owned %lld inner %lld halo %lld edges %lld\n", k, k,
                    (long long)l.n_own, (long long)l.n_inner, (long long)l.n_halo, (long long)l.adj.nnz);
        pg_local_free(&l);
    }
    if (mf) {
        int bad = ferror(mf);
        bad |= fclose(mf) != 0;
        if (!s && bad) s = pg_error(PARGNN_STATUS_IO, "%s: write failed", tmp);
        snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
        if (!s && rename(tmp, path) != 0)
            s = pg_error(PARGNN_STATUS_IO, "%s: cannot rename: %s", path, strerror(errno));
        if (s) remove(tmp);
    }
    if (!s) {
        rep->parts = parts;
        rep->fallback = fallback;
        rep->note = note;
        rep->edge_cut = st.edge_cut;
        rep->comm_volume = st.comm_volume;
        rep->max_halo = st.max_halo;
        rep->node_imbalance = st.node_imbalance;
        rep->edge_imbalance = st.edge_imbalance;
        rep->train_imbalance = st.train_imbalance;
    }
    pg_part_stats_free(&st);
    free(part);
    return s;
}

static void copy_field(char *dst, size_t size, const char *src) {
    size_t k = strlen(src);
    if (k > size - 1) k = size - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

/* Reads the manifest's part count, dataset name and split name. */
static pargnn_status read_manifest(const char *dir, int32_t *parts, char *name, size_t name_size,
                                   char *split, size_t split_size) {
    char path[4200], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
    FILE *f = fopen(path, "r");
    if (!f)
        return pg_error(PARGNN_STATUS_IO, "--partitions %s: no %s (%s); write it with 'pargnn partition'",
                        dir, MANIFEST, strerror(errno));
    int version = 0;
    *parts = 0;
    name[0] = split[0] = '\0';
    int lineno = 0;
    pargnn_status s = PARGNN_STATUS_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1 && sscanf(line, "pargnn-partitions %d", &version) != 1) {
            s = pg_error(PARGNN_STATUS_BAD_INPUT, "%s:1: not a pargnn partition manifest", path);
            break;
        }
        if (strncmp(line, "parts ", 6) == 0 && sscanf(line + 6, "%d", parts) != 1) {
            s = pg_error(PARGNN_STATUS_BAD_INPUT, "%s:%d: bad part count", path, lineno);
            break;
        }
        if (strncmp(line, "name ", 5) == 0) copy_field(name, name_size, line + 5);
        if (strncmp(line, "split ", 6) == 0) copy_field(split, split_size, line + 6);
    }
    fclose(f);
    if (!s && version != 1)
        s = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: manifest version %d, this pargnn reads 1", path, version);
    if (!s && *parts < 1) s = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no 'parts' line", path);
    return s;
}

pargnn_status pargnn_trainer_create_parts(const char *dir, const pargnn_config *cfg,
                                          pargnn_comm_t *comm, pargnn_trainer_t **out) {
    *out = NULL;
    int32_t parts = 0;
    char name[4096], split[256];
    pargnn_status s = pargnn_config_validate(cfg);
    if (!s) s = read_manifest(dir, &parts, name, sizeof name, split, sizeof split);
    const int size = comm ? comm->size : 1, rank = comm ? comm->rank : 0;
    if (!s && parts != size)
        s = pg_error(PARGNN_STATUS_MISMATCH,
                     "--partitions %s holds %d parts but %d rank%s run: start %d ranks "
                     "(mpirun -np %d) or partition again with --parts %d",
                     dir, parts, size, size == 1 ? "" : "s", parts, parts, size);
    pg_local l;
    memset(&l, 0, sizeof l);
    char path[4200];
    if (!s) {
        part_path(path, sizeof path, dir, rank);
        s = pg_local_read(path, &l);
    }
    if (!s && (l.rank != rank || l.nparts != parts))
        s = pg_error(PARGNN_STATUS_CORRUPT, "%s: holds part %d of %d, expected %d of %d", path,
                     l.rank, l.nparts, rank, parts);
    if (s) pg_error_context("rank %d", rank);
    if (comm) s = pargnn_comm_agree(comm, s);
    if (s) {
        pg_local_free(&l);
        return s;
    }
    pg_set_threads(cfg->threads);
    pg_prepared p;
    s = prepare_from_local(&l, name, split, cfg, comm, &p);
    pg_local_free(&l);
    if (s) pg_prepared_free(&p);
    if (!s && size == 1) { /* one part, one process: nothing to exchange */
        pg_halo_free(p.halo);
        free(p.halo);
        p.halo = NULL;
        p.comm = NULL;
        p.g.ex = NULL;
        /* the whole operator is the two halves; with no halo all rows are inner */
        p.g.adj = &p.adj_inner;
    }
    if (comm) s = pargnn_comm_agree(comm, s);
    if (s) return s;
    s = pg_trainer_create_prepared(&p, cfg, out);
    if (comm) s = pargnn_comm_agree(comm, s);
    if (s) {
        pargnn_trainer_free(*out);
        *out = NULL;
    }
    return s;
}
