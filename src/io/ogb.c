/*
 * Loader and writer for the Open Graph Benchmark raw node-property layout: gzip'ed or plain
 * CSV under DIR/raw and DIR/split/SCHEME. Line reading and token parsing live in
 * io/reader.c; the structural check of the finished dataset in core/dataset.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/dataset.h"
#include "io/load.h"
#include "io/reader.h"

/* Labels are class indices; one in the millions is a corrupt file, not a real class. */
#define PG_MAX_CLASSES (1 << 20)

/* malloc'ed formatted string; NULL (with the error set) when out of memory. */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) {
        pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a path");
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static pargnn_status open_csv(pg_reader *r, const char *dir, const char *name) {
    memset(r, 0, sizeof *r);
    char *base = strf("%s/%s", dir, name);
    if (!base) return PARGNN_STATUS_NO_MEMORY;
    pargnn_status st = pg_reader_open_csv(r, base);
    free(base);
    return st;
}

/* Reads to the end to learn how many lines the file really has (for a count mismatch). */
static pargnn_status next_or_end(pg_reader *r, char **line, size_t *len, int *got) {
    *got = pg_reader_next_line(r, line, len);
    return *got < 0 ? (pargnn_status)*got : PARGNN_STATUS_OK;
}

/* ------------------------------------------------------------------ load */

/* A file holding one integer in [lo, hi] on one line (num-node-list, num-edge-list). */
static pargnn_status read_count(const char *raw, const char *name, int64_t lo, int64_t hi,
                                const char *what, int64_t *out, char **path_out) {
    pg_reader r;
    PG_TRY(open_csv(&r, raw, name));
    char *line;
    size_t len;
    int got;
    int64_t v = 0;
    pargnn_status st = next_or_end(&r, &line, &len, &got);
    if (st == PARGNN_STATUS_OK && got == 0)
        st = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: empty file, expected the %s", r.path, what);
    if (st == PARGNN_STATUS_OK) st = pg_parse_int_row(&r, line, len, 1, lo, hi, what, &v);
    if (st == PARGNN_STATUS_OK) st = next_or_end(&r, &line, &len, &got);
    if (st == PARGNN_STATUS_OK && got > 0)
        st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT, "expected a single line with the %s",
                             what);
    if (st == PARGNN_STATUS_OK && path_out) {
        *path_out = strdup(r.path);
        if (!*path_out) st = pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a path");
    }
    pg_reader_close(&r);
    if (st == PARGNN_STATUS_OK) *out = v;
    return st;
}

static pargnn_status line_count_error(const pg_reader *r, int64_t lines, int64_t n) {
    return pg_error(PARGNN_STATUS_BAD_INPUT, "%s: %lld line%s, expected one per node (%lld)",
                    r->path, (long long)lines, lines == 1 ? "" : "s", (long long)n);
}

/* The arrays sized by a count from another file are allocated only when this file can
 * hold that many lines; otherwise every line is still parsed (to report the first bad one,
 * or the real line count) but nothing is stored. */
static pargnn_status read_labels(const char *raw, pargnn_dataset_t *ds) {
    const int64_t n = ds->num_nodes;
    pg_reader r;
    PG_TRY(open_csv(&r, raw, "node-label"));
    int32_t *labels = NULL;
    pargnn_status st = PARGNN_STATUS_OK;
    if (pg_reader_may_hold(&r, n, 2)) {
        labels = pg_alloc((size_t)n, sizeof(int32_t), "node labels");
        if (!labels) st = PARGNN_STATUS_NO_MEMORY;
    }
    int64_t k = 0, max_label = -1;
    char *line;
    size_t len;
    int got = 1;
    while (st == PARGNN_STATUS_OK && (st = next_or_end(&r, &line, &len, &got)) == PARGNN_STATUS_OK &&
           got) {
        int64_t v;
        st = pg_parse_int_row(&r, line, len, 1, INT64_MIN, INT64_MAX, "label", &v);
        if (st != PARGNN_STATUS_OK) break;
        if (v < 0) {
            st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT, "negative label %lld", (long long)v);
            break;
        }
        if (v >= PG_MAX_CLASSES) {
            st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT,
                                 "label %lld is too large (at most %d classes)", (long long)v,
                                 PG_MAX_CLASSES);
            break;
        }
        if (labels && k < n) labels[k] = (int32_t)v;
        if (v > max_label) max_label = v;
        k++;
    }
    if (st == PARGNN_STATUS_OK && k != n) st = line_count_error(&r, k, n);
    if (st == PARGNN_STATUS_OK && !labels)
        st = pg_error(PARGNN_STATUS_INTERNAL, "%s: %lld lines fit in a file too small for them",
                      r.path, (long long)k);
    pg_reader_close(&r);
    if (st != PARGNN_STATUS_OK) {
        pg_free(labels);
        return st;
    }
    ds->labels = labels;
    ds->num_classes = (int32_t)(max_label + 1);
    return PARGNN_STATUS_OK;
}

static pargnn_status read_edges(const char *raw, int64_t n, int64_t m, const char *m_path,
                                pg_csr *adj) {
    pg_reader r;
    PG_TRY(open_csv(&r, raw, "edge"));
    int32_t *src = NULL, *dst = NULL;
    pargnn_status st = PARGNN_STATUS_OK;
    if (pg_reader_may_hold(&r, m, 4)) { /* "0,0\n" */
        src = pg_alloc((size_t)m, sizeof(int32_t), "edge sources");
        dst = pg_alloc((size_t)m, sizeof(int32_t), "edge targets");
        if (!src || !dst) st = PARGNN_STATUS_NO_MEMORY;
    }
    int64_t k = 0;
    char *line;
    size_t len;
    int got = 1;
    while (st == PARGNN_STATUS_OK && (st = next_or_end(&r, &line, &len, &got)) == PARGNN_STATUS_OK &&
           got) {
        int64_t e[2];
        st = pg_parse_int_row(&r, line, len, 2, 0, n - 1, "node id", e);
        if (st != PARGNN_STATUS_OK) break;
        if (src && k < m) {
            src[k] = (int32_t)e[0];
            dst[k] = (int32_t)e[1];
        }
        k++;
    }
    if (st == PARGNN_STATUS_OK && k != m)
        st = pg_error(PARGNN_STATUS_BAD_INPUT, "%s has %lld line%s but %s says %lld edges", r.path,
                      (long long)k, k == 1 ? "" : "s", m_path, (long long)m);
    if (st == PARGNN_STATUS_OK && !src)
        st = pg_error(PARGNN_STATUS_INTERNAL, "%s: %lld lines fit in a file too small for them",
                      r.path, (long long)k);
    pg_reader_close(&r);
    if (st == PARGNN_STATUS_OK) st = pg_csr_from_undirected(n, m, src, dst, adj);
    pg_free(src);
    pg_free(dst);
    return st;
}

static pargnn_status read_features(const char *raw, pargnn_dataset_t *ds) {
    const int64_t n = ds->num_nodes;
    pg_reader r;
    PG_TRY(open_csv(&r, raw, "node-feat"));
    char *line;
    size_t len;
    int got;
    pg_real *scratch = NULL;
    pargnn_status st = next_or_end(&r, &line, &len, &got);
    if (st == PARGNN_STATUS_OK && got == 0)
        st = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: empty file, expected one line per node (%lld)",
                      r.path, (long long)n);
    if (st == PARGNN_STATUS_OK && len == 0)
        st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT, "empty line");
    int64_t width = st == PARGNN_STATUS_OK ? pg_count_fields(line, len) : 0;
    if (st == PARGNN_STATUS_OK && width > INT32_MAX) /* columns are int32 in CSR */
        st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT, "%lld columns, at most %d allowed",
                             (long long)width, INT32_MAX);
    if (st == PARGNN_STATUS_OK) {
        scratch = pg_alloc((size_t)width, sizeof(pg_real), "feature row");
        if (!scratch) st = PARGNN_STATUS_NO_MEMORY;
    }
    /* Every value takes at least two bytes ("0," or "0\n"). */
    if (st == PARGNN_STATUS_OK && pg_reader_may_hold(&r, n, 2 * width))
        st = pg_mat_alloc(&ds->feat, n, width, 0, "node features");
    int64_t k = 0;
    while (st == PARGNN_STATUS_OK && got) {
        pg_real *row = ds->feat.data && k < n ? ds->feat.data + k * width : scratch;
        st = pg_parse_real_row(&r, line, len, width, row);
        if (st != PARGNN_STATUS_OK) break;
        k++;
        st = next_or_end(&r, &line, &len, &got);
    }
    if (st == PARGNN_STATUS_OK && k != n) st = line_count_error(&r, k, n);
    if (st == PARGNN_STATUS_OK && !ds->feat.data)
        st = pg_error(PARGNN_STATUS_INTERNAL, "%s: %lld lines fit in a file too small for them",
                      r.path, (long long)k);
    pg_reader_close(&r);
    pg_free(scratch);
    if (st == PARGNN_STATUS_OK) st = pg_dataset_finish_features(ds);
    if (st != PARGNN_STATUS_OK) pg_mat_free(&ds->feat);
    return st;
}

/* ---- split schemes ---- */

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sub-folders of splitdir (hidden ones skipped), sorted. */
static pargnn_status list_schemes(const char *splitdir, name_list *out) {
    memset(out, 0, sizeof *out);
    DIR *d = opendir(splitdir);
    if (!d)
        return pg_error(errno == ENOENT ? PARGNN_STATUS_BAD_INPUT : PARGNN_STATUS_IO,
                        "%s: no split scheme (%s)", splitdir,
                        errno == ENOENT ? "no such folder" : strerror(errno));
    pargnn_status st = PARGNN_STATUS_OK;
    struct dirent *e;
    while (st == PARGNN_STATUS_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *full = strf("%s/%s", splitdir, e->d_name);
        if (!full) {
            st = PARGNN_STATUS_NO_MEMORY;
            break;
        }
        int dir = is_dir(full);
        free(full);
        if (!dir) continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 8;
            char **v = realloc(out->v, cap * sizeof *v);
            if (!v) {
                st = pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot list", splitdir);
                break;
            }
            out->v = v;
            out->cap = cap;
        }
        if (!(out->v[out->n] = strdup(e->d_name))) {
            st = pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot list", splitdir);
            break;
        }
        out->n++;
    }
    closedir(d);
    if (st != PARGNN_STATUS_OK) {
        names_free(out);
        return st;
    }
    if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return PARGNN_STATUS_OK;
}

/* "a, b, c" into buf (cut short when long). */
static const char *join_names(const name_list *l, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n && used + 1 < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", l->v[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
    return l->n ? buf : "none";
}

static pargnn_status choose_split(const char *dir, const char *split, char **name) {
    *name = NULL;
    char *splitdir = strf("%s/split", dir);
    if (!splitdir) return PARGNN_STATUS_NO_MEMORY;
    name_list l;
    char names[512];
    pargnn_status st = PARGNN_STATUS_OK;
    if (split) {
        if (!*split || strchr(split, '/') || !strcmp(split, ".") || !strcmp(split, "..")) {
            st = pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                          "split scheme \"%s\" is not a folder name", split);
        } else {
            char *path = strf("%s/%s", splitdir, split);
            if (!path) {
                st = PARGNN_STATUS_NO_MEMORY;
            } else if (is_dir(path)) {
                if (!(*name = strdup(split)))
                    st = pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a name");
            } else if ((st = list_schemes(splitdir, &l)) == PARGNN_STATUS_OK) {
                st = pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                              "%s: no split scheme \"%s\"; available: %s", splitdir, split,
                              join_names(&l, names, sizeof names));
                names_free(&l);
            }
            free(path);
        }
    } else if ((st = list_schemes(splitdir, &l)) == PARGNN_STATUS_OK) {
        if (l.n == 0) {
            st = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: no split scheme", splitdir);
        } else if (l.n > 1) {
            st = pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                          "several split schemes under %s: %s; choose one with --split", splitdir,
                          join_names(&l, names, sizeof names));
        } else {
            *name = l.v[0];
            l.v[0] = NULL;
        }
        names_free(&l);
    }
    free(splitdir);
    return st;
}

typedef struct split_entry {
    int64_t line;
    int32_t id;
} split_entry;

static int cmp_entry(const void *a, const void *b) {
    const split_entry *x = a, *y = b;
    if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
    return (x->line > y->line) - (x->line < y->line);
}

/* One of train/valid/test: node ids, sorted ascending, each at most once. */
static pargnn_status read_split(const char *sdir, const char *part, int64_t n, int32_t **idx,
                                int64_t *count) {
    pg_reader r;
    PG_TRY(open_csv(&r, sdir, part));
    split_entry *e = NULL;
    int64_t k = 0, cap = 0;
    char *line;
    size_t len;
    int got = 1;
    pargnn_status st;
    while ((st = next_or_end(&r, &line, &len, &got)) == PARGNN_STATUS_OK && got) {
        int64_t v;
        st = pg_parse_int_row(&r, line, len, 1, 0, n - 1, "node id", &v);
        if (st != PARGNN_STATUS_OK) break;
        if (k == n) {
            st = pg_reader_error(&r, PARGNN_STATUS_BAD_INPUT,
                                 "more ids than nodes (%lld): some are repeated", (long long)n);
            break;
        }
        if (k == cap) {
            int64_t nc = cap ? 2 * cap : 1024;
            if (nc > n) nc = n;
            split_entry *ne = realloc(e, (size_t)nc * sizeof *e);
            if (!ne) {
                st = pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate %lld ids", r.path,
                              (long long)nc);
                break;
            }
            e = ne;
            cap = nc;
        }
        e[k].line = r.line;
        e[k].id = (int32_t)v;
        k++;
    }
    if (st == PARGNN_STATUS_OK && k == 0)
        st = pg_error(PARGNN_STATUS_BAD_INPUT, "%s: empty split", r.path);
    if (st == PARGNN_STATUS_OK) {
        qsort(e, (size_t)k, sizeof *e, cmp_entry);
        for (int64_t i = 1; i < k; i++)
            if (e[i].id == e[i - 1].id) {
                st = pg_error(PARGNN_STATUS_BAD_INPUT,
                              "%s:%lld: node id %d repeated (first on line %lld)", r.path,
                              (long long)e[i].line, e[i].id, (long long)e[i - 1].line);
                break;
            }
    }
    int32_t *out = NULL;
    if (st == PARGNN_STATUS_OK) {
        out = pg_alloc((size_t)k, sizeof(int32_t), "split ids");
        if (!out) st = PARGNN_STATUS_NO_MEMORY;
        for (int64_t i = 0; out && i < k; i++) out[i] = e[i].id;
    }
    free(e);
    pg_reader_close(&r);
    if (st != PARGNN_STATUS_OK) return st;
    *idx = out;
    *count = k;
    return PARGNN_STATUS_OK;
}

static pargnn_status load_into(pargnn_dataset_t *ds, const char *dir, const char *split) {
    pargnn_status st;
    char *raw = strf("%s/raw", dir), *m_path = NULL, *sdir = NULL;
    if (!raw) return PARGNN_STATUS_NO_MEMORY;
    int64_t n = 0, m = 0;
    /* Small files first: a bad count or label is reported before parsing the features. */
    st = read_count(raw, "num-node-list", 1, (int64_t)INT32_MAX - 1, "number of nodes", &n, NULL);
    if (st == PARGNN_STATUS_OK)
        st = read_count(raw, "num-edge-list", 0, INT64_MAX / 16, "number of edges", &m, &m_path);
    ds->num_nodes = n;
    if (st == PARGNN_STATUS_OK) st = read_labels(raw, ds);
    if (st == PARGNN_STATUS_OK) st = read_edges(raw, n, m, m_path, &ds->adj);
    if (st == PARGNN_STATUS_OK) st = read_features(raw, ds);
    if (st == PARGNN_STATUS_OK) st = choose_split(dir, split, &ds->split_name);
    if (st == PARGNN_STATUS_OK && !(sdir = strf("%s/split/%s", dir, ds->split_name)))
        st = PARGNN_STATUS_NO_MEMORY;
    for (int s = 0; s < 3 && st == PARGNN_STATUS_OK; s++)
        st = read_split(sdir, pg_split_names[s], n, &ds->split_idx[s], &ds->split_len[s]);
    if (st == PARGNN_STATUS_OK) st = pg_dataset_validate(ds);
    free(raw);
    free(m_path);
    free(sdir);
    return st;
}

pargnn_status pg_ogb_load(const char *dir, const char *split, pargnn_dataset_t **out) {
    if (!out) return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset load: out is NULL");
    *out = NULL;
    if (!dir || !*dir)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset load: no folder given");
    struct stat st_dir;
    if (stat(dir, &st_dir) != 0)
        return pg_error(PARGNN_STATUS_IO, "%s: %s", dir,
                        errno == ENOENT ? "no such folder" : strerror(errno));
    if (!S_ISDIR(st_dir.st_mode))
        return pg_error(PARGNN_STATUS_IO, "%s: not a folder", dir);
    pargnn_dataset_t *ds = pg_dataset_new();
    if (!ds) return PARGNN_STATUS_NO_MEMORY;
    /* Trailing slashes would only double up in every message. */
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    ds->name = strndup(dir, len);
    pargnn_status st = ds->name ? load_into(ds, ds->name, split)
                                : pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a name");
    if (st != PARGNN_STATUS_OK) {
        pargnn_dataset_free(ds);
        return st;
    }
    *out = ds;
    return PARGNN_STATUS_OK;
}

/* ----------------------------------------------------------------- write */

/* A gzip'ed file written under a temporary name and renamed into place on commit, so a
 * failure never leaves a partial file under the real name. */
typedef struct gz_out {
    char *path, *tmp;
    gzFile gz;
    char *buf;
    size_t len, cap;
} gz_out;

static void out_abort(gz_out *w) {
    if (w->gz) gzclose(w->gz);
    if (w->tmp) unlink(w->tmp);
    free(w->path);
    free(w->tmp);
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static pargnn_status out_open(gz_out *w, const char *path) {
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    w->tmp = strf("%s.tmp.%ld", path, (long)getpid());
    w->cap = (size_t)1 << 20;
    w->buf = malloc(w->cap);
    if (!w->path || !w->tmp || !w->buf) {
        out_abort(w);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", path);
    }
    int fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        pargnn_status st = pg_error(PARGNN_STATUS_IO, "%s: cannot create: %s", w->tmp,
                                    strerror(errno));
        free(w->tmp); /* nothing to unlink */
        w->tmp = NULL;
        out_abort(w);
        return st;
    }
    /* Level 1: feature files are hundreds of MB of mostly "0,", which level 1 packs nearly
     * as tightly as the default at several times the speed. */
    w->gz = gzdopen(fd, "wb1");
    if (!w->gz) {
        close(fd);
        out_abort(w);
        return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot set up zlib", path);
    }
    gzbuffer(w->gz, 1u << 20);
    return PARGNN_STATUS_OK;
}

static pargnn_status out_flush(gz_out *w) {
    if (w->len == 0) return PARGNN_STATUS_OK;
    if (gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len) {
        int errnum;
        const char *msg = gzerror(w->gz, &errnum);
        return pg_error(PARGNN_STATUS_IO, "%s: write error: %s", w->tmp,
                        errnum == Z_ERRNO ? strerror(errno) : msg);
    }
    w->len = 0;
    return PARGNN_STATUS_OK;
}

/* Room for `more` bytes at buf + len. */
static pargnn_status out_reserve(gz_out *w, size_t more) {
    if (w->len + more <= w->cap) return PARGNN_STATUS_OK;
    PG_TRY(out_flush(w));
    if (more > w->cap) {
        char *nb = realloc(w->buf, more);
        if (!nb) return pg_error(PARGNN_STATUS_NO_MEMORY, "%s: cannot allocate", w->path);
        w->buf = nb;
        w->cap = more;
    }
    return PARGNN_STATUS_OK;
}

static pargnn_status out_commit(gz_out *w) {
    pargnn_status st = out_flush(w);
    if (st == PARGNN_STATUS_OK) {
        int rc = gzclose(w->gz);
        w->gz = NULL;
        if (rc != Z_OK)
            st = pg_error(PARGNN_STATUS_IO, "%s: write error: %s", w->tmp,
                          rc == Z_ERRNO ? strerror(errno) : "zlib failed");
    }
    if (st == PARGNN_STATUS_OK && rename(w->tmp, w->path) != 0)
        st = pg_error(PARGNN_STATUS_IO, "%s: cannot rename to %s: %s", w->tmp, w->path,
                      strerror(errno));
    if (st == PARGNN_STATUS_OK) {
        free(w->tmp); /* renamed away: nothing to unlink */
        w->tmp = NULL;
    }
    out_abort(w);
    return st;
}

static size_t fmt_i64(char *out, int64_t v) {
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t k = 0;
    if (v < 0) out[k++] = '-';
    while (n) out[k++] = tmp[--n];
    return k;
}

/* Shortest decimal that strtof maps back to f (at most 16 characters). Integers print
 * without a decimal point. If some k-digit decimal rounds to f, the nearest one (%.kg)
 * does, and %g drops trailing zeros, so trying 6..9 digits gives the shortest. */
static size_t fmt_float(char *out, float f) {
    if (f == 0) {
        if (signbit(f)) {
            memcpy(out, "-0", 2);
            return 2;
        }
        out[0] = '0';
        return 1;
    }
    if (fabsf(f) <= 16777216.0f && f == (float)(int32_t)f) return fmt_i64(out, (int32_t)f);
    char tmp[32];
    int n = 0;
    for (int p = 6; p <= 9; p++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", p, (double)f);
        if (strtof(tmp, NULL) == f) break;
    }
    memcpy(out, tmp, (size_t)n);
    return (size_t)n;
}

#define PG_NUM_MAX 24 /* bytes one formatted number plus a separator can take */

static pargnn_status put_i64(gz_out *w, int64_t v, char sep) {
    PG_TRY(out_reserve(w, PG_NUM_MAX));
    w->len += fmt_i64(w->buf + w->len, v);
    w->buf[w->len++] = sep;
    return PARGNN_STATUS_OK;
}

static pargnn_status make_dir(const char *path) {
    if (is_dir(path)) return PARGNN_STATUS_OK;
    if (mkdir(path, 0777) == 0 || (errno == EEXIST && is_dir(path))) return PARGNN_STATUS_OK;
    return pg_error(PARGNN_STATUS_IO, "%s: cannot create folder: %s", path, strerror(errno));
}

/* mkdir -p: the parents' own errors surface as the last mkdir's. */
static pargnn_status make_dirs(const char *path) {
    char *p = strdup(path);
    if (!p) return pg_error(PARGNN_STATUS_NO_MEMORY, "cannot allocate a path");
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (!is_dir(p)) mkdir(p, 0777);
            *s = '/';
        }
    pargnn_status st = make_dir(p);
    free(p);
    return st;
}

typedef pargnn_status (*write_body_fn)(gz_out *w, const pargnn_dataset_t *ds, int part);

static pargnn_status write_file(const char *dir, const char *name, write_body_fn body,
                                const pargnn_dataset_t *ds, int part) {
    char *path = strf("%s/%s.csv.gz", dir, name);
    if (!path) return PARGNN_STATUS_NO_MEMORY;
    gz_out w;
    pargnn_status st = out_open(&w, path);
    free(path);
    if (st != PARGNN_STATUS_OK) return st;
    st = body(&w, ds, part);
    if (st == PARGNN_STATUS_OK) return out_commit(&w);
    out_abort(&w);
    return st;
}

static int64_t undirected_edges(const pg_csr *a) {
    int64_t m = 0;
    for (int64_t i = 0; i < a->nrows; i++)
        for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) m += a->col[k] >= i;
    return m;
}

static pargnn_status body_num_nodes(gz_out *w, const pargnn_dataset_t *ds, int part) {
    return put_i64(w, ds->num_nodes, '\n');
}

static pargnn_status body_num_edges(gz_out *w, const pargnn_dataset_t *ds, int part) {
    return put_i64(w, undirected_edges(&ds->adj), '\n');
}

/* Each undirected edge once, src <= dst, from the symmetric CSR. */
static pargnn_status body_edges(gz_out *w, const pargnn_dataset_t *ds, int part) {
    const pg_csr *a = &ds->adj;
    for (int64_t i = 0; i < a->nrows; i++)
        for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++)
            if (a->col[k] >= i) {
                PG_TRY(put_i64(w, i, ','));
                PG_TRY(put_i64(w, a->col[k], '\n'));
            }
    return PARGNN_STATUS_OK;
}

static pargnn_status body_labels(gz_out *w, const pargnn_dataset_t *ds, int part) {
    for (int64_t i = 0; i < ds->num_nodes; i++) PG_TRY(put_i64(w, ds->labels[i], '\n'));
    return PARGNN_STATUS_OK;
}

static pargnn_status body_split(gz_out *w, const pargnn_dataset_t *ds, int part) {
    for (int64_t k = 0; k < ds->split_len[part]; k++)
        PG_TRY(put_i64(w, ds->split_idx[part][k], '\n'));
    return PARGNN_STATUS_OK;
}

/* Dense or sparse, one full row per node: the OGB layout has no sparse form. Values go out
 * as floats, the precision the loader reads back (a double build loses digits here). */
static pargnn_status body_features(gz_out *w, const pargnn_dataset_t *ds, int part) {
    const int64_t n = ds->num_nodes, f = ds->num_features;
    const pg_csr *a = &ds->feat_csr;
    for (int64_t i = 0; i < n; i++) {
        const pg_real *row = ds->feat_sparse ? NULL : ds->feat.data + i * f;
        int64_t k = ds->feat_sparse ? a->rowptr[i] : 0, kend = ds->feat_sparse ? a->rowptr[i + 1] : 0;
        for (int64_t j = 0; j < f; j++) {
            pg_real v = 0;
            if (row) {
                v = row[j];
            } else if (k < kend && a->col[k] == j) {
                v = a->val ? a->val[k] : 1;
                k++;
            }
            if (!isfinite(v))
                return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                                "%s: feature %lld of node %lld is not finite", w->path,
                                (long long)j, (long long)i);
            PG_TRY(out_reserve(w, PG_NUM_MAX));
            w->len += fmt_float(w->buf + w->len, (float)v);
            w->buf[w->len++] = j + 1 < f ? ',' : '\n';
        }
    }
    return PARGNN_STATUS_OK;
}

static pargnn_status check_writable(const pargnn_dataset_t *ds, const char *split) {
    if (!*split || strchr(split, '/') || !strcmp(split, ".") || !strcmp(split, ".."))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "write dataset: split name \"%s\" is not a folder name", split);
    if (ds->num_nodes <= 0 || ds->adj.nrows != ds->num_nodes || !ds->adj.rowptr || !ds->labels)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "write dataset: incomplete dataset");
    if (ds->feat_sparse ? (!ds->feat_csr.rowptr || ds->feat_csr.nrows != ds->num_nodes ||
                           ds->feat_csr.ncols != ds->num_features)
                        : (!ds->feat.data || ds->feat.rows != ds->num_nodes ||
                           ds->feat.cols != ds->num_features))
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "write dataset: features do not match %lld nodes x %lld features",
                        (long long)ds->num_nodes, (long long)ds->num_features);
    return PARGNN_STATUS_OK;
}

pargnn_status pargnn_dataset_write_ogb(const pargnn_dataset_t *ds, const char *dir) {
    if (!ds || !dir || !*dir)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "write dataset: no dataset or folder");
    const char *split = ds->split_name ? ds->split_name : "default";
    PG_TRY(check_writable(ds, split));
    /* What cannot be loaded back is not written. */
    PG_TRY(pg_dataset_validate(ds));
    char *raw = strf("%s/raw", dir), *sdir = strf("%s/split/%s", dir, split);
    pargnn_status st = raw && sdir ? PARGNN_STATUS_OK : PARGNN_STATUS_NO_MEMORY;
    if (st == PARGNN_STATUS_OK) st = make_dirs(raw);
    if (st == PARGNN_STATUS_OK) st = make_dirs(sdir);
    if (st == PARGNN_STATUS_OK) st = write_file(raw, "num-node-list", body_num_nodes, ds, 0);
    if (st == PARGNN_STATUS_OK) st = write_file(raw, "num-edge-list", body_num_edges, ds, 0);
    if (st == PARGNN_STATUS_OK) st = write_file(raw, "edge", body_edges, ds, 0);
    if (st == PARGNN_STATUS_OK) st = write_file(raw, "node-label", body_labels, ds, 0);
    if (st == PARGNN_STATUS_OK) st = write_file(raw, "node-feat", body_features, ds, 0);
    for (int s = 0; s < 3 && st == PARGNN_STATUS_OK; s++)
        st = write_file(sdir, pg_split_names[s], body_split, ds, s);
    free(raw);
    free(sdir);
    return st;
}
