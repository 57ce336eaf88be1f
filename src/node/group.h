/*
 * group.h — one group on one node: its own ledger, state, tx pool, sync and consensus.
 *
 * FISCO BCOS lets one node take part in several groups, and each group is a blockchain of its
 * own (fisco-2x-facts §4): its own genesis block, its own tables, its own transactions, its
 * own members, even its own consensus algorithm. A node hosting groups 1 and 2 simply holds two
 * of these side by side; nothing of group 2 ever mixes with group 1.
 *
 * Who is in a group is written in the group's own table _sys_consensus_ (sealers and
 * observers), changed by transactions to the Consensus precompile (0x1003), and read again
 * after every block: a node added by block 9 takes part from block 10. A node may host a group
 * it is not (yet) a member of — a "free node": it has the genesis, but members send it nothing
 * and it stays silent until it is added.
 *
 * Blocks come from the consensus engine the genesis names (consensus/consensus.h): `solo` (the
 * first sealer seals alone; everyone else gets the blocks by sync, re-executing each one before
 * accepting it), and PBFT and Raft.
 */
#ifndef BL_NODE_GROUP_H
#define BL_NODE_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "ledger/genesis.h"
#include "net/env.h"

typedef struct group group_t;

/* What a group needs from the node hosting it. */
typedef struct {
    env_t *env;
    const suite_t *suite;
    const keypair_t *key;            /* the node's key: node ID = key->pub */
    const uint8_t (*node_ids)[64];   /* every node of the cluster, by index */
    uint64_t chain_id;
    /* Has the node admitted peer (certificates checked both ways)? NULL: always. */
    bool (*connected)(const void *arg, unsigned peer);
    const void *connected_arg;
} group_host_t;

typedef enum { GROUP_NONE, GROUP_SEALER, GROUP_OBSERVER } group_role_t;

/* Open (or, after a restart, reopen) the group described by genesis on this node; its data
 * lives on the node's disk "group<id>". */
int group_open(const group_host_t *host, const genesis_t *genesis, group_t **out);
void group_close(group_t *g);
/* Start the group's timers (sync gossip, the sealer). */
void group_start(group_t *g);

unsigned group_id(const group_t *g);
int64_t group_height(group_t *g);
/* Copy of block n of this group (block_free it). */
int group_block(group_t *g, int64_t n, block_t *out);
/* The same without recovering senders (chain_block_stored): headers, hashes, txs' fields. */
int group_block_stored(group_t *g, int64_t n, block_t *out);
/* This node's role, or another node's (by cluster index), in force for the next block. */
group_role_t group_role_of(const group_t *g, unsigned node);
size_t group_pool_size(const group_t *g);
/* How many blocks this group has executed, for consensus or to apply a synced block. FISCO
 * executes a block once per node: a sealer commits the state it executed before signing. */
uint64_t group_executions(const group_t *g);
/* Transactions in all committed blocks of this group. */
int64_t group_total_txs(group_t *g);

/* A transaction from a client: FISCO's status code (TX_OK when the pool took it, and then it
 * is broadcast to the group's other members). */
int group_submit(group_t *g, bl_span_t raw, uint8_t hash[32]);

void group_on_message(group_t *g, unsigned from, unsigned module, unsigned packet_type,
                      bl_span_t body);
void group_on_timer(group_t *g, unsigned module, unsigned local);

#endif
