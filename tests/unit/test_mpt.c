/*
 * test_mpt.c — the rules of the Merkle Patricia Trie, one test per rule.
 *
 * The trie is defined in appendix D of the Ethereum Yellow Paper ("YP D" below): hex-prefix
 * encoding of nibble paths, the leaf/extension/branch nodes, and the node composition function
 * c(J, i) that inlines a node whose RLP is under 32 bytes and otherwise refers to it by its hash.
 * Each test pins down one of those rules, or one promise storage/mpt.h makes on top of them:
 * the root depends only on the contents (never on the order of writes) and old roots stay
 * readable. Proofs and damaged stores have their own tests in test_mpt_proof.c; the root
 * hashes of ethereum/tests TrieTests are checked in tests/conformance/test_trie_vectors.c.
 */
#include "mptutil.h"
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "codec/rlp.h"
#include "crypto/keccak.h"
#include "storage/kv.h"
#include "storage/mpt.h"

/* ---- helpers ---- */

static void
assert_value(mpt_t *t, const char *key, const char *want)
{
    bl_buf_t got = BL_BUF_INIT;

    assert_int_equal(mpt_get(t, tu_str(key), &got), BL_OK);
    assert_true(bl_span_eq(bl_buf_span(&got), tu_str(want)));
    bl_buf_free(&got);
}

static void
assert_absent(mpt_t *t, const char *key)
{
    bl_buf_t got = BL_BUF_INIT;

    assert_int_equal(mpt_get(t, tu_str(key), &got), BL_E_NOTFOUND);
    bl_buf_free(&got);
}

/* ---- hex-prefix (YP D, the function HP) ---- */

static void
assert_hp(const uint8_t *nibbles, size_t n, bool leaf, const char *hex)
{
    bl_buf_t hp = BL_BUF_INIT, back = BL_BUF_INIT;
    bool is_leaf;

    mpt_hp_encode(nibbles, n, leaf, &hp);
    tu_assert_hex_eq(hp.data, hp.len, hex);
    assert_int_equal(mpt_hp_decode(bl_buf_span(&hp), &back, &is_leaf), BL_OK);
    assert_int_equal(is_leaf, leaf);
    assert_int_equal(back.len, n);
    assert_memory_equal(back.data, nibbles, n);
    bl_buf_free(&hp);
    bl_buf_free(&back);
}

/* YP D: the first nibble is 2·leaf + (length odd); an odd path puts its first nibble beside
 * the flag, an even one pads with a 0 nibble. All four flags, odd and even, and the empty path. */
static void
mpt_hex_prefix_flag_says_leaf_and_odd_length(void **state)
{
    const uint8_t even[] = { 1, 2, 3, 4 }, odd[] = { 1, 2, 3 }, one[] = { 0xf };

    (void)state;
    assert_hp(even, 4, false, "001234"); /* flag 0: extension, even */
    assert_hp(odd, 3, false, "1123");    /* flag 1: extension, odd */
    assert_hp(even, 4, true, "201234");  /* flag 2: leaf, even */
    assert_hp(odd, 3, true, "3123");     /* flag 3: leaf, odd */
    assert_hp(one, 1, true, "3f");
    assert_hp(NULL, 0, true, "20");      /* a leaf right where its key ends */
    assert_hp(NULL, 0, false, "00");
}

/* A decoder of hex-prefix refuses what HP never writes: no flag byte, a flag above 3, and a
 * non-zero padding nibble after an even flag. */
static void
mpt_hex_prefix_decode_refuses_bad_flags_and_padding(void **state)
{
    const uint8_t flag4[] = { 0x40 }, padded[] = { 0x25, 0x12 };
    bl_buf_t path = BL_BUF_INIT;
    bool is_leaf;

    (void)state;
    assert_int_equal(mpt_hp_decode(bl_span("", 0), &path, &is_leaf), BL_E_FORMAT);
    assert_int_equal(mpt_hp_decode(bl_span(flag4, 1), &path, &is_leaf), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "flag"));
    assert_int_equal(mpt_hp_decode(bl_span(padded, 2), &path, &is_leaf), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "padding"));
    bl_buf_free(&path);
}

/* A key's path is its nibbles, high half of each byte first: 0x1a2b is 1,a,2,b. */
static void
mpt_key_nibbles_are_high_half_first(void **state)
{
    const uint8_t key[] = { 0x1a, 0x2b }, want[] = { 1, 0xa, 2, 0xb };
    bl_buf_t path = BL_BUF_INIT;

    (void)state;
    mpt_nibbles_from_bytes(bl_span(key, 2), &path);
    assert_int_equal(path.len, 4);
    assert_memory_equal(path.data, want, 4);
    bl_buf_free(&path);
}

/* ---- roots and node references (YP D, c(J, i) and TRIE(J) = KEC(RLP(c(J, 0)))) ---- */

/* The empty trie's root is KEC(RLP("")) = keccak(0x80) (vectors README §2); on an SM chain the
 * same rule with SM3. */
static void
mpt_empty_root_is_hash_of_rlp_empty_string(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    uint8_t root[32], sm[32], want_sm[32];
    const uint8_t empty_string = 0x80;

    (void)state;
    mpt_root(t, root);
    tu_assert_hex_eq(root, 32, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    mpt_empty_root(suite_sm(), sm);
    suite_sm()->hash(&empty_string, 1, want_sm);
    assert_memory_equal(sm, want_sm, 32);
    assert_int_equal(tu_kv_count(kv), 0);
    mpt_commit_write(t); /* nothing to store for the empty trie */
    assert_int_equal(tu_kv_count(kv), 0);
    mpt_close(t);
    kv_close(kv);
}

/* The root is hashed even when the root node is under 32 bytes: one leaf 0x0123 -> "a" is the
 * 6-byte node c5 83200123 61, and the root is its Keccak-256 (the worked example of mpt.h). */
static void
mpt_root_is_hashed_even_when_short(void **state)
{
    const uint8_t key[] = { 0x01, 0x23 }, node[] = { 0xc5, 0x83, 0x20, 0x01, 0x23, 0x61 };
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    uint8_t root[32], want[32];
    bl_buf_t stored = BL_BUF_INIT;

    (void)state;
    assert_int_equal(mpt_put(t, bl_span(key, 2), tu_str("a")), BL_OK);
    mpt_root(t, root);
    keccak256(node, sizeof node, want);
    assert_memory_equal(root, want, 32);
    /* and it is stored under that hash, so the trie can be opened there */
    assert_int_equal(mpt_commit_write(t), BL_OK);
    assert_int_equal(kv_get(kv, bl_span(root, 32), &stored), BL_OK);
    tu_assert_hex_eq(stored.data, stored.len, "c58320012361");
    bl_buf_free(&stored);
    mpt_close(t);
    kv_close(kv);
}

/* Two keys 0x0123 and 0x0124: an extension over a branch with two leaves. The leaf in slot 3
 * is [20, value]: 31 bytes of RLP with a 28-byte value, 32 bytes with a 29-byte value. */
static size_t
nodes_stored_with_leaf_value(size_t value_len)
{
    const uint8_t k1[] = { 0x01, 0x23 }, k2[] = { 0x01, 0x24 };
    uint8_t value[29];
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    size_t n;

    memset(value, 'v', sizeof value);
    assert_int_equal(mpt_put(t, bl_span(k1, 2), bl_span(value, value_len)), BL_OK);
    assert_int_equal(mpt_put(t, bl_span(k2, 2), tu_str("b")), BL_OK);
    assert_int_equal(mpt_commit_write(t), BL_OK);
    n = tu_kv_count(kv);
    mpt_close(t);
    kv_close(kv);
    return n;
}

/* YP D, c(J, i): a node whose RLP is under 32 bytes is written inside its parent. With a 31-byte
 * leaf the branch holds it in place, so only the root and the branch (50 bytes) are stored. */
static void
mpt_node_under_32_bytes_is_inlined(void **state)
{
    (void)state;
    assert_int_equal(nodes_stored_with_leaf_value(28), 2);
}

/* YP D, c(J, i): a node of 32 bytes or more is referred to by KEC(RLP(node)) and kept in the
 * store under that hash: the 32-byte leaf is the third stored node, and the store holds it
 * under keccak of its bytes. */
static void
mpt_node_of_32_bytes_or_more_is_stored_by_hash(void **state)
{
    const uint8_t k1[] = { 0x01, 0x23 };
    uint8_t value[29], hash[32];
    bl_buf_t leaf = BL_BUF_INIT, got = BL_BUF_INIT;
    size_t start;
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);

    (void)state;
    assert_int_equal(nodes_stored_with_leaf_value(29), 3);
    /* the leaf [HP(no nibbles, leaf) = 20, value], built by hand, is in the store by its hash */
    memset(value, 'v', sizeof value);
    assert_int_equal(mpt_put(t, bl_span(k1, 2), bl_span(value, 29)), BL_OK);
    assert_int_equal(mpt_put(t, tu_str("\x01\x24"), tu_str("b")), BL_OK);
    assert_int_equal(mpt_commit_write(t), BL_OK);
    start = rlp_list_begin(&leaf);
    rlp_put_bytes(&leaf, "\x20", 1);
    rlp_put_bytes(&leaf, value, 29);
    rlp_list_end(&leaf, start);
    assert_int_equal(leaf.len, 32);
    keccak256(leaf.data, leaf.len, hash);
    assert_int_equal(kv_get(kv, bl_span(hash, 32), &got), BL_OK);
    assert_true(bl_span_eq(bl_buf_span(&got), bl_buf_span(&leaf)));
    bl_buf_free(&leaf);
    bl_buf_free(&got);
    mpt_close(t);
    kv_close(kv);
}

/* ---- writing ---- */

static const char *const shape_keys[] = {
    "", "a", "ab", "abc", "abd", "b", "ba", "\x10\x20",
};
#define SHAPE_KEYS (sizeof shape_keys / sizeof shape_keys[0])

/* The root of the trie holding the keys of `subset` (bit i = shape_keys[i]), each mapped to
 * a value made from its name. */
static void
subset_root(unsigned subset, uint8_t root[32])
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    char value[16];

    for (size_t i = 0; i < SHAPE_KEYS; i++) {
        if (subset & (1u << i)) {
            snprintf(value, sizeof value, "value-%zu", i);
            tu_trie_put(t, shape_keys[i], value);
        }
    }
    mpt_root(t, root);
    mpt_close(t);
    kv_close(kv);
}

/* YP D says a trie's root is a function of its contents alone, so a delete must undo exactly
 * what the insert did: a branch left with one item becomes a leaf (only its value left) or
 * gives its nibble to its last child (a leaf or extension), or sits behind a one-nibble
 * extension (a branch child), and an extension joins a child that became a leaf or extension.
 * For every subset of keys that share prefixes (the empty key included) and every key in it:
 * deleting the key gives the root of the trie built without it. */
static void
mpt_delete_collapses_to_the_trie_built_without_the_key(void **state)
{
    uint8_t got[32], want[32];
    char value[16];

    (void)state;
    for (unsigned subset = 0; subset < (1u << SHAPE_KEYS); subset++) {
        for (size_t k = 0; k < SHAPE_KEYS; k++) {
            kv_t *kv;
            mpt_t *t;
            if (!(subset & (1u << k)))
                continue;
            kv = tu_memory_kv();
            t = tu_empty_trie(kv, MPT_PLAIN);
            for (size_t i = 0; i < SHAPE_KEYS; i++) {
                snprintf(value, sizeof value, "value-%zu", i);
                if (subset & (1u << i))
                    tu_trie_put(t, shape_keys[i], value);
            }
            assert_int_equal(mpt_delete(t, tu_str(shape_keys[k])), BL_OK);
            mpt_root(t, got);
            subset_root(subset & ~(1u << k), want);
            if (memcmp(got, want, 32) != 0)
                fail_msg("subset %#x, deleting key %zu: root differs from the trie without it",
                         subset, k);
            mpt_close(t);
            kv_close(kv);
        }
    }
}

/* Deleting a key that is not there (past a leaf, into an empty slot, off an extension)
 * changes nothing. */
static void
mpt_delete_of_an_absent_key_changes_nothing(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    uint8_t before[32], after[32];
    const char *absent[] = { "do", "dogs", "x", "", "horses", "hors" };

    (void)state;
    assert_int_equal(mpt_delete(t, tu_str("anything")), BL_OK); /* from the empty trie */
    tu_trie_put(t, "dog", "puppy");
    tu_trie_put(t, "doge", "coin");
    tu_trie_put(t, "horse", "stallion");
    mpt_root(t, before);
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        assert_int_equal(mpt_delete(t, tu_str(absent[i])), BL_OK);
        mpt_root(t, after);
        assert_memory_equal(before, after, 32);
    }
    mpt_close(t);
    kv_close(kv);
}

/* Ethereum's rule (trietest.json "emptyValues"): putting an empty value deletes the key. */
static void
mpt_put_of_an_empty_value_deletes(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    uint8_t one[32], two[32];

    (void)state;
    tu_trie_put(t, "dog", "puppy");
    mpt_root(t, one);
    tu_trie_put(t, "doge", "coin");
    tu_trie_put(t, "doge", "");
    assert_absent(t, "doge");
    assert_value(t, "dog", "puppy");
    mpt_root(t, two);
    assert_memory_equal(one, two, 32);
    mpt_close(t);
    kv_close(kv);
}

/* The secure trie's path is hash(key): it equals the plain trie keyed by keccak(key). */
static void
mpt_secure_trie_is_the_plain_trie_of_hashed_keys(void **state)
{
    const char *keys[] = { "dog", "doge", "horse" };
    kv_t *kv = tu_memory_kv();
    mpt_t *secure = tu_empty_trie(kv, MPT_SECURE), *plain = tu_empty_trie(kv, MPT_PLAIN);
    uint8_t h[32], r1[32], r2[32];

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        keccak256(keys[i], strlen(keys[i]), h);
        tu_trie_put(secure, keys[i], "v");
        assert_int_equal(mpt_put(plain, bl_span(h, 32), tu_str("v")), BL_OK);
    }
    mpt_root(secure, r1);
    mpt_root(plain, r2);
    assert_memory_equal(r1, r2, 32);
    assert_value(secure, "doge", "v");
    mpt_close(secure);
    mpt_close(plain);
    kv_close(kv);
}

/* On an SM chain every node is hashed with SM3: the same contents give another root. */
static void
mpt_sm_chain_hashes_nodes_with_sm3(void **state)
{
    const uint8_t node[] = { 0xc5, 0x83, 0x20, 0x01, 0x23, 0x61 }, key[] = { 0x01, 0x23 };
    kv_t *kv = tu_memory_kv();
    mpt_t *t;
    uint8_t root[32], want[32];

    (void)state;
    assert_int_equal(mpt_open(kv, suite_sm(), NULL, MPT_PLAIN, &t), BL_OK);
    assert_int_equal(mpt_put(t, bl_span(key, 2), tu_str("a")), BL_OK);
    mpt_root(t, root);
    suite_sm()->hash(node, sizeof node, want);
    assert_memory_equal(root, want, 32);
    mpt_close(t);
    kv_close(kv);
}

/* ---- the property test: order never matters ---- */

#define POOL 300

/* A reference model: for each key of the pool, its value (len 0 = absent). */
typedef struct {
    bl_buf_t keys[POOL];
    bl_buf_t values[POOL];
} model_t;

/* Keys with long shared prefixes: 1 to 6 bytes drawn from only four byte values. */
static void
model_init(model_t *m, bl_rng_t *rng)
{
    static const uint8_t alphabet[] = { 0x00, 0x01, 0x10, 0xff };

    for (size_t i = 0; i < POOL; i++) {
        size_t len = 1 + bl_rng_below(rng, 6);
        bl_buf_init(&m->keys[i]);
        bl_buf_init(&m->values[i]);
        for (size_t j = 0; j < len; j++)
            bl_buf_push(&m->keys[i], alphabet[bl_rng_below(rng, 4)]);
    }
}

static void
model_free(model_t *m)
{
    for (size_t i = 0; i < POOL; i++) {
        bl_buf_free(&m->keys[i]);
        bl_buf_free(&m->values[i]);
    }
}

/* A value of 1 to 40 bytes, so that some leaves are inlined and some stored by hash. The pool
 * may hold the same key twice; the model keeps every copy equal. */
static void
random_write(model_t *m, mpt_t *t, bl_rng_t *rng)
{
    size_t k = bl_rng_below(rng, POOL), len = 0;
    uint8_t value[40];

    if (bl_rng_below(rng, 4) != 0) /* one write in four is a delete */
        len = 1 + bl_rng_below(rng, 40);

    for (size_t j = 0; j < len; j++)
        value[j] = (uint8_t)bl_rng_next(rng);
    assert_int_equal(mpt_put(t, bl_buf_span(&m->keys[k]), bl_span(value, len)), BL_OK);
    for (size_t i = 0; i < POOL; i++) {
        if (bl_span_eq(bl_buf_span(&m->keys[i]), bl_buf_span(&m->keys[k]))) {
            bl_buf_clear(&m->values[i]);
            bl_buf_append(&m->values[i], value, len);
        }
    }
}

/* The root of a fresh trie holding the model's contents, written in a shuffled order. */
static void
model_root(const model_t *m, mpt_keys_t keys, bl_rng_t *rng, uint8_t root[32])
{
    size_t order[POOL];
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, keys);

    for (size_t i = 0; i < POOL; i++)
        order[i] = i;
    for (size_t i = POOL - 1; i > 0; i--) {
        size_t j = bl_rng_below(rng, i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (size_t i = 0; i < POOL; i++) {
        size_t k = order[i];
        if (m->values[k].len > 0)
            assert_int_equal(mpt_put(t, bl_buf_span(&m->keys[k]), bl_buf_span(&m->values[k])),
                             BL_OK);
    }
    mpt_root(t, root);
    mpt_close(t);
    kv_close(kv);
}

static void
assert_model_reads(const model_t *m, mpt_t *t)
{
    bl_buf_t got = BL_BUF_INIT;

    for (size_t i = 0; i < POOL; i++) {
        int err = mpt_get(t, bl_buf_span(&m->keys[i]), &got);
        if (m->values[i].len == 0) {
            assert_int_equal(err, BL_E_NOTFOUND);
        } else {
            assert_int_equal(err, BL_OK);
            assert_true(bl_span_eq(bl_buf_span(&got), bl_buf_span(&m->values[i])));
        }
    }
    bl_buf_free(&got);
}

/* 4000 random puts and deletes on keys with shared prefixes, committed and reopened from the
 * store every 250 writes, so that later writes find most nodes not yet read and must read them
 * as they go (the model is checked through a second handle, which leaves the first one unread).
 * The trie always answers like the model, and its root equals that of a trie built directly
 * from the final contents in three different orders. */
static void
random_writes_match_the_trie_built_from_the_final_set(mpt_keys_t keys, uint64_t seed)
{
    bl_rng_t rng;
    model_t m;
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, keys), *check;
    uint8_t root[32], other[32];

    bl_rng_seed(&rng, seed);
    model_init(&m, &rng);
    for (int op = 1; op <= 4000; op++) {
        random_write(&m, t, &rng);
        if (op % 250 == 0) {
            assert_int_equal(mpt_commit_write(t), BL_OK);
            mpt_root(t, root);
            mpt_close(t);
            assert_int_equal(mpt_open(kv, suite_ecdsa(), root, keys, &t), BL_OK);
            assert_int_equal(mpt_open(kv, suite_ecdsa(), root, keys, &check), BL_OK);
            assert_model_reads(&m, check);
            mpt_close(check);
        }
    }
    mpt_root(t, root);
    for (int order = 0; order < 3; order++) {
        model_root(&m, keys, &rng, other);
        if (memcmp(root, other, 32) != 0)
            fail_msg("seed %llu: root after random writes differs from the final set's "
                     "(order %d)", (unsigned long long)seed, order);
    }
    mpt_close(t);
    model_free(&m);
    kv_close(kv);
}

static void
mpt_random_writes_give_the_root_of_the_final_contents(void **state)
{
    (void)state;
    random_writes_match_the_trie_built_from_the_final_set(MPT_PLAIN, 1);
    random_writes_match_the_trie_built_from_the_final_set(MPT_PLAIN, 2);
    random_writes_match_the_trie_built_from_the_final_set(MPT_SECURE, 3);
}

/* ---- history ---- */

/* Nodes are never overwritten: after later writes are committed, the trie opened at an old
 * root answers with the old values, and the new root with the new ones. */
static void
mpt_old_roots_stay_readable_after_later_writes(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN), *old;
    uint8_t r1[32], r2[32];

    (void)state;
    tu_trie_put(t, "dog", "puppy");
    tu_trie_put(t, "doge", "coin");
    tu_trie_put(t, "horse", "stallion");
    assert_int_equal(mpt_commit_write(t), BL_OK);
    mpt_root(t, r1);
    tu_trie_put(t, "dog", "hound");
    assert_int_equal(mpt_delete(t, tu_str("horse")), BL_OK);
    tu_trie_put(t, "cat", "kitten");
    assert_int_equal(mpt_commit_write(t), BL_OK);
    mpt_root(t, r2);
    mpt_close(t);

    assert_int_equal(mpt_open(kv, suite_ecdsa(), r1, MPT_PLAIN, &old), BL_OK);
    assert_value(old, "dog", "puppy");
    assert_value(old, "horse", "stallion");
    assert_absent(old, "cat");
    mpt_close(old);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), r2, MPT_PLAIN, &t), BL_OK);
    assert_value(t, "dog", "hound");
    assert_value(t, "doge", "coin");
    assert_value(t, "cat", "kitten");
    assert_absent(t, "horse");
    mpt_close(t);
    kv_close(kv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mpt_hex_prefix_flag_says_leaf_and_odd_length),
        cmocka_unit_test(mpt_hex_prefix_decode_refuses_bad_flags_and_padding),
        cmocka_unit_test(mpt_key_nibbles_are_high_half_first),
        cmocka_unit_test(mpt_empty_root_is_hash_of_rlp_empty_string),
        cmocka_unit_test(mpt_root_is_hashed_even_when_short),
        cmocka_unit_test(mpt_node_under_32_bytes_is_inlined),
        cmocka_unit_test(mpt_node_of_32_bytes_or_more_is_stored_by_hash),
        cmocka_unit_test(mpt_delete_collapses_to_the_trie_built_without_the_key),
        cmocka_unit_test(mpt_delete_of_an_absent_key_changes_nothing),
        cmocka_unit_test(mpt_put_of_an_empty_value_deletes),
        cmocka_unit_test(mpt_secure_trie_is_the_plain_trie_of_hashed_keys),
        cmocka_unit_test(mpt_sm_chain_hashes_nodes_with_sm3),
        cmocka_unit_test(mpt_random_writes_give_the_root_of_the_final_contents),
        cmocka_unit_test(mpt_old_roots_stay_readable_after_later_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
