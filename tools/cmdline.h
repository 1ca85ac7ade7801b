/*
 * The command-line flag parser shared by every pargnn subcommand, and the subcommands'
 * entry points. It only turns argv into typed values and usage messages; it knows nothing
 * about GNNs beyond turning a library status into a message and an exit code.
 */
#ifndef PARGNN_CMDLINE_H
#define PARGNN_CMDLINE_H

#include <stdint.h>
#include <stdio.h>

#include "pargnn.h"

/* Exit codes of the pargnn tool (the library's statuses map to the first three through
 * pargnn_status_exit_code). */
enum {
    CL_EXIT_OK = 0,
    CL_EXIT_INTERNAL = 1,
    CL_EXIT_USAGE = 2,
    CL_EXIT_INTERRUPTED = 130, /* 128 + SIGINT, what shells report for Ctrl-C */
};

typedef enum cl_kind {
    CL_STRING, /* dest: const char ** (points into argv) */
    CL_INT32,  /* dest: int32_t * */
    CL_INT64,  /* dest: int64_t * */
    CL_UINT64, /* dest: uint64_t * */
    CL_DOUBLE, /* dest: double *; finite values only */
    CL_BOOL,   /* dest: int *; the flag takes no value and sets 1 */
    CL_CHOICE, /* dest: int *; the index of the value in choices */
} cl_kind;

/* One flag. A table of them ends with an entry whose name is NULL. dest holds the default
 * before parsing (help shows it) and the parsed value after. */
typedef struct cl_flag {
    const char *name;          /* without the leading "--" */
    cl_kind kind;
    void *dest;
    const char *meta;          /* value placeholder in help: "DIR", "N", ... */
    const char *help;
    const char *const *choices; /* CL_CHOICE: NULL-terminated list of accepted values */
    const char *default_text;  /* shown instead of the default value when set */
    const char *default_note;  /* appended after the default: "; with --resume, ..." */
    int required;
    int has_range;             /* numeric kinds: reject values outside [min, max] */
    double min, max;
    /* Filled by cl_parse. */
    int given;                 /* the flag appeared on the command line */
    char default_shown[48];
} cl_flag;

typedef enum cl_result {
    CL_PARSED = 0,
    CL_HELP = 1,   /* --help or -h was given: print the usage and exit 0 */
    CL_ERROR = 2,  /* a message was printed on stderr */
} cl_result;

/* Parses argv[first..argc-1] against flags. prog ("pargnn train") prefixes messages.
 * Accepts "--flag value" and "--flag=value"; a repeated flag keeps its last value. */
cl_result cl_parse(const char *prog, cl_flag *flags, int argc, char **argv, int first);

/* Usage: synopsis line, description paragraph, then one entry per flag with its default. */
void cl_print_help(FILE *out, const char *prog, const char *synopsis, const char *description,
                   const cl_flag *flags);

/* The flag named name in the table (NULL if absent). */
cl_flag *cl_find(cl_flag *flags, const char *name);

/* Writes the value at dest as text, shortest form that reads back identically. */
void cl_format_value(const cl_flag *flag, const void *dest, char *buf, size_t size);

/* Prints "pargnn: <message>" for the library's last error and returns the exit code of
 * status. */
int cl_fail(pargnn_status status);

/* Dataset flags shared by the commands that load data (tools/dataflags.c). format indexes
 * cl_format_names, which follows pargnn_format's order. */
typedef struct cl_data_opts {
    const char *data, *split, *features, *labels;
    int format, undirected;
} cl_data_opts;
extern const char *const cl_format_names[];
void cl_data_load_options(const cl_data_opts *d, pargnn_load_options *o);
pargnn_status cl_data_load(const cl_data_opts *d, pargnn_dataset_t **out);

/* Subcommands: argv[0] is the subcommand's own name. Each returns an exit code. */
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_partition(int argc, char **argv);

#endif
