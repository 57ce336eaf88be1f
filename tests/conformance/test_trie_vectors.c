/*
 * test_trie_vectors.c — our Merkle Patricia Trie against ethereum/tests TrieTests (vectors
 * README §2): every case of trietest.json and trieanyorder.json (plain keys) and of their
 * secure variants plus hex_encoded_securetrie_test.json (keys hashed with Keccak-256 first).
 *
 * A case passes when the root equals the case's `root`. Beyond the root, each case is also
 * committed to a memory store and reopened at its root, and every key the case leaves in the
 * trie must read back its value and have a proof that verifies — so the vectors check reading,
 * storing and proving as well as hashing.
 *
 * String rule of the ethereum/tests runners: "0x..." is hex, anything else its own bytes.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/kv.h"
#include "storage/mpt.h"

#define TRIE_DIR "ethereum-tests/TrieTests/"

/* A key or value of the vectors as bytes. In a "hexEncoded" case every string is hex (they
 * carry 0x anyway); elsewhere only strings starting with 0x are. */
static void
vector_bytes(const char *case_name, bool hex_encoded, const char *s, size_t len, bl_buf_t *out)
{
    bl_buf_clear(out);
    if (hex_encoded || (len >= 2 && s[0] == '0' && s[1] == 'x')) {
        if (bl_hex_decode(s, out) != BL_OK)
            fail_msg("%s: bad hex \"%s\": %s", case_name, s, bl_errmsg());
        return;
    }
    bl_buf_append(out, s, len);
}

/* The final contents of the case, so the test can read every key back: the last write to each
 * key wins, and an empty value means the key is gone. */
typedef struct {
    bl_buf_t keys[64];
    bl_buf_t values[64];
    size_t count;
} final_set_t;

static void
final_set_write(final_set_t *f, const bl_buf_t *key, const bl_buf_t *value)
{
    size_t i = 0;

    while (i < f->count && !bl_span_eq(bl_buf_span(&f->keys[i]), bl_buf_span(key)))
        i++;
    if (i == f->count) {
        assert_true(f->count < 64);
        bl_buf_init(&f->keys[i]);
        bl_buf_init(&f->values[i]);
        bl_buf_append(&f->keys[i], key->data, key->len);
        f->count++;
    }
    bl_buf_clear(&f->values[i]);
    bl_buf_append(&f->values[i], value->data, value->len);
}

/* One case being run. */
typedef struct {
    const char *name;
    bool hex_encoded;
    mpt_t *trie;
    final_set_t final;
} trie_case_t;

static void
final_set_free(final_set_t *f)
{
    for (size_t i = 0; i < f->count; i++) {
        bl_buf_free(&f->keys[i]);
        bl_buf_free(&f->values[i]);
    }
}

/* Apply one [key, value] pair of a case. */
static void
apply_pair(trie_case_t *c, const char *k, size_t klen, json_t *v)
{
    bl_buf_t key = BL_BUF_INIT, value = BL_BUF_INIT;

    vector_bytes(c->name, c->hex_encoded, k, klen, &key);
    if (!json_is_null(v)) {
        if (!json_is_string(v))
            fail_msg("%s: a value is neither a string nor null", c->name);
        vector_bytes(c->name, c->hex_encoded, json_string_value(v), json_string_length(v),
                     &value);
    }
    if (mpt_put(c->trie, bl_buf_span(&key), bl_buf_span(&value)) != BL_OK)
        fail_msg("%s: put failed: %s", c->name, bl_errmsg());
    final_set_write(&c->final, &key, &value);
    bl_buf_free(&key);
    bl_buf_free(&value);
}

/* Load a case's `in` (an ordered array of pairs, or an object) into t. */
static void
load_case(trie_case_t *c, json_t *in)
{
    size_t i;
    json_t *pair, *v;
    const char *k;

    if (json_is_array(in)) {
        json_array_foreach(in, i, pair) {
            json_t *key = json_array_get(pair, 0);
            if (json_array_size(pair) != 2 || !json_is_string(key))
                fail_msg("%s: pair %zu is not [key, value]", c->name, i);
            apply_pair(c, json_string_value(key), json_string_length(key),
                       json_array_get(pair, 1));
        }
        return;
    }
    if (!json_is_object(in))
        fail_msg("%s: `in` is neither an array nor an object", c->name);
    json_object_foreach(in, k, v)
        apply_pair(c, k, strlen(k), v);
}

/* Every key left in the trie reads back its value after a reopen, and its proof verifies. */
static void
check_reads_and_proofs(const char *name, kv_t *kv, mpt_keys_t keys, const uint8_t root[32],
                       const final_set_t *f)
{
    mpt_t *t;
    bl_buf_t got = BL_BUF_INIT;
    mpt_proof_t proof;
    bool present;

    mpt_proof_init(&proof);
    if (mpt_open(kv, suite_ecdsa(), root, keys, &t) != BL_OK)
        fail_msg("%s: reopen at the root failed: %s", name, bl_errmsg());
    for (size_t i = 0; i < f->count; i++) {
        bl_span_t key = bl_buf_span(&f->keys[i]);
        int want = f->values[i].len > 0 ? BL_OK : BL_E_NOTFOUND;
        if (mpt_get(t, key, &got) != want)
            fail_msg("%s: key %zu: get gave the wrong answer (%s)", name, i, bl_errmsg());
        if (want == BL_OK && !bl_span_eq(bl_buf_span(&got), bl_buf_span(&f->values[i])))
            fail_msg("%s: key %zu reads back another value", name, i);
        assert_int_equal(mpt_prove(t, key, &proof), BL_OK);
        if (mpt_verify_proof(suite_ecdsa(), keys, root, key, &proof, &got, &present) != BL_OK)
            fail_msg("%s: key %zu: proof does not verify: %s", name, i, bl_errmsg());
        if (present != (want == BL_OK))
            fail_msg("%s: key %zu: proof says present=%d", name, i, present);
    }
    mpt_proof_free(&proof);
    bl_buf_free(&got);
    mpt_close(t);
}

/* Run one case: build, compare the root, commit, read back. */
static void
run_case(const char *file, const char *name, json_t *vec, mpt_keys_t keys)
{
    trie_case_t c = { .name = name, .final = { .count = 0 } };
    kv_t *kv;
    uint8_t root[32], want[32];
    json_t *expected = json_object_get(vec, "root");

    if (!json_is_string(expected) || bl_hex_decode_fixed(json_string_value(expected), want, 32))
        fail_msg("%s %s: no 32-byte `root`", file, name);
    c.hex_encoded = json_is_true(json_object_get(vec, "hexEncoded"));
    assert_int_equal(kv_open("memory", NULL, &kv), BL_OK);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), NULL, keys, &c.trie), BL_OK);
    load_case(&c, json_object_get(vec, "in"));
    mpt_root(c.trie, root);
    if (memcmp(root, want, 32) != 0) {
        char hex[65];
        bl_hex_encode(root, 32, hex);
        fail_msg("%s case %s: root %s, expected %s", file, name, hex,
                 json_string_value(expected));
    }
    assert_int_equal(mpt_commit_write(c.trie), BL_OK);
    mpt_close(c.trie);
    check_reads_and_proofs(name, kv, keys, root, &c.final);
    final_set_free(&c.final);
    kv_close(kv);
}

/* Run every case of a file; it must hold exactly `cases` of them. */
static void
run_file(const char *file, mpt_keys_t keys, size_t cases)
{
    char path[128];
    json_t *all, *c;
    const char *name;
    size_t ran = 0;

    snprintf(path, sizeof path, TRIE_DIR "%s", file);
    all = tu_load_json(path);
    json_object_foreach(all, name, c) {
        run_case(file, name, c, keys);
        ran++;
    }
    assert_int_equal(ran, cases); /* nothing passes by having no cases */
    json_decref(all);
}

/* Ordered writes with deletes (null); the root after the last one. */
static void
trietest_roots_match(void **state)
{
    (void)state;
    run_file("trietest.json", MPT_PLAIN, 5);
}

/* The same contents in any insertion order give the same root. */
static void
trieanyorder_roots_match(void **state)
{
    (void)state;
    run_file("trieanyorder.json", MPT_PLAIN, 7);
}

/* Secure trie: the path is keccak256(key). */
static void
trietest_secure_roots_match(void **state)
{
    (void)state;
    run_file("trietest_secureTrie.json", MPT_SECURE, 3);
}

static void
trieanyorder_secure_roots_match(void **state)
{
    (void)state;
    run_file("trieanyorder_secureTrie.json", MPT_SECURE, 7);
}

/* Secure trie of accounts: 20-byte addresses to account RLPs, all written in 0x hex. */
static void
hex_encoded_securetrie_roots_match(void **state)
{
    (void)state;
    run_file("hex_encoded_securetrie_test.json", MPT_SECURE, 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trietest_roots_match),
        cmocka_unit_test(trieanyorder_roots_match),
        cmocka_unit_test(trietest_secure_roots_match),
        cmocka_unit_test(trieanyorder_secure_roots_match),
        cmocka_unit_test(hex_encoded_securetrie_roots_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
