/*
 * consensus.h — what every consensus engine is to its group, and what the group offers it.
 *
 * FISCO BCOS lets each group pick its consensus in its genesis (consensus_type=pbft|raft; we add
 * solo, one sealer, for the first lessons). Whatever the engine, its job is the same: agree with
 * the other sealers on the next block, then have the group commit it. The group does everything
 * else — the tx pool, execution, the ledger, sync — and the engine reaches it only through the
 * host calls below, and the world only through env (net/env.h): so an engine is a pure state
 * machine that the simulator can drive, replay and break at will.
 *
 *     engine                         group (node/group.c)
 *     ------                         --------------------
 *     pending()               ->     how many txs wait in the pool
 *     seal(blk, max)          ->     pending txs on top of the tip, header filled
 *     senders(blk)            ->     the sender of each tx of a block decoded without them: from
 *                                    the pool if it verified that tx, recovered otherwise
 *     execute(blk)            ->     run it, fill its roots, keep the state aside (not committed)
 *     executed(hash)          ->     is the state kept aside that of the block with this hash?
 *     commit(blk)             ->     write the executed block (with its signatures) for good
 *     abandon()               ->     forget an executed block that will not be committed
 *     apply(blk)              ->     execute + check the roots + commit, in one go (a block
 *                                    someone else executed: Raft followers, catch-up)
 *
 * Messages of the engine's module (PBFT = 8, Raft = 11) and its timers reach it through
 * on_message and on_timer; on_commit tells it that a block was committed, whichever way it came
 * (its own decision, or sync).
 */
#ifndef BL_CONSENSUS_CONSENSUS_H
#define BL_CONSENSUS_CONSENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/key.h"
#include "ledger/block.h"
#include "net/env.h"

#define CONSENSUS_MAX_SEALERS 64

typedef struct {
    void *g;                 /* the group, passed back in every call */
    env_t *env;              /* the node's env (sends reach admitted peers only) */
    unsigned group;          /* the group id, for frames and timer ids */
    const suite_t *suite;
    const keypair_t *key;    /* this node's key: node ID = key->pub */
    const char *params;      /* reserved: engine settings from the genesis; may be NULL */

    /* The current height and its hash. */
    void (*tip)(void *g, int64_t *number, uint8_t hash[32]);
    /* The sealers in force for the next block, in the order _sys_consensus_ lists them (a
     * sealer's index in it is what PBFT messages carry): ids[i] its node ID, nodes[i] its index
     * in the cluster (UINT32_MAX if it is not one of the cluster's nodes). Returns how many. */
    size_t (*sealers)(void *g, uint8_t (*ids)[64], unsigned *nodes, size_t max);
    /* tx_count_limit in force for the next block. */
    uint64_t (*tx_limit)(void *g);
    /* How many txs wait in the pool (some may turn out stale when sealed). */
    size_t (*pending)(void *g);
    /* A new block on top of the tip with up to max pending txs: parentHash, number,
     * timestamp, the sealer list and this node as its sealer. Returns how many txs it holds
     * (0: the pool is empty; blk is still a valid empty block). blk must be block_init'ed. */
    size_t (*seal)(void *g, block_t *blk, uint64_t max);
    /* Fill the sender of every tx of blk, decoded with block_decode_unverified. The pool
     * verified most of them on arrival (same hash, same bytes, same sender): those are taken
     * from it, and only the others are recovered — what FISCO's PBFT does with a PrepareReq.
     * BL_E_SIGNATURE if one does not verify. */
    int (*senders)(void *g, block_t *blk);
    /* Execute blk: replaces its receipts and fills stateRoot, receiptsRoot, dbHash. The
     * executed state waits for commit() or abandon(); executing another block abandons it. */
    int (*execute)(void *g, block_t *blk);
    /* Does the group still hold, uncommitted, the state of the block it executed last, and is
     * that block's (executed) hash `hash`? Then commit() may write it as it is, without
     * executing it again: anything that could have changed the state since (abandon, a block
     * from sync, another execution) has made this false. */
    bool (*executed)(void *g, const uint8_t hash[32]);
    /* Commit the block executed last (blk, now with its signature list). */
    int (*commit)(void *g, const block_t *blk);
    void (*abandon)(void *g);
    /* Execute a block someone else executed, check it reproduces its header's roots, and
     * commit it. */
    int (*apply)(void *g, const block_t *blk);
} consensus_host_t;

typedef struct consensus consensus_t;

typedef struct {
    const char *name; /* as in consensus_type */
    consensus_t *(*create)(const consensus_host_t *host);
    void (*destroy)(consensus_t *c);
    void (*start)(consensus_t *c);
    void (*on_message)(consensus_t *c, unsigned from, unsigned packet_type, bl_span_t body);
    void (*on_timer)(consensus_t *c, unsigned local);
    void (*on_commit)(consensus_t *c, const block_t *blk);
    /* The FISCO module its messages and timers use (MODULE_PBFT, MODULE_RAFT, MODULE_SOLO). */
    unsigned module;
} consensus_ops_t;

/* The engine called name ("pbft", "raft", "solo"), or NULL. */
const consensus_ops_t *consensus_find(const char *name);

extern const consensus_ops_t solo_ops; /* solo.c */
extern const consensus_ops_t pbft_ops; /* pbft.c */
extern const consensus_ops_t raft_ops; /* raft.c */

#endif
