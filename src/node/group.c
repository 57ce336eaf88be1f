/*
 * group.c — one group on one node (group.h explains groups and free nodes).
 *
 * A group is assembled the way FISCO's Ledger builds one, bottom-up: a disk, the table layer
 * over it, the world state, the ledger (block 0 written from the genesis the first time), the
 * tx pool, sync, and the consensus engine its genesis names. Two paths bring a block in, and
 * both end in the same place:
 *
 *   agreed here  (the engine): pending txs -> block -> execute -> agree -> commit
 *   synced       (from a peer): block -> execute -> same roots as its header? -> commit
 *
 * and after a commit the pool forgets the block's txs, the members are read again from
 * _sys_consensus_, and sync tells the peers the new height.
 */
#include "node/group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/consensus.h"
#include "exec/executor.h"
#include "exec/pc_system.h"
#include "ledger/chain.h"
#include "ledger/status.h"
#include "net/frame.h"
#include "storage/amdb.h"
#include "storage/state.h"
#include "storage/store.h"
#include "sync/sync.h"
#include "txpool/txpool.h"

struct group {
    group_host_t host;
    genesis_t genesis;
    kv_t *disk;
    store_t *store;
    amdb_t *db;
    state_t *state;
    chain_t *chain;
    txpool_t *pool;
    sync_t sync;
    group_role_t *roles; /* by cluster index, for the next block */
    uint8_t genesis_hash[32];
    const consensus_ops_t *engine;
    consensus_t *consensus;
    bool executed;       /* a block is executed and waits for commit or abandon */
    bool has_executed_hash; /* ... and it executed without error, to this header hash */
    uint8_t executed_hash[32];
    uint64_t executions; /* blocks executed, for consensus or for sync */
};

/* ---- members ---- */

static void
mark_role(group_t *g, const pc_node_list_t *list, group_role_t role)
{
    for (size_t i = 0; i < list->count; i++) {
        for (unsigned n = 0; n < g->host.env->nnodes; n++) {
            char hex[129];

            bl_hex_encode(g->host.node_ids[n], 64, hex);
            if (strcmp(hex, list->ids[i]) == 0)
                g->roles[n] = role;
        }
    }
}

/* Read who is in the group for the next block (pc_consensus_members). */
static void
load_members(group_t *g)
{
    pc_node_list_t sealers, observers;

    pc_node_list_init(&sealers);
    pc_node_list_init(&observers);
    memset(g->roles, 0, g->host.env->nnodes * sizeof *g->roles);
    if (pc_consensus_members(g->db, group_height(g) + 1, &sealers, &observers) == BL_OK) {
        mark_role(g, &sealers, GROUP_SEALER);
        mark_role(g, &observers, GROUP_OBSERVER);
    }
    pc_node_list_free(&sealers);
    pc_node_list_free(&observers);
}

group_role_t
group_role_of(const group_t *g, unsigned node)
{
    return node < g->host.env->nnodes ? g->roles[node] : GROUP_NONE;
}

/* The members other than this node; a free node talks to nobody. */
static size_t
sync_peers(void *arg, unsigned *out, size_t max)
{
    group_t *g = arg;
    unsigned self = g->host.env->self;
    size_t n = 0;

    if (g->roles[self] == GROUP_NONE)
        return 0;
    for (unsigned i = 0; i < g->host.env->nnodes && n < max; i++)
        if (i != self && g->roles[i] != GROUP_NONE)
            out[n++] = i;
    return n;
}

/* ---- the ledger, as sync sees it ---- */

int64_t
group_height(group_t *g)
{
    int64_t n = 0;

    chain_number(g->chain, &n);
    return n;
}

static void
sync_tip(void *arg, int64_t *number, uint8_t hash[32])
{
    group_t *g = arg;

    *number = group_height(g);
    if (chain_hash_at(g->chain, *number, hash) != BL_OK)
        memset(hash, 0, 32);
}

static int
sync_block_at(void *arg, int64_t number, bl_buf_t *out)
{
    group_t *g = arg;
    block_t blk;
    int rc = chain_block_at(g->chain, number, &blk);

    if (rc == BL_OK) {
        block_encode(g->host.suite, &blk, out);
        block_free(&blk);
    }
    return rc;
}

/* After any commit: the pool, the members, the peers. */
static void
after_commit(group_t *g, const block_t *blk)
{
    uint8_t hash[32];

    txpool_on_commit(g->pool, blk);
    load_members(g);
    block_hash(g->host.suite, blk, hash);
    env_emit(g->host.env, EV_BLOCK_COMMITTED, group_id(g), 0, -1, blk->header.number,
             (int64_t)blk->ntxs, hash);
    sync_on_commit(&g->sync);
    if (g->consensus != NULL)
        g->engine->on_commit(g->consensus, blk);
}

/* Forget a block that was executed but will not be committed. */
static void
abandon(void *arg)
{
    group_t *g = arg;

    if (g->executed)
        amdb_rollback(g->db);
    g->executed = false;
    g->has_executed_hash = false;
}

static const pte_opts_t exec_opts = { .serial = true }; /* one thread: the simulator's rule */

/* Execute blk (its receipts and roots are replaced) and commit it if its roots came out as
 * its header said. */
static int
apply_block(void *arg, const block_t *received)
{
    group_t *g = arg;
    block_t blk;
    header_t want;
    int rc;

    abandon(g); /* a block executed for consensus gives way to one that is final */
    block_copy(&blk, received); /* a private copy to execute (senders already recovered) */
    header_init(&want);
    header_copy(&want, &blk.header);
    rc = exec_block_execute(g->host.suite, g->db, g->state, &blk, &exec_opts);
    g->executions++;
    if (rc == BL_OK && (memcmp(want.state_root, blk.header.state_root, 32) != 0 ||
                        memcmp(want.receipt_root, blk.header.receipt_root, 32) != 0 ||
                        memcmp(want.db_hash, blk.header.db_hash, 32) != 0 ||
                        memcmp(want.tx_root, blk.header.tx_root, 32) != 0))
        rc = bl_fail(BL_E_INVALID, "block %lld does not reproduce its header's roots",
                     (long long)want.number);
    if (rc == BL_OK)
        rc = chain_commit_block(g->chain, &blk);
    if (rc == BL_OK) {
        after_commit(g, &blk);
    } else {
        amdb_rollback(g->db);
        env_emit(g->host.env, EV_BLOCK_REFUSED, group_id(g), MODULE_SYNC, -1, want.number, 0,
                 NULL);
    }
    header_free(&want);
    block_free(&blk);
    return rc;
}

static void
sync_tx_arrived(void *arg, bl_span_t raw)
{
    group_t *g = arg;
    uint8_t hash[32];

    /* from a peer: into the pool, not forwarded again (each tx travels once) */
    txpool_submit(g->pool, raw, env_now(g->host.env), hash);
}

static size_t
sync_pending_txs(void *arg, bl_buf_t **raws)
{
    group_t *g = arg;
    tx_t *txs = NULL;
    size_t n = 0;

    txpool_top(g->pool, txpool_size(g->pool), env_now(g->host.env), &txs, &n);
    *raws = bl_xcalloc(n + 1, sizeof **raws);
    for (size_t i = 0; i < n; i++) {
        bl_buf_init(&(*raws)[i]);
        tx_encode(g->host.suite, &txs[i], &(*raws)[i]);
        tx_free(&txs[i]);
    }
    free(txs);
    return n;
}

static bool
sync_connected(void *arg, unsigned peer)
{
    group_t *g = arg;

    return g->host.connected == NULL || g->host.connected(g->host.connected_arg, peer);
}

static const sync_host_t group_sync_host = {
    .tip = sync_tip,
    .block_at = sync_block_at,
    .apply = apply_block,
    .peers = sync_peers,
    .connected = sync_connected,
    .tx_arrived = sync_tx_arrived,
    .pending_txs = sync_pending_txs,
};

/* ---- what the consensus engine may ask (consensus/consensus.h) ---- */

static size_t
engine_sealers(void *arg, uint8_t (*ids)[64], unsigned *nodes, size_t max)
{
    group_t *g = arg;
    pc_node_list_t sealers;
    size_t n = 0;

    pc_node_list_init(&sealers);
    if (pc_consensus_members(g->db, group_height(g) + 1, &sealers, NULL) == BL_OK) {
        for (size_t i = 0; i < sealers.count && n < max; i++, n++) {
            nodes[n] = UINT32_MAX;
            if (bl_hex_decode_fixed(sealers.ids[i], ids[n], 64) != BL_OK)
                memset(ids[n], 0, 64);
            for (unsigned k = 0; k < g->host.env->nnodes; k++)
                if (memcmp(g->host.node_ids[k], ids[n], 64) == 0)
                    nodes[n] = k;
        }
    }
    pc_node_list_free(&sealers);
    return n;
}

static uint64_t
engine_tx_limit(void *arg)
{
    group_t *g = arg;
    int64_t limit = GENESIS_MAX_TRANS_NUM;

    pc_sysconfig_get_int(g->db, "tx_count_limit", group_height(g) + 1, &limit);
    return limit > 0 ? (uint64_t)limit : 1;
}

static size_t
engine_seal(void *arg, block_t *blk, uint64_t max)
{
    group_t *g = arg;
    header_t *h = &blk->header;
    uint8_t ids[CONSENSUS_MAX_SEALERS][64];
    unsigned nodes[CONSENSUS_MAX_SEALERS];
    size_t nsealers = engine_sealers(g, ids, nodes, CONSENSUS_MAX_SEALERS), n = 0;
    int64_t height = group_height(g);
    tx_t *txs = NULL;

    chain_hash_at(g->chain, height, h->parent_hash);
    h->number = height + 1;
    h->timestamp = g->genesis.timestamp + (int64_t)env_now(g->host.env);
    for (size_t i = 0; i < nsealers; i++) {
        if (nodes[i] == g->host.env->self)
            h->sealer = i;
        header_add_sealer(h, ids[i]);
    }
    if (txpool_top(g->pool, (size_t)max, env_now(g->host.env), &txs, &n) != BL_OK)
        n = 0;
    if (n > 0 && blk->ntxs == 0) { /* the copies move into the block: no second copy */
        free(blk->txs);
        blk->txs = txs;
        blk->ntxs = n;
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        block_add_tx(blk, &txs[i]);
        tx_free(&txs[i]);
    }
    free(txs);
    return n;
}

static size_t
engine_pending(void *arg)
{
    group_t *g = arg;

    return txpool_size(g->pool);
}

/* FISCO's PBFT does not verify again what its pool verified: a tx with the same hash is the
 * same bytes, signature included, so its sender is the one the pool recovered on admission.
 * Only a tx this node never received (the broadcast is late, or was lost) is recovered. */
static int
engine_senders(void *arg, block_t *blk)
{
    group_t *g = arg;
    int rc;

    for (size_t i = 0; i < blk->ntxs; i++) {
        tx_t *tx = &blk->txs[i];

        if (txpool_sender(g->pool, tx->hash, tx->sender_pub, tx->sender))
            continue;
        if ((rc = tx_recover_sender(g->host.suite, tx)) != BL_OK)
            return rc;
    }
    return BL_OK;
}

static int
engine_execute(void *arg, block_t *blk)
{
    group_t *g = arg;
    int rc;

    abandon(g);
    rc = exec_block_execute(g->host.suite, g->db, g->state, blk, &exec_opts);
    g->executions++;
    g->executed = true; /* even a failed execution may have written: abandon rolls it back */
    if (rc == BL_OK) {
        block_hash(g->host.suite, blk, g->executed_hash);
        g->has_executed_hash = true;
    }
    return rc;
}

static bool
engine_executed(void *arg, const uint8_t hash[32])
{
    group_t *g = arg;

    return g->executed && g->has_executed_hash && memcmp(g->executed_hash, hash, 32) == 0;
}

static int
engine_commit(void *arg, const block_t *blk)
{
    group_t *g = arg;
    int rc = chain_commit_block(g->chain, blk);

    g->executed = false;
    g->has_executed_hash = false;
    if (rc == BL_OK)
        after_commit(g, blk);
    else
        amdb_rollback(g->db);
    return rc;
}

/* ---- the group ---- */

static int
open_layers(group_t *g)
{
    char name[32];
    txpool_config_t pool_cfg;
    block_t zero;
    int rc;

    snprintf(name, sizeof name, "group%d", g->genesis.group_id);
    if ((g->disk = env_disk(g->host.env, name)) == NULL)
        return bl_fail(BL_E_IO, "cannot open the disk of group %d", g->genesis.group_id);
    if ((rc = store_kv_open(g->disk, &g->store)) != BL_OK ||
        (rc = amdb_open(g->store, g->host.suite, &g->db)) != BL_OK ||
        (rc = state_open_by_type(g->genesis.state_type, g->db, g->disk, g->host.suite,
                                 &g->state)) != BL_OK ||
        (rc = chain_open(g->db, g->host.suite, &g->chain)) != BL_OK ||
        (rc = chain_init_genesis(g->chain, &g->genesis)) != BL_OK)
        return rc;
    txpool_config_init(&pool_cfg, g->host.chain_id, (uint64_t)g->genesis.group_id);
    if ((rc = txpool_new(g->host.suite, &pool_cfg, g->chain, &g->pool)) != BL_OK)
        return rc;
    if ((rc = chain_block_at(g->chain, 0, &zero)) != BL_OK)
        return rc;
    block_hash(g->host.suite, &zero, g->genesis_hash);
    block_free(&zero);
    return BL_OK;
}

static void
copy_genesis(genesis_t *dst, const genesis_t *src)
{
    *dst = *src;
    dst->sealers = bl_xcalloc(src->nsealers ? src->nsealers : 1, 64);
    memcpy(dst->sealers, src->sealers, src->nsealers * 64);
}

static int
open_engine(group_t *g)
{
    consensus_host_t h = {
        .g = g, .env = g->host.env, .group = group_id(g), .suite = g->host.suite,
        .key = g->host.key, .tip = sync_tip, .sealers = engine_sealers,
        .tx_limit = engine_tx_limit, .pending = engine_pending, .seal = engine_seal,
        .senders = engine_senders, .execute = engine_execute, .executed = engine_executed,
        .commit = engine_commit, .abandon = abandon, .apply = apply_block,
    };

    g->engine = consensus_find(g->genesis.consensus_type);
    if (g->engine == NULL)
        return bl_fail(BL_E_INVALID, "group %u: unknown consensus_type \"%s\"", group_id(g),
                       g->genesis.consensus_type);
    g->consensus = g->engine->create(&h);
    return g->consensus != NULL ? BL_OK : bl_fail(BL_E_INVALID, "group %u: %s did not start",
                                                  group_id(g), g->engine->name);
}

int
group_open(const group_host_t *host, const genesis_t *genesis, group_t **out)
{
    group_t *g = bl_xcalloc(1, sizeof *g);
    int rc;

    g->host = *host;
    copy_genesis(&g->genesis, genesis);
    g->roles = bl_xcalloc(host->env->nnodes, sizeof *g->roles);
    if ((rc = open_layers(g)) != BL_OK) {
        group_close(g);
        return rc;
    }
    sync_init(&g->sync, host->env, (unsigned)genesis->group_id, host->suite, g->genesis_hash,
              &group_sync_host, g);
    load_members(g);
    if ((rc = open_engine(g)) != BL_OK) {
        group_close(g);
        return rc;
    }
    *out = g;
    return BL_OK;
}

void
group_close(group_t *g)
{
    if (g == NULL)
        return;
    if (g->consensus != NULL)
        g->engine->destroy(g->consensus);
    if (g->sync.peers != NULL)
        sync_free(&g->sync);
    txpool_free(g->pool);
    chain_close(g->chain);
    if (g->state != NULL)
        state_close(g->state);
    amdb_close(g->db);
    if (g->store != NULL)
        store_close(g->store);
    genesis_free(&g->genesis);
    free(g->roles);
    free(g);
}

void
group_start(group_t *g)
{
    sync_start(&g->sync);
    g->engine->start(g->consensus);
}

unsigned
group_id(const group_t *g)
{
    return (unsigned)g->genesis.group_id;
}

int
group_block(group_t *g, int64_t n, block_t *out)
{
    return chain_block_at(g->chain, n, out);
}

int
group_block_stored(group_t *g, int64_t n, block_t *out)
{
    return chain_block_stored(g->chain, n, out);
}

int64_t
group_total_txs(group_t *g)
{
    int64_t total = 0, failed = 0;

    chain_total_txs(g->chain, &total, &failed);
    return total;
}

uint64_t
group_executions(const group_t *g)
{
    return g->executions;
}

size_t
group_pool_size(const group_t *g)
{
    return txpool_size(g->pool);
}

int
group_submit(group_t *g, bl_span_t raw, uint8_t hash[32])
{
    int status = txpool_submit(g->pool, raw, env_now(g->host.env), hash);

    env_emit(g->host.env, status == TX_OK ? EV_TX_ADMITTED : EV_TX_REJECTED, group_id(g),
             MODULE_TXPOOL, -1, status == TX_OK ? (int64_t)txpool_size(g->pool) : status, 0,
             hash);
    if (status == TX_OK)
        sync_broadcast_tx(&g->sync, raw);
    return status;
}

void
group_on_message(group_t *g, unsigned from, unsigned module, unsigned packet_type,
                 bl_span_t body)
{
    uint8_t why[32] = { EV_DROP_UNKNOWN };

    if (module == MODULE_SYNC) {
        sync_on_message(&g->sync, from, packet_type, body);
        return;
    }
    if (module == g->engine->module) {
        g->engine->on_message(g->consensus, from, packet_type, body);
        return;
    }
    env_emit(g->host.env, EV_MSG_DROPPED, group_id(g), module, (int)from, packet_type,
             (int64_t)body.len, why);
}

void
group_on_timer(group_t *g, unsigned module, unsigned local)
{
    if (module == MODULE_SYNC)
        sync_on_timer(&g->sync, local);
    else if (module == g->engine->module)
        g->engine->on_timer(g->consensus, local);
}
