/*
 * test_util_ledger.c — `bcoslab util tx-build`, `tx-decode`, `merkle-root` and `demo-chain`,
 * run as a user would run them.
 *
 * Pins down the util contract of issue #2: answers on stdout, exit 0 on success, exit 2 with a
 * one-line reason on stderr for bad input; hex accepted with or without 0x.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/keccak.h"

/* merkle-root of nothing is keccak(""), of one hash h is keccak(0x80 ‖ h). */
static void
merkle_root_command_matches_fisco_rule(void **state)
{
    char *out, hex[65];
    uint8_t leaf[33], root[32];

    (void)state;
    assert_int_equal(tu_run(&out, NULL, "util merkle-root"), 0);
    assert_string_equal(out, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\n");
    free(out);
    leaf[0] = 0x80;
    memset(leaf + 1, 0x11, 32);
    keccak256(leaf, 33, root);
    bl_hex_encode(root, 32, hex);
    assert_int_equal(tu_run(&out, NULL, "util merkle-root 0x%064d", 0), 0);
    free(out);
    assert_int_equal(tu_run(&out, NULL, "util merkle-root "
        "1111111111111111111111111111111111111111111111111111111111111111"), 0);
    tu_chomp(out);
    assert_string_equal(out, hex);
    free(out);
}

static void
build_and_decode(const char *suite_flag, const char *name)
{
    char *out, *err, *addr, *raw;
    json_t *j;
    json_error_t jerr;

    assert_int_equal(tu_run(&addr, NULL, "util keygen %s -o %s/%s.pem", suite_flag, tu_dir, name),
                     0);
    tu_chomp(addr);
    assert_int_equal(tu_run(&raw, &err, "util tx-build --key %s/%s.pem --nonce 12345 "
                            "--block-limit 0x1f4 --to 0x0000000000000000000000000000000000005002 "
                            "--data 0xdeadbeef --chain-id 7 --group-id 2 --extra 6869",
                            tu_dir, name), 0);
    free(err);
    tu_chomp(raw);
    assert_int_equal(tu_run(&out, &err, "util tx-decode %s %s", suite_flag, raw), 0);
    j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "nonce")), "0x3039");
    assert_string_equal(json_string_value(json_object_get(j, "blockLimit")), "0x1f4");
    assert_string_equal(json_string_value(json_object_get(j, "chainId")), "0x7");
    assert_string_equal(json_string_value(json_object_get(j, "groupId")), "0x2");
    assert_string_equal(json_string_value(json_object_get(j, "input")), "0xdeadbeef");
    assert_string_equal(json_string_value(json_object_get(j, "extraData")), "0x6869");
    assert_string_equal(json_string_value(json_object_get(j, "to")),
                        "0x0000000000000000000000000000000000005002");
    /* the sender recovered from the signature is the key's address */
    assert_non_null(strstr(json_string_value(json_object_get(j, "from")), addr));
    json_decref(j);
    free(out);
    free(err);
    free(addr);
    free(raw);
}

/* keygen → tx-build → tx-decode gives back every field and the signer (ECDSA). */
static void
tx_build_then_decode_round_trips_ecdsa(void **state)
{
    (void)state;
    build_and_decode("", "ecdsa");
}

/* The same on an SM chain (--sm key, --sm decode). */
static void
tx_build_then_decode_round_trips_sm(void **state)
{
    (void)state;
    build_and_decode("--sm", "sm");
}

/* Bad input: exit 2 and one line saying why, nothing on stdout. */
static void
tx_commands_reject_bad_input_with_exit_2(void **state)
{
    char *out, *err, *raw, *sender, from[64];
    int rc;

    (void)state;
    tu_run_bad("--key", "util tx-build --nonce 1");
    tu_run_bad(NULL, "util tx-build --key %s/missing.pem", tu_dir);
    assert_int_equal(tu_run(NULL, NULL, "util keygen -o %s/k.pem", tu_dir), 0);
    tu_run_bad(NULL, "util tx-build --key %s/k.pem --to 0x1234", tu_dir);
    tu_run_bad(NULL, "util tx-build --key %s/k.pem --gas -5", tu_dir);
    tu_run_bad(NULL, "util tx-decode 0xzz");
    /* one hex digit of s changed: refused, or (ECDSA recovers some key from any valid-looking
     * signature) attributed to a different sender — never to the signer */
    assert_int_equal(tu_run(&raw, NULL, "util tx-build --key %s/k.pem --nonce 1", tu_dir), 0);
    tu_chomp(raw);
    assert_int_equal(tu_run(&out, NULL, "util tx-decode %s", raw), 0);
    sender = strstr(out, "\"from\"");
    assert_non_null(sender);
    snprintf(from, sizeof from, "%.50s", sender);
    free(out);
    raw[strlen(raw) - 10] = raw[strlen(raw) - 10] == '0' ? '1' : '0';
    rc = tu_run(&out, &err, "util tx-decode %s", raw);
    if (rc == 0)
        assert_null(strstr(out, from));
    else
        assert_int_equal(rc, 2);
    free(out);
    free(err);
    free(raw);
    tu_run_bad(NULL, "util merkle-root abcd");
}

/* demo-chain prints a chain whose blocks link by hash (each parentHash equals the previous
 * block's hash, fisco-2x-facts §1.7) and follows one forged byte to a refused block and a broken
 * link. Keys and timestamps are fixed, so two runs print the same chain. */
static void
demo_chain_shows_links_and_tamper_evidence(void **state)
{
    char *out, *again, *err;

    (void)state;
    assert_int_equal(tu_run(&out, &err, "util demo-chain --blocks 3"), 0);
    assert_non_null(strstr(out, "block 3"));
    assert_non_null(strstr(out, "= block 2"));
    assert_null(strstr(out, "!= block"));
    assert_non_null(strstr(out, "3 of 4 sealers (quorum n - f = 3), 3 valid"));
    assert_non_null(strstr(out, "the transfer is now alice pays bob 11"));
    assert_non_null(strstr(out, "refused: transactionsRoot does not match"));
    assert_non_null(strstr(out, "valid over the new hash: 0 of 3"));
    assert_int_equal(tu_run(&again, NULL, "util demo-chain --blocks 3"), 0);
    assert_string_equal(out, again);
    free(again);
    free(out);
    free(err);
    /* on an SM chain the forged transaction fails its SM2 check outright */
    assert_int_equal(tu_run(&out, &err, "util demo-chain --sm --blocks 2"), 0);
    assert_non_null(strstr(out, "crypto suite \"sm\""));
    assert_non_null(strstr(out, "SM2 signature does not verify"));
    free(out);
    free(err);
    tu_run_bad(NULL, "util demo-chain --blocks 0");
    tu_run_bad(NULL, "util demo-chain --bogus");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merkle_root_command_matches_fisco_rule),
        cmocka_unit_test(tx_build_then_decode_round_trips_ecdsa),
        cmocka_unit_test(tx_build_then_decode_round_trips_sm),
        cmocka_unit_test(tx_commands_reject_bad_input_with_exit_2),
        cmocka_unit_test(demo_chain_shows_links_and_tamper_evidence),
    };

    return cmocka_run_group_tests_name("util_ledger", tests, tu_setup_dir, tu_teardown_dir);
}
