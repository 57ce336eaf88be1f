/*
 * header.c — block headers: the 13 fields, their RLP, and the block hash.
 *
 * The block hash is simply hash(RLP of the header). Everything a block commits to — its parent,
 * its transactions (through transactionsRoot), its results (stateRoot, receiptsRoot, dbHash) and
 * who may sign it (sealerList) — is in these 13 fields, so signing the hash signs all of it.
 */
#include "ledger/block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

void
header_init(header_t *h)
{
    memset(h, 0, sizeof *h);
}

void
header_free(header_t *h)
{
    for (size_t i = 0; i < h->nextra; i++)
        bl_buf_free(&h->extra[i]);
    free(h->extra);
    free(h->sealer_list);
    header_init(h);
}

void
header_add_extra(header_t *h, const void *p, size_t n)
{
    h->extra = bl_xrealloc(h->extra, (h->nextra + 1) * sizeof *h->extra);
    bl_buf_init(&h->extra[h->nextra]);
    bl_buf_append(&h->extra[h->nextra], p, n);
    h->nextra++;
}

void
header_add_sealer(header_t *h, const uint8_t node_id[64])
{
    h->sealer_list = bl_xrealloc(h->sealer_list, (h->nsealers + 1) * 64);
    memcpy(h->sealer_list[h->nsealers], node_id, 64);
    h->nsealers++;
}

void
header_copy(header_t *dst, const header_t *src)
{
    *dst = *src;
    dst->extra = NULL;
    dst->nextra = 0;
    dst->sealer_list = NULL;
    dst->nsealers = 0;
    for (size_t i = 0; i < src->nextra; i++)
        header_add_extra(dst, src->extra[i].data, src->extra[i].len);
    for (size_t i = 0; i < src->nsealers; i++)
        header_add_sealer(dst, src->sealer_list[i]);
}

void
header_encode(const header_t *h, bl_buf_t *out)
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

void
header_hash(const suite_t *suite, const header_t *h, uint8_t out[32])
{
    bl_buf_t rlp = BL_BUF_INIT;

    header_encode(h, &rlp);
    suite->hash(rlp.data, rlp.len, out);
    bl_buf_free(&rlp);
}

static const char *const header_names[HEADER_FIELDS] = {
    "parentHash", "stateRoot", "transactionsRoot", "receiptsRoot", "dbHash", "logBloom",
    "number", "gasLimit", "gasUsed", "timestamp", "extraData", "sealer", "sealerList",
};

static int
get_fixed(const rlp_item_t *f, int i, uint8_t *out, size_t n)
{
    if (rlp_get_fixed(&f[i], out, n) != BL_OK)
        return bl_fail(BL_E_FORMAT, "block header field %d (%s) must be %zu bytes", i,
                       header_names[i], n);
    return BL_OK;
}

/* number and timestamp are int64 in FISCO: refuse values that do not fit. */
static int
get_int(const rlp_item_t *f, int i, uint64_t *v, bool signed64)
{
    if (rlp_get_uint(&f[i], v) != BL_OK || (signed64 && *v > INT64_MAX))
        return bl_fail(BL_E_FORMAT, "block header field %d (%s) must be a canonical integer "
                       "below 2^%d", i, header_names[i], signed64 ? 63 : 64);
    return BL_OK;
}

static int
decode_extra(const rlp_item_t *list, header_t *h)
{
    rlp_iter_t it;
    rlp_item_t item;
    int err;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "block header field 10 (extraData) must be a list");
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &item)) == 1) {
        if (item.is_list)
            return bl_fail(BL_E_FORMAT, "extraData items must be byte strings");
        header_add_extra(h, item.payload.ptr, item.payload.len);
    }
    return err;
}

static int
decode_sealers(const rlp_item_t *list, header_t *h)
{
    rlp_iter_t it;
    rlp_item_t item;
    uint8_t id[64];
    int err;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "block header field 12 (sealerList) must be a list");
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &item)) == 1) {
        if (rlp_get_fixed(&item, id, 64) != BL_OK)
            return bl_fail(BL_E_FORMAT, "sealerList entry %zu is not a 64-byte node ID",
                           h->nsealers);
        header_add_sealer(h, id);
    }
    return err;
}

static int
decode_header_fields(const rlp_item_t *f, header_t *h)
{
    uint64_t number, timestamp;
    int err;

    if ((err = get_fixed(f, 0, h->parent_hash, 32)) != BL_OK ||
        (err = get_fixed(f, 1, h->state_root, 32)) != BL_OK ||
        (err = get_fixed(f, 2, h->tx_root, 32)) != BL_OK ||
        (err = get_fixed(f, 3, h->receipt_root, 32)) != BL_OK ||
        (err = get_fixed(f, 4, h->db_hash, 32)) != BL_OK ||
        (err = get_fixed(f, 5, h->log_bloom, RECEIPT_BLOOM_BYTES)) != BL_OK ||
        (err = get_int(f, 6, &number, true)) != BL_OK ||
        (err = get_int(f, 7, &h->gas_limit, false)) != BL_OK ||
        (err = get_int(f, 8, &h->gas_used, false)) != BL_OK ||
        (err = get_int(f, 9, &timestamp, true)) != BL_OK ||
        (err = decode_extra(&f[10], h)) != BL_OK ||
        (err = get_int(f, 11, &h->sealer, false)) != BL_OK ||
        (err = decode_sealers(&f[12], h)) != BL_OK)
        return err;
    h->number = (int64_t)number;
    h->timestamp = (int64_t)timestamp;
    return BL_OK;
}

int
header_decode(bl_span_t raw, header_t *h)
{
    rlp_item_t top, f[HEADER_FIELDS];
    int err;

    header_init(h);
    if ((err = rlp_decode(raw, &top)) != BL_OK ||
        (err = rlp_list_exact(&top, f, HEADER_FIELDS, "block header")) != BL_OK ||
        (err = decode_header_fields(f, h)) != BL_OK)
        header_free(h);
    return err;
}
