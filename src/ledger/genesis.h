/*
 * genesis.h — block 0 of a group, built from the group's genesis description.
 *
 * Every group is its own chain and starts from its own genesis block. FISCO writes block 0 once,
 * from the file group.N.genesis, and stores in the block's extraData a "genesis mark": one string
 * holding everything the group was founded with, so that two nodes with different genesis files
 * get different genesis hashes and can never sync with each other by accident:
 *
 *   groupId-sealer1,sealer2,...,-consensusType-stateType-evmFlags-maxTransNum-txGasLimit-consensusTimeout
 *
 * (the sealer list is the lowercase hex node IDs, each followed by a comma, as FISCO writes it).
 * The initial sealers themselves go into the group's _sys_consensus_ table, not the header.
 */
#ifndef BL_LEDGER_GENESIS_H
#define BL_LEDGER_GENESIS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/suite.h"
#include "ledger/block.h"

#define GENESIS_MAX_TRANS_NUM 1000
#define GENESIS_TX_GAS_LIMIT 300000000u
#define GENESIS_CONSENSUS_TIMEOUT 3 /* seconds */

typedef struct {
    int group_id;                 /* 1..32767 */
    char consensus_type[16];      /* "pbft", "raft" or "solo" */
    char state_type[16];          /* "storage" or "mpt" */
    uint64_t max_trans_num;       /* most transactions per block */
    uint64_t tx_gas_limit;        /* most gas per transaction */
    int64_t timestamp;            /* block 0's timestamp, milliseconds */
    uint64_t consensus_timeout;   /* seconds */
    uint32_t evm_flags;
    uint8_t (*sealers)[64];       /* initial sealers' node IDs */
    size_t nsealers;
} genesis_t;

/* FISCO's defaults (pbft, storage, 1000 txs, 300,000,000 gas, 3 s), no sealers. */
void genesis_init(genesis_t *g, int group_id);
void genesis_free(genesis_t *g);
void genesis_add_sealer(genesis_t *g, const uint8_t node_id[64]);

/* The genesis mark string (caller frees). */
char *genesis_mark(const genesis_t *g);

/* Check the description (group id range, known consensus and state types, at least one sealer,
 * positive limits) and build block 0. */
int genesis_block(const suite_t *suite, const genesis_t *g, block_t *out);

#endif
