/*
 * txpool.h — the transaction pool of one group: which transactions wait to be packed into a
 * block, and which are turned away at the door.
 *
 * A client sends a signed transaction to one node; the node's pool checks it and keeps it until
 * a sealer packs it into a block. The checks exist because anybody may send anything, and the
 * same bytes may arrive many times (from the client retrying, from every peer that forwards it):
 *
 *   - the NONCE is a random number the client puts in every transaction. Two transactions with
 *     the same nonce cannot both be on the chain: the second is a replay. To know, the pool keeps
 *     the nonces of the transactions in the last 1000 blocks (the LEDGER NONCE WINDOW, read
 *     from _sys_block_2_nonces_ and slid forward on every commit) and the nonces of the
 *     transactions waiting in the pool (the PENDING NONCES).
 *   - the BLOCKLIMIT is the last height at which the transaction may be included; the pool takes
 *     it only if current < blockLimit <= current + 1000. So a transaction can be included only
 *     within 1000 blocks of being sent, and a nonce older than 1000 blocks can safely be
 *     forgotten: a replay of that transaction fails its blockLimit instead. The two rules together
 *     stop replays with a bounded memory, unlike Ethereum's per-account counter.
 *   - the CHAIN ID and GROUP ID stop a transaction signed for one chain or group from being
 *     replayed on another.
 *
 * The checks run in FISCO's order (TxPool::import and TxPool::verify, fisco-2x-facts §1.4): the
 * cheap ones first — a hash lookup, two set lookups, a comparison — and the signature (an
 * elliptic-curve public-key recovery, thousands of times dearer) only for a transaction that
 * passed them, so a flood of replays costs the node almost nothing. See txpool.c for each code.
 *
 * The pool is a pure module: no clock (the caller passes now_ms), no threads, no network (the
 * caller broadcasts what it accepted, and hands txpool_top's transactions to its sealer). Its
 * memory is bounded: at most `limit` transactions, the nonces of 1001 blocks, and at most `limit`
 * hashes of dropped transactions.
 */
#ifndef BL_TXPOOL_TXPOOL_H
#define BL_TXPOOL_TXPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"

#define TXPOOL_INI_LIMIT 150000          /* [tx_pool] limit as build_chain.sh writes group.ini */
#define TXPOOL_DEFAULT_LIMIT 102400      /* FISCO's value when group.ini does not say */
#define TXPOOL_EXPIRATION_MS 600000u     /* [tx_pool] txs_expiration_time, 600 s */
#define TXPOOL_BLOCK_LIMIT_WINDOW 1000   /* FISCO's m_maxBlockLimit */

typedef struct {
    uint64_t chain_id;          /* [chain] id */
    uint64_t group_id;
    size_t limit;               /* most pending transactions; 0: TXPOOL_DEFAULT_LIMIT */
    uint64_t expiration_ms;     /* a pending tx older than this is dropped; 0: the default */
    int64_t block_limit_window; /* 0: TXPOOL_BLOCK_LIMIT_WINDOW */
} txpool_config_t;

typedef struct txpool txpool_t;

/* The group.ini defaults: limit 150000, 600 s, window 1000. */
void txpool_config_init(txpool_config_t *cfg, uint64_t chain_id, uint64_t group_id);

/* A pool for the group whose ledger is chain (borrowed; it must have its genesis block). Loads
 * the ledger nonce window [max(0, current - window), current]. */
int txpool_new(const suite_t *suite, const txpool_config_t *cfg, chain_t *chain,
               txpool_t **out);
void txpool_free(txpool_t *p);

/* Check a raw transaction and keep it. Returns TX_OK or FISCO's status code of the rejection
 * (ledger/status.h; bl_errmsg() says why). hash_out (may be NULL) gets the transaction's hash
 * as soon as the bytes decode. A rejection changes nothing in the pool. */
int txpool_submit(txpool_t *p, bl_span_t raw, uint64_t now_ms, uint8_t hash_out[32]);

/* Block blk was committed: slide the nonce window up to it (reading from the chain any block
 * the pool was not told about) and remove its transactions from the pool. */
int txpool_on_commit(txpool_t *p, const block_t *blk);

/* For the sealer: copies of up to max pending transactions, in arrival order (free each with
 * tx_free, then the array). Each is checked again first, and dropped from the pool if it can
 * no longer be included: its nonce is on the chain, its blockLimit has passed, or it has waited
 * longer than expiration_ms. */
int txpool_top(txpool_t *p, size_t max, uint64_t now_ms, tx_t **out, size_t *n);

size_t txpool_size(const txpool_t *p);
/* The height the pool checks blockLimits against. */
int64_t txpool_current(const txpool_t *p);
bool txpool_contains(const txpool_t *p, const uint8_t hash[32]);
/* The sender of the pending transaction with this hash, as admission recovered it: false if
 * the pool does not hold it. The hash covers every byte of the transaction, signature
 * included, so a tx with the same hash is the same tx and has the same sender. */
bool txpool_sender(const txpool_t *p, const uint8_t hash[32], uint8_t pub[64], uint8_t addr[20]);
/* A copy of a pending transaction (tx_free it); BL_E_NOTFOUND if it is not in the pool. */
int txpool_get(const txpool_t *p, const uint8_t hash[32], tx_t *out);

#endif
