/*
 * test_base.c — byte buffers, hex and 256-bit numbers (src/base).
 *
 * These are the floor every encoder stands on, so the rules are pinned down exactly: hex input
 * with or without 0x and in either case, strict rejection of odd or non-hex input, and u256
 * conversions that refuse to overflow silently.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"
#include "base/u256.h"

/* Hex is printed lowercase without 0x and read with or without it (issue #2 util contract). */
static void
hex_accepts_prefix_and_either_case(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    char out[16];

    (void)state;
    assert_int_equal(bl_hex_decode("0xDeadBEEF", &b), BL_OK);
    assert_int_equal(bl_hex_decode("01", &b), BL_OK);
    assert_int_equal(b.len, 5);
    bl_hex_encode(b.data, b.len, out);
    assert_string_equal(out, "deadbeef01");
    bl_buf_free(&b);
}

static void
hex_rejects_odd_length_and_bad_digits(void **state)
{
    bl_buf_t b = BL_BUF_INIT;
    uint8_t fixed[2];

    (void)state;
    assert_int_equal(bl_hex_decode("abc", &b), BL_E_HEX);
    assert_int_equal(bl_hex_decode("0xzz", &b), BL_E_HEX);
    assert_non_null(strstr(bl_errmsg(), "not a hex digit"));
    assert_int_equal(b.len, 0);
    assert_int_equal(bl_hex_decode_fixed("aabbcc", fixed, 2), BL_E_HEX);
    bl_buf_free(&b);
}

static void
buffer_grows_and_inserts(void **state)
{
    bl_buf_t b = BL_BUF_INIT;

    (void)state;
    for (int i = 0; i < 1000; i++)
        bl_buf_push(&b, (uint8_t)i);
    bl_buf_insert(&b, 0, "ab", 2);
    assert_int_equal(b.len, 1002);
    assert_memory_equal(b.data, "ab", 2);
    assert_int_equal(b.data[2], 0);
    assert_int_equal(b.data[1001], (uint8_t)999);
    bl_buf_free(&b);
}

static void
u256_decimal_and_hex_round_trip(void **state)
{
    const char *max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    bl_u256_t x;
    char dec[BL_U256_DEC_MAX];

    (void)state;
    assert_int_equal(bl_u256_from_str(&x, max), BL_OK);
    bl_u256_to_dec(&x, dec);
    assert_string_equal(dec, max);
    for (int i = 0; i < 32; i++)
        assert_int_equal(x.be[i], 0xff);
    assert_int_equal(bl_u256_from_str(&x, "0x0100"), BL_OK);
    bl_u256_to_dec(&x, dec);
    assert_string_equal(dec, "256");
    bl_u256_from_u64(&x, 0);
    bl_u256_to_dec(&x, dec);
    assert_string_equal(dec, "0");
}

/* Conversions work on groups of six digits (u256.c): every digit count from 1 to 20, each
 * group boundary (999999, 1000000, ...) and hex of every length must still give exactly what
 * printf gives for the same 64-bit number. */
static void
u256_decimal_matches_printf_across_digit_groups(void **state)
{
    char dec[BL_U256_DEC_MAX], want[32], hex[32];
    uint64_t v = 1;
    bl_u256_t x;
    uint64_t back;

    (void)state;
    for (int digits = 1; digits <= 20; digits++) {
        uint64_t cases[3] = { v, v - 1, v + 7 };

        for (int k = 0; k < 3; k++) {
            snprintf(want, sizeof want, "%llu", (unsigned long long)cases[k]);
            bl_u256_from_u64(&x, cases[k]);
            bl_u256_to_dec(&x, dec);
            assert_string_equal(dec, want);
            assert_int_equal(bl_u256_from_str(&x, want), BL_OK);
            assert_int_equal(bl_u256_to_u64(&x, &back), BL_OK);
            assert_true(back == cases[k]);
            snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)cases[k]);
            assert_int_equal(bl_u256_from_str(&x, hex), BL_OK);
            assert_int_equal(bl_u256_to_u64(&x, &back), BL_OK);
            assert_true(back == cases[k]);
        }
        if (digits < 20)
            v *= 10;
    }
}

static void
u256_refuses_overflow_and_garbage(void **state)
{
    bl_u256_t x, one, r;

    (void)state;
    assert_int_equal(bl_u256_from_str(&x,
        "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        BL_E_RANGE);
    assert_int_equal(bl_u256_from_str(&x, ""), BL_E_INVALID);
    assert_int_equal(bl_u256_from_str(&x, "-1"), BL_E_INVALID);
    assert_int_equal(bl_u256_from_str(&x, "12a"), BL_E_INVALID);
    memset(x.be, 0xff, 32);
    bl_u256_from_u64(&one, 1);
    assert_int_equal(bl_u256_add(&r, &x, &one), BL_E_RANGE);
    bl_u256_from_u64(&x, 0);
    assert_int_equal(bl_u256_sub(&r, &x, &one), BL_E_RANGE);
    bl_u256_negate(&r, &one);
    for (int i = 0; i < 32; i++)
        assert_int_equal(r.be[i], 0xff);
}

static void
u256_minimal_big_endian_drops_leading_zeros(void **state)
{
    bl_u256_t x;
    const uint8_t *p;
    uint64_t v;

    (void)state;
    bl_u256_from_u64(&x, 0x0102);
    assert_int_equal(bl_u256_min_be(&x, &p), 2);
    assert_int_equal(p[0], 1);
    bl_u256_from_u64(&x, 0);
    assert_int_equal(bl_u256_min_be(&x, &p), 0);
    x.be[0] = 1;
    assert_int_equal(bl_u256_to_u64(&x, &v), BL_E_RANGE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex_accepts_prefix_and_either_case),
        cmocka_unit_test(hex_rejects_odd_length_and_bad_digits),
        cmocka_unit_test(buffer_grows_and_inserts),
        cmocka_unit_test(u256_decimal_and_hex_round_trip),
        cmocka_unit_test(u256_decimal_matches_printf_across_digit_groups),
        cmocka_unit_test(u256_refuses_overflow_and_garbage),
        cmocka_unit_test(u256_minimal_big_endian_drops_leading_zeros),
    };

    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
