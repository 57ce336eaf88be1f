/*
 * test_pc_permission.c — the Permission precompiled contract (exec/pc_permission.c), and what
 * a whitelist does to the other system contracts' writes.
 *
 * Pins down fisco-2x-facts §7.3 (a table listed in _sys_table_access_ may be written only by
 * the accounts listed, from the block after the grant) and §7.1 / FISCO's
 * libprecompiled/PermissionPrecompiled.cpp and Common.h: codes -51000, -51001, -51002, -51003,
 * -50102, the u_ prefix of user tables, the JSON of queryByName, and that a refused write
 * ends with status 0 and output CODE_NO_AUTHORIZED (-50000) — FISCO's Table::insert returns
 * it and each system contract passes it on (e.g. SystemConfigPrecompiled.cpp).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcutil.h"

#include "base/error.h"
#include "exec/pc_system.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define PERMISSION 0x1005
#define INSERT "insert(string,string)"
#define REMOVE "remove(string,string)"
#define QUERY "queryByName(string)"
#define GRANT "grantWrite(address,address)"
#define REVOKE "revokeWrite(address,address)"
#define QUERY_CONTRACT "queryPermission(address)"

static uint8_t alice[20], bob[20], contract[20];
static char alice_hex[43], bob_hex[43], contract_hex[43];

static int
setup(void **state)
{
    (void)state;
    pcu_account(alice, 0x0a);
    pcu_account(bob, 0x0b);
    pcu_account(contract, 0xcc);
    pcu_account_hex(0x0a, alice_hex);
    pcu_account_hex(0x0b, bob_hex);
    pcu_account_hex(0xcc, contract_hex);
    return 0;
}

/* May `who` write `table` in the block being executed (exec_table.c's check)? */
static bool
may_write(pcu_chain_t *ch, const char *table, const uint8_t who[20])
{
    exec_call_t c;
    uint8_t zero[20] = { 0 };
    bool allowed = false;

    exec_call_init(&c, &ch->block, who, zero, bl_span("", 0), NULL);
    assert_int_equal(exec_may_write(&c, table, &allowed), BL_OK);
    exec_call_free(&c);
    return allowed;
}

static void
assert_query(pcu_chain_t *ch, const char *signature, const char *arg, const char *want)
{
    char *got = pcu_call_string(ch, alice, PERMISSION, signature, arg, NULL);

    assert_string_equal(got, want);
    free(got);
}

/* A deployed contract, as StorageState keeps it: a table c_<address> with an "alive" row. */
static void
deploy(pcu_chain_t *ch, const uint8_t addr[20])
{
    char name[43] = "c_";
    table_t *t;
    entry_t e;

    bl_hex_encode(addr, 20, name + 2);
    assert_int_equal(amdb_open_table(ch->db, name, &t), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "value", "true");
    assert_int_equal(table_insert(t, "alive", &e), BL_OK);
    entry_free(&e);
}

/* §7.3: insert lists an account for u_<table> from the next block on; from then, only listed
 * accounts may write it. queryByName answers FISCO's JSON (fields address, enable_num,
 * table_name). */
static void
permission_insert_guards_a_user_table_from_the_next_block(void **state)
{
    pcu_chain_t ch;
    char want[256];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_query(&ch, QUERY, "t_demo", "[]\n");
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t_demo", alice_hex, NULL), 1);
    snprintf(want, sizeof want,
             "[{\"address\":\"%s\",\"enable_num\":\"2\",\"table_name\":\"u_t_demo\"}]\n",
             alice_hex);
    assert_query(&ch, QUERY, "t_demo", want);
    assert_true(may_write(&ch, "u_t_demo", bob)); /* block 1: not in force yet */
    pcu_next_block(&ch);
    assert_false(may_write(&ch, "u_t_demo", bob));
    assert_true(may_write(&ch, "u_t_demo", alice));
    pcu_close(&ch);
}

/* §7.3: the five guarded system tables keep their names (no u_ prefix). */
static void
permission_system_tables_keep_their_names(void **state)
{
    static const char *const tables[] = { "_sys_tables_", "_sys_table_access_",
                                          "_sys_consensus_", "_sys_cns_", "_sys_config_" };
    pcu_chain_t ch;
    char want[256];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, tables[i], alice_hex,
                                      NULL), 1);
        snprintf(want, sizeof want,
                 "[{\"address\":\"%s\",\"enable_num\":\"2\",\"table_name\":\"%s\"}]\n",
                 alice_hex, tables[i]);
        assert_query(&ch, QUERY, tables[i], want);
    }
    pcu_close(&ch);
}

/* [S:PermissionPrecompiled.cpp]: listing an account twice is -51000 — the same account
 * however it is written (0x or not, upper or lower case). */
static void
permission_duplicate_is_refused_with_51000(void **state)
{
    pcu_chain_t ch;
    char upper[41];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", alice_hex, NULL), 1);
    for (int i = 0; i < 40; i++)
        upper[i] = alice_hex[2 + i] == 'a' ? 'A' : alice_hex[2 + i];
    upper[40] = '\0';
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", upper, NULL),
                     CODE_TABLE_AND_ADDRESS_ALREADY_EXIST);
    pcu_close(&ch);
}

/* [S:PermissionPrecompiled.cpp]: remove answers 1, then -51001 for what is not listed; a
 * removal applies at once (the row is deleted, as in FISCO). */
static void
permission_remove_of_a_missing_grant_is_refused_with_51001(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", alice_hex, NULL), 1);
    pcu_next_block(&ch);
    assert_false(may_write(&ch, "u_t", bob));
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REMOVE, "t", bob_hex, NULL),
                     CODE_TABLE_AND_ADDRESS_NOT_EXIST);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REMOVE, "t", alice_hex, NULL), 1);
    assert_true(may_write(&ch, "u_t", bob));
    assert_query(&ch, QUERY, "t", "[]\n");
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REMOVE, "t", alice_hex, NULL),
                     CODE_TABLE_AND_ADDRESS_NOT_EXIST);
    pcu_close(&ch);
}

/* [S:PermissionPrecompiled.cpp, Common.h USER_TABLE_NAME_MAX_LENGTH]: with its u_ prefix a
 * table name may be 64 characters; longer is -51002. An account that is not 20 bytes of hex
 * is -50102. */
static void
permission_long_table_name_or_bad_address_is_refused(void **state)
{
    pcu_chain_t ch;
    char name[70];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    memset(name, 't', 62);
    name[62] = '\0';
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, name, alice_hex, NULL), 1);
    strcat(name, "t");
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, name, alice_hex, NULL),
                     CODE_TABLE_NAME_OVERFLOW);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", "0x1234", NULL),
                     CODE_ADDRESS_INVALID);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", "alice", NULL),
                     CODE_ADDRESS_INVALID);
    pcu_close(&ch);
}

/* §7.3: an account outside _sys_config_'s whitelist cannot change a setting. The transaction
 * runs (status 0) and its output says why: -50000; nothing changes. The listed account can. */
static void
permission_outsider_is_refused_with_50000_and_status_0(void **state)
{
    pcu_chain_t ch;
    receipt_t r;
    char value[16], node[PC_NODE_ID_HEX + 1];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "_sys_config_", alice_hex,
                                  NULL), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "_sys_consensus_", alice_hex,
                                  NULL), 1);
    pcu_next_block(&ch);
    pcu_call(&ch, bob, 0x1000, "setValueByKey(string,string)", &r, "tx_count_limit", "5", NULL);
    assert_int_equal(r.status, TX_OK);
    assert_int_equal(pcu_output_int(&r), CODE_NO_AUTHORIZED);
    receipt_free(&r);
    assert_int_equal(pc_sysconfig_get(ch.db, "tx_count_limit", 3, value, sizeof value), BL_OK);
    assert_string_equal(value, "1000");
    memset(node, 'a', PC_NODE_ID_HEX);
    node[PC_NODE_ID_HEX] = '\0';
    assert_int_equal(pcu_call_int(&ch, bob, 0x1003, "addObserver(string)", node, NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, alice, 0x1000, "setValueByKey(string,string)",
                                  "tx_count_limit", "5", NULL), 1);
    pcu_close(&ch);
}

/* §7.3: _sys_table_access_ is guarded like any table: once it lists permission managers, only
 * they may grant or revoke (-50000 for anyone else, on CNS too once _sys_cns_ is listed). */
static void
permission_managers_guard_the_access_table_itself(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "_sys_table_access_",
                                  alice_hex, NULL), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "_sys_cns_", alice_hex, NULL),
                     1);
    pcu_next_block(&ch);
    assert_int_equal(pcu_call_int(&ch, bob, PERMISSION, INSERT, "t", bob_hex, NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, bob, PERMISSION, REMOVE, "_sys_cns_", alice_hex, NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, bob, 0x1004, "insert(string,string,string,string)", "n",
                                  "1", alice_hex, "", NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", bob_hex, NULL), 1);
    assert_query(&ch, QUERY, "t_nothing", "[]\n");
    pcu_close(&ch);
}

/* [S:PermissionPrecompiled.cpp grantWrite/revokeWrite/queryPermission]: the whitelist of a
 * contract's own table c_<address>; grantWrite protects it from the next block, revokeWrite
 * opens it at once; -51000 / -51001 as for insert / remove. */
static void
permission_grant_and_revoke_write_guard_a_contract_table(void **state)
{
    pcu_chain_t ch;
    char table[43] = "c_", want[256];

    (void)state;
    bl_hex_encode(contract, 20, table + 2);
    pcu_open(&ch, suite_ecdsa(), 1);
    deploy(&ch, contract);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, GRANT, contract_hex, alice_hex, NULL),
                     1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, GRANT, contract_hex, alice_hex, NULL),
                     CODE_TABLE_AND_ADDRESS_ALREADY_EXIST);
    snprintf(want, sizeof want,
             "[{\"address\":\"%s\",\"enable_num\":\"2\",\"table_name\":\"%s\"}]\n", alice_hex,
             table);
    assert_query(&ch, QUERY_CONTRACT, contract_hex, want);
    assert_true(may_write(&ch, table, bob));
    pcu_next_block(&ch);
    assert_false(may_write(&ch, table, bob));
    assert_true(may_write(&ch, table, alice));
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REVOKE, contract_hex, bob_hex, NULL),
                     CODE_TABLE_AND_ADDRESS_NOT_EXIST);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REVOKE, contract_hex, alice_hex, NULL),
                     1);
    assert_true(may_write(&ch, table, bob));
    assert_query(&ch, QUERY_CONTRACT, contract_hex, "[]\n");
    pcu_close(&ch);
}

/* [S:PermissionPrecompiled.cpp grantWrite]: no table for the contract: -51003. */
static void
permission_grant_write_to_a_missing_contract_is_refused_with_51003(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, GRANT, contract_hex, alice_hex, NULL),
                     CODE_CONTRACT_NOT_EXIST);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* precompiled.h: an unknown method or an address argument that is not one: status 21. */
static void
permission_unknown_method_or_bad_arguments_fail_with_status_21(void **state)
{
    pcu_chain_t ch;
    receipt_t r;
    bl_buf_t data;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_call(&ch, alice, PERMISSION, "insert(string,address)", &r, "t", alice_hex, NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_init(&data);
    pcu_encode(suite_ecdsa(), &data, GRANT, contract_hex, alice_hex, NULL);
    data.data[4] = 0xff; /* the contract's word now has bits above the 160 of an address */
    pcu_call_raw(&ch, alice, PERMISSION, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* §1.1: an SM chain's selectors are SM3's. */
static void
permission_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_sm(), 1);
    deploy(&ch, contract);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, INSERT, "t", alice_hex, NULL), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, GRANT, contract_hex, bob_hex, NULL),
                     1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REMOVE, "t", alice_hex, NULL), 1);
    assert_int_equal(pcu_call_int(&ch, alice, PERMISSION, REVOKE, contract_hex, bob_hex, NULL),
                     1);
    assert_query(&ch, QUERY, "t", "[]\n");
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(permission_insert_guards_a_user_table_from_the_next_block),
        cmocka_unit_test(permission_system_tables_keep_their_names),
        cmocka_unit_test(permission_duplicate_is_refused_with_51000),
        cmocka_unit_test(permission_remove_of_a_missing_grant_is_refused_with_51001),
        cmocka_unit_test(permission_long_table_name_or_bad_address_is_refused),
        cmocka_unit_test(permission_outsider_is_refused_with_50000_and_status_0),
        cmocka_unit_test(permission_managers_guard_the_access_table_itself),
        cmocka_unit_test(permission_grant_and_revoke_write_guard_a_contract_table),
        cmocka_unit_test(permission_grant_write_to_a_missing_contract_is_refused_with_51003),
        cmocka_unit_test(permission_unknown_method_or_bad_arguments_fail_with_status_21),
        cmocka_unit_test(permission_sm_chain_uses_sm3_selectors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
