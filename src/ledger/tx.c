/*
 * tx.c — encoding, signing and decoding FISCO 2.x transactions.
 *
 * Decoding is where a chain defends itself: every raw transaction arrives from outside. So
 * tx_decode() takes nothing on trust. The RLP must be canonical, there must be exactly 13 items,
 * each number must be a canonical integer of at most 256 bits, the receiver must be 0 or 20
 * bytes, and the signature must verify. Only then is the transaction filled in. Because the RLP
 * is canonical, hashing the bytes we received gives the same ID as re-encoding the fields would,
 * which is what FISCO does.
 *
 * The one exception is tx_decode_unverified(): every check but the sender recovery, for a
 * caller that knows the sender already (a pool that verified the same bytes) or recovers it
 * later itself (tx_recover_sender).
 */
#include "ledger/tx.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "codec/rlp.h"

static const char *const field_names[TX_FIELDS] = {
    "nonce", "gasPrice", "gas", "blockLimit", "to", "value", "data",
    "chainId", "groupId", "extraData", "v", "r", "s",
};

void
tx_init(tx_t *tx)
{
    memset(tx, 0, sizeof *tx);
    bl_buf_init(&tx->data);
    bl_buf_init(&tx->extra_data);
}

void
tx_free(tx_t *tx)
{
    bl_buf_free(&tx->data);
    bl_buf_free(&tx->extra_data);
    tx_init(tx);
}

void
tx_copy(tx_t *dst, const tx_t *src)
{
    *dst = *src;
    bl_buf_init(&dst->data);
    bl_buf_init(&dst->extra_data);
    bl_buf_append(&dst->data, src->data.data, src->data.len);
    bl_buf_append(&dst->extra_data, src->extra_data.data, src->extra_data.len);
}

int
tx_make_precompile_call(tx_t *tx, const keypair_t *key, uint16_t precompile,
                        const char *sig, const char *const *args, size_t nargs,
                        uint64_t nonce, uint64_t chain_id, uint64_t group_id)
{
    int rc = abi_encode_call_text(key->suite, sig, args, nargs, &tx->data);

    if (rc != BL_OK)
        return rc;
    bl_u256_from_u64(&tx->nonce, nonce);
    bl_u256_from_u64(&tx->gas, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->block_limit, TX_DEFAULT_BLOCK_LIMIT_AHEAD);
    tx->has_to = true;
    memset(tx->to, 0, sizeof tx->to);
    tx->to[18] = (uint8_t)(precompile >> 8);
    tx->to[19] = (uint8_t)precompile;
    bl_u256_from_u64(&tx->chain_id, chain_id);
    bl_u256_from_u64(&tx->group_id, group_id);
    return tx_sign(tx, key);
}

static void
put_unsigned_fields(const tx_t *tx, bl_buf_t *out)
{
    rlp_put_u256(out, &tx->nonce);
    rlp_put_u256(out, &tx->gas_price);
    rlp_put_u256(out, &tx->gas);
    rlp_put_u256(out, &tx->block_limit);
    rlp_put_bytes(out, tx->to, tx->has_to ? 20 : 0);
    rlp_put_u256(out, &tx->value);
    rlp_put_bytes(out, tx->data.data, tx->data.len);
    rlp_put_u256(out, &tx->chain_id);
    rlp_put_u256(out, &tx->group_id);
    rlp_put_bytes(out, tx->extra_data.data, tx->extra_data.len);
}

void
tx_encode_unsigned(const tx_t *tx, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out);

    put_unsigned_fields(tx, out);
    rlp_list_end(out, list);
}

void
tx_signing_hash(const suite_t *suite, const tx_t *tx, uint8_t out[32])
{
    bl_buf_t rlp = BL_BUF_INIT;

    tx_encode_unsigned(tx, &rlp);
    suite->hash(rlp.data, rlp.len, out);
    bl_buf_free(&rlp);
}

/* r and s are written as RLP integers: big-endian with leading zero bytes dropped. */
static void
put_scalar(bl_buf_t *out, const uint8_t be[32])
{
    bl_u256_t x;

    bl_u256_from_be(&x, be, 32);
    rlp_put_u256(out, &x);
}

static void
put_signature(const suite_t *suite, const tx_t *tx, bl_buf_t *out)
{
    if (suite->kind == SUITE_ECDSA)
        rlp_put_uint(out, (uint64_t)tx->sig[64] + 27);
    else
        rlp_put_bytes(out, tx->sig + 64, 64);
    put_scalar(out, tx->sig);
    put_scalar(out, tx->sig + 32);
}

void
tx_encode(const suite_t *suite, const tx_t *tx, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out);

    put_unsigned_fields(tx, out);
    put_signature(suite, tx, out);
    rlp_list_end(out, list);
}

int
tx_sign(tx_t *tx, const keypair_t *kp)
{
    const suite_t *suite = kp->suite;
    uint8_t signing_hash[32];
    bl_buf_t raw = BL_BUF_INIT;
    int err;

    tx_signing_hash(suite, tx, signing_hash);
    err = keypair_sign(kp, signing_hash, tx->sig);
    if (err != BL_OK)
        return err;
    tx->sig_len = suite->sig_len;
    memcpy(tx->sender_pub, kp->pub, 64);
    keypair_address(kp, tx->sender);
    tx_encode(suite, tx, &raw);
    suite->hash(raw.data, raw.len, tx->hash);
    bl_buf_free(&raw);
    return BL_OK;
}

static int
field_error(int index, int err)
{
    /* keep the decoder's sentence, but say which field it was about */
    char detail[400];

    snprintf(detail, sizeof detail, "%s", bl_errmsg());
    return bl_fail(err, "transaction field %d (%s): %s", index, field_names[index], detail);
}

static int
get_number(const rlp_item_t *items, int i, bl_u256_t *out)
{
    int err = rlp_get_u256(&items[i], out);

    return err == BL_OK ? BL_OK : field_error(i, err);
}

static int
get_bytes(const rlp_item_t *items, int i, bl_buf_t *out)
{
    if (items[i].is_list)
        return bl_fail(BL_E_FORMAT, "transaction field %d (%s) is a list, expected bytes", i,
                       field_names[i]);
    bl_buf_append(out, items[i].payload.ptr, items[i].payload.len);
    return BL_OK;
}

static int
get_receiver(const rlp_item_t *items, tx_t *tx)
{
    const rlp_item_t *to = &items[4];

    if (to->is_list || (to->payload.len != 0 && to->payload.len != 20))
        return bl_fail(BL_E_FORMAT, "transaction field 4 (to) must be empty or a 20-byte "
                       "address, got %s of %zu bytes", to->is_list ? "a list" : "a string",
                       to->payload.len);
    tx->has_to = to->payload.len == 20;
    if (tx->has_to)
        memcpy(tx->to, to->payload.ptr, 20);
    return BL_OK;
}

static int
decode_unsigned_fields(const rlp_item_t *items, tx_t *tx)
{
    int err;

    if ((err = get_number(items, 0, &tx->nonce)) != BL_OK ||
        (err = get_number(items, 1, &tx->gas_price)) != BL_OK ||
        (err = get_number(items, 2, &tx->gas)) != BL_OK ||
        (err = get_number(items, 3, &tx->block_limit)) != BL_OK ||
        (err = get_receiver(items, tx)) != BL_OK ||
        (err = get_number(items, 5, &tx->value)) != BL_OK ||
        (err = get_bytes(items, 6, &tx->data)) != BL_OK ||
        (err = get_number(items, 7, &tx->chain_id)) != BL_OK ||
        (err = get_number(items, 8, &tx->group_id)) != BL_OK ||
        (err = get_bytes(items, 9, &tx->extra_data)) != BL_OK)
        return err;
    return BL_OK;
}

/* v, r, s into the suite's signature form. */
static int
decode_signature(const suite_t *suite, const rlp_item_t *items, tx_t *tx)
{
    bl_u256_t r, s;
    uint64_t v;
    int err;

    if ((err = get_number(items, 11, &r)) != BL_OK || (err = get_number(items, 12, &s)) != BL_OK)
        return err;
    memcpy(tx->sig, r.be, 32);
    memcpy(tx->sig + 32, s.be, 32);
    tx->sig_len = suite->sig_len;
    if (suite->kind == SUITE_SM) {
        if (rlp_get_fixed(&items[10], tx->sig + 64, 64) != BL_OK)
            return bl_fail(BL_E_SIGNATURE, "transaction field 10 (v) must hold the sender's "
                           "64-byte public key on an SM chain");
        return BL_OK;
    }
    if (rlp_get_uint(&items[10], &v) != BL_OK || (v != 27 && v != 28))
        return bl_fail(BL_E_SIGNATURE, "transaction field 10 (v) must be 27 or 28 on an ECDSA "
                       "chain (recovery id + 27)");
    tx->sig[64] = (uint8_t)(v - 27);
    return BL_OK;
}

int
tx_recover_sender(const suite_t *suite, tx_t *tx)
{
    uint8_t signing_hash[32], pub[64];
    char detail[400];
    int err;

    tx_signing_hash(suite, tx, signing_hash);
    err = suite->recover(signing_hash, tx->sig, pub);
    if (err != BL_OK) {
        snprintf(detail, sizeof detail, "%s", bl_errmsg());
        return bl_fail(BL_E_SIGNATURE, "transaction signature is not valid: %s", detail);
    }
    memcpy(tx->sender_pub, pub, 64);
    suite_address(suite, tx->sender_pub, tx->sender);
    return BL_OK;
}

/* Every field and the signature's form; the sender only if verify says so. */
static int
decode(const suite_t *suite, bl_span_t raw, tx_t *tx, bool verify)
{
    rlp_item_t top, items[TX_FIELDS];
    int err;

    tx_init(tx);
    if ((err = rlp_decode(raw, &top)) != BL_OK ||
        (err = rlp_list_exact(&top, items, TX_FIELDS, "transaction")) != BL_OK ||
        (err = decode_unsigned_fields(items, tx)) != BL_OK ||
        (err = decode_signature(suite, items, tx)) != BL_OK ||
        (verify && (err = tx_recover_sender(suite, tx)) != BL_OK))
        goto out;
    suite->hash(raw.ptr, raw.len, tx->hash);
out:
    if (err != BL_OK)
        tx_free(tx);
    return err;
}

int
tx_decode(const suite_t *suite, bl_span_t raw, tx_t *tx)
{
    return decode(suite, raw, tx, true);
}

int
tx_decode_unverified(const suite_t *suite, bl_span_t raw, tx_t *tx)
{
    return decode(suite, raw, tx, false);
}

int
tx_block_limit(const tx_t *tx, int64_t *limit)
{
    uint64_t v;

    if (bl_u256_to_u64(&tx->block_limit, &v) != BL_OK || v > INT64_MAX)
        return bl_fail(BL_E_RANGE, "blockLimit is larger than any block height");
    *limit = (int64_t)v;
    return BL_OK;
}
