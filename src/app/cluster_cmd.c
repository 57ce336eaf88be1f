/*
 * cluster_cmd.c — `bcoslab cluster DIR`: run the nodes of a build-chain directory in this
 * process, on the simulator (virtual time, replayable from its seed) or on threads (real time).
 *
 * It is the smallest way to watch a chain run without the TUI: start the nodes, hand node0 a
 * few DagTransfer transactions for each of its groups, run for a while, and print where every
 * node's groups stand. With --check-determinism it runs the simulation twice and compares the
 * hash chains of every event: the same seed must give the same run, byte for byte.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/cli.h"
#include "app/cluster_cmd.h"
#include "base/error.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "net/sim.h"
#include "net/threads.h"
#include "node/cluster.h"
#include "node/group.h"

const char cluster_help[] =
    "Runs every node of DIR (made by bcoslab build-chain) in this process. node0 gets --txs\n"
    "DagTransfer userAdd transactions for each of its groups; after --for milliseconds the\n"
    "height and pool of every node's groups are printed.\n"
    "\n"
    "  --driver sim|threads   virtual time, replayable from --seed (default), or real threads\n"
    "  --seed S               the simulation's seed (default 1)\n"
    "  --for MS               how long to run (default 10000 simulated, 3000 real)\n"
    "  --txs N                transactions per group for node0 (default 10)\n"
    "  --check-determinism    run the simulation twice; the event hash chains must be equal\n"
    "  --trace FILE           write the simulation's events to FILE\n";

typedef struct {
    const char *dir;
    bool threads;
    unsigned seed;
    unsigned run_ms;
    unsigned txs;
    bool check;
    const char *trace;
} cluster_opts_t;

static const struct option cluster_options[] = {
    { "driver", required_argument, NULL, 'd' },
    { "seed", required_argument, NULL, 's' },
    { "for", required_argument, NULL, 'f' },
    { "txs", required_argument, NULL, 'n' },
    { "check-determinism", no_argument, NULL, 'c' },
    { "trace", required_argument, NULL, 't' },
    { NULL, 0, NULL, 0 },
};

static int
parse_opts(int argc, char **argv, cluster_opts_t *o)
{
    int opt, rc = CLI_OK;
    bool run_set = false;

    *o = (cluster_opts_t){ .seed = 1, .run_ms = 10000, .txs = 10 };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", cluster_options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            if (strcmp(optarg, "sim") != 0 && strcmp(optarg, "threads") != 0)
                rc = cli_fail(NULL, "--driver is sim or threads, not '%s'", optarg);
            o->threads = strcmp(optarg, "threads") == 0;
            break;
        case 's': rc = cli_parse_uint("seed", optarg, 0, 0xffffffffu, &o->seed); break;
        case 'f': rc = cli_parse_uint("for", optarg, 1, 3600000, &o->run_ms); run_set = true;
                  break;
        case 'n': rc = cli_parse_uint("txs", optarg, 0, 100000, &o->txs); break;
        case 'c': o->check = true; break;
        case 't': o->trace = optarg; break;
        default:
            rc = cli_fail(NULL, "unknown or incomplete option '%s'; see --help", argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind != argc - 1)
        rc = cli_fail(NULL, optind < argc ? "one directory, please" : "which directory? "
                      "(make one with bcoslab build-chain -o DIR)");
    if (rc == CLI_OK)
        o->dir = argv[optind];
    if (rc == CLI_OK && o->threads && !run_set)
        o->run_ms = 3000;
    if (rc == CLI_OK && o->threads && o->check)
        rc = cli_fail(NULL, "--check-determinism needs the simulator (real threads are not "
                      "replayable)");
    return rc;
}

/* ---- the workload: userAdd transactions from one client key ---- */

typedef struct {
    const cluster_t *c;
    unsigned txs;
    uint64_t seed;
    unsigned accepted;
} workload_t;

static void
make_tx(const cluster_t *c, const keypair_t *client, unsigned group, uint64_t nonce,
        bl_buf_t *raw)
{
    char name[40];
    const char *args[2] = { name, "100" };
    tx_t tx;

    snprintf(name, sizeof name, "user%u_%llu", group, (unsigned long long)nonce);
    tx_init(&tx);
    tx_make_precompile_call(&tx, client, 0x5002, "userAdd(string,uint256)", args, 2, nonce,
                            c->configs[0].chain_id, group);
    tx_encode(c->suite, &tx, raw);
    tx_free(&tx);
}

/* Runs on node0 (directly in the simulator, on its thread with the threads driver). */
static void
submit_workload(void *node, void *arg)
{
    workload_t *w = arg;
    keypair_t client;
    uint8_t priv[32] = { 0x42 };

    if (node == NULL)
        return;
    memcpy(priv + 24, &w->seed, sizeof w->seed);
    keypair_from_priv(&client, w->c->suite, priv);
    for (size_t g = 0; g < w->c->configs[0].ngroups; g++) {
        unsigned gid = (unsigned)w->c->configs[0].groups[g].group_id;

        for (unsigned k = 0; k < w->txs; k++) {
            bl_buf_t raw = BL_BUF_INIT;
            uint8_t hash[32];

            make_tx(w->c, &client, gid, w->seed * 1000000 + g * 100000 + k, &raw);
            if (node_submit(node, gid, bl_buf_span(&raw), hash) == TX_OK)
                w->accepted++;
            bl_buf_free(&raw);
        }
    }
}

/* ---- reporting ---- */

static void
print_node(const cluster_t *c, unsigned i, node_t *node)
{
    printf("node%u", i);
    if (node == NULL) {
        printf("  down\n");
        return;
    }
    for (size_t g = 0; g < c->configs[i].ngroups; g++) {
        unsigned gid = (unsigned)c->configs[i].groups[g].group_id;
        group_t *grp = node_group(node, gid);

        printf("  group%u height %lld pool %zu", gid, (long long)group_height(grp),
               group_pool_size(grp));
    }
    printf("\n");
}

static void
print_node_call(void *node, void *arg)
{
    void **a = arg;

    print_node(a[0], *(unsigned *)a[1], node);
}

/* ---- the two drivers ---- */

static int
run_sim(const cluster_t *c, const cluster_opts_t *o, bool quiet, uint8_t digest[32])
{
    evlog_t *log = evlog_new(1 << 16);
    sim_t *sim = sim_new(o->seed, c->n, &node_endpoint_ops, c->configs, log);
    workload_t w = { .c = c, .txs = o->txs, .seed = o->seed };
    int rc = BL_OK;

    if (sim == NULL) {
        evlog_free(log);
        return BL_E_INVALID;
    }
    if ((rc = sim_start(sim)) != BL_OK)
        goto out;
    submit_workload(sim_node(sim, 0), &w);
    sim_run_for(sim, o->run_ms);
    sim_digest(sim, digest);
    if (!quiet) {
        printf("seed=%u driver=sim t=%llums txs accepted by node0: %u\n", o->seed,
               (unsigned long long)sim_now(sim), w.accepted);
        for (unsigned i = 0; i < c->n; i++)
            print_node(c, i, sim_node(sim, i));
    }
    if (o->trace != NULL && !quiet)
        rc = sim_write_trace(sim, o->trace);
out:
    sim_free(sim);
    evlog_free(log);
    return rc;
}

static int
run_threads(const cluster_t *c, const cluster_opts_t *o)
{
    evlog_t *log = evlog_new(1 << 16);
    workload_t w = { .c = c, .txs = o->txs, .seed = o->seed };
    struct timespec pause = { .tv_sec = o->run_ms / 1000, .tv_nsec = (o->run_ms % 1000) * 1000000L };
    threads_t *t;
    int rc = threads_new(c->n, &node_endpoint_ops, c->configs, log, NULL, o->seed, &t);

    if (rc == BL_OK && (rc = threads_start(t)) == BL_OK)
        rc = threads_call(t, 0, submit_workload, &w);
    if (rc == BL_OK) {
        nanosleep(&pause, NULL);
        printf("driver=threads t=%ums txs accepted by node0: %u\n", o->run_ms, w.accepted);
        for (unsigned i = 0; i < c->n && rc == BL_OK; i++) {
            void *args[2] = { (void *)c, &i };

            rc = threads_call(t, i, print_node_call, args);
        }
    }
    if (t != NULL)
        threads_free(t);
    evlog_free(log);
    return rc;
}

int
cluster_main(int argc, char **argv)
{
    cluster_opts_t o;
    cluster_t c;
    uint8_t first[32], again[32];
    char hex[65];
    int rc;

    if ((rc = parse_opts(argc, argv, &o)) != CLI_OK)
        return rc;
    if (cluster_load(o.dir, &c) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if (o.threads) {
        rc = run_threads(&c, &o);
    } else {
        rc = run_sim(&c, &o, false, first);
        bl_hex_encode(first, 32, hex);
        if (rc == BL_OK)
            printf("digest 0x%s\n", hex);
        if (rc == BL_OK && o.check && (rc = run_sim(&c, &o, true, again)) == BL_OK) {
            if (memcmp(first, again, 32) != 0)
                rc = bl_fail(BL_E_INVALID, "two runs with seed %u differ: not deterministic",
                             o.seed);
            else
                printf("deterministic: a second run with seed %u gave the same digest\n",
                       o.seed);
        }
    }
    cluster_free(&c);
    return rc == BL_OK ? CLI_OK : cli_fail(NULL, "%s", bl_errmsg());
}
