/*
 * grader.c — exercise 04: the transaction DAG of a block (tx_dag.h).
 *
 * Known answers first: hand-drawn blocks (the same kinds tests/unit/test_txdag.c checks the
 * project's DAG on: no conflicts, chains, diamonds, barriers in the middle and in a row, a
 * field named twice), then random blocks compared with FISCO's rule (txdag_edges_fisco).
 *
 * Then the student's DAG drives the executor (the hook txdag_edge_rule). A DAG that misses
 * an edge lets two conflicting transactions run in the wrong order — but only sometimes, when
 * the threads happen to take them that way. To make it show every time, the grader also runs
 * blocks on ONE thread that always takes, among the transactions the DAG says are ready, the
 * one that comes LAST in the block (the hook pte_serial_run): an order a worker pool could
 * always pick, and the one furthest from block order. A right DAG gives block order's result
 * under it; a DAG missing the edge "tx 2 waits for tx 0" runs tx 2 first. Blocks run that way
 * and on 4 worker threads must give the serial executor's receipts and roots; and a 4-node
 * PBFT cluster whose nodes all execute that way must commit blocks that block-order
 * re-execution reproduces.
 *
 * A block is written as one line, one transaction per '|': "a,b" is a parallel transaction
 * with critical fields a and b, "*" a serial barrier, "-" a parallel transaction with no
 * fields. Expected waits are written per transaction as the sorted list of the transactions
 * it waits for ("" for none).
 */
#include "grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterutil.h"
#include "testutil.h"

#include "base/error.h"
#include "base/rng.h"
#include "codec/abi.h"
#include "exec/executor.h"
#include "exec/precompiled.h"
#include "ledger/chain.h"
#include "ledger/status.h"
#include "node/group.h"
#include "storage/kv.h"
#include "storage/store.h"
#include "tx_dag.h"

/* ---- hand-drawn blocks ---- */

#define MAX_TXS 64
#define MAX_FIELDS 8

typedef struct {
    txdag_tx_t txs[MAX_TXS];
    char *names[MAX_TXS][MAX_FIELDS];
    size_t n;
} spec_block_t;

static void parse_spec(const char *spec, spec_block_t *b)
{
    char *copy = strdup(spec), *save = NULL;

    memset(b, 0, sizeof *b);
    for (char *tx = strtok_r(copy, "|", &save); tx != NULL; tx = strtok_r(NULL, "|", &save)) {
        txdag_tx_t *t = &b->txs[b->n];
        char *fsave = NULL;

        assert_true(b->n < MAX_TXS);
        t->parallel = strcmp(tx, "*") != 0;
        for (char *f = strtok_r(tx, ",", &fsave); t->parallel && f != NULL;
             f = strtok_r(NULL, ",", &fsave)) {
            if (strcmp(f, "-") == 0)
                continue;
            assert_true(t->nfields < MAX_FIELDS);
            b->names[b->n][t->nfields++] = strdup(f);
        }
        t->fields = (const char *const *)b->names[b->n];
        b->n++;
    }
    free(copy);
}

static void free_spec(spec_block_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        for (size_t k = 0; k < b->txs[i].nfields; k++)
            free(b->names[i][k]);
}

static void free_waits(txdag_waits_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i].preds);
    free(w);
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* "0,2": the sorted waits; false if one is listed twice or is not an earlier tx. */
static bool waits_text(const txdag_waits_t *w, size_t i, char *out, size_t cap)
{
    size_t *sorted = malloc((w->npreds + 1) * sizeof *sorted);
    bool ok = true;

    if (w->npreds > 0)
        memcpy(sorted, w->preds, w->npreds * sizeof *sorted);
    qsort(sorted, w->npreds, sizeof *sorted, compare_size);
    out[0] = '\0';
    for (size_t k = 0; k < w->npreds; k++) {
        snprintf(out + strlen(out), cap - strlen(out), "%s%zu", k ? "," : "", sorted[k]);
        ok = ok && sorted[k] < i && (k == 0 || sorted[k] != sorted[k - 1]);
    }
    free(sorted);
    return ok;
}

/* The student's waits for a block, which must succeed. */
static txdag_waits_t *student_waits(const spec_block_t *b, const char *spec)
{
    txdag_waits_t *w = calloc(b->n ? b->n : 1, sizeof *w);
    int rc = ex_dag_waits(b->txs, b->n, w);

    if (rc != 0)
        fail_msg("%s: ex_dag_waits returned %d", spec, rc);
    return w;
}

/* Check a hand-drawn block: `want` has the sorted waits of each tx. */
static void check(const char *spec, const char *const *want)
{
    spec_block_t b;
    txdag_waits_t *w;
    char text[256];

    parse_spec(spec, &b);
    w = student_waits(&b, spec);
    for (size_t i = 0; i < b.n; i++) {
        bool ok = waits_text(&w[i], i, text, sizeof text);

        if (!ok)
            fail_msg("%s: tx %zu waits for {%s}: each wait must be an EARLIER tx, listed "
                     "once", spec, i, text);
        if (strcmp(text, want[i]) != 0)
            fail_msg("%s: tx %zu waits for {%s}, expected {%s}", spec, i, text, want[i]);
    }
    free_waits(w, b.n);
    free_spec(&b);
}

/* §5.2: transactions that share no field do not wait for each other; nor does a block of
 * transactions without fields; an empty block is fine. */
static void independent_transactions_wait_for_nobody(void **state)
{
    static const char *const none[] = { "", "", "", "" };
    txdag_waits_t w[1] = { { NULL, 0 } };

    (void)state;
    check("a|b|c,d|e", none);
    check("-|-|-", none);
    check("alice,bob|carol,dave|erin", none);
    assert_int_equal(ex_dag_waits(NULL, 0, w), 0);
}

/* §5.2 "add edge last[c] -> tx; set last[c] = tx": a tx waits for the LAST earlier tx of each
 * of its fields, and only that one (the others are already behind it). */
static void a_transaction_waits_for_the_last_one_of_each_field(void **state)
{
    static const char *const chain[] = { "", "0", "1", "2", "3" };
    static const char *const through[] = { "", "0", "1", "2" };
    static const char *const diamond[] = { "", "0", "0", "1,2" };
    static const char *const last_only[] = { "", "", "0", "1,2" };
    static const char *const mixed[] = { "", "", "0", "", "1,3", "2,4" };

    (void)state;
    check("a|a|a|a|a", chain);
    check("a,b|b,c|c,d|d,e", through);
    check("a,b|a|b|a,b", diamond);
    check("a|b|a|a,b", last_only);
    check("x|y|x|z|y,z|x,z", mixed);
}

/* §5.2 "non-parallel tx (serial barrier): edges from every id in the map and the previous
 * barrier; clear the map": a barrier waits for everything before it (through the last tx of
 * each field), and what comes after waits for it. */
static void a_barrier_waits_for_all_before_and_all_after_wait_for_it(void **state)
{
    static const char *const middle[] = { "", "", "0", "1,2", "3", "3", "4" };
    static const char *const source[] = { "", "", "0", "0,1,2", "3", "3" };
    static const char *const in_a_row[] = { "", "0", "1", "2", "2", "2,3,4" };
    static const char *const first[] = { "", "0", "0", "0,1,2" };
    static const char *const only[] = { "", "0", "1" };

    (void)state;
    check("a|b|a|*|a|c|a", middle);
    check("alice,bob|carol,dave|bob,erin|*|alice,frank|gina,hal", source);
    check("*|*|*|a|b|*", in_a_row);
    check("*|a|b|*", first);
    check("*|*|*", only);
}

/* FISCO's loop adds nothing for a parallel tx with no fields: it waits for nobody, even after
 * a barrier (it touches nothing). */
static void a_transaction_without_fields_waits_for_nobody(void **state)
{
    static const char *const want[] = { "", "", "0", "" };
    static const char *const want2[] = { "", "", "1" };

    (void)state;
    check("a|-|*|-", want);
    check("-|*|a", want2);
}

/* A field named twice (a transfer from bob to bob), or a barrier meeting one tx as the last
 * of several fields, gives one wait, not two. */
static void each_wait_is_listed_once(void **state)
{
    static const char *const twice[] = { "", "0" };
    static const char *const both[] = { "", "0" };
    static const char *const barrier[] = { "", "0", "1" };

    (void)state;
    check("b,b|b,b", twice);
    check("a,b|a,b", both);
    check("a,b,c|*|a", barrier);
}

/* Random blocks: mostly parallel transactions over a few fields, some barriers. */
static void random_spec(bl_rng_t *rng, char *out, size_t cap)
{
    size_t n = 1 + bl_rng_below(rng, 40);
    unsigned pool = 2 + (unsigned)bl_rng_below(rng, 8);

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t nf = bl_rng_below(rng, 4);

        if (i > 0)
            snprintf(out + strlen(out), cap - strlen(out), "|");
        if (bl_rng_below(rng, 8) == 0) {
            snprintf(out + strlen(out), cap - strlen(out), "*");
            continue;
        }
        if (nf == 0)
            snprintf(out + strlen(out), cap - strlen(out), "-");
        for (size_t k = 0; k < nf; k++)
            snprintf(out + strlen(out), cap - strlen(out), "%sf%u", k ? "," : "",
                     (unsigned)bl_rng_below(rng, pool));
    }
}

/* The same waits as FISCO's rule (src/exec/txdag.c) on 500 random blocks. */
static void random_blocks_agree_with_fisco(void **state)
{
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, 4);
    for (int round = 0; round < 500; round++) {
        char spec[1024];
        spec_block_t b;
        txdag_waits_t *w, *want;

        random_spec(&rng, spec, sizeof spec);
        parse_spec(spec, &b);
        w = student_waits(&b, spec);
        want = calloc(b.n, sizeof *want);
        assert_int_equal(txdag_edges_fisco(b.txs, b.n, want), BL_OK);
        for (size_t i = 0; i < b.n; i++) {
            char got_text[256], want_text[256];

            if (!waits_text(&w[i], i, got_text, sizeof got_text))
                fail_msg("%s: tx %zu waits for {%s}: each wait must be an EARLIER tx, listed "
                         "once", spec, i, got_text);
            waits_text(&want[i], i, want_text, sizeof want_text);
            if (strcmp(got_text, want_text) != 0)
                fail_msg("%s: tx %zu waits for {%s}, FISCO's rule says {%s}", spec, i,
                         got_text, want_text);
        }
        free_waits(w, b.n);
        free_waits(want, b.n);
        free_spec(&b);
    }
}

/* ---- the executor with the student's DAG ---- */

/* One thread walking the DAG, always taking the ready transaction that comes last in the
 * block (see the top of this file). */
static int walk_latest_ready_first(pte_job_t *job)
{
    const txdag_t *d = job->dag;
    size_t *pending = calloc(d->count ? d->count : 1, sizeof *pending);
    bool *done = calloc(d->count ? d->count : 1, sizeof *done);
    int rc = BL_OK;

    for (size_t i = 0; i < d->count; i++)
        pending[i] = d->nodes[i].npreds;
    for (size_t step = 0; rc == BL_OK && step < d->count; step++) {
        size_t pick = d->count;

        for (size_t i = d->count; i-- > 0 && pick == d->count;)
            if (!done[i] && pending[i] == 0)
                pick = i;
        assert_true(pick < d->count); /* the edges run forward, so something is ready */
        rc = pte_run_tx(job, pick, 1);
        done[pick] = true;
        for (size_t k = 0; k < d->nodes[pick].nsuccs; k++)
            pending[d->nodes[pick].succs[k]]--;
    }
    free(pending);
    free(done);
    return rc;
}

static void use_student_dag(bool on)
{
    txdag_edge_rule = on ? ex_dag_waits : txdag_edges_fisco;
    pte_serial_run = on ? walk_latest_ready_first : pte_serial_in_block_order;
}

typedef struct {
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
} table_chain_t;

static void table_chain_open(table_chain_t *c)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(kv_memory_open(&c->kv), BL_OK);
    assert_int_equal(store_kv_open(c->kv, &c->store), BL_OK);
    assert_int_equal(amdb_open(c->store, suite_ecdsa(), &c->db), BL_OK);
    assert_int_equal(state_table_open(c->db, suite_ecdsa(), &c->state), BL_OK);
}

static void table_chain_close(table_chain_t *c)
{
    state_close(c->state);
    amdb_close(c->db);
    store_close(c->store);
    kv_close(c->kv);
}

/* A call to the precompile at `to`; the sender is set directly (the executor needs no
 * signature for it). */
static void add_call(block_t *blk, uint16_t to, const char *sig, const char *const *args,
                     size_t nargs)
{
    tx_t tx;

    tx_init(&tx);
    bl_u256_from_u64(&tx.gas, 100000000);
    tx.has_to = true;
    precompile_address(to, tx.to);
    memset(tx.sender, 0xa0, 20);
    if (abi_encode_call_text(suite_ecdsa(), sig, args, nargs, &tx.data) != BL_OK)
        fail_msg("cannot encode %s: %s", sig, bl_errmsg());
    block_add_tx(blk, &tx);
    tx_free(&tx);
}

static void transfer(block_t *blk, const char *from, const char *to, const char *amount)
{
    const char *args[3] = { from, to, amount };

    add_call(blk, 0x5002, "userTransfer(string,string,uint256)", args, 3);
}

static void user_call(block_t *blk, const char *method, const char *user, const char *amount)
{
    const char *args[2] = { user, amount };
    char sig[64];

    snprintf(sig, sizeof sig, "%s(string%s)", method, amount ? ",uint256" : "");
    add_call(blk, 0x5002, sig, args, amount ? 2 : 1);
}

/* A serial barrier that writes: ParallelConfig registers a function of some contract. */
static void barrier(block_t *blk)
{
    const char *args[3] = { "0x00000000000000000000000000000000000000c0",
                            "transfer(string,string,uint256)", "2" };

    add_call(blk, 0x1006, "registerParallelFunctionInternal(address,string,uint256)", args, 3);
}

static void new_block(block_t *blk, int64_t number)
{
    block_init(blk);
    blk->header.number = number;
    blk->header.timestamp = 1700000000000LL + number * 1000;
}

/* Everything a node would sign about the block: the header's roots and every receipt. */
static void fingerprint(const block_t *blk, bl_buf_t *out)
{
    const header_t *h = &blk->header;

    bl_buf_clear(out);
    bl_buf_append(out, h->state_root, 32);
    bl_buf_append(out, h->receipt_root, 32);
    for (size_t i = 0; i < blk->nreceipts; i++)
        receipt_encode(&blk->receipts[i], out);
}

static void execute(table_chain_t *c, block_t *blk, bool serial, unsigned workers)
{
    pte_opts_t o = { .serial = serial, .workers = workers };

    if (exec_block_execute(suite_ecdsa(), c->db, c->state, blk, &o) != BL_OK)
        fail_msg("block %lld did not execute: %s", (long long)blk->header.number, bl_errmsg());
}

/* Where the student's DAG for blk first differs from FISCO's, for the failure message. */
static void first_difference(const block_t *blk, char *out, size_t cap)
{
    txdag_t mine, fisco;

    snprintf(out, cap, "no difference from FISCO's edges found");
    txdag_init(&mine);
    txdag_init(&fisco);
    use_student_dag(true);
    if (txdag_build(&mine, suite_ecdsa(), NULL, blk->txs, blk->ntxs) != BL_OK)
        snprintf(out, cap, "the DAG could not be built: %s", bl_errmsg());
    use_student_dag(false);
    assert_int_equal(txdag_build(&fisco, suite_ecdsa(), NULL, blk->txs, blk->ntxs), BL_OK);
    for (size_t i = 0; i < mine.count && i < fisco.count; i++) {
        txdag_waits_t a = { mine.nodes[i].preds, mine.nodes[i].npreds };
        txdag_waits_t b = { fisco.nodes[i].preds, fisco.nodes[i].npreds };
        char ta[256], tb[256];

        waits_text(&a, i, ta, sizeof ta);
        waits_text(&b, i, tb, sizeof tb);
        if (strcmp(ta, tb) != 0) {
            snprintf(out, cap, "tx %zu waits for {%s} in your DAG, for {%s} in FISCO's", i, ta,
                     tb);
            break;
        }
    }
    txdag_free(&mine);
    txdag_free(&fisco);
}

/* blk in block order with FISCO's DAG, then the student's DAG on one thread (latest ready
 * first) and on 4 worker threads: the same receipts and roots each time. Commits blk. */
static void check_block(table_chain_t *c, block_t *blk)
{
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    static const char *const how[] = { "on one thread, latest ready transaction first",
                                       "on 4 worker threads" };

    execute(c, blk, true, 0);
    fingerprint(blk, &want);
    for (int run = 0; run < 2; run++) {
        amdb_rollback(c->db);
        use_student_dag(true);
        execute(c, blk, run == 0, run == 0 ? 0 : 4);
        use_student_dag(false);
        fingerprint(blk, &got);
        if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0) {
            char diff[600];

            first_difference(blk, diff, sizeof diff);
            fail_msg("block %lld (%zu txs) run with your DAG %s gives other receipts or "
                     "another state root than block order: %s", (long long)blk->header.number,
                     blk->ntxs, how[run], diff);
        }
    }
    assert_int_equal(amdb_commit(c->db, blk->header.number), BL_OK);
    bl_buf_free(&want);
    bl_buf_free(&got);
}

/* Balances that make order matter: u0 cannot pay both 60s, u1 can pay 150 only after it got
 * 60, u3 can draw 105 only after it got 10 — and a barrier in the middle. */
static void conflict_block(block_t *blk)
{
    new_block(blk, 2);
    transfer(blk, "u0", "u1", "60");   /* 0 */
    transfer(blk, "u2", "u3", "10");   /* 1 */
    transfer(blk, "u0", "u4", "60");   /* 2: fails, u0 has 40 left */
    transfer(blk, "u1", "u5", "150");  /* 3: needs tx 0's 60 */
    user_call(blk, "userDraw", "u3", "105"); /* 4: needs tx 1's 10 */
    barrier(blk);                      /* 5 */
    transfer(blk, "u5", "u6", "200");  /* 6: needs tx 3's 150 */
    user_call(blk, "userBalance", "u1", NULL); /* 7 */
    transfer(blk, "u6", "u1", "250");  /* 8: needs tx 6 */
    user_call(blk, "userBalance", "u1", NULL); /* 9 */
}

/* Random DagTransfer blocks over few users (much conflict) with some barriers. */
static void random_block(bl_rng_t *rng, int64_t number, block_t *blk)
{
    new_block(blk, number);
    for (size_t i = 0; i < 30; i++) {
        char a[16], b[16], amount[16];
        uint64_t k = bl_rng_below(rng, 10);

        snprintf(a, sizeof a, "u%u", (unsigned)bl_rng_below(rng, 6));
        snprintf(b, sizeof b, "u%u", (unsigned)bl_rng_below(rng, 6));
        snprintf(amount, sizeof amount, "%u", 1 + (unsigned)bl_rng_below(rng, 120));
        if (k < 6)
            transfer(blk, a, b, amount);
        else if (k == 6)
            user_call(blk, "userDraw", a, amount);
        else if (k == 7)
            user_call(blk, "userSave", a, amount);
        else if (k == 8)
            user_call(blk, "userBalance", a, NULL);
        else
            barrier(blk);
    }
}

/* DESIGN §1.6 / fisco-2x-facts §5.3: whatever order the DAG lets the workers take, the block
 * comes out as in block order — the promise a DAG must keep. */
static void executor_with_your_dag_matches_block_order(void **state)
{
    table_chain_t c;
    block_t blk;
    bl_rng_t rng;

    (void)state;
    use_student_dag(false);
    table_chain_open(&c);
    new_block(&blk, 1);
    for (unsigned i = 0; i < 7; i++) {
        char u[16];

        snprintf(u, sizeof u, "u%u", i);
        user_call(&blk, "userAdd", u, "100");
    }
    check_block(&c, &blk);
    block_free(&blk);
    conflict_block(&blk);
    check_block(&c, &blk);
    block_free(&blk);
    bl_rng_seed(&rng, 44);
    for (int64_t n = 3; n < 13; n++) {
        random_block(&rng, n, &blk);
        check_block(&c, &blk);
        block_free(&blk);
    }
    table_chain_close(&c);
}

/* ---- the cluster ---- */

#define G 1
#define LIMIT_MS 20000

/* One transaction of a batch: sig(args) to the precompile at `to`. */
typedef struct {
    uint16_t to;
    const char *sig;
    const char *args[3];
    size_t nargs;
} call_t;

#define TRANSFER(a, b, v) { 0x5002, "userTransfer(string,string,uint256)", { a, b, v }, 3 }
#define USER_ADD(a) { 0x5002, "userAdd(string,uint256)", { a, "100", NULL }, 2 }
#define BARRIER { 0x1006, "registerParallelFunctionInternal(address,string,uint256)", \
                  { "0x00000000000000000000000000000000000000c0", "f(string)", "1" }, 3 }

/* Submit the calls to node 0, then run until node 0 committed them all and every node has
 * that height. Fails with the seed and a trace otherwise. */
static void send_batch(cu_cluster_t *c, const call_t *calls, size_t n)
{
    uint8_t hashes[32][32];

    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {
        bl_buf_t raw = BL_BUF_INIT;
        int status;

        cu_tx(c, G, calls[i].to, calls[i].sig, calls[i].args, calls[i].nargs, &raw);
        status = node_submit(cu_node(c, 0), G, bl_buf_span(&raw), hashes[i]);
        bl_buf_free(&raw);
        if (status != TX_OK)
            fail_msg("seed=%llu: node 0 refused a tx: status %d", (unsigned long long)c->seed,
                     status);
    }
    cu_wait_committed(c, G, (const uint8_t(*)[32])hashes, n, NULL, NULL, LIMIT_MS,
                      "(does ex_dag_waits fail?)");
}

/* Execute node 0's committed blocks again, in block order with FISCO's DAG, on a fresh copy
 * of the group (as a syncing node or the console's replica does): each must reproduce the
 * roots its header names. */
static void replay_in_block_order(cu_cluster_t *c)
{
    static const pte_opts_t serial = { .serial = true };
    group_t *g = node_group(cu_node(c, 0), G);
    int64_t h = cu_height(c, 0, G);
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *st;
    chain_t *chain;

    assert_int_equal(kv_memory_open(&kv), BL_OK);
    assert_int_equal(store_kv_open(kv, &store), BL_OK);
    assert_int_equal(amdb_open(store, c->suite, &db), BL_OK);
    assert_int_equal(state_open_by_type(c->genesis[0].state_type, db, kv, c->suite, &st), BL_OK);
    assert_int_equal(chain_open(db, c->suite, &chain), BL_OK);
    assert_int_equal(chain_init_genesis(chain, &c->genesis[0]), BL_OK);
    for (int64_t n = 1; n <= h; n++) {
        block_t blk;
        uint8_t want[32];

        block_init(&blk);
        assert_int_equal(group_block(g, n, &blk), BL_OK);
        memcpy(want, blk.header.state_root, 32);
        assert_int_equal(exec_block_execute(c->suite, db, st, &blk, &serial), BL_OK);
        if (memcmp(want, blk.header.state_root, 32) != 0)
            cu_fail(c, "block %lld (%zu txs), committed by the cluster, has another "
                            "state root than the same block run in block order: your DAG let "
                            "two conflicting transactions run in the other order", (long long)n,
                            blk.ntxs);
        assert_int_equal(chain_commit_block(chain, &blk), BL_OK);
        block_free(&blk);
    }
    chain_close(chain);
    state_close(st);
    amdb_close(db);
    store_close(store);
    kv_close(kv);
}

static void cluster_scenario(cu_cluster_t *c)
{
    static const call_t users[] = {
        USER_ADD("u0"), USER_ADD("u1"), USER_ADD("u2"), USER_ADD("u3"),
        USER_ADD("u4"), USER_ADD("u5"), USER_ADD("u6"),
    };
    /* sent together, so that they share a block: most of them conflict, order matters, and a
     * serial barrier stands in the middle */
    static const call_t transfers[] = {
        TRANSFER("u0", "u1", "60"),  TRANSFER("u2", "u3", "10"),  TRANSFER("u0", "u4", "60"),
        TRANSFER("u1", "u5", "150"), TRANSFER("u3", "u0", "105"), TRANSFER("u5", "u6", "200"),
        TRANSFER("u6", "u2", "250"), TRANSFER("u4", "u0", "30"),  BARRIER,
        TRANSFER("u0", "u3", "70"),  TRANSFER("u2", "u1", "200"), TRANSFER("u1", "u4", "120"),
        TRANSFER("u4", "u5", "90"),  TRANSFER("u3", "u6", "40"),  TRANSFER("u6", "u0", "45"),
        TRANSFER("u5", "u2", "95"),  TRANSFER("u0", "u5", "80"),
    };

    send_batch(c, users, sizeof users / sizeof users[0]);
    for (int round = 0; round < 2; round++)
        send_batch(c, transfers, sizeof transfers / sizeof transfers[0]);
    cu_assert_tips_agree(c, G);
    use_student_dag(false);
    replay_in_block_order(c);
}

/* fisco-2x-facts §5.3 in a 4-node PBFT group whose nodes all build the student's DAG and run
 * each block in an order it allows (latest ready first): the nodes agree, and every block they
 * commit is the one block order gives. */
static void cluster_with_your_dag_commits_the_block_order_state(void **state)
{
    cu_cluster_t c;
    const uint64_t seed = 41;

    (void)state;
    printf("cluster seed %llu\n", (unsigned long long)seed);
    cu_open(&c, seed, 4);
    cu_group_with(&c, G, "0,1,2,3", "0,1,2,3", "pbft");
    use_student_dag(true);
    cu_start(&c);
    cluster_scenario(&c);
    cu_close(&c);
    use_student_dag(false);
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "independent_transactions_wait_for_nobody", independent_transactions_wait_for_nobody,
          10 },
        { "a_transaction_waits_for_the_last_one_of_each_field",
          a_transaction_waits_for_the_last_one_of_each_field, 15 },
        { "a_barrier_waits_for_all_before_and_all_after_wait_for_it",
          a_barrier_waits_for_all_before_and_all_after_wait_for_it, 15 },
        { "a_transaction_without_fields_waits_for_nobody",
          a_transaction_without_fields_waits_for_nobody, 5 },
        { "each_wait_is_listed_once", each_wait_is_listed_once, 5 },
        { "random_blocks_agree_with_fisco", random_blocks_agree_with_fisco, 10 },
        { "executor_with_your_dag_matches_block_order",
          executor_with_your_dag_matches_block_order, 20 },
        { "cluster_with_your_dag_commits_the_block_order_state",
          cluster_with_your_dag_commits_the_block_order_state, 20 },
    };

    return grade_run("04-tx-dag", tests, sizeof tests / sizeof tests[0]);
}
