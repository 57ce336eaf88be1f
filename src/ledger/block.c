/*
 * block.c — whole blocks: transactions, receipts, commit signatures, and the checks a node makes
 * before it believes a block it was sent.
 */
#include "ledger/block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "ledger/merkle.h"

void
block_init(block_t *b)
{
    memset(b, 0, sizeof *b);
    header_init(&b->header);
}

void
block_free(block_t *b)
{
    for (size_t i = 0; i < b->ntxs; i++)
        tx_free(&b->txs[i]);
    for (size_t i = 0; i < b->nreceipts; i++)
        receipt_free(&b->receipts[i]);
    free(b->txs);
    free(b->receipts);
    free(b->sigs);
    header_free(&b->header);
    block_init(b);
}

void
block_copy(block_t *dst, const block_t *src)
{
    block_init(dst);
    header_copy(&dst->header, &src->header);
    for (size_t i = 0; i < src->ntxs; i++)
        block_add_tx(dst, &src->txs[i]);
    for (size_t i = 0; i < src->nreceipts; i++)
        block_add_receipt(dst, &src->receipts[i]);
    for (size_t i = 0; i < src->nsigs; i++)
        block_add_sig(dst, src->sigs[i].index, src->sigs[i].sig, src->sigs[i].sig_len);
}

void
block_add_tx(block_t *b, const tx_t *tx)
{
    b->txs = bl_xrealloc(b->txs, (b->ntxs + 1) * sizeof *b->txs);
    tx_copy(&b->txs[b->ntxs++], tx);
}

void
block_add_receipt(block_t *b, const receipt_t *r)
{
    b->receipts = bl_xrealloc(b->receipts, (b->nreceipts + 1) * sizeof *b->receipts);
    receipt_copy(&b->receipts[b->nreceipts++], r);
}

void
block_add_sig(block_t *b, uint64_t index, const uint8_t *sig, size_t len)
{
    block_sig_t *s;

    b->sigs = bl_xrealloc(b->sigs, (b->nsigs + 1) * sizeof *b->sigs);
    s = &b->sigs[b->nsigs++];
    s->index = index;
    s->sig_len = len < SUITE_MAX_SIG ? len : SUITE_MAX_SIG;
    memcpy(s->sig, sig, s->sig_len);
}

void
block_tx_root(const suite_t *suite, const block_t *b, uint8_t root[32])
{
    uint8_t (*hashes)[32] = bl_xcalloc(b->ntxs, 32);

    for (size_t i = 0; i < b->ntxs; i++)
        memcpy(hashes[i], b->txs[i].hash, 32);
    merkle_root(suite, (const uint8_t(*)[32])hashes, b->ntxs, root);
    free(hashes);
}

static void
receipt_root_of(const suite_t *suite, const block_t *b, uint8_t root[32])
{
    uint8_t (*hashes)[32] = bl_xcalloc(b->nreceipts, 32);

    for (size_t i = 0; i < b->nreceipts; i++)
        receipt_hash(suite, &b->receipts[i], hashes[i]);
    merkle_root(suite, (const uint8_t(*)[32])hashes, b->nreceipts, root);
    free(hashes);
}

void
block_compute_roots(const suite_t *suite, block_t *b)
{
    block_tx_root(suite, b, b->header.tx_root);
    receipt_root_of(suite, b, b->header.receipt_root);
}

void
block_hash(const suite_t *suite, const block_t *b, uint8_t out[32])
{
    header_hash(suite, &b->header, out);
}

static void
put_u32_le(bl_buf_t *out, uint32_t v)
{
    uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

    bl_buf_append(out, le, 4);
}

static uint32_t
get_u32_le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void
block_encode_tx_blob(const suite_t *suite, const tx_t *txs, size_t n, bl_buf_t *out)
{
    bl_buf_t body = BL_BUF_INIT;

    if (n == 0)
        return;
    put_u32_le(out, (uint32_t)n);
    put_u32_le(out, 0);
    for (size_t i = 0; i < n; i++) {
        tx_encode(suite, &txs[i], &body);
        put_u32_le(out, (uint32_t)body.len);
    }
    bl_buf_append(out, body.data, body.len);
    bl_buf_free(&body);
}

/* Check the blob's table of offsets before trusting any of it. */
static int
check_tx_offsets(bl_span_t blob, uint64_t *count)
{
    uint64_t n, table, prev = 0;

    if (blob.len < 8)
        return bl_fail(BL_E_FORMAT, "transaction blob of %zu bytes is too short", blob.len);
    n = get_u32_le(blob.ptr);
    table = 4 + 4 * (n + 1);
    if (table > blob.len)
        return bl_fail(BL_E_FORMAT, "transaction blob claims %llu transactions, more than its "
                       "%zu bytes can hold", (unsigned long long)n, blob.len);
    for (uint64_t i = 0; i <= n; i++) {
        uint64_t off = get_u32_le(blob.ptr + 4 + 4 * i);
        if ((i == 0 && off != 0) || off < prev)
            return bl_fail(BL_E_FORMAT, "transaction blob offset %llu is out of order",
                           (unsigned long long)i);
        prev = off;
    }
    if (table + prev != blob.len)
        return bl_fail(BL_E_FORMAT, "transaction blob is %zu bytes but its offsets describe "
                       "%llu", blob.len, (unsigned long long)(table + prev));
    *count = n;
    return BL_OK;
}

/* verify: recover every sender (tx_decode), or leave them to the caller (tx_decode_unverified) */
static int
decode_tx_blob(const suite_t *suite, bl_span_t blob, bool verify, tx_t **txs, size_t *n)
{
    uint64_t count = 0;
    const uint8_t *body;
    int err = BL_OK;

    *txs = NULL;
    *n = 0;
    if (blob.len == 0)
        return BL_OK;
    if ((err = check_tx_offsets(blob, &count)) != BL_OK)
        return err;
    body = blob.ptr + 4 + 4 * (count + 1);
    *txs = bl_xcalloc(count, sizeof **txs);
    for (uint64_t i = 0; i < count; i++) {
        uint32_t from = get_u32_le(blob.ptr + 4 + 4 * i), to = get_u32_le(blob.ptr + 8 + 4 * i);
        bl_span_t raw = bl_span(body + from, to - from);

        err = verify ? tx_decode(suite, raw, &(*txs)[i])
                     : tx_decode_unverified(suite, raw, &(*txs)[i]);
        if (err != BL_OK) {
            char detail[400];
            snprintf(detail, sizeof detail, "%s", bl_errmsg());
            err = bl_fail(err, "transaction %llu of the block: %s", (unsigned long long)i, detail);
            goto out;
        }
        (*n)++;
    }
out:
    if (err != BL_OK) { /* nothing half-decoded is handed back */
        for (size_t i = 0; i < *n; i++)
            tx_free(&(*txs)[i]);
        free(*txs);
        *txs = NULL;
        *n = 0;
    }
    return err;
}

int
block_decode_tx_blob(const suite_t *suite, bl_span_t blob, tx_t **txs, size_t *n)
{
    return decode_tx_blob(suite, blob, true, txs, n);
}

void
block_encode_sigs(const block_t *b, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out);

    for (size_t i = 0; i < b->nsigs; i++) {
        size_t pair = rlp_list_begin(out);
        rlp_put_uint(out, b->sigs[i].index);
        rlp_put_bytes(out, b->sigs[i].sig, b->sigs[i].sig_len);
        rlp_list_end(out, pair);
    }
    rlp_list_end(out, list);
}

void
block_encode(const suite_t *suite, const block_t *b, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out), receipts;
    bl_buf_t blob = BL_BUF_INIT;
    uint8_t hash[32];

    header_encode(&b->header, out);
    block_encode_tx_blob(suite, b->txs, b->ntxs, &blob);
    rlp_put_bytes(out, blob.data, blob.len);
    block_hash(suite, b, hash);
    rlp_put_bytes(out, hash, 32);
    block_encode_sigs(b, out);
    receipts = rlp_list_begin(out);
    for (size_t i = 0; i < b->nreceipts; i++) {
        bl_buf_t r = BL_BUF_INIT;
        receipt_encode(&b->receipts[i], &r);
        rlp_put_raw(out, r.data, r.len);
        bl_buf_free(&r);
    }
    rlp_list_end(out, receipts);
    rlp_list_end(out, list);
    bl_buf_free(&blob);
}

static int
decode_sig_list(const suite_t *suite, const rlp_item_t *list, block_t *b)
{
    rlp_iter_t it;
    rlp_item_t item, pair[2];
    uint64_t index;
    int err;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "block sigList must be a list");
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &item)) == 1) {
        if ((err = rlp_list_exact(&item, pair, 2, "block signature")) != BL_OK ||
            (err = rlp_get_uint(&pair[0], &index)) != BL_OK)
            return err;
        if (pair[1].is_list || pair[1].payload.len != suite->sig_len)
            return bl_fail(BL_E_FORMAT, "block signature %zu must be %zu bytes for suite %s",
                           b->nsigs, suite->sig_len, suite->name);
        block_add_sig(b, index, pair[1].payload.ptr, pair[1].payload.len);
    }
    return err;
}

int
block_decode_sigs(const suite_t *suite, bl_span_t raw, block_t *b)
{
    rlp_item_t list;
    int err = rlp_decode(raw, &list);

    return err != BL_OK ? err : decode_sig_list(suite, &list, b);
}

static int
decode_receipts(const rlp_item_t *list, block_t *b)
{
    rlp_iter_t it;
    rlp_item_t item;
    receipt_t r;
    int err;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "block receipts must be a list");
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &item)) == 1) {
        if ((err = receipt_decode(item.raw, &r)) != BL_OK)
            return err;
        b->receipts = bl_xrealloc(b->receipts, (b->nreceipts + 1) * sizeof *b->receipts);
        b->receipts[b->nreceipts++] = r; /* moved, not copied */
    }
    return err;
}

/* The block must be what its header says: same hash, same transactions, same receipts. */
static int
check_block_commitments(const suite_t *suite, const block_t *b, const rlp_item_t *hash_item)
{
    uint8_t hash[32], root[32];

    block_hash(suite, b, hash);
    if (hash_item->is_list || hash_item->payload.len != 32 ||
        memcmp(hash_item->payload.ptr, hash, 32) != 0)
        return bl_fail(BL_E_FORMAT, "block hash field does not match the hash of its header");
    block_tx_root(suite, b, root);
    if (memcmp(root, b->header.tx_root, 32) != 0)
        return bl_fail(BL_E_FORMAT, "transactionsRoot does not match the block's transactions");
    if (b->nreceipts == 0)
        return BL_OK; /* a proposed block travels before execution, without receipts */
    if (b->nreceipts != b->ntxs)
        return bl_fail(BL_E_FORMAT, "block has %zu transactions but %zu receipts", b->ntxs,
                       b->nreceipts);
    receipt_root_of(suite, b, root);
    if (memcmp(root, b->header.receipt_root, 32) != 0)
        return bl_fail(BL_E_FORMAT, "receiptsRoot does not match the block's receipts");
    return BL_OK;
}

static int
decode_block(const suite_t *suite, bl_span_t raw, bool verify, block_t *b)
{
    rlp_item_t top, f[BLOCK_FIELDS];
    int err;

    block_init(b);
    if ((err = rlp_decode(raw, &top)) != BL_OK ||
        (err = rlp_list_exact(&top, f, BLOCK_FIELDS, "block")) != BL_OK ||
        (err = header_decode(f[0].raw, &b->header)) != BL_OK)
        goto out;
    if (f[1].is_list) {
        err = bl_fail(BL_E_FORMAT, "block item 1 must be the transaction blob (bytes)");
        goto out;
    }
    if ((err = decode_tx_blob(suite, f[1].payload, verify, &b->txs, &b->ntxs)) != BL_OK ||
        (err = decode_sig_list(suite, &f[3], b)) != BL_OK ||
        (err = decode_receipts(&f[4], b)) != BL_OK)
        goto out;
    err = check_block_commitments(suite, b, &f[2]);
out:
    if (err != BL_OK)
        block_free(b);
    return err;
}

int
block_decode(const suite_t *suite, bl_span_t raw, block_t *b)
{
    return decode_block(suite, raw, true, b);
}

int
block_decode_unverified(const suite_t *suite, bl_span_t raw, block_t *b)
{
    return decode_block(suite, raw, false, b);
}
