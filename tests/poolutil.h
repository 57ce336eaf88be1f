/*
 * poolutil.h — a small group for the ledger and pool tests (test_chain.c, test_txpool.c).
 *
 * A pu_group_t is one group's tables on an in-memory key-value store, its ledger (chain.h)
 * founded from a genesis with four fixed sealers, and the fixed accounts alice and bob. Tests
 * make signed DagTransfer transactions (0x5002) the way a client does, and commit blocks the way
 * a node does: execute, sign by n - f sealers, chain_commit_block.
 *
 *     pu_group_t g;
 *     pu_open(&g, suite_ecdsa());                       block 0 written
 *     pu_dag_tx(&g, &g.alice, 7, 500, &tx, "userAdd(string,uint256)", "alice", "100", NULL);
 *     pu_commit(&g, &tx, 1, NULL);                      block 1 executed and committed
 *     pu_reopen(&g);                                    the same data, opened afresh
 *     pu_close(&g);
 */
#ifndef BL_TESTS_POOLUTIL_H
#define BL_TESTS_POOLUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "crypto/suite.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/genesis.h"
#include "storage/amdb.h"
#include "storage/kv.h"
#include "storage/store.h"

#define PU_SEALERS 4
#define PU_QUORUM 3
#define PU_CHAIN_ID 1
#define PU_GROUP_ID 1
#define PU_GENESIS_TIME 1700000000000LL
#define PU_DAG "userTransfer(string,string,uint256)"
#define PU_ADD "userAdd(string,uint256)"

typedef struct {
    const suite_t *suite;
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    chain_t *chain;
    keypair_t sealers[PU_SEALERS];
    keypair_t alice, bob;
} pu_group_t;

/* The group's genesis: four sealers, FISCO's defaults (genesis_free it). */
void pu_genesis(const pu_group_t *g, genesis_t *out);
/* A fresh group with its genesis block written. */
void pu_open(pu_group_t *g, const suite_t *suite);
/* The tables and ledger only, on g->kv, without writing any genesis (g->kv must be set). */
void pu_attach(pu_group_t *g);
/* Close the ledger and tables and open them again on the same key-value store. */
void pu_reopen(pu_group_t *g);
void pu_detach(pu_group_t *g);
void pu_close(pu_group_t *g);

/* A DagTransfer call signature(args...) (NULL-ended) signed by kp, for chain 1 and group 1. */
void pu_dag_tx(const pu_group_t *g, const keypair_t *kp, uint64_t nonce, int64_t block_limit,
               tx_t *tx, const char *signature, ...) __attribute__((sentinel));

/* The next block on top of the ledger holding copies of txs, executed (serial executor) and
 * signed by PU_QUORUM sealers; not written. */
void pu_make_block(pu_group_t *g, const tx_t *txs, size_t n, block_t *out);
/* pu_make_block, then chain_commit_block; out (may be NULL) receives the block. */
void pu_commit(pu_group_t *g, const tx_t *txs, size_t n, block_t *out);

#endif
