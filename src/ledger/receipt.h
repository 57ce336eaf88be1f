/*
 * receipt.h — the receipt a node writes for every transaction it executes.
 *
 * FISCO 2.x (supported_version ≥ 2.9) encodes a receipt as an RLP list of 8 items:
 *   0 stateRoot        the block's state root after execution (every receipt of a block gets the
 *                      block's final root, because parallel execution has no per-tx root)
 *   1 gasUsed          gas used by this transaction alone
 *   2 contractAddress  the new contract's address, or 20 zero bytes for a call
 *   3 bloom            256-byte log bloom filter over the logs' addresses and topics
 *   4 status           0 for success, else a status code (ledger/status.h)
 *   5 output           the bytes the call returned (ABI-encoded)
 *   6 remainGas        gas left (added in 2.9)
 *   7 logs             list of [address, [topic...], data]
 * Before 2.9 there was no remainGas (7 items); the decoder accepts both.
 * A receipt's hash is hash(its RLP); receiptsRoot is the 16-ary Merkle root of those hashes.
 *
 * Gas numbers are u256 on the wire; we keep them as 64-bit integers, which every real amount of
 * gas fits in, and refuse larger ones when decoding.
 */
#ifndef BL_LEDGER_RECEIPT_H
#define BL_LEDGER_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"

#define RECEIPT_BLOOM_BYTES 256

typedef struct {
    uint8_t address[20];
    uint8_t (*topics)[32];
    size_t ntopics;
    bl_buf_t data;
} log_entry_t;

typedef struct {
    uint8_t state_root[32];
    uint64_t gas_used;
    uint8_t contract_address[20];
    uint8_t bloom[RECEIPT_BLOOM_BYTES];
    uint64_t status;
    bl_buf_t output;
    bool has_remain_gas;  /* false only for receipts decoded from the pre-2.9 layout */
    uint64_t remain_gas;
    log_entry_t *logs;
    size_t nlogs;
} receipt_t;

void receipt_init(receipt_t *r);
void receipt_free(receipt_t *r);
void receipt_copy(receipt_t *dst, const receipt_t *src);

/* Append a log (copies its data) and add it to the bloom filter. */
void receipt_add_log(const suite_t *suite, receipt_t *r, const uint8_t address[20],
                     const uint8_t (*topics)[32], size_t ntopics, const void *data, size_t len);

void receipt_encode(const receipt_t *r, bl_buf_t *out);
int receipt_decode(bl_span_t raw, receipt_t *r);
void receipt_hash(const suite_t *suite, const receipt_t *r, uint8_t out[32]);

/* Ethereum's 2048-bit bloom: three bits chosen by hash(x), for the address and each topic. */
void receipt_bloom_add(const suite_t *suite, uint8_t bloom[RECEIPT_BLOOM_BYTES], const void *x,
                       size_t len);

#endif
