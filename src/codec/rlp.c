/*
 * rlp.c — Recursive Length Prefix encoding and strict decoding (Yellow Paper, appendix B).
 *
 * The first byte of an item says what follows:
 *
 *   0x00..0x7f  the byte itself: a one-byte string
 *   0x80..0xb7  a string of (first − 0x80) bytes, 0 to 55
 *   0xb8..0xbf  a string whose length takes (first − 0xb7) bytes, big-endian, then the string
 *   0xc0..0xf7  a list whose items take (first − 0xc0) bytes, 0 to 55
 *   0xf8..0xff  a list whose length takes (first − 0xf7) bytes, then the items
 *
 * Two encodings of the same value would give two hashes for the same transaction, so a strict
 * decoder accepts only the shortest one: a single byte below 0x80 must stand alone, a length
 * below 56 must use the short form, and a length may not start with a zero byte.
 */
#include "codec/rlp.h"

#include <stdint.h>
#include <string.h>

#include "base/error.h"

/* ---- encoding ---- */

/* The prefix for a payload of `len` bytes into hdr (at most 9 bytes): short form below 56,
 * long form above. Returns its length. */
static size_t
make_header(size_t len, uint8_t short_base, uint8_t hdr[9])
{
    size_t n = 0;

    if (len < 56) {
        hdr[0] = (uint8_t)(short_base + len);
        return 1;
    }
    for (size_t v = len; v > 0; v >>= 8)
        n++;
    hdr[0] = (uint8_t)(short_base + 55 + n);
    bl_put_be(hdr + 1, len, n);
    return n + 1;
}

static void
put_header(bl_buf_t *out, size_t len, uint8_t short_base)
{
    uint8_t hdr[9];

    bl_buf_append(out, hdr, make_header(len, short_base, hdr));
}

void
rlp_put_bytes(bl_buf_t *out, const void *p, size_t n)
{
    const uint8_t *b = p;

    if (n == 1 && b[0] < 0x80) {
        bl_buf_push(out, b[0]);
        return;
    }
    put_header(out, n, 0x80);
    bl_buf_append(out, p, n);
}

void
rlp_put_string(bl_buf_t *out, const char *s)
{
    rlp_put_bytes(out, s, strlen(s));
}

void
rlp_put_uint(bl_buf_t *out, uint64_t v)
{
    uint8_t be[8];
    size_t skip = 0;

    bl_put_be(be, v, 8);
    while (skip < 8 && be[skip] == 0)
        skip++;
    rlp_put_bytes(out, be + skip, 8 - skip);
}

void
rlp_put_u256(bl_buf_t *out, const bl_u256_t *v)
{
    const uint8_t *start;
    size_t n = bl_u256_min_be(v, &start);

    rlp_put_bytes(out, start, n);
}

void
rlp_put_raw(bl_buf_t *out, const void *p, size_t n)
{
    bl_buf_append(out, p, n);
}

size_t
rlp_list_begin(bl_buf_t *out)
{
    return out->len;
}

void
rlp_list_end(bl_buf_t *out, size_t start)
{
    uint8_t hdr[9];

    /* the prefix goes in front of the items already written */
    bl_buf_insert(out, start, hdr, make_header(out->len - start, 0xc0, hdr));
}

/* ---- decoding ---- */

/* Read a long-form length of `n` bytes at p, refusing leading zeros and the needless long form. */
static int
read_long_length(const uint8_t *p, size_t n, size_t offset, size_t *len)
{
    uint64_t v = 0;

    if (n > 8)
        return bl_fail(BL_E_RLP, "length of %zu bytes at offset %zu is too large", n, offset);
    if (p[0] == 0)
        return bl_fail(BL_E_RLP, "length at offset %zu has a leading zero byte", offset);
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (v < 56)
        return bl_fail(BL_E_RLP, "length %llu at offset %zu must use the short form",
                       (unsigned long long)v, offset);
    if (v > SIZE_MAX) /* only possible where size_t is 32 bits; no input is that long */
        return bl_fail(BL_E_RLP, "length %llu at offset %zu is too large",
                       (unsigned long long)v, offset);
    *len = (size_t)v;
    return BL_OK;
}

/* Split the prefix at the start of `in` into: is it a list, where the payload starts, how long. */
static int
read_prefix(bl_span_t in, size_t offset, bool *is_list, size_t *hdr, size_t *len)
{
    uint8_t b;
    size_t nlen;
    int err;

    if (in.len == 0)
        return bl_fail(BL_E_RLP, "input ends at offset %zu where an item should start", offset);
    b = in.ptr[0];
    *is_list = b >= 0xc0;
    if (b < 0x80) {                      /* a single byte is its own encoding */
        *hdr = 0;
        *len = 1;
        return BL_OK;
    }
    if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
        *hdr = 1;
        *len = (size_t)(b - (*is_list ? 0xc0 : 0x80));
        return BL_OK;
    }
    nlen = (size_t)(b - (*is_list ? 0xf7 : 0xb7));
    if (in.len < 1 + nlen)
        return bl_fail(BL_E_RLP, "length at offset %zu is cut off", offset);
    if ((err = read_long_length(in.ptr + 1, nlen, offset, len)) != BL_OK)
        return err;
    *hdr = 1 + nlen;
    return BL_OK;
}

static int
decode_at(bl_span_t in, size_t offset, rlp_item_t *item, size_t *used)
{
    bool is_list = false;
    size_t hdr = 0, len = 0;
    int err = read_prefix(in, offset, &is_list, &hdr, &len);

    if (err != BL_OK)
        return err;
    if (len > in.len - hdr)
        return bl_fail(BL_E_RLP, "item at offset %zu claims %zu bytes but only %zu remain",
                       offset, len, in.len - hdr);
    if (!is_list && hdr == 1 && len == 1 && in.ptr[1] < 0x80)
        return bl_fail(BL_E_RLP, "byte 0x%02x at offset %zu must be encoded as itself, not "
                       "as a one-byte string", in.ptr[1], offset);
    item->is_list = is_list;
    item->payload = bl_span(in.ptr + hdr, len);
    item->raw = bl_span(in.ptr, hdr + len);
    *used = hdr + len;
    return BL_OK;
}

int
rlp_decode_prefix(bl_span_t in, rlp_item_t *item, size_t *used)
{
    return decode_at(in, 0, item, used);
}

/* Check every item nested in a list payload; `base` is the payload's offset in the input and
 * `depth` the list's nesting level (the outermost list is 1). */
static int
validate_list(bl_span_t payload, size_t base, int depth)
{
    size_t pos = 0, used;
    rlp_item_t item;
    int err;

    while (pos < payload.len) {
        bl_span_t rest = bl_span(payload.ptr + pos, payload.len - pos);
        if ((err = decode_at(rest, base + pos, &item, &used)) != BL_OK)
            return err;
        if (item.is_list && depth >= RLP_MAX_DEPTH)
            return bl_fail(BL_E_RLP, "list at offset %zu is nested deeper than %d levels",
                           base + pos, RLP_MAX_DEPTH);
        if (item.is_list &&
            (err = validate_list(item.payload, base + pos + (used - item.payload.len),
                                 depth + 1)) != BL_OK)
            return err;
        pos += used;
    }
    return BL_OK;
}

int
rlp_decode(bl_span_t in, rlp_item_t *item)
{
    size_t used;
    int err = decode_at(in, 0, item, &used);

    if (err != BL_OK)
        return err;
    if (used != in.len)
        return bl_fail(BL_E_RLP, "%zu bytes follow the item that ends at offset %zu",
                       in.len - used, used);
    if (item->is_list)
        return validate_list(item->payload, used - item->payload.len, 1);
    return BL_OK;
}

void
rlp_iter_init(rlp_iter_t *it, const rlp_item_t *list)
{
    it->rest = list->payload;
}

int
rlp_iter_next(rlp_iter_t *it, rlp_item_t *item)
{
    size_t used;
    int err;

    if (it->rest.len == 0)
        return 0;
    if ((err = rlp_decode_prefix(it->rest, item, &used)) != BL_OK)
        return err;
    it->rest = bl_span(it->rest.ptr + used, it->rest.len - used);
    return 1;
}

int
rlp_list_count(const rlp_item_t *list, size_t *count)
{
    rlp_iter_t it;
    rlp_item_t item;
    int r;

    if (!list->is_list)
        return bl_fail(BL_E_RLP, "expected a list, found a string");
    *count = 0;
    rlp_iter_init(&it, list);
    while ((r = rlp_iter_next(&it, &item)) == 1)
        (*count)++;
    return r;
}

int
rlp_list_exact(const rlp_item_t *list, rlp_item_t *items, size_t count, const char *what)
{
    rlp_iter_t it;
    size_t n = 0;
    rlp_item_t item;
    int r;

    if (!list->is_list)
        return bl_fail(BL_E_RLP, "%s must be an RLP list, found a string", what);
    rlp_iter_init(&it, list);
    while ((r = rlp_iter_next(&it, &item)) == 1) {
        if (n < count)
            items[n] = item;
        n++;
    }
    if (r < 0)
        return r;
    if (n != count)
        return bl_fail(BL_E_RLP, "%s has %zu items, expected %zu", what, n, count);
    return BL_OK;
}

static int
get_integer_bytes(const rlp_item_t *item, size_t max)
{
    if (item->is_list)
        return bl_fail(BL_E_RLP, "expected an integer, found a list");
    if (item->payload.len > max)
        return bl_fail(BL_E_RLP, "integer of %zu bytes is larger than %zu bytes",
                       item->payload.len, max);
    if (item->payload.len > 0 && item->payload.ptr[0] == 0)
        return bl_fail(BL_E_RLP, "integer has a leading zero byte");
    return BL_OK;
}

int
rlp_get_uint(const rlp_item_t *item, uint64_t *v)
{
    int err = get_integer_bytes(item, 8);

    if (err == BL_OK)
        *v = bl_get_be(item->payload.ptr, item->payload.len);
    return err;
}

int
rlp_get_u256(const rlp_item_t *item, bl_u256_t *v)
{
    int err = get_integer_bytes(item, 32);

    if (err == BL_OK)
        bl_u256_from_be(v, item->payload.ptr, item->payload.len);
    return err;
}

int
rlp_get_fixed(const rlp_item_t *item, uint8_t *out, size_t n)
{
    if (item->is_list || item->payload.len != n)
        return bl_fail(BL_E_RLP, "expected a string of %zu bytes, found %s of %zu bytes", n,
                       item->is_list ? "a list" : "a string", item->payload.len);
    memcpy(out, item->payload.ptr, n);
    return BL_OK;
}
