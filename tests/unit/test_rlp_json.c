/*
 * test_rlp_json.c — the JSON notation of `bcoslab util rlp-encode` and `rlp-decode`
 * (codec/rlp_json.c).
 *
 * The notation is the `in` value of ethereum/tests' RLPTests: strings are their bytes, integers
 * are big-endian numbers without leading zero bytes, "#123" is a big integer, arrays are lists.
 * These tests pin down what the notation means, where it goes beyond what JSON libraries can
 * hold (numbers past 64 bits, NUL bytes in strings), and that bad input is refused with the
 * offset where it went wrong and nothing written.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "codec/rlp_json.h"

static void
assert_json_encodes(const char *json, const char *hex)
{
    bl_buf_t b = BL_BUF_INIT;

    if (rlp_json_encode(json, &b) != BL_OK)
        fail_msg("encoding %s failed: %s", json, bl_errmsg());
    tu_assert_hex_eq(b.data, b.len, hex);
    bl_buf_free(&b);
}

/* Refused with BL_E_JSON, a message naming the offset, and nothing added to the output. */
static void
assert_json_refused(const char *json, const char *why)
{
    bl_buf_t b = BL_BUF_INIT;

    bl_buf_append(&b, "keep", 4);
    assert_int_equal(rlp_json_encode(json, &b), BL_E_JSON);
    assert_int_equal(b.len, 4);
    if (strstr(bl_errmsg(), why) == NULL || strstr(bl_errmsg(), "offset") == NULL)
        fail_msg("refusing %s, the message \"%s\" does not name \"%s\" and an offset", json,
                 bl_errmsg(), why);
    bl_buf_free(&b);
}

/* Strings are their bytes; a string that starts with "0x" is hex bytes (our choice, see
 * rlp_json.h); "0X", with a capital X, is plain text. */
static void
rlp_json_strings_are_text_unless_they_start_with_0x(void **state)
{
    (void)state;
    assert_json_encodes("\"dog\"", "83646f67");
    assert_json_encodes("\"0x646f67\"", "83646f67");
    assert_json_encodes("\"0xDEADbeef\"", "84deadbeef");
    assert_json_encodes("\"0x\"", "80");
    assert_json_encodes("\"0x05\"", "05");
    assert_json_encodes("\"0X12\"", "8430583132");
    assert_json_encodes("\"\"", "80");
    assert_json_refused("\"0x123\"", "odd number");
    assert_json_refused("\"0xzz\"", "not a hex digit");
    assert_json_refused("\"0x1\\u000023\"", "not a hex digit");
}

/* JSON escapes give the bytes every JSON reader gives: \u0000 is the byte 00, and a \u escape
 * is the UTF-8 of its character (a surrogate pair for characters beyond U+FFFF). */
static void
rlp_json_escapes_give_the_utf8_bytes_of_the_text(void **state)
{
    (void)state;
    assert_json_encodes("\"\\u0000\"", "00");
    assert_json_encodes("\"\\u007F\"", "7f");
    assert_json_encodes("\"\\u00e9\"", "82c3a9");
    assert_json_encodes("\"\xc3\xa9\"", "82c3a9");
    assert_json_encodes("\"\\u20ac\"", "83e282ac");
    assert_json_encodes("\"\\ud83d\\ude00\"", "84f09f9880");
    assert_json_encodes("\"a\\\"b\\\\\\/\\n\\t\"", "876122625c2f0a09");
    assert_json_refused("\"\\ud83d\"", "surrogate");
    assert_json_refused("\"\\ude00\"", "surrogate");
    assert_json_refused("\"\\u12\"", "four hex digits");
    assert_json_refused("\"\\q\"", "escape");
    assert_json_refused("\"a\nb\"", "must be escaped");
    assert_json_refused("\"abc", "no closing quote");
}

/* Numbers, bare or as "#digits", are big-endian without leading zero bytes, and may be as large
 * as RLP_JSON_MAX_DIGITS digits: 2^64 and 2^256 are past what JSON libraries hold in an integer. */
static void
rlp_json_numbers_reach_past_64_bits_without_leading_zero_bytes(void **state)
{
    static char many[RLP_JSON_MAX_DIGITS + 2]; /* one digit too many, and the NUL */

    (void)state;
    assert_json_encodes("0", "80");
    assert_json_encodes("127", "7f");
    assert_json_encodes("128", "8180");
    assert_json_encodes("1000", "8203e8");
    assert_json_encodes("18446744073709551616", "89010000000000000000");
    assert_json_encodes("\"#0\"", "80");
    assert_json_encodes("\"#00256\"", "820100");
    assert_json_encodes("\"#115792089237316195423570985008687907853269984665640564039457584007913"
                        "129639935\"",
                        "a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    assert_json_encodes("115792089237316195423570985008687907853269984665640564039457584007913"
                        "129639936",
                        "a1010000000000000000000000000000000000000000000000000000000000000000");
    assert_json_refused("\"#\"", "no digits");
    memset(many, '9', sizeof many - 1);
    many[sizeof many - 1] = '\0';
    assert_json_refused(many, "at most");
    assert_json_refused("\"#12a\"", "decimal digits");
    assert_json_refused("007", "starts with 0");
}

/* What RLP cannot write is refused with the offset: signs, fractions, objects, true/false/null,
 * and text that is not JSON. */
static void
rlp_json_refuses_values_rlp_cannot_write(void **state)
{
    (void)state;
    assert_json_refused("-1", "negative");
    assert_json_refused("[1, -0]", "offset 4");
    assert_json_refused("1.5", "fraction");
    assert_json_refused("1e3", "exponent");
    assert_json_refused("{\"a\": 1}", "object");
    assert_json_refused("[true]", "true, false and null");
    assert_json_refused("null", "null");
    assert_json_refused("", "ends at offset 0");
    assert_json_refused("[1,]", "']' at offset 3");
    assert_json_refused("[1 2]", "expected ',' or ']' at offset 3");
    assert_json_refused("[1", "offset 2");
    assert_json_refused("1 2", "after the value");
    assert_json_refused("dog", "'d' at offset 0");
}

/* Arrays are lists, nested as deep as the decoder accepts and no deeper. */
static void
rlp_json_arrays_are_lists_up_to_the_decoders_depth(void **state)
{
    size_t deep = RLP_MAX_DEPTH + 1;
    char *text = bl_xmalloc(2 * deep + 1);
    bl_buf_t b = BL_BUF_INIT;
    rlp_item_t item;

    (void)state;
    assert_json_encodes(" [ \"zw\" , [ 4 ] , 1 ] ", "c6827a77c10401");
    assert_json_encodes("[[], [[]], [[], [[]]]]", "c7c0c1c0c3c0c1c0");
    memset(text, '[', deep);
    memset(text + deep, ']', deep);
    text[2 * deep] = '\0';
    assert_json_refused(text, "nested deeper");
    text[deep - 1] = ' ';
    text[deep] = ' ';
    assert_int_equal(rlp_json_encode(text, &b), BL_OK);
    assert_int_equal(rlp_decode(bl_buf_span(&b), &item), BL_OK);
    free(text);
    bl_buf_free(&b);
}

static void
assert_json_decodes(const char *hex, const char *json)
{
    bl_buf_t b = BL_BUF_INIT, again = BL_BUF_INIT;
    char *text = NULL;

    tu_hex(hex, &b);
    if (rlp_json_decode(bl_buf_span(&b), &text) != BL_OK)
        fail_msg("decoding %s failed: %s", hex, bl_errmsg());
    assert_string_equal(text, json);
    assert_int_equal(rlp_json_encode(text, &again), BL_OK);
    assert_true(bl_span_eq(bl_buf_span(&again), bl_buf_span(&b)));
    free(text);
    bl_buf_free(&b);
    bl_buf_free(&again);
}

/* Decoding prints strings as "0x.." and lists as arrays, so the output encodes back to the
 * input; invalid RLP is refused with the decoder's error. */
static void
rlp_json_decode_prints_hex_strings_and_arrays(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    char *json = NULL;

    (void)state;
    assert_json_decodes("c6827a77c10401", "[\"0x7a77\", [\"0x04\"], \"0x01\"]");
    assert_json_decodes("80", "\"0x\"");
    assert_json_decodes("00", "\"0x00\"");
    assert_json_decodes("c0", "[]");
    tu_hex("c28100", &b);
    assert_int_equal(rlp_json_decode(bl_buf_span(&b), &json), BL_E_RLP);
    assert_non_null(strstr(bl_errmsg(), "offset 1"));
    assert_null(json);
    bl_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rlp_json_strings_are_text_unless_they_start_with_0x),
        cmocka_unit_test(rlp_json_escapes_give_the_utf8_bytes_of_the_text),
        cmocka_unit_test(rlp_json_numbers_reach_past_64_bits_without_leading_zero_bytes),
        cmocka_unit_test(rlp_json_refuses_values_rlp_cannot_write),
        cmocka_unit_test(rlp_json_arrays_are_lists_up_to_the_decoders_depth),
        cmocka_unit_test(rlp_json_decode_prints_hex_strings_and_arrays),
    };

    return cmocka_run_group_tests_name("rlp_json", tests, NULL, NULL);
}
