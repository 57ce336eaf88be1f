/*
 * grader.c — exercise 02: FISCO's 16-ary Merkle root (merkle_root.h).
 *
 * Known answers first: roots pinned below for 0, 1, 2, 16, 17, 256 and 257 items (fisco-2x-facts
 * §1.9 and §1.12: leaf RLP(i) ‖ H_i, groups of 16, one final hash, hash("") for nothing), on
 * both crypto suites, and agreement with the nodes' own code for every size up to 300 and for
 * sizes whose leaf numbers take two and three bytes of RLP. Then a real chain: a 4-node PBFT
 * cluster commits blocks of 1 to 40 transactions, and the student's root must be the
 * transactionsRoot and the receiptsRoot of every block on every node.
 */
#include "grade.h"
#include "testutil.h"
#include "clusterutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/keccak.h"
#include "ledger/block.h"
#include "ledger/merkle.h"
#include "merkle_root.h"
#include "node/group.h"

#define CLUSTER_SEED 202
#define LIMIT_MS 60000

/* n item hashes: H_i = Keccak-256 of i as 4 big-endian bytes (free them). */
static uint8_t (*items(size_t n))[32]
{
    uint8_t (*h)[32] = bl_xcalloc(n, 32);

    for (size_t i = 0; i < n; i++) {
        uint8_t be[4];

        bl_put_be(be, i, 4);
        keccak256(be, 4, h[i]);
    }
    return h;
}

static void assert_root_is(const suite_t *suite, size_t n, const char *hex)
{
    uint8_t (*h)[32] = items(n), root[32];

    ex_merkle_root(suite, (const uint8_t(*)[32])h, n, root);
    free(h);
    tu_assert_hex_eq(root, 32, hex);
}

/* Does the student's root of n items equal the one the nodes compute? */
static void assert_root_is_the_nodes(const suite_t *suite, size_t n)
{
    uint8_t (*h)[32] = items(n), mine[32], theirs[32];

    ex_merkle_root(suite, (const uint8_t(*)[32])h, n, mine);
    merkle_root(suite, (const uint8_t(*)[32])h, n, theirs);
    free(h);
    if (memcmp(mine, theirs, 32) != 0)
        fail_msg("your root of %zu items is not the nodes' root", n);
}

/* ---- known answers ---- */

/* §1.9 step 4: no items give hash("") — Keccak-256 and SM3 of nothing. */
static void merkle_root_of_no_items_is_the_empty_hash(void **state)
{
    (void)state;
    assert_root_is(suite_ecdsa(), 0,
                   "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assert_root_is(suite_sm(), 0,
                   "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

/* §1.12: "with a single leaf the root is Hash(leaf), e.g. Hash(0x80 ‖ txhash) for a one-tx
 * block" — the final extra hash that FISCO's documentation leaves out but its code does. */
static void merkle_root_of_one_item_is_hashed_once_more(void **state)
{
    uint8_t (*h)[32] = items(1), leaf[33], want[32];
    char *hex;

    (void)state;
    leaf[0] = 0x80;
    memcpy(leaf + 1, h[0], 32);
    keccak256(leaf, sizeof leaf, want);
    hex = bl_hex_string(want, 32);
    assert_root_is(suite_ecdsa(), 1, hex);
    free(hex);
    free(h);
}

/* §1.9 step 2: up to sixteen nodes make one group, whose parent is the hash of them all; then
 * the final hash. 2 and 16 items: one group. */
static void merkle_root_of_up_to_sixteen_items_is_one_group(void **state)
{
    (void)state;
    assert_root_is(suite_ecdsa(), 2,
                   "9e42f859b538afa42e12b88cc0e46be5fbafcebf9278257aef4b50a84e6ed52a");
    assert_root_is(suite_ecdsa(), 16,
                   "c4f7bb4217c020707647d72defeddd8005210977c9703cef0e274d367ee72da5");
}

/* The seventeenth item opens a second group: two parents, then their parent, then the final
 * hash. */
static void merkle_root_of_seventeen_items_has_two_groups(void **state)
{
    (void)state;
    assert_root_is(suite_ecdsa(), 17,
                   "6f856645e4436e7c03a38ef84a8a9135ad3e03b5ceb56bff7e83f7135c92c79a");
}

/* 256 items fill exactly two levels of 16; 257 need a third. */
static void merkle_root_of_hundreds_of_items_is_known(void **state)
{
    (void)state;
    assert_root_is(suite_ecdsa(), 256,
                   "3dd5a65533cda8d2c77ca596c4851767d2d025191e4a1f8a482ec559647c58a7");
    assert_root_is(suite_ecdsa(), 257,
                   "33ea860d9a3aad7e5ffede203e76a96dfdeac51399875e453dc5e00766627e9f");
    for (size_t n = 0; n <= 300; n++)
        assert_root_is_the_nodes(suite_ecdsa(), n);
}

/* §1.9 step 1: the leaf number is RLP(i): one byte up to 127, then 0x81 xx, 0x82 xx xx (from
 * 256), 0x83 xx xx xx (from 65536). */
static void merkle_leaf_numbers_are_rlp_integers(void **state)
{
    (void)state;
    assert_root_is_the_nodes(suite_ecdsa(), 129);
    assert_root_is_the_nodes(suite_ecdsa(), 4097);
    assert_root_is_the_nodes(suite_ecdsa(), 65537);
}

/* §1.12: the hash is the chain's — SM3 on an SM chain. */
static void merkle_root_uses_the_chain_suite(void **state)
{
    (void)state;
    assert_root_is(suite_sm(), 1, "03c872e4a16b783d24b9a85ef417e2c5e79cd9e40718c86350646d1a676c0046");
    assert_root_is(suite_sm(), 17, "55a1a52839c4283aacca097ce7f9ec03faeb1817c4cd8180aff1be834869c5e0");
    assert_root_is_the_nodes(suite_sm(), 300);
}

/* A root commits to every item and to its place: change one item, or swap two, and the root
 * changes; the input is left as it was. */
static void merkle_root_commits_to_every_item_and_its_place(void **state)
{
    size_t n = 40;
    uint8_t (*h)[32] = items(n), (*copy)[32] = items(n), root[32], changed[32];
    const char *why = NULL;

    (void)state;
    ex_merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, n, root);
    if (memcmp(h, copy, n * 32) != 0)
        why = "the item hashes were changed";
    for (size_t i = 0; i < n && !why; i++) {
        h[i][i % 32] ^= 0x01;
        ex_merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, n, changed);
        if (memcmp(root, changed, 32) == 0)
            why = "changing one item left the root as it was";
        h[i][i % 32] ^= 0x01;
    }
    memcpy(h[3], copy[30], 32);
    memcpy(h[30], copy[3], 32);
    ex_merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, n, changed);
    if (!why && memcmp(root, changed, 32) == 0)
        why = "swapping items 3 and 30 left the root as it was";
    free(h);
    free(copy);
    if (why)
        fail_msg("%s", why);
}

/* ---- a real chain from a cluster ---- */

/* The root of block b's transaction hashes (receipts = false) or receipt hashes. */
static void student_root(const suite_t *suite, const block_t *b, bool receipts, uint8_t root[32])
{
    size_t n = receipts ? b->nreceipts : b->ntxs;
    uint8_t (*h)[32] = bl_xcalloc(n, 32);

    for (size_t i = 0; i < n; i++) {
        if (receipts)
            receipt_hash(suite, &b->receipts[i], h[i]);
        else
            memcpy(h[i], b->txs[i].hash, 32);
    }
    ex_merkle_root(suite, (const uint8_t(*)[32])h, n, root);
    free(h);
}

/* Compare the student's two roots with block n's header on node i; "" if they match. */
static void check_block(cu_cluster_t *c, unsigned i, int64_t n, size_t *most_txs, char *msg,
                        size_t size)
{
    block_t b;
    uint8_t root[32];

    assert_int_equal(group_block_stored(node_group(cu_node(c, i), 1), n, &b), BL_OK);
    if (b.ntxs > *most_txs)
        *most_txs = b.ntxs;
    student_root(c->suite, &b, false, root);
    if (memcmp(root, b.header.tx_root, 32) != 0)
        snprintf(msg, size, "node %u block %lld (%zu txs): your root is not its "
                 "transactionsRoot", i, (long long)n, b.ntxs);
    student_root(c->suite, &b, true, root);
    if (!msg[0] && memcmp(root, b.header.receipt_root, 32) != 0)
        snprintf(msg, size, "node %u block %lld (%zu receipts): your root is not its "
                 "receiptsRoot", i, (long long)n, b.nreceipts);
    block_free(&b);
}

/* §1.9 on a running chain: four PBFT sealers commit blocks of 1, 16, 17 and 40 DagTransfer
 * transactions (with the genesis block: 0 items); on every node, every block's
 * transactionsRoot and receiptsRoot are the student's roots of its transactions and receipts. */
static void cluster_roots_match_every_committed_block(void **state)
{
    static const unsigned batches[] = { 1, 16, 17, 40 };
    cu_cluster_t c;
    char msg[200] = "";
    size_t most_txs = 0;

    (void)state;
    printf("cluster seed %u (a failing cluster test writes cluster-%u.trace)\n", CLUSTER_SEED,
           CLUSTER_SEED);
    cu_open(&c, CLUSTER_SEED, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(&c);
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        cu_submit_users(&c, (unsigned)k % 4, 1, batches[k]);
        cu_run_until_height(&c, 1, NULL, cu_height(&c, 0, 1) + 1, LIMIT_MS);
    }
    for (unsigned i = 0; i < c.n && !msg[0]; i++)
        for (int64_t n = 0; n <= cu_height(&c, i, 1) && !msg[0]; n++)
            check_block(&c, i, n, &most_txs, msg, sizeof msg);
    if (msg[0]) {
        char path[64];

        snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c.seed);
        sim_write_trace(c.sim, path);
        cu_close(&c);
        fail_msg("seed=%llu: %s; trace in %s", (unsigned long long)c.seed, msg, path);
    }
    cu_close(&c);
    assert_true(most_txs > 16); /* the run did build a two-level tree */
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "merkle_root_of_no_items_is_the_empty_hash",
          merkle_root_of_no_items_is_the_empty_hash, 10 },
        { "merkle_root_of_one_item_is_hashed_once_more",
          merkle_root_of_one_item_is_hashed_once_more, 10 },
        { "merkle_root_of_up_to_sixteen_items_is_one_group",
          merkle_root_of_up_to_sixteen_items_is_one_group, 10 },
        { "merkle_root_of_seventeen_items_has_two_groups",
          merkle_root_of_seventeen_items_has_two_groups, 10 },
        { "merkle_root_of_hundreds_of_items_is_known", merkle_root_of_hundreds_of_items_is_known,
          10 },
        { "merkle_leaf_numbers_are_rlp_integers", merkle_leaf_numbers_are_rlp_integers, 10 },
        { "merkle_root_uses_the_chain_suite", merkle_root_uses_the_chain_suite, 5 },
        { "merkle_root_commits_to_every_item_and_its_place",
          merkle_root_commits_to_every_item_and_its_place, 5 },
        { "cluster_roots_match_every_committed_block", cluster_roots_match_every_committed_block,
          30 },
    };

    return grade_run("02-merkle-root", tests, sizeof tests / sizeof tests[0]);
}
