/*
 * pbft_msg.c — PBFT messages to bytes and back, and their two signatures (pbft.h shows the
 * layout; fisco-2x-facts §2.2).
 *
 * Why two signatures? `sig` covers the block hash: it is the vote itself, and the commit ones
 * end up in the block's sigList, where anyone can check later that n-f sealers agreed on this
 * block. `sig2` covers (height, view, idx, timestamp): it ties the vote to one round, so a vote
 * for view 3 cannot be replayed as a vote for view 4. A message whose signatures are not both
 * the sealer's own is worth nothing, and the decoder here is strict so that the engine (pbft.c)
 * never has to wonder what a field means: anything that is not exactly the layout is refused.
 */
#include "consensus/pbft.h"

#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

void
pbft_msg_fields_hash(const suite_t *suite, const pbft_msg_t *m, uint8_t out[32])
{
    bl_buf_t raw = BL_BUF_INIT;
    size_t list = rlp_list_begin(&raw);

    rlp_put_uint(&raw, (uint64_t)m->height);
    rlp_put_uint(&raw, m->view);
    rlp_put_uint(&raw, m->idx);
    rlp_put_uint(&raw, m->timestamp);
    rlp_list_end(&raw, list);
    suite->hash(raw.data, raw.len, out);
    bl_buf_free(&raw);
}

int
pbft_msg_sign(const suite_t *suite, const keypair_t *key, pbft_msg_t *m)
{
    uint8_t fields[32];
    int rc;

    pbft_msg_fields_hash(suite, m, fields);
    m->sig_len = suite->sig_len;
    if ((rc = suite->sign(key->priv, key->pub, m->block_hash, m->sig)) != BL_OK)
        return rc;
    return suite->sign(key->priv, key->pub, fields, m->sig2);
}

int
pbft_msg_verify(const suite_t *suite, const pbft_msg_t *m, const uint8_t id[64])
{
    uint8_t fields[32];
    int rc;

    if (m->sig_len != suite->sig_len)
        return bl_fail(BL_E_SIGNATURE, "PBFT signature of %zu bytes, the suite's are %zu",
                       m->sig_len, suite->sig_len);
    if ((rc = suite_verify(suite, id, m->block_hash, m->sig)) != BL_OK)
        return rc;
    pbft_msg_fields_hash(suite, m, fields);
    return suite_verify(suite, id, fields, m->sig2);
}

void
pbft_msg_encode(const pbft_msg_t *m, bl_buf_t *out)
{
    bl_buf_t fields = BL_BUF_INIT;
    size_t list = rlp_list_begin(&fields), outer;

    rlp_put_uint(&fields, (uint64_t)m->height);
    rlp_put_uint(&fields, m->view);
    rlp_put_uint(&fields, m->idx);
    rlp_put_uint(&fields, m->timestamp);
    rlp_put_bytes(&fields, m->block_hash, 32);
    rlp_put_bytes(&fields, m->sig, m->sig_len);
    rlp_put_bytes(&fields, m->sig2, m->sig_len);
    if (m->type == PBFT_PREPARE)
        rlp_put_bytes(&fields, m->block.ptr, m->block.len);
    rlp_list_end(&fields, list);
    outer = rlp_list_begin(out);
    rlp_put_bytes(out, fields.data, fields.len);
    rlp_list_end(out, outer);
    bl_buf_free(&fields);
}

/* A string item holding a signature of the suite's length. */
static int
get_sig(const suite_t *suite, const rlp_item_t *item, uint8_t *out)
{
    return rlp_get_fixed(item, out, suite->sig_len);
}

/* The numbers of the record: height must fit an int64. */
static int
get_numbers(const rlp_item_t *f, pbft_msg_t *m)
{
    uint64_t height;
    int rc;

    if ((rc = rlp_get_uint(&f[0], &height)) != BL_OK || (rc = rlp_get_uint(&f[1], &m->view)) != BL_OK ||
        (rc = rlp_get_uint(&f[2], &m->idx)) != BL_OK ||
        (rc = rlp_get_uint(&f[3], &m->timestamp)) != BL_OK)
        return rc;
    if (height > (uint64_t)INT64_MAX)
        return bl_fail(BL_E_RANGE, "PBFT height %llu is out of range",
                       (unsigned long long)height);
    m->height = (int64_t)height;
    return BL_OK;
}

int
pbft_msg_decode(const suite_t *suite, unsigned type, bl_span_t body, pbft_msg_t *m)
{
    rlp_item_t outer, wrapped, inner, f[8];
    size_t nfields = type == PBFT_PREPARE ? 8 : 7;
    int rc;

    memset(m, 0, sizeof *m);
    if (type >= PBFT_PACKET_TYPES)
        return bl_fail(BL_E_FORMAT, "PBFT packet type %u is unknown", type);
    m->type = type;
    if ((rc = rlp_decode(body, &outer)) != BL_OK ||
        (rc = rlp_list_exact(&outer, &wrapped, 1, "PBFT packet")) != BL_OK)
        return rc;
    if (wrapped.is_list)
        return bl_fail(BL_E_FORMAT, "PBFT packet must wrap its fields as bytes");
    if ((rc = rlp_decode(wrapped.payload, &inner)) != BL_OK ||
        (rc = rlp_list_exact(&inner, f, nfields, "PBFT message")) != BL_OK ||
        (rc = get_numbers(f, m)) != BL_OK ||
        (rc = rlp_get_fixed(&f[4], m->block_hash, 32)) != BL_OK ||
        (rc = get_sig(suite, &f[5], m->sig)) != BL_OK ||
        (rc = get_sig(suite, &f[6], m->sig2)) != BL_OK)
        return rc;
    m->sig_len = suite->sig_len;
    if (type == PBFT_PREPARE) {
        if (f[7].is_list || f[7].payload.len == 0)
            return bl_fail(BL_E_FORMAT, "PrepareReq must carry its block as bytes");
        m->block = f[7].payload;
    }
    return BL_OK;
}
