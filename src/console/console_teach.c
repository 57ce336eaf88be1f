/*
 * console_teach.c — the teaching commands: things FISCO's console cannot do, because they
 * break the chain on purpose (crash, partition, byzantine) or stop time (step).
 *
 * An instructor types `crash C`, then `userAdd bob 5` — and the class sees PBFT still commit
 * with three of four sealers (n - f = 3); `crash B` too, and the next transaction never
 * commits: no quorum. `partition D` cuts node D off from everyone; `heal` lets it back in and
 * sync catches it up. `byzantine A equivocate` makes A a lying leader. With the simulator
 * (`--sim`), `step N` runs exactly N events and `trace save FILE` writes the run's events, to
 * replay with the same seed.
 */
#include "console/console_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static int
cmd_crash(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = console_node_arg(c, argv[1], out);

    (void)argc, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    if (!world_node_up(c->w, (unsigned)i))
        return console_error(out, BL_E_INVALID, "node %s is down already", argv[1]);
    world_crash(c->w, (unsigned)i);
    fprintf(out, "node %s crashed\n", world_node_name(c->w, (unsigned)i));
    return BL_OK;
}

static int
cmd_restart(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = console_node_arg(c, argv[1], out);

    (void)argc, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    if (world_node_up(c->w, (unsigned)i))
        return console_error(out, BL_E_INVALID, "node %s is up already", argv[1]);
    world_restart(c->w, (unsigned)i);
    fprintf(out, "node %s restarted\n", world_node_name(c->w, (unsigned)i));
    return BL_OK;
}

/* partition NODE...: each named node alone on its side of the network. */
static int
cmd_partition(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int nodes[CONSOLE_MAX_ARGS];

    (void)rest;
    for (int a = 1; a < argc; a++)
        if ((nodes[a] = console_node_arg(c, argv[a], out)) < 0)
            return BL_E_NOTFOUND; /* checked all before cutting any */
    for (int a = 1; a < argc; a++) {
        world_isolate(c->w, (unsigned)nodes[a], true);
        fprintf(out, "node %s is cut off\n", world_node_name(c->w, (unsigned)nodes[a]));
    }
    return BL_OK;
}

static int
cmd_heal(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    for (unsigned i = 0; i < world_nnodes(c->w); i++)
        if (world_isolated(c->w, i))
            world_isolate(c->w, i, false);
    fprintf(out, "the network is whole again\n");
    return BL_OK;
}

static int
cmd_byzantine(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = console_node_arg(c, argv[1], out);

    (void)argc, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    for (int m = 0; m < BYZ_MODE_COUNT; m++) {
        if (strcmp(argv[2], byz_mode_name((byz_mode_t)m)) == 0) {
            world_set_byzantine(c->w, (unsigned)i, (byz_mode_t)m);
            fprintf(out, "node %s is now %s\n", world_node_name(c->w, (unsigned)i), argv[2]);
            return BL_OK;
        }
    }
    fprintf(out, "Error: unknown kind '%s'; kinds:", argv[2]);
    for (int m = 0; m < BYZ_MODE_COUNT; m++)
        fprintf(out, " %s", byz_mode_name((byz_mode_t)m));
    fprintf(out, "\n");
    return BL_E_INVALID;
}

static bool
parse_count(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    *out = v;
    return *s >= '0' && *s <= '9' && *end == '\0' && v >= 1 && v <= max;
}

static int
cmd_step(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    uint64_t n = 1, done = 0;

    (void)rest;
    if (!world_opts(c->w)->sim)
        return console_error(out, BL_E_INVALID, "step needs the simulator (bcoslab console "
                             "--demo --sim)");
    if (argc == 2 && !parse_count(argv[1], 1000000, &n))
        return console_error(out, BL_E_INVALID, "'%s' is not a number of events (1..1000000)",
                             argv[1]);
    while (done < n && world_step(c->w))
        done++;
    fprintf(out, "%" PRIu64 " event%s run; time %" PRIu64 " ms\n", done, done == 1 ? "" : "s",
            world_now(c->w));
    return BL_OK;
}

/* advance MS: let MS ms pass (virtual with the simulator). */
static int
cmd_advance(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    uint64_t ms;

    (void)argc, (void)rest;
    if (!parse_count(argv[1], 3600000, &ms))
        return console_error(out, BL_E_INVALID, "'%s' is not a number of ms (1..3600000)",
                             argv[1]);
    world_advance(c->w, ms);
    fprintf(out, "time %" PRIu64 " ms\n", world_now(c->w));
    return BL_OK;
}

static int
cmd_seed(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    fprintf(out, "%" PRIu64 "\n", world_opts(c->w)->seed);
    return BL_OK;
}

static int
cmd_trace(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    if (strcmp(argv[1], "save") != 0)
        return console_usage(out, "trace");
    if (world_write_trace(c->w, argv[2]) != BL_OK)
        return console_error(out, BL_E_IO, "%s", bl_errmsg());
    fprintf(out, "trace written to %s (seed %" PRIu64 ")\n", argv[2], world_opts(c->w)->seed);
    return BL_OK;
}

static int
cmd_nodes(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    for (unsigned i = 0; i < world_nnodes(c->w); i++) {
        char hex[129];

        bl_hex_encode(world_node_id(c->w, i), 64, hex);
        fprintf(out, "%s %s%s%s %.16s...\n", world_node_name(c->w, i),
                world_node_up(c->w, i) ? "up" : "down",
                world_isolated(c->w, i) ? " cut-off" : "",
                world_byzantine(c->w, i) != BYZ_HONEST ? " byzantine" : "", hex);
    }
    return BL_OK;
}

const console_cmd_t console_teach_cmds[] = {
    { "nodes", "", "the nodes: name, up or down, cut off, byzantine, node ID", 0, 0, cmd_nodes },
    { "crash", "NODE", "crash a node (it keeps its disk)", 1, 1, cmd_crash },
    { "restart", "NODE", "restart a crashed node", 1, 1, cmd_restart },
    { "partition", "NODE [NODE...]", "cut nodes off from the network", 1, -1, cmd_partition },
    { "heal", "", "end every partition", 0, 0, cmd_heal },
    { "byzantine", "NODE KIND", "make a node misbehave (honest, silent, garbage, replay, ...)",
      2, 2, cmd_byzantine },
    { "step", "[N]", "simulator: run N events (1)", 0, 1, cmd_step },
    { "advance", "MS", "let MS milliseconds pass", 1, 1, cmd_advance },
    { "seed", "", "the seed of this run", 0, 0, cmd_seed },
    { "trace", "save FILE", "simulator: write the run's event trace", 2, 2, cmd_trace },
    { NULL, NULL, NULL, 0, 0, NULL },
};
