/*
 * test_eip155.c — the pipeline "RLP → Keccak-256 → secp256k1 public-key recovery → address",
 * checked on Ethereum's own signed transactions.
 *
 * FISCO BCOS learns who sent a transaction exactly as Ethereum does: hash the unsigned fields,
 * recover the public key from (r, s, v), and take the last 20 bytes of keccak256(public key).
 * FISCO's transactions have more fields (blockLimit, chainId, groupId, extraData), so these
 * vectors do not test our transaction layout (tests/unit/test_ledger_tx.c does); they test the
 * building blocks underneath it against outside answers. The Ethereum transaction format is
 * written out here, in the test, from our RLP, keccak256 and ecdsa_recover:
 *
 *   tx = RLP[nonce, gasPrice, gasLimit, to, value, data, v, r, s]
 *   EIP-155 (v = recid + 35 + 2·chainId): signing hash = keccak256(RLP[first six, chainId, "", ""])
 *   before EIP-155 (v = 27 + recid):      signing hash = keccak256(RLP[first six])
 *   tx hash = keccak256(the signed tx bytes)
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/u256.h"
#include "codec/rlp.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"

#define ETH_TX_FIELDS 9

/* A u256 from decimal text, or from a JSON integer. */
static void
json_u256(json_t *v, bl_u256_t *out)
{
    if (json_is_integer(v))
        bl_u256_from_u64(out, (uint64_t)json_integer_value(v));
    else if (!json_is_string(v) || bl_u256_from_str(out, json_string_value(v)) != BL_OK)
        fail_msg("not a number in the vector file: %s", bl_errmsg());
}

static void
address_of(const uint8_t pub[64], uint8_t addr[20])
{
    uint8_t h[32];

    keccak256(pub, 64, h);
    memcpy(addr, h + 12, 20);
}

/* The EIP-155 worked example (EIP text, "Example" section): from the tx fields we rebuild the
 * signing data and signing hash the EIP prints; the signed tx decodes to those fields and
 * v = 37, r, s; v → recovery id by EIP-155 (v − 35 − 2·chainId = 0); ecdsa_recover gives the
 * key whose address is the sender 0x9d8a…5a4f, which is also the address of the private key
 * 0x46…46; the tx hash is keccak256 of the signed bytes; and re-encoding the fields with our RLP
 * gives back the signed tx byte for byte. Our RFC 6979 signer reproduces r, s exactly. */
static void
eip155_example_sender_and_tx_hash(void **state)
{
    json_t *doc = tu_load_json("derived/eip155_examples.json");
    json_t *ex = json_object_get(doc, "eip155_example"), *tx = json_object_get(ex, "tx");
    bl_u256_t nonce, gas_price, gas, value, chain_id, r, s, want_r, want_s;
    bl_buf_t unsigned_rlp = BL_BUF_INIT, signed_tx = BL_BUF_INIT, reencoded = BL_BUF_INIT;
    bl_buf_t data = BL_BUF_INIT;
    uint8_t to[20], hash[32], priv[32], sig[65], pub[64], key_pub[64], addr[20], mine[65];
    rlp_item_t top, f[ETH_TX_FIELDS];
    uint64_t v, cid;
    size_t list;

    (void)state;
    assert_non_null(ex);
    json_u256(json_object_get(tx, "nonce"), &nonce);
    json_u256(json_object_get(tx, "gasPrice"), &gas_price);
    json_u256(json_object_get(tx, "gasLimit"), &gas);
    json_u256(json_object_get(tx, "value"), &value);
    json_u256(json_object_get(tx, "chainId"), &chain_id);
    tu_hex_fixed(json_string_value(json_object_get(tx, "to")), to, 20);
    tu_hex(json_string_value(json_object_get(tx, "data")), &data);

    /* signing data = RLP[nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0] */
    list = rlp_list_begin(&unsigned_rlp);
    rlp_put_u256(&unsigned_rlp, &nonce);
    rlp_put_u256(&unsigned_rlp, &gas_price);
    rlp_put_u256(&unsigned_rlp, &gas);
    rlp_put_bytes(&unsigned_rlp, to, 20);
    rlp_put_u256(&unsigned_rlp, &value);
    rlp_put_bytes(&unsigned_rlp, data.data, data.len);
    rlp_put_u256(&unsigned_rlp, &chain_id);
    rlp_put_uint(&unsigned_rlp, 0);
    rlp_put_uint(&unsigned_rlp, 0);
    rlp_list_end(&unsigned_rlp, list);
    tu_assert_hex_eq(unsigned_rlp.data, unsigned_rlp.len,
                     json_string_value(json_object_get(ex, "signingData")));
    keccak256(unsigned_rlp.data, unsigned_rlp.len, hash);
    tu_assert_hex_eq(hash, 32, json_string_value(json_object_get(ex, "signingHash")));

    /* the signed tx: nine items, v = 37, r and s as printed (decimal in the EIP, and hex) */
    tu_hex(json_string_value(json_object_get(ex, "signedTx")), &signed_tx);
    assert_int_equal(rlp_decode(bl_buf_span(&signed_tx), &top), BL_OK);
    assert_int_equal(rlp_list_exact(&top, f, ETH_TX_FIELDS, "eth tx"), BL_OK);
    assert_int_equal(rlp_get_uint(&f[6], &v), BL_OK);
    assert_int_equal(v, (uint64_t)json_integer_value(json_object_get(ex, "v")));
    assert_int_equal(rlp_get_u256(&f[7], &r), BL_OK);
    assert_int_equal(rlp_get_u256(&f[8], &s), BL_OK);
    json_u256(json_object_get(ex, "r"), &want_r);
    json_u256(json_object_get(ex, "s"), &want_s);
    assert_memory_equal(r.be, want_r.be, 32);
    assert_memory_equal(s.be, want_s.be, 32);
    tu_assert_hex_eq(r.be, 32, json_string_value(json_object_get(ex, "r_hex")));
    tu_assert_hex_eq(s.be, 32, json_string_value(json_object_get(ex, "s_hex")));

    /* EIP-155: recovery id = v − 35 − 2·chainId */
    assert_int_equal(bl_u256_to_u64(&chain_id, &cid), BL_OK);
    assert_true(v >= 35 + 2 * cid);
    memcpy(sig, r.be, 32);
    memcpy(sig + 32, s.be, 32);
    sig[64] = (uint8_t)(v - 35 - 2 * cid);
    assert_int_equal(sig[64], 0);
    if (ecdsa_recover(hash, sig, pub) != BL_OK)
        fail_msg("recovery failed: %s", bl_errmsg());
    address_of(pub, addr);
    tu_assert_hex_eq(addr, 20, json_string_value(json_object_get(ex, "sender")));

    /* the private key of the example owns that address, and signs the same (r, s, recid) */
    tu_hex_fixed(json_string_value(json_object_get(ex, "privateKey")), priv, 32);
    assert_int_equal(ecdsa_pubkey_from_priv(priv, key_pub), BL_OK);
    assert_memory_equal(key_pub, pub, 64);
    assert_int_equal(ecdsa_sign(priv, hash, mine), BL_OK);
    assert_memory_equal(mine, sig, 65);

    /* tx hash = keccak256(signed tx) */
    keccak256(signed_tx.data, signed_tx.len, hash);
    tu_assert_hex_eq(hash, 32, json_string_value(json_object_get(ex, "txHash")));

    /* our RLP writes the same signed tx from the fields */
    list = rlp_list_begin(&reencoded);
    for (int i = 0; i < 6; i++)
        rlp_put_raw(&reencoded, f[i].raw.ptr, f[i].raw.len);
    rlp_put_uint(&reencoded, v);
    rlp_put_u256(&reencoded, &r);
    rlp_put_u256(&reencoded, &s);
    rlp_list_end(&reencoded, list);
    assert_int_equal(reencoded.len, signed_tx.len);
    assert_memory_equal(reencoded.data, signed_tx.data, signed_tx.len);

    bl_buf_free(&unsigned_rlp);
    bl_buf_free(&signed_tx);
    bl_buf_free(&reencoded);
    bl_buf_free(&data);
    json_decref(doc);
}

typedef enum { ETH_OK, ETH_WRONG_CHAIN, ETH_BAD } eth_result_t;

/* Sender and hash of an Ethereum tx on chain `net_chain` (as a Constantinople-era node sees it). */
static eth_result_t
eth_sender(const bl_buf_t *raw, uint64_t net_chain, uint8_t sender[20], uint8_t txhash[32])
{
    rlp_item_t top, f[ETH_TX_FIELDS];
    bl_u256_t r, s;
    bl_buf_t pre = BL_BUF_INIT;
    uint8_t hash[32], sig[65], pub[64];
    uint64_t v;
    size_t list;
    int err;

    if (rlp_decode(bl_buf_span(raw), &top) != BL_OK ||
        rlp_list_exact(&top, f, ETH_TX_FIELDS, "eth tx") != BL_OK ||
        rlp_get_uint(&f[6], &v) != BL_OK || rlp_get_u256(&f[7], &r) != BL_OK ||
        rlp_get_u256(&f[8], &s) != BL_OK)
        return ETH_BAD;
    list = rlp_list_begin(&pre);
    for (int i = 0; i < 6; i++)
        rlp_put_raw(&pre, f[i].raw.ptr, f[i].raw.len);
    if (v == 27 || v == 28) {
        sig[64] = (uint8_t)(v - 27);           /* before EIP-155: six fields only */
    } else if (v >= 35) {
        if ((v - 35) / 2 != net_chain) {
            bl_buf_free(&pre);
            return ETH_WRONG_CHAIN;
        }
        sig[64] = (uint8_t)((v - 35) % 2);     /* EIP-155 */
        rlp_put_uint(&pre, net_chain);
        rlp_put_uint(&pre, 0);
        rlp_put_uint(&pre, 0);
    } else {
        bl_buf_free(&pre);
        return ETH_BAD;
    }
    rlp_list_end(&pre, list);
    keccak256(pre.data, pre.len, hash);
    bl_buf_free(&pre);
    memcpy(sig, r.be, 32);
    memcpy(sig + 32, s.be, 32);
    if ((err = ecdsa_recover(hash, sig, pub)) != BL_OK)
        return ETH_BAD;
    address_of(pub, sender);
    keccak256(raw->data, raw->len, txhash);
    return ETH_OK;
}

/* ethereum/tests TransactionTests/ttSignature/Vitalik_1..17, the EIP-155 test set on chain id 1,
 * with the ConstantinopleFix expectations (FISCO 2.x is Constantinople-era): 14 give a sender
 * and a hash (Vitalik_12 is a pre-EIP-155 contract creation with v = 28, the rest EIP-155 with
 * v = 37/38), and 3 are signed for another chain (v = 41/42, chain id 3) and must be refused. */
static void
eip155_test_set_gives_senders_and_hashes_and_refuses_other_chains(void **state)
{
    size_t ok = 0, wrong_chain = 0;

    (void)state;
    for (int i = 1; i <= 17; i++) {
        char rel[96];
        json_t *doc, *tc = NULL, *res;
        const char *name = NULL;
        bl_buf_t raw = BL_BUF_INIT;
        uint8_t sender[20], txhash[32];
        eth_result_t got;

        snprintf(rel, sizeof rel, "ethereum-tests/TransactionTests/ttSignature/Vitalik_%d.json", i);
        doc = tu_load_json(rel);
        json_object_foreach(doc, name, tc)
            break;
        assert_non_null(tc);
        res = json_object_get(json_object_get(tc, "result"), "ConstantinopleFix");
        assert_non_null(res);
        tu_hex(json_string_value(json_object_get(tc, "txbytes")), &raw);
        got = eth_sender(&raw, 1, sender, txhash);
        if (json_object_get(res, "sender") != NULL) {
            if (got != ETH_OK)
                fail_msg("%s: expected a sender, got failure %d (%s)", name, got, bl_errmsg());
            tu_assert_hex_eq(sender, 20, json_string_value(json_object_get(res, "sender")));
            tu_assert_hex_eq(txhash, 32, json_string_value(json_object_get(res, "hash")));
            ok++;
        } else {
            assert_non_null(strstr(json_string_value(json_object_get(res, "exception")),
                                   "INVALID_CHAINID"));
            assert_int_equal(got, ETH_WRONG_CHAIN);
            wrong_chain++;
        }
        bl_buf_free(&raw);
        json_decref(doc);
    }
    assert_int_equal(ok, 14);
    assert_int_equal(wrong_chain, 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eip155_example_sender_and_tx_hash),
        cmocka_unit_test(eip155_test_set_gives_senders_and_hashes_and_refuses_other_chains),
    };

    return cmocka_run_group_tests_name("eip155", tests, NULL, NULL);
}
