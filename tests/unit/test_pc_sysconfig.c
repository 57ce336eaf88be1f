/*
 * test_pc_sysconfig.c — the SystemConfig precompiled contract (exec/pc_sysconfig.c) and the
 * accessor the node reads settings with (pc_sysconfig_get).
 *
 * Pins down fisco-2x-facts §7.2 (keys, defaults and valid values, FISCO's
 * libprecompiled/SystemConfigPrecompiled.cpp checkValueValid and Common.h) and §6.2 (a
 * setting written in block N has enable_num N + 1: it applies from the next block).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pcutil.h"

#include "base/error.h"
#include "exec/pc_system.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define SYSCONFIG 0x1000
#define SET "setValueByKey(string,string)"

static int64_t
set_value(pcu_chain_t *ch, const uint8_t from[20], const char *key, const char *value)
{
    return pcu_call_int(ch, from, SYSCONFIG, SET, key, value, NULL);
}

/* Fail unless `key` is `want` in force at block `number`. */
static void
assert_setting(pcu_chain_t *ch, const char *key, int64_t number, const char *want)
{
    char value[PC_SYSCONFIG_VALUE_MAX];

    assert_int_equal(pc_sysconfig_get(ch->db, key, number, value, sizeof value), BL_OK);
    assert_string_equal(value, want);
}

/* The rows of `key` in _sys_config_, as "value@enable_num,..." */
static void
assert_rows(pcu_chain_t *ch, const char *key, const char *want)
{
    table_t *t;
    entries_t rows;
    bl_buf_t text;

    bl_buf_init(&text);
    entries_init(&rows);
    assert_int_equal(amdb_open_table(ch->db, AMDB_SYS_CONFIG, &t), BL_OK);
    assert_int_equal(table_select(t, key, NULL, &rows), BL_OK);
    for (size_t i = 0; i < rows.count; i++) {
        const bl_buf_t *v = entry_get(&rows.items[i], "value");
        const bl_buf_t *n = entry_get(&rows.items[i], "enable_num");
        if (i > 0)
            bl_buf_push(&text, ',');
        bl_buf_append(&text, v->data, v->len);
        bl_buf_push(&text, '@');
        bl_buf_append(&text, n->data, n->len);
    }
    bl_buf_push(&text, '\0');
    assert_string_equal((const char *)text.data, want);
    entries_free(&rows);
    bl_buf_free(&text);
}

/* §7.2/§6.2: setValueByKey answers 1 and writes (key | value, enable_num = current + 1). */
static void
sysconfig_set_value_writes_a_row_enabled_from_the_next_block(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 5);
    assert_int_equal(set_value(&ch, alice, "tx_count_limit", "500"), 1);
    assert_rows(&ch, "tx_count_limit", "500@6");
    pcu_close(&ch);
}

/* §6.2: a setting written in block N is not in force at N (the old value is), and is from
 * N + 1 on; every change stays in the table, so older blocks keep their answer. */
static void
sysconfig_change_applies_only_from_the_next_block(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 5);
    assert_int_equal(set_value(&ch, alice, "tx_count_limit", "500"), 1);
    assert_setting(&ch, "tx_count_limit", 5, "1000"); /* FISCO's default, still */
    assert_setting(&ch, "tx_count_limit", 6, "500");
    pcu_next_block(&ch);
    pcu_next_block(&ch);
    pcu_next_block(&ch); /* block 8 */
    assert_int_equal(set_value(&ch, alice, "tx_count_limit", "700"), 1);
    assert_setting(&ch, "tx_count_limit", 8, "500");
    assert_setting(&ch, "tx_count_limit", 9, "700");
    assert_setting(&ch, "tx_count_limit", 6, "500");
    assert_rows(&ch, "tx_count_limit", "500@6,700@9");
    pcu_close(&ch);
}

/* §7.2 [S:libprecompiled/Common.h]: without a row, the node uses FISCO's defaults; a genesis
 * row (enable_num 0) replaces the default from block 0. */
static void
sysconfig_defaults_are_fiscos_until_a_row_is_in_force(void **state)
{
    pcu_chain_t ch;
    int64_t v;
    char text[8];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_setting(&ch, "tx_count_limit", 0, "1000");
    assert_setting(&ch, "tx_gas_limit", 0, "300000000");
    assert_setting(&ch, "consensus_timeout", 0, "3");
    assert_int_equal(pc_sysconfig_get(ch.db, "rpbft_epoch_sealer_num", 0, text, sizeof text),
                     BL_E_NOTFOUND); /* its default is the number of sealers */
    assert_int_equal(pc_sysconfig_get(ch.db, "tx_gas_limit", 0, text, 4), BL_E_RANGE);
    assert_int_equal(pc_sysconfig_genesis(ch.db, "tx_count_limit", "2000"), BL_OK);
    assert_int_equal(pc_sysconfig_genesis(ch.db, "tx_count_limit", "0"), BL_E_INVALID);
    assert_int_equal(pc_sysconfig_get_int(ch.db, "tx_count_limit", 0, &v), BL_OK);
    assert_int_equal(v, 2000);
    pcu_close(&ch);
}

/* §7.2 [S:SystemConfigPrecompiled.cpp checkValueValid]: the valid ranges, their edges, the
 * number syntax of boost::lexical_cast<int64_t>, and unknown keys. A refusal answers -51300
 * and writes nothing. */
static void
sysconfig_invalid_key_or_value_is_refused_with_51300(void **state)
{
    static const struct {
        const char *key, *value;
        int64_t want;
    } cases[] = {
        { "tx_count_limit", "1", 1 },           { "tx_count_limit", "0", -51300 },
        { "tx_count_limit", "-1", -51300 },     { "tx_count_limit", "+7", 1 },
        { "tx_count_limit", "abc", -51300 },    { "tx_count_limit", "", -51300 },
        { "tx_count_limit", " 5", -51300 },     { "tx_count_limit", "5 ", -51300 },
        { "tx_count_limit", "1e3", -51300 },    { "tx_count_limit", "+", -51300 },
        { "tx_count_limit", "9223372036854775807", 1 },
        { "tx_count_limit", "9223372036854775808", -51300 },
        { "tx_gas_limit", "100000", 1 },        { "tx_gas_limit", "99999", -51300 },
        { "consensus_timeout", "3", 1 },        { "consensus_timeout", "2", -51300 },
        { "consensus_timeout", "4294966", 1 },  { "consensus_timeout", "4294967", -51300 },
        { "rpbft_epoch_sealer_num", "1", 1 },   { "rpbft_epoch_sealer_num", "0", -51300 },
        { "rpbft_epoch_block_num", "2", 1 },    { "rpbft_epoch_block_num", "1", -51300 },
        { "enable_charge_mgr", "on", 1 },       { "enable_charge_mgr", "off", 1 },
        { "enable_charge_mgr", "ON", -51300 },  { "block_size", "5", -51300 },
        { "", "5", -51300 },
    };
    pcu_chain_t ch;
    uint8_t alice[20];

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t mark = amdb_savepoint(ch.db);
        int64_t got = set_value(&ch, alice, cases[i].key, cases[i].value);
        if (got != cases[i].want)
            fail_msg("%s = \"%s\": got %lld, want %lld", cases[i].key, cases[i].value,
                     (long long)got, (long long)cases[i].want);
        if (got < 0)
            assert_int_equal(amdb_savepoint(ch.db), mark); /* nothing written */
    }
    pcu_close(&ch);
}

/* [S:SystemConfigPrecompiled.cpp]: the key is lowercased before anything else. */
static void
sysconfig_key_is_lowercased(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(set_value(&ch, alice, "TX_Gas_Limit", "200000"), 1);
    assert_setting(&ch, "tx_gas_limit", 2, "200000");
    pcu_close(&ch);
}

/* Two changes of one key in one block: the later one wins, and the table gains one row. */
static void
sysconfig_second_change_in_a_block_replaces_the_first(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 3);
    assert_int_equal(set_value(&ch, alice, "consensus_timeout", "10"), 1);
    assert_int_equal(set_value(&ch, alice, "consensus_timeout", "20"), 1);
    assert_rows(&ch, "consensus_timeout", "20@4");
    assert_setting(&ch, "consensus_timeout", 4, "20");
    pcu_close(&ch);
}

/* precompiled.h: an unknown method or arguments that do not decode end the call with status
 * 21 (PrecompiledError) and no output; nothing is written. */
static void
sysconfig_unknown_method_or_bad_arguments_fail_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    receipt_t r;
    bl_buf_t data;

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_call(&ch, alice, SYSCONFIG, "getValueByKey(string)", &r, "tx_count_limit", NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    assert_int_equal(r.output.len, 0);
    receipt_free(&r);
    bl_buf_init(&data);
    pcu_encode(suite_ecdsa(), &data, SET, "tx_count_limit", "5", NULL);
    pcu_call_raw(&ch, alice, SYSCONFIG, bl_span(data.data, data.len - 1), &r); /* cut short */
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_call_raw(&ch, alice, SYSCONFIG, bl_span(data.data, 3), &r); /* not even a selector */
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* §1.1/§7.1: on an SM chain the selectors are SM3's; the Keccak selector means nothing there. */
static void
sysconfig_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    receipt_t r;
    bl_buf_t data;

    (void)state;
    pcu_account(alice, 1);
    pcu_open(&ch, suite_sm(), 1);
    assert_int_equal(set_value(&ch, alice, "tx_count_limit", "42"), 1);
    assert_setting(&ch, "tx_count_limit", 2, "42");
    bl_buf_init(&data);
    pcu_encode(suite_ecdsa(), &data, SET, "tx_count_limit", "5", NULL);
    pcu_call_raw(&ch, alice, SYSCONFIG, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sysconfig_set_value_writes_a_row_enabled_from_the_next_block),
        cmocka_unit_test(sysconfig_change_applies_only_from_the_next_block),
        cmocka_unit_test(sysconfig_defaults_are_fiscos_until_a_row_is_in_force),
        cmocka_unit_test(sysconfig_invalid_key_or_value_is_refused_with_51300),
        cmocka_unit_test(sysconfig_key_is_lowercased),
        cmocka_unit_test(sysconfig_second_change_in_a_block_replaces_the_first),
        cmocka_unit_test(sysconfig_unknown_method_or_bad_arguments_fail_with_status_21),
        cmocka_unit_test(sysconfig_sm_chain_uses_sm3_selectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
