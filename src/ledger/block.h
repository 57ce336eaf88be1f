/*
 * block.h — FISCO BCOS 2.x block headers and blocks.
 *
 * A block header is an RLP list of 13 fields, and the block's hash is hash(that list):
 *    0 parentHash        the previous block's hash: this is what chains the blocks together
 *    1 stateRoot         the world state after the block (with table storage, equal to dbHash)
 *    2 transactionsRoot  16-ary Merkle root of the transaction hashes (merkle.h)
 *    3 receiptsRoot      16-ary Merkle root of the receipt hashes
 *    4 dbHash            hash of the storage writes this block made (FISCO's addition)
 *    5 logBloom          256 bytes, not used by FISCO
 *    6 number            height; the genesis block is 0
 *    7 gasLimit, 8 gasUsed
 *    9 timestamp         Unix time in milliseconds
 *   10 extraData         a list of byte strings; the genesis block puts its "genesis mark" here
 *   11 sealer            index (in sealerList) of the node that packed the block
 *   12 sealerList        the 64-byte node IDs of the group's consensus nodes
 *
 * A whole block is an RLP list of 5 items:
 *    0 the header (the 13-item list itself)
 *    1 the transactions, as ONE byte string in FISCO's "parallel" layout: a little-endian u32
 *      count, count+1 little-endian u32 offsets (offsets[0] = 0, offsets[i+1] = end of tx i),
 *      then the raw transactions back to back — so a decoder can split them across threads
 *      without parsing them one by one. No transactions give an empty string.
 *    2 the block hash (again, so a receiver can check it)
 *    3 sigList: list of [sealer index, signature] — the PBFT commit signatures over the hash
 *    4 the receipts: a list of receipt RLPs
 * Tampering with any transaction changes transactionsRoot, hence the header, hence the hash,
 * hence the next block's parentHash: that is the whole "chain" in blockchain.
 */
#ifndef BL_LEDGER_BLOCK_H
#define BL_LEDGER_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "ledger/receipt.h"
#include "ledger/tx.h"

#define HEADER_FIELDS 13
#define BLOCK_FIELDS 5

typedef struct {
    uint8_t parent_hash[32];
    uint8_t state_root[32];
    uint8_t tx_root[32];
    uint8_t receipt_root[32];
    uint8_t db_hash[32];
    uint8_t log_bloom[RECEIPT_BLOOM_BYTES];
    int64_t number;
    uint64_t gas_limit;
    uint64_t gas_used;
    int64_t timestamp;      /* milliseconds since 1970 */
    bl_buf_t *extra;        /* extraData items */
    size_t nextra;
    uint64_t sealer;        /* index into sealer_list */
    uint8_t (*sealer_list)[64];
    size_t nsealers;
} header_t;

typedef struct {
    uint64_t index;                 /* which sealer signed */
    uint8_t sig[SUITE_MAX_SIG];     /* over the block hash, in the suite's form */
    size_t sig_len;
} block_sig_t;

typedef struct {
    header_t header;
    tx_t *txs;
    size_t ntxs;
    receipt_t *receipts;
    size_t nreceipts;
    block_sig_t *sigs;
    size_t nsigs;
} block_t;

void header_init(header_t *h);
void header_free(header_t *h);
void header_copy(header_t *dst, const header_t *src);
void header_add_extra(header_t *h, const void *p, size_t n);
void header_add_sealer(header_t *h, const uint8_t node_id[64]);
void header_encode(const header_t *h, bl_buf_t *out);
int header_decode(bl_span_t raw, header_t *h);
void header_hash(const suite_t *suite, const header_t *h, uint8_t out[32]);

void block_init(block_t *b);
void block_free(block_t *b);
/* Append a copy of a transaction / receipt / signature. */
/* The sigList alone, as block item 3 holds it: [[index, signature], ...] (the ledger keeps it
 * beside the header). Decoding appends to b->sigs. */
void block_encode_sigs(const block_t *b, bl_buf_t *out);
int block_decode_sigs(const suite_t *suite, bl_span_t raw, block_t *b);
/* A deep copy (dst is initialised here; block_free it). */
void block_copy(block_t *dst, const block_t *src);
void block_add_tx(block_t *b, const tx_t *tx);
void block_add_receipt(block_t *b, const receipt_t *r);
void block_add_sig(block_t *b, uint64_t index, const uint8_t *sig, size_t len);

/* Recompute transactionsRoot and receiptsRoot from the block's contents into its header. */
void block_compute_roots(const suite_t *suite, block_t *b);
/* Just the transactionsRoot of b's transactions, into root. */
void block_tx_root(const suite_t *suite, const block_t *b, uint8_t root[32]);
void block_hash(const suite_t *suite, const block_t *b, uint8_t out[32]);

void block_encode(const suite_t *suite, const block_t *b, bl_buf_t *out);
/* Decode and check: header, every transaction (signatures too), every receipt, that the hash
 * item equals the header's hash, and that both roots match the contents. */
int block_decode(const suite_t *suite, bl_span_t raw, block_t *b);
/* The same checks, but no transaction's sender is recovered (tx_decode_unverified): the
 * caller fills them before anything executes the block — PBFT and Raft take them from the
 * pool, which verified the same txs on arrival, and recover only those it lacks. */
int block_decode_unverified(const suite_t *suite, bl_span_t raw, block_t *b);

/* The parallel transaction blob on its own (block item 1; also used by sync messages). */
void block_encode_tx_blob(const suite_t *suite, const tx_t *txs, size_t n, bl_buf_t *out);
/* On error *txs is NULL and *n is 0. */
int block_decode_tx_blob(const suite_t *suite, bl_span_t blob, tx_t **txs, size_t *n);

#endif
