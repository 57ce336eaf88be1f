/*
 * test_pte.c — the parallel executor gives exactly what the serial executor gives
 * (exec/executor.c, exec/pte.c; DESIGN.md principle 6).
 *
 * The property: for hundreds of random blocks — DagTransfer calls of every method over user
 * pools from 2 names (nearly everything conflicts) to 40, calls with empty names (parallel,
 * no fields), serial barriers that write (ParallelConfig) and that do not (deployments, calls
 * to nobody, unknown methods), calls to a contract whose functions were registered as
 * parallel — the parallel executor with 1, 2, ... 8 workers produces byte for byte the serial
 * executor's receipts and header roots. And it kept the DAG's promise: no transaction started
 * before every transaction it waits for had ended.
 *
 * The seed is printed; BL_PTE_SEED=N replays a run. This program also runs under
 * ThreadSanitizer (make test), which checks that the workers share the tables correctly.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/rng.h"
#include "codec/abi.h"
#include "exec/executor.h"
#include "exec/precompiled.h"
#include "ledger/status.h"
#include "storage/kv.h"
#include "storage/store.h"

#define CHAINS 30
#define BLOCKS_PER_CHAIN 10
#define MAX_WORKERS 8
#define GENESIS_USERS 20
#define CONTRACT_BYTE 0xc0 /* the "contract" 0x00..00c0 (no code: calls end with status 26) */

static uint64_t seed;

typedef struct {
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
    int64_t number;
} chain_t;

static void
chain_open(chain_t *c, const char *backend, const char *dir)
{
    char path[600];

    memset(c, 0, sizeof *c);
    snprintf(path, sizeof path, "%s/%s", dir, backend);
    if (strchr(path, ':') != NULL)
        *strchr(path, ':') = '-';
    assert_int_equal(kv_open(strstr(backend, "rocksdb") ? "rocksdb" : "memory", path, &c->kv),
                     BL_OK);
    if (strstr(backend, "sqlite") != NULL) {
        assert_int_equal(store_sqlite_open(path, &c->store), BL_OK);
    } else {
        assert_int_equal(store_kv_open(c->kv, &c->store), BL_OK);
    }
    if (strncmp(backend, "cache:", 6) == 0)
        assert_int_equal(store_cache_open(c->store, 1 << 20, &c->store), BL_OK);
    assert_int_equal(amdb_open(c->store, suite_ecdsa(), &c->db), BL_OK);
    assert_int_equal(state_table_open(c->db, suite_ecdsa(), &c->state), BL_OK);
}

static void
chain_close(chain_t *c)
{
    state_close(c->state);
    amdb_close(c->db);
    store_close(c->store);
    kv_close(c->kv);
}

/* ---- random transactions ---- */

static void
base_tx(bl_rng_t *rng, tx_t *tx, uint16_t to)
{
    tx_init(tx);
    bl_u256_from_u64(&tx->gas, 100000000);
    tx->has_to = true;
    precompile_address(to, tx->to);
    memset(tx->sender, 0xa0 + (int)bl_rng_below(rng, 3), 20);
}

static void
encode(tx_t *tx, const char *sig, const char *const *args, size_t n)
{
    if (abi_encode_call_text(suite_ecdsa(), sig, args, n, &tx->data) != BL_OK)
        fail_msg("cannot encode %s: %s", sig, bl_errmsg());
}

static void
random_amount(bl_rng_t *rng, char out[80])
{
    uint64_t k = bl_rng_below(rng, 100);

    if (k < 5)
        strcpy(out, "0");
    else if (k < 8)
        strcpy(out, "115792089237316195423570985008687907853269984665640564039457584007913129"
                    "639935");
    else
        snprintf(out, 80, "%u", (unsigned)bl_rng_below(rng, 300) + 1);
}

/* A DagTransfer call of a random method over users u0 .. u<pool-1>. */
static void
dag_tx(bl_rng_t *rng, unsigned pool, tx_t *tx)
{
    static const char *const sigs[] = { "userTransfer(string,string,uint256)",
                                        "userTransfer(string,string,uint256)",
                                        "userTransfer(string,string,uint256)",
                                        "userSave(string,uint256)", "userDraw(string,uint256)",
                                        "userAdd(string,uint256)", "userBalance(string)" };
    char a[16], b[16], amount[80];
    size_t m = bl_rng_below(rng, sizeof sigs / sizeof sigs[0]);
    const char *args[3] = { a, b, amount };

    snprintf(a, sizeof a, "u%u", (unsigned)bl_rng_below(rng, pool));
    snprintf(b, sizeof b, "u%u", (unsigned)bl_rng_below(rng, pool));
    random_amount(rng, amount);
    base_tx(rng, tx, 0x5002);
    if (m < 3) {
        encode(tx, sigs[m], args, 3);
    } else if (m < 6) {
        args[1] = amount;
        encode(tx, sigs[m], args, 2);
    } else {
        encode(tx, sigs[m], args, 1);
    }
}

/* A serial barrier or an odd transaction. */
static void
odd_tx(bl_rng_t *rng, unsigned pool, tx_t *tx)
{
    static const char *const funcs[] = { "transfer(string,string,uint256)",
                                         "set(string,uint256)" };
    char u[16], size[8];
    const char *args[3] = { "0x00000000000000000000000000000000000000c0", NULL, size };
    uint64_t k = bl_rng_below(rng, 7);

    snprintf(u, sizeof u, "u%u", (unsigned)bl_rng_below(rng, pool));
    snprintf(size, sizeof size, "%u", (unsigned)bl_rng_below(rng, 4));
    args[1] = funcs[bl_rng_below(rng, 2)];
    base_tx(rng, tx, 0x1006);
    if (k == 0) {
        encode(tx, "registerParallelFunctionInternal(address,string,uint256)", args, 3);
    } else if (k == 1) {
        encode(tx, "unregisterParallelFunctionInternal(address,string)", args, 2);
    } else if (k == 2) {
        tx->has_to = false; /* a deployment */
    } else if (k == 3) {
        memset(tx->to, 0x77, 20); /* nobody lives there */
    } else if (k == 4) {
        const char *one[] = { u };
        precompile_address(0x5002, tx->to);
        encode(tx, "userSteal(string)", one, 1); /* no such method: runs alone */
    } else if (k == 5) {
        const char *empty[] = { "", u, "1" };
        precompile_address(0x5002, tx->to);
        encode(tx, "userTransfer(string,string,uint256)", empty, 3); /* no fields */
    } else {
        const char *t[] = { u, "u1", "5" };
        memset(tx->to, 0, 20);
        tx->to[19] = CONTRACT_BYTE;
        encode(tx, funcs[0], t, 3); /* parallel if registered; status 26 */
        bl_u256_from_u64(&tx->gas, bl_rng_below(rng, 8) == 0 ? 21000 : 100000000);
    }
}

static void
random_block(bl_rng_t *rng, int64_t number, block_t *blk)
{
    static const unsigned pools[] = { 2, 4, 8, 16, 40 };
    unsigned pool = pools[bl_rng_below(rng, 5)];
    size_t n = 1 + bl_rng_below(rng, 60);
    unsigned odd_pct = (unsigned)bl_rng_below(rng, 40);

    block_init(blk);
    blk->header.number = number;
    blk->header.timestamp = 1700000000000LL + number * 1000;
    for (size_t i = 0; i < n; i++) {
        tx_t tx;

        if (bl_rng_below(rng, 100) < odd_pct)
            odd_tx(rng, pool, &tx);
        else
            dag_tx(rng, pool, &tx);
        block_add_tx(blk, &tx);
        tx_free(&tx);
    }
}

/* Block 1: the first users, and C's transfer registered as parallel. */
static void
genesis_block(block_t *blk)
{
    block_init(blk);
    blk->header.number = 1;
    for (unsigned i = 0; i < GENESIS_USERS; i++) {
        char u[16];
        const char *args[] = { u, "1000" };
        tx_t tx;

        snprintf(u, sizeof u, "u%u", i);
        tx_init(&tx);
        bl_u256_from_u64(&tx.gas, 100000000);
        tx.has_to = true;
        precompile_address(0x5002, tx.to);
        encode(&tx, "userAdd(string,uint256)", args, 2);
        block_add_tx(blk, &tx);
        tx_free(&tx);
    }
}

/* ---- running and comparing ---- */

/* Everything a node would sign about the block: the header's roots and every receipt. */
static void
fingerprint(const block_t *blk, bl_buf_t *out)
{
    const header_t *h = &blk->header;

    bl_buf_clear(out);
    bl_buf_append(out, h->state_root, 32);
    bl_buf_append(out, h->db_hash, 32);
    bl_buf_append(out, h->tx_root, 32);
    bl_buf_append(out, h->receipt_root, 32);
    bl_buf_append(out, &h->gas_used, sizeof h->gas_used);
    for (size_t i = 0; i < blk->nreceipts; i++)
        receipt_encode(&blk->receipts[i], out);
}

/* No tx started before everything it waits for had ended; every tx ran on a worker 1..N. */
static void
assert_trace_keeps_the_dag(const pte_trace_t *t, unsigned workers)
{
    assert_int_equal(t->workers, workers);
    for (size_t i = 0; i < t->count; i++) {
        const txdag_node_t *n = &t->dag.nodes[i];

        assert_true(t->runs[i].worker >= 1 && t->runs[i].worker <= workers);
        assert_true(t->runs[i].start_ns <= t->runs[i].end_ns);
        for (size_t k = 0; k < n->npreds; k++)
            if (t->runs[n->preds[k]].end_ns > t->runs[i].start_ns)
                fail_msg("seed %llu: tx %zu started before tx %zu, which it waits for, ended",
                         (unsigned long long)seed, i, n->preds[k]);
    }
}

/* Execute blk with the serial executor (workers 0) or the parallel one. */
static void
execute(chain_t *c, block_t *blk, unsigned workers, pte_trace_t *trace)
{
    pte_opts_t o = { .serial = workers == 0, .workers = workers, .trace = trace };
    int rc = exec_block_execute(suite_ecdsa(), c->db, c->state, blk, &o);

    if (rc != BL_OK)
        fail_msg("seed %llu: block %lld, %u workers: %s", (unsigned long long)seed,
                 (long long)blk->header.number, workers, bl_errmsg());
}

/* Serial once, then 1..max workers, each from the same starting state and each compared
 * with serial; the last run's changes are committed. */
static void
check_block(chain_t *c, block_t *blk, unsigned max_workers)
{
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;

    execute(c, blk, 0, NULL);
    fingerprint(blk, &want);
    for (unsigned w = 1; w <= max_workers; w++) {
        pte_trace_t trace;

        amdb_rollback(c->db);
        execute(c, blk, w, &trace);
        fingerprint(blk, &got);
        if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
            fail_msg("seed %llu: block %lld (%zu txs, %u levels) with %u workers differs "
                     "from the serial executor (BL_PTE_SEED=%llu replays it)",
                     (unsigned long long)seed, (long long)blk->header.number, blk->ntxs,
                     trace.dag.nlevels, w, (unsigned long long)seed);
        assert_trace_keeps_the_dag(&trace, w);
        pte_trace_free(&trace);
    }
    assert_int_equal(amdb_commit(c->db, blk->header.number), BL_OK);
    bl_buf_free(&want);
    bl_buf_free(&got);
}

static void
run_chain(chain_t *c, bl_rng_t *rng, unsigned blocks, unsigned max_workers)
{
    block_t blk;

    genesis_block(&blk);
    execute(c, &blk, 0, NULL);
    assert_int_equal(amdb_commit(c->db, 1), BL_OK);
    block_free(&blk);
    for (unsigned b = 0; b < blocks; b++) {
        random_block(rng, 2 + b, &blk);
        check_block(c, &blk, max_workers);
        block_free(&blk);
    }
}

static void
pte_matches_serial_on_random_blocks(void **state)
{
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, seed);
    for (unsigned i = 0; i < CHAINS; i++) {
        chain_t c;

        chain_open(&c, "memory", tu_dir);
        run_chain(&c, &rng, BLOCKS_PER_CHAIN, MAX_WORKERS);
        chain_close(&c);
    }
}

/* The same on the database backends and behind the read cache: the stores are shared by
 * the workers too (store_cache.c and store_sqlite.c lock; RocksDB is thread-safe). */
static void
pte_matches_serial_on_every_backend(void **state)
{
    static const char *const backends[] = { "rocksdb", "sqlite", "cache:sqlite",
                                            "cache:memory" };
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, seed + 1);
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        chain_t c;

        chain_open(&c, backends[i], tu_dir);
        run_chain(&c, &rng, 4, 4);
        chain_close(&c);
    }
}

/* MPTState groups execute serially, as in FISCO: the trace says no workers ran. */
static void
pte_mpt_state_runs_serially(void **state)
{
    chain_t c;
    state_t *mpt;
    block_t blk;
    pte_trace_t trace;
    pte_opts_t o = { .workers = 4, .trace = &trace };

    (void)state;
    chain_open(&c, "memory", tu_dir);
    assert_int_equal(state_mpt_open(c.kv, suite_ecdsa(), &mpt), BL_OK);
    genesis_block(&blk);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, mpt, &blk, &o), BL_OK);
    assert_int_equal(trace.workers, 0);
    for (size_t i = 0; i < trace.count; i++)
        assert_int_equal(trace.runs[i].worker, 0);
    assert_int_equal(blk.receipts[0].status, TX_OK);
    pte_trace_free(&trace);
    block_free(&blk);
    state_close(mpt);
    chain_close(&c);
}

/* The end of a block: one root in every receipt, the header's roots and gas filled in; the
 * trace has the DAG's levels (independent users: one level) and the whole block's times. */
static void
pte_fills_receipts_and_header(void **state)
{
    chain_t c;
    block_t blk;
    pte_trace_t trace;
    pte_opts_t o = { .workers = 2, .trace = &trace };
    uint64_t gas = 0;
    uint8_t root[32];

    (void)state;
    chain_open(&c, "memory", tu_dir);
    genesis_block(&blk);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, NULL), BL_OK);
    assert_int_equal(blk.nreceipts, GENESIS_USERS);
    assert_int_equal(amdb_hash(c.db, root), BL_OK);
    assert_memory_equal(blk.header.state_root, root, 32);
    assert_memory_equal(blk.header.db_hash, root, 32);
    for (size_t i = 0; i < blk.nreceipts; i++) {
        assert_int_equal(blk.receipts[i].status, TX_OK);
        assert_memory_equal(blk.receipts[i].state_root, root, 32);
        gas += blk.receipts[i].gas_used;
    }
    assert_int_equal(blk.header.gas_used, gas);
    /* the roots are block_compute_roots' (the executor hashes the receipts on its workers) */
    {
        uint8_t tx_root[32], receipt_root[32];

        memcpy(tx_root, blk.header.tx_root, 32);
        memcpy(receipt_root, blk.header.receipt_root, 32);
        block_compute_roots(suite_ecdsa(), &blk);
        assert_memory_equal(blk.header.tx_root, tx_root, 32);
        assert_memory_equal(blk.header.receipt_root, receipt_root, 32);
    }
    /* executing again replaces the receipts (same changes: roll back first) */
    amdb_rollback(c.db);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o), BL_OK);
    assert_int_equal(blk.nreceipts, GENESIS_USERS);
    assert_memory_equal(blk.header.state_root, root, 32);
    assert_int_equal(trace.count, GENESIS_USERS);
    assert_int_equal(trace.dag.nlevels, 1);
    assert_true(trace.start_ns <= trace.runs[0].start_ns);
    {
        uint8_t receipt_root[32];

        memcpy(receipt_root, blk.header.receipt_root, 32);
        block_compute_roots(suite_ecdsa(), &blk);
        assert_memory_equal(blk.header.receipt_root, receipt_root, 32);
    }
    pte_trace_free(&trace);
    block_free(&blk);
    chain_close(&c);
}

static void
pte_empty_block(void **state)
{
    chain_t c;
    block_t blk;
    pte_opts_t o = { .workers = 3 };
    uint8_t zero[32] = { 0 }, want[32];

    (void)state;
    chain_open(&c, "memory", tu_dir);
    block_init(&blk);
    blk.header.number = 1;
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o), BL_OK);
    assert_int_equal(blk.nreceipts, 0);
    assert_memory_equal(blk.header.state_root, zero, 32);
    memcpy(want, blk.header.tx_root, 32); /* the empty transactionsRoot, as the ledger has it */
    block_compute_roots(suite_ecdsa(), &blk);
    assert_memory_equal(blk.header.tx_root, want, 32);
    block_free(&blk);
    chain_close(&c);
}

/* Senders recovered from the signatures on the workers give the same block as senders known
 * beforehand; a signature that does not verify fails the block, serial or parallel. */
static void
pte_recovers_senders(void **state)
{
    chain_t c;
    block_t blk;
    keypair_t kp;
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    pte_opts_t o = { .workers = 2, .recover_senders = true };

    (void)state;
    chain_open(&c, "memory", tu_dir);
    assert_int_equal(keypair_generate(&kp, suite_ecdsa()), BL_OK);
    genesis_block(&blk);
    for (size_t i = 0; i < blk.ntxs; i++)
        assert_int_equal(tx_sign(&blk.txs[i], &kp), BL_OK);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, NULL), BL_OK);
    fingerprint(&blk, &want);
    amdb_rollback(c.db);
    for (size_t i = 0; i < blk.ntxs; i++)
        memset(blk.txs[i].sender, 0, 20);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o), BL_OK);
    fingerprint(&blk, &got);
    assert_true(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
    amdb_rollback(c.db);
    memset(blk.txs[7].sig, 0, 32); /* r = 0: no key made this signature */
    for (unsigned serial = 0; serial < 2; serial++) {
        o.serial = serial;
        assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o),
                         BL_E_SIGNATURE);
        assert_non_null(strstr(bl_errmsg(), "transaction 7"));
        amdb_rollback(c.db);
    }
    keypair_clear(&kp);
    bl_buf_free(&want);
    bl_buf_free(&got);
    block_free(&blk);
    chain_close(&c);
}

/* Recovery ahead (pte.c): a worker with nothing ready to run — every helper while the DAG is
 * built, and any worker that conflicts leave idle — recovers the senders of transactions not
 * taken yet, from the block's end backwards; a worker that takes one still being recovered
 * waits for it. However the two meet, with 1 to 8 workers, random signed blocks (with their
 * chains of conflicts) give the serial executor's receipts and roots (with senders known
 * beforehand) and every sender right; a bad signature at the block's end — the first one
 * recovered ahead — fails the block and names it. Run under ThreadSanitizer too. */
static void
check_recovery_on_workers(chain_t *c, block_t *blk, keypair_t kp[3])
{
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    char name[40];

    for (size_t i = 0; i < blk->ntxs; i++)
        assert_int_equal(tx_sign(&blk->txs[i], &kp[i % 3]), BL_OK);
    execute(c, blk, 0, NULL);
    fingerprint(blk, &want);
    for (unsigned w = 1; w <= MAX_WORKERS; w++) {
        pte_opts_t o = { .workers = w, .recover_senders = true };

        amdb_rollback(c->db);
        for (size_t i = 0; i < blk->ntxs; i++)
            memset(blk->txs[i].sender, 0, 20);
        assert_int_equal(exec_block_execute(suite_ecdsa(), c->db, c->state, blk, &o), BL_OK);
        fingerprint(blk, &got);
        if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
            fail_msg("seed %llu: %zu signed txs, %u workers recovering senders differ from "
                     "the serial executor", (unsigned long long)seed, blk->ntxs, w);
        for (size_t i = 0; i < blk->ntxs; i++) {
            uint8_t signer[20];

            keypair_address(&kp[i % 3], signer);
            assert_memory_equal(blk->txs[i].sender, signer, 20);
        }
    }
    amdb_rollback(c->db);
    memset(blk->txs[blk->ntxs - 1].sig, 0, 32); /* r = 0: no key made this signature */
    snprintf(name, sizeof name, "transaction %zu", blk->ntxs - 1);
    for (unsigned w = 1; w <= MAX_WORKERS; w++) {
        pte_opts_t o = { .workers = w, .recover_senders = true };

        assert_int_equal(exec_block_execute(suite_ecdsa(), c->db, c->state, blk, &o),
                         BL_E_SIGNATURE);
        assert_non_null(strstr(bl_errmsg(), name));
        amdb_rollback(c->db);
    }
    bl_buf_free(&want);
    bl_buf_free(&got);
}

static void
pte_recovery_ahead_matches_serial_with_any_workers(void **state)
{
    chain_t c;
    block_t blk, first;
    keypair_t kp[3];
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, seed);
    chain_open(&c, "memory", tu_dir);
    genesis_block(&first);
    execute(&c, &first, 0, NULL);
    assert_int_equal(amdb_commit(c.db, 1), BL_OK);
    for (int k = 0; k < 3; k++)
        assert_int_equal(keypair_generate(&kp[k], suite_ecdsa()), BL_OK);
    for (int b = 0; b < 4; b++) {
        random_block(&rng, 2, &blk);
        check_recovery_on_workers(&c, &blk, kp);
        block_free(&blk);
    }
    for (int k = 0; k < 3; k++)
        keypair_clear(&kp[k]);
    block_free(&first);
    chain_close(&c);
}

/* At 100% conflicts the block is one chain: one worker runs it while the other, with nothing
 * ready, recovers senders from the chain's far end — so some transactions of a long chain run
 * with their sender recovered ahead (pte.c). (Over 300 transactions, one worker spends far
 * longer on the chain than a thread takes to start.) */
static void
pte_idle_worker_recovers_a_chain_ahead(void **state)
{
    chain_t c;
    block_t blk;
    keypair_t kp;
    pte_trace_t trace;
    pte_opts_t o = { .workers = 2, .recover_senders = true, .trace = &trace };
    size_t ahead = 0;

    (void)state;
    chain_open(&c, "memory", tu_dir);
    genesis_block(&blk);
    execute(&c, &blk, 0, NULL);
    assert_int_equal(amdb_commit(c.db, 1), BL_OK);
    block_free(&blk);
    assert_int_equal(keypair_generate(&kp, suite_ecdsa()), BL_OK);
    block_init(&blk);
    blk.header.number = 2;
    for (unsigned i = 0; i < 300; i++) {
        char from[16], to[16];
        const char *args[] = { from, to, "1" };
        tx_t tx;

        snprintf(from, sizeof from, "u%u", i % GENESIS_USERS);
        snprintf(to, sizeof to, "u%u", (i + 1) % GENESIS_USERS); /* the next one's sender */
        tx_init(&tx);
        bl_u256_from_u64(&tx.gas, 100000000);
        bl_u256_from_u64(&tx.nonce, i + 1);
        tx.has_to = true;
        precompile_address(0x5002, tx.to);
        encode(&tx, "userTransfer(string,string,uint256)", args, 3);
        assert_int_equal(tx_sign(&tx, &kp), BL_OK);
        memset(tx.sender, 0, 20);
        block_add_tx(&blk, &tx);
        tx_free(&tx);
    }
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o), BL_OK);
    assert_int_equal(trace.dag.nlevels, 300);
    for (size_t i = 0; i < blk.ntxs; i++)
        ahead += trace.runs[i].sender_early;
    assert_true(ahead > 0);
    pte_trace_free(&trace);
    keypair_clear(&kp);
    block_free(&blk);
    chain_close(&c);
}

/* The trace's clock can be the caller's (the simulator passes its virtual clock). */
static uint64_t
fake_clock(void *arg)
{
    return __atomic_add_fetch((uint64_t *)arg, 10, __ATOMIC_SEQ_CST);
}

static void
pte_uses_the_callers_clock(void **state)
{
    chain_t c;
    block_t blk;
    pte_trace_t trace;
    uint64_t ticks = 1000;
    pte_opts_t o = { .serial = true, .trace = &trace, .clock = fake_clock, .clock_arg = &ticks };

    (void)state;
    chain_open(&c, "memory", tu_dir);
    genesis_block(&blk);
    assert_int_equal(exec_block_execute(suite_ecdsa(), c.db, c.state, &blk, &o), BL_OK);
    assert_int_equal(trace.start_ns, 1010);
    assert_int_equal(trace.runs[0].start_ns, 1020);
    assert_int_equal(trace.runs[0].end_ns, 1030);
    assert_int_equal(trace.runs[1].start_ns, 1040);
    pte_trace_free(&trace);
    block_free(&blk);
    chain_close(&c);
}

/* The scheduler alone, stepped by hand on a diamond: tx0 → tx1, tx2 → tx3. */
static void
pte_scheduler_steps_a_diamond(void **state)
{
    static const char *const fields[][2] = { { "a", "b" }, { "a", NULL }, { "b", NULL },
                                             { "a", "b" } };
    txdag_t dag;
    pte_sched_t s;
    size_t id, next;

    (void)state;
    txdag_init(&dag);
    for (size_t i = 0; i < 4; i++) {
        critical_t c;

        critical_init(&c);
        for (size_t k = 0; k < 2 && fields[i][k] != NULL; k++)
            critical_add(&c, fields[i][k]);
        txdag_add(&dag, true, &c);
        critical_free(&c);
    }
    pte_sched_init(&s, &dag);
    assert_true(pte_sched_take(&s, &id));
    assert_int_equal(id, 0);
    assert_false(pte_sched_take(&s, &id)); /* the others wait for tx0 */
    assert_int_equal(pte_sched_finish(&s, 0, &next), 2);
    assert_int_equal(next, 1);             /* run by the worker that ran tx0 */
    assert_true(pte_sched_take(&s, &id));  /* tx2 was queued for another worker */
    assert_int_equal(id, 2);
    assert_int_equal(pte_sched_finish(&s, 1, &next), 0); /* tx3 still waits for tx2 */
    assert_false(pte_sched_done(&s));
    assert_int_equal(pte_sched_finish(&s, 2, &next), 1);
    assert_int_equal(next, 3);
    assert_int_equal(pte_sched_finish(&s, 3, &next), 0);
    assert_true(pte_sched_done(&s));
    pte_sched_free(&s);
    txdag_free(&dag);
}

static int
group_setup(void **state)
{
    const char *env = getenv("BL_PTE_SEED");

    seed = env != NULL ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("test_pte: seed %llu (BL_PTE_SEED=%llu replays this run)\n",
           (unsigned long long)seed, (unsigned long long)seed);
    return tu_setup_dir(state);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pte_matches_serial_on_random_blocks),
        cmocka_unit_test(pte_matches_serial_on_every_backend),
        cmocka_unit_test(pte_mpt_state_runs_serially),
        cmocka_unit_test(pte_fills_receipts_and_header),
        cmocka_unit_test(pte_empty_block),
        cmocka_unit_test(pte_recovers_senders),
        cmocka_unit_test(pte_recovery_ahead_matches_serial_with_any_workers),
        cmocka_unit_test(pte_idle_worker_recovers_a_chain_ahead),
        cmocka_unit_test(pte_uses_the_callers_clock),
        cmocka_unit_test(pte_scheduler_steps_a_diamond),
    };

    return cmocka_run_group_tests_name("pte", tests, group_setup, tu_teardown_dir);
}
