/*
 * bench.c — `bcoslab bench`: measurements that belong in numbers, not in unit tests.
 *
 * `bench storage` answers the storage chapter's question — how much does a provable state with
 * history cost? — by running one workload on every world-state model and backend:
 *
 *   N accounts, created in a first block; then B blocks of M writes each, every write a random
 *   account's balance or one of its storage slots; one commit per block.
 *
 * The same writes (the same seed) go to StorageState (table rows) and MPTState (tries), each
 * over an in-memory store and over RocksDB (StorageState also over SQLite tables). The raw rate
 * of RocksDB batch puts — the same number of keys per batch, nothing else — is printed first as
 * the ceiling no state model on RocksDB can beat. Times are the wall clock around the blocks
 * (not the setup block); the ratios compare each line with StorageState on the same backend.
 */
#include <ftw.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/bench.h"
#include "app/cli.h"
#include "base/error.h"
#include "base/rng.h"
#include "storage/amdb.h"
#include "storage/state.h"
#include "storage/store.h"

#define BENCH_CACHE_BYTES (32u << 20)

typedef struct {
    unsigned accounts;
    unsigned writes;
    unsigned blocks;
    uint64_t seed;
    const char *dir;  /* where the databases go; a fresh temporary directory if NULL */
} storage_opts_t;

/* One line of the result table. */
typedef struct {
    const char *model;    /* "storage", "mpt", or NULL for the raw RocksDB line */
    const char *backend;  /* "memory", "rocksdb", "sqlite" */
    double seconds;
    uint8_t root[32];
} storage_run_t;

double
bench_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
account_address(unsigned n, uint8_t addr[20])
{
    memset(addr, 0, 20);
    addr[0] = 0xbe;
    bl_put_be(addr + 12, n, 8);
}

/* ---- the layers under a state, opened and closed together ---- */

typedef struct {
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
} stack_t;

static int
stack_open(const char *model, const char *backend, const char *path, stack_t *st)
{
    const char *kv_backend = strcmp(backend, "sqlite") == 0 ? "memory" : backend;
    int err;

    memset(st, 0, sizeof *st);
    if ((err = kv_open(kv_backend, path, &st->kv)) != BL_OK)
        return err;
    if (strcmp(model, "mpt") == 0)
        return state_mpt_open(st->kv, suite_ecdsa(), &st->state);
    err = strcmp(backend, "sqlite") == 0 ? store_sqlite_open(path, &st->store)
                                         : store_kv_open(st->kv, &st->store);
    /* FISCO runs table storage behind its read cache (CachedStorage, 32 MB in the generated
     * group ini); a database backend gets the same here */
    if (err == BL_OK && strcmp(backend, "memory") != 0)
        err = store_cache_open(st->store, BENCH_CACHE_BYTES, &st->store);
    if (err == BL_OK)
        err = amdb_open(st->store, suite_ecdsa(), &st->db);
    if (err == BL_OK)
        err = state_table_open(st->db, suite_ecdsa(), &st->state);
    return err;
}

static void
stack_close(stack_t *st)
{
    state_close(st->state);
    if (st->db != NULL)
        amdb_close(st->db);
    if (st->store != NULL)
        store_close(st->store);
    if (st->kv != NULL)
        kv_close(st->kv);
}

/* ---- the workload ---- */

static int
create_accounts(state_t *s, const storage_opts_t *o)
{
    uint8_t addr[20], root[32];
    bl_u256_t balance;
    int err = BL_OK;

    bl_u256_from_u64(&balance, 1000000);
    for (unsigned i = 0; i < o->accounts && err == BL_OK; i++) {
        account_address(i, addr);
        err = state_set_balance(s, addr, &balance);
    }
    return err != BL_OK ? err : state_commit(s, 0, root);
}

/* One write: half of them a balance, half a storage slot (one of 16 per account). */
static int
random_write(state_t *s, bl_rng_t *rng, const storage_opts_t *o)
{
    uint8_t addr[20], slot[32] = { 0 }, value[32] = { 0 };
    bl_u256_t v;
    uint64_t x = bl_rng_next(rng);

    account_address((unsigned)bl_rng_below(rng, o->accounts), addr);
    if (x & 1) {
        bl_u256_from_u64(&v, x >> 1);
        return state_set_balance(s, addr, &v);
    }
    slot[31] = (uint8_t)(x >> 1 & 15);
    bl_put_be(value + 24, x >> 5, 8);
    return state_set_storage(s, addr, slot, value);
}

static int
run_state(const storage_opts_t *o, const char *dir, storage_run_t *r)
{
    char path[1024];
    stack_t st;
    bl_rng_t rng;
    double start;
    int err;

    snprintf(path, sizeof path, "%s/%s-%s", dir, r->model, r->backend);
    if ((err = stack_open(r->model, r->backend, path, &st)) != BL_OK ||
        (err = create_accounts(st.state, o)) != BL_OK)
        goto out;
    bl_rng_seed(&rng, o->seed);
    start = bench_seconds();
    for (unsigned b = 1; b <= o->blocks && err == BL_OK; b++) {
        for (unsigned w = 0; w < o->writes && err == BL_OK; w++)
            err = random_write(st.state, &rng, o);
        if (err == BL_OK)
            err = state_commit(st.state, (int64_t)b, r->root);
    }
    r->seconds = bench_seconds() - start;
out:
    stack_close(&st);
    return err;
}

/* The ceiling: the same number of random 32-byte keys per batch, straight into RocksDB. */
static int
run_raw_rocksdb(const storage_opts_t *o, const char *dir, storage_run_t *r)
{
    char path[1024];
    kv_t *kv;
    kv_batch_t batch;
    bl_rng_t rng;
    uint8_t key[32], value[32];
    double start;
    int err;

    snprintf(path, sizeof path, "%s/raw-rocksdb", dir);
    if ((err = kv_open("rocksdb", path, &kv)) != BL_OK)
        return err;
    bl_rng_seed(&rng, o->seed);
    kv_batch_init(&batch);
    start = bench_seconds();
    for (unsigned b = 1; b <= o->blocks && err == BL_OK; b++) {
        kv_batch_clear(&batch);
        for (unsigned w = 0; w < o->writes; w++) {
            bl_rng_bytes(&rng, key, 32);
            bl_rng_bytes(&rng, value, 32);
            kv_batch_put(&batch, bl_span(key, 32), bl_span(value, 32));
        }
        err = kv_write(kv, &batch);
    }
    r->seconds = bench_seconds() - start;
    memset(r->root, 0, 32);
    kv_batch_free(&batch);
    kv_close(kv);
    return err;
}

/* ---- the report ---- */

static void
print_header(const storage_opts_t *o)
{
    printf("bench storage: %u accounts, %u writes per block, %u blocks, seed %llu\n",
           o->accounts, o->writes, o->blocks, (unsigned long long)o->seed);
    printf("(each write sets a random account's balance or one of 16 storage slots; one "
           "commit per block;\n table storage on RocksDB and SQLite behind a %u MB read "
           "cache, as FISCO runs it)\n\n", BENCH_CACHE_BYTES >> 20);
}

static const storage_run_t *
find_run(const storage_run_t *runs, size_t n, const char *model, const char *backend)
{
    for (size_t i = 0; i < n; i++) {
        bool same_model = model ? runs[i].model && strcmp(runs[i].model, model) == 0
                                : runs[i].model == NULL;
        if (same_model && strcmp(runs[i].backend, backend) == 0)
            return &runs[i];
    }
    return NULL;
}

/* Every line, with two ratios: the speed against table storage on the same backend, and
 * against the raw RocksDB ceiling for RocksDB lines. */
static void
print_table(const storage_opts_t *o, const storage_run_t *runs, size_t n)
{
    const storage_run_t *raw = find_run(runs, n, NULL, "rocksdb");
    double writes = (double)o->writes * o->blocks;

    printf("%-24s %10s %9s %11s %9s  %s\n", "state / backend", "writes/s", "ms/block",
           "vs storage", "vs raw", "state root after the last block");
    for (size_t i = 0; i < n; i++) {
        const storage_run_t *r = &runs[i], *base = find_run(runs, n, "storage", r->backend);
        char name[64], vs_storage[16] = "", vs_raw[16] = "", root[20];

        snprintf(name, sizeof name, "%s / %s", r->model ? r->model : "raw batch put",
                 r->backend);
        if (r->model)
            snprintf(vs_storage, sizeof vs_storage, "%.2fx", base->seconds / r->seconds);
        if (strcmp(r->backend, "rocksdb") == 0)
            snprintf(vs_raw, sizeof vs_raw, "%.1f%%", 100.0 * raw->seconds / r->seconds);
        if (r->model)
            bl_hex_encode(r->root, 8, root);
        printf("%-24s %10.0f %9.2f %11s %9s  %s\n", name, writes / r->seconds,
               1000.0 * r->seconds / o->blocks, vs_storage, vs_raw,
               r->model ? strcat(root, "...") : "(the ceiling)");
    }
}

/* ---- options, and a scratch directory ---- */

static const struct option storage_options[] = {
    { "accounts", required_argument, NULL, 'n' },
    { "writes", required_argument, NULL, 'm' },
    { "blocks", required_argument, NULL, 'b' },
    { "seed", required_argument, NULL, 's' },
    { "dir", required_argument, NULL, 'd' },
    { NULL, 0, NULL, 0 },
};

static int
parse_storage_opts(int argc, char **argv, storage_opts_t *o)
{
    unsigned seed = 1;
    int opt, rc = CLI_OK;

    *o = (storage_opts_t){ .accounts = 10000, .writes = 1000, .blocks = 20, .seed = 1 };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", storage_options, NULL)) != -1) {
        switch (opt) {
        case 'n': rc = cli_parse_uint("accounts", optarg, 1, 10000000, &o->accounts);
                  break;
        case 'm': rc = cli_parse_uint("writes", optarg, 1, 1000000, &o->writes); break;
        case 'b': rc = cli_parse_uint("blocks", optarg, 1, 100000, &o->blocks); break;
        case 's': rc = cli_parse_uint("seed", optarg, 1, 0xffffffffu, &seed);
                  o->seed = seed;
                  break;
        case 'd': o->dir = optarg; break;
        default:
            rc = cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                          argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    return rc;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int
bench_storage(int argc, char **argv)
{
    storage_run_t runs[] = {
        { NULL, "rocksdb", 0, { 0 } },
        { "storage", "memory", 0, { 0 } }, { "mpt", "memory", 0, { 0 } },
        { "storage", "rocksdb", 0, { 0 } }, { "mpt", "rocksdb", 0, { 0 } },
        { "storage", "sqlite", 0, { 0 } },
    };
    size_t n = sizeof runs / sizeof runs[0];
    char tmp[] = "/tmp/bcoslab-bench-XXXXXX";
    const char *dir;
    storage_opts_t o;
    int err = BL_OK, rc = parse_storage_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    if ((dir = o.dir) == NULL && (dir = mkdtemp(tmp)) == NULL)
        return cli_fail(NULL, "cannot make a scratch directory in /tmp");
    print_header(&o);
    for (size_t i = 0; i < n && err == BL_OK; i++) {
        fprintf(stderr, "  running %s / %s ...\n", runs[i].model ? runs[i].model : "raw",
                runs[i].backend);
        err = runs[i].model ? run_state(&o, dir, &runs[i]) : run_raw_rocksdb(&o, dir, &runs[i]);
    }
    if (o.dir == NULL)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (err != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    print_table(&o, runs, n);
    printf("\nThe two models agree on every balance and slot (tests/unit/test_state.c); their "
           "roots differ\nby design: MPT's commits to the whole state, StorageState's is the "
           "block's dbHash.\n");
    return CLI_OK;
}

static const cli_command_t bench_commands[] = {
    { .name = "storage", .args = "[--accounts N] [--writes M] [--blocks B] [--seed S] [--dir DIR]",
      .run = bench_storage,
      .summary = "table storage vs the Merkle Patricia Trie, over memory, RocksDB and SQLite",
      .help = "N accounts (default 10000) are created in block 0; then B blocks (default 20) of\n"
              "M random writes each (default 1000) are committed in every configuration, and\n"
              "the raw RocksDB batch-put rate is printed as the ceiling. --dir keeps the\n"
              "databases there (default: a temporary directory, removed afterwards).\n" },
    { .name = "pte", .args = "[--txs N] [--runs R] [--workers W] [--seed S]", .run = bench_pte,
      .summary = "the parallel transaction executor against the serial one, by conflict rate",
      .help = "N signed DagTransfer transfers per block (default 2000) at 0, 10, 50 and 100%\n"
              "conflicts, executed by the serial executor and by the parallel one with 1..W\n"
              "workers (default: one per core), R times each (default 15); prints the median\n"
              "tx/s and the speedup over serial, with the senders recovered from the\n"
              "signatures as part of execution (A) and known beforehand (B).\n" },
    { .name = "tps", .args = "[--txs N] [--consensus pbft,raft] [--storage memory,rocksdb] "
              "[--with-tui]",
      .run = bench_tps,
      .summary = "transactions per second of a 4-node chain, against this machine's ceiling",
      .help = "4 nodes on the threads driver in one group; N pre-signed DagTransfer txs (default\n"
              "20000) handed to node0; prints TPS, commit latency p50/p99 and CPU time per tx for\n"
              "each consensus and storage, and the ceiling: one core's sender recoveries per\n"
              "second x cores / nodes (every node checks every tx once).\n"
              "--with-tui: the TUI draws the run into a pseudo-terminal meanwhile; compare the\n"
              "TPS with and without it.\n" },
    { .name = NULL },
};

int
bench_main(int argc, char **argv)
{
    return cli_dispatch("bench", bench_commands, argc - 1, argv + 1);
}
