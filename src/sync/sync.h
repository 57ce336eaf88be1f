/*
 * sync.h — block sync and transaction broadcast of one group (fisco-2x-facts §2.7, §2.8).
 *
 * Consensus makes new blocks; sync makes sure every member of the group ends up with all of
 * them — a node that was down, cut off by a partition, or just added to the group downloads
 * what it missed from its peers. The conversation (module BlockSync = 9):
 *
 *     Status        [number, genesisHash, latestHash]   "this is how far I am"
 *                   sent after every commit and, as gossip, every second
 *     ReqBlocks     [from, count]                       "send me blocks from..count"
 *     Blocks        [block, block, ...]                 the answer, at most 32 blocks
 *     Transactions  [tx, tx, ...]                       new transactions, in batches
 *
 * A node that hears a peer is higher asks that peer for the next blocks (at most 32 at a time),
 * and applies each one only after executing it itself and finding the same roots in its header
 * (sync never trusts a block it cannot reproduce). Then it asks for more, until it is level.
 *
 * sync_t is a pure state machine: it learns about its group through the host callbacks below,
 * and reaches the world only through env (net/env.h).
 */
#ifndef BL_SYNC_SYNC_H
#define BL_SYNC_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "ledger/block.h"
#include "net/env.h"

/* Packet types (FISCO's libsync/Common.h). */
enum {
    SYNC_STATUS = 0x00,
    SYNC_TRANSACTIONS = 0x01,
    SYNC_BLOCKS = 0x02,
    SYNC_REQ_BLOCKS = 0x03,
};

#define SYNC_MAX_REQUEST_BLOCKS 32   /* c_maxRequestBlocks */
#define SYNC_GOSSIP_MS 1000          /* gossip_interval_ms: status to peers even when idle */
#define SYNC_REQUEST_TIMEOUT_MS 2000 /* ask again (maybe someone else) if no answer by then */
#define SYNC_TX_FLUSH_MS 10          /* new txs wait this long to travel in one batch */
/* A member whose status has not come for this long was crashed or cut off: what we broadcast
 * meanwhile never reached it (see on_status). */
#define SYNC_PEER_GONE_MS (3 * SYNC_GOSSIP_MS)

/* What sync needs to know of its group and may ask it to do. */
typedef struct {
    /* The current height and hash. */
    void (*tip)(void *g, int64_t *number, uint8_t hash[32]);
    /* The encoded block `number` (block_encode), appended to out. */
    int (*block_at)(void *g, int64_t number, bl_buf_t *out);
    /* Execute blk, check it reproduces its header, commit it. BL_OK or why not. */
    int (*apply)(void *g, const block_t *blk);
    /* The group's other members (cluster indices) to talk to; returns how many. */
    size_t (*peers)(void *g, unsigned *out, size_t max);
    /* Does a message to this member get through (the node has admitted it)? NULL: always. */
    bool (*connected)(void *g, unsigned peer);
    /* A transaction that arrived from a peer: hand it to the pool. */
    void (*tx_arrived)(void *g, bl_span_t raw);
    /* The pool's pending transactions, encoded, into *raws (the caller frees each and the
     * array); returns how many. */
    size_t (*pending_txs)(void *g, bl_buf_t **raws);
} sync_host_t;

typedef struct {
    int64_t number;         /* last status heard; -1: never heard */
    uint64_t heard_ms;
    bool missed_txs;        /* a tx broadcast went out while this node was not our peer yet */
    bool heard;             /* heard_ms is set: a status has come at least once */
} sync_peer_t;

typedef struct {
    env_t *env;
    unsigned group;
    const suite_t *suite;
    uint8_t genesis_hash[32];
    const sync_host_t *host;
    void *g;
    sync_peer_t *peers;     /* by cluster index */
    /* an outstanding request: to whom, up to which block, until when */
    bool downloading;
    unsigned download_from_peer;
    int64_t download_to;
    uint64_t download_deadline;
    /* transactions waiting to be broadcast in one batch */
    bl_buf_t *pending_txs;
    size_t npending, pending_cap;
    bool flush_set;
} sync_t;

void sync_init(sync_t *s, env_t *env, unsigned group, const suite_t *suite,
               const uint8_t genesis_hash[32], const sync_host_t *host, void *g);
void sync_free(sync_t *s);

/* Start gossiping (sets the gossip timer). */
void sync_start(sync_t *s);
/* A block was committed here: tell the peers. */
void sync_on_commit(sync_t *s);
/* A client gave this node a transaction the pool accepted: it will go to every peer in the
 * next batch. */
void sync_broadcast_tx(sync_t *s, bl_span_t raw);
/* A message of module BlockSync. Malformed ones are dropped (EV_MSG_DROPPED) and change
 * nothing. */
void sync_on_message(sync_t *s, unsigned from, unsigned packet_type, bl_span_t body);
/* One of sync's timers (env_timer_local: SYNC_TIMER_*). */
void sync_on_timer(sync_t *s, unsigned local);

enum { SYNC_TIMER_GOSSIP = 1, SYNC_TIMER_FLUSH = 2 };

#endif
