/*
 * test_util_trie.c — `bcoslab util trie-root` and `trie-proof`, run as a user would run them.
 *
 * Pins down the util contract of issue #3 for the trie: the TrieTests `in` notation (ordered
 * pairs with null for delete, or an object), the roots of the TrieTests vectors through the
 * binary, a proof printed by trie-proof verifying with trie-proof --verify (from the command
 * line and from the printed file), and exit 2 with one line on stderr for bad input or a proof
 * that does not verify.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define EMPTY_ROOT "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
#define DOGS "'{\"doe\": \"reindeer\", \"dog\": \"puppy\", \"dogglesworth\": \"cat\"}'"

/* The README's empty case: nothing, or everything deleted, is keccak(0x80). */
static void
trie_root_of_nothing_is_the_empty_root(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util trie-root '[]'");
    assert_string_equal(out, EMPTY_ROOT);
    free(out);
    out = tu_run_ok("util trie-root '{}'");
    assert_string_equal(out, EMPTY_ROOT);
    free(out);
    out = tu_run_ok("util trie-root '[[\"dog\", \"puppy\"], [\"dog\", null]]'");
    assert_string_equal(out, EMPTY_ROOT);
    free(out);
}

/* Every case of a TrieTests file, its `in` handed to the binary as JSON text. */
static void
run_vector_file(const char *file, const char *flags, size_t cases)
{
    char path[128], args[8192], *in_text, *out;
    json_t *all, *c;
    const char *name;
    size_t ran = 0;

    snprintf(path, sizeof path, "ethereum-tests/TrieTests/%s", file);
    all = tu_load_json(path);
    json_object_foreach(all, name, c) {
        /* ASCII-only JSON: any byte that is not plain ASCII is written as \uXXXX */
        in_text = json_dumps(json_object_get(c, "in"), JSON_COMPACT | JSON_ENSURE_ASCII);
        assert_non_null(in_text);
        assert_null(strchr(in_text, '\'')); /* it goes to the shell in single quotes */
        assert_true(strlen(in_text) < sizeof args - 64);
        snprintf(args, sizeof args, "util trie-root %s '%s'", flags, in_text);
        out = tu_run_ok("%s", args);
        if (strcmp(out, json_string_value(json_object_get(c, "root")) + 2) != 0)
            fail_msg("%s case %s: trie-root printed %s, expected %s", file, name, out,
                     json_string_value(json_object_get(c, "root")));
        free(out);
        free(in_text);
        ran++;
    }
    assert_int_equal(ran, cases);
    json_decref(all);
}

/* The roots of ethereum/tests TrieTests (vectors README §2), plain and --secure. */
static void
trie_root_gives_the_trietests_roots(void **state)
{
    (void)state;
    run_vector_file("trietest.json", "", 5);
    run_vector_file("trieanyorder.json", "", 7);
    run_vector_file("trietest_secureTrie.json", "--secure", 3);
    run_vector_file("trieanyorder_secureTrie.json", "--secure", 7);
    run_vector_file("hex_encoded_securetrie_test.json", "--secure", 3);
}

/* --sm hashes with SM3: the empty root is then sm3(0x80). */
static void
trie_root_sm_uses_sm3(void **state)
{
    char *root = tu_run_ok("util trie-root --sm '[]'"), *sm3 = tu_run_ok("util sm3 80");

    (void)state;
    assert_string_equal(root, sm3);
    free(root);
    free(sm3);
}

/* trie-proof prints the root, key, value and nodes; --verify ROOT KEY NODE... and --verify FILE
 * both give the value back, and an absent key is proven absent. */
static void
trie_proof_round_trips_through_verify(void **state)
{
    char *out, *value, args[8192], file[512];
    json_t *j, *node;
    json_error_t jerr;
    size_t i;
    FILE *f;

    (void)state;
    out = tu_run_ok("util trie-proof " DOGS " dog");
    j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "root")),
                        "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3");
    assert_string_equal(json_string_value(json_object_get(j, "key")), "0x646f67");
    assert_string_equal(json_string_value(json_object_get(j, "value")), "0x7075707079");
    snprintf(args, sizeof args, "util trie-proof --verify %s dog",
             json_string_value(json_object_get(j, "root")));
    json_array_foreach(json_object_get(j, "proof"), i, node) {
        strcat(args, " ");
        strcat(args, json_string_value(node));
    }
    value = tu_run_ok("%s", args);
    assert_string_equal(value, "7075707079"); /* "puppy" */
    free(value);
    snprintf(file, sizeof file, "%s/proof.json", tu_dir);
    f = fopen(file, "w");
    assert_non_null(f);
    fputs(out, f);
    fclose(f);
    value = tu_run_ok("util trie-proof --verify %s", file);
    assert_string_equal(value, "7075707079");
    free(value);
    json_decref(j);
    free(out);

    out = tu_run_ok("util trie-proof " DOGS " cat");
    j = json_loads(out, 0, &jerr);
    assert_true(json_is_null(json_object_get(j, "value")));
    f = fopen(file, "w");
    fputs(out, f);
    fclose(f);
    value = tu_run_ok("util trie-proof --verify %s", file);
    assert_string_equal(value, "absent");
    free(value);
    json_decref(j);
    free(out);
}

/* A proof with one changed byte, or checked against another root, exits 2 with one line. */
static void
trie_proof_verify_refuses_a_changed_proof(void **state)
{
    char *out, args[8192];
    json_t *j;
    json_error_t jerr;
    const char *leaf;

    (void)state;
    out = tu_run_ok("util trie-proof '{\"dog\": \"puppy\", \"doge\": \"coin\"}' dog");
    j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    leaf = json_string_value(json_array_get(json_object_get(j, "proof"), 0));
    /* the value "puppy" spelled "puppz" inside the root node */
    assert_non_null(strstr(leaf, "7075707079"));
    snprintf(args, sizeof args, "util trie-proof --verify %s dog %s",
             json_string_value(json_object_get(j, "root")), leaf);
    strcpy(strstr(args, "7075707079"), "707570707a");
    tu_run_bad("does not verify", "%s", args);
    tu_run_bad("ROOT", "util trie-proof --verify %s dog %s", EMPTY_ROOT "0", leaf);
    tu_run_bad("does not verify", "util trie-proof --verify %s dog %s",
               "1111111111111111111111111111111111111111111111111111111111111111", leaf);
    json_decref(j);
    free(out);
}

/* Bad input of every kind: exit 2, one line on stderr saying what was wrong. */
static void
trie_commands_refuse_bad_input_with_one_line(void **state)
{
    (void)state;
    tu_run_bad("expected one argument", "util trie-root");
    tu_run_bad("not valid JSON", "util trie-root '[' ");
    tu_run_bad("not valid JSON", "util trie-root '5'"); /* a bare number is not a document */
    tu_run_bad("not valid JSON", "util trie-root '\"dog\"'");
    tu_run_bad("entry 0", "util trie-root '[[\"dog\"]]'");
    tu_run_bad("entry 0", "util trie-root '[\"dog\", \"puppy\"]'");
    tu_run_bad("string, or null", "util trie-root '[[\"dog\", 5]]'");
    tu_run_bad("string, or null", "util trie-root '{\"dog\": [\"puppy\"]}'");
    tu_run_bad("key", "util trie-root '[[\"0xzz\", \"a\"]]'");
    tu_run_bad("value", "util trie-root '[[\"a\", \"0x123\"]]'");
    tu_run_bad("unknown option", "util trie-root --frob '[]'");
    tu_run_bad("two arguments", "util trie-proof '[]'");
    tu_run_bad("--verify needs", "util trie-proof --verify");
    tu_run_bad("proof.json", "util trie-proof --verify /nonexistent/proof.json");
    tu_run_bad("proof node 1", "util trie-proof --verify " EMPTY_ROOT " dog 0xzz");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trie_root_of_nothing_is_the_empty_root),
        cmocka_unit_test(trie_root_gives_the_trietests_roots),
        cmocka_unit_test(trie_root_sm_uses_sm3),
        cmocka_unit_test(trie_proof_round_trips_through_verify),
        cmocka_unit_test(trie_proof_verify_refuses_a_changed_proof),
        cmocka_unit_test(trie_commands_refuse_bad_input_with_one_line),
    };
    return cmocka_run_group_tests(tests, tu_setup_dir, tu_teardown_dir);
}
