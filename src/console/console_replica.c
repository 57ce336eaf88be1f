/*
 * console_replica.c — how the console reads a group and writes to it (console_int.h).
 *
 * Reading: a FISCO SDK asks a node over RPC; here the console keeps a read replica of the
 * group — its own ledger and tables, in memory — and brings it up to date before each
 * command by fetching the blocks a node has committed and executing them again, as a node
 * that syncs does (re-execution must give the roots the block's header names, or the replica
 * stops: it never believes a block it could not reproduce). A "call" runs a precompile on the
 * replica's latest state and then rolls its writes back: nothing reaches any node.
 *
 * Writing: a transaction signed by the current account (nonce random, blockLimit = height +
 * 500, as FISCO's SDK sets them) is submitted to one member of the group, and the console
 * waits until the replica finds it in a block. In the simulator time only moves when the
 * console advances it, so every script runs the same way for the same seed.
 */
#include "console/console_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/exec.h"
#include "exec/executor.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "node/group.h"

#define CONSOLE_POLL_MS 20

/* One thread executes the replica's blocks: the simulator's rule, and the console's. */
static const pte_opts_t replica_exec = { .serial = true };

int
console_replica_open(console_t *c, unsigned group)
{
    console_replica_t *r = &c->replicas[group - 1];
    const genesis_t *g = world_genesis(c->w, group - 1);
    const suite_t *suite = world_suite(c->w);
    int rc;

    if (r->open)
        return BL_OK;
    if ((rc = kv_memory_open(&r->kv)) != BL_OK || (rc = store_kv_open(r->kv, &r->store)) != BL_OK ||
        (rc = amdb_open(r->store, suite, &r->db)) != BL_OK ||
        (rc = state_open_by_type(g->state_type, r->db, r->kv, suite, &r->state)) != BL_OK ||
        (rc = chain_open(r->db, suite, &r->chain)) != BL_OK ||
        (rc = chain_init_genesis(r->chain, g)) != BL_OK) {
        console_replica_close(r);
        return rc;
    }
    r->open = true;
    return BL_OK;
}

void
console_replica_close(console_replica_t *r)
{
    chain_close(r->chain);
    if (r->state != NULL)
        state_close(r->state);
    amdb_close(r->db);
    if (r->store != NULL)
        store_close(r->store);
    if (r->kv != NULL)
        kv_close(r->kv);
    memset(r, 0, sizeof *r);
}

console_replica_t *
console_replica(console_t *c)
{
    return &c->replicas[c->group - 1];
}

int64_t
console_height(console_t *c)
{
    int64_t n = 0;

    chain_number(console_replica(c)->chain, &n);
    return n;
}

/* ---- fetching from a node ---- */

typedef struct {
    unsigned group;
    int64_t number;      /* the block wanted, or -1 for the height only */
    block_t *blk;
    int64_t height;
    int rc;
} fetch_t;

static void
fetch_on_node(node_t *node, void *arg)
{
    fetch_t *f = arg;
    group_t *g = node != NULL ? node_group(node, f->group) : NULL;

    f->rc = BL_E_NOTFOUND;
    if (g == NULL)
        return;
    f->height = group_height(g);
    f->rc = f->number >= 0 ? group_block(g, f->number, f->blk) : BL_OK;
}

int
console_entry_node(console_t *c)
{
    for (unsigned i = 0; i < world_nnodes(c->w); i++)
        if (world_node_up(c->w, i) && world_hosts(c->w, i, c->group - 1))
            return (int)i;
    return -1;
}

/* The member that is up and highest: the replica follows the longest committed chain. */
static int
source_node(console_t *c, int64_t *height)
{
    int best = -1;

    *height = -1;
    for (unsigned i = 0; i < world_nnodes(c->w); i++) {
        fetch_t f = { .group = c->group, .number = -1 };

        if (!world_node_up(c->w, i) || !world_hosts(c->w, i, c->group - 1))
            continue;
        world_call(c->w, i, fetch_on_node, &f);
        if (f.rc == BL_OK && f.height > *height) {
            *height = f.height;
            best = (int)i;
        }
    }
    return best;
}

/* Execute a fetched block on the replica and commit it if it reproduces its header. */
static int
replay_block(console_t *c, console_replica_t *r, block_t *blk)
{
    header_t want;
    int rc;

    header_init(&want);
    header_copy(&want, &blk->header);
    rc = exec_block_execute(world_suite(c->w), r->db, r->state, blk, &replica_exec);
    if (rc == BL_OK && (memcmp(want.state_root, blk->header.state_root, 32) != 0 ||
                        memcmp(want.receipt_root, blk->header.receipt_root, 32) != 0))
        rc = bl_fail(BL_E_INVALID, "block %lld does not reproduce its header's roots",
                     (long long)want.number);
    if (rc == BL_OK)
        rc = chain_commit_block(r->chain, blk);
    if (rc != BL_OK)
        amdb_rollback(r->db);
    header_free(&want);
    return rc;
}

int
console_sync(console_t *c)
{
    console_replica_t *r = console_replica(c);
    int64_t height, mine = console_height(c);
    int src = source_node(c, &height);
    int rc = BL_OK;

    if (src < 0)
        return bl_fail(BL_E_NOTFOUND, "no node of group %u is up", c->group);
    for (int64_t n = mine + 1; n <= height && rc == BL_OK; n++) {
        block_t blk;
        fetch_t f = { .group = c->group, .number = n, .blk = &blk };

        block_init(&blk);
        world_call(c->w, (unsigned)src, fetch_on_node, &f);
        rc = f.rc;
        if (rc == BL_OK)
            rc = replay_block(c, r, &blk);
        block_free(&blk);
    }
    return rc;
}

/* ---- calls and transactions ---- */

static int
make_tx(console_t *c, uint16_t to, const char *sig, const char *const *args, size_t nargs,
        tx_t *tx)
{
    const keypair_t *key = &c->accounts[c->current].key;
    int rc;

    rc = tx_make_precompile_call(tx, key, to, sig, args, nargs, bl_rng_next(&c->rng) >> 1,
                                 world_chain_id(c->w), c->group);
    if (rc != BL_OK)
        return rc;
    /* FISCO's SDK sets blockLimit = height + 500, so the tx stays valid for 500 blocks (and
     * is refused after: no replay of an old tx); sign again over the changed field. */
    bl_u256_from_u64(&tx->block_limit,
                     (uint64_t)(console_height(c) + TX_DEFAULT_BLOCK_LIMIT_AHEAD));
    return tx_sign(tx, key);
}

int
console_call(console_t *c, uint16_t to, const char *sig, const char *const *args,
             size_t nargs, receipt_t *r)
{
    console_replica_t *rep = console_replica(c);
    exec_block_t b;
    block_t tip;
    tx_t tx;
    int rc;

    receipt_init(r);
    tx_init(&tx);
    block_init(&tip);
    if ((rc = console_sync(c)) != BL_OK || (rc = make_tx(c, to, sig, args, nargs, &tx)) != BL_OK ||
        (rc = chain_block_stored(rep->chain, console_height(c), &tip)) != BL_OK)
        goto out;
    exec_block_init(&b, world_suite(c->w), rep->db, rep->state, tip.header.number + 1,
                    tip.header.timestamp);
    rc = exec_tx(&b, &tx, false, r);
    exec_block_destroy(&b);
    amdb_rollback(rep->db); /* a call writes nothing */
out:
    block_free(&tip);
    tx_free(&tx);
    return rc;
}

typedef struct {
    unsigned group;
    bl_span_t raw;
    uint8_t hash[32];
    int status;
} submit_t;

static void
submit_on_node(node_t *node, void *arg)
{
    submit_t *s = arg;

    s->status = node != NULL ? node_submit(node, s->group, s->raw, s->hash)
                             : TX_REQUEST_NOT_BELONG_TO_THE_GROUP;
}

/* Let time pass: the simulator's, or (with threads) the wall clock's. */
static void
let_time_pass(console_t *c)
{
    struct timespec t = { 0, CONSOLE_POLL_MS * 1000000L };

    if (world_opts(c->w)->sim)
        world_advance(c->w, CONSOLE_POLL_MS);
    else
        nanosleep(&t, NULL);
}

/* Wait until the tx is in a block of the replica; copy its receipt. */
static int
wait_receipt(console_t *c, const uint8_t hash[32], receipt_t *r)
{
    console_replica_t *rep = console_replica(c);

    for (unsigned waited = 0; waited <= CONSOLE_WAIT_MS; waited += CONSOLE_POLL_MS) {
        int64_t number;
        uint64_t index;
        block_t blk;
        int rc;

        if (console_sync(c) == BL_OK && chain_tx_location(rep->chain, hash, &number, &index) == BL_OK) {
            block_init(&blk);
            rc = chain_block_stored(rep->chain, number, &blk);
            if (rc == BL_OK && index < blk.nreceipts)
                receipt_copy(r, &blk.receipts[index]);
            else if (rc == BL_OK)
                rc = bl_fail(BL_E_INVALID, "block %lld has no receipt %llu", (long long)number,
                             (unsigned long long)index);
            block_free(&blk);
            return rc;
        }
        let_time_pass(c);
    }
    return bl_fail(BL_E_NOTFOUND, "the transaction was not committed within %d s (is a quorum "
                   "of the group's sealers up?)", CONSOLE_WAIT_MS / 1000);
}

int
console_send(console_t *c, uint16_t to, const char *sig, const char *const *args,
             size_t nargs, receipt_t *r, uint8_t hash[32])
{
    bl_buf_t raw = BL_BUF_INIT;
    submit_t s = { .group = c->group };
    int entry = console_entry_node(c);
    tx_t tx;
    int rc;

    receipt_init(r);
    tx_init(&tx);
    if (entry < 0) {
        rc = bl_fail(BL_E_NOTFOUND, "no node of group %u is up", c->group);
        goto out;
    }
    if ((rc = console_sync(c)) != BL_OK || (rc = make_tx(c, to, sig, args, nargs, &tx)) != BL_OK)
        goto out;
    tx_encode(world_suite(c->w), &tx, &raw);
    s.raw = bl_buf_span(&raw);
    world_call(c->w, (unsigned)entry, submit_on_node, &s);
    if (s.status != TX_OK) {
        rc = bl_fail(BL_E_INVALID, "the node refused the transaction: %s (%d)",
                     tx_status_name(s.status), s.status);
        goto out;
    }
    memcpy(hash, s.hash, 32);
    rc = wait_receipt(c, s.hash, r);
out:
    bl_buf_free(&raw);
    tx_free(&tx);
    return rc;
}

/* ---- outputs ---- */

static int
decode_output(const receipt_t *r, const char *types, abi_value_t **v)
{
    abi_type_t *t = NULL;
    int rc;

    if (r->status != TX_OK)
        return bl_fail(BL_E_INVALID, "the call failed: %s (%llu)", tx_status_name((int)r->status),
                       (unsigned long long)r->status);
    if ((rc = abi_types_parse(types, &t)) == BL_OK)
        rc = abi_decode(t, bl_buf_span(&r->output), v);
    abi_type_free(t);
    return rc;
}

int
console_output_int(const receipt_t *r, int64_t *out)
{
    abi_value_t *v = NULL;
    int rc = decode_output(r, "int256", &v);

    if (rc == BL_OK) {
        const uint8_t *be = v->items[0]->num.be;
        uint64_t u = 0;

        for (int i = 24; i < 32; i++)
            u = u << 8 | be[i];
        *out = (int64_t)u;
    }
    abi_value_free(v);
    return rc;
}

int
console_output_string(const receipt_t *r, char **out)
{
    abi_value_t *v = NULL;
    int rc = decode_output(r, "string", &v);

    if (rc == BL_OK)
        rc = abi_value_cstring(v->items[0], out);
    abi_value_free(v);
    return rc;
}
