/*
 * test_mpt_proof.c — the Merkle Patricia Trie and bytes it did not write itself: Merkle proofs
 * from someone else, and a store that lost or damaged nodes.
 *
 * A proof (mpt.h, mpt_proof.c) is trusted only through hashes: the node whose hash is the root,
 * then each node whose hash its parent names. So a proof of a present or an absent key
 * verifies, and a proof with any byte changed, any node missing, or checked against another
 * root never does. A store is trusted the same way: a node is read by its hash and must hash to
 * it and decode as a valid node (YP D: a list of 2 or 17 items, hex-prefix paths, children that
 * are 32-byte hashes or inlined nodes under 32 bytes); otherwise reads give BL_E_DB (missing)
 * or BL_E_FORMAT (damaged), never a crash and never a half-done write.
 */
#include "mptutil.h"
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/keccak.h"
#include "storage/kv.h"
#include "storage/mpt.h"

/* ---- proofs ---- */

/* A trie of 200 keys, big enough that paths pass through several hashed nodes. */
static mpt_t *
proof_trie(kv_t *kv, mpt_keys_t keys)
{
    mpt_t *t = tu_empty_trie(kv, keys);
    char key[16], value[48];

    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "key-%d", i * 7);
        snprintf(value, sizeof value, "value of key %d, long enough to be hashed", i * 7);
        tu_trie_put(t, key, value);
    }
    assert_int_equal(mpt_commit_write(t), BL_OK);
    return t;
}

/* A proof shows a present key's value and an absent key's absence to someone who has only the
 * root, in the plain and the secure trie. */
static void
mpt_proofs_verify_for_present_and_absent_keys(void **state)
{
    const char *present_keys[] = { "key-0", "key-7", "key-693" };
    const char *absent_keys[] = { "key-1", "key-", "key-6930", "zzz", "" };
    mpt_keys_t kinds[] = { MPT_PLAIN, MPT_SECURE };
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    mpt_proof_t proof;
    uint8_t root[32];
    bool present;

    (void)state;
    mpt_proof_init(&proof);
    for (int k = 0; k < 2; k++) {
        kv_t *kv = tu_memory_kv();
        mpt_t *t = proof_trie(kv, kinds[k]);
        mpt_root(t, root);
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(mpt_prove(t, tu_str(present_keys[i]), &proof), BL_OK);
            assert_true(proof.count >= 2);
            assert_int_equal(mpt_verify_proof(suite_ecdsa(), kinds[k], root,
                                              tu_str(present_keys[i]), &proof, &got, &present),
                             BL_OK);
            assert_true(present);
            assert_int_equal(mpt_get(t, tu_str(present_keys[i]), &want), BL_OK);
            assert_true(bl_span_eq(bl_buf_span(&got), bl_buf_span(&want)));
        }
        for (size_t i = 0; i < 5; i++) {
            assert_int_equal(mpt_prove(t, tu_str(absent_keys[i]), &proof), BL_OK);
            assert_int_equal(mpt_verify_proof(suite_ecdsa(), kinds[k], root,
                                              tu_str(absent_keys[i]), &proof, &got, &present),
                             BL_OK);
            assert_false(present);
            assert_int_equal(got.len, 0);
        }
        mpt_close(t);
        kv_close(kv);
    }
    mpt_proof_free(&proof);
    bl_buf_free(&want);
    bl_buf_free(&got);
}

/* The empty trie proves every key absent with no nodes at all. */
static void
mpt_empty_trie_proves_absence_with_no_nodes(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    mpt_proof_t proof;
    bl_buf_t got = BL_BUF_INIT;
    uint8_t root[32];
    bool present = true;

    (void)state;
    mpt_proof_init(&proof);
    assert_int_equal(mpt_prove(t, tu_str("dog"), &proof), BL_OK);
    assert_int_equal(proof.count, 0);
    mpt_root(t, root);
    assert_int_equal(mpt_verify_proof(suite_ecdsa(), MPT_PLAIN, root, tu_str("dog"), &proof, &got,
                                      &present), BL_OK);
    assert_false(present);
    mpt_proof_free(&proof);
    bl_buf_free(&got);
    mpt_close(t);
    kv_close(kv);
}

/* Changing one bit of one byte anywhere in a proof changes that node's hash, so the walk from
 * the root can no longer find it: every such proof fails, for a present and an absent key. */
static void
mpt_proof_with_any_byte_changed_fails(void **state)
{
    const char *keys[] = { "key-700", "key-701" };
    kv_t *kv = tu_memory_kv();
    mpt_t *t = proof_trie(kv, MPT_PLAIN);
    mpt_proof_t proof;
    bl_buf_t got = BL_BUF_INIT;
    uint8_t root[32];
    bool present;
    size_t tried = 0;

    (void)state;
    mpt_proof_init(&proof);
    mpt_root(t, root);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(mpt_prove(t, tu_str(keys[k]), &proof), BL_OK);
        for (size_t n = 0; n < proof.count; n++) {
            for (size_t b = 0; b < proof.nodes[n].len; b++) {
                proof.nodes[n].data[b] ^= 0x01;
                if (mpt_verify_proof(suite_ecdsa(), MPT_PLAIN, root, tu_str(keys[k]), &proof,
                                     &got, &present) != BL_E_FORMAT)
                    fail_msg("%s: a proof with node %zu byte %zu changed was accepted",
                             keys[k], n, b);
                proof.nodes[n].data[b] ^= 0x01;
                tried++;
            }
        }
    }
    assert_true(tried > 200);
    mpt_proof_free(&proof);
    bl_buf_free(&got);
    mpt_close(t);
    kv_close(kv);
}

/* A proof missing any one node, or checked against another root, fails and says which node
 * it lacks. */
static void
mpt_proof_missing_a_node_or_for_another_root_fails(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = proof_trie(kv, MPT_PLAIN);
    mpt_proof_t proof, shorter;
    bl_buf_t got = BL_BUF_INIT;
    uint8_t root[32];
    bool present;

    (void)state;
    mpt_proof_init(&proof);
    mpt_root(t, root);
    assert_int_equal(mpt_prove(t, tu_str("key-14"), &proof), BL_OK);
    for (size_t skip = 0; skip < proof.count; skip++) {
        mpt_proof_init(&shorter);
        for (size_t n = 0; n < proof.count; n++)
            if (n != skip)
                mpt_proof_add(&shorter, bl_buf_span(&proof.nodes[n]));
        assert_int_equal(mpt_verify_proof(suite_ecdsa(), MPT_PLAIN, root, tu_str("key-14"),
                                          &shorter, &got, &present), BL_E_FORMAT);
        assert_non_null(strstr(bl_errmsg(), "does not hold trie node"));
        mpt_proof_free(&shorter);
    }
    root[0] ^= 0x80;
    assert_int_equal(mpt_verify_proof(suite_ecdsa(), MPT_PLAIN, root, tu_str("key-14"), &proof,
                                      &got, &present), BL_E_FORMAT);
    mpt_proof_free(&proof);
    bl_buf_free(&got);
    mpt_close(t);
    kv_close(kv);
}

/* ---- a damaged store ---- */

typedef struct {
    bl_span_t skip; /* the root's hash */
    bl_buf_t keys[512];
    size_t count;
} key_list_t;

static int
collect_visit(void *arg, bl_span_t key, bl_span_t value)
{
    key_list_t *l = arg;

    (void)value;
    if (l->count < 512 && !bl_span_eq(key, l->skip)) {
        bl_buf_init(&l->keys[l->count]);
        bl_buf_append(&l->keys[l->count], key.ptr, key.len);
        l->count++;
    }
    return 0;
}

/* The keys (node hashes) of every node in the store but the root. */
static void
nodes_below_the_root(kv_t *kv, const uint8_t root[32], key_list_t *out)
{
    out->skip = bl_span(root, 32);
    out->count = 0;
    assert_int_equal(kv_scan_prefix(kv, bl_span("", 0), collect_visit, out), BL_OK);
}

static void
key_list_free(key_list_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        bl_buf_free(&l->keys[i]);
}

/* Opening a root the store has never seen is BL_E_NOTFOUND, with the root in the message. */
static void
mpt_open_at_an_unknown_root_is_notfound(void **state)
{
    kv_t *kv = tu_memory_kv();
    uint8_t root[32];
    mpt_t *t;

    (void)state;
    memset(root, 0xab, 32);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), root, MPT_PLAIN, &t), BL_E_NOTFOUND);
    assert_null(t);
    assert_non_null(strstr(bl_errmsg(), "abababab"));
    kv_close(kv);
}

/* With every node but the root gone from the store, reads and writes that need them fail with
 * BL_E_DB, and a failed write leaves the trie exactly as it was. */
static void
mpt_missing_node_is_a_db_error_and_changes_nothing(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = proof_trie(kv, MPT_PLAIN);
    key_list_t below;
    uint8_t root[32], after[32];
    bl_buf_t got = BL_BUF_INIT;

    (void)state;
    mpt_root(t, root);
    mpt_close(t);
    nodes_below_the_root(kv, root, &below);
    for (size_t i = 0; i < below.count; i++)
        assert_int_equal(kv_delete(kv, bl_buf_span(&below.keys[i])), BL_OK);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), root, MPT_PLAIN, &t), BL_OK);
    assert_int_equal(mpt_get(t, tu_str("key-7"), &got), BL_E_DB);
    assert_non_null(strstr(bl_errmsg(), "missing"));
    assert_int_equal(mpt_put(t, tu_str("key-7"), tu_str("new")), BL_E_DB);
    assert_int_equal(mpt_delete(t, tu_str("key-7")), BL_E_DB);
    mpt_root(t, after);
    assert_memory_equal(root, after, 32);
    key_list_free(&below);
    bl_buf_free(&got);
    mpt_close(t);
    kv_close(kv);
}

/* Bytes under a node's hash that do not hash to it are a damaged store: BL_E_FORMAT, whether
 * the damaged node is an inner one (found by a read) or the root (found by opening). */
static void
mpt_corrupted_stored_node_is_a_format_error(void **state)
{
    const bl_span_t garbage = tu_str("\xc2\x20\x61"); /* a valid leaf, but not these nodes */
    kv_t *kv = tu_memory_kv();
    mpt_t *t = proof_trie(kv, MPT_PLAIN);
    key_list_t below;
    uint8_t root[32];
    bl_buf_t got = BL_BUF_INIT;
    char key[16];

    (void)state;
    mpt_root(t, root);
    mpt_close(t);
    nodes_below_the_root(kv, root, &below);
    for (size_t i = 0; i < below.count; i++)
        assert_int_equal(kv_put(kv, bl_buf_span(&below.keys[i]), garbage), BL_OK);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), root, MPT_PLAIN, &t), BL_OK);
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "key-%d", i * 7);
        assert_int_equal(mpt_get(t, tu_str(key), &got), BL_E_FORMAT);
        assert_non_null(strstr(bl_errmsg(), "another hash"));
    }
    mpt_close(t);
    assert_int_equal(kv_put(kv, bl_span(root, 32), garbage), BL_OK);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), root, MPT_PLAIN, &t), BL_E_FORMAT);
    key_list_free(&below);
    bl_buf_free(&got);
    kv_close(kv);
}

/* Bytes that hash right but are no valid node (a stranger's store or proof may hold anything)
 * are refused with BL_E_FORMAT: each of these is stored under its own hash and opened as a
 * root. */
static void
mpt_malformed_node_is_a_format_error(void **state)
{
    static const char *const cases[] = {
        "8180",                /* not valid RLP (a byte below 0x80 wrapped as 81 xx) */
        "83646f67",            /* a string, not a list */
        "c3010203",            /* a list of 3 items */
        "c24061",              /* hex-prefix flag 4 */
        "c482252361",          /* even hex-prefix with padding nibble 5 */
        "c22080",              /* a leaf with an empty value */
        "c20080",              /* an extension with no nibbles */
        "c482101280",          /* an extension that leads nowhere */
        "c782101283aabbcc",    /* a child reference of 3 bytes */
        "d18080808080808080808080808080808080c0", /* a branch whose value is a list */
        /* an extension whose inlined child is 32 bytes: it should have been hashed */
        "e3821012df209d6161616161616161616161616161616161616161616161616161616161",
    };
    kv_t *kv = tu_memory_kv();
    bl_buf_t node = BL_BUF_INIT;
    uint8_t hash[32];
    mpt_t *t;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bl_buf_clear(&node);
        tu_hex(cases[i], &node);
        keccak256(node.data, node.len, hash);
        assert_int_equal(kv_put(kv, bl_span(hash, 32), bl_buf_span(&node)), BL_OK);
        if (mpt_open(kv, suite_ecdsa(), hash, MPT_PLAIN, &t) != BL_E_FORMAT)
            fail_msg("malformed node %zu (%s) was accepted", i, cases[i]);
        assert_non_null(strstr(bl_errmsg(), "is not a valid node"));
    }
    bl_buf_free(&node);
    kv_close(kv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mpt_proofs_verify_for_present_and_absent_keys),
        cmocka_unit_test(mpt_empty_trie_proves_absence_with_no_nodes),
        cmocka_unit_test(mpt_proof_with_any_byte_changed_fails),
        cmocka_unit_test(mpt_proof_missing_a_node_or_for_another_root_fails),
        cmocka_unit_test(mpt_open_at_an_unknown_root_is_notfound),
        cmocka_unit_test(mpt_missing_node_is_a_db_error_and_changes_nothing),
        cmocka_unit_test(mpt_corrupted_stored_node_is_a_format_error),
        cmocka_unit_test(mpt_malformed_node_is_a_format_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
