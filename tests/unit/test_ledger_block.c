/*
 * test_ledger_block.c — Merkle roots, receipts, headers, blocks and the genesis block.
 *
 * Pins down fisco-2x-facts §1.6–1.10: the 16-ary Merkle tree with its final extra hash, the
 * 8-item receipt (7 before 2.9), the 13-field header whose RLP hash is the block hash, the 5-item
 * block with the parallel transaction blob, and the genesis mark.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "crypto/key.h"
#include "crypto/keccak.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/merkle.h"

/* The tree written out by hand, for comparison: leaves RLP(i)‖h_i, groups of 16, final hash. */
static void
reference_root(const uint8_t (*h)[32], size_t n, uint8_t root[32])
{
    bl_buf_t level = BL_BUF_INIT, next = BL_BUF_INIT;
    size_t *off = calloc(n + 1, sizeof *off), count = n;

    for (size_t i = 0; i < n; i++) {
        rlp_put_uint(&level, i);
        bl_buf_append(&level, h[i], 32);
        off[i + 1] = level.len;
    }
    while (count > 1) {
        size_t groups = (count + 15) / 16;
        bl_buf_clear(&next);
        for (size_t g = 0; g < groups; g++) {
            size_t a = off[g * 16], b = off[g * 16 + 16 < count ? g * 16 + 16 : count];
            uint8_t d[32];
            keccak256(level.data + a, b - a, d);
            bl_buf_append(&next, d, 32);
        }
        for (size_t g = 0; g <= groups; g++)
            off[g] = 32 * g;
        count = groups;
        bl_buf_clear(&level);
        bl_buf_append(&level, next.data, next.len);
    }
    keccak256(level.data, off[1], root);
    bl_buf_free(&level);
    bl_buf_free(&next);
    free(off);
}

/* No items: hash(""); one item: hash(0x80 ‖ h) — the extra final hash even for one leaf. */
static void
merkle_root_of_zero_and_one_items(void **state)
{
    uint8_t h[1][32], root[32], want[32], leaf[33];

    (void)state;
    merkle_root(suite_ecdsa(), NULL, 0, root);
    tu_assert_hex_eq(root, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    memset(h[0], 0xab, 32);
    merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, 1, root);
    leaf[0] = 0x80;
    memcpy(leaf + 1, h[0], 32);
    keccak256(leaf, 33, want);
    assert_memory_equal(root, want, 32);
}

/* Around every grouping boundary (16, 17, 256, 257 leaves) the tree matches the hand-written
 * reference. */
static void
merkle_root_groups_sixteen_children_per_node(void **state)
{
    static const size_t sizes[] = { 2, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300 };
    uint8_t (*h)[32] = calloc(300, 32), root[32], want[32];

    (void)state;
    for (size_t i = 0; i < 300; i++)
        keccak256(&i, sizeof i, h[i]);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, sizes[k], root);
        reference_root((const uint8_t(*)[32])h, sizes[k], want);
        assert_memory_equal(root, want, 32);
    }
    free(h);
}

/* SM chains build the same tree with SM3. */
static void
merkle_root_uses_the_suite_hash(void **state)
{
    uint8_t h[2][32], a[32], b[32];

    (void)state;
    memset(h, 7, sizeof h);
    merkle_root(suite_ecdsa(), (const uint8_t(*)[32])h, 2, a);
    merkle_root(suite_sm(), (const uint8_t(*)[32])h, 2, b);
    assert_memory_not_equal(a, b, 32);
}

static void
sample_receipt(receipt_t *r)
{
    uint8_t addr[20], topics[2][32];

    receipt_init(r);
    memset(r->state_root, 0x11, 32);
    r->gas_used = 21000;
    r->status = 0;
    bl_buf_append(&r->output, "\x00\x01", 2);
    r->remain_gas = 299979000;
    memset(addr, 0x50, 20);
    memset(topics[0], 0xaa, 32);
    memset(topics[1], 0xbb, 32);
    receipt_add_log(suite_ecdsa(), r, addr, (const uint8_t(*)[32])topics, 2, "data", 4);
}

/* A receipt round-trips through its 8-item RLP, logs and bloom included (§1.6). */
static void
receipt_round_trip_with_logs(void **state)
{
    receipt_t r, back;
    bl_buf_t raw = BL_BUF_INIT;
    size_t bits = 0;

    (void)state;
    sample_receipt(&r);
    for (int i = 0; i < RECEIPT_BLOOM_BYTES; i++)
        bits += (size_t)__builtin_popcount(r.bloom[i]);
    assert_true(bits >= 1 && bits <= 9); /* 3 bits each for the address and two topics */
    receipt_encode(&r, &raw);
    assert_int_equal(receipt_decode(bl_buf_span(&raw), &back), BL_OK);
    assert_int_equal(back.gas_used, 21000);
    assert_int_equal(back.remain_gas, 299979000);
    assert_true(back.has_remain_gas);
    assert_int_equal(back.nlogs, 1);
    assert_int_equal(back.logs[0].ntopics, 2);
    assert_memory_equal(back.bloom, r.bloom, RECEIPT_BLOOM_BYTES);
    receipt_free(&r);
    receipt_free(&back);
    bl_buf_free(&raw);
}

/* Receipts published before 2.9 have 7 items (no remainGas); the decoder accepts both (§1.12). */
static void
receipt_decoder_accepts_pre_2_9_layout(void **state)
{
    receipt_t r, back;
    bl_buf_t raw = BL_BUF_INIT;

    (void)state;
    sample_receipt(&r);
    r.has_remain_gas = false;
    receipt_encode(&r, &raw);
    assert_int_equal(receipt_decode(bl_buf_span(&raw), &back), BL_OK);
    assert_false(back.has_remain_gas);
    receipt_free(&back);
    raw.data[raw.len - 1] ^= 0xff; /* damage the last log's data */
    assert_int_not_equal(receipt_decode(bl_span(raw.data, raw.len - 3), &back), BL_OK);
    receipt_free(&r);
    bl_buf_free(&raw);
}

static void
make_signed_tx(tx_t *tx, const keypair_t *kp, uint64_t nonce)
{
    tx_init(tx);
    bl_u256_from_u64(&tx->nonce, nonce);
    bl_u256_from_u64(&tx->block_limit, 500);
    bl_u256_from_u64(&tx->chain_id, 1);
    bl_u256_from_u64(&tx->group_id, 1);
    assert_int_equal(tx_sign(tx, kp), BL_OK);
}

/* A block with three transactions, their receipts, and two commit signatures. */
static void
make_block(block_t *b, const keypair_t *kp)
{
    tx_t tx;
    receipt_t r;
    uint8_t hash[32], sig[SUITE_MAX_SIG];

    block_init(b);
    b->header.number = 1;
    b->header.timestamp = 1700000000000;
    b->header.gas_limit = 300000000;
    header_add_sealer(&b->header, kp->pub);
    for (uint64_t i = 0; i < 3; i++) {
        make_signed_tx(&tx, kp, 100 + i);
        block_add_tx(b, &tx);
        tx_free(&tx);
        sample_receipt(&r);
        block_add_receipt(b, &r);
        receipt_free(&r);
    }
    block_compute_roots(kp->suite, b);
    block_hash(kp->suite, b, hash);
    assert_int_equal(keypair_sign(kp, hash, sig), BL_OK);
    block_add_sig(b, 0, sig, kp->suite->sig_len);
    block_add_sig(b, 0, sig, kp->suite->sig_len);
}

/* A block survives encode → decode: header, transactions, receipts, signatures (§1.8). */
static void
block_round_trip_in_both_suites(void **state)
{
    const suite_t *suites[2] = { suite_ecdsa(), suite_sm() };

    (void)state;
    for (int s = 0; s < 2; s++) {
        keypair_t kp;
        block_t b, back;
        bl_buf_t raw = BL_BUF_INIT, again = BL_BUF_INIT;
        uint8_t h1[32], h2[32];

        tu_key(&kp, suites[s], 0x42);
        make_block(&b, &kp);
        block_encode(suites[s], &b, &raw);
        assert_int_equal(block_decode(suites[s], bl_buf_span(&raw), &back), BL_OK);
        assert_int_equal(back.ntxs, 3);
        assert_int_equal(back.nreceipts, 3);
        assert_int_equal(back.nsigs, 2);
        block_hash(suites[s], &b, h1);
        block_hash(suites[s], &back, h2);
        assert_memory_equal(h1, h2, 32);
        block_encode(suites[s], &back, &again);
        assert_int_equal(raw.len, again.len);
        assert_memory_equal(raw.data, again.data, raw.len);
        block_free(&b);
        block_free(&back);
        bl_buf_free(&raw);
        bl_buf_free(&again);
    }
}

/* block_copy is deep: the copy encodes to the same bytes, and changing or freeing the original
 * leaves it alone (a node executes its own copy of a block it received). */
static void
block_copy_is_deep_and_encodes_the_same(void **state)
{
    keypair_t kp;
    block_t b, copy;
    bl_buf_t raw = BL_BUF_INIT, again = BL_BUF_INIT;
    uint8_t sender[20];

    (void)state;
    tu_key(&kp, suite_ecdsa(), 0x43);
    make_block(&b, &kp);
    memcpy(sender, b.txs[0].sender, 20);
    block_copy(&copy, &b);
    block_encode(suite_ecdsa(), &b, &raw);
    b.header.number++;
    block_free(&b);
    block_encode(suite_ecdsa(), &copy, &again);
    assert_int_equal(raw.len, again.len);
    assert_memory_equal(raw.data, again.data, raw.len);
    assert_memory_equal(copy.txs[0].sender, sender, 20); /* senders come along */
    block_free(&copy);
    bl_buf_free(&raw);
    bl_buf_free(&again);
}

/* The tx blob is u32 count, count+1 u32 offsets (little-endian), then the txs (§1.8). */
static void
block_tx_blob_has_count_offsets_then_transactions(void **state)
{
    keypair_t kp;
    tx_t txs[2];
    bl_buf_t blob = BL_BUF_INIT, one = BL_BUF_INIT;

    (void)state;
    tu_key(&kp, suite_ecdsa(), 0x42);
    make_signed_tx(&txs[0], &kp, 1);
    make_signed_tx(&txs[1], &kp, 2);
    block_encode_tx_blob(suite_ecdsa(), txs, 2, &blob);
    tx_encode(suite_ecdsa(), &txs[0], &one);
    assert_int_equal(blob.data[0], 2);
    assert_int_equal(blob.data[1] | blob.data[2] | blob.data[3], 0);
    assert_int_equal(blob.data[4] | blob.data[5], 0);          /* offset[0] = 0 */
    assert_int_equal(blob.data[8] | blob.data[9] << 8, one.len); /* offset[1] = len(tx0) */
    assert_memory_equal(blob.data + 16, one.data, one.len);
    /* an empty list is zero bytes */
    bl_buf_clear(&blob);
    block_encode_tx_blob(suite_ecdsa(), txs, 0, &blob);
    assert_int_equal(blob.len, 0);
    tx_free(&txs[0]);
    tx_free(&txs[1]);
    bl_buf_free(&blob);
    bl_buf_free(&one);
}

/* Swapping in another transaction breaks transactionsRoot; a wrong hash item is refused; a
 * broken blob is refused. A node never believes a block that does not match its header. */
static void
block_decode_refuses_contents_that_do_not_match_the_header(void **state)
{
    keypair_t kp;
    block_t b, back;
    tx_t other;
    bl_buf_t raw = BL_BUF_INIT;

    (void)state;
    tu_key(&kp, suite_ecdsa(), 0x42);
    make_block(&b, &kp);
    make_signed_tx(&other, &kp, 999);
    tx_free(&b.txs[1]);
    tx_copy(&b.txs[1], &other);
    block_encode(suite_ecdsa(), &b, &raw);
    assert_int_equal(block_decode(suite_ecdsa(), bl_buf_span(&raw), &back), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "transactionsRoot"));

    block_compute_roots(suite_ecdsa(), &b); /* consistent again; now break the receipts */
    b.receipts[0].gas_used++;
    bl_buf_clear(&raw);
    block_encode(suite_ecdsa(), &b, &raw);
    assert_int_equal(block_decode(suite_ecdsa(), bl_buf_span(&raw), &back), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "receiptsRoot"));

    b.receipts[0].gas_used--;
    {
        tx_t *txs = NULL;
        size_t ntxs = 0;
        assert_int_equal(block_decode_tx_blob(suite_ecdsa(),
                                              bl_span("\x05\0\0\0\0\0\0\0", 8), &txs, &ntxs),
                         BL_E_FORMAT);
        assert_null(txs);
        assert_int_equal(ntxs, 0);
    }
    tx_free(&other);
    block_free(&b);
    bl_buf_free(&raw);
}

/* Changing a transaction changes the block hash, so the next block's parentHash no longer
 * points to it: the chain is tamper-evident. */
static void
block_hash_changes_when_any_transaction_changes(void **state)
{
    keypair_t kp;
    block_t b;
    uint8_t before[32], after[32];

    (void)state;
    tu_key(&kp, suite_ecdsa(), 0x42);
    make_block(&b, &kp);
    block_hash(suite_ecdsa(), &b, before);
    b.txs[2].extra_data.len = 0;
    bl_buf_append(&b.txs[2].extra_data, "x", 1);
    assert_int_equal(tx_sign(&b.txs[2], &kp), BL_OK);
    block_compute_roots(suite_ecdsa(), &b);
    block_hash(suite_ecdsa(), &b, after);
    assert_memory_not_equal(before, after, 32);
    block_free(&b);
}

/* Genesis mark: groupId-sealers,-consensus-state-evmFlags-maxTrans-gasLimit-timeout (§1.10). */
static void
genesis_mark_lists_group_sealers_and_parameters(void **state)
{
    genesis_t g;
    uint8_t id[64];
    char *mark, want[400];
    block_t b, back;
    bl_buf_t raw = BL_BUF_INIT;

    (void)state;
    genesis_init(&g, 2);
    memset(id, 0xab, 64);
    genesis_add_sealer(&g, id);
    mark = genesis_mark(&g);
    snprintf(want, sizeof want, "2-%0128d,-pbft-storage-0-1000-300000000-3", 0);
    memset(want + 2, 'a', 128);
    for (int i = 0; i < 128; i += 2)
        want[2 + i + 1] = 'b';
    assert_string_equal(mark, want);
    assert_int_equal(genesis_block(suite_ecdsa(), &g, &b), BL_OK);
    assert_int_equal(b.header.number, 0);
    assert_int_equal(b.header.nextra, 1);
    assert_memory_equal(b.header.extra[0].data, mark, strlen(mark));
    block_encode(suite_ecdsa(), &b, &raw);
    assert_int_equal(block_decode(suite_ecdsa(), bl_buf_span(&raw), &back), BL_OK);
    free(mark);
    block_free(&b);
    block_free(&back);
    bl_buf_free(&raw);
    genesis_free(&g);
}

static void
genesis_refuses_bad_descriptions(void **state)
{
    genesis_t g;
    block_t b;
    uint8_t id[64] = { 1 };

    (void)state;
    genesis_init(&g, 1);
    assert_int_equal(genesis_block(suite_ecdsa(), &g, &b), BL_E_INVALID); /* no sealer */
    genesis_add_sealer(&g, id);
    g.group_id = 40000;
    assert_int_equal(genesis_block(suite_ecdsa(), &g, &b), BL_E_RANGE);
    g.group_id = 1;
    snprintf(g.consensus_type, sizeof g.consensus_type, "pow");
    assert_int_equal(genesis_block(suite_ecdsa(), &g, &b), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "pow"));
    genesis_free(&g);
}

/* Header fields of the wrong size are refused with the field's name. */
static void
header_decode_names_the_bad_field(void **state)
{
    header_t h, back;
    bl_buf_t raw = BL_BUF_INIT;
    rlp_item_t top, f[HEADER_FIELDS];
    bl_buf_t bad = BL_BUF_INIT;
    size_t list;

    (void)state;
    header_init(&h);
    h.number = 5;
    header_encode(&h, &raw);
    assert_int_equal(header_decode(bl_buf_span(&raw), &back), BL_OK);
    assert_int_equal(back.number, 5);
    header_free(&back);
    assert_int_equal(rlp_decode(bl_buf_span(&raw), &top), BL_OK);
    assert_int_equal(rlp_list_exact(&top, f, HEADER_FIELDS, "header"), BL_OK);
    list = rlp_list_begin(&bad);
    for (int i = 0; i < HEADER_FIELDS; i++) {
        if (i == 4)
            rlp_put_bytes(&bad, "short", 5);
        else
            rlp_put_raw(&bad, f[i].raw.ptr, f[i].raw.len);
    }
    rlp_list_end(&bad, list);
    assert_int_equal(header_decode(bl_buf_span(&bad), &back), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "dbHash"));
    header_free(&h);
    bl_buf_free(&raw);
    bl_buf_free(&bad);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merkle_root_of_zero_and_one_items),
        cmocka_unit_test(merkle_root_groups_sixteen_children_per_node),
        cmocka_unit_test(merkle_root_uses_the_suite_hash),
        cmocka_unit_test(receipt_round_trip_with_logs),
        cmocka_unit_test(receipt_decoder_accepts_pre_2_9_layout),
        cmocka_unit_test(block_round_trip_in_both_suites),
        cmocka_unit_test(block_copy_is_deep_and_encodes_the_same),
        cmocka_unit_test(block_tx_blob_has_count_offsets_then_transactions),
        cmocka_unit_test(block_decode_refuses_contents_that_do_not_match_the_header),
        cmocka_unit_test(block_hash_changes_when_any_transaction_changes),
        cmocka_unit_test(genesis_mark_lists_group_sealers_and_parameters),
        cmocka_unit_test(genesis_refuses_bad_descriptions),
        cmocka_unit_test(header_decode_names_the_bad_field),
    };

    return cmocka_run_group_tests_name("ledger_block", tests, NULL, NULL);
}
