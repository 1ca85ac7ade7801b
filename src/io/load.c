/*
 * pargnn_dataset_load(_ex): decides what a dataset path holds (OGB folder, binary file,
 * edge list) and hands it to that format's loader. Parsing lives in the loaders.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io/binfmt.h"
#include "io/load.h"

void pargnn_load_options_default(pargnn_load_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->format = PARGNN_FORMAT_AUTO;
}

static const char *format_name(pargnn_format f) {
    switch (f) {
    case PARGNN_FORMAT_AUTO: return "auto";
    case PARGNN_FORMAT_OGB: return "ogb";
    case PARGNN_FORMAT_BIN: return "bin";
    case PARGNN_FORMAT_EDGELIST: return "edgelist";
    }
    return "?";
}

pargnn_status pargnn_dataset_load_ex(const char *path, const pargnn_load_options *opt,
                                     pargnn_dataset_t **out) {
    if (!out) return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset load: out is NULL");
    *out = NULL;
    pargnn_load_options def;
    if (!opt) {
        pargnn_load_options_default(&def);
        opt = &def;
    }
    if (!path || !*path)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset load: no path given");
    if ((int)opt->format < PARGNN_FORMAT_AUTO || (int)opt->format > PARGNN_FORMAT_EDGELIST)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT, "dataset load: unknown format %d",
                        (int)opt->format);
    struct stat st;
    if (stat(path, &st) != 0)
        return pg_error(PARGNN_STATUS_IO, "%s: %s", path,
                        errno == ENOENT ? "no such folder or file" : strerror(errno));
    const int is_dir = S_ISDIR(st.st_mode);
    pargnn_format f = opt->format;
    if (f == PARGNN_FORMAT_AUTO) {
        /* A regular file starting with the binary format's magic is that format; any
         * other regular file is an edge list. */
        f = is_dir ? PARGNN_FORMAT_OGB
            : pg_bin_file_has_magic(path) ? PARGNN_FORMAT_BIN : PARGNN_FORMAT_EDGELIST;
    }
    const int edge_only = opt->features || opt->labels || opt->undirected;
    if (f != PARGNN_FORMAT_EDGELIST && edge_only)
        return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                        "%s: --features, --labels and --undirected apply to edge lists, not to "
                        "the %s format", path, format_name(f));
    switch (f) {
    case PARGNN_FORMAT_OGB:
        if (!is_dir)
            return pg_error(PARGNN_STATUS_IO, "%s: not a folder (the OGB layout is a folder)",
                            path);
        return pg_ogb_load(path, opt->split, out);
    case PARGNN_FORMAT_EDGELIST:
        if (is_dir)
            return pg_error(PARGNN_STATUS_IO, "%s: is a folder, not an edge list file", path);
        if (opt->split)
            return pg_error(PARGNN_STATUS_INVALID_ARGUMENT,
                            "%s: --split names a scheme of an OGB folder; an edge list gets a "
                            "seeded random split from its labels", path);
        return pg_edgelist_load(path, opt, out);
    case PARGNN_FORMAT_BIN:
        if (is_dir)
            return pg_error(PARGNN_STATUS_IO, "%s: is a folder, not a binary dataset file", path);
        return pg_bin_load(path, opt->split, out);
    case PARGNN_FORMAT_AUTO: break;
    }
    return pg_error(PARGNN_STATUS_INTERNAL, "dataset load: format not resolved");
}

pargnn_status pargnn_dataset_load(const char *dir, const char *split, pargnn_dataset_t **out) {
    pargnn_load_options opt;
    pargnn_load_options_default(&opt);
    opt.split = split;
    return pargnn_dataset_load_ex(dir, &opt, out);
}
