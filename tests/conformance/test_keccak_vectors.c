/*
 * test_keccak_vectors.c — our hand-written Keccak-256 against outside answers.
 *
 * Ethereum and FISCO BCOS (non-SM chains) hash everything with Keccak-256: the original Keccak
 * submission with padding byte 0x01, not FIPS-202 SHA3-256 (padding 0x06). These tests run
 * keccak256() over the Keccak team's own known-answer file (ShortMsgKAT_256, as shipped by
 * pycryptodome) and over the answers gathered in derived/keccak256_known_answers.json, reading
 * both from ../shared/vectors when they run.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/keccak.h"

/* Value of a "Key = value" line if the line starts with `key`, else NULL. */
static const char *
kat_value(const char *line, const char *key)
{
    size_t n = strlen(key);

    if (strncmp(line, key, n) != 0)
        return NULL;
    line += n;
    while (*line == ' ')
        line++;
    if (*line != '=')
        return NULL;
    line++;
    while (*line == ' ')
        line++;
    return line;
}

/* The Keccak team's ShortMsgKAT_256 (FIPS-202's predecessor, the Keccak submission round 3).
 * The KAT format gives a message length in bits. Our Keccak-256 is byte-oriented (the chain only
 * ever hashes whole bytes), so only messages whose Len is a multiple of 8 are ours to check; the
 * others are counted as skipped. "Len = 0" comes with "Msg = 00", which means the empty input:
 * we hash the first Len/8 bytes of Msg. The file as collected holds lengths 0..255 bytes, so all
 * 256 messages must be checked — the count is asserted so the test cannot pass vacuously. */
static void
keccak256_matches_keccak_team_short_msg_kat(void **state)
{
    char *path = tu_vector_path("pycryptodome/keccak/ShortMsgKAT_256.txt");
    char *text = tu_read_file(path, NULL), *save = NULL;
    long len_bits = -1;
    bl_buf_t msg = BL_BUF_INIT;
    bool have_msg = false;
    size_t checked = 0, skipped_bits = 0;
    uint8_t out[32];

    (void)state;
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        const char *v;

        if ((v = kat_value(line, "Len")) != NULL) {
            len_bits = strtol(v, NULL, 10);
            have_msg = false;
        } else if ((v = kat_value(line, "Msg")) != NULL) {
            bl_buf_clear(&msg);
            tu_hex(v, &msg);
            have_msg = true;
        } else if ((v = kat_value(line, "MD")) != NULL) {
            assert_true(len_bits >= 0 && have_msg);
            if (len_bits % 8 != 0) {
                skipped_bits++;
            } else {
                assert_true((size_t)(len_bits / 8) <= msg.len);
                keccak256(msg.data, (size_t)(len_bits / 8), out);
                tu_assert_hex_eq(out, 32, v);
                checked++;
            }
            len_bits = -1;
            have_msg = false;
        }
    }
    assert_int_equal(checked, 256);
    assert_int_equal(skipped_bits, 0);
    bl_buf_free(&msg);
    free(text);
    free(path);
}

/* Hash `unit` (len bytes) repeated `repeat` times without building the whole input: the unit is
 * copied into a 64 KiB block where possible, and the sponge is fed block by block. */
static void
keccak_repeated(const uint8_t *unit, size_t len, size_t repeat, uint8_t out[32])
{
    keccak_ctx_t ctx;
    size_t per_block = len == 0 ? 1 : (65536 / len > 0 ? 65536 / len : 1);
    uint8_t *block = bl_xmalloc(per_block * (len ? len : 1));

    for (size_t i = 0; i < per_block; i++)
        memcpy(block + i * len, unit, len);
    keccak256_init(&ctx);
    while (repeat > 0) {
        size_t k = repeat < per_block ? repeat : per_block;
        keccak256_update(&ctx, block, k * len);
        repeat -= k;
    }
    keccak256_final(&ctx, out);
    free(block);
}

/* Entries longer than this are hashed only when BL_SLOW_TESTS=1 is set, which
 * scripts/run-tests.sh does for the optimised build: the 1 GiB ExtremelyLongMsgKAT takes about
 * 15 s with our readable Keccak there, and minutes under ASan. A skip is counted and printed,
 * never silent. */
#define LONG_INPUT_BYTES (64u << 20)

/* Every answer in derived/keccak256_known_answers.json: Crypto++'s Keccak-256 set (including
 * 1,000,000 × 'a'), KAT excerpts at the block boundaries 135/136/137 bytes, the 1 GiB
 * ExtremelyLongMsgKAT (see LONG_INPUT_BYTES), and the Ethereum constants keccak(0x80) (empty
 * trie root) and keccak(0xc0) (empty list). Each entry is ascii (optionally repeated) or hex;
 * length_bytes is checked too. */
static void
keccak256_matches_derived_known_answers(void **state)
{
    json_t *doc = tu_load_json("derived/keccak256_known_answers.json");
    json_t *vectors = json_object_get(doc, "vectors"), *v;
    const char *slow = getenv("BL_SLOW_TESTS");
    bool run_long = slow != NULL && strcmp(slow, "1") == 0;
    size_t i, checked = 0, long_skipped = 0;
    uint8_t out[32];

    (void)state;
    assert_true(json_is_array(vectors));
    json_array_foreach(vectors, i, v) {
        const char *ascii = json_string_value(json_object_get(v, "ascii"));
        const char *hex = json_string_value(json_object_get(v, "hex"));
        const char *want = json_string_value(json_object_get(v, "keccak256"));
        json_t *rep = json_object_get(v, "repeat");
        size_t repeat = rep ? (size_t)json_integer_value(rep) : 1;
        bl_buf_t unit = BL_BUF_INIT;

        assert_non_null(want);
        assert_true((ascii != NULL) != (hex != NULL));
        if (ascii)
            bl_buf_append(&unit, ascii, strlen(ascii));
        else
            tu_hex(hex, &unit);
        assert_true(repeat >= 1);
        assert_int_equal(unit.len * repeat,
                         (size_t)json_integer_value(json_object_get(v, "length_bytes")));
        if (unit.len * repeat > LONG_INPUT_BYTES && !run_long) {
            long_skipped++;
            bl_buf_free(&unit);
            continue;
        }
        if (repeat == 1)
            keccak256(unit.data, unit.len, out);
        else
            keccak_repeated(unit.data, unit.len, repeat, out);
        tu_assert_hex_eq(out, 32, want);
        bl_buf_free(&unit);
        checked++;
    }
    if (long_skipped > 0)
        print_message("keccak256_known_answers: %zu checked, %zu entry over %u MiB skipped "
                      "(set BL_SLOW_TESTS=1 to hash it)\n", checked, long_skipped,
                      LONG_INPUT_BYTES >> 20);
    assert_int_equal(checked + long_skipped, 22);
    assert_int_equal(long_skipped, run_long ? 0 : 1);
    json_decref(doc);
}

/* Keccak-256 is not SHA3-256: the empty input must give c5d2…a470, never SHA3-256's a7ffc6f8…. */
static void
keccak256_is_not_fips202_sha3(void **state)
{
    uint8_t out[32];

    (void)state;
    keccak256("", 0, out);
    tu_assert_hex_eq(out, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assert_int_not_equal(out[0], 0xa7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keccak256_matches_keccak_team_short_msg_kat),
        cmocka_unit_test(keccak256_matches_derived_known_answers),
        cmocka_unit_test(keccak256_is_not_fips202_sha3),
    };

    return cmocka_run_group_tests_name("keccak_vectors", tests, NULL, NULL);
}
