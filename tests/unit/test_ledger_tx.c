/*
 * test_ledger_tx.c — FISCO 2.x transactions: signing, encoding, decoding, tampering.
 *
 * Pins down fisco-2x-facts §1.2–1.3 and §1.12: 13 RLP fields; signing hash over the first ten;
 * tx hash over all thirteen; ECDSA v = recovery id + 27; SM v = the 64-byte public key.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "crypto/key.h"
#include "ledger/tx.h"

static void
make_tx(tx_t *tx, const keypair_t *kp)
{
    tx_init(tx);
    bl_u256_from_str(&tx->nonce, "0x2b7a3e1f0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e0f1a2b3c4d5e6");
    bl_u256_from_u64(&tx->gas_price, 300000000);
    bl_u256_from_u64(&tx->gas, 300000000);
    bl_u256_from_u64(&tx->block_limit, 501);
    tx->has_to = true;
    memset(tx->to, 0, 20);
    tx->to[18] = 0x50;
    tx->to[19] = 0x02; /* DagTransfer precompile 0x5002 */
    bl_buf_append(&tx->data, "\x12\x34\x56\x78", 4);
    bl_u256_from_u64(&tx->chain_id, 1);
    bl_u256_from_u64(&tx->group_id, 1);
    bl_buf_append(&tx->extra_data, "demo", 4);
    assert_int_equal(tx_sign(tx, kp), BL_OK);
}

static void
assert_same_fields(const tx_t *a, const tx_t *b)
{
    assert_memory_equal(&a->nonce, &b->nonce, 32);
    assert_memory_equal(&a->gas_price, &b->gas_price, 32);
    assert_memory_equal(&a->gas, &b->gas, 32);
    assert_memory_equal(&a->block_limit, &b->block_limit, 32);
    assert_int_equal(a->has_to, b->has_to);
    assert_memory_equal(a->to, b->to, 20);
    assert_memory_equal(&a->value, &b->value, 32);
    assert_int_equal(a->data.len, b->data.len);
    assert_memory_equal(a->data.data, b->data.data, a->data.len);
    assert_memory_equal(&a->chain_id, &b->chain_id, 32);
    assert_memory_equal(&a->group_id, &b->group_id, 32);
    assert_int_equal(a->extra_data.len, b->extra_data.len);
    assert_int_equal(a->sig_len, b->sig_len);
    assert_memory_equal(a->sig, b->sig, a->sig_len);
    assert_memory_equal(a->hash, b->hash, 32);
    assert_memory_equal(a->sender, b->sender, 20);
}

static void
round_trip(const suite_t *suite)
{
    keypair_t kp;
    tx_t tx, back;
    bl_buf_t raw = BL_BUF_INIT;
    uint8_t addr[20], h[32];

    tu_key(&kp, suite, 7);
    make_tx(&tx, &kp);
    tx_encode(suite, &tx, &raw);
    assert_int_equal(tx_decode(suite, bl_buf_span(&raw), &back), BL_OK);
    assert_same_fields(&tx, &back);
    keypair_address(&kp, addr);
    assert_memory_equal(back.sender, addr, 20);
    /* the tx hash is hash(all 13 fields) */
    suite->hash(raw.data, raw.len, h);
    assert_memory_equal(back.hash, h, 32);
    tx_free(&tx);
    tx_free(&back);
    bl_buf_free(&raw);
}

/* A signed ECDSA tx decodes to the same fields, hash and sender (§1.3). */
static void
tx_round_trip_keeps_fields_hash_and_sender_ecdsa(void **state)
{
    (void)state;
    round_trip(suite_ecdsa());
}

/* The same for an SM chain: SM3 hashes, SM2 signature with the key in v (§1.3). */
static void
tx_round_trip_keeps_fields_hash_and_sender_sm(void **state)
{
    (void)state;
    round_trip(suite_sm());
}

/* ECDSA: v is written as recovery id + 27, r and s as minimal integers (§1.12). */
static void
tx_ecdsa_v_slot_is_recovery_id_plus_27(void **state)
{
    keypair_t kp;
    tx_t tx;
    bl_buf_t raw = BL_BUF_INIT;
    rlp_item_t top, f[TX_FIELDS];
    uint64_t v;

    (void)state;
    tu_key(&kp, suite_ecdsa(), 9);
    make_tx(&tx, &kp);
    tx_encode(suite_ecdsa(), &tx, &raw);
    assert_int_equal(rlp_decode(bl_buf_span(&raw), &top), BL_OK);
    assert_int_equal(rlp_list_exact(&top, f, TX_FIELDS, "tx"), BL_OK);
    assert_int_equal(rlp_get_uint(&f[10], &v), BL_OK);
    assert_int_equal(v, 27u + tx.sig[64]);
    tx_free(&tx);
    bl_buf_free(&raw);
}

/* SM: v carries the 64-byte public key as a fixed-length string (§1.12). */
static void
tx_sm_v_slot_is_the_public_key(void **state)
{
    keypair_t kp;
    tx_t tx;
    bl_buf_t raw = BL_BUF_INIT;
    rlp_item_t top, f[TX_FIELDS];

    (void)state;
    tu_key(&kp, suite_sm(), 9);
    make_tx(&tx, &kp);
    tx_encode(suite_sm(), &tx, &raw);
    assert_int_equal(rlp_decode(bl_buf_span(&raw), &top), BL_OK);
    assert_int_equal(rlp_list_exact(&top, f, TX_FIELDS, "tx"), BL_OK);
    assert_int_equal(f[10].payload.len, 64);
    assert_memory_equal(f[10].payload.ptr, kp.pub, 64);
    tx_free(&tx);
    bl_buf_free(&raw);
}

/* The signing hash covers exactly the ten unsigned fields (§1.3). */
static void
tx_signing_hash_covers_the_ten_unsigned_fields(void **state)
{
    keypair_t kp;
    tx_t tx;
    uint8_t before[32], after[32];

    (void)state;
    tu_key(&kp, suite_ecdsa(), 3);
    make_tx(&tx, &kp);
    tx_signing_hash(suite_ecdsa(), &tx, before);
    tx.sig[0] ^= 1; /* the signature is not part of what is signed */
    tx_signing_hash(suite_ecdsa(), &tx, after);
    assert_memory_equal(before, after, 32);
    bl_u256_from_u64(&tx.group_id, 2); /* but every field is */
    tx_signing_hash(suite_ecdsa(), &tx, after);
    assert_memory_not_equal(before, after, 32);
    tx_free(&tx);
}

/* Changing any byte of a signed tx makes it fail to decode, or gives another hash and another
 * sender: nobody can alter a transaction and keep it attributed to its signer. */
static void
tamper(const suite_t *suite)
{
    keypair_t kp;
    tx_t tx, back;
    bl_buf_t raw = BL_BUF_INIT;
    size_t rejected = 0, rebound = 0;

    tu_key(&kp, suite, 5);
    make_tx(&tx, &kp);
    tx_encode(suite, &tx, &raw);
    for (size_t i = 0; i < raw.len; i++) {
        raw.data[i] ^= 0x01;
        if (tx_decode(suite, bl_buf_span(&raw), &back) != BL_OK) {
            assert_true(strlen(bl_errmsg()) > 0);
            rejected++;
        } else {
            assert_memory_not_equal(back.hash, tx.hash, 32);
            assert_memory_not_equal(back.sender, tx.sender, 20);
            tx_free(&back);
            rebound++;
        }
        raw.data[i] ^= 0x01;
    }
    assert_int_equal(rejected + rebound, raw.len);
    assert_true(rejected > 0);
    tx_free(&tx);
    bl_buf_free(&raw);
}

static void
tx_tampering_any_byte_is_detected_ecdsa(void **state)
{
    (void)state;
    tamper(suite_ecdsa());
}

static void
tx_tampering_any_byte_is_detected_sm(void **state)
{
    (void)state;
    tamper(suite_sm());
}

/* Malformed transactions are refused with a message naming the problem. */
static void
tx_decode_rejects_malformed_input_with_reason(void **state)
{
    keypair_t kp;
    tx_t tx, back;
    bl_buf_t raw = BL_BUF_INIT, bad = BL_BUF_INIT;
    size_t list;

    (void)state;
    tu_key(&kp, suite_ecdsa(), 4);
    make_tx(&tx, &kp);
    tx_encode(suite_ecdsa(), &tx, &raw);

    /* truncated */
    assert_int_equal(tx_decode(suite_ecdsa(), bl_span(raw.data, raw.len - 1), &back), BL_E_RLP);
    /* an SM chain cannot read an ECDSA transaction */
    assert_int_not_equal(tx_decode(suite_sm(), bl_buf_span(&raw), &back), BL_OK);
    assert_non_null(strstr(bl_errmsg(), "public key"));
    /* 12 fields */
    list = rlp_list_begin(&bad);
    for (int i = 0; i < 12; i++)
        rlp_put_uint(&bad, 1);
    rlp_list_end(&bad, list);
    assert_int_equal(tx_decode(suite_ecdsa(), bl_buf_span(&bad), &back), BL_E_RLP);
    /* a receiver of 19 bytes */
    bl_buf_clear(&bad);
    list = rlp_list_begin(&bad);
    for (int i = 0; i < 13; i++) {
        if (i == 4)
            rlp_put_bytes(&bad, tx.to, 19);
        else
            rlp_put_uint(&bad, 27);
    }
    rlp_list_end(&bad, list);
    assert_int_equal(tx_decode(suite_ecdsa(), bl_buf_span(&bad), &back), BL_E_FORMAT);
    assert_non_null(strstr(bl_errmsg(), "to"));
    /* v = 29 */
    bl_buf_clear(&bad);
    list = rlp_list_begin(&bad);
    for (int i = 0; i < 13; i++) {
        if (i == 4)
            rlp_put_bytes(&bad, "", 0);
        else
            rlp_put_uint(&bad, i == 10 ? 29 : 1);
    }
    rlp_list_end(&bad, list);
    assert_int_equal(tx_decode(suite_ecdsa(), bl_buf_span(&bad), &back), BL_E_SIGNATURE);
    assert_non_null(strstr(bl_errmsg(), "27 or 28"));
    tx_free(&tx);
    bl_buf_free(&raw);
    bl_buf_free(&bad);
}

/* A contract creation has an empty receiver and survives the round trip as such (§1.2). */
static void
tx_empty_receiver_means_contract_creation(void **state)
{
    keypair_t kp;
    tx_t tx, back;
    bl_buf_t raw = BL_BUF_INIT;

    (void)state;
    tu_key(&kp, suite_ecdsa(), 6);
    tx_init(&tx);
    bl_u256_from_u64(&tx.block_limit, 1);
    assert_int_equal(tx_sign(&tx, &kp), BL_OK);
    tx_encode(suite_ecdsa(), &tx, &raw);
    assert_int_equal(tx_decode(suite_ecdsa(), bl_buf_span(&raw), &back), BL_OK);
    assert_false(back.has_to);
    tx_free(&tx);
    tx_free(&back);
    bl_buf_free(&raw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tx_round_trip_keeps_fields_hash_and_sender_ecdsa),
        cmocka_unit_test(tx_round_trip_keeps_fields_hash_and_sender_sm),
        cmocka_unit_test(tx_ecdsa_v_slot_is_recovery_id_plus_27),
        cmocka_unit_test(tx_sm_v_slot_is_the_public_key),
        cmocka_unit_test(tx_signing_hash_covers_the_ten_unsigned_fields),
        cmocka_unit_test(tx_tampering_any_byte_is_detected_ecdsa),
        cmocka_unit_test(tx_tampering_any_byte_is_detected_sm),
        cmocka_unit_test(tx_decode_rejects_malformed_input_with_reason),
        cmocka_unit_test(tx_empty_receiver_means_contract_creation),
    };

    return cmocka_run_group_tests_name("ledger_tx", tests, NULL, NULL);
}
