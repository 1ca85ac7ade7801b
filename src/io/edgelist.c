/*
 * SNAP-style edge lists ("src dst [weight]", '#'/'%' comments, blank- or comma-separated,
 * gzip or plain) with optional features ("id,v1,...,vF") and labels ("id,label") files keyed
 * by original id. Ids are any integers in [0, 2^63), renumbered in ascending order when they
 * are not exactly 0..n-1. Line reading and number parsing are io/reader.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/gen_common.h"
#include "io/load.h"
#include "io/reader.h"

/* Labels are class indices; one in the millions is a corrupt file, not a real class. */
#define PG_EL_MAX_CLASSES (1 << 20)
/* Per class of a random split: this many training and validation nodes at most. */
#define PG_EL_SPLIT_TRAIN 20
#define PG_EL_SPLIT_VALID 30

/* ------------------------------------------------------------ small vectors */

typedef struct vec {
    void *v;
    int64_t n, cap;
    size_t elem;
} vec;

/* Physical memory: no array read from a file may outgrow half of it (a gzip bomb or a
 * runaway file fails cleanly here instead of at the OOM killer). */
static int64_t memory_budget(void) {
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psz <= 0 || (int64_t)pages > INT64_MAX / psz) return INT64_MAX / 2;
    return (int64_t)pages * psz / 2;
}

static pargnn_status vec_grow(vec *a, const pg_reader *r, const char *what) {
    int64_t cap = a->cap ? 2 * a->cap : 4096;
    if (cap > INT64_MAX / (int64_t)a->elem || cap * (int64_t)a->elem > memory_budget())
        return pg_reader_error(r, PARGNN_STATUS_NO_MEMORY,
                               "too many %s: %lld of them would not fit in memory", what,
                               (long long)cap);
    void *p = realloc(a->v, (size_t)cap * a->elem);
    if (!p)
        return pg_reader_error(r, PARGNN_STATUS_NO_MEMORY, "cannot grow the %s to %lld", what,
                               (long long)cap);
    a->v = p;
    a->cap = cap;
    return PARGNN_STATUS_OK;
}

static pargnn_status push_i64(vec *a, int64_t x, const pg_reader *r, const char *what) {
    if (a->n == a->cap) PG_TRY(vec_grow(a, r, what));
    ((int64_t *)a->v)[a->n++] = x;
    return PARGNN_STATUS_OK;
}

static void vec_free(vec *a) {
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* ------------------------------------------------------------------ fields */

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Line of nothing but blanks, or a '#' / '%' comment. */
static int skip_line(const char *s, size_t len) {
    size_t p = 0;
    while (p < len && is_blank(s[p])) p++;
    return p == len || s[p] == '#' || s[p] == '%';
}

/* Field splitter: fields are separated by runs of blanks or by one comma (blanks around it
 * allowed). Returns 1 with the next field, 0 at the end of the line, -1 at an empty field
 * (",," or a comma at either end). */
typedef struct fields {
    const char *s;
    size_t len, pos;
    int after_comma;
} fields;

static int next_field(fields *f, const char **tok, size_t *tlen) {
    size_t p = f->pos;
    while (p < f->len && is_blank(f->s[p])) p++;
    if (p == f->len) {
        f->pos = p;
        return f->after_comma ? -1 : 0;
    }
    if (f->s[p] == ',') return -1;
    size_t b = p;
    while (p < f->len && !is_blank(f->s[p]) && f->s[p] != ',') p++;
    *tok = f->s + b;
    *tlen = p - b;
    while (p < f->len && is_blank(f->s[p])) p++;
    f->after_comma = p < f->len && f->s[p] == ',';
    if (f->after_comma) p++;
    f->pos = p;
    return 1;
}

static int64_t count_fields(const char *s, size_t len) {
    fields f = {s, len, 0, 0};
    const char *t;
    size_t tl;
    int64_t n = 0;
    int got;
    while ((got = next_field(&f, &t, &tl)) == 1) n++;
    return got < 0 ? -1 : n;
}

static pargnn_status empty_field(const pg_reader *r) {
    return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "empty field (two commas, or a comma at "
                                                       "the start or end of the line)");
}

/* ------------------------------------------------------------------ files */

/* The fields of one line: the first max of them in tok/tl, how many there are in *nf. */
static pargnn_status split_fields(const pg_reader *r, const char *line, size_t len, int64_t max,
                                  const char **tok, size_t *tl, int64_t *nf) {
    fields f = {line, len, 0, 0};
    const char *t;
    size_t l;
    int g;
    *nf = 0;
    while ((g = next_field(&f, &t, &l)) == 1) {
        if (*nf < max) tok[*nf] = t, tl[*nf] = l;
        (*nf)++;
    }
    return g < 0 ? empty_field(r) : PARGNN_STATUS_OK;
}

/* Calls each(r, line, len, ctx) on every line of path that is not blank or a comment,
 * until one returns an error. */
typedef pargnn_status (*line_fn)(const pg_reader *r, const char *line, size_t len, void *ctx);

static pargnn_status read_lines(const char *path, line_fn each, void *ctx) {
    pg_reader r;
    PG_TRY(pg_reader_open(&r, path));
    pargnn_status st = PARGNN_STATUS_OK;
    char *line;
    size_t len;
    int got;
    while ((got = pg_reader_next_line(&r, &line, &len)) == 1)
        if (!skip_line(line, len) && (st = each(&r, line, len, ctx))) break;
    if (got < 0) st = (pargnn_status)got;
    pg_reader_close(&r);
    return st;
}

/* Edges: ids into src/dst (int64 each), weights checked and dropped. ctx: vec *[2]. */
static pargnn_status edge_line(const pg_reader *r, const char *line, size_t len, void *ctx) {
    vec **out = ctx;
    const char *tok[3];
    size_t tl[3];
    int64_t nf;
    PG_TRY(split_fields(r, line, len, 3, tok, tl, &nf));
    if (nf < 2 || nf > 3)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "expected 2 or 3 columns (src dst [weight]), found %lld",
                               (long long)nf);
    int64_t s, d;
    float w;
    PG_TRY(pg_parse_int64(r, 1, tok[0], tl[0], 0, INT64_MAX, "node id", &s));
    PG_TRY(pg_parse_int64(r, 2, tok[1], tl[1], 0, INT64_MAX, "node id", &d));
    if (nf == 3) PG_TRY(pg_parse_float(r, 3, tok[2], tl[2], &w));
    PG_TRY(push_i64(out[0], s, r, "edges"));
    return push_i64(out[1], d, r, "edges");
}

static pargnn_status read_edges(const char *path, vec *src, vec *dst) {
    vec *out[2] = {src, dst};
    return read_lines(path, edge_line, out);
}

/* Features: one row "id,v1,...,vF" per node, F fixed by the first row. */
typedef struct feat_ctx {
    vec *ids, *lines, *vals;
    int64_t *width;
} feat_ctx;

static pargnn_status feature_line(const pg_reader *r, const char *line, size_t len, void *ctx) {
    feat_ctx *fc = ctx;
    int64_t *width = fc->width;
    int64_t nf = count_fields(line, len);
    if (nf < 0) return empty_field(r);
    if (*width == 0) {
        if (nf < 2)
            return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                                   "expected a node id and at least one feature value");
        if (nf - 1 > INT32_MAX)
            return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "%lld features, at most %d allowed",
                                   (long long)(nf - 1), INT32_MAX);
        *width = nf - 1;
    } else if (nf != *width + 1) {
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "expected %lld columns (id and %lld values, as on the first "
                               "row), found %lld",
                               (long long)(*width + 1), (long long)*width, (long long)nf);
    }
    fields f = {line, len, 0, 0};
    const char *t;
    size_t l;
    next_field(&f, &t, &l);
    int64_t id;
    PG_TRY(pg_parse_int64(r, 1, t, l, 0, INT64_MAX, "node id", &id));
    PG_TRY(push_i64(fc->ids, id, r, "feature rows"));
    PG_TRY(push_i64(fc->lines, r->line, r, "feature rows"));
    while (fc->vals->cap - fc->vals->n < *width) PG_TRY(vec_grow(fc->vals, r, "feature values"));
    pg_real *row = (pg_real *)fc->vals->v + fc->vals->n;
    for (int64_t c = 0; c < *width; c++) {
        next_field(&f, &t, &l);
        float v;
        PG_TRY(pg_parse_float(r, c + 2, t, l, &v));
        row[c] = (pg_real)v;
    }
    fc->vals->n += *width;
    return PARGNN_STATUS_OK;
}

static pargnn_status read_features(const char *path, vec *ids, vec *lines, vec *vals,
                                   int64_t *width) {
    feat_ctx fc = {ids, lines, vals, width};
    *width = 0;
    PG_TRY(read_lines(path, feature_line, &fc));
    if (ids->n == 0) return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no feature rows", path);
    return PARGNN_STATUS_OK;
}

/* Labels: "id,label" per node. ctx: vec *[3] (ids, lines, labels). */
static pargnn_status label_line(const pg_reader *r, const char *line, size_t len, void *ctx) {
    vec **out = ctx;
    const char *tok[2];
    size_t tl[2];
    int64_t nf;
    PG_TRY(split_fields(r, line, len, 2, tok, tl, &nf));
    if (nf != 2)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "expected 2 columns (id label), found %lld", (long long)nf);
    int64_t id, y;
    PG_TRY(pg_parse_int64(r, 1, tok[0], tl[0], 0, INT64_MAX, "node id", &id));
    PG_TRY(pg_parse_int64(r, 2, tok[1], tl[1], INT64_MIN, INT64_MAX, "label", &y));
    if (y < 0) return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT, "negative label %lld", (long long)y);
    if (y >= PG_EL_MAX_CLASSES)
        return pg_reader_error(r, PARGNN_STATUS_BAD_INPUT,
                               "label %lld is too large (at most %d classes)", (long long)y,
                               PG_EL_MAX_CLASSES);
    PG_TRY(push_i64(out[0], id, r, "labels"));
    PG_TRY(push_i64(out[1], r->line, r, "labels"));
    return push_i64(out[2], y, r, "labels");
}

static pargnn_status read_labels(const char *path, vec *ids, vec *lines, vec *labels) {
    vec *out[3] = {ids, lines, labels};
    PG_TRY(read_lines(path, label_line, out));
    if (ids->n == 0) return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no labels", path);
    return PARGNN_STATUS_OK;
}

/* ----------------------------------------------------------------- renumber */

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The node set: every id of the k arrays. Fills *n, and *orig (ascending original ids)
 * unless the ids are exactly 0..n-1. The mapping is rank in *orig, or the id itself. */
typedef struct idmap {
    int64_t n;
    int64_t *orig;   /* n ascending ids, or NULL (identity) */
    int32_t *dense;  /* id -> node for ids <= max_id, or NULL (then bsearch orig) */
    int64_t max_id;
} idmap;

static void idmap_free(idmap *m) {
    pg_free(m->orig);
    pg_free(m->dense);
    memset(m, 0, sizeof *m);
}

static int32_t idmap_get(const idmap *m, int64_t id) {
    if (!m->orig) return (int32_t)id;
    if (m->dense) return m->dense[id];
    const int64_t *p = bsearch(&id, m->orig, (size_t)m->n, sizeof *p, cmp_i64);
    return (int32_t)(p - m->orig);
}

static pargnn_status idmap_build(const char *path, const vec *const *arrs, int k, idmap *m) {
    memset(m, 0, sizeof *m);
    int64_t total = 0, max_id = -1;
    for (int a = 0; a < k; a++) {
        const int64_t *v = arrs[a]->v;
        total += arrs[a]->n;
        for (int64_t i = 0; i < arrs[a]->n; i++)
            if (v[i] > max_id) max_id = v[i];
    }
    if (total == 0) return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no edges and no nodes", path);
    m->max_id = max_id;
    if (max_id < INT32_MAX && max_id <= 4 * total + 4096) {
        /* Ids are small: mark them in a table indexed by id, then rank. */
        int32_t *t = pg_calloc((size_t)max_id + 1, sizeof(int32_t), "node id table");
        if (!t) return PARGNN_STATUS_NO_MEMORY;
        for (int a = 0; a < k; a++) {
            const int64_t *v = arrs[a]->v;
            for (int64_t i = 0; i < arrs[a]->n; i++) t[v[i]] = 1;
        }
        int64_t n = 0;
        for (int64_t id = 0; id <= max_id; id++) n += t[id];
        m->n = n;
        if (n == max_id + 1) { /* already 0..n-1 */
            pg_free(t);
            return PARGNN_STATUS_OK;
        }
        m->orig = pg_alloc((size_t)n, sizeof(int64_t), "original node ids");
        if (!m->orig) {
            pg_free(t);
            return PARGNN_STATUS_NO_MEMORY;
        }
        int64_t r = 0;
        for (int64_t id = 0; id <= max_id; id++)
            if (t[id]) {
                m->orig[r] = id;
                t[id] = (int32_t)r++;
            }
        m->dense = t;
        return PARGNN_STATUS_OK;
    }
    /* Sparse or huge ids: sort a copy and drop duplicates. */
    int64_t *all = pg_alloc((size_t)total, sizeof(int64_t), "node ids");
    if (!all) return PARGNN_STATUS_NO_MEMORY;
    int64_t w = 0;
    for (int a = 0; a < k; a++) {
        if (arrs[a]->n) memcpy(all + w, arrs[a]->v, (size_t)arrs[a]->n * sizeof(int64_t));
        w += arrs[a]->n;
    }
    qsort(all, (size_t)total, sizeof(int64_t), cmp_i64);
    int64_t n = 0;
    for (int64_t i = 0; i < total; i++)
        if (i == 0 || all[i] != all[i - 1]) all[n++] = all[i];
    if (n > (int64_t)INT32_MAX - 1) {
        pg_free(all);
        return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: %lld distinct node ids, at most %d allowed",
                        path, (long long)n, INT32_MAX - 1);
    }
    m->n = n;
    if (all[n - 1] == n - 1) { /* dense after all (cannot happen past the table path) */
        pg_free(all);
        return PARGNN_STATUS_OK;
    }
    m->orig = all;
    return PARGNN_STATUS_OK;
}

/* ------------------------------------------------------------------- build */

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

pargnn_status pg_csr_from_directed(int64_t n, int64_t m, const int32_t *src,
                                   const int32_t *dst, pg_csr *out) {
    memset(out, 0, sizeof *out);
    int64_t *rowptr = pg_calloc((size_t)n + 1, sizeof(int64_t), "adjacency row offsets");
    int32_t *col = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "adjacency columns");
    int64_t *fill = pg_alloc((size_t)n + 1, sizeof(int64_t), "adjacency fill cursor");
    if (!rowptr || !col || !fill) {
        pg_free(rowptr), pg_free(col), pg_free(fill);
        return PARGNN_STATUS_NO_MEMORY;
    }
    for (int64_t e = 0; e < m; e++) rowptr[dst[e] + 1]++;
    for (int64_t i = 0; i < n; i++) rowptr[i + 1] += rowptr[i];
    memcpy(fill, rowptr, ((size_t)n + 1) * sizeof(int64_t));
    for (int64_t e = 0; e < m; e++) col[fill[dst[e]]++] = src[e];
    int64_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t b = rowptr[i], e = rowptr[i + 1];
        qsort(col + b, (size_t)(e - b), sizeof(int32_t), cmp_i32);
        int64_t start = w;
        for (int64_t k = b; k < e; k++)
            if (k == b || col[k] != col[k - 1]) col[w++] = col[k];
        rowptr[i] = start;
    }
    rowptr[n] = w;
    pg_free(fill);
    out->nrows = out->ncols = n;
    out->nnz = w;
    out->rowptr = rowptr;
    out->col = col;
    return PARGNN_STATUS_OK;
}

/* Rows keyed by id into node order; every node exactly once. what: "feature row", "label". */
static pargnn_status check_keyed(const char *path, const idmap *m, const vec *ids,
                                 const vec *lines, int64_t *where, const char *what) {
    const int64_t *id = ids->v, *ln = lines->v;
    for (int64_t i = 0; i < m->n; i++) where[i] = -1;
    for (int64_t k = 0; k < ids->n; k++) {
        int32_t v = idmap_get(m, id[k]);
        if (where[v] >= 0)
            return pg_error(PARGNN_STATUS_BAD_INPUT, "%s:%lld: node id %lld has a second %s "
                                                     "(first on line %lld)",
                            path, (long long)ln[k], (long long)id[k], what,
                            (long long)ln[where[v]]);
        where[v] = k;
    }
    for (int64_t i = 0; i < m->n; i++)
        if (where[i] < 0)
            return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: node id %lld has no %s (every node of "
                                                     "the graph needs one)",
                            path, (long long)(m->orig ? m->orig[i] : i), what);
    return PARGNN_STATUS_OK;
}

/* Per class, a seeded shuffle: up to 20 train, 30 valid, the rest test (at least one
 * training node per class). Splits come out ascending. */
static pargnn_status random_split(pargnn_dataset_t *ds, uint64_t seed) {
    const int64_t n = ds->num_nodes;
    const int32_t C = ds->num_classes;
    int64_t *start = NULL;
    int32_t *members = NULL;
    unsigned char *part = pg_alloc((size_t)n, 1, "split assignment");
    pargnn_status st = PARGNN_STATUS_OK;
    if (!part) return PARGNN_STATUS_NO_MEMORY;
    if ((st = pg_group_by_class(ds->labels, n, C, &start, &members))) goto done;
    pg_rng_stream rs;
    pg_rng_stream_init(&rs, seed, PG_RNG_GENERATE, 0x53504c54u); /* "SPLT" */
    for (int32_t c = 0; c < C; c++) {
        int32_t *v = members + start[c];
        int64_t cnt = start[c + 1] - start[c];
        pg_shuffle_i32(&rs, v, cnt);
        int64_t tr = cnt / 3 < PG_EL_SPLIT_TRAIN ? cnt / 3 : PG_EL_SPLIT_TRAIN;
        if (tr == 0 && cnt > 0) tr = 1;
        int64_t va = (cnt - tr) / 2 < PG_EL_SPLIT_VALID ? (cnt - tr) / 2 : PG_EL_SPLIT_VALID;
        for (int64_t i = 0; i < cnt; i++)
            part[v[i]] = i < tr ? PG_SPLIT_TRAIN : i < tr + va ? PG_SPLIT_VALID : PG_SPLIT_TEST;
    }
    if ((st = pg_split_from_tags(ds, part))) goto done;
    if (!(ds->split_name = strdup("random20")))
        st = pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a name");
done:
    pg_free(start);
    pg_free(members);
    pg_free(part);
    return st;
}

typedef struct el_state {
    vec src, dst;                /* int64 ids, one per edge */
    vec fid, fline, fval;        /* feature rows: id, line, width values each */
    vec lid, lline, lval;        /* labels: id, line, class */
    idmap map;
    int32_t *s32, *d32;
    int64_t *where;
} el_state;

static void el_free(el_state *e) {
    vec_free(&e->src), vec_free(&e->dst);
    vec_free(&e->fid), vec_free(&e->fline), vec_free(&e->fval);
    vec_free(&e->lid), vec_free(&e->lline), vec_free(&e->lval);
    idmap_free(&e->map);
    pg_free(e->s32), pg_free(e->d32), pg_free(e->where);
}

static pargnn_status build(pargnn_dataset_t *ds, const char *path, const pargnn_load_options *o,
                           el_state *e) {
    int64_t width = 0;
    PG_TRY(read_edges(path, &e->src, &e->dst));
    if (o->features) PG_TRY(read_features(o->features, &e->fid, &e->fline, &e->fval, &width));
    if (o->labels) PG_TRY(read_labels(o->labels, &e->lid, &e->lline, &e->lval));
    const vec *arrs[4] = {&e->src, &e->dst, &e->fid, &e->lid};
    PG_TRY(idmap_build(path, arrs, 4, &e->map));
    const int64_t n = e->map.n, m = e->src.n;
    ds->num_nodes = n;
    ds->directed = !o->undirected;
    ds->orig_ids = e->map.orig; /* shared with the map until the end; the dataset owns it */
    e->s32 = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge sources");
    e->d32 = pg_alloc((size_t)(m > 0 ? m : 1), sizeof(int32_t), "edge targets");
    if (!e->s32 || !e->d32) return PARGNN_STATUS_NO_MEMORY;
    const int64_t *s64 = e->src.v, *d64 = e->dst.v;
    for (int64_t k = 0; k < m; k++) {
        e->s32[k] = idmap_get(&e->map, s64[k]);
        e->d32[k] = idmap_get(&e->map, d64[k]);
    }
    vec_free(&e->src), vec_free(&e->dst);
    PG_TRY(o->undirected ? pg_csr_from_undirected(n, m, e->s32, e->d32, &ds->adj)
                         : pg_csr_from_directed(n, m, e->s32, e->d32, &ds->adj));
    pg_free(e->s32), pg_free(e->d32);
    e->s32 = e->d32 = NULL;

    e->where = pg_alloc((size_t)n, sizeof(int64_t), "row positions");
    if (!e->where) return PARGNN_STATUS_NO_MEMORY;
    if (o->features) {
        PG_TRY(check_keyed(o->features, &e->map, &e->fid, &e->fline, e->where, "feature row"));
        PG_TRY(pg_mat_alloc(&ds->feat, n, width, 0, "node features"));
        const pg_real *v = e->fval.v;
        for (int64_t i = 0; i < n; i++)
            memcpy(ds->feat.data + i * width, v + e->where[i] * width,
                   (size_t)width * sizeof(pg_real));
        vec_free(&e->fval);
    } else { /* one constant feature: identity features would take n^2 */
        PG_TRY(pg_mat_alloc(&ds->feat, n, 1, 0, "node features"));
        for (int64_t i = 0; i < n; i++) ds->feat.data[i] = 1;
    }
    PG_TRY(pg_dataset_finish_features(ds));
    if (o->labels) {
        PG_TRY(check_keyed(o->labels, &e->map, &e->lid, &e->lline, e->where, "label"));
        ds->labels = pg_alloc((size_t)n, sizeof(int32_t), "node labels");
        if (!ds->labels) return PARGNN_STATUS_NO_MEMORY;
        const int64_t *y = e->lval.v;
        int64_t max_label = 0;
        for (int64_t i = 0; i < n; i++) {
            ds->labels[i] = (int32_t)y[e->where[i]];
            if (y[e->where[i]] > max_label) max_label = y[e->where[i]];
        }
        ds->num_classes = (int32_t)(max_label + 1);
        PG_TRY(random_split(ds, o->split_seed));
    }
    return pg_dataset_validate(ds);
}

pargnn_status pg_edgelist_load(const char *path, const pargnn_load_options *opt,
                               pargnn_dataset_t **out) {
    *out = NULL;
    pargnn_dataset_t *ds = pg_dataset_new();
    if (!ds) return PARGNN_STATUS_NO_MEMORY;
    el_state e;
    memset(&e, 0, sizeof e);
    e.src.elem = e.dst.elem = e.fid.elem = e.fline.elem = sizeof(int64_t);
    e.lid.elem = e.lline.elem = e.lval.elem = sizeof(int64_t);
    e.fval.elem = sizeof(pg_real);
    pargnn_status st = (ds->name = strdup(path)) ? build(ds, path, opt, &e)
                                                 : pg_error(PARGNN_STATUS_NO_MEMORY,
                                                            "cannot allocate a name");
    if (ds->orig_ids) e.map.orig = NULL; /* owned by the dataset */
    el_free(&e);
    if (st != PARGNN_STATUS_OK) {
        pargnn_dataset_free(ds);
        return st;
    }
    *out = ds;
    return PARGNN_STATUS_OK;
}
