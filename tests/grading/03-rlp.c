/*
 * 03-rlp.c — reference solution of exercise 03 (exercises/03-rlp/rlp_encode.h).
 *
 * A string is its bytes behind a length prefix (or, one byte below 0x80, just itself); a list is
 * its items' encodings, one after another, behind a length prefix. The list's prefix depends on
 * how long the items turn out, so they are encoded first, into a buffer of their own.
 */
#include "rlp_encode.h"

/* Where a short prefix ends: 55 is the longest length that fits in the prefix byte itself. */
#define SHORT_MAX 55

/* The prefix of a payload of len bytes: base + len when it is short, else base + 55 + (bytes
 * of the length) followed by the length, big-endian. base is 0x80 for strings, 0xc0 for lists. */
static void put_prefix(bl_buf_t *out, size_t len, uint8_t base)
{
    size_t nbytes = 0;

    if (len <= SHORT_MAX) {
        bl_buf_push(out, (uint8_t)(base + len));
        return;
    }
    for (size_t v = len; v > 0; v >>= 8)
        nbytes++;
    bl_buf_push(out, (uint8_t)(base + SHORT_MAX + nbytes));
    for (size_t i = nbytes; i-- > 0;)
        bl_buf_push(out, (uint8_t)(len >> (8 * i)));
}

static void encode_string(const ex_rlp_item_t *item, bl_buf_t *out)
{
    if (item->len == 1 && item->bytes[0] < 0x80) {
        bl_buf_push(out, item->bytes[0]); /* a small byte is its own encoding */
        return;
    }
    put_prefix(out, item->len, 0x80);
    bl_buf_append(out, item->bytes, item->len);
}

static void encode_list(const ex_rlp_item_t *item, bl_buf_t *out)
{
    bl_buf_t payload = BL_BUF_INIT;

    for (size_t i = 0; i < item->nitems; i++)
        ex_rlp_encode(&item->items[i], &payload);
    put_prefix(out, payload.len, 0xc0);
    bl_buf_append(out, payload.data, payload.len);
    bl_buf_free(&payload);
}

void ex_rlp_encode(const ex_rlp_item_t *item, bl_buf_t *out)
{
    if (item->is_list)
        encode_list(item, out);
    else
        encode_string(item, out);
}
