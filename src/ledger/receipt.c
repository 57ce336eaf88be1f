/*
 * receipt.c — encoding and decoding transaction receipts and their logs.
 */
#include "ledger/receipt.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

void
receipt_init(receipt_t *r)
{
    memset(r, 0, sizeof *r);
    bl_buf_init(&r->output);
    r->has_remain_gas = true;
}

static void
log_free(log_entry_t *log)
{
    free(log->topics);
    bl_buf_free(&log->data);
}

void
receipt_free(receipt_t *r)
{
    for (size_t i = 0; i < r->nlogs; i++)
        log_free(&r->logs[i]);
    free(r->logs);
    bl_buf_free(&r->output);
    receipt_init(r);
}

static void
log_set(log_entry_t *log, const uint8_t address[20], const uint8_t (*topics)[32],
        size_t ntopics, const void *data, size_t len)
{
    memcpy(log->address, address, 20);
    log->ntopics = ntopics;
    log->topics = bl_xcalloc(ntopics, 32);
    if (ntopics)
        memcpy(log->topics, topics, ntopics * 32);
    bl_buf_init(&log->data);
    bl_buf_append(&log->data, data, len);
}

void
receipt_copy(receipt_t *dst, const receipt_t *src)
{
    *dst = *src;
    bl_buf_init(&dst->output);
    bl_buf_append(&dst->output, src->output.data, src->output.len);
    dst->logs = bl_xcalloc(src->nlogs, sizeof *dst->logs);
    for (size_t i = 0; i < src->nlogs; i++) {
        const log_entry_t *l = &src->logs[i];
        log_set(&dst->logs[i], l->address, (const uint8_t(*)[32])l->topics, l->ntopics,
                l->data.data, l->data.len);
    }
}

void
receipt_bloom_add(const suite_t *suite, uint8_t bloom[RECEIPT_BLOOM_BYTES], const void *x,
                  size_t len)
{
    uint8_t h[32];

    suite->hash(x, len, h);
    /* bytes (0,1), (2,3), (4,5) of the hash each pick one of 2048 bits */
    for (int i = 0; i < 6; i += 2) {
        unsigned bit = ((unsigned)h[i] << 8 | h[i + 1]) & 2047;
        bloom[RECEIPT_BLOOM_BYTES - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

void
receipt_add_log(const suite_t *suite, receipt_t *r, const uint8_t address[20],
                const uint8_t (*topics)[32], size_t ntopics, const void *data, size_t len)
{
    r->logs = bl_xrealloc(r->logs, (r->nlogs + 1) * sizeof *r->logs);
    log_set(&r->logs[r->nlogs++], address, topics, ntopics, data, len);
    receipt_bloom_add(suite, r->bloom, address, 20);
    for (size_t i = 0; i < ntopics; i++)
        receipt_bloom_add(suite, r->bloom, topics[i], 32);
}

static void
put_log(bl_buf_t *out, const log_entry_t *log)
{
    size_t entry = rlp_list_begin(out), topics;

    rlp_put_bytes(out, log->address, 20);
    topics = rlp_list_begin(out);
    for (size_t i = 0; i < log->ntopics; i++)
        rlp_put_bytes(out, log->topics[i], 32);
    rlp_list_end(out, topics);
    rlp_put_bytes(out, log->data.data, log->data.len);
    rlp_list_end(out, entry);
}

void
receipt_encode(const receipt_t *r, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out), logs;

    rlp_put_bytes(out, r->state_root, 32);
    rlp_put_uint(out, r->gas_used);
    rlp_put_bytes(out, r->contract_address, 20);
    rlp_put_bytes(out, r->bloom, RECEIPT_BLOOM_BYTES);
    rlp_put_uint(out, r->status);
    rlp_put_bytes(out, r->output.data, r->output.len);
    if (r->has_remain_gas)
        rlp_put_uint(out, r->remain_gas);
    logs = rlp_list_begin(out);
    for (size_t i = 0; i < r->nlogs; i++)
        put_log(out, &r->logs[i]);
    rlp_list_end(out, logs);
    rlp_list_end(out, list);
}

void
receipt_hash(const suite_t *suite, const receipt_t *r, uint8_t out[32])
{
    bl_buf_t rlp = BL_BUF_INIT;

    /* room for a usual receipt at once: the bloom alone is 256 bytes */
    bl_buf_reserve(&rlp, 400 + r->output.len);
    receipt_encode(r, &rlp);
    suite->hash(rlp.data, rlp.len, out);
    bl_buf_free(&rlp);
}

static int
decode_topics(const rlp_item_t *list, log_entry_t *log)
{
    rlp_iter_t it;
    rlp_item_t topic;
    size_t n;
    int err;

    if ((err = rlp_list_count(list, &n)) != BL_OK)
        return bl_fail(BL_E_FORMAT, "log topics must be a list");
    log->topics = bl_xcalloc(n, 32);
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &topic)) == 1) {
        if (rlp_get_fixed(&topic, log->topics[log->ntopics], 32) != BL_OK)
            return bl_fail(BL_E_FORMAT, "log topic %zu is not 32 bytes", log->ntopics);
        log->ntopics++;
    }
    return err;
}

static int
decode_log(const rlp_item_t *item, log_entry_t *log)
{
    rlp_item_t f[3];
    int err;

    bl_buf_init(&log->data);
    if ((err = rlp_list_exact(item, f, 3, "log entry")) != BL_OK)
        return err;
    if (rlp_get_fixed(&f[0], log->address, 20) != BL_OK)
        return bl_fail(BL_E_FORMAT, "log address is not 20 bytes");
    if ((err = decode_topics(&f[1], log)) != BL_OK)
        return err;
    if (f[2].is_list)
        return bl_fail(BL_E_FORMAT, "log data must be bytes, not a list");
    bl_buf_append(&log->data, f[2].payload.ptr, f[2].payload.len);
    return BL_OK;
}

static int
decode_logs(const rlp_item_t *list, receipt_t *r)
{
    rlp_iter_t it;
    rlp_item_t item;
    size_t n;
    int err;

    if ((err = rlp_list_count(list, &n)) != BL_OK)
        return bl_fail(BL_E_FORMAT, "receipt logs must be a list");
    r->logs = bl_xcalloc(n, sizeof *r->logs);
    rlp_iter_init(&it, list);
    while ((err = rlp_iter_next(&it, &item)) == 1) {
        err = decode_log(&item, &r->logs[r->nlogs]);
        r->nlogs++; /* counted even on failure so receipt_free releases it */
        if (err != BL_OK)
            return err;
    }
    return err;
}

static int
decode_fields(const rlp_item_t *f, size_t n, receipt_t *r)
{
    int err;

    if (rlp_get_fixed(&f[0], r->state_root, 32) != BL_OK)
        return bl_fail(BL_E_FORMAT, "receipt stateRoot is not 32 bytes");
    if ((err = rlp_get_uint(&f[1], &r->gas_used)) != BL_OK)
        return err;
    if (rlp_get_fixed(&f[2], r->contract_address, 20) != BL_OK)
        return bl_fail(BL_E_FORMAT, "receipt contractAddress is not 20 bytes");
    if (rlp_get_fixed(&f[3], r->bloom, RECEIPT_BLOOM_BYTES) != BL_OK)
        return bl_fail(BL_E_FORMAT, "receipt bloom is not 256 bytes");
    if ((err = rlp_get_uint(&f[4], &r->status)) != BL_OK)
        return err;
    if (f[5].is_list)
        return bl_fail(BL_E_FORMAT, "receipt output must be bytes, not a list");
    bl_buf_append(&r->output, f[5].payload.ptr, f[5].payload.len);
    r->has_remain_gas = n == 8;
    if (r->has_remain_gas && (err = rlp_get_uint(&f[6], &r->remain_gas)) != BL_OK)
        return err;
    return decode_logs(&f[n - 1], r);
}

int
receipt_decode(bl_span_t raw, receipt_t *r)
{
    rlp_item_t top, f[8];
    size_t n;
    int err;

    receipt_init(r);
    if ((err = rlp_decode(raw, &top)) != BL_OK || (err = rlp_list_count(&top, &n)) != BL_OK)
        goto out;
    if (n != 7 && n != 8) {
        err = bl_fail(BL_E_FORMAT, "a receipt has 8 items (7 before FISCO 2.9), not %zu", n);
        goto out;
    }
    if ((err = rlp_list_exact(&top, f, n, "receipt")) != BL_OK)
        goto out;
    err = decode_fields(f, n, r);
out:
    if (err != BL_OK)
        receipt_free(r);
    return err;
}
