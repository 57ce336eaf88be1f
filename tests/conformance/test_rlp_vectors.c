/*
 * test_rlp_vectors.c — our RLP against ethereum's own RLP tests (ethereum/tests, RLPTests/).
 *
 * Three files, read from ../shared/vectors when the test runs (vectors/README.md §1):
 *   - rlptest.json: values written in the RLPTests JSON notation, each with its RLP. Encoding the
 *     value (codec/rlp_json.c) must give exactly those bytes; decoding the bytes and encoding the
 *     result again, both with the plain rlp.c calls and through the notation, must give them back.
 *   - invalidRLPTest.json: bytes a strict decoder must refuse. The Yellow Paper (appendix B) gives
 *     every value exactly one encoding; these are other encodings, truncations and wrong lengths.
 *   - RandomRLPTests/example.json: bytes that must decode and re-encode to themselves.
 * Every case is checked and counted and the counts are asserted, so the test cannot pass by
 * reading nothing. A failing case is printed by name, and the other cases still run.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/u256.h"
#include "codec/rlp.h"
#include "codec/rlp_json.h"

#define RLPTEST_FILE "ethereum-tests/RLPTests/rlptest.json"
#define INVALID_FILE "ethereum-tests/RLPTests/invalidRLPTest.json"
#define RANDOM_FILE "ethereum-tests/RLPTests/RandomRLPTests/example.json"

/* Print why one case failed, naming it; returns 1, to be added to the failure count. */
static int report(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
report(const char *name, const char *fmt, ...)
{
    va_list ap;

    print_error("case %s: ", name);
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    print_error("\n");
    return 1;
}

static int
report_bytes(const char *name, const char *what, const bl_buf_t *got, const bl_buf_t *want)
{
    char *g = bl_hex_string(got->data, got->len), *w = bl_hex_string(want->data, want->len);

    report(name, "%s\n  got:      %s\n  expected: %s", what, g, w);
    free(g);
    free(w);
    return 1;
}

/* The bytes of a vector, copied into a block of exactly their size: reading one byte past the
 * end is then an AddressSanitizer error instead of a silent look at spare buffer capacity. */
static uint8_t *
exact_copy(const bl_buf_t *b)
{
    uint8_t *p = bl_xmalloc(b->len);

    if (b->len > 0)
        memcpy(p, b->data, b->len);
    return p;
}

/* Write a decoded item again with the plain encoder: strings with rlp_put_bytes(), lists with
 * rlp_list_begin()/rlp_list_end() around their items. */
static int
reencode(const rlp_item_t *item, bl_buf_t *out)
{
    rlp_iter_t it;
    rlp_item_t child;
    size_t start;
    int r;

    if (!item->is_list) {
        rlp_put_bytes(out, item->payload.ptr, item->payload.len);
        return BL_OK;
    }
    start = rlp_list_begin(out);
    rlp_iter_init(&it, item);
    while ((r = rlp_iter_next(&it, &child)) == 1) {
        if ((r = reencode(&child, out)) != BL_OK)
            return r;
    }
    rlp_list_end(out, start);
    return r;
}

/* Decode `rlp`, then encode what came out in two ways: both must give back the same bytes. */
static int
check_round_trip(const char *name, const bl_buf_t *rlp)
{
    uint8_t *exact = exact_copy(rlp);
    bl_span_t in = bl_span(exact, rlp->len);
    bl_buf_t plain = BL_BUF_INIT, via_json = BL_BUF_INIT;
    rlp_item_t item;
    char *json = NULL;
    int failed = 0;

    if (rlp_decode(in, &item) != BL_OK)
        failed = report(name, "valid RLP refused: %s", bl_errmsg());
    else if (reencode(&item, &plain) != BL_OK)
        failed = report(name, "walking the decoded items failed: %s", bl_errmsg());
    else if (!bl_span_eq(bl_buf_span(&plain), in))
        failed = report_bytes(name, "decode then re-encode changed the bytes", &plain, rlp);
    else if (rlp_json_decode(in, &json) != BL_OK)
        failed = report(name, "rlp_json_decode failed: %s", bl_errmsg());
    else if (rlp_json_encode(json, &via_json) != BL_OK)
        failed = report(name, "encoding the decoded JSON %s failed: %s", json, bl_errmsg());
    else if (!bl_span_eq(bl_buf_span(&via_json), in))
        failed = report_bytes(name, "decode to JSON then encode changed the bytes", &via_json,
                              rlp);
    free(json);
    free(exact);
    bl_buf_free(&plain);
    bl_buf_free(&via_json);
    return failed;
}

/* Our one departure from ethereum's runners is reading "0x.." strings as hex (rlp_json.h). It
 * cannot change how a vector reads unless a string in it starts with "0x": check that none does. */
static bool
has_0x_string(const json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_string(v))
        return strncmp(json_string_value(v), "0x", 2) == 0;
    json_array_foreach(v, i, e) {
        if (has_0x_string(e))
            return true;
    }
    return false;
}

/* A number in `in` must also read back as that number from the decoded item. */
static int
check_number(const char *name, const json_t *in, const bl_buf_t *rlp)
{
    rlp_item_t item;
    uint64_t v;
    bl_u256_t want, got;
    const char *s = json_string_value(in);

    if (rlp_decode(bl_buf_span(rlp), &item) != BL_OK)
        return 0; /* check_round_trip reports it */
    if (json_is_integer(in) &&
        (rlp_get_uint(&item, &v) != BL_OK || v != (uint64_t)json_integer_value(in)))
        return report(name, "rlp_get_uint does not give back %lld",
                      (long long)json_integer_value(in));
    if (s == NULL || s[0] != '#')
        return 0;
    if (bl_u256_from_str(&want, s + 1) == BL_OK) {
        if (rlp_get_u256(&item, &got) != BL_OK || bl_u256_cmp(&want, &got) != 0)
            return report(name, "rlp_get_u256 does not give back %s", s + 1);
    } else if (rlp_get_u256(&item, &got) != BL_E_RLP) {
        return report(name, "rlp_get_u256 accepted %s, which is 2^256 or more", s + 1);
    }
    return 0;
}

static int
check_encode_case(const char *name, const json_t *c)
{
    const json_t *in = json_object_get(c, "in");
    const char *out = json_string_value(json_object_get(c, "out"));
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    char *text = NULL;
    int failed = 0;

    if (in == NULL || out == NULL)
        return report(name, "has no \"in\" value or no \"out\" string");
    tu_hex(out, &want);
    text = json_dumps(in, JSON_ENCODE_ANY | JSON_COMPACT);
    if (has_0x_string(in))
        failed = report(name, "a string starts with 0x: our hex rule reads it differently");
    else if (rlp_json_encode(text, &got) != BL_OK)
        failed = report(name, "encoding %s failed: %s", text, bl_errmsg());
    else if (!bl_span_eq(bl_buf_span(&got), bl_buf_span(&want)))
        failed = report_bytes(name, "wrong encoding", &got, &want);
    else
        failed = check_round_trip(name, &want) + check_number(name, in, &want);
    free(text);
    bl_buf_free(&want);
    bl_buf_free(&got);
    return failed;
}

/* rlptest.json: encode every `in` to exactly `out`, and decode every `out` back. */
static void
rlp_encodes_every_rlptest_value_to_its_bytes(void **state)
{
    json_t *root = tu_load_json(RLPTEST_FILE), *c;
    const char *name;
    size_t cases = 0;
    int failed = 0;

    (void)state;
    json_object_foreach(root, name, c) {
        cases++;
        failed += check_encode_case(name, c);
    }
    json_decref(root);
    assert_int_equal(failed, 0);
    assert_int_equal(cases, 28);
}

/* One invalid encoding: refused with BL_E_RLP and a message that says where, by both entries. */
static int
check_invalid_case(const char *name, const json_t *c)
{
    const char *out = json_string_value(json_object_get(c, "out"));
    bl_buf_t b = BL_BUF_INIT;
    uint8_t *exact;
    rlp_item_t item;
    char *json = NULL;
    int err, failed = 0;

    if (out == NULL)
        return report(name, "has no \"out\" string");
    tu_hex(out, &b);
    exact = exact_copy(&b);
    err = rlp_decode(bl_span(exact, b.len), &item);
    if (err != BL_E_RLP)
        failed = report(name, "rlp_decode returned %d on %s, expected BL_E_RLP (%d)", err, out,
                        BL_E_RLP);
    else if (strstr(bl_errmsg(), "offset") == NULL)
        failed = report(name, "the message does not name an offset: %s", bl_errmsg());
    else if ((err = rlp_json_decode(bl_span(exact, b.len), &json)) != BL_E_RLP)
        failed = report(name, "rlp_json_decode returned %d, expected BL_E_RLP", err);
    free(json);
    free(exact);
    bl_buf_free(&b);
    return failed;
}

/* invalidRLPTest.json: every case is refused (YP appendix B: one encoding per value). */
static void
rlp_decode_refuses_every_invalid_rlptest_case(void **state)
{
    json_t *root = tu_load_json(INVALID_FILE), *c;
    const char *name;
    size_t cases = 0;
    int failed = 0;

    (void)state;
    json_object_foreach(root, name, c) {
        const char *in = json_string_value(json_object_get(c, "in"));

        cases++;
        if (in == NULL || strcmp(in, "INVALID") != 0)
            failed += report(name, "\"in\" should be \"INVALID\"");
        failed += check_invalid_case(name, c);
    }
    json_decref(root);
    assert_int_equal(failed, 0);
    assert_int_equal(cases, 26);
}

/* RandomRLPTests/example.json: the valid case decodes and re-encodes to the same bytes. */
static void
rlp_round_trips_the_random_rlptest_case(void **state)
{
    json_t *root = tu_load_json(RANDOM_FILE), *c;
    const char *name;
    size_t cases = 0;
    int failed = 0;

    (void)state;
    json_object_foreach(root, name, c) {
        const char *out = json_string_value(json_object_get(c, "out"));
        bl_buf_t b = BL_BUF_INIT;

        cases++;
        if (out == NULL) {
            failed += report(name, "has no \"out\" string");
            continue;
        }
        tu_hex(out, &b);
        failed += check_round_trip(name, &b);
        bl_buf_free(&b);
    }
    json_decref(root);
    assert_int_equal(failed, 0);
    assert_int_equal(cases, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rlp_encodes_every_rlptest_value_to_its_bytes),
        cmocka_unit_test(rlp_decode_refuses_every_invalid_rlptest_case),
        cmocka_unit_test(rlp_round_trips_the_random_rlptest_case),
    };

    return cmocka_run_group_tests_name("rlp_vectors", tests, NULL, NULL);
}
