/*
 * sync.c — block sync and transaction broadcast (sync.h explains the conversation).
 *
 * The whole of block sync is three reactions:
 *
 *   hear a Status higher than my height  -> ask that peer for the next (up to 32) blocks,
 *                                           unless a request is already out and not late;
 *   hear a ReqBlocks                     -> answer with the blocks I have;
 *   hear Blocks                          -> apply, in order, each block that follows my tip
 *                                           (execute it, compare roots, commit); then, if the
 *                                           peer is still higher, ask for the next ones.
 *
 * Everything else is telling: a Status after each commit, and a gossip Status every second so
 * that a node back from a crash or a partition learns quickly that it is behind.
 */
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "net/frame.h"

#define MAX_PEERS 1024
#define SYNC_POOL_BATCH 1000 /* transactions per packet when a new peer gets the pool */

void
sync_init(sync_t *s, env_t *env, unsigned group, const suite_t *suite,
          const uint8_t genesis_hash[32], const sync_host_t *host, void *g)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    s->group = group;
    s->suite = suite;
    memcpy(s->genesis_hash, genesis_hash, 32);
    s->host = host;
    s->g = g;
    s->peers = bl_xcalloc(env->nnodes, sizeof *s->peers);
    for (unsigned i = 0; i < env->nnodes; i++)
        s->peers[i].number = -1;
}

void
sync_free(sync_t *s)
{
    for (size_t i = 0; i < s->npending; i++)
        bl_buf_free(&s->pending_txs[i]);
    free(s->pending_txs);
    free(s->peers);
    memset(s, 0, sizeof *s);
}

/* ---- sending ---- */

static void
send_packet(sync_t *s, unsigned to, unsigned type, const bl_buf_t *body)
{
    frame_send(s->env, to, s->group, MODULE_SYNC, type, bl_buf_span(body));
}

static void
status_body(sync_t *s, bl_buf_t *body)
{
    int64_t number;
    uint8_t hash[32];
    size_t list = rlp_list_begin(body);

    s->host->tip(s->g, &number, hash);
    rlp_put_uint(body, (uint64_t)number);
    rlp_put_bytes(body, s->genesis_hash, 32);
    rlp_put_bytes(body, hash, 32);
    rlp_list_end(body, list);
}

static void
broadcast_status(sync_t *s)
{
    unsigned peers[MAX_PEERS];
    size_t n = s->host->peers(s->g, peers, MAX_PEERS);
    bl_buf_t body = BL_BUF_INIT;

    status_body(s, &body);
    for (size_t i = 0; i < n; i++)
        send_packet(s, peers[i], SYNC_STATUS, &body);
    bl_buf_free(&body);
}

static int64_t
my_height(sync_t *s)
{
    int64_t number;
    uint8_t hash[32];

    s->host->tip(s->g, &number, hash);
    return number;
}

/* Ask `peer` for the blocks after my tip, if it has more and no request is out in time. */
static void
maybe_request(sync_t *s, unsigned peer)
{
    int64_t mine = my_height(s), theirs = s->peers[peer].number, count;
    bl_buf_t body = BL_BUF_INIT;
    size_t list;

    if (theirs <= mine)
        return;
    if (s->downloading && env_now(s->env) < s->download_deadline && s->download_to > mine)
        return;
    count = theirs - mine;
    if (count > SYNC_MAX_REQUEST_BLOCKS)
        count = SYNC_MAX_REQUEST_BLOCKS;
    list = rlp_list_begin(&body);
    rlp_put_uint(&body, (uint64_t)(mine + 1));
    rlp_put_uint(&body, (uint64_t)count);
    rlp_list_end(&body, list);
    send_packet(s, peer, SYNC_REQ_BLOCKS, &body);
    bl_buf_free(&body);
    s->downloading = true;
    s->download_from_peer = peer;
    s->download_to = mine + count;
    s->download_deadline = env_now(s->env) + SYNC_REQUEST_TIMEOUT_MS;
    env_emit(s->env, EV_SYNC_REQUEST, s->group, MODULE_SYNC, (int)peer, mine + 1, count, NULL);
}

/* ---- receiving ---- */

static void
drop(sync_t *s, unsigned from, unsigned type, size_t len)
{
    uint8_t why[32] = { EV_DROP_MALFORMED };

    env_emit(s->env, EV_MSG_DROPPED, s->group, MODULE_SYNC, (int)from, type, (int64_t)len, why);
}

/* A status from a peer says that it and we have admitted each other (a message from a peer
 * not admitted is dropped). If transactions were broadcast while it was not our peer yet (the
 * certificates still on their way at start), they went nowhere: the peer gets the whole pool
 * now, in packets of SYNC_POOL_BATCH — it may be the one that seals them (a Raft leader).
 * FISCO's tx sync likewise sends each peer the txs it does not know. */
static void
send_pool(sync_t *s, unsigned peer)
{
    bl_buf_t *raws = NULL;
    size_t n = s->host->pending_txs != NULL ? s->host->pending_txs(s->g, &raws) : 0;

    for (size_t first = 0; first < n; first += SYNC_POOL_BATCH) {
        bl_buf_t body = BL_BUF_INIT;
        size_t list = rlp_list_begin(&body);

        for (size_t i = first; i < n && i < first + SYNC_POOL_BATCH; i++)
            rlp_put_bytes(&body, raws[i].data, raws[i].len);
        rlp_list_end(&body, list);
        send_packet(s, peer, SYNC_TRANSACTIONS, &body);
        bl_buf_free(&body);
    }
    for (size_t i = 0; i < n; i++)
        bl_buf_free(&raws[i]);
    free(raws);
}

/* A member we have not heard from for SYNC_PEER_GONE_MS crashed or was cut off, and we cannot
 * tell which: the transactions we broadcast meanwhile were lost on the way (to a crashed node)
 * or forgotten (a restarted node's pool starts empty). It gets the pool again on its return. */
static bool
peer_was_gone(const sync_t *s, unsigned from)
{
    const sync_peer_t *p = &s->peers[from];

    return p->heard && env_now(s->env) - p->heard_ms > SYNC_PEER_GONE_MS;
}

static void
on_status(sync_t *s, unsigned from, bl_span_t body)
{
    rlp_item_t root, f[3];
    uint64_t number;
    uint8_t genesis[32], latest[32];

    if (rlp_decode(body, &root) != BL_OK || rlp_list_exact(&root, f, 3, "Status") != BL_OK ||
        rlp_get_uint(&f[0], &number) != BL_OK || number > INT64_MAX ||
        rlp_get_fixed(&f[1], genesis, 32) != BL_OK || rlp_get_fixed(&f[2], latest, 32) != BL_OK) {
        drop(s, from, SYNC_STATUS, body.len);
        return;
    }
    if (memcmp(genesis, s->genesis_hash, 32) != 0)
        return; /* another chain that happens to use our group id: not a peer of ours */
    if (s->peers[from].missed_txs || peer_was_gone(s, from)) {
        s->peers[from].missed_txs = false;
        send_pool(s, from);
    }
    s->peers[from].number = (int64_t)number;
    s->peers[from].heard_ms = env_now(s->env);
    s->peers[from].heard = true;
    env_emit(s->env, EV_SYNC_STATUS, s->group, MODULE_SYNC, (int)from, (int64_t)number, 0,
             latest);
    maybe_request(s, from);
}

static void
on_req_blocks(sync_t *s, unsigned from, bl_span_t body)
{
    rlp_item_t root, f[2];
    uint64_t first, count;
    int64_t mine = my_height(s);
    bl_buf_t reply = BL_BUF_INIT;
    size_t list;

    if (rlp_decode(body, &root) != BL_OK || rlp_list_exact(&root, f, 2, "ReqBlocks") != BL_OK ||
        rlp_get_uint(&f[0], &first) != BL_OK || rlp_get_uint(&f[1], &count) != BL_OK ||
        first == 0 || first > INT64_MAX) {
        drop(s, from, SYNC_REQ_BLOCKS, body.len);
        return;
    }
    if (count > SYNC_MAX_REQUEST_BLOCKS)
        count = SYNC_MAX_REQUEST_BLOCKS;
    list = rlp_list_begin(&reply);
    for (int64_t n = (int64_t)first; n <= mine && n < (int64_t)(first + count); n++) {
        bl_buf_t blk = BL_BUF_INIT;

        if (s->host->block_at(s->g, n, &blk) == BL_OK)
            rlp_put_raw(&reply, blk.data, blk.len);
        bl_buf_free(&blk);
    }
    rlp_list_end(&reply, list);
    send_packet(s, from, SYNC_BLOCKS, &reply);
    bl_buf_free(&reply);
}

/* Apply one downloaded block if it is the next one; false stops the batch. */
static bool
apply_downloaded(sync_t *s, unsigned from, const rlp_item_t *item)
{
    block_t blk;
    bool next;
    int rc;

    if (block_decode(s->suite, item->raw, &blk) != BL_OK)
        return false;
    next = blk.header.number == my_height(s) + 1;
    rc = next ? s->host->apply(s->g, &blk) : BL_OK;
    if (next && rc == BL_OK)
        env_emit(s->env, EV_SYNC_DOWNLOADED, s->group, MODULE_SYNC, (int)from,
                 blk.header.number, (int64_t)blk.ntxs, NULL);
    block_free(&blk);
    return rc == BL_OK;
}

static void
on_blocks(sync_t *s, unsigned from, bl_span_t body)
{
    rlp_item_t root, item;
    rlp_iter_t it;
    int more;

    if (rlp_decode(body, &root) != BL_OK || !root.is_list) {
        drop(s, from, SYNC_BLOCKS, body.len);
        return;
    }
    rlp_iter_init(&it, &root);
    while ((more = rlp_iter_next(&it, &item)) == 1)
        if (!apply_downloaded(s, from, &item))
            break;
    s->downloading = false;
    /* still behind: go on at once (with this peer or whoever is highest) */
    for (unsigned p = 0; p < s->env->nnodes; p++) {
        if (s->peers[p].number > my_height(s)) {
            maybe_request(s, p);
            break;
        }
    }
}

static void
on_transactions(sync_t *s, unsigned from, bl_span_t body)
{
    rlp_item_t root, item;
    rlp_iter_t it;

    if (rlp_decode(body, &root) != BL_OK || !root.is_list) {
        drop(s, from, SYNC_TRANSACTIONS, body.len);
        return;
    }
    rlp_iter_init(&it, &root);
    while (rlp_iter_next(&it, &item) == 1)
        s->host->tx_arrived(s->g, item.payload); /* the pool checks each one itself */
}

void
sync_on_message(sync_t *s, unsigned from, unsigned packet_type, bl_span_t body)
{
    if (from >= s->env->nnodes)
        return;
    switch (packet_type) {
    case SYNC_STATUS:       on_status(s, from, body); break;
    case SYNC_REQ_BLOCKS:   on_req_blocks(s, from, body); break;
    case SYNC_BLOCKS:       on_blocks(s, from, body); break;
    case SYNC_TRANSACTIONS: on_transactions(s, from, body); break;
    default:                drop(s, from, packet_type, body.len); break;
    }
}

/* ---- telling ---- */

void
sync_start(sync_t *s)
{
    broadcast_status(s);
    env_set_timer(s->env, env_timer_id(s->group, MODULE_SYNC, SYNC_TIMER_GOSSIP), SYNC_GOSSIP_MS);
}

void
sync_on_commit(sync_t *s)
{
    broadcast_status(s);
}

void
sync_broadcast_tx(sync_t *s, bl_span_t raw)
{
    if (s->npending == s->pending_cap) {
        s->pending_cap = s->pending_cap ? 2 * s->pending_cap : 64;
        s->pending_txs = bl_xrealloc(s->pending_txs, s->pending_cap * sizeof *s->pending_txs);
    }
    bl_buf_init(&s->pending_txs[s->npending]);
    bl_buf_append(&s->pending_txs[s->npending++], raw.ptr, raw.len);
    if (!s->flush_set) {
        env_set_timer(s->env, env_timer_id(s->group, MODULE_SYNC, SYNC_TIMER_FLUSH),
                      SYNC_TX_FLUSH_MS);
        s->flush_set = true;
    }
}

/* Every other node this broadcast did not reach: not admitted yet, or not a member of the
 * group at all (a non-member never sends us a status, so it never gets the pool). */
static void
note_missed(sync_t *s, const unsigned *peers, size_t n)
{
    for (unsigned p = 0; p < s->env->nnodes; p++) {
        bool reached = p == s->env->self;

        for (size_t i = 0; i < n && !reached; i++)
            reached = peers[i] == p &&
                      (s->host->connected == NULL || s->host->connected(s->g, p));
        if (!reached)
            s->peers[p].missed_txs = true;
    }
}

/* Send every waiting transaction to every peer, in one Transactions packet each. */
static void
flush_txs(sync_t *s)
{
    unsigned peers[MAX_PEERS];
    size_t n = s->host->peers(s->g, peers, MAX_PEERS), list;
    bl_buf_t body = BL_BUF_INIT;

    list = rlp_list_begin(&body);
    for (size_t i = 0; i < s->npending; i++) {
        rlp_put_bytes(&body, s->pending_txs[i].data, s->pending_txs[i].len);
        bl_buf_free(&s->pending_txs[i]);
    }
    rlp_list_end(&body, list);
    if (s->npending > 0)
        for (size_t i = 0; i < n; i++)
            send_packet(s, peers[i], SYNC_TRANSACTIONS, &body);
    if (s->npending > 0)
        note_missed(s, peers, n);
    s->npending = 0;
    s->flush_set = false;
    bl_buf_free(&body);
}

void
sync_on_timer(sync_t *s, unsigned local)
{
    if (local == SYNC_TIMER_FLUSH) {
        flush_txs(s);
        return;
    }
    if (local != SYNC_TIMER_GOSSIP)
        return;
    broadcast_status(s);
    for (unsigned p = 0; p < s->env->nnodes; p++) /* a request that went unanswered */
        if (s->peers[p].number > my_height(s))
            maybe_request(s, p);
    env_set_timer(s->env, env_timer_id(s->group, MODULE_SYNC, SYNC_TIMER_GOSSIP), SYNC_GOSSIP_MS);
}
