/*
 * 01-block-hash.c — reference solution of exercise 01 (exercises/01-block-hash/block_hash.h).
 *
 * The block hash is the suite's hash of the header's RLP; a chain is good when every block's
 * transactions match its transactionsRoot, the numbers count up by one, and every block's hash
 * is the parentHash its successor recorded.
 */
#include "block_hash.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"
#include "codec/rlp.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"

/* The 13 fields in FISCO's order (src/ledger/block.h), as one RLP list. */
static void encode_header(const header_t *h, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out), sub;

    rlp_put_bytes(out, h->parent_hash, 32);
    rlp_put_bytes(out, h->state_root, 32);
    rlp_put_bytes(out, h->tx_root, 32);
    rlp_put_bytes(out, h->receipt_root, 32);
    rlp_put_bytes(out, h->db_hash, 32);
    rlp_put_bytes(out, h->log_bloom, RECEIPT_BLOOM_BYTES);
    rlp_put_uint(out, (uint64_t)h->number);
    rlp_put_uint(out, h->gas_limit);
    rlp_put_uint(out, h->gas_used);
    rlp_put_uint(out, (uint64_t)h->timestamp);
    sub = rlp_list_begin(out);
    for (size_t i = 0; i < h->nextra; i++)
        rlp_put_bytes(out, h->extra[i].data, h->extra[i].len);
    rlp_list_end(out, sub);
    rlp_put_uint(out, h->sealer);
    sub = rlp_list_begin(out);
    for (size_t i = 0; i < h->nsealers; i++)
        rlp_put_bytes(out, h->sealer_list[i], 64);
    rlp_list_end(out, sub);
    rlp_list_end(out, list);
}

void ex_block_hash(const suite_t *suite, const header_t *h, uint8_t out[32])
{
    bl_buf_t rlp = BL_BUF_INIT;

    encode_header(h, &rlp);
    suite->hash(rlp.data, rlp.len, out);
    bl_buf_free(&rlp);
}

/* Rule 1: the transactions, hashed afresh from their fields, give the header's root. */
static bool txs_match_root(const suite_t *suite, const block_t *b)
{
    uint8_t (*hashes)[32] = bl_xcalloc(b->ntxs, 32);
    bl_buf_t raw = BL_BUF_INIT;
    uint8_t root[32];

    for (size_t i = 0; i < b->ntxs; i++) {
        bl_buf_clear(&raw);
        tx_encode(suite, &b->txs[i], &raw);
        suite->hash(raw.data, raw.len, hashes[i]);
    }
    merkle_root(suite, (const uint8_t(*)[32])hashes, b->ntxs, root);
    bl_buf_free(&raw);
    free(hashes);
    return memcmp(root, b->header.tx_root, 32) == 0;
}

int64_t ex_first_bad_block(const suite_t *suite, const block_t *blocks, size_t n)
{
    uint8_t hash[32];

    for (size_t i = 0; i < n; i++) {
        const header_t *h = &blocks[i].header;

        if (!txs_match_root(suite, &blocks[i]))
            return (int64_t)i;
        if (i > 0 && h->number != blocks[i - 1].header.number + 1)
            return (int64_t)i;
        if (i + 1 < n) {
            ex_block_hash(suite, h, hash);
            if (memcmp(hash, blocks[i + 1].header.parent_hash, 32) != 0)
                return (int64_t)i;
        }
    }
    return -1;
}
