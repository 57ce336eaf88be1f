/*
 * pc_permission.c — the Permission precompiled contract (0x1005): who may write which table
 * (fisco-2x-facts §7.3).
 *
 * Everything a group knows is in tables, so "who may do what" is "who may write which table".
 * _sys_table_access_ holds a whitelist per table, one row per (table_name, address). A table
 * with no row in force is open to every account; once it has rows, only the accounts listed
 * may insert, update or remove its rows — the account checked is the one that signed the
 * transaction. The executive enforces it on every write (exec_table.c); this contract edits
 * the lists:
 *
 *   insert(table, account)          list account for table; answers 1, or
 *        CODE_TABLE_AND_ADDRESS_ALREADY_EXIST (-51000)  it is listed already
 *        CODE_TABLE_NAME_OVERFLOW (-51002)              the table name is over 64 characters
 *        CODE_ADDRESS_INVALID (-50102)                  the account is not 40 hex digits
 *   remove(table, account)          take it off; answers 1, or
 *        CODE_TABLE_AND_ADDRESS_NOT_EXIST (-51001)      it was not listed
 *   queryByName(table)              the list, as JSON text
 *   grantWrite(contract, account)   list account for the contract's own table c_<contract>;
 *        as insert, and CODE_CONTRACT_NOT_EXIST (-51003) if there is no such account
 *   revokeWrite(contract, account)  as remove, for c_<contract>
 *   queryPermission(contract)       the list of c_<contract>, as JSON text
 *
 * A table name other than the five guarded system tables (_sys_tables_: create tables and
 * deploy; _sys_table_access_: manage permissions; _sys_consensus_: manage nodes; _sys_cns_;
 * _sys_config_) gets the user-table prefix "u_", as createTable gives it: insert("t_demo", a)
 * guards u_t_demo.
 *
 * Editing a list is itself a write to _sys_table_access_, checked like any other: once that
 * table has a whitelist, only its "permission managers" may change permissions, and anyone
 * else gets CODE_NO_AUTHORIZED (-50000). A write the executive refuses always ends that way:
 * the receipt's status stays 0 (the transaction ran; the contract said no) and the output is
 * -50000 — FISCO's Table::insert returns CODE_NO_AUTHORIZED and every system contract passes
 * it on (pc_write_result below, used by all four).
 *
 * Rows get enable_num = N + 1 when block N writes them, so a grant protects the table from the
 * next block on; a removal deletes the row and takes effect at once — both as in FISCO.
 *
 * Which FISCO: the model before ChainGovernance (FISCO 2.0 to 2.4). From 2.5 on, FISCO lets only
 * the committee (0x1008) manage _sys_table_access_ (CODE_COMMITTEE_PERMISSION, -51004) and only
 * a contract's deployer grant or revoke its table; bcoslab has no committee, so it keeps the
 * table-level whitelist that 2.5 still enforces underneath. Accounts are stored as "0x" and 40
 * lower-case hex digits whichever way they were written, so one account is always one row.
 */
#include "exec/pc_system.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/precompiled.h"

#define SIG_INSERT "insert(string,string)"
#define SIG_REMOVE "remove(string,string)"
#define SIG_QUERY "queryByName(string)"
#define SIG_GRANT "grantWrite(address,address)"
#define SIG_REVOKE "revokeWrite(address,address)"
#define SIG_QUERY_CONTRACT "queryPermission(address)"

#define FIELD_TABLE "table_name"
#define FIELD_ADDRESS "address"
#define FIELD_ENABLE "enable_num"

#define TABLE_NAME_MAX 64 /* USER_TABLE_NAME_MAX_LENGTH in FISCO's libprecompiled/Common.h */
#define ACCOUNT_ROW_ALIVE "alive" /* every account's table has it (state_table.c) */

/* A table name and an account, as this contract keeps them. */
typedef struct {
    char table[TABLE_NAME_MAX + 3]; /* cut short when table_too_long */
    char account[43];     /* "0x" + 40 hex digits, or the text given, lowercased, if invalid */
    bool account_valid;
    bool table_too_long;
} grant_t;

/* ---- the common end of a write (declared in pc_system.h) ---- */

int
pc_write_result(exec_call_t *c, int rc, int64_t count)
{
    if (rc == BL_E_DENIED) {
        precompile_return_int(c, CODE_NO_AUTHORIZED);
        return BL_OK;
    }
    if (rc == BL_E_INVALID)
        return precompile_fail(c, bl_errmsg()); /* a row the table layer cannot hold */
    if (rc != BL_OK)
        return rc;
    precompile_return_int(c, count);
    return BL_OK;
}

/* ---- names ---- */

static bool
is_guarded_system_table(const char *name)
{
    static const char *const tables[] = { AMDB_SYS_TABLE_ACCESS, AMDB_SYS_CONSENSUS,
                                          AMDB_SYS_TABLES, AMDB_SYS_CNS, AMDB_SYS_CONFIG };

    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (strcmp(name, tables[i]) == 0)
            return true;
    return false;
}

/* The grant for a table named by a user (FISCO's addPrefixToUserTable) and an account
 * written as text. */
static void
grant_from_text(grant_t *g, const char *table, const char *account)
{
    uint8_t addr[20];
    const char *prefix = is_guarded_system_table(table) ? "" : "u_";

    g->table_too_long = strlen(prefix) + strlen(table) > TABLE_NAME_MAX;
    snprintf(g->table, sizeof g->table, "%s%.64s", prefix, table);
    g->account_valid = bl_hex_decode_fixed(account, addr, 20) == BL_OK;
    if (g->account_valid) {
        g->account[0] = '0';
        g->account[1] = 'x';
        bl_hex_encode(addr, 20, g->account + 2);
    } else {
        snprintf(g->account, sizeof g->account, "%s", account);
        for (char *p = g->account; *p != '\0'; p++)
            *p = (char)tolower((unsigned char)*p);
    }
}

/* The grant on a contract's own table c_<contract> (FISCO's getContractTableName). */
static void
grant_for_contract(grant_t *g, const uint8_t contract[20], const uint8_t account[20])
{
    g->table[0] = 'c';
    g->table[1] = '_';
    bl_hex_encode(contract, 20, g->table + 2);
    g->account[0] = '0';
    g->account[1] = 'x';
    bl_hex_encode(account, 20, g->account + 2);
    g->account_valid = true;
    g->table_too_long = false; /* 42 characters */
}

/* ---- reading and writing the list ---- */

/* The rows of g's table, for g's account only (match_account) or all. */
static int
select_grants(exec_call_t *c, const grant_t *g, bool match_account, entries_t *rows)
{
    table_t *t;
    condition_t cond;
    int rc;

    if (g->table_too_long)
        return BL_OK; /* no row has such a name: insert never writes one */
    condition_init(&cond);
    if (match_account)
        condition_add(&cond, FIELD_ADDRESS, COND_EQ, g->account);
    if ((rc = exec_open_table(c, AMDB_SYS_TABLE_ACCESS, &t)) == BL_OK)
        rc = exec_select(c, t, g->table, &cond, rows);
    condition_free(&cond);
    return rc;
}

/* Does the account of g have a table (FISCO: can c_<contract> be opened)? */
static int
contract_exists(exec_call_t *c, const grant_t *g, bool *exists)
{
    table_t *t;
    entries_t rows;
    int rc;

    entries_init(&rows);
    if ((rc = exec_open_table(c, g->table, &t)) == BL_OK)
        rc = exec_select(c, t, ACCOUNT_ROW_ALIVE, NULL, &rows);
    *exists = rc == BL_OK && rows.count > 0;
    entries_free(&rows);
    return rc;
}

/* Why insert or grantWrite must refuse g, as a FISCO code in FISCO's order of checks, or 0.
 * check_contract: g is a contract's table, which must exist. */
static int
add_refusal(exec_call_t *c, const grant_t *g, bool check_contract, int64_t *code)
{
    entries_t rows;
    bool exists = true;
    int rc = BL_OK;

    *code = 0;
    entries_init(&rows);
    if ((rc = select_grants(c, g, true, &rows)) != BL_OK)
        goto out;
    if (rows.count > 0)
        *code = CODE_TABLE_AND_ADDRESS_ALREADY_EXIST;
    else if (g->table_too_long)
        *code = CODE_TABLE_NAME_OVERFLOW;
    else if (!g->account_valid)
        *code = CODE_ADDRESS_INVALID;
    else if (check_contract && (rc = contract_exists(c, g, &exists)) == BL_OK && !exists)
        *code = CODE_CONTRACT_NOT_EXIST;
out:
    entries_free(&rows);
    return rc;
}

/* insert and grantWrite: list g's account for g's table from the next block on. */
static int
add_grant(exec_call_t *c, const grant_t *g, bool check_contract)
{
    entry_t e;
    table_t *t;
    char enable[24];
    int64_t code;
    int rc = add_refusal(c, g, check_contract, &code);

    if (rc != BL_OK || code != 0) {
        if (rc == BL_OK)
            precompile_return_int(c, code);
        return rc;
    }
    snprintf(enable, sizeof enable, "%" PRId64, c->block->number + 1);
    entry_init(&e);
    entry_set_str(&e, FIELD_ADDRESS, g->account);
    entry_set_str(&e, FIELD_ENABLE, enable);
    if ((rc = exec_open_table(c, AMDB_SYS_TABLE_ACCESS, &t)) == BL_OK)
        rc = exec_insert(c, t, g->table, &e);
    entry_free(&e);
    return pc_write_result(c, rc, 1);
}

/* remove and revokeWrite. */
static int
drop_grant(exec_call_t *c, const grant_t *g)
{
    entries_t rows;
    condition_t cond;
    table_t *t;
    size_t count = 0;
    int rc;

    entries_init(&rows);
    condition_init(&cond);
    if ((rc = select_grants(c, g, true, &rows)) != BL_OK)
        goto out;
    if (rows.count == 0) {
        precompile_return_int(c, CODE_TABLE_AND_ADDRESS_NOT_EXIST);
        goto out;
    }
    condition_add(&cond, FIELD_ADDRESS, COND_EQ, g->account);
    if ((rc = exec_open_table(c, AMDB_SYS_TABLE_ACCESS, &t)) == BL_OK)
        rc = exec_remove(c, t, g->table, &cond, &count);
    rc = pc_write_result(c, rc, (int64_t)count);
out:
    condition_free(&cond);
    entries_free(&rows);
    return rc;
}

/* queryByName and queryPermission: [{"address":..,"enable_num":..,"table_name":..},...]\n */
static int
list_grants(exec_call_t *c, const grant_t *g)
{
    entries_t rows;
    bl_buf_t json;
    int rc;

    entries_init(&rows);
    bl_buf_init(&json);
    if ((rc = select_grants(c, g, false, &rows)) == BL_OK) {
        pc_json_begin(&json);
        for (size_t i = 0; i < rows.count; i++) {
            const bl_buf_t *a = entry_get(&rows.items[i], FIELD_ADDRESS);
            const bl_buf_t *n = entry_get(&rows.items[i], FIELD_ENABLE);
            pc_json_field_t f[3] = {
                { FIELD_ADDRESS, a != NULL ? a->data : NULL, a != NULL ? a->len : 0 },
                { FIELD_ENABLE, n != NULL ? n->data : NULL, n != NULL ? n->len : 0 },
                { FIELD_TABLE, g->table, strlen(g->table) },
            };
            pc_json_object(&json, f, 3);
        }
        pc_json_end(&json);
        precompile_return_string(c, (const char *)json.data);
    }
    bl_buf_free(&json);
    entries_free(&rows);
    return rc;
}

/* ---- the methods: decode, then one of the three above ---- */

typedef enum { OP_ADD, OP_DROP, OP_LIST } op_t;

static int
run(exec_call_t *c, op_t op, const grant_t *g, bool contract)
{
    switch (op) {
    case OP_ADD: return add_grant(c, g, contract);
    case OP_DROP: return drop_grant(c, g);
    default: return list_grants(c, g);
    }
}

/* insert / remove / queryByName: (string table[, string account]) */
static int
by_table_name(exec_call_t *c, const char *signature, op_t op)
{
    abi_value_t *args = NULL;
    char *table = NULL, *account = NULL;
    grant_t g;
    int rc;

    if (precompile_args(c, signature, &args) != BL_OK ||
        abi_value_cstring(args->items[0], &table) != BL_OK ||
        (op != OP_LIST && abi_value_cstring(args->items[1], &account) != BL_OK)) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    grant_from_text(&g, table, account != NULL ? account : "");
    rc = run(c, op, &g, false);
out:
    free(table);
    free(account);
    abi_value_free(args);
    return rc;
}

/* grantWrite / revokeWrite / queryPermission: (address contract[, address account]) */
static int
by_contract(exec_call_t *c, const char *signature, op_t op)
{
    abi_value_t *args = NULL;
    uint8_t contract[20], account[20] = { 0 };
    grant_t g;
    int rc;

    if (precompile_args(c, signature, &args) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    abi_value_get_address(args->items[0], contract);
    if (op != OP_LIST)
        abi_value_get_address(args->items[1], account);
    grant_for_contract(&g, contract, account);
    rc = run(c, op, &g, true);
out:
    abi_value_free(args);
    return rc;
}

static int
permission_call(exec_call_t *c)
{
    static const struct {
        const char *signature;
        op_t op;
        bool contract;
    } methods[] = {
        { SIG_INSERT, OP_ADD, false },          { SIG_REMOVE, OP_DROP, false },
        { SIG_QUERY, OP_LIST, false },          { SIG_GRANT, OP_ADD, true },
        { SIG_REVOKE, OP_DROP, true },          { SIG_QUERY_CONTRACT, OP_LIST, true },
    };

    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (!precompile_is(c, methods[i].signature))
            continue;
        return methods[i].contract ? by_contract(c, methods[i].signature, methods[i].op)
                                   : by_table_name(c, methods[i].signature, methods[i].op);
    }
    return precompile_fail(c, "Permission has no such method");
}

const precompile_t precompile_permission = {
    .address = 0x1005,
    .name = "Permission",
    .call = permission_call,
    .criticals = NULL, /* a grant changes what every later transaction may do: run alone */
};
