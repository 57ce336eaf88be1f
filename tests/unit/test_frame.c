/*
 * test_frame.c — FISCO's message header (net/frame.h) and the event log (base/evlog.h).
 *
 * Pins down: the 16-byte big-endian header of P2PMessageRC2 (length, version, protocolID,
 * packet type, seq) byte for byte; protocolID = (groupID << 16) | moduleID and a response's
 * negated id naming the same group and module; every malformed header refused with a reason
 * (short, wrong length, compressed, unknown version, no module), and random and mutated bytes
 * never crash the decoder. The event log numbers events, keeps the newest when full and tells a
 * slow reader how many it missed.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/evlog.h"
#include "base/rng.h"
#include "net/frame.h"

/* fisco-2x-facts §1.11: u32 length | u16 version | i32 protocolID | u16 packetType | u32 seq. */
static void
frame_header_is_fiscos_sixteen_big_endian_bytes(void **state)
{
    static const uint8_t body[] = { 0xc2, 0x01, 0x02 };
    frame_t f = { .version = FRAME_VERSION, .protocol_id = frame_protocol_id(2, MODULE_SYNC),
                  .packet_type = 3, .seq = 0x01020304, .body = { body, sizeof body } };
    frame_t back;
    bl_buf_t out = BL_BUF_INIT;

    (void)state;
    frame_encode(&f, &out);
    tu_assert_hex_eq(out.data, out.len, "00000013" "0000" "00020009" "0003" "01020304" "c20102");
    assert_int_equal(frame_decode(out.data, out.len, &back), BL_OK);
    assert_int_equal(back.protocol_id, f.protocol_id);
    assert_int_equal(back.packet_type, 3);
    assert_int_equal(back.seq, 0x01020304);
    assert_int_equal(back.body.len, 3);
    assert_memory_equal(back.body.ptr, body, 3);
    bl_buf_free(&out);
}

/* protocolID = (groupID << 16) | moduleID; a response carries the negated id
 * (P2PMessageRC2.h) and still names the same group and module. */
static void
frame_protocol_id_packs_group_and_module(void **state)
{
    int32_t id = frame_protocol_id(32767, MODULE_TXPOOL);

    (void)state;
    assert_int_equal(id, 0x7fff000a);
    assert_int_equal(frame_group(id), 32767);
    assert_int_equal(frame_module(id), MODULE_TXPOOL);
    assert_int_equal(frame_group(-id), 32767);
    assert_int_equal(frame_module(-id), MODULE_TXPOOL);
    assert_int_equal(frame_group(frame_protocol_id(0, MODULE_NODE)), 0);
}

static void
assert_refused(const char *hex, const char *why)
{
    bl_buf_t b = BL_BUF_INIT;
    frame_t f;

    tu_hex(hex, &b);
    assert_int_equal(frame_decode(b.data, b.len, &f), BL_E_FORMAT);
    if (strstr(bl_errmsg(), why) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", why, bl_errmsg());
    bl_buf_free(&b);
}

/* A node reads bytes it did not make: every bad header is refused, with a reason. */
static void
frame_decode_refuses_every_malformed_header(void **state)
{
    (void)state;
    assert_refused("", "shorter than");
    assert_refused("00000010000000010009000000", "shorter than");
    assert_refused("00000011" "0000" "00010009" "0000" "00000000", "says 17 bytes but 16");
    assert_refused("00000010" "8000" "00010009" "0000" "00000000", "compressed");
    assert_refused("00000010" "0007" "00010009" "0000" "00000000", "unknown message version");
    assert_refused("00000010" "0000" "00000000" "0000" "00000000", "names no module");
}

/* Thousands of random and mutated frames: the decoder answers every one, and whatever it
 * accepts has a body inside the bytes it was given. */
static void
frame_decode_survives_random_and_mutated_bytes(void **state)
{
    static const uint8_t body[40];
    frame_t f = { .protocol_id = frame_protocol_id(1, MODULE_PBFT), .packet_type = 1,
                  .body = { body, sizeof body } };
    bl_buf_t good = BL_BUF_INIT;
    uint8_t buf[64];
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, 7);
    frame_encode(&f, &good);
    for (int i = 0; i < 20000; i++) {
        size_t len = bl_rng_below(&rng, sizeof buf + 1);
        frame_t got;

        if (i % 2 == 0) {
            bl_rng_bytes(&rng, buf, len);
        } else {
            len = good.len;
            memcpy(buf, good.data, len);
            buf[bl_rng_below(&rng, len)] ^= (uint8_t)(1 + bl_rng_below(&rng, 255));
        }
        if (frame_decode(buf, len, &got) == BL_OK) {
            assert_true(got.body.ptr == buf + FRAME_HEADER_LEN);
            assert_int_equal(got.body.len, len - FRAME_HEADER_LEN);
        }
    }
    bl_buf_free(&good);
}

/* DESIGN.md §1.5: events are numbered 1, 2, 3, ...; a full ring keeps the newest, and a reader
 * that fell behind is told how many it missed. */
static void
evlog_keeps_the_newest_and_counts_what_a_reader_missed(void **state)
{
    evlog_t *log = evlog_new(4);
    ev_t ev = { .kind = EV_BLOCK_COMMITTED, .node = 1, .peer = -1, .group = 1 };
    ev_t out[8];
    uint64_t missed;
    char line[160];

    (void)state;
    for (int i = 1; i <= 6; i++) {
        ev.a = i;
        assert_int_equal(evlog_add(log, &ev), (uint64_t)i);
    }
    assert_int_equal(evlog_last(log), 6);
    assert_int_equal(evlog_read(log, 0, out, 8, &missed), 4);
    assert_int_equal(missed, 2);
    assert_int_equal(out[0].seq, 3);
    assert_int_equal(out[0].a, 3);
    assert_int_equal(out[3].a, 6);
    assert_int_equal(evlog_read(log, 5, out, 8, &missed), 1);
    assert_int_equal(missed, 0);
    assert_int_equal(evlog_read(log, 6, out, 8, &missed), 0);
    ev_format(&out[0], line, sizeof line);
    assert_non_null(strstr(line, "BLOCK_COMMITTED a=6"));
    evlog_free(log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_header_is_fiscos_sixteen_big_endian_bytes),
        cmocka_unit_test(frame_protocol_id_packs_group_and_module),
        cmocka_unit_test(frame_decode_refuses_every_malformed_header),
        cmocka_unit_test(frame_decode_survives_random_and_mutated_bytes),
        cmocka_unit_test(evlog_keeps_the_newest_and_counts_what_a_reader_missed),
    };

    return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
