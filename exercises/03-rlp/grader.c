/*
 * grader.c — exercise 03: the RLP encoder (rlp_encode.h).
 *
 * Known answers first: every value of ethereum/tests' RLPTests/rlptest.json must encode to its
 * published bytes (the vectors in ../shared/vectors; tests/conformance/test_rlp_vectors.c checks
 * the project's own encoder on the same file), then the edges of the rules — single bytes, the
 * switch to long lengths at 56, nested and empty lists — and random trees, against the encoder
 * the nodes use (src/codec/rlp.c). Then a real chain: a 4-node PBFT cluster commits blocks, and
 * the student's encoding of every committed transaction's 13 fields must hash to the
 * transaction hash the chain stores, and the encoding of every header to the block hash the
 * sealers signed.
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
#include "ledger/block.h"
#include "node/group.h"
#include "rlp_encode.h"

#define RLPTEST_FILE "ethereum-tests/RLPTests/rlptest.json"
#define RANDOM_FILE "ethereum-tests/RLPTests/RandomRLPTests/example.json"
#define CLUSTER_SEED 303
#define CLUSTER_HEIGHT 4
#define LIMIT_MS 60000

/* ---- building item trees (the grader's side: the student only encodes them) ---- */

/* A string item holding a copy of p[0..n). */
static void item_bytes(ex_rlp_item_t *it, const void *p, size_t n)
{
    uint8_t *copy = bl_xmalloc(n ? n : 1);

    if (n > 0)
        memcpy(copy, p, n);
    *it = (ex_rlp_item_t){ .is_list = false, .bytes = copy, .len = n };
}

/* An integer: big-endian, leading zero bytes dropped (0 is the empty string). */
static void item_uint(ex_rlp_item_t *it, uint64_t v)
{
    uint8_t be[8];
    size_t skip = 0;

    bl_put_be(be, v, 8);
    while (skip < 8 && be[skip] == 0)
        skip++;
    item_bytes(it, be + skip, 8 - skip);
}

static void item_u256(ex_rlp_item_t *it, const bl_u256_t *v)
{
    const uint8_t *start;
    size_t n = bl_u256_min_be(v, &start);

    item_bytes(it, start, n);
}

/* A list of n items, all zero until the caller fills them in (returned). */
static ex_rlp_item_t *item_list(ex_rlp_item_t *it, size_t n)
{
    ex_rlp_item_t *items = bl_xcalloc(n, sizeof *items);

    *it = (ex_rlp_item_t){ .is_list = true, .items = items, .nitems = n };
    return items;
}

static void item_free(ex_rlp_item_t *it)
{
    if (it->is_list) {
        for (size_t i = 0; i < it->nitems; i++)
            item_free((ex_rlp_item_t *)&it->items[i]);
        free((void *)it->items);
    } else {
        free((void *)it->bytes);
    }
    memset(it, 0, sizeof *it);
}

/* The student's encoding of it, compared with the hex of the expected bytes. */
static bool encodes_to(const ex_rlp_item_t *it, const bl_buf_t *want, const char *name)
{
    bl_buf_t got = BL_BUF_INIT;
    bool same;

    ex_rlp_encode(it, &got);
    same = bl_span_eq(bl_buf_span(&got), bl_buf_span(want));
    if (!same) {
        char *g = bl_hex_string(got.data, got.len), *w = bl_hex_string(want->data, want->len);

        print_error("%s: wrong encoding\n  got:      %.200s\n  expected: %.200s\n", name, g, w);
        free(g);
        free(w);
    }
    bl_buf_free(&got);
    return same;
}

static void assert_encodes_to_hex(const ex_rlp_item_t *it, const char *hex)
{
    bl_buf_t want = BL_BUF_INIT;
    bool same;

    tu_hex(hex, &want);
    same = encodes_to(it, &want, hex);
    bl_buf_free(&want);
    assert_true(same);
}

/* ---- the RLPTests notation ---- */

/* "#<decimal>" to the shortest big-endian bytes: schoolbook multiply-by-ten, any size. */
static void decimal_to_bytes(const char *dec, bl_buf_t *out)
{
    uint8_t be[64] = { 0 };
    size_t start;

    for (const char *p = dec; *p; p++) {
        unsigned carry = (unsigned)(*p - '0');

        assert_true(*p >= '0' && *p <= '9');
        for (size_t i = sizeof be; i-- > 0;) {
            unsigned v = be[i] * 10u + carry;

            be[i] = (uint8_t)v;
            carry = v >> 8;
        }
        assert_int_equal(carry, 0);
    }
    start = 0;
    while (start < sizeof be && be[start] == 0)
        start++;
    bl_buf_append(out, be + start, sizeof be - start);
}

/* An RLPTests "in" value as an item tree: strings are their bytes, integers and "#bigints"
 * their big-endian bytes, arrays lists. */
static void item_from_json(ex_rlp_item_t *it, const json_t *v)
{
    if (json_is_array(v)) {
        ex_rlp_item_t *items = item_list(it, json_array_size(v));

        for (size_t i = 0; i < json_array_size(v); i++)
            item_from_json(&items[i], json_array_get(v, i));
    } else if (json_is_integer(v)) {
        assert_true(json_integer_value(v) >= 0);
        item_uint(it, (uint64_t)json_integer_value(v));
    } else if (json_is_string(v) && json_string_value(v)[0] == '#') {
        bl_buf_t big = BL_BUF_INIT;

        decimal_to_bytes(json_string_value(v) + 1, &big);
        item_bytes(it, big.data, big.len);
        bl_buf_free(&big);
    } else {
        assert_true(json_is_string(v));
        item_bytes(it, json_string_value(v), json_string_length(v));
    }
}

/* A decoded RLP item (the project's decoder) as an item tree. */
static void item_from_rlp(ex_rlp_item_t *it, const rlp_item_t *r)
{
    rlp_iter_t iter;
    rlp_item_t child;
    size_t n, i = 0;
    ex_rlp_item_t *items;

    if (!r->is_list) {
        item_bytes(it, r->payload.ptr, r->payload.len);
        return;
    }
    assert_int_equal(rlp_list_count(r, &n), BL_OK);
    items = item_list(it, n);
    rlp_iter_init(&iter, r);
    while (rlp_iter_next(&iter, &child) == 1)
        item_from_rlp(&items[i++], &child);
}

/* ---- known answers ---- */

/* YP appendix B, checked on ethereum/tests RLPTests/rlptest.json: all 28 values. */
static void rlp_encodes_every_rlptest_value(void **state)
{
    json_t *root = tu_load_json(RLPTEST_FILE), *c;
    const char *name;
    size_t cases = 0, failed = 0;

    (void)state;
    json_object_foreach(root, name, c) {
        ex_rlp_item_t it;
        bl_buf_t want = BL_BUF_INIT;

        item_from_json(&it, json_object_get(c, "in"));
        tu_hex(json_string_value(json_object_get(c, "out")), &want);
        failed += !encodes_to(&it, &want, name);
        item_free(&it);
        bl_buf_free(&want);
        cases++;
    }
    json_decref(root);
    assert_int_equal(cases, 28);
    assert_int_equal(failed, 0);
}

/* "a single byte below 0x80 is itself": 00 and 7f stand alone; 80 and ff need a prefix;
 * the empty string is 80. */
static void rlp_single_bytes_below_0x80_stand_alone(void **state)
{
    static const struct { uint8_t byte; const char *hex; } cases[] = {
        { 0x00, "00" }, { 0x01, "01" }, { 0x7f, "7f" }, { 0x80, "8180" }, { 0xff, "81ff" },
    };
    ex_rlp_item_t it;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        item_bytes(&it, &cases[i].byte, 1);
        assert_encodes_to_hex(&it, cases[i].hex);
        item_free(&it);
    }
    item_bytes(&it, "", 0);
    assert_encodes_to_hex(&it, "80");
    item_free(&it);
}

/* The string of n bytes of 0xab must encode to prefix ‖ the bytes. */
static void assert_string_prefix(size_t n, const char *prefix_hex)
{
    uint8_t *s = bl_xmalloc(n);
    bl_buf_t want = BL_BUF_INIT;
    ex_rlp_item_t it;
    char name[64];
    bool same;

    memset(s, 0xab, n);
    tu_hex(prefix_hex, &want);
    bl_buf_append(&want, s, n);
    item_bytes(&it, s, n);
    snprintf(name, sizeof name, "a string of %zu bytes", n);
    same = encodes_to(&it, &want, name);
    item_free(&it);
    bl_buf_free(&want);
    free(s);
    assert_true(same);
}

/* Short form up to 55 bytes (0x80 + n), long form from 56 (0xb7 + bytes of n, then n), with
 * the length in as few bytes as it needs. */
static void rlp_string_lengths_switch_to_long_form_at_56(void **state)
{
    (void)state;
    assert_string_prefix(2, "82");
    assert_string_prefix(55, "b7");
    assert_string_prefix(56, "b838");
    assert_string_prefix(255, "b8ff");
    assert_string_prefix(256, "b90100");
    assert_string_prefix(65535, "b9ffff");
    assert_string_prefix(65536, "ba010000");
    assert_string_prefix(1 << 20, "ba100000");
}

/* A list of `count` one-byte strings "a" (payload = count bytes) must encode to prefix ‖ a.. */
static void assert_list_prefix(size_t count, const char *prefix_hex)
{
    bl_buf_t want = BL_BUF_INIT;
    ex_rlp_item_t it, *items = item_list(&it, count);
    char name[64];
    bool same;

    tu_hex(prefix_hex, &want);
    for (size_t i = 0; i < count; i++) {
        item_bytes(&items[i], "a", 1);
        bl_buf_push(&want, 'a');
    }
    snprintf(name, sizeof name, "a list of %zu one-byte items", count);
    same = encodes_to(&it, &want, name);
    item_free(&it);
    bl_buf_free(&want);
    assert_true(same);
}

/* The same switch for lists, counted on the payload (the items' encodings), not the items. */
static void rlp_list_lengths_switch_to_long_form_at_56(void **state)
{
    ex_rlp_item_t it, *items;

    (void)state;
    assert_list_prefix(1, "c1");
    assert_list_prefix(55, "f7");
    assert_list_prefix(56, "f838");
    assert_list_prefix(256, "f90100");
    assert_list_prefix(70000, "fa011170");
    /* one string of 54 bytes: a payload of 55 (b6 and the 54 bytes) — still the short form;
     * of 55 bytes: a payload of 56 — the long form */
    for (size_t len = 54; len <= 55; len++) {
        uint8_t x[55];
        bl_buf_t want = BL_BUF_INIT;
        bool same;

        memset(x, 'x', sizeof x);
        tu_hex(len == 54 ? "f7b6" : "f838b7", &want);
        bl_buf_append(&want, x, len);
        items = item_list(&it, 1);
        item_bytes(&items[0], x, len);
        same = encodes_to(&it, &want, "a list of one long string");
        item_free(&it);
        bl_buf_free(&want);
        assert_true(same);
    }
}

/* Empty lists and lists of lists: [] is c0, [[]] c1c0, and the set-theoretic three
 * [ [], [[]], [ [], [[]] ] ] c7c0c1c0c3c0c1c0; [""] is c180. */
static void rlp_nested_and_empty_lists(void **state)
{
    ex_rlp_item_t it, *top, *second;

    (void)state;
    item_list(&it, 0);
    assert_encodes_to_hex(&it, "c0");
    item_free(&it);

    top = item_list(&it, 1);
    item_list(&top[0], 0);
    assert_encodes_to_hex(&it, "c1c0");
    item_free(&it);

    top = item_list(&it, 3);
    item_list(&top[0], 0);
    item_list(&item_list(&top[1], 1)[0], 0);
    second = item_list(&top[2], 2);
    item_list(&second[0], 0);
    item_list(&item_list(&second[1], 1)[0], 0);
    assert_encodes_to_hex(&it, "c7c0c1c0c3c0c1c0");
    item_free(&it);

    top = item_list(&it, 1);
    item_bytes(&top[0], "", 0);
    assert_encodes_to_hex(&it, "c180");
    item_free(&it);
}

/* A random tree: lists of up to 12 items, strings of 0..200 bytes (often one small byte). */
static void random_tree(bl_rng_t *rng, ex_rlp_item_t *it, int depth)
{
    if (depth < 4 && bl_rng_below(rng, 3) == 0) {
        size_t n = bl_rng_below(rng, 13);
        ex_rlp_item_t *items = item_list(it, n);

        for (size_t i = 0; i < n; i++)
            random_tree(rng, &items[i], depth + 1);
    } else {
        uint8_t buf[200];
        size_t n = bl_rng_below(rng, 4) == 0 ? 1 : bl_rng_below(rng, sizeof buf);

        bl_rng_bytes(rng, buf, n);
        if (n == 1 && bl_rng_below(rng, 2) == 0)
            buf[0] &= 0x7f;
        item_bytes(it, buf, n);
    }
}

/* The nodes' encoder (src/codec/rlp.c) on the same tree. */
static void nodes_encode(const ex_rlp_item_t *it, bl_buf_t *out)
{
    size_t start;

    if (!it->is_list) {
        rlp_put_bytes(out, it->bytes, it->len);
        return;
    }
    start = rlp_list_begin(out);
    for (size_t i = 0; i < it->nitems; i++)
        nodes_encode(&it->items[i], out);
    rlp_list_end(out, start);
}

/* On 300 random trees the student's bytes are the nodes' bytes — so a node could decode them. */
static void rlp_matches_the_nodes_encoder_on_random_trees(void **state)
{
    bl_rng_t rng;
    size_t failed = 0;

    (void)state;
    bl_rng_seed(&rng, 3);
    for (int round = 0; round < 300 && failed == 0; round++) {
        ex_rlp_item_t it;
        bl_buf_t want = BL_BUF_INIT;
        char name[32];

        random_tree(&rng, &it, 0);
        nodes_encode(&it, &want);
        snprintf(name, sizeof name, "random tree %d", round);
        failed += !encodes_to(&it, &want, name);
        item_free(&it);
        bl_buf_free(&want);
    }
    assert_int_equal(failed, 0);
}

/* RLPTests/RandomRLPTests/example.json: its bytes, decoded by the nodes' decoder, encode back
 * to themselves. */
static void rlp_random_rlptest_case_round_trips(void **state)
{
    json_t *root = tu_load_json(RANDOM_FILE), *c;
    const char *name;
    size_t cases = 0, failed = 0;

    (void)state;
    json_object_foreach(root, name, c) {
        bl_buf_t raw = BL_BUF_INIT;
        rlp_item_t r;
        ex_rlp_item_t it;

        tu_hex(json_string_value(json_object_get(c, "out")), &raw);
        assert_int_equal(rlp_decode(bl_buf_span(&raw), &r), BL_OK);
        item_from_rlp(&it, &r);
        failed += !encodes_to(&it, &raw, name);
        item_free(&it);
        bl_buf_free(&raw);
        cases++;
    }
    json_decref(root);
    assert_int_equal(cases, 1);
    assert_int_equal(failed, 0);
}

/* ---- a real chain from a cluster ---- */

/* A transaction's 13 fields (src/ledger/tx.h; fisco-2x-facts §1.2–1.3, §1.12) as an item tree:
 * numbers without leading zeros, `to` 20 bytes, v = recovery id + 27, r and s integers. */
static void tx_tree(const tx_t *tx, ex_rlp_item_t *it)
{
    ex_rlp_item_t *f = item_list(it, TX_FIELDS);
    bl_u256_t r, s;

    item_u256(&f[0], &tx->nonce);
    item_u256(&f[1], &tx->gas_price);
    item_u256(&f[2], &tx->gas);
    item_u256(&f[3], &tx->block_limit);
    item_bytes(&f[4], tx->to, tx->has_to ? 20 : 0);
    item_u256(&f[5], &tx->value);
    item_bytes(&f[6], tx->data.data, tx->data.len);
    item_u256(&f[7], &tx->chain_id);
    item_u256(&f[8], &tx->group_id);
    item_bytes(&f[9], tx->extra_data.data, tx->extra_data.len);
    item_uint(&f[10], (uint64_t)tx->sig[64] + 27);
    bl_u256_from_be(&r, tx->sig, 32);
    bl_u256_from_be(&s, tx->sig + 32, 32);
    item_u256(&f[11], &r);
    item_u256(&f[12], &s);
}

/* A block header's 13 fields (src/ledger/block.h; fisco-2x-facts §1.7) as an item tree. */
static void header_tree(const header_t *h, ex_rlp_item_t *it)
{
    ex_rlp_item_t *f = item_list(it, HEADER_FIELDS), *extra, *sealers;

    item_bytes(&f[0], h->parent_hash, 32);
    item_bytes(&f[1], h->state_root, 32);
    item_bytes(&f[2], h->tx_root, 32);
    item_bytes(&f[3], h->receipt_root, 32);
    item_bytes(&f[4], h->db_hash, 32);
    item_bytes(&f[5], h->log_bloom, RECEIPT_BLOOM_BYTES);
    item_uint(&f[6], (uint64_t)h->number);
    item_uint(&f[7], h->gas_limit);
    item_uint(&f[8], h->gas_used);
    item_uint(&f[9], (uint64_t)h->timestamp);
    extra = item_list(&f[10], h->nextra);
    for (size_t i = 0; i < h->nextra; i++)
        item_bytes(&extra[i], h->extra[i].data, h->extra[i].len);
    item_uint(&f[11], h->sealer);
    sealers = item_list(&f[12], h->nsealers);
    for (size_t i = 0; i < h->nsealers; i++)
        item_bytes(&sealers[i], h->sealer_list[i], 64);
}

/* suite->hash of the student's encoding of it. */
static void student_hash(const suite_t *suite, const ex_rlp_item_t *it, uint8_t out[32])
{
    bl_buf_t raw = BL_BUF_INIT;

    ex_rlp_encode(it, &raw);
    suite->hash(raw.data, raw.len, out);
    bl_buf_free(&raw);
}

/* Four PBFT sealers commit CLUSTER_HEIGHT blocks of DagTransfer transactions. */
static void run_cluster(cu_cluster_t *c)
{
    printf("cluster seed %u (a failing cluster test writes cluster-%u.trace)\n", CLUSTER_SEED,
           CLUSTER_SEED);
    cu_open(c, CLUSTER_SEED, 4);
    cu_group_with(c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(c);
    for (int64_t h = 1; h <= CLUSTER_HEIGHT; h++) {
        cu_submit_users(c, (unsigned)h % 4, 1, (unsigned)(h * 3));
        cu_run_until_height(c, 1, NULL, h, LIMIT_MS);
    }
}

/* Write the run's trace next to the grader, close the cluster and fail with the seed. */
static void cluster_fail(cu_cluster_t *c, const char *what)
{
    char path[64];

    snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c->seed);
    sim_write_trace(c->sim, path);
    cu_close(c);
    fail_msg("seed=%llu: %s; trace in %s", (unsigned long long)c->seed, what, path);
}

/* fisco-2x-facts §1.12: "tx hash = Hash(RLP of all 13 fields), the node re-encoding the tx
 * before hashing". For every transaction committed on every node, hashing the student's
 * encoding of its fields gives the hash the chain stores it under. */
static void cluster_transaction_hashes_are_the_chains(void **state)
{
    cu_cluster_t c;
    char msg[160] = "";
    size_t checked = 0;

    (void)state;
    run_cluster(&c);
    for (unsigned i = 0; i < c.n && !msg[0]; i++) {
        group_t *g = node_group(cu_node(&c, i), 1);

        for (int64_t n = 1; n <= group_height(g) && !msg[0]; n++) {
            block_t b;

            assert_int_equal(group_block_stored(g, n, &b), BL_OK);
            for (size_t t = 0; t < b.ntxs && !msg[0]; t++) {
                ex_rlp_item_t it;
                uint8_t hash[32];

                tx_tree(&b.txs[t], &it);
                student_hash(c.suite, &it, hash);
                if (memcmp(hash, b.txs[t].hash, 32) != 0)
                    snprintf(msg, sizeof msg, "node %u block %lld tx %zu: the hash of your "
                             "encoding is not the tx hash", i, (long long)n, t);
                item_free(&it);
                checked++;
            }
            block_free(&b);
        }
    }
    if (msg[0])
        cluster_fail(&c, msg);
    cu_close(&c);
    assert_true(checked >= 4 * 30); /* 3 + 6 + 9 + 12 txs on each of 4 nodes */
}

/* fisco-2x-facts §1.7, §1.12: block hash = Hash(RLP of the 13 header fields); the PBFT sealers
 * sign it and the next block records it as parentHash. Hashing the student's encoding of each
 * committed header must give that hash. */
static void cluster_block_hashes_are_the_signed_ones(void **state)
{
    cu_cluster_t c;
    char msg[160] = "";
    group_t *g;
    int64_t height;

    (void)state;
    run_cluster(&c);
    g = node_group(cu_node(&c, 1), 1);
    height = group_height(g);
    for (int64_t n = 1; n <= height && !msg[0]; n++) {
        block_t b, next;
        ex_rlp_item_t it;
        uint8_t hash[32];
        bool linked = true, signed_ok;

        assert_int_equal(group_block_stored(g, n, &b), BL_OK);
        header_tree(&b.header, &it);
        student_hash(c.suite, &it, hash);
        item_free(&it);
        signed_ok = b.nsigs > 0;
        for (size_t s = 0; s < b.nsigs; s++)
            signed_ok = signed_ok && b.sigs[s].index < b.header.nsealers &&
                        suite_verify(c.suite, b.header.sealer_list[b.sigs[s].index], hash,
                                     b.sigs[s].sig) == BL_OK;
        if (n < height) {
            assert_int_equal(group_block_stored(g, n + 1, &next), BL_OK);
            linked = memcmp(hash, next.header.parent_hash, 32) == 0;
            block_free(&next);
        }
        if (!signed_ok || !linked)
            snprintf(msg, sizeof msg, "block %lld: the hash of your header encoding is not %s",
                     (long long)n, !signed_ok ? "the hash its sealers signed"
                                              : "the next block's parentHash");
        block_free(&b);
    }
    if (msg[0])
        cluster_fail(&c, msg);
    cu_close(&c);
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "rlp_encodes_every_rlptest_value", rlp_encodes_every_rlptest_value, 25 },
        { "rlp_single_bytes_below_0x80_stand_alone", rlp_single_bytes_below_0x80_stand_alone,
          10 },
        { "rlp_string_lengths_switch_to_long_form_at_56",
          rlp_string_lengths_switch_to_long_form_at_56, 10 },
        { "rlp_list_lengths_switch_to_long_form_at_56",
          rlp_list_lengths_switch_to_long_form_at_56, 10 },
        { "rlp_nested_and_empty_lists", rlp_nested_and_empty_lists, 10 },
        { "rlp_matches_the_nodes_encoder_on_random_trees",
          rlp_matches_the_nodes_encoder_on_random_trees, 10 },
        { "rlp_random_rlptest_case_round_trips", rlp_random_rlptest_case_round_trips, 5 },
        { "cluster_transaction_hashes_are_the_chains", cluster_transaction_hashes_are_the_chains,
          10 },
        { "cluster_block_hashes_are_the_signed_ones", cluster_block_hashes_are_the_signed_ones,
          10 },
    };

    return grade_run("03-rlp", tests, sizeof tests / sizeof tests[0]);
}
