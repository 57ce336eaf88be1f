/*
 * chain.h — the ledger of one group: its blocks, kept in the group's own system tables.
 *
 * A FISCO BCOS node does not keep its blocks in a separate file beside the state: the chain is
 * itself a handful of tables in the same AMDB as the accounts and the contracts (fisco-2x-facts
 * §6.2), and a block is written in the same atomic commit as the state changes it made:
 *
 *   _sys_number_2_hash_    "5"            -> value: block 5's hash (64 hex digits)
 *   _sys_hash_2_block_     hash hex       -> value: the whole block (RLP bytes, receipts and
 *                                            commit signatures included)
 *   _sys_hash_2_header_    hash hex       -> value: the header (RLP), sigs: the sigList (RLP)
 *   _sys_tx_hash_2_block_  tx hash hex    -> value: block number, index: position in the block
 *   _sys_block_2_nonces_   "5"            -> value: RLP list of the nonces of block 5's txs
 *   _sys_current_state_    current_number, total_transaction_count,
 *                          total_failed_transaction_count -> value: decimal
 *
 * Numbers are decimal text and hashes lowercase hex without "0x", as FISCO writes them; blobs are
 * raw bytes, as FISCO does since 2.2.
 *
 * Why one commit for both? If the node dies between "state of block 5 written" and "block 5
 * written", it would restart with a state that no block explains. So the executor leaves block
 * N's state changes in the AMDB (uncommitted), chain_write_block adds the ledger rows of N to the
 * same AMDB, and ONE amdb_commit(db, N) makes both durable, or neither. chain_commit_block does
 * both steps for a node.
 *
 * Block 0 is made from the group's genesis description (ledger/genesis.h). Its hash covers the
 * "genesis mark", so a node that opens data made from another genesis notices at once.
 *
 * Reads see the AMDB as it is, the current block's uncommitted writes included.
 */
#ifndef BL_LEDGER_CHAIN_H
#define BL_LEDGER_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/u256.h"
#include "crypto/suite.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "storage/amdb.h"

typedef struct chain chain_t;

/* The ledger kept in db (borrowed: chain_close leaves it open). */
int chain_open(amdb_t *db, const suite_t *suite, chain_t **out);
void chain_close(chain_t *c);
amdb_t *chain_db(const chain_t *c);
const suite_t *chain_suite(const chain_t *c);

/* If the group has no block 0 yet, write it with the initial sealers (_sys_consensus_, as the
 * Consensus precompile writes them) and the system config (tx_count_limit, tx_gas_limit,
 * consensus_timeout; enable_num 0), and commit it. If block 0 exists, its hash must be the one
 * this genesis gives (BL_E_INVALID otherwise: the data was made from a different genesis).
 * Refused (BL_E_INVALID) while the AMDB holds uncommitted changes. */
int chain_init_genesis(chain_t *c, const genesis_t *g);

/* The current height (BL_E_NOTFOUND before the genesis block). */
int chain_number(chain_t *c, int64_t *out);
/* The hash of block `number` (BL_E_NOTFOUND if there is none). */
int chain_hash_at(chain_t *c, int64_t number, uint8_t out[32]);
/* Block `number` as it was written: txs, receipts, commit signatures (block_free it). */
int chain_block_at(chain_t *c, int64_t number, block_t *out);
/* The same without recovering the senders (they were checked before the block was committed;
 * each tx's sender is left empty): for readers that need the rest only, a fraction of the
 * cost. */
int chain_block_stored(chain_t *c, int64_t number, block_t *out);
/* Its header (header_free it) and, if sigs is not NULL, its commit signatures (free *sigs). */
int chain_header_at(chain_t *c, int64_t number, header_t *out, block_sig_t **sigs,
                    size_t *nsigs);
/* Where a transaction was included (BL_E_NOTFOUND if it never was). */
int chain_tx_location(chain_t *c, const uint8_t tx_hash[32], int64_t *number, uint64_t *index);
/* The nonces of block `number`'s transactions, in block order (free *nonces). Block 0 has
 * none. BL_E_NOTFOUND above the current height. */
int chain_nonces_at(chain_t *c, int64_t number, bl_u256_t **nonces, size_t *count);
/* Transactions in all blocks so far, and how many of them failed (receipt status != 0); failed
 * may be NULL. */
int chain_total_txs(chain_t *c, int64_t *total, int64_t *failed);

/* Record an executed block (one receipt per transaction) in the system tables of the AMDB the
 * executor wrote its state changes into; the caller then commits once (amdb_commit(db,
 * number)). Refused, with nothing written: a number that is not current + 1, a parentHash that
 * is not the current block's hash, receipts missing. If writing fails halfway, the rows written
 * so far are undone (the executed state stays, for the caller to commit or roll back). */
int chain_write_block(chain_t *c, const block_t *blk);
/* chain_write_block, then amdb_commit(db, number): state and ledger land in one atomic write.
 * On failure nothing is durable; the caller rolls the AMDB back (amdb_rollback). */
int chain_commit_block(chain_t *c, const block_t *blk);

#endif
