/*
 * grader.c — exercise 05: inserting into a Merkle Patricia Trie (mpt_insert.h).
 *
 * The grader computes the root hash of the student's trie itself: it checks the trie's shape
 * (every node well-formed, no branch with fewer than two items, no empty extension), copies it
 * into the project's node type and hashes it with the project's encoder (src/storage/
 * mpt_node.c). Two tries with the same root have the same shape, so a right root means a right
 * insert. The tests, in order: small tries whose shape is checked node by node; Ethereum's trie
 * tests (/work/shared/vectors, ethereum/tests TrieTests, plain and secure keys); random tries
 * against the project's trie (src/storage/mpt.c); bad input; and a 4-node PBFT cluster on the
 * simulator, with a sealer that crashes and syncs back, whose every block's transactions and
 * receipts the student's trie puts into ordered tries (key RLP(index)), the way FISCO BCOS RC1
 * computed transactionsRoot (fisco-2x-facts §1.9) — on every node, with the project's answer.
 */
#include "grade.h"
#include "testutil.h"
#include "clusterutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "codec/rlp.h"
#include "ledger/status.h"
#include "node/group.h"
#include "storage/mpt.h"
#include "storage/mpt_node.h"

#include "mpt_insert.h"

/* ---- the root of the student's trie ---- */

/* Why the trie at n is not a well-formed, canonical trie, or NULL if it is. `used` nibbles of
 * the path were spent above n; a trie deeper than a 32-byte key is broken (or has a cycle). */
static const char *
shape_error(const ex_mpt_node_t *n, size_t used)
{
    size_t items = 0;
    const char *why;

    if (n->path_len > EX_MPT_MAX_PATH || used + n->path_len > EX_MPT_MAX_PATH)
        return "a path runs longer than 64 nibbles (or the tree has a cycle)";
    for (size_t i = 0; i < n->path_len; i++)
        if (n->path[i] > 15)
            return "a path holds a byte above 15; each byte is one nibble";
    if (n->value_len > 0 && n->value == NULL)
        return "a node has value_len > 0 but value NULL";
    switch (n->kind) {
    case EX_MPT_LEAF:
        if (n->value_len == 0)
            return "a leaf has no value";
        if (n->next != NULL)
            return "a leaf has a `next`";
        for (int i = 0; i < 16; i++)
            if (n->children[i] != NULL)
                return "a leaf has children";
        return NULL;
    case EX_MPT_EXTENSION:
        if (n->path_len == 0)
            return "an extension has no nibbles (its branch should take its place)";
        if (n->next == NULL || n->next->kind != EX_MPT_BRANCH)
            return "an extension's `next` is not a branch";
        if (n->value_len != 0)
            return "an extension has a value (values live in leaves and branches)";
        for (int i = 0; i < 16; i++)
            if (n->children[i] != NULL)
                return "an extension has children (it has only `next`)";
        return shape_error(n->next, used + n->path_len);
    case EX_MPT_BRANCH:
        if (n->path_len != 0 || n->next != NULL)
            return "a branch has a path or a `next` (it has only children and a value)";
        items = n->value_len > 0;
        for (int i = 0; i < 16; i++) {
            if (n->children[i] == NULL)
                continue;
            items++;
            if ((why = shape_error(n->children[i], used + 1)) != NULL)
                return why;
        }
        return items >= 2 ? NULL : "a branch holds fewer than two items (children and value)";
    }
    return "a node has a kind that is not EX_MPT_LEAF, EX_MPT_EXTENSION or EX_MPT_BRANCH";
}

/* The same trie as the project's nodes (src/storage/mpt_node.h), whose encoder hashes it. */
static mpt_node_t *
to_project(const ex_mpt_node_t *n)
{
    static const mpt_node_kind_t kinds[] = {
        [EX_MPT_LEAF] = MPT_NODE_LEAF, [EX_MPT_EXTENSION] = MPT_NODE_EXTENSION,
        [EX_MPT_BRANCH] = MPT_NODE_BRANCH };
    mpt_node_t *p;

    if (n == NULL)
        return NULL;
    p = mpt_node_new(kinds[n->kind]);
    bl_buf_append(&p->path, n->path, n->path_len);
    bl_buf_append(&p->value, n->value, n->value_len);
    p->next = to_project(n->next);
    for (int i = 0; i < 16; i++)
        p->children[i] = to_project(n->children[i]);
    return p;
}

/* The root hash of the student's trie, or why it has none: its shape is wrong. */
static const char *
root_of(const ex_mpt_node_t *t, uint8_t root[32])
{
    const char *why = t != NULL ? shape_error(t, 0) : NULL;
    mpt_node_t *p;

    if (why != NULL)
        return why;
    if (t == NULL) {
        mpt_empty_root(suite_ecdsa(), root);
        return NULL;
    }
    p = to_project(t);
    mpt_node_hash(suite_ecdsa(), p, root);
    mpt_node_free(p);
    return NULL;
}

/* The same, failing the test if the shape is wrong. */
static void
student_root(const ex_mpt_node_t *t, const char *what, uint8_t root[32])
{
    const char *why = root_of(t, root);

    if (why != NULL)
        fail_msg("%s: the trie is malformed: %s", what, why);
}

static void
assert_root(const ex_mpt_node_t *t, const char *what, const uint8_t want[32])
{
    uint8_t got[32];
    char got_hex[65], want_hex[65];

    student_root(t, what, got);
    if (memcmp(got, want, 32) != 0) {
        bl_hex_encode(got, 32, got_hex);
        bl_hex_encode(want, 32, want_hex);
        fail_msg("%s: root %s, expected %s", what, got_hex, want_hex);
    }
}

static void
assert_root_hex(const ex_mpt_node_t *t, const char *what, const char *want_hex)
{
    uint8_t want[32];

    tu_hex_fixed(want_hex, want, 32);
    assert_root(t, what, want);
}

/* ---- inserting, and the project's trie beside it ---- */

static void
insert_ok(ex_mpt_node_t **t, bl_span_t key, bl_span_t value)
{
    int err = ex_mpt_insert(t, key.ptr, key.len, value.ptr, value.len);

    if (err != BL_OK)
        fail_msg("ex_mpt_insert of a %zu-byte key failed (%d): %s", key.len, err, bl_errmsg());
}

static void
insert_str(ex_mpt_node_t **t, const char *key, const char *value)
{
    insert_ok(t, tu_str(key), tu_str(value));
}

/* A key given in hex ("0123"), for the small tries. */
static void
insert_hex(ex_mpt_node_t **t, const char *key_hex, const char *value)
{
    bl_buf_t key = BL_BUF_INIT;

    tu_hex(key_hex, &key);
    insert_ok(t, bl_buf_span(&key), tu_str(value));
    bl_buf_free(&key);
}

/* The project's trie over a memory store, to compare with. */
typedef struct {
    kv_t *kv;
    mpt_t *trie;
} builtin_t;

static void
builtin_open(builtin_t *b)
{
    b->kv = tu_memory_kv();
    assert_int_equal(mpt_open(b->kv, suite_ecdsa(), NULL, MPT_PLAIN, &b->trie), BL_OK);
}

static void
builtin_put(builtin_t *b, bl_span_t key, bl_span_t value)
{
    assert_int_equal(mpt_put(b->trie, key, value), BL_OK);
}

static void
builtin_close(builtin_t *b)
{
    mpt_close(b->trie);
    kv_close(b->kv);
}

static void
assert_same_as_builtin(const ex_mpt_node_t *t, builtin_t *b, const char *what)
{
    uint8_t want[32];

    mpt_root(b->trie, want);
    assert_root(t, what, want);
}

/* Both tries get the same pairs, given as C strings; then the roots must agree. */
static void
both_insert(ex_mpt_node_t **t, builtin_t *b, const char *key_hex, const char *value)
{
    bl_buf_t key = BL_BUF_INIT;

    tu_hex(key_hex, &key);
    insert_ok(t, bl_buf_span(&key), tu_str(value));
    builtin_put(b, bl_buf_span(&key), tu_str(value));
    bl_buf_free(&key);
}

/* A nibble path as hex digits, one per nibble: 0,1,2,3 -> "0123" ("" for none). */
static const char *
nibbles_text(const uint8_t *nibbles, size_t len, char text[EX_MPT_MAX_PATH + 1])
{
    size_t i;

    for (i = 0; i < len && i < EX_MPT_MAX_PATH; i++)
        text[i] = nibbles[i] < 16 ? "0123456789abcdef"[nibbles[i]] : '?';
    text[i] = '\0';
    return text;
}

static void
assert_path(const ex_mpt_node_t *n, const uint8_t *nibbles, size_t len, const char *what)
{
    char got[EX_MPT_MAX_PATH + 1], want[EX_MPT_MAX_PATH + 1];

    if (n->path_len != len || (len > 0 && memcmp(n->path, nibbles, len) != 0))
        fail_msg("%s: the node's path is \"%s\", expected \"%s\" (nibbles, one digit each)",
                 what, nibbles_text(n->path, n->path_len, got), nibbles_text(nibbles, len, want));
}

static void
assert_value(const ex_mpt_node_t *n, const char *value, const char *what)
{
    size_t len = strlen(value);

    if (n->value_len != len || (len > 0 && memcmp(n->value, value, len) != 0))
        fail_msg("%s: the node's value is wrong", what);
}

static void
assert_kind(const ex_mpt_node_t *n, ex_mpt_kind_t kind, const char *what)
{
    static const char *const names[] = { "a leaf", "an extension", "a branch" };

    if (n == NULL)
        fail_msg("%s: expected %s, found an empty slot", what, names[kind]);
    if (n->kind != kind)
        fail_msg("%s: expected %s, found another kind of node", what, names[kind]);
}

/* ---- small tries, shape by shape ---- */

/* mpt.h's worked example: the empty trie takes a key as one leaf holding all of its nibbles,
 * high half of each byte first (Yellow Paper appendix D). */
static void
one_key_makes_one_leaf(void **state)
{
    static const uint8_t nibbles[] = { 0, 1, 2, 3 };
    ex_mpt_node_t *t = NULL;

    (void)state;
    insert_hex(&t, "0123", "a");
    assert_kind(t, EX_MPT_LEAF, "0x0123 into the empty trie");
    assert_path(t, nibbles, 4, "0x0123 into the empty trie");
    assert_value(t, "a", "0x0123 into the empty trie");
    assert_root_hex(t, "0x0123 -> a",
                    "085a27f6251ac62bdb178db46b3fef133f098e69ce3d3cfeb0921de04b5e7353");
    ex_mpt_free(t);
}

/* Two keys that share nibbles and then part: a branch where they part, the rest of each key in
 * a leaf below it, and one extension above it for the shared nibbles (mpt.h's example). Keys
 * that part at once need no extension. */
static void
parting_keys_meet_in_a_branch_under_an_extension(void **state)
{
    static const uint8_t shared[] = { 0, 1, 2 };
    ex_mpt_node_t *t = NULL, *b;

    (void)state;
    for (int order = 0; order < 2; order++) {
        insert_hex(&t, order ? "0124" : "0123", order ? "b" : "a");
        insert_hex(&t, order ? "0123" : "0124", order ? "a" : "b");
        assert_kind(t, EX_MPT_EXTENSION, "0x0123 and 0x0124: the top node");
        assert_path(t, shared, 3, "0x0123 and 0x0124: the extension");
        b = t->next;
        assert_kind(b, EX_MPT_BRANCH, "0x0123 and 0x0124: below the extension");
        assert_kind(b->children[3], EX_MPT_LEAF, "0x0123 and 0x0124: slot 3 of the branch");
        assert_kind(b->children[4], EX_MPT_LEAF, "0x0123 and 0x0124: slot 4 of the branch");
        assert_path(b->children[3], NULL, 0, "0x0123's leaf (nothing left of its path)");
        assert_value(b->children[3], "a", "0x0123's leaf");
        assert_value(b->children[4], "b", "0x0124's leaf");
        assert_root_hex(t, "0x0123 -> a, 0x0124 -> b",
                        "e8e69196038a4ce772a6c3e76b9f4d97ad7b00e9291770b6edddcb19b7258ed0");
        ex_mpt_free(t);
        t = NULL;
    }
    insert_hex(&t, "12", "x");
    insert_hex(&t, "34", "y");
    assert_kind(t, EX_MPT_BRANCH, "0x12 and 0x34 part at the first nibble: the top node");
    assert_kind(t->children[1], EX_MPT_LEAF, "0x12 and 0x34: slot 1");
    assert_kind(t->children[3], EX_MPT_LEAF, "0x12 and 0x34: slot 3");
    ex_mpt_free(t);
}

/* A key that is a prefix of another ends at a branch: its value is the branch's value, in
 * whichever order the two come. The empty key ends at the top. */
static void
a_key_that_ends_inside_another_gives_the_branch_a_value(void **state)
{
    static const uint8_t shared[] = { 6, 4, 6, 0xf }, rest[] = { 7 };
    ex_mpt_node_t *t = NULL;
    builtin_t b;

    (void)state;
    for (int order = 0; order < 2; order++) {
        insert_str(&t, order ? "dog" : "do", order ? "puppy" : "verb");
        insert_str(&t, order ? "do" : "dog", order ? "verb" : "puppy");
        assert_kind(t, EX_MPT_EXTENSION, "\"do\" and \"dog\": the top node");
        assert_path(t, shared, 4, "\"do\" and \"dog\": the extension holds \"do\"");
        assert_kind(t->next, EX_MPT_BRANCH, "\"do\" and \"dog\": below the extension");
        assert_value(t->next, "verb", "\"do\" ends at the branch");
        assert_kind(t->next->children[6], EX_MPT_LEAF, "\"dog\": slot 6 of the branch");
        assert_path(t->next->children[6], rest, 1, "\"dog\": its leaf");
        assert_value(t->next->children[6], "puppy", "\"dog\": its leaf");
        ex_mpt_free(t);
        t = NULL;
    }
    builtin_open(&b);
    both_insert(&t, &b, "", "top");
    both_insert(&t, &b, "ab", "below");
    assert_kind(t, EX_MPT_BRANCH, "the empty key and 0xab: the top node");
    assert_value(t, "top", "the empty key's value is the top branch's");
    assert_same_as_builtin(t, &b, "the empty key and 0xab");
    both_insert(&t, &b, "abcd", "deeper");
    assert_same_as_builtin(t, &b, "the empty key, 0xab and 0xabcd");
    builtin_close(&b);
    ex_mpt_free(t);
}

/* Ethereum's rule: a key is in the trie once; inserting it again replaces its value, in a
 * leaf as in a branch, and adds no node (trietest "branch-value-update"). */
static void
the_same_key_again_replaces_its_value(void **state)
{
    ex_mpt_node_t *t = NULL;
    builtin_t b;

    (void)state;
    insert_hex(&t, "0123", "a");
    insert_hex(&t, "0123", "changed");
    assert_kind(t, EX_MPT_LEAF, "0x0123 twice");
    assert_value(t, "changed", "0x0123 twice: the second value");
    ex_mpt_free(t);
    t = NULL;
    builtin_open(&b);
    both_insert(&t, &b, "646f", "verb");
    both_insert(&t, &b, "646f67", "puppy");
    both_insert(&t, &b, "646f", "noun");
    both_insert(&t, &b, "646f67", "dog of a longer value than thirty-two bytes");
    assert_same_as_builtin(t, &b, "\"do\", \"dog\", each twice");
    assert_kind(t, EX_MPT_EXTENSION, "\"do\", \"dog\", each twice: the top node");
    assert_value(t->next, "noun", "\"do\" again: the branch's value");
    builtin_close(&b);
    ex_mpt_free(t);
}

/* An extension is cut where a new key parts from it: in its middle (an extension above the new
 * branch, one below it), at its first nibble (no extension above), at its last nibble (none
 * below: the branch it led to moves up into the new branch). */
static void
an_extension_splits_where_a_new_key_parts_from_it(void **state)
{
    static const char *const parting[][2] = {
        { "1299", "the middle" }, { "99", "the first nibble" }, { "1234a0", "the last nibble" },
    };
    static const uint8_t two[] = { 1, 2 }, four[] = { 1, 2, 3, 4 };
    char what[96];

    (void)state;
    for (size_t k = 0; k < 3; k++) {
        ex_mpt_node_t *t = NULL;
        builtin_t b;

        builtin_open(&b);
        both_insert(&t, &b, "123456", "first");
        both_insert(&t, &b, "123457", "second");
        both_insert(&t, &b, parting[k][0], "parts");
        snprintf(what, sizeof what, "0x123456, 0x123457, then 0x%s (parting at %s)",
                 parting[k][0], parting[k][1]);
        assert_same_as_builtin(t, &b, what);
        if (k == 0) {
            assert_kind(t, EX_MPT_EXTENSION, what);
            assert_path(t, two, 2, what);
            assert_kind(t->next->children[3], EX_MPT_EXTENSION, what);
        } else if (k == 1) {
            assert_kind(t, EX_MPT_BRANCH, what);
            assert_kind(t->children[1], EX_MPT_EXTENSION, what);
        } else {
            assert_kind(t, EX_MPT_EXTENSION, what);
            assert_path(t, four, 4, what);
            assert_kind(t->next->children[5], EX_MPT_BRANCH, what);
        }
        builtin_close(&b);
        ex_mpt_free(t);
    }
}

/* ---- Ethereum's trie tests ---- */

#define TRIE_DIR "ethereum-tests/TrieTests/"

/* A list of key-value pairs, in the order they came. */
typedef struct {
    bl_buf_t *keys;
    bl_buf_t *values;
    size_t count, cap;
} pairs_t;

static void
pairs_add(pairs_t *p, bl_span_t key, bl_span_t value)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->keys = bl_xrealloc(p->keys, p->cap * sizeof *p->keys);
        p->values = bl_xrealloc(p->values, p->cap * sizeof *p->values);
    }
    bl_buf_init(&p->keys[p->count]);
    bl_buf_init(&p->values[p->count]);
    bl_buf_append(&p->keys[p->count], key.ptr, key.len);
    bl_buf_append(&p->values[p->count], value.ptr, value.len);
    p->count++;
}

static void
pairs_free(pairs_t *p)
{
    for (size_t i = 0; i < p->count; i++) {
        bl_buf_free(&p->keys[i]);
        bl_buf_free(&p->values[i]);
    }
    free(p->keys);
    free(p->values);
    memset(p, 0, sizeof *p);
}

/* What the trie holds after all the writes of `ops`: the last write to a key wins, and an
 * empty value (a null in the vectors) takes the key out. A trie's shape depends on its
 * contents only, so inserting these gives the case's root. */
static void
pairs_final(const pairs_t *ops, pairs_t *out)
{
    for (size_t i = 0; i < ops->count; i++) {
        bl_span_t key = bl_buf_span(&ops->keys[i]);
        size_t last = i, j, k;

        for (k = 0; k < i; k++)
            if (bl_span_eq(bl_buf_span(&ops->keys[k]), key))
                break;
        if (k < i)
            continue; /* not the key's first write: handled then */
        for (j = i + 1; j < ops->count; j++)
            if (bl_span_eq(bl_buf_span(&ops->keys[j]), key))
                last = j;
        if (ops->values[last].len > 0)
            pairs_add(out, key, bl_buf_span(&ops->values[last]));
    }
}

/* The ethereum/tests string rule: "0x..." is hex (every string, in a hexEncoded case);
 * anything else is its own bytes. A secure trie's key is its Keccak-256 hash. */
static void
vector_bytes(const char *s, size_t len, bool hex, bl_buf_t *out)
{
    bl_buf_clear(out);
    if (hex || (len >= 2 && s[0] == '0' && s[1] == 'x'))
        tu_hex(s, out);
    else
        bl_buf_append(out, s, len);
}

static void
vector_pair(pairs_t *ops, const char *k, size_t klen, json_t *v, bool hex, bool secure)
{
    bl_buf_t key = BL_BUF_INIT, value = BL_BUF_INIT;
    uint8_t hashed[32];

    vector_bytes(k, klen, hex, &key);
    if (json_is_string(v))
        vector_bytes(json_string_value(v), json_string_length(v), hex, &value);
    if (secure) {
        suite_ecdsa()->hash(key.data, key.len, hashed);
        bl_buf_clear(&key);
        bl_buf_append(&key, hashed, 32);
    }
    pairs_add(ops, bl_buf_span(&key), bl_buf_span(&value));
    bl_buf_free(&key);
    bl_buf_free(&value);
}

/* A case's `in`: an ordered array of [key, value], or an object. */
static void
vector_ops(json_t *in, bool hex, bool secure, pairs_t *ops)
{
    size_t i;
    json_t *pair, *v;
    const char *k;

    if (json_is_array(in)) {
        json_array_foreach(in, i, pair) {
            json_t *key = json_array_get(pair, 0);
            vector_pair(ops, json_string_value(key), json_string_length(key),
                        json_array_get(pair, 1), hex, secure);
        }
    } else {
        json_object_foreach(in, k, v)
            vector_pair(ops, k, strlen(k), v, hex, secure);
    }
}

/* Insert ops into a new trie, forwards or backwards. A case with deletes is given as its final
 * contents; one without is given write by write (so a key written twice is inserted twice). */
static void
run_vector_case(const char *file, const char *name, json_t *vec, bool secure, bool backwards)
{
    pairs_t ops = { 0 }, final = { 0 }, *use = &ops;
    ex_mpt_node_t *t = NULL;
    uint8_t want[32];
    char what[160];
    bool deletes = false;

    vector_ops(json_object_get(vec, "in"), json_is_true(json_object_get(vec, "hexEncoded")),
               secure, &ops);
    for (size_t i = 0; i < ops.count; i++)
        deletes |= ops.values[i].len == 0;
    if (deletes) {
        pairs_final(&ops, &final);
        use = &final;
    }
    for (size_t i = 0; i < use->count; i++) {
        size_t j = backwards ? use->count - 1 - i : i;
        insert_ok(&t, bl_buf_span(&use->keys[j]), bl_buf_span(&use->values[j]));
    }
    tu_hex_fixed(json_string_value(json_object_get(vec, "root")), want, 32);
    snprintf(what, sizeof what, "%s case %s%s", file, name, backwards ? " (backwards)" : "");
    assert_root(t, what, want);
    ex_mpt_free(t);
    pairs_free(&ops);
    pairs_free(&final);
}

static void
run_vector_file(const char *file, bool secure, bool both_ways, size_t cases)
{
    char path[128];
    json_t *all, *vec;
    const char *name;
    size_t ran = 0;

    snprintf(path, sizeof path, TRIE_DIR "%s", file);
    all = tu_load_json(path);
    json_object_foreach(all, name, vec) {
        run_vector_case(file, name, vec, secure, false);
        if (both_ways)
            run_vector_case(file, name, vec, secure, true);
        ran++;
    }
    assert_int_equal(ran, cases); /* nothing passes by having no cases */
    json_decref(all);
}

/* ethereum/tests trieanyorder (plain and secure keys): the same contents give the same root in
 * any order — each case is inserted forwards and backwards. */
static void
trieanyorder_roots_match(void **state)
{
    (void)state;
    run_vector_file("trieanyorder.json", false, true, 7);
    run_vector_file("trieanyorder_secureTrie.json", true, true, 7);
}

/* ethereum/tests trietest (plain, secure) and hex_encoded_securetrie_test (accounts under
 * hashed addresses): the root after the case's writes. */
static void
trietest_roots_match(void **state)
{
    (void)state;
    run_vector_file("trietest.json", false, false, 5);
    run_vector_file("trietest_secureTrie.json", true, false, 3);
    run_vector_file("hex_encoded_securetrie_test.json", true, false, 3);
}

/* ---- random tries ---- */

/* Keys of 0 to 6 bytes from a small alphabet (so they share long prefixes and one often ends
 * inside another), values of 1 to 40 bytes (so some nodes are inlined, some hashed): after
 * every 20 inserts the student's root equals the project's (src/storage/mpt.c). */
static void
random_tries_match_the_builtin_trie(void **state)
{
    static const uint8_t alphabet[] = { 0x00, 0x01, 0x10, 0x11, 0x1f, 0xf1 };
    char what[96];

    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        bl_rng_t rng;
        builtin_t b;
        ex_mpt_node_t *t = NULL;

        bl_rng_seed(&rng, seed);
        builtin_open(&b);
        for (int i = 1; i <= 300; i++) {
            uint8_t key[6], value[40];
            size_t klen = (size_t)bl_rng_below(&rng, 7), vlen = 1 + (size_t)bl_rng_below(&rng, 40);

            for (size_t j = 0; j < klen; j++)
                key[j] = alphabet[bl_rng_below(&rng, sizeof alphabet)];
            for (size_t j = 0; j < vlen; j++)
                value[j] = (uint8_t)bl_rng_below(&rng, 256);
            insert_ok(&t, bl_span(key, klen), bl_span(value, vlen));
            builtin_put(&b, bl_span(key, klen), bl_span(value, vlen));
            if (i % 20 == 0) {
                snprintf(what, sizeof what, "random trie (seed %llu) after %d inserts",
                         (unsigned long long)seed, i);
                assert_same_as_builtin(t, &b, what);
            }
        }
        builtin_close(&b);
        ex_mpt_free(t);
    }
}

/* ---- bad input ---- */

static void
assert_refused(ex_mpt_node_t **t, const ex_mpt_node_t *top, const uint8_t root[32],
               const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
               const char *what)
{
    int err = ex_mpt_insert(t, key, klen, value, vlen);

    if (err != BL_E_INVALID)
        fail_msg("%s: returned %d, expected BL_E_INVALID (%d)", what, err, BL_E_INVALID);
    if (bl_errmsg()[0] == '\0')
        fail_msg("%s: refused without a message (bl_fail)", what);
    if (*t != top)
        fail_msg("%s: the top node changed", what);
    assert_root(*t, what, root);
}

/* mpt_insert.h's contract: bad input is refused with BL_E_INVALID and a message, and the trie
 * is left exactly as it was (as mpt_put leaves the project's trie on an error). */
static void
bad_input_is_refused_and_changes_nothing(void **state)
{
    static const uint8_t long_key[EX_MPT_MAX_KEY + 1] = { 0x12 }, v[] = { 'v' };
    ex_mpt_node_t *t = NULL, *top;
    uint8_t root[32];
    builtin_t b;

    (void)state;
    builtin_open(&b);
    both_insert(&t, &b, "123456", "first");
    both_insert(&t, &b, "123457", "second");
    assert_same_as_builtin(t, &b, "two keys before the bad input");
    builtin_close(&b);
    top = t;
    student_root(t, "two keys", root);
    assert_refused(&t, top, root, long_key, sizeof long_key, v, 1, "a 33-byte key");
    assert_refused(&t, top, root, long_key, 2, v, 0, "an empty value");
    assert_refused(&t, top, root, long_key, 2, NULL, 1, "a NULL value");
    assert_refused(&t, top, root, NULL, 2, v, 1, "a NULL key of 2 bytes");
    if (ex_mpt_insert(NULL, long_key, 2, v, 1) != BL_E_INVALID)
        fail_msg("a NULL root pointer: expected BL_E_INVALID");
    ex_mpt_free(t);
}

/* ---- in a cluster ---- */

#define G 1
#define CLUSTER_SEED 5
#define LIMIT_MS 60000
#define FIRST_TXS 150 /* more than 128: keys RLP(128) = 81 80 and up appear */
#define MORE_TXS 20

/* A failed check of the cluster test: the seed, and the run's trace for `./bcoslab replay`. */
static void
cluster_fail(cu_cluster_t *c, const char *why)
{
    char path[64];

    snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c->seed);
    sim_write_trace(c->sim, path);
    fail_msg("seed=%llu: %s; trace in %s", (unsigned long long)c->seed, why, path);
}

/* Insert every pair into the student's trie and the project's; NULL, or why it went wrong. */
static const char *
both_roots(const pairs_t *p, uint8_t student[32], uint8_t builtin[32])
{
    ex_mpt_node_t *t = NULL;
    builtin_t b;
    const char *why = NULL;

    builtin_open(&b);
    for (size_t i = 0; i < p->count && why == NULL; i++) {
        bl_span_t key = bl_buf_span(&p->keys[i]), value = bl_buf_span(&p->values[i]);
        if (ex_mpt_insert(&t, key.ptr, key.len, value.ptr, value.len) != BL_OK)
            why = "ex_mpt_insert failed";
        builtin_put(&b, key, value);
    }
    if (why == NULL)
        why = root_of(t, student);
    mpt_root(b.trie, builtin);
    builtin_close(&b);
    ex_mpt_free(t);
    return why;
}

/* Block h of node i: its ordered trie of transactions (RLP(index) -> the tx's RLP, FISCO RC1's
 * transactionsRoot) and of receipts, built by the student's insert and by the project's. The
 * student's transactions root goes to tx_root. */
static void
check_block_tries(cu_cluster_t *c, unsigned i, int64_t h, uint8_t tx_root[32])
{
    block_t blk;
    pairs_t txs = { 0 }, receipts = { 0 };
    bl_buf_t key = BL_BUF_INIT, value = BL_BUF_INIT;
    uint8_t want[32], got[32];
    const char *why;
    char msg[256];

    if (group_block_stored(node_group(cu_node(c, i), G), h, &blk) != BL_OK)
        cluster_fail(c, "a node lacks a block it reported");
    if (blk.nreceipts != blk.ntxs)
        cluster_fail(c, "a block without one receipt per tx");
    if (i == 0)
        printf("  block %lld: %zu txs\n", (long long)h, blk.ntxs);
    for (size_t j = 0; j < blk.ntxs; j++) {
        bl_buf_clear(&key);
        rlp_put_uint(&key, j);
        tx_encode(c->suite, &blk.txs[j], &value);
        pairs_add(&txs, bl_buf_span(&key), bl_buf_span(&value));
        receipt_encode(&blk.receipts[j], &value);
        pairs_add(&receipts, bl_buf_span(&key), bl_buf_span(&value));
    }
    for (int which = 0; which < 2; which++) {
        why = both_roots(which ? &receipts : &txs, got, want);
        if (why == NULL && memcmp(got, want, 32) != 0)
            why = "the root differs from the project's trie";
        if (why != NULL) {
            snprintf(msg, sizeof msg, "node %u, block %lld (%zu txs), %s trie: %s", i,
                     (long long)h, blk.ntxs, which ? "receipts" : "transactions", why);
            cluster_fail(c, msg);
        }
        if (which == 0)
            memcpy(tx_root, got, 32);
    }
    pairs_free(&txs);
    pairs_free(&receipts);
    bl_buf_free(&key);
    bl_buf_free(&value);
    block_free(&blk);
}

static void
submit_saves(cu_cluster_t *c, unsigned via, unsigned k)
{
    for (unsigned j = 0; j < k; j++) {
        const char *args[2] = { j % 2 ? "alice" : "bob", "5" };
        bl_buf_t raw = BL_BUF_INIT;
        uint8_t hash[32];

        cu_tx(c, G, 0x5002, "userSave(string,uint256)", args, 2, &raw);
        if (node_submit(cu_node(c, via), G, bl_buf_span(&raw), hash) != TX_OK)
            fail_msg("seed=%d: node %u refused a userSave: %s", CLUSTER_SEED, via, bl_errmsg());
        bl_buf_free(&raw);
    }
}

/* A 4-node PBFT group runs DagTransfer: 150 userAdds, then sealer 3 crashes (f = 1: the other
 * three go on) and 20 userSaves commit without it; it restarts and syncs the blocks it missed.
 * Then, on every node, each block's transaction and receipt tries built with the student's
 * insert have the project's roots, and the nodes agree block by block (no fork). */
static void
cluster_blocks_make_the_same_tries_on_every_node(void **state)
{
    cu_cluster_t c;
    uint8_t first[32], root[32];
    int64_t top;

    (void)state;
    printf("  seed=%d\n", CLUSTER_SEED);
    cu_open(&c, CLUSTER_SEED, 4);
    cu_group_with(&c, G, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(&c);
    cu_submit_users(&c, 0, G, FIRST_TXS);
    cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
    top = cu_height(&c, 0, G);
    assert_int_equal(sim_crash(c.sim, 3), BL_OK);
    submit_saves(&c, 1, MORE_TXS);
    cu_run_until_height(&c, G, "0,1,2", top + 1, LIMIT_MS);
    top = cu_height(&c, 0, G);
    assert_int_equal(sim_restart(c.sim, 3), BL_OK);
    cu_run_until_height(&c, G, NULL, top, LIMIT_MS);
    for (int64_t h = 1; h <= top; h++) {
        for (unsigned i = 0; i < c.n; i++) {
            check_block_tries(&c, i, h, i == 0 ? first : root);
            if (i > 0 && memcmp(first, root, 32) != 0)
                cluster_fail(&c, "two nodes hold different transactions at one height");
        }
    }
    /* liveness: the restarted sealer has every transaction, the 150 and some of the 20 */
    if (group_total_txs(node_group(cu_node(&c, 3), G)) <= FIRST_TXS)
        cluster_fail(&c, "the restarted sealer lacks transactions the others committed");
    cu_close(&c);
}

int
main(void)
{
    static const grade_test_t tests[] = {
        { "one_key_makes_one_leaf", one_key_makes_one_leaf, 5 },
        { "parting_keys_meet_in_a_branch_under_an_extension",
          parting_keys_meet_in_a_branch_under_an_extension, 10 },
        { "a_key_that_ends_inside_another_gives_the_branch_a_value",
          a_key_that_ends_inside_another_gives_the_branch_a_value, 10 },
        { "the_same_key_again_replaces_its_value", the_same_key_again_replaces_its_value, 5 },
        { "an_extension_splits_where_a_new_key_parts_from_it",
          an_extension_splits_where_a_new_key_parts_from_it, 10 },
        { "trieanyorder_roots_match", trieanyorder_roots_match, 15 },
        { "trietest_roots_match", trietest_roots_match, 10 },
        { "random_tries_match_the_builtin_trie", random_tries_match_the_builtin_trie, 10 },
        { "bad_input_is_refused_and_changes_nothing", bad_input_is_refused_and_changes_nothing,
          5 },
        { "cluster_blocks_make_the_same_tries_on_every_node",
          cluster_blocks_make_the_same_tries_on_every_node, 20 },
    };

    return grade_run("05-mpt-insert", tests, sizeof tests / sizeof tests[0]);
}
