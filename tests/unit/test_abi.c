/*
 * test_abi.c — the Solidity ABI codec (src/codec/abi*.c).
 *
 * Pins down: the worked examples of the Solidity "Contract ABI Specification" (section
 * Examples and "Use of Dynamic Types") byte for byte; selectors as the first 4 bytes of
 * Keccak-256 of the canonical signature, or of SM3 on SM chains (fisco-2x-facts §1.12); the
 * two's complement of intN; the type grammar and its errors; and a strict decoder that refuses
 * every malformed input with BL_E_ABI — and never reads outside its input (run under ASan).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "crypto/suite.h"

/* ---- the specification's examples (selector, then one 32-byte word per line) ---- */

static const char SPEC_BAZ[] = /* baz(uint32,bool) with 69, true */
    "cdcd77c0"
    "0000000000000000000000000000000000000000000000000000000000000045"
    "0000000000000000000000000000000000000000000000000000000000000001";

static const char SPEC_BAR[] = /* bar(bytes3[2]) with ["abc", "def"] */
    "fce353f6"
    "6162630000000000000000000000000000000000000000000000000000000000"
    "6465660000000000000000000000000000000000000000000000000000000000";

static const char SPEC_SAM[] = /* sam(bytes,bool,uint256[]) with "dave", true, [1,2,3] */
    "a5643bf2"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6461766500000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000003";

static const char SPEC_F[] = /* f(uint256,uint32[],bytes10,bytes) */
    "8be65246"
    "0000000000000000000000000000000000000000000000000000000000000123"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "3132333435363738393000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000456"
    "0000000000000000000000000000000000000000000000000000000000000789"
    "000000000000000000000000000000000000000000000000000000000000000d"
    "48656c6c6f2c20776f726c642100000000000000000000000000000000000000";

static const char SPEC_G[] = /* g(uint256[][],string[]) with [[1,2],[3]], ["one","two","three"] */
    "2289b18c"
    "0000000000000000000000000000000000000000000000000000000000000040" /* f: offset, [[1,2],[3]] */
    "0000000000000000000000000000000000000000000000000000000000000140" /* g: offset, strings */
    "0000000000000000000000000000000000000000000000000000000000000002" /* count of [[1,2],[3]] */
    "0000000000000000000000000000000000000000000000000000000000000040" /* offset of [1,2] */
    "00000000000000000000000000000000000000000000000000000000000000a0" /* offset of [3] */
    "0000000000000000000000000000000000000000000000000000000000000002" /* count of [1,2] */
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001" /* count of [3] */
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000003" /* count of the strings */
    "0000000000000000000000000000000000000000000000000000000000000060" /* offset of "one" */
    "00000000000000000000000000000000000000000000000000000000000000a0" /* offset of "two" */
    "00000000000000000000000000000000000000000000000000000000000000e0" /* offset of "three" */
    "0000000000000000000000000000000000000000000000000000000000000003"
    "6f6e650000000000000000000000000000000000000000000000000000000000" /* "one" */
    "0000000000000000000000000000000000000000000000000000000000000003"
    "74776f0000000000000000000000000000000000000000000000000000000000" /* "two" */
    "0000000000000000000000000000000000000000000000000000000000000005"
    "7468726565000000000000000000000000000000000000000000000000000000"; /* "three" */

/* ---- helpers ---- */

static abi_type_t *
parse_types(const char *list)
{
    abi_type_t *t = NULL;

    if (abi_types_parse(list, &t) != BL_OK)
        fail_msg("abi_types_parse(\"%s\"): %s", list, bl_errmsg());
    return t;
}

/* Encode a call from argument texts and compare with the expected hex. */
static void
assert_call_text(const char *sig, const char *const *args, size_t n, const char *hex)
{
    bl_buf_t out = BL_BUF_INIT;

    if (abi_encode_call_text(suite_ecdsa(), sig, args, n, &out) != BL_OK)
        fail_msg("%s: %s", sig, bl_errmsg());
    tu_assert_hex_eq(out.data, out.len, hex);
    bl_buf_free(&out);
}

/* Decode call data and compare the values, as compact JSON, with `json`. */
static void
assert_call_decodes(const char *sig, const char *hex, const char *json)
{
    abi_signature_t s;
    abi_value_t *v = NULL;
    bl_buf_t data = BL_BUF_INIT;
    json_t *j = NULL;
    char *text;

    tu_hex(hex, &data);
    assert_int_equal(abi_signature_parse(sig, &s), BL_OK);
    if (abi_decode_call(suite_ecdsa(), sig, bl_buf_span(&data), &v) != BL_OK)
        fail_msg("%s: %s", sig, bl_errmsg());
    assert_int_equal(abi_value_to_json(s.args, v, &j), BL_OK);
    text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(text, json);
    free(text);
    json_decref(j);
    abi_value_free(v);
    abi_signature_free(&s);
    bl_buf_free(&data);
}

/* Decode data (hex) as the type list and return the error code; the value is freed. */
static int
decode_status(const char *types, const char *hex)
{
    abi_type_t *t = parse_types(types);
    abi_value_t *v = NULL;
    bl_buf_t data = BL_BUF_INIT;
    int err;

    tu_hex(hex, &data);
    err = abi_decode(t, bl_buf_span(&data), &v);
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&data);
    return err;
}

/* ---- selectors ---- */

/* A selector is the first 4 bytes of Keccak-256 of the canonical signature; spaces and the
 * aliases uint/int do not change it (ABI spec, "Function Selector"). */
static void
selector_hashes_the_canonical_signature(void **state)
{
    uint8_t sel[4];

    (void)state;
    assert_int_equal(abi_selector(suite_ecdsa(), "transfer(address,uint256)", sel), BL_OK);
    tu_assert_hex_eq(sel, 4, "a9059cbb");
    assert_int_equal(abi_selector(suite_ecdsa(), " transfer( address , uint )", sel), BL_OK);
    tu_assert_hex_eq(sel, 4, "a9059cbb");
    assert_int_equal(abi_selector(suite_ecdsa(), "sam(bytes,bool,uint[])", sel), BL_OK);
    tu_assert_hex_eq(sel, 4, "a5643bf2");
    assert_int_equal(abi_selector(suite_ecdsa(), "baz(uint32,bool)", sel), BL_OK);
    tu_assert_hex_eq(sel, 4, "cdcd77c0");
    /* no name, no selector */
    assert_int_equal(abi_selector(suite_ecdsa(), "(uint256)", sel), BL_E_ABI);
}

/* On SM chains the selector is the first 4 bytes of SM3 (fisco-2x-facts §1.12). */
static void
sm_selector_is_the_first_4_bytes_of_sm3(void **state)
{
    static const char *const sigs[] = {
        "insert(string,string,string,string)", "select(string,string,string,string)",
        "userTransfer(string,string,uint256)", "setValueByKey(string,string)",
        "addSealer(string)", "grantWrite(address)",
    };
    uint8_t sel[4], sm3[32], keccak[32];

    (void)state;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        hash_sm3(sigs[i], strlen(sigs[i]), sm3);
        keccak256(sigs[i], strlen(sigs[i]), keccak);
        assert_int_equal(abi_selector(suite_sm(), sigs[i], sel), BL_OK);
        assert_memory_equal(sel, sm3, 4);
        assert_memory_not_equal(sel, keccak, 4);
        assert_int_equal(abi_selector(suite_ecdsa(), sigs[i], sel), BL_OK);
        assert_memory_equal(sel, keccak, 4);
    }
}

/* ---- the specification's examples ---- */

/* baz(uint32,bool): static values sit in their head slots, padded on the left. */
static void
spec_example_baz_static_arguments(void **state)
{
    abi_value_t *args = abi_value_list(2);
    bl_buf_t out = BL_BUF_INIT;

    (void)state;
    args->items[0] = abi_value_uint(69);
    args->items[1] = abi_value_bool(true);
    assert_int_equal(abi_encode_call(suite_ecdsa(), "baz(uint32,bool)", args, &out), BL_OK);
    tu_assert_hex_eq(out.data, out.len, SPEC_BAZ);
    abi_value_free(args);
    bl_buf_free(&out);
    assert_call_decodes("baz(uint32,bool)", SPEC_BAZ, "[\"69\",true]");
}

/* bar(bytes3[2]): a static array is its elements in place; bytesN is padded on the right. */
static void
spec_example_bar_fixed_array_of_bytes3(void **state)
{
    static const char *const args[] = { "[\"0x616263\",\"0x646566\"]" };

    (void)state;
    assert_call_text("bar(bytes3[2])", args, 1, SPEC_BAR);
    assert_call_decodes("bar(bytes3[2])", SPEC_BAR, "[[\"0x616263\",\"0x646566\"]]");
}

/* sam(bytes,bool,uint256[]): dynamic values leave an offset in the head, contents in the tail. */
static void
spec_example_sam_dynamic_bytes_and_array(void **state)
{
    static const char *const args[] = { "0x64617665", "true", "[1,2,3]" };

    (void)state;
    assert_call_text("sam(bytes,bool,uint[])", args, 3, SPEC_SAM);
    assert_call_decodes("sam(bytes,bool,uint256[])", SPEC_SAM,
                        "[\"0x64617665\",true,[\"1\",\"2\",\"3\"]]");
}

/* f(uint256,uint32[],bytes10,bytes): the second offset is head size + the first tail's size. */
static void
spec_example_f_mixed_static_and_dynamic(void **state)
{
    static const char *const args[] = {
        "0x123", "[\"0x456\",\"0x789\"]", "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421",
    };

    (void)state;
    assert_call_text("f(uint,uint32[],bytes10,bytes)", args, 4, SPEC_F);
    assert_call_decodes("f(uint256,uint32[],bytes10,bytes)", SPEC_F,
                        "[\"291\",[\"1110\",\"1929\"],\"0x31323334353637383930\","
                        "\"0x48656c6c6f2c20776f726c6421\"]");
}

/* g(uint256[][],string[]): nested offsets count from the start of their own list. */
static void
spec_example_g_nested_dynamic_arrays(void **state)
{
    static const char *const args[] = { "[[1,2],[3]]", "[\"one\",\"two\",\"three\"]" };

    (void)state;
    assert_call_text("g(uint256[][],string[])", args, 2, SPEC_G);
    assert_call_decodes("g(uint256[][],string[])", SPEC_G,
                        "[[[\"1\",\"2\"],[\"3\"]],[\"one\",\"two\",\"three\"]]");
}

/* A tuple argument is dynamic when a field is: it gets an offset, its fields a list of their
 * own whose offsets count from the tuple's start. */
static void
tuple_is_encoded_as_a_nested_list(void **state)
{
    static const char *const args[] = { "[5,\"hi\"]", "true" };

    (void)state;
    assert_call_text("((uint256,string),bool)", args, 2,
                     "0000000000000000000000000000000000000000000000000000000000000040"
                     "0000000000000000000000000000000000000000000000000000000000000001"
                     "0000000000000000000000000000000000000000000000000000000000000005"
                     "0000000000000000000000000000000000000000000000000000000000000040"
                     "0000000000000000000000000000000000000000000000000000000000000002"
                     "6869000000000000000000000000000000000000000000000000000000000000");
}

/* FISCO's DagTransfer call userTransfer("alice","bob",10): three heads (two offsets and a
 * number), then each string as length and padded bytes. */
static void
fisco_user_transfer_call_layout(void **state)
{
    static const char *const args[] = { "alice", "bob", "10" };
    bl_buf_t out = BL_BUF_INIT;
    uint8_t sel[4];

    (void)state;
    assert_int_equal(abi_selector(suite_ecdsa(), "userTransfer(string,string,uint256)", sel),
                     BL_OK);
    assert_int_equal(abi_encode_call_text(suite_ecdsa(), "userTransfer(string,string,uint256)",
                                          args, 3, &out), BL_OK);
    assert_int_equal(out.len, 4 + 7 * 32);
    assert_memory_equal(out.data, sel, 4);
    tu_assert_hex_eq(out.data + 4, out.len - 4,
                     "0000000000000000000000000000000000000000000000000000000000000060"
                     "00000000000000000000000000000000000000000000000000000000000000a0"
                     "000000000000000000000000000000000000000000000000000000000000000a"
                     "0000000000000000000000000000000000000000000000000000000000000005"
                     "616c696365000000000000000000000000000000000000000000000000000000"
                     "0000000000000000000000000000000000000000000000000000000000000003"
                     "626f620000000000000000000000000000000000000000000000000000000000");
    bl_buf_free(&out);
}

/* ---- integers ---- */

/* intN is two's complement sign-extended to 32 bytes: -1 is 32 bytes of ff, -128 as int8 is
 * ff…ff80; decoding gives the negative number back. */
static void
negative_int_round_trips_sign_extended(void **state)
{
    static const char *const args[] = {
        "-1", "-128", "-0x10",
        "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
    };
    bl_buf_t out = BL_BUF_INIT;
    abi_type_t *t = parse_types("int256,int8,int64,int256");
    abi_value_t *v = NULL;
    json_t *j = NULL;
    char *text;

    (void)state;
    assert_int_equal(abi_encode_call_text(suite_ecdsa(), "(int256,int8,int64,int256)", args, 4,
                                          &out), BL_OK);
    tu_assert_hex_eq(out.data, out.len,
                     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"
                     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0"
                     "8000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(abi_decode(t, bl_buf_span(&out), &v), BL_OK);
    assert_int_equal(abi_value_to_json(t, v, &j), BL_OK);
    text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(text, "[\"-1\",\"-128\",\"-16\",\"-578960446186580977117854925043439539"
                              "26634992332820282019728792003956564819968\"]");
    free(text);
    json_decref(j);
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&out);
}

/* A value built in C with abi_value_int encodes like the text form, down to INT64_MIN. */
static void
int_constructor_matches_twos_complement(void **state)
{
    abi_type_t *t = parse_types("int64");
    abi_value_t *v = abi_value_list(1);
    bl_buf_t out = BL_BUF_INIT;

    (void)state;
    v->items[0] = abi_value_int(INT64_MIN);
    assert_int_equal(abi_encode(t, v, &out), BL_OK);
    tu_assert_hex_eq(out.data, out.len,
                     "ffffffffffffffffffffffffffffffffffffffffffffffff8000000000000000");
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&out);
}

/* Each type's range: uint8 0..255, int8 -128..127, int256 down to -2^255 but not below;
 * bool only 0/1; an address only 20 bytes. Out-of-range values are refused by the encoder
 * and the output buffer is left untouched. */
static void
values_out_of_range_are_refused(void **state)
{
    static const struct { const char *type, *text; int ok; } cases[] = {
        { "uint8", "255", 1 },  { "uint8", "256", 0 },   { "uint8", "-1", 0 },
        { "int8", "127", 1 },   { "int8", "128", 0 },    { "int8", "-128", 1 },
        { "int8", "-129", 0 },  { "int8", "0x80", 0 },   { "uint256", "0x", 0 },
        { "int256", /* -2^255 - 1 */
          "-57896044618658097711785492504343953926634992332820282019728792003956564819969", 0 },
        { "uint256", "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 1 },
        { "uint256", "0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0 },
        { "bool", "true", 1 },  { "bool", "1", 0 },      { "bool", "yes", 0 },
        { "address", "0x00000000000000000000000000000000000000aa", 1 },
        { "address", "0xaa", 0 }, { "bytes2", "0x0102", 1 }, { "bytes2", "0x01", 0 },
        { "bytes", "0xabc", 0 }, { "uint256", "1.5", 0 }, { "uint256", "12a", 0 },
    };
    bl_buf_t out = BL_BUF_INIT;
    char sig[64];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[1] = { cases[i].text };
        int err;
        snprintf(sig, sizeof sig, "(%s)", cases[i].type);
        err = abi_encode_call_text(suite_ecdsa(), sig, args, 1, &out);
        if (cases[i].ok != (err == BL_OK))
            fail_msg("%s %s: expected %s, got %d (%s)", cases[i].type, cases[i].text,
                     cases[i].ok ? "success" : "BL_E_ABI", err, bl_errmsg());
        if (!cases[i].ok) {
            assert_int_equal(err, BL_E_ABI);
            assert_true(strlen(bl_errmsg()) > 0);
        }
        bl_buf_clear(&out);
    }
    bl_buf_free(&out);
}

/* Values built in C are checked too: a missing item, a wrong count, a bool of 2, an address
 * over 160 bits — and out is unchanged on failure. */
static void
encoder_checks_hand_built_values(void **state)
{
    abi_type_t *t = parse_types("bool,uint256[2],address");
    abi_value_t *v = abi_value_list(3);
    bl_buf_t out = BL_BUF_INIT;

    (void)state;
    bl_buf_append(&out, "x", 1);
    v->items[0] = abi_value_uint(2);
    v->items[1] = abi_value_list(2);
    v->items[1]->items[0] = abi_value_uint(1);
    assert_int_equal(abi_encode(t, v, &out), BL_E_ABI); /* bool 2 */
    abi_value_free(v->items[0]);
    v->items[0] = abi_value_bool(false);
    assert_int_equal(abi_encode(t, v, &out), BL_E_ABI); /* item 2 missing */
    assert_non_null(strstr(bl_errmsg(), "missing item 1"));
    v->items[1]->items[1] = abi_value_uint(2);
    assert_int_equal(abi_encode(t, v, &out), BL_E_ABI); /* address missing */
    v->items[2] = abi_value_uint(UINT64_MAX);
    v->items[2]->num.be[0] = 1;
    assert_int_equal(abi_encode(t, v, &out), BL_E_ABI); /* more than 160 bits */
    assert_int_equal(out.len, 1);
    v->items[2]->num.be[0] = 0;
    assert_int_equal(abi_encode(t, v, &out), BL_OK);
    assert_int_equal(out.len, 1 + 4 * 32);
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&out);
}

/* ---- types ---- */

/* Types print back in canonical form, and the parser knows which are dynamic and how many
 * bytes each takes in a head. */
static void
types_parse_to_canonical_form_with_sizes(void **state)
{
    static const struct { const char *text, *canonical; bool dynamic; size_t head; } cases[] = {
        { "uint", "uint256", false, 32 },        { "int", "int256", false, 32 },
        { "uint8", "uint8", false, 32 },         { "bytes32", "bytes32", false, 32 },
        { "address", "address", false, 32 },     { "string", "string", true, 32 },
        { "uint256[3]", "uint256[3]", false, 96 }, { "uint[]", "uint256[]", true, 32 },
        { "uint8[2][3]", "uint8[2][3]", false, 192 }, { "string[2]", "string[2]", true, 32 },
        { "uint256[][]", "uint256[][]", true, 32 },
        { " ( uint , bool ) [2]", "(uint256,bool)[2]", false, 128 },
        { "(uint256,(bytes,bool))", "(uint256,(bytes,bool))", true, 32 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        abi_type_t *t = NULL;
        char *canon;
        if (abi_type_parse(cases[i].text, &t) != BL_OK)
            fail_msg("\"%s\": %s", cases[i].text, bl_errmsg());
        canon = abi_type_string(t);
        assert_string_equal(canon, cases[i].canonical);
        assert_int_equal(t->dynamic, cases[i].dynamic);
        assert_int_equal(t->head_size, cases[i].head);
        free(canon);
        abi_type_free(t);
    }
}

/* Bad type text is BL_E_ABI with a message: unknown names, N out of range, unbalanced
 * brackets and parentheses, empty tuples, zero-length arrays, nesting too deep. */
static void
bad_types_are_refused(void **state)
{
    static const char *const bad[] = {
        "uint7", "uint0", "uint264", "uint08", "int9", "bytes0", "bytes33", "bytes01",
        "foo", "fixed128x18", "function", "uint256[", "uint256[x]", "uint256[0]", "uint256]",
        "(uint256", "uint256)", "()", "(uint256,)", "uint256 bool", "",
        "uint256[99999999999999999999]",
        "((((((((((((((((((((((((((((((((((uint256))))))))))))))))))))))))))))))))))",
        "uint256[][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][]",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        abi_type_t *t = NULL;
        if (abi_type_parse(bad[i], &t) != BL_E_ABI)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_null(t);
        assert_non_null(strstr(bl_errmsg(), "type \""));
    }
}

/* Type lists and signatures: "" is no arguments; unbalanced or trailing text is refused. */
static void
type_lists_and_signatures_parse(void **state)
{
    static const char *const bad_sigs[] = {
        "f(uint256", "f(uint256))", "f(uint256)x", "f", "1f(uint256)", "f(uint7)", "f(,)",
    };
    abi_signature_t sig;
    abi_type_t *t = NULL;

    (void)state;
    assert_int_equal(abi_types_parse("", &t), BL_OK);
    assert_int_equal(t->nitems, 0);
    abi_type_free(t);
    assert_int_equal(abi_types_parse("uint256,,bool", &t), BL_E_ABI);
    assert_int_equal(abi_types_parse("uint256,", &t), BL_E_ABI);
    assert_int_equal(abi_signature_parse("noArgs()", &sig), BL_OK);
    assert_string_equal(sig.name, "noArgs");
    assert_int_equal(sig.args->nitems, 0);
    abi_signature_free(&sig);
    assert_int_equal(abi_signature_parse("(uint256,string)", &sig), BL_OK);
    assert_string_equal(sig.name, "");
    assert_int_equal(sig.args->nitems, 2);
    abi_signature_free(&sig);
    for (size_t i = 0; i < sizeof bad_sigs / sizeof bad_sigs[0]; i++)
        if (abi_signature_parse(bad_sigs[i], &sig) != BL_E_ABI)
            fail_msg("signature \"%s\" was accepted", bad_sigs[i]);
    assert_true(abi_is_signature("f(uint256)"));
    assert_true(abi_is_signature("(uint256,string)"));
    assert_true(abi_is_signature("f(uint256"));          /* a signature, with an error */
    assert_false(abi_is_signature("uint256,string"));
    assert_false(abi_is_signature("(bool,string)[]"));   /* one array of tuples */
}

/* ---- the strict decoder ---- */

/* One piece of hostile data: the types, the data written word by word, and a piece of the
 * message the decoder must give. A word "n:HEX" is a number (padded on the left), "b:HEX"
 * bytes padded on the right, "raw:HEX" exactly those bytes. */
typedef struct {
    const char *types;
    const char *words[12];
    const char *message;
} bad_data_t;

#define FF32 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const bad_data_t bad_data[] = {
    /* truncated data */
    { "uint256", { NULL }, "truncated" },
    { "uint256", { "raw:00000000000000000000000000000000000000000000000000000000000000" },
      "truncated" },
    { "uint256[3]", { "n:1", "n:2" }, "truncated" },
    { "string", { "n:20", "n:3", "raw:616263" }, "truncated" },        /* padding missing */
    { "string", { "n:20", "n:40", "b:61" }, "truncated" },             /* longer than data */
    { "string", { "n:20" }, "truncated" },                             /* offset at the end */
    /* padding of numbers */
    { "uint8", { "n:100" }, "non-zero high-order padding" },
    { "uint32", { "n:100000000" }, "non-zero high-order padding" },
    { "address", { "n:010000000000000000000000000000000000000000" }, "before its 20 bytes" },
    { "bool", { "n:2" }, "not 0 or 1" },
    { "bool", { "n:100" }, "not 0 or 1" },
    { "int8", { "n:80" }, "sign-extended" },                           /* +128 */
    { "int8", { "n:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
      "sign-extended" },                                               /* -129 */
    /* padding of bytes */
    { "bytes3", { "b:61626364" }, "non-zero padding" },
    { "string", { "n:20", "n:3", "b:61626364" }, "non-zero padding" },
    /* offsets and lengths */
    { "string", { "n:1000" }, "larger than the whole data" },
    { "string", { "n:" FF32 }, "larger than the whole data" },         /* 2^256 - 1 */
    { "string", { "n:10000000000000000" }, "larger than the whole data" }, /* 2^64 */
    { "uint256,string", { "n:1", "n:20", "n:0" }, "points into the 64-byte head" },
    { "bytes", { "n:20", "n:" FF32 }, "larger than the whole data" },
    { "uint256[]", { "n:20", "n:2", "n:1" }, "claims 2 elements" },
    { "uint256[]", { "n:20", "n:" FF32 }, "larger than the whole data" },
    /* trailing bytes */
    { "uint256", { "n:1", "n:2" }, "unexpected bytes" },
    { "uint256", { "n:1", "raw:00" }, "unexpected byte" },
    { "", { "n:0" }, "unexpected bytes" },
    /* four inner arrays that are all the same four words: more reads than words */
    { "uint256[][]", { "n:20", "n:4", "n:80", "n:80", "n:80", "n:80", "n:4", "n:1", "n:2",
                       "n:3", "n:4" }, "overlap" },
};

/* Append one 64-digit word: digits padded with zeros on the left (a number) or the right. */
static void
append_word(char *hex, const char *digits, bool pad_left)
{
    size_t len = strlen(hex), n = strlen(digits);

    memset(hex + len, '0', 64);
    memcpy(hex + len + (pad_left ? 64 - n : 0), digits, n);
    hex[len + 64] = '\0';
}

/* Write the words of a bad_data_t as hex. */
static void
words_hex(const char *const *words, char *hex)
{
    hex[0] = '\0';
    for (size_t i = 0; i < 12 && words[i] != NULL; i++) {
        if (strncmp(words[i], "raw:", 4) == 0)
            strcat(hex, words[i] + 4);
        else if (strncmp(words[i], "b:", 2) == 0)
            append_word(hex, words[i] + 2, false);
        else
            append_word(hex, words[i] + 2, true);
    }
}

static void
decoder_rejects_hostile_data(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_data / sizeof bad_data[0]; i++) {
        char hex[12 * 64 + 1];
        int err;
        words_hex(bad_data[i].words, hex);
        err = decode_status(bad_data[i].types, hex);
        if (err != BL_E_ABI || strstr(bl_errmsg(), bad_data[i].message) == NULL)
            fail_msg("case %zu (%s, %s): got %d \"%s\", expected BL_E_ABI with \"%s\"", i,
                     bad_data[i].types, hex, err, bl_errmsg(), bad_data[i].message);
    }
}

/* Every proper prefix of a valid encoding is refused, and flipping any byte either decodes or
 * is refused — never a crash or a read outside the data (this test matters under ASan). */
static void
decoder_survives_every_truncation_and_byte_flip(void **state)
{
    abi_type_t *t = parse_types("uint256[][],string[]");
    bl_buf_t full = BL_BUF_INIT;
    abi_value_t *v;

    (void)state;
    tu_hex(SPEC_G + 8, &full);
    for (size_t n = 0; n < full.len; n++) {
        uint8_t *copy = bl_xmalloc(n); /* exactly n bytes, so ASan sees any overread */
        v = NULL;
        memcpy(copy, full.data, n);
        assert_int_equal(abi_decode(t, bl_span(copy, n), &v), BL_E_ABI);
        assert_null(v);
        free(copy);
    }
    for (size_t i = 0; i < full.len; i++) {
        for (int flip = 0; flip < 3; flip++) {
            uint8_t *copy = bl_xmalloc(full.len), old = full.data[i];
            static const uint8_t with[3] = { 0xff, 0x01, 0x80 };
            memcpy(copy, full.data, full.len);
            copy[i] = with[flip] == old ? 0x00 : with[flip];
            v = NULL;
            if (abi_decode(t, bl_span(copy, full.len), &v) == BL_OK)
                assert_non_null(v);
            else
                assert_true(strlen(bl_errmsg()) > 0);
            abi_value_free(v);
            free(copy);
        }
    }
    abi_type_free(t);
    bl_buf_free(&full);
}

/* Call data must start with the function's selector. */
static void
decode_call_checks_the_selector(void **state)
{
    bl_buf_t data = BL_BUF_INIT;
    abi_value_t *v = NULL;

    (void)state;
    tu_hex(SPEC_BAZ, &data);
    assert_int_equal(abi_decode_call(suite_ecdsa(), "baz(uint32,bool)", bl_buf_span(&data), &v),
                     BL_OK);
    abi_value_free(v);
    v = NULL;
    assert_int_equal(abi_decode_call(suite_sm(), "baz(uint32,bool)", bl_buf_span(&data), &v),
                     BL_E_ABI);
    assert_non_null(strstr(bl_errmsg(), "selector cdcd77c0"));
    assert_int_equal(abi_decode_call(suite_ecdsa(), "bar(uint32,bool)", bl_buf_span(&data), &v),
                     BL_E_ABI);
    assert_int_equal(abi_decode_call(suite_ecdsa(), "baz(uint32,bool)", bl_span(data.data, 3),
                                     &v), BL_E_ABI);
    assert_null(v);
    bl_buf_free(&data);
}

/* ---- JSON and text ---- */

/* Output JSON: numbers as decimal strings (uint256 max does not fit a JSON number), address
 * and bytes as 0x lowercase hex, strings as strings, bools as true/false. */
static void
values_convert_to_json(void **state)
{
    static const char *const args[] = {
        "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        "-5", "0xABCDEF0000000000000000000000000000000001", "false",
        "0x0102030405060708091011121314151617181920212223242526272829303132",
        "h\xc3\xa9llo", "0x", "[\"0x1f\",255]",
    };
    const char *types = "uint256,int16,address,bool,bytes32,string,bytes,uint8[2]";
    abi_type_t *t = parse_types(types);
    abi_value_t *v = NULL;
    bl_buf_t out = BL_BUF_INIT;
    json_t *j = NULL;
    char sig[128], *text;

    (void)state;
    snprintf(sig, sizeof sig, "(%s)", types);
    assert_int_equal(abi_encode_call_text(suite_ecdsa(), sig, args, 8, &out), BL_OK);
    assert_int_equal(abi_decode(t, bl_buf_span(&out), &v), BL_OK);
    assert_int_equal(abi_value_to_json(t, v, &j), BL_OK);
    text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(text,
        "[\"115792089237316195423570985008687907853269984665640564039457584007913129639935\","
        "\"-5\",\"0xabcdef0000000000000000000000000000000001\",false,"
        "\"0x0102030405060708091011121314151617181920212223242526272829303132\","
        "\"h\xc3\xa9llo\",\"0x\",[\"31\",\"255\"]]");
    free(text);
    json_decref(j);
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&out);
}

/* A decoded string that is not UTF-8 cannot become a JSON string: refused with a hint. */
static void
non_utf8_string_is_refused_as_json(void **state)
{
    abi_type_t *t = parse_types("string");
    abi_value_t *v = NULL;
    bl_buf_t data = BL_BUF_INIT;
    json_t *j = NULL;

    (void)state;
    tu_hex("0000000000000000000000000000000000000000000000000000000000000020"
           "0000000000000000000000000000000000000000000000000000000000000002"
           "ff00000000000000000000000000000000000000000000000000000000000000", &data);
    assert_int_equal(abi_decode(t, bl_buf_span(&data), &v), BL_OK);
    assert_int_equal(abi_value_to_json(t, v, &j), BL_E_ABI);
    assert_non_null(strstr(bl_errmsg(), "UTF-8"));
    assert_null(j);
    abi_value_free(v);
    abi_type_free(t);
    bl_buf_free(&data);
}

/* Arrays as JSON text: bare integers or strings, nested arrays, and wrong shapes refused. */
static void
json_array_arguments_parse(void **state)
{
    static const struct { const char *type, *text; int ok; } cases[] = {
        { "uint256[]", "[1,\"2\",\"0x3\"]", 1 },  { "uint256[]", "[]", 1 },
        { "bool[]", "[true,false,\"true\"]", 1 }, { "uint256[][]", "[[1],[2,3],[]]", 1 },
        { "(uint8,string)", "[1,\"a\"]", 1 },      { "int8[]", "[-1,\"-2\"]", 1 },
        { "uint256[]", "[1.5]", 0 },              { "uint256[]", "[-1]", 0 },
        { "uint256[]", "1,2", 0 },                { "uint256[]", "{\"a\":1}", 0 },
        { "uint256[2]", "[1,2,3]", 0 },           { "string[]", "[1]", 0 },
        { "bool[]", "[1]", 0 },                   { "(uint8,string)", "[1]", 0 },
        { "uint256[][]", "[1]", 0 },              { "uint256[]", "[null]", 0 },
        { "address[]", "[\"0x12\"]", 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        abi_type_t *t = NULL;
        abi_value_t *v = NULL;
        int err;
        assert_int_equal(abi_type_parse(cases[i].type, &t), BL_OK);
        err = abi_value_from_text(t, cases[i].text, &v);
        if (cases[i].ok != (err == BL_OK))
            fail_msg("%s %s: got %d (%s)", cases[i].type, cases[i].text, err, bl_errmsg());
        if (err == BL_OK)
            assert_int_equal(abi_value_check(t, v), BL_OK);
        abi_value_free(v);
        abi_type_free(t);
    }
}

/* A decoded string handed to C code: a NUL inside it is refused, not silently cut. */
static void
cstring_refuses_embedded_nul(void **state)
{
    abi_value_t *v = abi_value_bytes("ab\0c", 4);
    abi_value_t *w = abi_value_string("table_t");
    char *s = NULL;

    (void)state;
    assert_int_equal(abi_value_cstring(v, &s), BL_E_ABI);
    assert_null(s);
    assert_int_equal(abi_value_cstring(w, &s), BL_OK);
    assert_string_equal(s, "table_t");
    free(s);
    abi_value_free(v);
    abi_value_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(selector_hashes_the_canonical_signature),
        cmocka_unit_test(sm_selector_is_the_first_4_bytes_of_sm3),
        cmocka_unit_test(spec_example_baz_static_arguments),
        cmocka_unit_test(spec_example_bar_fixed_array_of_bytes3),
        cmocka_unit_test(spec_example_sam_dynamic_bytes_and_array),
        cmocka_unit_test(spec_example_f_mixed_static_and_dynamic),
        cmocka_unit_test(spec_example_g_nested_dynamic_arrays),
        cmocka_unit_test(tuple_is_encoded_as_a_nested_list),
        cmocka_unit_test(fisco_user_transfer_call_layout),
        cmocka_unit_test(negative_int_round_trips_sign_extended),
        cmocka_unit_test(int_constructor_matches_twos_complement),
        cmocka_unit_test(values_out_of_range_are_refused),
        cmocka_unit_test(encoder_checks_hand_built_values),
        cmocka_unit_test(types_parse_to_canonical_form_with_sizes),
        cmocka_unit_test(bad_types_are_refused),
        cmocka_unit_test(type_lists_and_signatures_parse),
        cmocka_unit_test(decoder_rejects_hostile_data),
        cmocka_unit_test(decoder_survives_every_truncation_and_byte_flip),
        cmocka_unit_test(decode_call_checks_the_selector),
        cmocka_unit_test(values_convert_to_json),
        cmocka_unit_test(non_utf8_string_is_refused_as_json),
        cmocka_unit_test(json_array_arguments_parse),
        cmocka_unit_test(cstring_refuses_embedded_nul),
    };

    return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
