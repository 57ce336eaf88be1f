/*
 * test_util_abi.c — `bcoslab util abi-encode` and `abi-decode`, run as a user would run them.
 *
 * Pins down the util contract of issue #2 for the ABI commands: call data as lowercase hex
 * without 0x (the Solidity specification's examples byte for byte), decoded values as a JSON
 * array, --sm selectors that are the first 4 bytes of SM3, exit 0 on success, and exit 2 with
 * exactly one line on stderr and nothing on stdout for bad input.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arguments of sam(bytes,bool,uint256[]) with "dave", true, [1,2,3] (ABI spec, Examples). */
static const char SAM_ARGS[] =
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6461766500000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000003";

/* f(uint256,uint32[],bytes10,bytes) with 0x123, [0x456,0x789], "1234567890", "Hello, world!"
 * (ABI spec, "Use of Dynamic Types"). */
static const char SPEC_F[] =
    "8be65246"
    "0000000000000000000000000000000000000000000000000000000000000123"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "3132333435363738393000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000456"
    "0000000000000000000000000000000000000000000000000000000000000789"
    "000000000000000000000000000000000000000000000000000000000000000d"
    "48656c6c6f2c20776f726c642100000000000000000000000000000000000000";

/* stdout must be the JSON `expected` (compared as JSON, so layout does not matter). */
static void
assert_json_output(const char *args, const char *expected)
{
    char *out = tu_run_ok("%s", args);
    json_error_t jerr;
    json_t *got = json_loads(out, 0, &jerr), *want = json_loads(expected, 0, &jerr);

    assert_non_null(want);
    if (got == NULL || !json_equal(got, want))
        fail_msg("bcoslab %s printed %s, expected %s", args, out, expected);
    json_decref(got);
    json_decref(want);
    free(out);
}

/* The spec's examples: selector, then heads, then tails, as lowercase hex without 0x. */
static void
abi_encode_prints_the_spec_call_data(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util abi-encode 'sam(bytes,bool,uint256[])' 0x64617665 true '[1,2,3]'");
    assert_int_equal(strncmp(out, "a5643bf2", 8), 0);
    assert_string_equal(out + 8, SAM_ARGS);
    free(out);
    out = tu_run_ok("util abi-encode 'f(uint,uint32[],bytes10,bytes)' 0x123 '[1110,\"0x789\"]' "
                    "31323334353637383930 0x48656c6c6f2c20776f726c6421");
    assert_string_equal(out, SPEC_F);
    free(out);
}

/* A signature with no name encodes only the arguments (no selector). */
static void
abi_encode_without_a_name_prints_only_the_arguments(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util abi-encode '(bytes,bool,uint256[])' 0x64617665 true '[1,2,3]'");
    assert_string_equal(out, SAM_ARGS);
    free(out);
}

/* --sm: the selector is the first 4 bytes of SM3 of the signature, not Keccak's a9059cbb; the
 * arguments are the same. */
static void
sm_flag_uses_the_sm3_selector(void **state)
{
    char *ecdsa, *sm, *sm3;

    (void)state;
    ecdsa = tu_run_ok("util abi-encode 'transfer(address,uint256)' "
                      "0x00000000000000000000000000000000000000aa 100");
    sm = tu_run_ok("util abi-encode --sm 'transfer(address,uint256)' "
                   "0x00000000000000000000000000000000000000aa 100");
    /* hex of the 25 characters "transfer(address,uint256)" */
    sm3 = tu_run_ok("util sm3 7472616e7366657228616464726573732c75696e7432353629");
    assert_int_equal(strncmp(ecdsa, "a9059cbb", 8), 0);
    assert_int_equal(strncmp(sm, sm3, 8), 0);
    assert_int_not_equal(strncmp(sm, ecdsa, 8), 0);
    assert_string_equal(sm + 8, ecdsa + 8);
    free(ecdsa);
    free(sm);
    free(sm3);
}

/* "-1" is an argument, not an option: int8 -1 is 32 bytes of ff. */
static void
negative_numbers_are_arguments_not_options(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util abi-encode '(int8,int256)' -1 -0x10");
    assert_string_equal(out,
                        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0");
    free(out);
}

/* abi-decode prints one JSON item per type: decimal strings, 0x hex, true/false, arrays. */
static void
abi_decode_prints_a_json_array(void **state)
{
    char args[1024];

    (void)state;
    snprintf(args, sizeof args, "util abi-decode 'bytes,bool,uint256[]' 0x%s", SAM_ARGS);
    assert_json_output(args, "[\"0x64617665\", true, [\"1\", \"2\", \"3\"]]");
    snprintf(args, sizeof args, "util abi-decode 'f(uint256,uint32[],bytes10,bytes)' %s",
             SPEC_F);
    assert_json_output(args, "[\"291\", [\"1110\", \"1929\"], \"0x31323334353637383930\", "
                             "\"0x48656c6c6f2c20776f726c6421\"]");
}

/* encode then decode gives the values back, strings with spaces and negative ints included. */
static void
encode_then_decode_round_trips(void **state)
{
    char *hex, args[2048];

    (void)state;
    hex = tu_run_ok("util abi-encode '(string,int256,address[],bool)' 'hello world' -42 "
                    "'[\"0x00000000000000000000000000000000000000aa\","
                    "\"00000000000000000000000000000000000000BB\"]' false");
    snprintf(args, sizeof args, "util abi-decode 'string,int256,address[],bool' %s", hex);
    assert_json_output(args, "[\"hello world\", \"-42\", "
                             "[\"0x00000000000000000000000000000000000000aa\", "
                             "\"0x00000000000000000000000000000000000000bb\"], false]");
    free(hex);
}

/* Bad input: exit 2, nothing on stdout, one line on stderr saying why. */
static void
bad_input_exits_2_with_one_line(void **state)
{
    static const char *const bad[] = {
        "util abi-encode",
        "util abi-encode --bogus 'f()'",
        "util abi-encode 'f(uint7)' 1",
        "util abi-encode 'f(bytes33)' 0x00",
        "util abi-encode 'f(uint256' 1",
        "util abi-encode 'f(uint256)'",
        "util abi-encode 'f(uint256)' 1 2",
        "util abi-encode 'f(uint8)' 256",
        "util abi-encode 'f(int8)' -129",
        "util abi-encode 'f(bool)' maybe",
        "util abi-encode 'f(address)' 0x1234",
        "util abi-encode 'f(uint256[])' '[1,'",
        "util abi-encode 'f(uint256[2])' '[1]'",
        "util abi-decode 'uint256'",
        "util abi-decode 'uint256' 0xzz",
        "util abi-decode 'uint256' 00",
        "util abi-decode 'uint7' 00",
        "util abi-decode 'bool' "
        "0000000000000000000000000000000000000000000000000000000000000002",
        "util abi-decode 'string' "
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "util abi-decode 'uint256' "
        "0000000000000000000000000000000000000000000000000000000000000001ff",
        "util abi-decode 'baz(uint32,bool)' a5643bf2"
        "0000000000000000000000000000000000000000000000000000000000000045"
        "0000000000000000000000000000000000000000000000000000000000000001",
        "util abi-decode 'string' "
        "0000000000000000000000000000000000000000000000000000000000000020"
        "0000000000000000000000000000000000000000000000000000000000000001"
        "ff00000000000000000000000000000000000000000000000000000000000000",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tu_run_bad("bcoslab util abi-", "%s", bad[i]);
}

/* --help explains the value syntax and --sm (exit 0). */
static void
help_describes_values_and_sm(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util abi-encode --help");
    assert_non_null(strstr(out, "--sm"));
    assert_non_null(strstr(out, "JSON"));
    free(out);
    out = tu_run_ok("util abi-decode --help");
    assert_non_null(strstr(out, "selector"));
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abi_encode_prints_the_spec_call_data),
        cmocka_unit_test(abi_encode_without_a_name_prints_only_the_arguments),
        cmocka_unit_test(sm_flag_uses_the_sm3_selector),
        cmocka_unit_test(negative_numbers_are_arguments_not_options),
        cmocka_unit_test(abi_decode_prints_a_json_array),
        cmocka_unit_test(encode_then_decode_round_trips),
        cmocka_unit_test(bad_input_exits_2_with_one_line),
        cmocka_unit_test(help_describes_values_and_sm),
    };

    return cmocka_run_group_tests_name("util_abi", tests, NULL, NULL);
}
