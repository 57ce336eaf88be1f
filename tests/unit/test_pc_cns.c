/*
 * test_pc_cns.c — the CNS precompiled contract (exec/pc_cns.c): naming contracts.
 *
 * Pins down fisco-2x-facts §7.1 (insert / selectByName / selectByNameAndVersion /
 * getContractAddress), FISCO's codes -51200, -51201 and -50102 (libprecompiled/Common.h), the
 * order of the checks and the exact JSON text of the answers (libprecompiled/CNSPrecompiled.cpp,
 * written by jsoncpp 1.7.7's Json::FastWriter).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pcutil.h"

#include "base/error.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define CNS 0x1004
#define INSERT "insert(string,string,string,string)"
#define SELECT "selectByName(string)"
#define SELECT_VERSION "selectByNameAndVersion(string,string)"
#define ADDRESS "getContractAddress(string,string)"

#define ADDR_A "0x8c17cf316c1063ab6c89df875e96c9f0f5b2f744"
#define ADDR_B "0x0000000000000000000000000000000000000b0b"

static uint8_t deployer[20];

static int
setup(void **state)
{
    (void)state;
    pcu_account(deployer, 0xde);
    return 0;
}

static int64_t
insert(pcu_chain_t *ch, const char *name, const char *version, const char *addr,
       const char *abi)
{
    return pcu_call_int(ch, deployer, CNS, INSERT, name, version, addr, abi, NULL);
}

static void
assert_answer(pcu_chain_t *ch, const char *want, const char *signature, const char *name,
              const char *version)
{
    char *got = pcu_call_string(ch, deployer, CNS, signature, name, version, NULL);

    assert_string_equal(got, want);
    free(got);
}

/* [S:CNSPrecompiled.cpp]: selectByName answers every version, in the order registered, as
 * FastWriter writes a JSON array: fields abi, address, name, version (name order), no
 * spaces, a newline at the end. */
static void
cns_insert_then_select_by_name_answers_fiscos_json(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_answer(&ch, "[]\n", SELECT, "Asset", NULL);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_A, "[{\"type\":\"function\"}]"), 1);
    assert_int_equal(insert(&ch, "Asset", "2.0", ADDR_B, ""), 1);
    assert_int_equal(insert(&ch, "Other", "1.0", ADDR_B, "x"), 1);
    assert_answer(&ch,
                  "[{\"abi\":\"[{\\\"type\\\":\\\"function\\\"}]\",\"address\":\"" ADDR_A
                  "\",\"name\":\"Asset\",\"version\":\"1.0\"},"
                  "{\"abi\":\"\",\"address\":\"" ADDR_B
                  "\",\"name\":\"Asset\",\"version\":\"2.0\"}]\n",
                  SELECT, "Asset", NULL);
    pcu_close(&ch);
}

/* selectByNameAndVersion answers a list of the one match, or an empty list. */
static void
cns_select_by_name_and_version_answers_a_list_of_one(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_A, "abi1"), 1);
    assert_int_equal(insert(&ch, "Asset", "2.0", ADDR_B, "abi2"), 1);
    assert_answer(&ch,
                  "[{\"abi\":\"abi2\",\"address\":\"" ADDR_B
                  "\",\"name\":\"Asset\",\"version\":\"2.0\"}]\n",
                  SELECT_VERSION, "Asset", "2.0");
    assert_answer(&ch, "[]\n", SELECT_VERSION, "Asset", "3.0");
    assert_answer(&ch, "[]\n", SELECT_VERSION, "Nothing", "1.0");
    pcu_close(&ch);
}

/* getContractAddress answers an ABI address; the zero address when there is no such version
 * (FISCO 2.9 would read past an empty result here). */
static void
cns_get_contract_address_answers_the_registered_address(void **state)
{
    pcu_chain_t ch;
    receipt_t r;
    uint8_t got[20], want[20], zero[20] = { 0 };

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_A, "abi"), 1);
    pcu_call(&ch, deployer, CNS, ADDRESS, &r, "Asset", "1.0", NULL);
    assert_int_equal(r.status, TX_OK);
    pcu_output_address(&r, got);
    tu_hex_fixed(ADDR_A, want, 20);
    assert_memory_equal(got, want, 20);
    receipt_free(&r);
    pcu_call(&ch, deployer, CNS, ADDRESS, &r, "Asset", "9.9", NULL);
    assert_int_equal(r.status, TX_OK);
    pcu_output_address(&r, got);
    assert_memory_equal(got, zero, 20);
    receipt_free(&r);
    pcu_close(&ch);
}

/* §7.1 [S:CNSPrecompiled.cpp, Common.h]: a name may have each version once: -51200. */
static void
cns_duplicate_name_and_version_is_refused_with_51200(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_A, "abi"), 1);
    pcu_next_block(&ch);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_B, "abi"), CODE_ADDRESS_AND_VERSION_EXIST);
    assert_int_equal(insert(&ch, "Asset", "1.1", ADDR_B, "abi"), 1);
    pcu_close(&ch);
}

/* §7.1: a version of up to 128 characters (CNS_VERSION_MAX_LENGTH); longer is -51201, checked
 * before anything else. */
static void
cns_version_over_128_characters_is_refused_with_51201(void **state)
{
    pcu_chain_t ch;
    char version[130];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    memset(version, 'v', 128);
    version[128] = '\0';
    assert_int_equal(insert(&ch, "Asset", version, ADDR_A, "abi"), 1);
    version[128] = 'v';
    version[129] = '\0';
    assert_int_equal(insert(&ch, "Asset", version, "not an address", "abi"),
                     CODE_VERSION_LENGTH_OVERFLOW);
    pcu_close(&ch);
}

/* [S:CNSPrecompiled.cpp checkCNSParam]: the address must be 20 bytes of hex, 0x or not:
 * -50102, checked after the duplicate check. */
static void
cns_invalid_address_is_refused_with_50102(void **state)
{
    static const char *const bad[] = {
        "", "0x", "0x123", "8c17cf316c1063ab6c89df875e96c9f0f5b2f7",
        "0x8c17cf316c1063ab6c89df875e96c9f0f5b2f74400",
        "0xzz17cf316c1063ab6c89df875e96c9f0f5b2f744",
    };
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(insert(&ch, "Asset", "1.0", bad[i], "abi"), CODE_ADDRESS_INVALID);
    assert_int_equal(insert(&ch, "Asset", "1.0", "8C17CF316C1063AB6C89DF875E96C9F0F5B2F744", ""),
                     1);
    assert_int_equal(insert(&ch, "Asset", "1.0", "bad", "abi"), CODE_ADDRESS_AND_VERSION_EXIST);
    pcu_close(&ch);
}

/* The JSON text escapes what jsoncpp 1.7.7 escapes — quote, backslash, \b \f \n \r \t and
 * other control bytes as \u00XX — and copies the rest, '/' and UTF-8 included. */
static void
cns_json_escapes_text_as_jsoncpp_does(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(insert(&ch, "n", "1", ADDR_A, "a\"b\\c/d\n\t\r\b\f\x01\x1f\xc3\xa9"), 1);
    assert_answer(&ch,
                  "[{\"abi\":\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001F\xc3\xa9\",\"address\":\""
                  ADDR_A "\",\"name\":\"n\",\"version\":\"1\"}]\n",
                  SELECT, "n", NULL);
    pcu_close(&ch);
}

/* A name over 255 bytes cannot be a table key (FISCO's checkLengthValidate throws): the call
 * fails with status 21 and writes nothing. So does an unknown method. */
static void
cns_unstorable_name_or_unknown_method_fails_with_status_21(void **state)
{
    pcu_chain_t ch;
    receipt_t r;
    char name[300];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    memset(name, 'n', 256);
    name[256] = '\0';
    pcu_call(&ch, deployer, CNS, INSERT, &r, name, "1.0", ADDR_A, "abi", NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_call(&ch, deployer, CNS, "insert(string,string,address,string)", &r, "n", "1.0", ADDR_A,
             "abi", NULL); /* FISCO 3.x's signature, not 2.x's */
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* §1.1: an SM chain's selectors are SM3's. */
static void
cns_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_sm(), 1);
    assert_int_equal(insert(&ch, "Asset", "1.0", ADDR_A, "abi"), 1);
    assert_answer(&ch,
                  "[{\"abi\":\"abi\",\"address\":\"" ADDR_A
                  "\",\"name\":\"Asset\",\"version\":\"1.0\"}]\n",
                  SELECT_VERSION, "Asset", "1.0");
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cns_insert_then_select_by_name_answers_fiscos_json),
        cmocka_unit_test(cns_select_by_name_and_version_answers_a_list_of_one),
        cmocka_unit_test(cns_get_contract_address_answers_the_registered_address),
        cmocka_unit_test(cns_duplicate_name_and_version_is_refused_with_51200),
        cmocka_unit_test(cns_version_over_128_characters_is_refused_with_51201),
        cmocka_unit_test(cns_invalid_address_is_refused_with_50102),
        cmocka_unit_test(cns_json_escapes_text_as_jsoncpp_does),
        cmocka_unit_test(cns_unstorable_name_or_unknown_method_fails_with_status_21),
        cmocka_unit_test(cns_sm_chain_uses_sm3_selectors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
