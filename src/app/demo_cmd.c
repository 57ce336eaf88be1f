/*
 * demo_cmd.c — `bcoslab demo` (the live views) and `bcoslab export` (their pictures as files).
 *
 * Both start the same world (viz/world.h): by default the course's four agencies' nodes A, B,
 * C, D, group 1 = all four on PBFT, group 2 = A and B on Raft, and a client sending signed
 * DagTransfer transfers. `demo` hands it to the TUI; `export` runs it on the simulator for a
 * while (so the picture is the same every time for the same seed) and draws one graph.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/demo_cmd.h"
#include "base/error.h"
#include "export.h"
#include "model.h"
#include "tui/tui.h"
#include "world.h"

const char demo_help[] =
    "Starts a chain in this process and shows it live (q quits, ? explains the keys).\n"
    "Default: nodes A, B, C, D; group 1 = A B C D on PBFT; group 2 = A B on Raft (C and D\n"
    "never see it); 200 signed DagTransfer transfers per second per group.\n"
    "\n"
    "  --sim              the simulator: virtual time, step by step (n), replayable\n"
    "  --seed S           the simulator's seed, and the keys' (default 1)\n"
    "  --nodes N          1..8 nodes (default 4)\n"
    "  --groups G         1..4 groups; group 1 holds every node, the others A and B (default 2)\n"
    "  --consensus LIST   per group, e.g. pbft,raft (the default) or raft or pbft,pbft\n"
    "  --storage S        memory (default) or rocksdb (threads only)\n"
    "  --sm               SM2/SM3 keys and hashes instead of secp256k1/Keccak-256\n"
    "  --rate N           transactions per second per group (default 200; r/R change it)\n"
    "  --view V           start on view 1..6 (Chain, Groups, PBFT, DAG, Raft, Stats)\n"
    "  --export-dir DIR   where the e key writes its pictures (default .)\n";

const char export_help[] =
    "Runs the demo chain on the simulator for --for ms of virtual time and draws one graph:\n"
    "  chain   a group's blocks linked by hash and every node's tip\n"
    "  dag     a block's transaction DAG, levels as ranks, with the workers' schedule\n"
    "  groups  the groups and their members\n"
    "  pbft    one PBFT round (a height) as a message sequence, nodes as lanes\n"
    "  mpt     a Merkle Patricia Trie of a block's transactions (key RLP(index))\n"
    "\n"
    "  -o FILE            .dot, .svg or .png (required)\n"
    "  --group G          the group (default 1)\n"
    "  --block N          the block, or the height for pbft (default: the newest)\n"
    "  --for MS           virtual milliseconds to run first (default 10000)\n"
    "  and the layout options of demo: --seed --nodes --groups --consensus --sm --rate\n";

typedef struct {
    world_opts_t world;
    tui_opts_t tui;
    /* export */
    const char *what;
    const char *out;
    unsigned group;
    long long block;
    unsigned run_ms;
} demo_opts_t;

enum { OPT_SIM = 256, OPT_SEED, OPT_NODES, OPT_GROUPS, OPT_CONSENSUS, OPT_STORAGE, OPT_SM,
       OPT_RATE, OPT_VIEW, OPT_EXPORT_DIR, OPT_GROUP, OPT_BLOCK, OPT_FOR };

static const struct option demo_options[] = {
    { "sim", no_argument, NULL, OPT_SIM },
    { "seed", required_argument, NULL, OPT_SEED },
    { "nodes", required_argument, NULL, OPT_NODES },
    { "groups", required_argument, NULL, OPT_GROUPS },
    { "consensus", required_argument, NULL, OPT_CONSENSUS },
    { "storage", required_argument, NULL, OPT_STORAGE },
    { "sm", no_argument, NULL, OPT_SM },
    { "rate", required_argument, NULL, OPT_RATE },
    { "view", required_argument, NULL, OPT_VIEW },
    { "export-dir", required_argument, NULL, OPT_EXPORT_DIR },
    { "group", required_argument, NULL, OPT_GROUP },
    { "block", required_argument, NULL, OPT_BLOCK },
    { "for", required_argument, NULL, OPT_FOR },
    { NULL, 0, NULL, 0 },
};

static int
parse_one(int opt, demo_opts_t *o)
{
    unsigned v;
    int rc = CLI_OK;

    switch (opt) {
    case OPT_SIM: o->world.sim = true; break;
    case OPT_SEED: rc = cli_parse_uint("seed", optarg, 0, 0xffffffffu, &v); o->world.seed = v;
                   break;
    case OPT_NODES: rc = cli_parse_uint("nodes", optarg, 1, WORLD_MAX_NODES, &o->world.nodes);
                    break;
    case OPT_GROUPS: rc = cli_parse_uint("groups", optarg, 1, WORLD_MAX_GROUPS, &o->world.groups);
                     break;
    case OPT_CONSENSUS: o->world.consensus = optarg; break;
    case OPT_STORAGE: o->world.storage = optarg; break;
    case OPT_SM: o->world.sm = true; break;
    case OPT_RATE: rc = cli_parse_uint("rate", optarg, 0, 100000, &o->world.rate); break;
    case OPT_VIEW: rc = cli_parse_uint("view", optarg, 1, 6, &o->tui.view); break;
    case OPT_EXPORT_DIR: o->tui.export_dir = optarg; break;
    case OPT_GROUP: rc = cli_parse_uint("group", optarg, 1, WORLD_MAX_GROUPS, &o->group); break;
    case OPT_BLOCK: rc = cli_parse_uint("block", optarg, 0, 1u << 30, &v); o->block = v; break;
    case OPT_FOR: rc = cli_parse_uint("for", optarg, 1, 3600000, &o->run_ms); break;
    case 'o': o->out = optarg; break;
    default: rc = cli_fail(NULL, "unknown or incomplete option; see --help");
    }
    return rc;
}

static int
parse_opts(int argc, char **argv, bool exporting, demo_opts_t *o)
{
    int opt, rc = CLI_OK;

    *o = (demo_opts_t){ .world = world_default_opts(), .tui = { .view = 1 }, .group = 1,
                        .block = -1, .run_ms = 10000 };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "o:", demo_options, NULL)) != -1) {
        if (!exporting && (opt == OPT_GROUP || opt == OPT_BLOCK || opt == OPT_FOR || opt == 'o'))
            return cli_fail(NULL, "--group, --block, --for and -o are export's options");
        if (exporting && (opt == OPT_VIEW || opt == OPT_EXPORT_DIR || opt == OPT_SIM ||
                          opt == OPT_STORAGE))
            return cli_fail(NULL, "export always runs the simulator in memory; that option is "
                            "demo's");
        rc = parse_one(opt, o);
    }
    if (rc != CLI_OK)
        return rc;
    if (exporting) {
        if (optind != argc - 1 || export_kind_by_name(argv[optind]) < 0)
            return cli_fail(NULL, "what to draw? chain, dag, groups, pbft or mpt");
        o->what = argv[optind];
        if (o->out == NULL)
            return cli_fail(NULL, "where to? -o FILE.dot, FILE.svg or FILE.png");
        if (o->group > o->world.groups)
            return cli_fail(NULL, "--group %u: the chain has %u groups", o->group,
                            o->world.groups);
        o->world.sim = true;
    } else if (optind != argc) {
        return cli_fail(NULL, "unexpected '%s'; see --help", argv[optind]);
    }
    return CLI_OK;
}

int
demo_main(int argc, char **argv)
{
    demo_opts_t o;
    world_t *w;
    int rc = parse_opts(argc, argv, false, &o);

    if (rc != CLI_OK)
        return rc;
    if ((w = world_open(&o.world)) == NULL)
        return cli_fail(NULL, "%s", bl_errmsg());
    rc = tui_run(w, &o.tui);
    world_close(w);
    return rc;
}

int
export_main(int argc, char **argv)
{
    demo_opts_t o;
    world_t *w;
    model_t m;
    int rc = parse_opts(argc, argv, true, &o);

    if (rc != CLI_OK)
        return rc;
    if ((w = world_open(&o.world)) == NULL)
        return cli_fail(NULL, "%s", bl_errmsg());
    model_init(&m, w);
    for (unsigned t = 0; t < o.run_ms; t += 100) {
        world_advance(w, 100);
        model_update(&m, false);
    }
    model_update(&m, true);
    rc = export_graph(w, &m, (export_kind_t)export_kind_by_name(o.what), o.group - 1, o.block,
                      o.out);
    if (rc == BL_OK)
        printf("%s\n", o.out);
    model_free(&m);
    world_close(w);
    return rc == BL_OK ? CLI_OK : cli_fail(NULL, "%s", bl_errmsg());
}
