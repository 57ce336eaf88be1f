/*
 * bench_tps.c — `bcoslab bench tps`: how many transactions per second a whole chain commits.
 *
 * Four nodes run on the threads driver (one thread each, real time), in one group, with the
 * consensus under test. N DagTransfer userAdd transactions are signed beforehand (not timed)
 * and handed to node0 all at once; node0's pool checks each one and broadcasts them in
 * batches, every other node's pool checks them too, and the sealers agree on blocks until
 * every transaction is committed. Printed per consensus and storage:
 *
 *   tps        N / (time from the first submission to the commit of the last tx, on node0)
 *   p50, p99   commit latency of a tx: submitted to node0 -> its block committed on node0
 *   cpu/tx     process CPU time (every node, every thread) / N
 *
 * and beside them the CEILING this machine allows: every node recovers the sender of every
 * transaction once (a secp256k1 public-key recovery, the costliest step), so with C cores
 * shared by `nodes` nodes the chain cannot commit more than
 *
 *     recoveries per second on one core × C ÷ nodes
 *
 * measured in the same run. The last column is the TPS as a share of that ceiling.
 *
 * The nodes are the visualizer's world (viz/world.h) with no load of its own, so that
 * --with-tui can run the TUI beside them, drawing into a pseudo-terminal nobody looks at:
 * the TPS with and without it shows what watching costs the nodes (it should cost little:
 * the TUI reads the event log and takes short snapshots on the nodes' threads).
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "app/bench.h"
#include "app/cli.h"
#include "base/error.h"
#include "base/hashmap.h"
#include "exec/executor.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "net/threads.h"
#include "node/group.h"
#include "node/node.h"
#include "tui/tui.h"
#include "world.h"

#define TPS_NODES 4
#define TPS_SUBMIT_CHUNK 500
#define TPS_LIMIT_S 120.0
#define TPS_CEILING_SAMPLE 2000

typedef struct {
    unsigned txs;
    char consensus[64];  /* comma-separated */
    char storage[64];    /* comma-separated: memory, rocksdb */
    unsigned seed;
    bool with_tui;       /* the TUI draws into a pseudo-terminal during each run */
} tps_opts_t;

typedef struct {
    const suite_t *suite;
    bl_buf_t *raw;        /* the pre-signed txs */
    uint8_t (*hashes)[32];
    double *submitted;    /* when each was handed to node0 (seconds, bench clock) */
    unsigned n;
} tps_run_t;

typedef struct {
    double tps, p50_ms, p99_ms, cpu_us;
    bool done;
} tps_result_t;

/* ---- the workload ---- */

static int
sign_txs(tps_run_t *r, uint64_t seed)
{
    keypair_t client;
    uint8_t priv[32] = { 0x51 };

    memcpy(priv + 24, &seed, sizeof seed);
    if (keypair_from_priv(&client, r->suite, priv) != BL_OK)
        return bl_fail(BL_E_KEY, "cannot make the client key");
    for (unsigned i = 0; i < r->n; i++) {
        char name[32];
        const char *args[2] = { name, "1" };
        tx_t tx;

        snprintf(name, sizeof name, "tps%u", i);
        tx_init(&tx);
        tx_make_precompile_call(&tx, &client, 0x5002, "userAdd(string,uint256)", args, 2,
                                seed * 10000000 + i, 1, 1);
        bl_buf_init(&r->raw[i]);
        tx_encode(r->suite, &tx, &r->raw[i]);
        memcpy(r->hashes[i], tx.hash, 32);
        tx_free(&tx);
    }
    return BL_OK;
}

typedef struct {
    tps_run_t *r;
    unsigned from, to;
    unsigned refused;
} submit_chunk_t;

static void
submit_chunk(node_t *node, void *arg)
{
    submit_chunk_t *s = arg;
    uint8_t hash[32];
    double now = bench_seconds();

    for (unsigned i = s->from; i < s->to; i++) {
        s->r->submitted[i] = now;
        if (node == NULL ||
            node_submit(node, 1, bl_buf_span(&s->r->raw[i]), hash) != TX_OK)
            s->refused++;
    }
}

typedef struct {
    int64_t total;
} progress_t;

static void
read_progress(node_t *node, void *arg)
{
    progress_t *p = arg;
    group_t *g = node != NULL ? node_group(node, 1) : NULL;

    p->total = g != NULL ? group_total_txs(g) : 0;
}

/* ---- latency: which block each tx landed in, and when that block was committed ---- */

typedef struct {
    tps_run_t *r;
    bl_map_t *block_of; /* tx hash -> (number + 1), as a pointer-sized integer */
} blocks_call_t;

static void
map_blocks(node_t *node, void *arg)
{
    blocks_call_t *b = arg;
    group_t *g = node != NULL ? node_group(node, 1) : NULL;
    int64_t h = g != NULL ? group_height(g) : 0;

    for (int64_t n = 1; n <= h; n++) {
        block_t blk;

        if (group_block_stored(g, n, &blk) != BL_OK)
            continue;
        for (size_t i = 0; i < blk.ntxs; i++)
            bl_map_put(b->block_of, blk.txs[i].hash, 32, (void *)(intptr_t)(n + 1));
        block_free(&blk);
    }
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Latencies from the log's commit events of node0 (time_ms is the driver's clock, which
 * started at `base` on the bench clock). */
static void
latencies(tps_run_t *r, world_t *w, double base, tps_result_t *out)
{
    bl_map_t block_of;
    blocks_call_t call = { r, &block_of };
    double *commit_at = NULL, *lat = bl_xcalloc(r->n, sizeof *lat);
    size_t ncommit = 0, nlat = 0, got;
    ev_t ev[512];
    uint64_t after = 0;

    bl_map_init(&block_of);
    world_call(w, 0, map_blocks, &call);
    while ((got = evlog_read(world_log(w), after, ev, 512, NULL)) > 0) {
        for (size_t i = 0; i < got; i++) {
            if (ev[i].kind != EV_BLOCK_COMMITTED || ev[i].node != 0 || ev[i].group != 1)
                continue;
            if ((size_t)ev[i].a >= ncommit) {
                commit_at = bl_xrealloc(commit_at, (size_t)(ev[i].a + 1) * sizeof *commit_at);
                while (ncommit <= (size_t)ev[i].a)
                    commit_at[ncommit++] = 0;
            }
            commit_at[ev[i].a] = base + (double)ev[i].time_ms / 1000;
        }
        after = ev[got - 1].seq;
    }
    for (unsigned i = 0; i < r->n; i++) {
        intptr_t n = (intptr_t)bl_map_get(&block_of, r->hashes[i], 32);

        if (n > 0 && (size_t)(n - 1) < ncommit && commit_at[n - 1] > 0)
            lat[nlat++] = (commit_at[n - 1] - r->submitted[i]) * 1000;
    }
    qsort(lat, nlat, sizeof *lat, compare_double);
    out->p50_ms = nlat ? lat[nlat / 2] : 0;
    out->p99_ms = nlat ? lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1] : 0;
    bl_map_free(&block_of, NULL);
    free(commit_at);
    free(lat);
}

/* ---- waiting for the nodes to know each other ---- */

typedef struct {
    unsigned self;
    bool all;
} admitted_call_t;

static void
read_admitted(node_t *node, void *arg)
{
    admitted_call_t *a = arg;

    for (unsigned peer = 0; peer < TPS_NODES; peer++)
        if (peer != a->self && (node == NULL || !node_admitted(node, peer)))
            a->all = false;
}

/* The nodes show each other their certificates first; a tx handed to node0 before it has
 * admitted its peers would not be broadcast to them (and under Raft only the leader seals). */
static bool
wait_connected(world_t *w)
{
    struct timespec pause = { 0, 2000000 };
    double start = bench_seconds();

    while (bench_seconds() - start < TPS_LIMIT_S) {
        admitted_call_t a = { .all = true };

        for (a.self = 0; a.self < TPS_NODES && a.all; a.self++)
            world_call(w, a.self, read_admitted, &a);
        if (a.all)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

static double
cpu_seconds(void)
{
    struct rusage u;

    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static bool
wait_committed(tps_run_t *r, world_t *w, double start)
{
    struct timespec pause = { 0, 2000000 };
    progress_t p = { 0 };

    while (bench_seconds() - start < TPS_LIMIT_S) {
        world_call(w, 0, read_progress, &p);
        if (p.total >= (int64_t)r->n)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

/* ---- the TUI beside the nodes (--with-tui) ---- */

typedef struct {
    world_t *w;
    int master;          /* the pseudo-terminal's master side: what a terminal would show */
    FILE *slave;         /* the TUI reads and writes the slave side */
    atomic_bool stop;
    pthread_t draw, drain;
} tui_beside_t;

static void *
draw_thread(void *arg)
{
    tui_beside_t *b = arg;
    tui_opts_t o = { .view = 1, .in = b->slave, .out = b->slave, .stop = &b->stop };

    tui_run(b->w, &o);
    return NULL;
}

/* Nobody looks at the screen: read and forget it, so that the TUI never blocks on a full
 * pseudo-terminal. */
static void *
drain_thread(void *arg)
{
    tui_beside_t *b = arg;
    char buf[4096];

    while (!atomic_load(&b->stop) && read(b->master, buf, sizeof buf) > 0)
        ;
    return NULL;
}

static int
start_tui(tui_beside_t *b, world_t *w)
{
    const char *name;

    memset(b, 0, sizeof *b);
    b->w = w;
    atomic_init(&b->stop, false);
    b->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (b->master < 0 || grantpt(b->master) != 0 || unlockpt(b->master) != 0 ||
        (name = ptsname(b->master)) == NULL || (b->slave = fopen(name, "r+")) == NULL) {
        if (b->master >= 0)
            close(b->master);
        return bl_fail(BL_E_IO, "cannot open a pseudo-terminal for --with-tui");
    }
    setenv("TERM", "xterm-256color", 0);
    setenv("LINES", "50", 1); /* a big terminal: four views at once */
    setenv("COLUMNS", "200", 1);
    pthread_create(&b->drain, NULL, drain_thread, b);
    pthread_create(&b->draw, NULL, draw_thread, b);
    return BL_OK;
}

static void
stop_tui(tui_beside_t *b)
{
    atomic_store(&b->stop, true);
    pthread_join(b->draw, NULL);
    fclose(b->slave); /* the drain's read now ends */
    pthread_join(b->drain, NULL);
    close(b->master);
}

/* ---- one run ---- */

static world_t *
open_world(const char *consensus, const char *storage, uint64_t seed)
{
    world_opts_t o = world_default_opts();

    o.nodes = TPS_NODES;
    o.groups = 1;
    o.consensus = consensus;
    o.storage = storage;
    o.seed = seed;
    o.rate = 0; /* no load but the bench's */
    return world_open(&o);
}

static int
run_one(tps_run_t *r, const char *consensus, const char *storage, uint64_t seed,
        bool with_tui, tps_result_t *out)
{
    world_t *w;
    tui_beside_t tui;
    double base, start, cpu;
    int rc = BL_OK;

    memset(out, 0, sizeof *out);
    if ((w = open_world(consensus, storage, seed)) == NULL)
        return BL_E_INVALID;
    if (!wait_connected(w)) {
        world_close(w);
        return bl_fail(BL_E_INVALID, "the nodes did not admit each other");
    }
    if (with_tui && (rc = start_tui(&tui, w)) != BL_OK) {
        world_close(w);
        return rc;
    }
    cpu = cpu_seconds();
    start = bench_seconds();
    base = start - (double)world_now(w) / 1000; /* event times are on the world's clock */
    for (unsigned i = 0; rc == BL_OK && i < r->n; i += TPS_SUBMIT_CHUNK) {
        submit_chunk_t s = { r, i, i + TPS_SUBMIT_CHUNK < r->n ? i + TPS_SUBMIT_CHUNK : r->n, 0 };

        world_call(w, 0, submit_chunk, &s);
        if (s.refused > 0)
            rc = bl_fail(BL_E_INVALID, "node0 refused %u txs (is %s available?)", s.refused,
                         consensus);
    }
    if (rc == BL_OK && (out->done = wait_committed(r, w, start))) {
        out->tps = r->n / (bench_seconds() - start);
        out->cpu_us = (cpu_seconds() - cpu) / r->n * 1e6;
    }
    if (with_tui)
        stop_tui(&tui);
    if (out->done)
        latencies(r, w, base, out);
    world_close(w);
    return rc;
}

/* ---- the ceiling ---- */

static double
recover_rate(tps_run_t *r)
{
    unsigned n = r->n < TPS_CEILING_SAMPLE ? r->n : TPS_CEILING_SAMPLE;
    double start = bench_seconds();

    for (unsigned i = 0; i < n; i++) {
        tx_t tx;

        tx_init(&tx);
        tx_decode(r->suite, bl_buf_span(&r->raw[i]), &tx); /* decoding recovers the sender */
        tx_free(&tx);
    }
    return n / (bench_seconds() - start);
}

/* ---- options and output ---- */

static const struct option tps_options[] = {
    { "txs", required_argument, NULL, 'n' },
    { "consensus", required_argument, NULL, 'c' },
    { "storage", required_argument, NULL, 's' },
    { "seed", required_argument, NULL, 'S' },
    { "with-tui", no_argument, NULL, 'T' },
    { NULL, 0, NULL, 0 },
};

static int
parse_opts(int argc, char **argv, tps_opts_t *o)
{
    int opt, rc = CLI_OK;

    *o = (tps_opts_t){ .txs = 20000, .seed = 1 };
    snprintf(o->consensus, sizeof o->consensus, "pbft,raft");
    snprintf(o->storage, sizeof o->storage, "memory,rocksdb");
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", tps_options, NULL)) != -1) {
        switch (opt) {
        case 'n': rc = cli_parse_uint("txs", optarg, 1, 1000000, &o->txs); break;
        case 'c': snprintf(o->consensus, sizeof o->consensus, "%s", optarg); break;
        case 's': snprintf(o->storage, sizeof o->storage, "%s", optarg); break;
        case 'S': rc = cli_parse_uint("seed", optarg, 0, 0xffffffffu, &o->seed); break;
        case 'T': o->with_tui = true; break;
        default:
            rc = cli_fail(NULL, "unknown or incomplete option '%s'; see --help", argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    return rc;
}

static void
setup_run(tps_run_t *r, unsigned n)
{
    memset(r, 0, sizeof *r);
    r->suite = suite_ecdsa();
    r->n = n;
    r->raw = bl_xcalloc(n, sizeof *r->raw);
    r->hashes = bl_xcalloc(n, 32);
    r->submitted = bl_xcalloc(n, sizeof *r->submitted);
}

static void
free_run(tps_run_t *r)
{
    for (unsigned i = 0; i < r->n; i++)
        bl_buf_free(&r->raw[i]);
    free(r->raw);
    free(r->hashes);
    free(r->submitted);
}

int
bench_tps(int argc, char **argv)
{
    tps_opts_t o;
    tps_run_t r;
    double rate, ceiling;
    unsigned cores = pte_default_workers();
    int rc;
    char *save_c = NULL;

    if ((rc = parse_opts(argc, argv, &o)) != CLI_OK)
        return rc;
    setup_run(&r, o.txs);
    fprintf(stderr, "  signing %u transactions ...\n", o.txs);
    if ((rc = sign_txs(&r, o.seed)) != BL_OK)
        goto out;
    rate = recover_rate(&r);
    ceiling = rate * cores / TPS_NODES;
    printf("bench tps: %d nodes on the threads driver, one group, %u pre-signed DagTransfer "
           "userAdd txs handed to node0%s\n", TPS_NODES, o.txs,
           o.with_tui ? ", the TUI drawing beside them (into a pseudo-terminal)" : "");
    printf("ceiling: sender recovery %.0f/s on one core x %u cores / %d nodes = %.0f tx/s "
           "(every node checks every tx once)\n\n", rate, cores, TPS_NODES, ceiling);
    printf("consensus storage       tps   p50 ms   p99 ms  cpu us/tx  of ceiling\n");
    for (char *c = strtok_r(o.consensus, ",", &save_c); c != NULL && rc == BL_OK;
         c = strtok_r(NULL, ",", &save_c)) {
        char storages[64], *save_s = NULL;

        snprintf(storages, sizeof storages, "%s", o.storage);
        for (char *s = strtok_r(storages, ",", &save_s); s != NULL;
             s = strtok_r(NULL, ",", &save_s)) {
            tps_result_t res;

            fprintf(stderr, "  %s, %s ...\n", c, s);
            if (run_one(&r, c, s, o.seed, o.with_tui, &res) != BL_OK || !res.done) {
                printf("%-9s %-8s  did not finish: %s\n", c, s,
                       res.done ? bl_errmsg() : "not every tx committed in time");
                continue;
            }
            printf("%-9s %-8s %6.0f %8.1f %8.1f %10.1f %10.0f%%\n", c, s, res.tps, res.p50_ms,
                   res.p99_ms, res.cpu_us, 100 * res.tps / ceiling);
        }
    }
out:
    free_run(&r);
    return rc == BL_OK ? CLI_OK : cli_fail(NULL, "%s", bl_errmsg());
}
