/*
 * main.c — the single bcoslab binary and its top-level commands.
 *
 * bcoslab is one program with subcommands, like git: `bcoslab util ...` for the inspection tools
 * of the lessons, and (as the project grows) demo, console, lesson, bench, export, build-chain.
 */
#include <stdio.h>

#include "app/bench.h"
#include "app/cli.h"
#include "app/util.h"

static const cli_command_t commands[] = {
    { .name = "util", .args = "COMMAND [ARGS]", .is_group = true, .run = util_main,
      .summary = "hashes, keys, signatures, RLP, ABI and transactions by hand" },
    { .name = "bench", .args = "BENCHMARK [OPTIONS]", .is_group = true, .run = bench_main,
      .summary = "measure: storage (table storage vs MPT over memory, RocksDB, SQLite)" },
    { .name = NULL },
};

int
main(int argc, char **argv)
{
    return cli_dispatch("", commands, argc - 1, argv + 1);
}
