/*
 * test_rlp.c — the rules of RLP, one test per rule.
 *
 * RLP is defined in appendix B of the Ethereum Yellow Paper ("YP B" below). It has two
 * functions: R_b writes a byte string, R_l writes a list, and a number is written as the
 * shortest big-endian byte string. Each test here pins down one sentence of that appendix, or
 * one thing our strict decoder (codec/rlp.c) promises on top of it: it accepts only the one
 * canonical encoding of a value, says where the input went wrong, never reads past its input,
 * and never recurses without bound. The JSON notation of the command line has its own tests in
 * test_rlp_json.c.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "base/u256.h"
#include "codec/rlp.h"

/* ---- helpers ---- */

/* Assert that b holds the bytes `hex`, then empty it for the next encoding. */
static void
assert_encoded(bl_buf_t *b, const char *hex)
{
    tu_assert_hex_eq(b->data, b->len, hex);
    bl_buf_clear(b);
}

/* Decode p[0..n) from a block of exactly that size, so that AddressSanitizer stops the test on
 * any read past the end; returns rlp_decode's answer. */
static int
decode_exact(const uint8_t *p, size_t n)
{
    uint8_t *exact = bl_xmalloc(n);
    rlp_item_t item;
    int err;

    if (n > 0)
        memcpy(exact, p, n);
    err = rlp_decode(bl_span(exact, n), &item);
    free(exact);
    return err;
}

/* The decoder must refuse the bytes, and its message must contain `why` (e.g. "offset 2"). */
static void
assert_refused_buf(const bl_buf_t *b, const char *why)
{
    assert_int_equal(decode_exact(b->data, b->len), BL_E_RLP);
    if (strstr(bl_errmsg(), why) == NULL)
        fail_msg("the message \"%s\" does not contain \"%s\"", bl_errmsg(), why);
}

static void
assert_refused(const char *hex, const char *why)
{
    bl_buf_t b = BL_BUF_INIT;

    tu_hex(hex, &b);
    assert_refused_buf(&b, why);
    bl_buf_free(&b);
}

/* Put the bytes `hex` into keep (its old contents go) and decode them, which must succeed. */
static void
decode_item(const char *hex, bl_buf_t *keep, rlp_item_t *item)
{
    bl_buf_clear(keep);
    tu_hex(hex, keep);
    if (rlp_decode(bl_buf_span(keep), item) != BL_OK)
        fail_msg("%s should decode: %s", hex, bl_errmsg());
}

/* The bytes `hex` followed by n bytes 'a' (0x61). */
static void
hex_then_run(const char *hex, size_t n, bl_buf_t *out)
{
    bl_buf_clear(out);
    tu_hex(hex, out);
    for (size_t i = 0; i < n; i++)
        bl_buf_push(out, 'a');
}

/* The prefix of a list whose items take `len` bytes, written out by hand from YP B (R_l) so
 * that the test does not lean on the encoder it checks. Returns its size (at most 9). */
static size_t
list_prefix(size_t len, uint8_t *hdr)
{
    size_t n = 0;

    if (len < 56) {
        hdr[0] = (uint8_t)(0xc0 + len);
        return 1;
    }
    for (size_t v = len; v > 0; v >>= 8)
        n++;
    hdr[0] = (uint8_t)(0xf7 + n);
    bl_put_be(hdr + 1, len, n);
    return 1 + n;
}

/* `depth` empty lists, each inside the next: 3 gives c2 c1 c0. Written from the back, since
 * each prefix depends on the size of everything inside it. */
static void
nested_lists(size_t depth, bl_buf_t *out)
{
    size_t cap = depth * 9 + 1, pos = cap;
    uint8_t *tmp = bl_xmalloc(cap), hdr[9];

    for (size_t level = 0; level < depth; level++) {
        size_t n = list_prefix(cap - pos, hdr);
        pos -= n;
        memcpy(tmp + pos, hdr, n);
    }
    bl_buf_append(out, tmp + pos, cap - pos);
    free(tmp);
}

/* Encode a decoded item again with the plain encoder. */
static void
reencode(const rlp_item_t *item, bl_buf_t *out)
{
    rlp_iter_t it;
    rlp_item_t child;
    size_t start;

    if (!item->is_list) {
        rlp_put_bytes(out, item->payload.ptr, item->payload.len);
        return;
    }
    start = rlp_list_begin(out);
    rlp_iter_init(&it, item);
    while (rlp_iter_next(&it, &child) == 1)
        reencode(&child, out);
    rlp_list_end(out, start);
}

/* ---- byte strings (YP B, R_b) ---- */

/* YP B, R_b, first case: a byte string that is one byte below 128 is its own encoding. So
 * 0x81 xx with xx < 0x80 would be a second encoding of the same byte; the decoder refuses it. */
static void
rlp_single_byte_below_0x80_must_stand_alone(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;

    (void)state;
    rlp_put_bytes(&b, "\x00", 1);
    assert_encoded(&b, "00");
    rlp_put_bytes(&b, "\x7f", 1);
    assert_encoded(&b, "7f");
    rlp_put_bytes(&b, "\x80", 1); /* 0x80 and above need the one-byte-string prefix */
    assert_encoded(&b, "8180");
    decode_item("00", &b, &item);
    assert_int_equal(item.payload.ptr[0], 0x00);
    decode_item("8180", &b, &item);
    assert_int_equal(item.payload.ptr[0], 0x80);
    assert_refused("8100", "must be encoded as itself");
    assert_refused("817f", "offset 0");
    bl_buf_free(&b);
}

/* YP B, R_b, second and third cases: below 56 bytes the prefix is 0x80 + length; from 56 on it is
 * 0xb7 + (bytes of the length), then the length. 55 and 56 sit on the two sides of the line. */
static void
rlp_string_of_55_bytes_is_short_form_and_56_bytes_long_form(void **state)
{
    uint8_t data[56];
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;

    (void)state;
    memset(data, 'a', sizeof data);
    rlp_put_bytes(&b, data, 55);
    assert_int_equal(b.len, 56);
    assert_int_equal(b.data[0], 0xb7);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    assert_int_equal(item.payload.len, 55);
    bl_buf_clear(&b);
    rlp_put_bytes(&b, data, 56);
    assert_int_equal(b.len, 58);
    assert_int_equal(b.data[0], 0xb8);
    assert_int_equal(b.data[1], 56);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    assert_int_equal(item.payload.len, 56);
    bl_buf_clear(&b);
    rlp_put_bytes(&b, "", 0); /* the empty string is 0x80 + 0 */
    assert_encoded(&b, "80");
    rlp_put_string(&b, "dog");
    assert_encoded(&b, "83646f67");
    bl_buf_free(&b);
}

/* The long form is only for lengths of 56 and more: a long-form length below 56 is a second
 * encoding of a short string, and is refused (YP B, R_b: the third case applies "otherwise"). */
static void
rlp_long_form_for_a_length_below_56_is_refused(void **state)
{
    bl_buf_t b = BL_BUF_INIT;

    (void)state;
    assert_refused("b801ff", "must use the short form");
    hex_then_run("b837", 55, &b);
    assert_refused_buf(&b, "length 55 at offset 0 must use the short form");
    hex_then_run("f837b6", 54, &b); /* a list of one 54-byte string */
    assert_refused_buf(&b, "short form");
    assert_refused("f80100", "short form");
    bl_buf_free(&b);
}

/* YP B: the length is "the minimal-length byte array" for the number, so it never starts with a
 * zero byte; b9 00 40 is a second way of writing b8 40. */
static void
rlp_length_with_a_leading_zero_byte_is_refused(void **state)
{
    bl_buf_t b = BL_BUF_INIT;

    (void)state;
    hex_then_run("b840", 64, &b);
    assert_int_equal(decode_exact(b.data, b.len), BL_OK);
    hex_then_run("b90040", 64, &b);
    assert_refused_buf(&b, "leading zero");
    hex_then_run("f90040", 64, &b); /* the same for a list (of 64 one-byte strings) */
    assert_refused_buf(&b, "leading zero");
    assert_refused("b800", "leading zero");
    bl_buf_free(&b);
}

/* ---- lists (YP B, R_l) ---- */

/* YP B, R_l: a list whose items take below 56 bytes is 0xc0 + length; from 56 on it is
 * 0xf7 + (bytes of the length), then the length. */
static void
rlp_list_of_55_payload_bytes_is_short_form_and_56_long_form(void **state)
{
    uint8_t data[55];
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;
    size_t start;

    (void)state;
    memset(data, 'x', sizeof data);
    start = rlp_list_begin(&b);
    rlp_put_bytes(&b, data, 54); /* b6 + 54 bytes: the items take 55 bytes */
    rlp_list_end(&b, start);
    assert_int_equal(b.len, 56);
    assert_int_equal(b.data[0], 0xf7);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    assert_true(item.is_list);
    assert_int_equal(item.payload.len, 55);
    bl_buf_clear(&b);
    start = rlp_list_begin(&b);
    rlp_put_bytes(&b, data, 55); /* b7 + 55 bytes: the items take 56 bytes */
    rlp_list_end(&b, start);
    assert_int_equal(b.len, 58);
    assert_int_equal(b.data[0], 0xf8);
    assert_int_equal(b.data[1], 56);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    assert_int_equal(item.payload.len, 56);
    bl_buf_clear(&b);
    start = rlp_list_begin(&b);
    rlp_list_end(&b, start);
    assert_encoded(&b, "c0");
    bl_buf_free(&b);
}

/* Lists nest to any depth in YP B; we accept RLP_MAX_DEPTH levels and refuse deeper ones, so
 * that a hostile input of a million '[' cannot exhaust the stack of the recursive check. */
static void
rlp_nesting_up_to_the_limit_decodes_and_deeper_is_refused(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;

    (void)state;
    nested_lists(3, &b);
    assert_encoded(&b, "c2c1c0");
    nested_lists(RLP_MAX_DEPTH, &b);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    bl_buf_clear(&b);
    nested_lists(RLP_MAX_DEPTH + 1, &b);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_E_RLP);
    assert_non_null(strstr(bl_errmsg(), "nested deeper"));
    assert_non_null(strstr(bl_errmsg(), "offset"));
    bl_buf_clear(&b);
    nested_lists(1000000, &b);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_E_RLP);
    bl_buf_free(&b);
}

/* rlp_list_exact() splits a fixed-layout record (a transaction, a header) and refuses a list
 * with one item too few or too many, or a string where the list should be. */
static void
rlp_list_exact_wants_exactly_the_count_given(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t top, items[4];
    size_t n;

    (void)state;
    decode_item("c3010203", &b, &top);
    assert_int_equal(rlp_list_exact(&top, items, 3, "triple"), BL_OK);
    assert_int_equal(items[2].payload.ptr[0], 3);
    assert_int_equal(rlp_list_exact(&top, items, 2, "pair"), BL_E_RLP);
    assert_non_null(strstr(bl_errmsg(), "pair has 3 items, expected 2"));
    assert_int_equal(rlp_list_exact(&top, items, 4, "quad"), BL_E_RLP);
    assert_int_equal(rlp_list_count(&top, &n), BL_OK);
    assert_int_equal(n, 3);
    decode_item("01", &b, &top);
    assert_int_equal(rlp_list_exact(&top, items, 1, "record"), BL_E_RLP);
    assert_int_equal(rlp_list_count(&top, &n), BL_E_RLP);
    bl_buf_free(&b);
}

/* The iterator hands out a list's items in order, then says 0 (and keeps saying it). */
static void
rlp_iterator_walks_the_items_in_order_then_stops(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t top, item;
    rlp_iter_t it;

    (void)state;
    decode_item("c683646f67c005", &b, &top); /* ["dog", [], 5] */
    rlp_iter_init(&it, &top);
    assert_int_equal(rlp_iter_next(&it, &item), 1);
    assert_false(item.is_list);
    assert_memory_equal(item.payload.ptr, "dog", 3);
    assert_int_equal(rlp_iter_next(&it, &item), 1);
    assert_true(item.is_list);
    assert_int_equal(item.payload.len, 0);
    assert_int_equal(rlp_iter_next(&it, &item), 1);
    assert_int_equal(item.raw.len, 1);
    assert_int_equal(item.payload.ptr[0], 5);
    assert_int_equal(rlp_iter_next(&it, &item), 0);
    assert_int_equal(rlp_iter_next(&it, &item), 0);
    bl_buf_free(&b);
}

/* rlp_decode_prefix() checks only the outer item, so the iterator must still catch a bad item
 * inside; rlp_decode() checks everything and names the offset of the bad item. */
static void
rlp_errors_inside_a_list_are_found_and_name_their_offset(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t top, item;
    rlp_iter_t it;
    size_t used;

    (void)state;
    tu_hex("c3018100", &b); /* [1, 81 00]: the second item is non-canonical */
    assert_int_equal(rlp_decode_prefix(bl_buf_span(&b), &top, &used), BL_OK);
    assert_int_equal(used, 4);
    rlp_iter_init(&it, &top);
    assert_int_equal(rlp_iter_next(&it, &item), 1);
    assert_int_equal(rlp_iter_next(&it, &item), BL_E_RLP);
    assert_refused("c3018100", "offset 2");
    assert_refused("c4c2018100", "offset 3");
    bl_buf_free(&b);
}

/* An item is all of the input: bytes after it are refused, not ignored (a signed transaction
 * with a tail would otherwise have two hashes). */
static void
rlp_bytes_after_the_item_are_refused(void **state)
{
    (void)state;
    assert_refused("8080", "1 bytes follow the item that ends at offset 1");
    assert_refused("c000", "offset 1");
    assert_refused("", "offset 0"); /* and there must be an item at all */
}

/* A length that runs past the input is refused, wherever the input is cut. */
static void
rlp_length_running_past_the_input_is_refused(void **state)
{
    (void)state;
    assert_refused("836162", "claims 3 bytes but only 2 remain");
    assert_refused("c30102", "offset 0");
    assert_refused("b9", "cut off");
    assert_refused("bf0f000000000000021111", "offset 0"); /* a length near 2^60 */
    assert_refused("ffffffffffffffffff00", "offset 0");
}

/* A record that uses every kind of prefix: short and long strings, a number, nested lists. */
static void
sample_record(bl_buf_t *b)
{
    uint8_t data[60];
    bl_u256_t max;
    size_t outer = rlp_list_begin(b), inner;

    memset(data, 'a', sizeof data);
    memset(max.be, 0xff, 32);
    rlp_put_string(b, "dog");
    rlp_put_bytes(b, data, sizeof data);
    rlp_put_u256(b, &max);
    rlp_put_uint(b, 0);
    rlp_put_uint(b, 5);
    inner = rlp_list_begin(b);
    rlp_put_bytes(b, data, 2);
    rlp_list_end(b, inner);
    rlp_list_end(b, outer);
}

static void
assert_every_cut_refused(const bl_buf_t *b)
{
    rlp_item_t item;
    size_t used;

    assert_int_equal(decode_exact(b->data, b->len), BL_OK);
    for (size_t cut = 0; cut < b->len; cut++) {
        uint8_t *exact = bl_xmalloc(cut);
        if (cut > 0)
            memcpy(exact, b->data, cut);
        assert_int_equal(rlp_decode(bl_span(exact, cut), &item), BL_E_RLP);
        assert_int_equal(rlp_decode_prefix(bl_span(exact, cut), &item, &used), BL_E_RLP);
        free(exact);
    }
}

/* Every proper prefix of a valid encoding is invalid, because the first prefix says how long the
 * item is. Checked at every cut point, from blocks of exactly the cut size, so that under
 * AddressSanitizer a read past the end would stop the test. */
static void
rlp_truncated_input_never_decodes_at_any_cut_point(void **state)
{
    bl_buf_t b = BL_BUF_INIT;

    (void)state;
    sample_record(&b);
    assert_every_cut_refused(&b);
    bl_buf_clear(&b);
    nested_lists(40, &b); /* the outer payloads pass 55 bytes: long and short prefixes mix */
    assert_every_cut_refused(&b);
    hex_then_run("b838", 56, &b);
    assert_every_cut_refused(&b);
    bl_buf_free(&b);
}

/* The point of strictness: each value has exactly one encoding, so whatever the decoder accepts
 * must be exactly what the encoder writes for the decoded value. Tried on 50000 random inputs,
 * biased toward prefix bytes so that many of them are valid. The generator is seeded, so the
 * inputs are the same on every run. */
static void
rlp_anything_accepted_re_encodes_to_the_same_bytes(void **state)
{
    static const uint8_t likely[] = { 0x00, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xc0, 0xc1, 0xc2,
                                      0xc3, 0xf7, 0xf8, 0x01, 0x02, 0x38 };
    bl_rng_t rng;
    size_t accepted = 0;

    (void)state;
    bl_rng_seed(&rng, 2024);
    for (int round = 0; round < 50000; round++) {
        size_t n = (size_t)bl_rng_below(&rng, 12);
        uint8_t *in = bl_xmalloc(n);
        bl_buf_t again = BL_BUF_INIT;
        rlp_item_t item;

        for (size_t i = 0; i < n; i++) {
            uint64_t r = bl_rng_next(&rng);
            in[i] = r % 2 ? likely[(r >> 8) % sizeof likely] : (uint8_t)(r >> 16);
        }
        if (rlp_decode(bl_span(in, n), &item) == BL_OK) {
            accepted++;
            reencode(&item, &again);
            assert_true(bl_span_eq(bl_buf_span(&again), bl_span(in, n)));
        }
        bl_buf_free(&again);
        free(in);
    }
    assert_true(accepted > 1000); /* else the test would prove nothing */
}

/* ---- numbers (YP B, scalars) ---- */

/* YP B: a number is "the shortest byte array whose big-endian interpretation is the scalar";
 * for 0 that is the empty array, so 0 is 0x80, never 0x00. */
static void
rlp_integer_zero_is_the_empty_string(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    bl_u256_t zero;
    rlp_item_t item;
    uint64_t v = 99;

    (void)state;
    rlp_put_uint(&b, 0);
    assert_encoded(&b, "80");
    bl_u256_from_u64(&zero, 0);
    rlp_put_u256(&b, &zero);
    assert_encoded(&b, "80");
    rlp_put_uint(&b, 127);
    assert_encoded(&b, "7f");
    rlp_put_uint(&b, 128);
    assert_encoded(&b, "8180");
    rlp_put_uint(&b, 256);
    assert_encoded(&b, "820100");
    rlp_put_uint(&b, UINT64_MAX);
    assert_encoded(&b, "88ffffffffffffffff");
    decode_item("80", &b, &item);
    assert_int_equal(rlp_get_uint(&item, &v), BL_OK);
    assert_int_equal(v, 0);
    decode_item("00", &b, &item); /* the byte 00 is a valid string but not a valid number */
    assert_int_equal(rlp_get_uint(&item, &v), BL_E_RLP);
    bl_buf_free(&b);
}

/* The largest uint256, 2^256 - 1, is 32 bytes of ff after the prefix 0x80 + 32 = 0xa0; it reads
 * back as a u256, and is refused as a 64-bit number or as more than 32 bytes. */
static void
rlp_integer_u256_max_is_a0_then_32_bytes_of_ff(void **state)
{
    static const char max_hex[] =
        "a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    bl_buf_t b = BL_BUF_INIT;
    bl_u256_t max, back;
    rlp_item_t item;
    uint64_t v;

    (void)state;
    memset(max.be, 0xff, 32);
    rlp_put_u256(&b, &max);
    assert_encoded(&b, max_hex);
    decode_item(max_hex, &b, &item);
    assert_int_equal(rlp_get_u256(&item, &back), BL_OK);
    assert_memory_equal(back.be, max.be, 32);
    assert_int_equal(rlp_get_uint(&item, &v), BL_E_RLP);
    decode_item("a1010000000000000000000000000000000000000000000000000000000000000000", &b, &item);
    assert_int_equal(rlp_get_u256(&item, &back), BL_E_RLP); /* 2^256 does not fit */
    bl_buf_free(&b);
}

/* YP B: "if an expected fragment is decoded as a scalar and leading zeroes are found in the byte
 * sequence, clients are required to consider it non-canonical". 82 00 01 is a valid string but
 * not a valid number; nine bytes are not a 64-bit number. */
static void
rlp_get_uint_refuses_a_leading_zero_byte(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;
    uint64_t v;
    bl_u256_t u;

    (void)state;
    decode_item("820001", &b, &item);
    assert_int_equal(rlp_get_uint(&item, &v), BL_E_RLP);
    assert_non_null(strstr(bl_errmsg(), "leading zero"));
    assert_int_equal(rlp_get_u256(&item, &u), BL_E_RLP);
    decode_item("820100", &b, &item);
    assert_int_equal(rlp_get_uint(&item, &v), BL_OK);
    assert_int_equal(v, 256);
    decode_item("89010000000000000000", &b, &item); /* 2^64: nine bytes */
    assert_int_equal(rlp_get_uint(&item, &v), BL_E_RLP);
    decode_item("c0", &b, &item);
    assert_int_equal(rlp_get_uint(&item, &v), BL_E_RLP); /* a list is not a number */
    bl_buf_free(&b);
}

/* rlp_get_fixed() is for fields of one size (an address is 20 bytes): shorter, longer or a list
 * is refused. */
static void
rlp_get_fixed_wants_exactly_that_many_bytes(void **state)
{
    uint8_t addr[20], data[21];
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;

    (void)state;
    memset(data, 0x11, sizeof data);
    rlp_put_bytes(&b, data, 20);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    assert_int_equal(rlp_get_fixed(&item, addr, 20), BL_OK);
    assert_memory_equal(addr, data, 20);
    assert_int_equal(rlp_get_fixed(&item, addr, 19), BL_E_RLP);
    assert_non_null(strstr(bl_errmsg(), "expected a string of 19 bytes"));
    bl_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rlp_single_byte_below_0x80_must_stand_alone),
        cmocka_unit_test(rlp_string_of_55_bytes_is_short_form_and_56_bytes_long_form),
        cmocka_unit_test(rlp_long_form_for_a_length_below_56_is_refused),
        cmocka_unit_test(rlp_length_with_a_leading_zero_byte_is_refused),
        cmocka_unit_test(rlp_list_of_55_payload_bytes_is_short_form_and_56_long_form),
        cmocka_unit_test(rlp_nesting_up_to_the_limit_decodes_and_deeper_is_refused),
        cmocka_unit_test(rlp_list_exact_wants_exactly_the_count_given),
        cmocka_unit_test(rlp_iterator_walks_the_items_in_order_then_stops),
        cmocka_unit_test(rlp_errors_inside_a_list_are_found_and_name_their_offset),
        cmocka_unit_test(rlp_bytes_after_the_item_are_refused),
        cmocka_unit_test(rlp_length_running_past_the_input_is_refused),
        cmocka_unit_test(rlp_truncated_input_never_decodes_at_any_cut_point),
        cmocka_unit_test(rlp_anything_accepted_re_encodes_to_the_same_bytes),
        cmocka_unit_test(rlp_integer_zero_is_the_empty_string),
        cmocka_unit_test(rlp_integer_u256_max_is_a0_then_32_bytes_of_ff),
        cmocka_unit_test(rlp_get_uint_refuses_a_leading_zero_byte),
        cmocka_unit_test(rlp_get_fixed_wants_exactly_that_many_bytes),
    };

    return cmocka_run_group_tests_name("rlp", tests, NULL, NULL);
}
