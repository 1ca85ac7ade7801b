/*
 * The pargnn command-line tool: picks the subcommand and hands it the rest of argv.
 * Each subcommand (tools/cmd_*.c) parses its own flags and calls the library.
 */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "pargnn.h"

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"train", "train a model on a dataset, optionally saving or resuming a checkpoint", cmd_train},
    {"predict", "write class probabilities for every node from a saved model", cmd_predict},
    {"info", "print a dataset's statistics and the memory training it needs", cmd_info},
    {"generate", "write a synthetic dataset (stochastic block model, R-MAT), OGB or binary",
     cmd_generate},
    {"convert", "write a dataset in pargnn's binary format (fast, memory-mapped reloads)",
     cmd_convert},
    {"partition", "split a dataset into parts for distributed training (mpirun ... --partitions)",
     cmd_partition},
};
#define NUM_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fprintf(out,
            "usage: pargnn <command> [flags]\n"
            "\n"
            "pargnn trains graph neural networks (GCN, GraphSAGE, GIN, GAT) on one\n"
            "process or across MPI ranks, on datasets in the Open Graph Benchmark raw\n"
            "layout, pargnn's binary format or edge lists.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(out, "  %-10s  %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "  pargnn <command> --help   flags of one command, with their defaults\n"
            "  pargnn --version          print the version\n"
            "\n"
            "example:\n"
            "  pargnn generate sbm --out /tmp/sbm\n"
            "  pargnn train --data /tmp/sbm --epochs 100 --save /tmp/sbm.ckpt\n"
            "  pargnn predict --model-file /tmp/sbm.ckpt --data /tmp/sbm --out /tmp/pred.csv\n");
}

static const command *find_command(const char *name) {
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return CL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("pargnn %s\n", PARGNN_VERSION);
        return CL_EXIT_OK;
    }
    /* "pargnn help train" is "pargnn train --help". */
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return CL_EXIT_OK;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "pargnn: unknown command '%s' (see 'pargnn --help')\n", argv[2]);
            return CL_EXIT_USAGE;
        }
        char help_flag[] = "--help";
        char *help_argv[] = {argv[2], help_flag, NULL};
        return c->run(2, help_argv);
    }
    const command *c = find_command(name);
    if (!c) {
        if (name[0] == '-')
            fprintf(stderr, "pargnn: unknown flag '%s' (see 'pargnn --help')\n", name);
        else
            fprintf(stderr, "pargnn: unknown command '%s' (see 'pargnn --help')\n", name);
        return CL_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
