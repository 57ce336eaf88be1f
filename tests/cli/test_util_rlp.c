/*
 * test_util_rlp.c — `bcoslab util rlp-encode` and `rlp-decode`, run as a user would run them.
 *
 * Pins down the util contract of issue #2 for the two RLP commands: the answer alone on stdout
 * and exit 0; bad input gives exit 2, nothing on stdout and exactly one line on stderr saying
 * what was wrong (for RLP, at which offset); hex is accepted with or without 0x. The notation
 * itself is tested in tests/unit/test_rlp.c and against ethereum's vectors in
 * tests/conformance/test_rlp_vectors.c; here we check the commands around it.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* Run the command and check it succeeds with exactly `want` (plus a newline) on stdout. */
static void
assert_prints(const char *args, const char *want)
{
    char *out, *err;
    int rc = tu_run(&out, &err, "util %s", args);

    if (rc != 0 || strcmp(err, "") != 0)
        fail_msg("`util %s` exited %d, stderr: %s", args, rc, err);
    assert_int_equal(strlen(out), strlen(want) + 1);
    assert_memory_equal(out, want, strlen(want));
    assert_int_equal(out[strlen(want)], '\n');
    free(out);
    free(err);
}

/* Run the command and check it fails the util way: exit 2, empty stdout, one line on stderr
 * that contains `why`. */
static void
assert_bad_input(const char *args, const char *why)
{
    char *out, *err, *nl;
    int rc = tu_run(&out, &err, "util %s", args);

    if (rc != 2)
        fail_msg("`util %s` exited %d (want 2), stdout: %s", args, rc, out);
    assert_string_equal(out, "");
    nl = strchr(err, '\n');
    if (nl == NULL || nl[1] != '\0' || strstr(err, why) == NULL)
        fail_msg("`util %s`: stderr should be one line containing \"%s\", got: %s", args, why,
                 err);
    free(out);
    free(err);
}

/* The example of the --help text, and the RLPTests "multilist" case. */
static void
rlp_encode_prints_lowercase_hex_without_0x(void **state)
{
    (void)state;
    assert_prints("rlp-encode '[\"dog\", 1, [\"#1000000000000000000000\"]]'",
                  "d083646f6701ca893635c9adc5dea00000");
    assert_prints("rlp-encode '[\"zw\", [4], 1]'", "c6827a77c10401");
    assert_prints("rlp-encode '\"\"'", "80");
    assert_prints("rlp-encode 0", "80");
    assert_prints("rlp-encode '[]'", "c0");
}

/* "0x.." strings are hex (the documented choice); anything else is text; numbers of any size. */
static void
rlp_encode_reads_0x_strings_as_hex_and_big_numbers_exactly(void **state)
{
    (void)state;
    assert_prints("rlp-encode '\"0xDEADBEEF\"'", "84deadbeef");
    assert_prints("rlp-encode '\"0x\"'", "80");
    assert_prints("rlp-encode '\"0x30783132\"'", "8430783132"); /* the text "0x12" */
    assert_prints("rlp-encode '\"\\u0000\"'", "00");
    assert_prints("rlp-encode 18446744073709551616", "89010000000000000000");
    assert_prints("rlp-encode '\"#11579208923731619542357098500868790785326998466564056403945"
                  "7584007913129639936\"'",
                  "a1010000000000000000000000000000000000000000000000000000000000000000");
}

/* Negative numbers, floats, objects, true/false/null, bad JSON and wrong argument counts. */
static void
rlp_encode_refuses_bad_input_with_one_line(void **state)
{
    (void)state;
    assert_bad_input("rlp-encode '[1, -2]'", "negative number at offset 4");
    assert_bad_input("rlp-encode 1.5", "fraction");
    assert_bad_input("rlp-encode '{\"a\": 1}'", "object");
    assert_bad_input("rlp-encode true", "true, false and null");
    assert_bad_input("rlp-encode '[1, 2'", "offset 5");
    assert_bad_input("rlp-encode '\"0xabc\"'", "odd number");
    assert_bad_input("rlp-encode '\"#12x\"'", "decimal digits");
    assert_bad_input("rlp-encode ''", "ends at offset 0");
    assert_bad_input("rlp-encode", "exactly one argument");
    assert_bad_input("rlp-encode 1 2", "exactly one argument");
}

/* Strings come out as "0x.." hex and lists as arrays; hex in may have 0x, in either case. */
static void
rlp_decode_prints_the_value_as_json(void **state)
{
    (void)state;
    assert_prints("rlp-decode c6827a77c10401", "[\"0x7a77\", [\"0x04\"], \"0x01\"]");
    assert_prints("rlp-decode 0xC6827A77C10401", "[\"0x7a77\", [\"0x04\"], \"0x01\"]");
    assert_prints("rlp-decode 83646f67", "\"0x646f67\"");
    assert_prints("rlp-decode 80", "\"0x\"");
    assert_prints("rlp-decode c7c0c1c0c3c0c1c0", "[[], [[]], [[], [[]]]]");
}

/* Every non-canonical form is refused, and the reason names the offset. */
static void
rlp_decode_refuses_invalid_rlp_naming_the_offset(void **state)
{
    (void)state;
    assert_bad_input("rlp-decode 8100", "byte 0x00 at offset 0 must be encoded as itself");
    assert_bad_input("rlp-decode c3018100", "offset 2");
    assert_bad_input("rlp-decode b801ff", "short form");
    assert_bad_input("rlp-decode b90040", "leading zero");
    assert_bad_input("rlp-decode 836162", "claims 3 bytes but only 2 remain");
    assert_bad_input("rlp-decode 8080", "follow the item that ends at offset 1");
    assert_bad_input("rlp-decode ''", "offset 0");
    assert_bad_input("rlp-decode 0x", "offset 0");
    assert_bad_input("rlp-decode 8g", "not a hex digit");
    assert_bad_input("rlp-decode 123", "odd number");
    assert_bad_input("rlp-decode", "exactly one argument");
}

/* rlp-decode's output is valid rlp-encode input, and it encodes back to the same bytes. */
static void
rlp_decode_output_encodes_back_to_the_input(void **state)
{
    static const char *inputs[] = {
        "f84084617364668471776572847a786376cf84617364668471776572847a786376cf846173646684"
        "71776572847a786376cf84617364668471776572847a786376c0",
        "c7c0c1c0c3c0c1c0", "a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "00",
    };
    char *json, *hex;

    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        assert_int_equal(tu_run(&json, NULL, "util rlp-decode %s", inputs[i]), 0);
        json[strcspn(json, "\n")] = '\0';
        assert_int_equal(tu_run(&hex, NULL, "util rlp-encode '%s'", json), 0);
        hex[strcspn(hex, "\n")] = '\0';
        assert_string_equal(hex, inputs[i]);
        free(json);
        free(hex);
    }
}

/* --help documents the notation, including how "0x" strings are read. */
static void
rlp_help_explains_the_notation(void **state)
{
    char *out;

    (void)state;
    assert_int_equal(tu_run(&out, NULL, "util rlp-encode --help"), 0);
    assert_non_null(strstr(out, "usage: bcoslab util rlp-encode JSON"));
    assert_non_null(strstr(out, "starts with \"0x\" is hex"));
    assert_non_null(strstr(out, "\"#123\""));
    free(out);
    assert_int_equal(tu_run(&out, NULL, "util rlp-decode --help"), 0);
    assert_non_null(strstr(out, "usage: bcoslab util rlp-decode HEX"));
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rlp_encode_prints_lowercase_hex_without_0x),
        cmocka_unit_test(rlp_encode_reads_0x_strings_as_hex_and_big_numbers_exactly),
        cmocka_unit_test(rlp_encode_refuses_bad_input_with_one_line),
        cmocka_unit_test(rlp_decode_prints_the_value_as_json),
        cmocka_unit_test(rlp_decode_refuses_invalid_rlp_naming_the_offset),
        cmocka_unit_test(rlp_decode_output_encodes_back_to_the_input),
        cmocka_unit_test(rlp_help_explains_the_notation),
    };

    return cmocka_run_group_tests_name("util_rlp", tests, NULL, NULL);
}
