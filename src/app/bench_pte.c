/*
 * bench_pte.c — `bcoslab bench pte`: how much faster does a block run on the parallel
 * executor than on the serial one, and how does that depend on conflicts?
 * (fisco-2x-facts §5.4: FISCO reports 2.91x on 4 cores for precompiled transfers.)
 *
 * The workload is FISCO's own: N signed DagTransfer userTransfer(from, to, 1) transactions in
 * one block. The users are made by userAdd in a first block (not timed). The block is built
 * four times, with 0%, 10%, 50% and 100% of its transfers conflicting — a conflicting
 * transfer sends from the user the previous one paid (util_dag_transfer_users), so at 100%
 * the DAG is a single chain and no executor can run its table work faster than serial.
 *
 * Each block is executed by the serial executor and by the parallel one with 1, 2, ...
 * workers, R times each, in turns (so a slow moment of the machine hits all of them alike);
 * every execution starts from the same state (the block's changes are rolled back) and must
 * give the serial executor's roots. The median time of each gives tx/s; the speedup over
 * serial is the median of the speedups of the single rounds (a serial and a parallel run a
 * fraction of a second apart), which this machine's drifting speed disturbs far less.
 *
 * What is timed: exec_block_execute, all of it — the DAG, every transaction, the state root
 * (dbHash), the receipts root. Two tables:
 *   A. "recover + execute": the transactions arrive without senders, and running one starts
 *      with recovering its sender from the signature, as FISCO's executive does
 *      (tx->sender()); the workers do that in parallel, and a worker with nothing ready to
 *      run — while the DAG is built, or when conflicts leave it idle — recovers senders
 *      ahead, so even a chain gains here. This is what a node does with a block it
 *      receives, and a recovery (~50 us) costs far more than a transfer's table work.
 *   B. "execute only": senders known beforehand (as after the tx pool checked them); only the
 *      table work runs. The speedup is lower: every transaction publishes its writes under
 *      the block's write lock, and the DAG and the roots are serial work.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/bench.h"
#include "app/cli.h"
#include "app/util.h"
#include "base/error.h"
#include "base/rng.h"
#include "codec/abi.h"
#include "crypto/key.h"
#include "exec/executor.h"
#include "exec/precompiled.h"
#include "storage/kv.h"
#include "storage/store.h"

#define PTE_RATES 4
#define PTE_KEYS 8
#define PTE_MAX_CONFIGS 65 /* serial and up to 64 workers */

static const unsigned conflict_rates[PTE_RATES] = { 0, 10, 50, 100 };

typedef struct {
    unsigned txs;
    unsigned runs;
    unsigned workers; /* the most workers tried */
    uint64_t seed;
} pte_bench_opts_t;

typedef struct {
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
    keypair_t keys[PTE_KEYS];
} pte_bench_t;

/* ---- the chain and its blocks ---- */

static int
bench_open(pte_bench_t *b, uint64_t seed)
{
    bl_rng_t rng;
    int rc = kv_open("memory", NULL, &b->kv);

    memset(b->keys, 0, sizeof b->keys);
    if (rc == BL_OK)
        rc = store_kv_open(b->kv, &b->store);
    if (rc == BL_OK)
        rc = amdb_open(b->store, suite_ecdsa(), &b->db);
    if (rc == BL_OK)
        rc = state_table_open(b->db, suite_ecdsa(), &b->state);
    bl_rng_seed(&rng, seed);
    for (int i = 0; rc == BL_OK && i < PTE_KEYS; i++) {
        uint8_t priv[32];

        bl_rng_bytes(&rng, priv, 32);
        priv[0] = 0x01; /* well below the curve order */
        rc = keypair_from_priv(&b->keys[i], suite_ecdsa(), priv);
    }
    return rc;
}

static void
bench_close(pte_bench_t *b)
{
    for (int i = 0; i < PTE_KEYS; i++)
        keypair_clear(&b->keys[i]);
    if (b->state != NULL)
        state_close(b->state);
    if (b->db != NULL)
        amdb_close(b->db);
    if (b->store != NULL)
        store_close(b->store);
    if (b->kv != NULL)
        kv_close(b->kv);
}

/* One signed DagTransfer call; sig(args) is encoded with the ECDSA suite. */
static int
add_call(pte_bench_t *b, block_t *blk, const char *sig, const char *const *args, size_t n)
{
    tx_t tx;
    int rc;

    tx_init(&tx);
    bl_u256_from_u64(&tx.nonce, blk->ntxs + 1);
    bl_u256_from_u64(&tx.gas, 10000000);
    bl_u256_from_u64(&tx.block_limit, 500);
    tx.has_to = true;
    precompile_address(0x5002, tx.to);
    rc = abi_encode_call_text(suite_ecdsa(), sig, args, n, &tx.data);
    if (rc == BL_OK)
        rc = tx_sign(&tx, &b->keys[blk->ntxs % PTE_KEYS]);
    if (rc == BL_OK)
        block_add_tx(blk, &tx);
    tx_free(&tx);
    return rc;
}

/* Block 1: userAdd of every user the transfer blocks may name (2 per transfer at most). */
static int
setup_users(pte_bench_t *b, unsigned nusers)
{
    pte_opts_t serial = { .serial = true };
    block_t blk;
    int rc = BL_OK;

    block_init(&blk);
    blk.header.number = 1;
    for (unsigned u = 0; rc == BL_OK && u < nusers; u++) {
        char name[24];
        const char *args[] = { name, "1000000000" };

        snprintf(name, sizeof name, "u%u", u);
        rc = add_call(b, &blk, "userAdd(string,uint256)", args, 2);
    }
    if (rc == BL_OK)
        rc = exec_block_execute(suite_ecdsa(), b->db, b->state, &blk, &serial);
    for (size_t i = 0; rc == BL_OK && i < blk.nreceipts; i++)
        if (blk.receipts[i].status != 0)
            rc = bl_fail(BL_E_INVALID, "setup: userAdd %zu failed", i);
    if (rc == BL_OK)
        rc = amdb_commit(b->db, 1);
    block_free(&blk);
    return rc;
}

/* Block 2 at one conflict rate: N transfers of 1 from user to user. */
static int
transfer_block(pte_bench_t *b, const pte_bench_opts_t *o, unsigned rate, block_t *blk)
{
    size_t *users = bl_xcalloc(2 * (size_t)o->txs, sizeof *users), nusers;
    bl_rng_t rng;
    int rc = BL_OK;

    block_init(blk);
    blk->header.number = 2;
    blk->header.timestamp = 1700000000000LL;
    bl_rng_seed(&rng, o->seed + rate);
    util_dag_transfer_users(&rng, o->txs, rate, users, &nusers);
    for (unsigned i = 0; rc == BL_OK && i < o->txs; i++) {
        char from[24], to[24];
        const char *args[] = { from, to, "1" };

        snprintf(from, sizeof from, "u%zu", users[2 * i]);
        snprintf(to, sizeof to, "u%zu", users[2 * i + 1]);
        rc = add_call(b, blk, "userTransfer(string,string,uint256)", args, 3);
    }
    free(users);
    return rc;
}

/* ---- measuring ---- */

/* What must not depend on the executor: the roots of the header. */
static void
roots_of(const block_t *blk, uint8_t out[96])
{
    memcpy(out, blk->header.state_root, 32);
    memcpy(out + 32, blk->header.receipt_root, 32);
    memcpy(out + 64, blk->header.tx_root, 32);
}

/* Execute blk once with config c (0: serial, else c workers) and roll back; *secs is the
 * time of exec_block_execute. The roots must equal want (set by the first, serial, call). */
static int
run_once(pte_bench_t *b, block_t *blk, unsigned c, bool recover, uint8_t want[96],
         bool first, double *secs, unsigned *levels)
{
    pte_trace_t trace;
    pte_opts_t o = { .serial = c == 0, .workers = c, .recover_senders = recover,
                     .trace = &trace };
    uint8_t got[96];
    double start;
    int rc;

    for (size_t i = 0; recover && i < blk->ntxs; i++)
        memset(blk->txs[i].sender, 0, 20); /* recovered again, for real */
    start = bench_seconds();
    rc = exec_block_execute(suite_ecdsa(), b->db, b->state, blk, &o);
    *secs = bench_seconds() - start;
    *levels = trace.dag.nlevels;
    pte_trace_free(&trace);
    amdb_rollback(b->db);
    if (rc != BL_OK)
        return rc;
    roots_of(blk, got);
    if (first)
        memcpy(want, got, 96);
    else if (memcmp(want, got, 96) != 0)
        return bl_fail(BL_E_INVALID, "with %u workers the block's roots differ from the serial "
                       "executor's: the executors disagree", c);
    return BL_OK;
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* What one table shows, per conflict rate r and configuration c (0: serial, else c workers):
 * the median time of a block, and the median of the speedups measured run by run. */
typedef struct {
    double *median;   /* [r * nconf + c] seconds */
    double *speedup;  /* [r * nconf + c] serial time / time, taken in the same round */
} pte_numbers_t;

static double
median_of(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, compare_double);
    return v[n / 2];
}

/* One table: for each rate, every configuration R times in turns (serial, 1 worker, 2 ...,
 * then again). This machine's speed drifts by 20% over seconds, so a speedup is taken within a
 * round — serial and parallel a fraction of a second apart — and the median of those is
 * printed; the tx/s columns are the median times. */
static int
measure(pte_bench_t *b, const pte_bench_opts_t *o, block_t *blocks, bool recover,
        pte_numbers_t *out, unsigned *levels)
{
    unsigned nconf = o->workers + 1;
    double *secs = bl_xcalloc((size_t)nconf * o->runs, sizeof *secs);
    double *ratio = bl_xcalloc(o->runs, sizeof *ratio);
    uint8_t want[96];
    int rc = BL_OK;

    for (unsigned r = 0; rc == BL_OK && r < PTE_RATES; r++) {
        double warmup;

        fprintf(stderr, "  %s, %u%% conflicts ...\n", recover ? "A" : "B", conflict_rates[r]);
        /* One round first that is not counted: it sets the serial roots, and the first runs
         * of a block pay for touching new memory (the allocator, each worker's arena). */
        for (unsigned c = 0; rc == BL_OK && c < nconf; c++)
            rc = run_once(b, &blocks[r], c, recover, want, c == 0, &warmup, &levels[r]);
        for (unsigned run = 0; rc == BL_OK && run < o->runs; run++)
            for (unsigned c = 0; rc == BL_OK && c < nconf; c++)
                rc = run_once(b, &blocks[r], c, recover, want, false,
                              &secs[c * o->runs + run], &levels[r]);
        for (unsigned c = 0; rc == BL_OK && c < nconf; c++) {
            for (unsigned run = 0; run < o->runs; run++)
                ratio[run] = secs[run] / secs[c * o->runs + run];
            out->speedup[r * nconf + c] = median_of(ratio, o->runs);
        }
        for (unsigned c = 0; rc == BL_OK && c < nconf; c++)
            out->median[r * nconf + c] = median_of(&secs[c * o->runs], o->runs);
    }
    free(ratio);
    free(secs);
    return rc;
}

static void
print_table(const pte_bench_opts_t *o, bool recover, const pte_numbers_t *n,
            const unsigned *levels)
{
    unsigned nconf = o->workers + 1;

    printf("\n%s\n", recover
           ? "A. recover + execute: running a transaction starts with recovering its sender "
             "from the signature"
           : "B. execute only: senders known beforehand, only the table work runs");
    printf("%9s %6s %15s", "conflicts", "levels", "serial");
    for (unsigned c = 1; c < nconf; c++) {
        char head[24];
        snprintf(head, sizeof head, "%u worker%s", c, c == 1 ? "" : "s");
        printf(" %21s", head);
    }
    printf("\n");
    for (unsigned r = 0; r < PTE_RATES; r++) {
        const double *m = &n->median[r * nconf], *x = &n->speedup[r * nconf];

        printf("%8u%% %6u %10.0f tx/s", conflict_rates[r], levels[r], o->txs / m[0]);
        for (unsigned c = 1; c < nconf; c++)
            printf(" %10.0f tx/s %5.2fx", o->txs / m[c], x[c]);
        printf("\n");
    }
}

/* ---- options and the command ---- */

static const struct option pte_options[] = {
    { "txs", required_argument, NULL, 'n' },
    { "runs", required_argument, NULL, 'r' },
    { "workers", required_argument, NULL, 'w' },
    { "seed", required_argument, NULL, 's' },
    { NULL, 0, NULL, 0 },
};

static int
parse_pte_opts(int argc, char **argv, pte_bench_opts_t *o)
{
    unsigned seed = 1;
    int opt, rc = CLI_OK;

    *o = (pte_bench_opts_t){ .txs = 2000, .runs = 15, .workers = pte_default_workers(),
                             .seed = 1 };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", pte_options, NULL)) != -1) {
        switch (opt) {
        case 'n': rc = cli_parse_uint("txs", optarg, 1, 100000, &o->txs); break;
        case 'r': rc = cli_parse_uint("runs", optarg, 1, 1000, &o->runs); break;
        case 'w': rc = cli_parse_uint("workers", optarg, 1, PTE_MAX_CONFIGS - 1, &o->workers);
                  break;
        case 's': rc = cli_parse_uint("seed", optarg, 1, 0xffffffffu, &seed);
                  o->seed = seed;
                  break;
        default:
            rc = cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                          argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    return rc;
}

static void
print_header(const pte_bench_opts_t *o)
{
    printf("bench pte: %u DagTransfer userTransfer txs per block, conflicts 0/10/50/100%%, "
           "serial executor\nand parallel with 1..%u workers (%u cores here), %u runs each "
           "(medians), seed %llu\n", o->txs, o->workers, pte_default_workers(), o->runs,
           (unsigned long long)o->seed);
    printf("timed: exec_block_execute: DAG, every transaction, dbHash, receipts root; "
           "not timed: signing,\nthe setup block (userAdd of the users), commit. "
           "A conflicting transfer sends from the user\nthe previous one paid: at 100%% the "
           "DAG is one chain. Every run gives the serial executor's roots.\n"
           "speedup: the median over the rounds of (serial time / time) within one round.\n");
}

int
bench_pte(int argc, char **argv)
{
    pte_bench_opts_t o;
    pte_bench_t b = { 0 };
    block_t blocks[PTE_RATES];
    pte_numbers_t a = { NULL, NULL }, bn = { NULL, NULL };
    size_t cells;
    unsigned levels[PTE_RATES] = { 0 };
    unsigned nblocks = 0;
    int rc = parse_pte_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    fprintf(stderr, "  signing %u transactions ...\n", 2 * o.txs + PTE_RATES * o.txs);
    if ((rc = bench_open(&b, o.seed)) == BL_OK)
        rc = setup_users(&b, 2 * o.txs);
    for (; rc == BL_OK && nblocks < PTE_RATES; nblocks++)
        rc = transfer_block(&b, &o, conflict_rates[nblocks], &blocks[nblocks]);
    cells = (size_t)PTE_RATES * (o.workers + 1);
    a = (pte_numbers_t){ bl_xcalloc(cells, sizeof (double)), bl_xcalloc(cells, sizeof (double)) };
    bn = (pte_numbers_t){ bl_xcalloc(cells, sizeof (double)), bl_xcalloc(cells, sizeof (double)) };
    if (rc == BL_OK)
        rc = measure(&b, &o, blocks, true, &a, levels);
    if (rc == BL_OK)
        rc = measure(&b, &o, blocks, false, &bn, levels);
    if (rc == BL_OK) {
        print_header(&o);
        print_table(&o, true, &a, levels);
        print_table(&o, false, &bn, levels);
    }
    for (unsigned i = 0; i < nblocks; i++)
        block_free(&blocks[i]);
    free(a.median);
    free(a.speedup);
    free(bn.median);
    free(bn.speedup);
    bench_close(&b);
    return rc == BL_OK ? CLI_OK : cli_fail(NULL, "%s", bl_errmsg());
}
