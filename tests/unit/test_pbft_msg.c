/*
 * test_pbft_msg.c — PBFT's message codec and signatures (consensus/pbft_msg.c).
 *
 * Pins down fisco-2x-facts §2.2: the body is RLP list(1){ bytes(RLP[height, view, idx,
 * timestamp, block_hash, sig, sig2 (, block)]) }; sig signs block_hash, sig2 signs
 * hash(RLP[height, view, idx, timestamp]). Every message round-trips for both suites; every
 * malformed one is refused; a change to any signed field makes the signatures fail.
 */
#include "testutil.h"

#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "consensus/pbft.h"

static const uint8_t fake_block[] = { 0xc3, 0x01, 0x02, 0x03 };

static pbft_msg_t
sample(unsigned type)
{
    pbft_msg_t m = { .type = type, .height = 7, .view = 3, .idx = 2, .timestamp = 123456 };

    memset(m.block_hash, 0x5a, 32);
    if (type == PBFT_PREPARE)
        m.block = bl_span(fake_block, sizeof fake_block);
    return m;
}

static void
round_trip(const suite_t *suite)
{
    keypair_t key;

    tu_key(&key, suite, 0x21);
    for (unsigned type = 0; type < PBFT_PACKET_TYPES; type++) {
        pbft_msg_t m = sample(type), back;
        bl_buf_t raw = BL_BUF_INIT;

        assert_int_equal(pbft_msg_sign(suite, &key, &m), BL_OK);
        pbft_msg_encode(&m, &raw);
        assert_int_equal(pbft_msg_decode(suite, type, bl_buf_span(&raw), &back), BL_OK);
        assert_int_equal(back.type, type);
        assert_int_equal(back.height, 7);
        assert_int_equal(back.view, 3);
        assert_int_equal(back.idx, 2);
        assert_int_equal(back.timestamp, 123456);
        assert_memory_equal(back.block_hash, m.block_hash, 32);
        assert_memory_equal(back.sig, m.sig, suite->sig_len);
        assert_memory_equal(back.sig2, m.sig2, suite->sig_len);
        assert_int_equal(back.block.len, type == PBFT_PREPARE ? sizeof fake_block : 0);
        assert_int_equal(pbft_msg_verify(suite, &back, key.pub), BL_OK);
        bl_buf_free(&raw);
    }
}

/* §2.2: all four packet types survive encoding and decoding, with both crypto suites. */
static void
every_message_round_trips_with_both_suites(void **state)
{
    (void)state;
    round_trip(suite_ecdsa());
    round_trip(suite_sm());
}

/* §2.2: sig covers block_hash and sig2 covers (height, view, idx, timestamp): a change to any
 * of them, or another signer, fails the check. */
static void
any_change_to_a_signed_field_fails_verification(void **state)
{
    const suite_t *s = suite_ecdsa();
    keypair_t key, other;
    pbft_msg_t m = sample(PBFT_SIGN), t;

    (void)state;
    tu_key(&key, s, 0x21);
    tu_key(&other, s, 0x22);
    assert_int_equal(pbft_msg_sign(s, &key, &m), BL_OK);
    assert_int_equal(pbft_msg_verify(s, &m, key.pub), BL_OK);
    assert_int_not_equal(pbft_msg_verify(s, &m, other.pub), BL_OK);
    t = m, t.height++;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
    t = m, t.view++;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
    t = m, t.idx++;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
    t = m, t.timestamp++;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
    t = m, t.block_hash[31] ^= 1;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
    t = m, t.sig_len = 64;
    assert_int_not_equal(pbft_msg_verify(s, &t, key.pub), BL_OK);
}

/* The fields of a message, encoded one by one so that a test can break exactly one. */
typedef struct {
    int nfields;        /* 7 or 8 */
    int bad;            /* which field to break, -1: none */
    int how;            /* 0: as a list, 1: too long, 2: non-canonical number */
    bool wrap_as_list;  /* the outer item holds a list instead of bytes */
    int outer_items;    /* items in the outer list */
} shape_t;

static void
put_field(bl_buf_t *b, int i, const shape_t *sh)
{
    static const uint8_t sig[65] = { 1 };
    uint8_t hash[32] = { 2 };

    if (i == sh->bad && sh->how == 0) {
        size_t l = rlp_list_begin(b);

        rlp_list_end(b, l);
        return;
    }
    if (i == sh->bad && sh->how == 2) {
        static const uint8_t zero_led[2] = { 0x00, 0x07 };

        rlp_put_bytes(b, zero_led, 2);
        return;
    }
    if (i < 4) {
        rlp_put_uint(b, i == sh->bad ? UINT64_MAX : (uint64_t)(i + 1)); /* height: too big */
        return;
    }
    if (i == 4)
        rlp_put_bytes(b, hash, i == sh->bad ? 31 : 32);
    else if (i == 5 || i == 6)
        rlp_put_bytes(b, sig, i == sh->bad ? 64 : 65);
    else
        rlp_put_bytes(b, fake_block, i == sh->bad ? 0 : sizeof fake_block);
}

static void
build(const shape_t *sh, bl_buf_t *out)
{
    bl_buf_t fields = BL_BUF_INIT;
    size_t l = rlp_list_begin(&fields), outer;

    for (int i = 0; i < sh->nfields; i++)
        put_field(&fields, i, sh);
    rlp_list_end(&fields, l);
    outer = rlp_list_begin(out);
    for (int k = 0; k < sh->outer_items; k++) {
        if (sh->wrap_as_list)
            rlp_put_raw(out, fields.data, fields.len);
        else
            rlp_put_bytes(out, fields.data, fields.len);
    }
    rlp_list_end(out, outer);
    bl_buf_free(&fields);
}

static void
assert_refused(unsigned type, const shape_t *sh)
{
    bl_buf_t raw = BL_BUF_INIT;
    pbft_msg_t m;

    build(sh, &raw);
    if (pbft_msg_decode(suite_ecdsa(), type, bl_buf_span(&raw), &m) == BL_OK)
        fail_msg("type %u, %d fields, field %d broken (%d), accepted", type, sh->nfields,
                 sh->bad, sh->how);
    bl_buf_free(&raw);
}

/* DESIGN §1.7: every malformed message is refused: a missing or extra field, a field of the
 * wrong kind or length, a number too big or not canonical, a wrong wrapping, a block where
 * there should be none, an unknown packet type, a truncated or empty body. */
static void
every_malformed_message_is_refused(void **state)
{
    const suite_t *s = suite_ecdsa();
    shape_t good7 = { 7, -1, 0, false, 1 }, good8 = { 8, -1, 0, false, 1 };
    bl_buf_t raw = BL_BUF_INIT;
    pbft_msg_t m;

    (void)state;
    /* the shapes themselves are good: a check that the breakages below are what fails */
    build(&good7, &raw);
    assert_int_equal(pbft_msg_decode(s, PBFT_SIGN, bl_buf_span(&raw), &m), BL_OK);
    assert_int_not_equal(pbft_msg_decode(s, PBFT_PREPARE, bl_buf_span(&raw), &m), BL_OK);
    assert_int_not_equal(pbft_msg_decode(s, 4, bl_buf_span(&raw), &m), BL_OK);
    for (size_t cut = 0; cut < raw.len; cut++)
        assert_int_not_equal(pbft_msg_decode(s, PBFT_SIGN, bl_span(raw.data, cut), &m), BL_OK);
    bl_buf_clear(&raw);
    build(&good8, &raw);
    assert_int_equal(pbft_msg_decode(s, PBFT_PREPARE, bl_buf_span(&raw), &m), BL_OK);
    assert_int_not_equal(pbft_msg_decode(s, PBFT_COMMIT, bl_buf_span(&raw), &m), BL_OK);
    bl_buf_free(&raw);
    for (int bad = 0; bad < 8; bad++) {
        for (int how = 0; how < 3; how++) {
            shape_t sh = { 8, bad, how, false, 1 };

            if (how == 2 && bad >= 4)
                continue; /* only numbers can be non-canonical */
            if (bad == 0 || bad >= 4 || how != 1) /* view/idx/timestamp may be any u64 */
                assert_refused(PBFT_PREPARE, &sh);
            if (bad < 7) {
                sh.nfields = 7;
                if (bad == 0 || bad >= 4 || how != 1)
                    assert_refused(PBFT_VIEW_CHANGE, &sh);
            }
        }
    }
    assert_refused(PBFT_SIGN, &(shape_t){ 7, -1, 0, true, 1 });  /* list, not bytes */
    assert_refused(PBFT_SIGN, &(shape_t){ 7, -1, 0, false, 2 }); /* two wrapped items */
    assert_refused(PBFT_SIGN, &(shape_t){ 7, -1, 0, false, 0 }); /* nothing wrapped */
    assert_refused(PBFT_SIGN, &(shape_t){ 6, -1, 0, false, 1 }); /* a field missing */
    assert_refused(PBFT_SIGN, &(shape_t){ 8, -1, 0, false, 1 }); /* a block in a SignReq */
    assert_int_not_equal(pbft_msg_decode(s, PBFT_SIGN, bl_span(NULL, 0), &m), BL_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_message_round_trips_with_both_suites),
        cmocka_unit_test(any_change_to_a_signed_field_fails_verification),
        cmocka_unit_test(every_malformed_message_is_refused),
    };

    return cmocka_run_group_tests_name("pbft_msg", tests, NULL, NULL);
}
