/*
 * A small strict flag parser: "--flag value" or "--flag=value", typed values that reject
 * junk, overflow and out-of-range input with a message naming the flag, and generated help.
 * Semantic checks (does the combination make sense) stay with the library and the commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

#define HELP_COLUMN 28 /* where flag descriptions start */
#define HELP_WIDTH 79

cl_flag *cl_find(cl_flag *flags, const char *name) {
    for (cl_flag *f = flags; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

/* Finds a flag by the first len characters of name (the part before '='). */
static cl_flag *find_prefix(cl_flag *flags, const char *name, size_t len) {
    for (cl_flag *f = flags; f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0) return f;
    return NULL;
}

/* Shortest %g form that strtod reads back as the same double, so "0.01" stays "0.01"
 * and two values print the same text only when they are equal. */
static void format_double(double v, char *buf, size_t size) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void cl_format_value(const cl_flag *flag, const void *dest, char *buf, size_t size) {
    switch (flag->kind) {
    case CL_STRING: {
        const char *s = *(const char *const *)dest;
        snprintf(buf, size, "%s", s ? s : "");
        break;
    }
    case CL_INT32: snprintf(buf, size, "%" PRId32, *(const int32_t *)dest); break;
    case CL_INT64: snprintf(buf, size, "%" PRId64, *(const int64_t *)dest); break;
    case CL_UINT64: snprintf(buf, size, "%" PRIu64, *(const uint64_t *)dest); break;
    case CL_DOUBLE: format_double(*(const double *)dest, buf, size); break;
    case CL_BOOL: snprintf(buf, size, "%s", *(const int *)dest ? "on" : "off"); break;
    case CL_CHOICE: {
        int i = *(const int *)dest;
        int n = 0;
        while (flag->choices[n]) n++;
        snprintf(buf, size, "%s", i >= 0 && i < n ? flag->choices[i] : "?");
        break;
    }
    }
}

/* ---- value parsing: each returns 0 or prints why the value is refused ---- */

static int bad_value(const char *prog, const cl_flag *f, const char *value, const char *what) {
    fprintf(stderr, "%s: --%s: '%s' %s\n", prog, f->name, value, what);
    return -1;
}

static int out_of_range(const char *prog, const cl_flag *f, const char *value, double min,
                        double max) {
    char lo[32], hi[32];
    format_double(min, lo, sizeof lo);
    format_double(max, hi, sizeof hi);
    if (max == HUGE_VAL)
        fprintf(stderr, "%s: --%s: %s is out of range (must be at least %s)\n", prog, f->name,
                value, lo);
    else if (min == -HUGE_VAL)
        fprintf(stderr, "%s: --%s: %s is out of range (must be at most %s)\n", prog, f->name,
                value, hi);
    else
        fprintf(stderr, "%s: --%s: %s is out of range (must be in [%s, %s])\n", prog, f->name,
                value, lo, hi);
    return -1;
}

/* strtoll/strtoull/strtod skip leading blanks and accept an empty tail; we do not. */
static int starts_like_number(const char *s) {
    return *s && !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' ||
                   *s == '\f');
}

static int parse_signed(const char *prog, const cl_flag *f, const char *value, int64_t lo,
                        int64_t hi, int64_t *out) {
    if (!starts_like_number(value)) return bad_value(prog, f, value, "is not an integer");
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (end == value || *end) return bad_value(prog, f, value, "is not an integer");
    if (errno == ERANGE || v < lo || v > hi)
        return bad_value(prog, f, value,
                         hi == INT64_MAX ? "is out of range for a 64-bit integer"
                                         : "is out of range for a 32-bit integer");
    *out = v;
    return 0;
}

static int parse_value(const char *prog, cl_flag *f, const char *value) {
    if (!*value) {
        fprintf(stderr, "%s: --%s: missing value (%s)\n", prog, f->name,
                f->meta ? f->meta : "a value");
        return -1;
    }
    switch (f->kind) {
    case CL_STRING:
        *(const char **)f->dest = value;
        return 0;
    case CL_INT32:
    case CL_INT64: {
        int64_t lo = f->kind == CL_INT32 ? INT32_MIN : INT64_MIN;
        int64_t hi = f->kind == CL_INT32 ? INT32_MAX : INT64_MAX;
        int64_t v;
        if (parse_signed(prog, f, value, lo, hi, &v)) return -1;
        if (f->has_range && ((double)v < f->min || (double)v > f->max))
            return out_of_range(prog, f, value, f->min, f->max);
        if (f->kind == CL_INT32) *(int32_t *)f->dest = (int32_t)v;
        else *(int64_t *)f->dest = v;
        return 0;
    }
    case CL_UINT64: {
        /* strtoull would quietly wrap "-1" to 2^64 - 1. */
        if (!starts_like_number(value) || value[0] == '-')
            return bad_value(prog, f, value, "is not a non-negative integer");
        char *end;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (end == value || *end) return bad_value(prog, f, value, "is not a non-negative integer");
        if (errno == ERANGE) return bad_value(prog, f, value, "is out of range");
        if (f->has_range && ((double)v < f->min || (double)v > f->max))
            return out_of_range(prog, f, value, f->min, f->max);
        *(uint64_t *)f->dest = v;
        return 0;
    }
    case CL_DOUBLE: {
        if (!starts_like_number(value)) return bad_value(prog, f, value, "is not a number");
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (end == value || *end) return bad_value(prog, f, value, "is not a number");
        /* An overflow gives HUGE_VAL, refused here; an underflow (also ERANGE) gives a
         * value next to 0, which is what the user meant. */
        if (!isfinite(v)) return bad_value(prog, f, value, "is not a finite number");
        if (f->has_range && (v < f->min || v > f->max))
            return out_of_range(prog, f, value, f->min, f->max);
        *(double *)f->dest = v;
        return 0;
    }
    case CL_CHOICE: {
        for (int i = 0; f->choices[i]; i++) {
            if (strcmp(f->choices[i], value) == 0) {
                *(int *)f->dest = i;
                return 0;
            }
        }
        fprintf(stderr, "%s: --%s: '%s' is not one of", prog, f->name, value);
        for (int i = 0; f->choices[i]; i++)
            fprintf(stderr, "%s %s", i ? "," : "", f->choices[i]);
        fputc('\n', stderr);
        return -1;
    }
    case CL_BOOL: break; /* handled by the caller: takes no value */
    }
    return -1;
}

static int is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

cl_result cl_parse(const char *prog, cl_flag *flags, int argc, char **argv, int first) {
    for (cl_flag *f = flags; f->name; f++) {
        f->given = 0;
        cl_format_value(f, f->dest, f->default_shown, sizeof f->default_shown);
    }
    /* --help wins over anything else on the line, even an error earlier on it. */
    for (int i = first; i < argc; i++)
        if (is_help(argv[i])) return CL_HELP;

    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (arg[0] == '-' && arg[1] != '\0' && strcmp(arg, "--") != 0)
                fprintf(stderr, "%s: unknown flag '%s' (see '%s --help')\n", prog, arg, prog);
            else
                fprintf(stderr, "%s: unexpected argument '%s' (see '%s --help')\n", prog, arg, prog);
            return CL_ERROR;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        cl_flag *f = find_prefix(flags, name, len);
        if (!f) {
            fprintf(stderr, "%s: unknown flag '--%.*s' (see '%s --help')\n", prog, (int)len, name,
                    prog);
            return CL_ERROR;
        }
        if (f->kind == CL_BOOL) {
            if (eq) {
                fprintf(stderr, "%s: --%s takes no value\n", prog, f->name);
                return CL_ERROR;
            }
            *(int *)f->dest = 1;
            f->given = 1;
            continue;
        }
        const char *value;
        if (eq) {
            value = eq + 1;
        } else {
            /* "--data --epochs 5" forgot the directory: do not take "--epochs" as it. */
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                fprintf(stderr, "%s: --%s: missing value (%s)\n", prog, f->name,
                        f->meta ? f->meta : "a value");
                return CL_ERROR;
            }
            value = argv[++i];
        }
        if (parse_value(prog, f, value)) return CL_ERROR;
        f->given = 1;
    }

    for (cl_flag *f = flags; f->name; f++) {
        if (f->required && !f->given) {
            fprintf(stderr, "%s: missing --%s %s (see '%s --help')\n", prog, f->name,
                    f->meta ? f->meta : "", prog);
            return CL_ERROR;
        }
    }
    return CL_PARSED;
}

/* ---- help ---- */

/* Prints text from column col, wrapping at HELP_WIDTH with a hanging indent. */
static void print_wrapped(FILE *out, int col, int indent, const char *text) {
    const char *p = text;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        size_t w = strcspn(p, " ");
        if (col > indent && col + 1 + (int)w > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)w, p);
        col += (int)w;
        p += w;
    }
    fputc('\n', out);
}

void cl_print_help(FILE *out, const char *prog, const char *synopsis, const char *description,
                   const cl_flag *flags) {
    fprintf(out, "usage: %s %s\n\n", prog, synopsis);
    if (description && *description) {
        print_wrapped(out, 0, 0, description);
        fputc('\n', out);
    }
    fprintf(out, "flags:\n");
    for (const cl_flag *f = flags; f->name; f++) {
        char head[128];
        int n = snprintf(head, sizeof head, "  --%s", f->name);
        if (f->kind == CL_CHOICE) {
            for (int i = 0; f->choices[i] && n < (int)sizeof head - 1; i++)
                n += snprintf(head + n, sizeof head - (size_t)n, "%c%s", i ? '|' : ' ',
                              f->choices[i]);
        } else if (f->kind != CL_BOOL) {
            n += snprintf(head + n, sizeof head - (size_t)n, " %s", f->meta ? f->meta : "VALUE");
        }
        if (n > (int)sizeof head - 1) n = (int)sizeof head - 1;
        fputs(head, out);
        if (n + 2 > HELP_COLUMN) {
            fprintf(out, "\n%*s", HELP_COLUMN, "");
        } else {
            fprintf(out, "%*s", HELP_COLUMN - n, "");
        }
        char text[512];
        const char *note = f->default_note ? f->default_note : "";
        if (f->required)
            snprintf(text, sizeof text, "%s (required)", f->help);
        else if (f->default_text)
            snprintf(text, sizeof text, "%s (default: %s%s)", f->help, f->default_text, note);
        else if (f->kind == CL_BOOL || (f->kind == CL_STRING && !f->default_shown[0]))
            snprintf(text, sizeof text, "%s", f->help);
        else
            snprintf(text, sizeof text, "%s (default: %s%s)", f->help, f->default_shown, note);
        print_wrapped(out, HELP_COLUMN, HELP_COLUMN, text);
    }
    fprintf(out, "  --help%*sprint this help and exit\n", HELP_COLUMN - 8, "");
}

int cl_fail(pargnn_status status) {
    const char *msg = pargnn_last_error();
    fprintf(stderr, "pargnn: %s\n", msg && *msg ? msg : pargnn_status_str(status));
    return pargnn_status_exit_code(status);
}
