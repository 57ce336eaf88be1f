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
    tu_run_bad("negative number at offset 4", "util rlp-encode '[1, -2]'");
    tu_run_bad("fraction", "util rlp-encode 1.5");
    tu_run_bad("object", "util rlp-encode '{\"a\": 1}'");
    tu_run_bad("true, false and null", "util rlp-encode true");
    tu_run_bad("offset 5", "util rlp-encode '[1, 2'");
    tu_run_bad("odd number", "util rlp-encode '\"0xabc\"'");
    tu_run_bad("decimal digits", "util rlp-encode '\"#12x\"'");
    tu_run_bad("ends at offset 0", "util rlp-encode ''");
    tu_run_bad("exactly one argument", "util rlp-encode");
    tu_run_bad("exactly one argument", "util rlp-encode 1 2");
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
    tu_run_bad("byte 0x00 at offset 0 must be encoded as itself", "util rlp-decode 8100");
    tu_run_bad("offset 2", "util rlp-decode c3018100");
    tu_run_bad("short form", "util rlp-decode b801ff");
    tu_run_bad("leading zero", "util rlp-decode b90040");
    tu_run_bad("claims 3 bytes but only 2 remain", "util rlp-decode 836162");
    tu_run_bad("follow the item that ends at offset 1", "util rlp-decode 8080");
    tu_run_bad("offset 0", "util rlp-decode ''");
    tu_run_bad("offset 0", "util rlp-decode 0x");
    tu_run_bad("not a hex digit", "util rlp-decode 8g");
    tu_run_bad("odd number", "util rlp-decode 123");
    tu_run_bad("exactly one argument", "util rlp-decode");
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
