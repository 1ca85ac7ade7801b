/*
 * The dataset flags every command that loads data shares (--data, --split, --format,
 * --undirected, --features, --labels): their choice list and their translation into
 * pargnn_load_options. Loading itself is the library's.
 */
#include <string.h>

#include "cmdline.h"

/* In the order of pargnn_format's values. */
const char *const cl_format_names[] = {"auto", "ogb", "bin", "edgelist", NULL};

void cl_data_load_options(const cl_data_opts *d, pargnn_load_options *o) {
    pargnn_load_options_default(o);
    o->format = (pargnn_format)d->format;
    o->split = d->split;
    o->undirected = d->undirected;
    o->features = d->features;
    o->labels = d->labels;
}

pargnn_status cl_data_load(const cl_data_opts *d, pargnn_dataset_t **out) {
    pargnn_load_options o;
    cl_data_load_options(d, &o);
    return pargnn_dataset_load_ex(d->data, &o, out);
}
