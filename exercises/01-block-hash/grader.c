/*
 * grader.c — exercise 01: the block hash and the chain check (block_hash.h).
 *
 * First known answers: headers whose hashes are pinned below (FISCO 2.x's 13-field header,
 * fisco-2x-facts §1.7 and §1.12), on both crypto suites, and chains built here that are good or
 * that a "forger" edited in one place. Then a real chain: a 4-node PBFT cluster on the simulator
 * commits blocks, and the student's hash must be the hash its sealers signed and its next block
 * links to; a copy of that chain with one forged byte must be refused at the forged block.
 */
#include "grade.h"
#include "testutil.h"
#include "clusterutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "block_hash.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"
#include "node/group.h"

#define CHAIN_LEN 6
#define CLUSTER_SEED 101
#define CLUSTER_HEIGHT 5
#define LIMIT_MS 60000

/* ---- headers and chains made here ---- */

/* A header with every field set, and lengths that need RLP's long forms: 70 bytes of
 * extraData, four sealers (a 260-byte list), integers of 1 to 8 bytes. */
static void full_header(header_t *h)
{
    uint8_t id[64], extra[70];

    header_init(h);
    for (int i = 0; i < 32; i++) {
        h->parent_hash[i] = (uint8_t)(0x10 + i);
        h->state_root[i] = (uint8_t)(0x40 + i);
        h->tx_root[i] = (uint8_t)(0x70 + i);
        h->receipt_root[i] = (uint8_t)(0xa0 + i);
        h->db_hash[i] = (uint8_t)(0xd0 + i);
    }
    h->log_bloom[0] = 0x80;
    h->log_bloom[255] = 0x01;
    h->number = 1234567;
    h->gas_limit = UINT64_MAX;
    h->gas_used = 0x7f;
    h->timestamp = 1700000123456LL;
    memset(extra, 0xee, sizeof extra);
    header_add_extra(h, extra, sizeof extra);
    header_add_extra(h, "", 0);
    header_add_extra(h, "\x05", 1);
    for (int s = 0; s < 4; s++) {
        memset(id, 0x11 * (s + 1), sizeof id);
        header_add_sealer(h, id);
    }
    h->sealer = 2;
}

/* The genesis of a three-sealer group, as build-chain would write it. */
static void genesis_header(const suite_t *suite, block_t *b)
{
    genesis_t g;
    uint8_t id[64];

    genesis_init(&g, 1);
    g.timestamp = 1700000000000LL;
    for (int s = 0; s < 3; s++) {
        memset(id, 0x21 + s, sizeof id);
        genesis_add_sealer(&g, id);
    }
    assert_int_equal(genesis_block(suite, &g, b), BL_OK);
    genesis_free(&g);
}

static void assert_hash_is(const suite_t *suite, const header_t *h, const char *hex)
{
    uint8_t got[32];

    ex_block_hash(suite, h, got);
    tu_assert_hex_eq(got, 32, hex);
}

/* A signed DagTransfer call, as a client makes one. */
static void add_tx(block_t *b, const keypair_t *client, uint64_t nonce)
{
    const char *args[2] = { "alice", "100" };
    tx_t tx;

    tx_init(&tx);
    assert_int_equal(tx_make_precompile_call(&tx, client, 0x5002, "userAdd(string,uint256)",
                                             args, 2, nonce, 1, 1), BL_OK);
    block_add_tx(b, &tx);
    tx_free(&tx);
}

/* blocks[0..n): a genesis block, then blocks with 0, 1, 2, ... transactions, each linked to the
 * one before by the project's own header_hash. */
static void make_chain(const suite_t *suite, block_t *blocks, size_t n)
{
    keypair_t client;

    tu_key(&client, suite, 0x77);
    genesis_header(suite, &blocks[0]);
    for (size_t i = 1; i < n; i++) {
        block_t *b = &blocks[i];

        block_init(b);
        header_copy(&b->header, &blocks[i - 1].header);
        header_hash(suite, &blocks[i - 1].header, b->header.parent_hash);
        b->header.number = blocks[i - 1].header.number + 1;
        b->header.timestamp += 1000;
        b->header.sealer = i % 3;
        if (i == 1)
            for (int s = 0; s < 3; s++) {
                uint8_t id[64];

                memset(id, 0x21 + s, sizeof id);
                header_add_sealer(&b->header, id);
            }
        memset(b->header.state_root, (int)i, 32);
        for (size_t t = 0; t < i - 1; t++)
            add_tx(b, &client, 1000 * i + t);
        block_compute_roots(suite, b);
    }
}

/* Link blocks[from..n) again after an honest change to blocks[from-1] (a forger who rewrites
 * history has to redo every later block). */
static void relink(const suite_t *suite, block_t *blocks, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++)
        header_hash(suite, &blocks[i - 1].header, blocks[i].header.parent_hash);
}

static void free_blocks(block_t *blocks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        block_free(&blocks[i]);
}

static void copy_blocks(block_t *dst, const block_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        block_copy(&dst[i], &src[i]);
}

/* ---- known answers ---- */

/* §1.7/§1.10: block 0 of a group is hashed like any other header; its extraData holds the
 * genesis mark, its roots are those of no transactions. */
static void block_hash_of_a_genesis_header_is_known(void **state)
{
    block_t b;

    (void)state;
    genesis_header(suite_ecdsa(), &b);
    assert_hash_is(suite_ecdsa(), &b.header,
                   "c7cf511884810d3c148004bbb598a8cb25c8105f902348167dc652c7838dcf0b");
    block_free(&b);
}

/* §1.7/§1.12: all 13 fields, in order; integers without leading zeros; extraData a list of
 * strings, sealerList a list of 64-byte strings; long forms where a length passes 55. */
static void block_hash_of_a_full_header_is_known(void **state)
{
    header_t h;

    (void)state;
    full_header(&h);
    assert_hash_is(suite_ecdsa(), &h, "b0887dc79d730ade8e79282bd68866043daf968a290266275f6661f23e513abe");
    h.number = 0; /* 0 is the empty string, not a zero byte */
    h.gas_used = 0;
    assert_hash_is(suite_ecdsa(), &h, "ae2476c191a44f0e5f10a0515045b5867ef40d71f9dcb14ceff9e82fd1375174");
    header_free(&h);
}

/* §1.12: "Hash = Keccak-256 on ECDSA chains, SM3 on SM chains": the hash is the suite's. */
static void block_hash_uses_the_chain_suite(void **state)
{
    header_t h;
    block_t b;

    (void)state;
    full_header(&h);
    assert_hash_is(suite_sm(), &h, "83a1660d4dc9b608fbc0dab3d1efb6630a71efc596facc38930b3464ed53a900");
    genesis_header(suite_sm(), &b);
    assert_hash_is(suite_sm(), &b.header, "9cd9c44dc12a64ecf14f49a82152857d45f2d18988bfd1f2746de35e60a4d764");
    header_free(&h);
    block_free(&b);
}

/* Changing any one of the 13 fields changes the hash (each is committed to), on random headers
 * of every shape — and the hash is always the one the nodes compute. */
static void block_hash_covers_every_field(void **state)
{
    bl_rng_t rng;
    header_t h;
    uint8_t mine[32], theirs[32], before[32], changed[32];

    (void)state;
    bl_rng_seed(&rng, 1);
    for (int round = 0; round < 200; round++) {
        uint8_t buf[300], id[64];
        size_t nextra = bl_rng_below(&rng, 4), nsealers = bl_rng_below(&rng, 5);

        header_init(&h);
        bl_rng_bytes(&rng, h.parent_hash, 32);
        bl_rng_bytes(&rng, h.tx_root, 32);
        h.number = (int64_t)(bl_rng_next(&rng) >> bl_rng_below(&rng, 64));
        h.gas_limit = bl_rng_next(&rng) >> bl_rng_below(&rng, 64);
        h.timestamp = (int64_t)(bl_rng_next(&rng) >> 1);
        h.sealer = bl_rng_below(&rng, 3);
        for (size_t e = 0; e < nextra; e++) {
            size_t len = bl_rng_below(&rng, sizeof buf);

            bl_rng_bytes(&rng, buf, len);
            header_add_extra(&h, buf, len);
        }
        for (size_t s = 0; s < nsealers; s++) {
            bl_rng_bytes(&rng, id, 64);
            header_add_sealer(&h, id);
        }
        ex_block_hash(suite_ecdsa(), &h, mine);
        header_hash(suite_ecdsa(), &h, theirs);
        memcpy(before, mine, 32);
        h.log_bloom[bl_rng_below(&rng, RECEIPT_BLOOM_BYTES)] ^= 1;
        ex_block_hash(suite_ecdsa(), &h, changed);
        header_free(&h);
        if (memcmp(mine, theirs, 32) != 0)
            fail_msg("random header %d (%zu extraData items, %zu sealers): your hash is not "
                     "the nodes'", round, nextra, nsealers);
        if (memcmp(changed, before, 32) == 0)
            fail_msg("random header %d: a changed logBloom bit left your hash unchanged", round);
    }
}

/* ---- the chain check on chains made here ---- */

/* Lesson 01: blocks linked by parentHash, numbered 0, 1, 2, ..., roots matching: accepted —
 * as is every part of such a chain, even an empty one. */
static void good_chain_is_accepted(void **state)
{
    block_t blocks[CHAIN_LEN];

    (void)state;
    make_chain(suite_ecdsa(), blocks, CHAIN_LEN);
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), blocks, CHAIN_LEN), -1);
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), blocks + 2, CHAIN_LEN - 2), -1);
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), blocks + 3, 1), -1);
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), blocks, 0), -1);
    free_blocks(blocks, CHAIN_LEN);
}

/* Tamper evidence: edit any header field of block k and its hash is no longer the parentHash
 * block k+1 recorded, so block k is named. Only the newest block has no successor to vouch for
 * it (its commit signatures do that, lesson 08). */
static void edited_header_is_named_by_its_successor(void **state)
{
    block_t good[CHAIN_LEN], bad[CHAIN_LEN];

    (void)state;
    make_chain(suite_ecdsa(), good, CHAIN_LEN);
    for (size_t k = 0; k + 1 < CHAIN_LEN; k++) {
        for (int field = 0; field < 5; field++) {
            header_t *h = &bad[k].header;

            copy_blocks(bad, good, CHAIN_LEN);
            if (field == 0)
                h->state_root[31] ^= 0x01;
            else if (field == 1)
                h->timestamp += 1;
            else if (field == 2)
                h->sealer = (h->sealer + 1) % 3;
            else if (field == 3)
                h->extra[0].data[0] ^= 0x80;
            else if (h->nsealers > 0) /* block 0 lists its sealers in the genesis mark */
                h->sealer_list[0][0] ^= 0x80;
            else
                h->gas_used += 1;
            assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), (int64_t)k);
            free_blocks(bad, CHAIN_LEN);
        }
    }
    copy_blocks(bad, good, CHAIN_LEN);
    bad[CHAIN_LEN - 1].header.state_root[0] ^= 1;
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), -1);
    free_blocks(bad, CHAIN_LEN);
    free_blocks(good, CHAIN_LEN);
}

/* §1.7 (checkBlockValid): a block's number is its parent's + 1. A chain whose links are all
 * consistent but which skips a number is still bad, at the block after the gap. */
static void number_gap_is_named(void **state)
{
    block_t blocks[CHAIN_LEN];

    (void)state;
    make_chain(suite_ecdsa(), blocks, CHAIN_LEN);
    for (size_t i = 3; i < CHAIN_LEN; i++) {
        blocks[i].header.number += 1;
        relink(suite_ecdsa(), blocks, i + 1, CHAIN_LEN);
    }
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), blocks, CHAIN_LEN), 3);
    free_blocks(blocks, CHAIN_LEN);
}

/* §1.9: transactionsRoot commits to the block's transactions. Edit one byte of a transaction
 * (and leave its stale `hash` member as it was, as a forger would), or swap two, or drop one:
 * the root no longer matches and that block is named — even the newest one. */
static void edited_transaction_is_named_by_the_root(void **state)
{
    block_t good[CHAIN_LEN], bad[CHAIN_LEN];

    (void)state;
    make_chain(suite_ecdsa(), good, CHAIN_LEN);
    for (size_t k = 2; k < CHAIN_LEN; k++) {
        tx_t *tx;

        copy_blocks(bad, good, CHAIN_LEN);
        tx = &bad[k].txs[bad[k].ntxs - 1];
        tx->data.data[tx->data.len - 1] ^= 0x01;
        assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), (int64_t)k);
        free_blocks(bad, CHAIN_LEN);
    }
    copy_blocks(bad, good, CHAIN_LEN);
    bad[4].txs[0].nonce.be[31] ^= 1;
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), 4);
    free_blocks(bad, CHAIN_LEN);

    copy_blocks(bad, good, CHAIN_LEN);
    {
        tx_t t = bad[5].txs[0];

        bad[5].txs[0] = bad[5].txs[1];
        bad[5].txs[1] = t;
    }
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), 5);
    free_blocks(bad, CHAIN_LEN);

    copy_blocks(bad, good, CHAIN_LEN);
    bad[3].ntxs--; /* hide the last one (put back below, so block_free frees it) */
    assert_int_equal(ex_first_bad_block(suite_ecdsa(), bad, CHAIN_LEN), 3);
    bad[3].ntxs++;
    free_blocks(bad, CHAIN_LEN);
    free_blocks(good, CHAIN_LEN);
}

/* ---- a real chain from a cluster ---- */

/* Four PBFT sealers commit CLUSTER_HEIGHT blocks of DagTransfer transactions; *blocks receives
 * blocks 0..height as node `from` stored them (block_free each, then free the array). */
static size_t committed_chain(cu_cluster_t *c, unsigned from, block_t **blocks)
{
    group_t *g;
    int64_t height;

    printf("cluster seed %u (a failing cluster test writes cluster-%u.trace)\n", CLUSTER_SEED,
           CLUSTER_SEED);
    cu_open(c, CLUSTER_SEED, 4);
    cu_group_with(c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(c);
    for (int64_t h = 1; h <= CLUSTER_HEIGHT; h++) {
        cu_submit_users(c, (unsigned)h % 4, 1, (unsigned)(h * 2 - 1));
        cu_run_until_height(c, 1, NULL, h, LIMIT_MS);
    }
    g = node_group(cu_node(c, from), 1);
    height = group_height(g);
    *blocks = bl_xcalloc((size_t)height + 1, sizeof **blocks);
    for (int64_t n = 0; n <= height; n++)
        assert_int_equal(group_block_stored(g, n, &(*blocks)[n]), BL_OK);
    return (size_t)height + 1;
}

/* Write the run's trace next to the grader, close the cluster, and fail with the seed. */
static void cluster_fail(cu_cluster_t *c, const char *what)
{
    char path[64];

    snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c->seed);
    sim_write_trace(c->sim, path);
    cu_close(c);
    fail_msg("seed=%llu: %s; trace in %s", (unsigned long long)c->seed, what, path);
}

/* Does every commit signature of block b verify over `hash`, signed by the sealer it names? */
static bool signed_over(const suite_t *suite, const block_t *b, const uint8_t hash[32])
{
    if (b->nsigs == 0)
        return false;
    for (size_t s = 0; s < b->nsigs; s++) {
        const block_sig_t *sig = &b->sigs[s];

        if (sig->index >= b->header.nsealers ||
            suite_verify(suite, b->header.sealer_list[sig->index], hash, sig->sig) != BL_OK)
            return false;
    }
    return true;
}

/* §2 (PBFT) and §1.8: the sealers sign each block's hash, and the next block records it as its
 * parentHash. The student's hash must be that very hash on every committed block of every node,
 * and the student's check must accept the chain. */
static void cluster_chain_hashes_are_the_signed_ones(void **state)
{
    cu_cluster_t c;
    block_t *blocks;
    size_t n = committed_chain(&c, 0, &blocks);
    const char *why = NULL;
    char msg[160];
    uint8_t hash[32];

    (void)state;
    for (size_t i = 1; i < n && !why; i++) {
        ex_block_hash(c.suite, &blocks[i].header, hash);
        if (!signed_over(c.suite, &blocks[i], hash))
            why = "the sealers' commit signatures are not over your hash of block";
        else if (i + 1 < n && memcmp(hash, blocks[i + 1].header.parent_hash, 32) != 0)
            why = "your hash is not the next block's parentHash, for block";
        if (why)
            snprintf(msg, sizeof msg, "%s %zu", why, i);
    }
    if (!why && ex_first_bad_block(c.suite, blocks, n) != -1) {
        snprintf(msg, sizeof msg, "the committed chain 0..%zu was refused at block %lld", n - 1,
                 (long long)ex_first_bad_block(c.suite, blocks, n));
        why = msg;
    }
    free_blocks(blocks, n);
    free(blocks);
    if (why)
        cluster_fail(&c, msg);
    cu_close(&c);
}

/* Lesson 01, tamper evidence, on the real chain: one byte forged in a copy of committed block k
 * — in a transaction, or in the header — and the check names block k. */
static void cluster_forged_block_is_named(void **state)
{
    cu_cluster_t c;
    block_t *good, *bad;
    size_t n = committed_chain(&c, 2, &good);
    char msg[160] = "";

    (void)state;
    bad = bl_xcalloc(n, sizeof *bad);
    for (size_t k = 1; k + 1 < n && !msg[0]; k++) {
        for (int where = 0; where < 2 && !msg[0]; where++) {
            int64_t named;

            copy_blocks(bad, good, n);
            if (where == 0 && bad[k].ntxs == 0) { /* PBFT stores no empty block; be safe */
                free_blocks(bad, n);
                continue;
            }
            if (where == 0) {
                tx_t *tx = &bad[k].txs[bad[k].ntxs / 2];
                tx->data.data[tx->data.len - 1] ^= 0x01; /* one byte of its call data */
            } else {
                bad[k].header.db_hash[7] ^= 0x20;
            }
            named = ex_first_bad_block(c.suite, bad, n);
            if (named != (int64_t)k)
                snprintf(msg, sizeof msg, "a byte forged in %s of block %zu: your check named "
                         "%lld", where == 0 ? "a transaction" : "the header", k,
                         (long long)named);
            free_blocks(bad, n);
        }
    }
    free(bad);
    free_blocks(good, n);
    free(good);
    if (msg[0])
        cluster_fail(&c, msg);
    cu_close(&c);
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "block_hash_of_a_genesis_header_is_known", block_hash_of_a_genesis_header_is_known, 10 },
        { "block_hash_of_a_full_header_is_known", block_hash_of_a_full_header_is_known, 10 },
        { "block_hash_uses_the_chain_suite", block_hash_uses_the_chain_suite, 10 },
        { "block_hash_covers_every_field", block_hash_covers_every_field, 5 },
        { "good_chain_is_accepted", good_chain_is_accepted, 10 },
        { "edited_header_is_named_by_its_successor", edited_header_is_named_by_its_successor, 15 },
        { "number_gap_is_named", number_gap_is_named, 5 },
        { "edited_transaction_is_named_by_the_root", edited_transaction_is_named_by_the_root, 15 },
        { "cluster_chain_hashes_are_the_signed_ones", cluster_chain_hashes_are_the_signed_ones,
          10 },
        { "cluster_forged_block_is_named", cluster_forged_block_is_named, 10 },
    };

    return grade_run("01-block-hash", tests, sizeof tests / sizeof tests[0]);
}
