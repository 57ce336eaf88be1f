/*
 * main.c — the single bcoslab binary and its top-level commands.
 *
 * bcoslab is one program with subcommands, like git: `bcoslab util ...` for the inspection tools
 * of the lessons, and (as the project grows) demo, console, lesson, bench, export, build-chain.
 */
#include <stdio.h>

#include "app/bench.h"
#include "app/build_chain.h"
#include "app/cli.h"
#include "app/cluster_cmd.h"
#include "app/console_cmd.h"
#include "app/demo_cmd.h"
#include "app/lesson_cmd.h"
#include "app/replay_cmd.h"
#include "app/util.h"

static const cli_command_t commands[] = {
    { .name = "util", .args = "COMMAND [ARGS]", .is_group = true, .run = util_main,
      .summary = "hashes, keys, signatures, RLP, ABI and transactions by hand" },
    { .name = "bench", .args = "BENCHMARK [OPTIONS]", .is_group = true, .run = bench_main,
      .summary = "measure: storage (table storage vs MPT over memory, RocksDB, SQLite)" },
    { .name = "build-chain", .args = "[-n N] [-g G] [-o DIR] [--sm] [OPTIONS]",
      .run = build_chain_main, .help = build_chain_help,
      .summary = "write a chain's certificates, config.ini and group files, like build_chain.sh" },
    { .name = "cert", .args = "COMMAND [ARGS]", .is_group = true, .run = cert_main,
      .summary = "revoke, renew and check node certificates of a build-chain directory" },
    { .name = "cluster", .args = "DIR [--driver sim|threads] [--seed S] [--for MS] [OPTIONS]",
      .run = cluster_main, .help = cluster_help,
      .summary = "run a build-chain directory's nodes in this process, and report" },
    { .name = "console", .args = "--demo [--sm] | DIR [--sim] [--seed S] [-c CMDS | -f FILE]",
      .run = console_main, .help = console_help,
      .summary = "FISCO's console over a chain run here: blocks, txs, SQL, nodes, permissions" },
    { .name = "demo", .args = "[--sim] [--seed S] [--nodes N] [--groups G] [OPTIONS]",
      .run = demo_main, .help = demo_help,
      .summary = "run a chain here and watch it live: blocks, groups, PBFT, DAG, Raft, stats" },
    { .name = "lesson", .args = "list | N [--text] [--no-pause] [--dir DIR] | check FILE...",
      .run = lesson_main, .help = lesson_help,
      .summary = "play a lesson step by step: subtitles, actions, waits, checks (TUI or --text)" },
    { .name = "export", .args = "chain|dag|groups|pbft|mpt [--group G] [--block N] -o FILE",
      .run = export_main, .help = export_help,
      .summary = "draw the demo chain's blocks, a DAG, the groups, a PBFT round or an MPT" },
    { .name = "replay", .args = "FILE [--text]", .run = replay_main, .help = replay_help,
      .summary = "step through a failed simulated run's trace, event by event" },
    { .name = NULL },
};

int
main(int argc, char **argv)
{
    return cli_dispatch("", commands, argc - 1, argv + 1);
}
