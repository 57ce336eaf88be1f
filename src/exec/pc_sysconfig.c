/*
 * pc_sysconfig.c — the SystemConfig precompiled contract (0x1000): settings the whole group
 * agrees on, changed by transactions (fisco-2x-facts §7.2).
 *
 * A consortium chain has no single operator who could edit a config file on every node: a
 * setting that every node must apply in the same way — how many transactions a block may hold,
 * how much gas one transaction may use, how long PBFT waits before changing its leader — is
 * itself data on the chain. A transaction calls setValueByKey("tx_count_limit", "500"); the
 * contract checks the value and writes a row into the group's _sys_config_ table; every node
 * executes the same transaction and so writes the same row.
 *
 *   key                      valid values (FISCO's SystemConfigPrecompiled::checkValueValid)
 *   tx_count_limit           an integer >= 1
 *   tx_gas_limit             an integer >= 100000
 *   rpbft_epoch_sealer_num   an integer >= 1
 *   rpbft_epoch_block_num    an integer >= 2 (FISCO >= 2.6 wants it > 1)
 *   consensus_timeout        an integer 3 <= v < UINT_MAX/1000 (seconds)
 *   enable_charge_mgr        "on" or "off" (FISCO >= 2.8; bcoslab keeps it but charges no gas)
 *
 * Any other key, or a value that is not valid, is answered with CODE_INVALID_CONFIGURATION_VALUES
 * (-51300) and changes nothing. The key is lowercased first, as FISCO does.
 *
 * Not in this block: the row says enable_num = N + 1 when block N writes it. Every node seals
 * and checks block N with the settings that were in force when N began — even a node that
 * executes N's transactions in a different order, or executes N twice after a view change.
 *
 * One difference from FISCO, on purpose. FISCO keeps one row per key and overwrites it; it
 * reads settings only from committed blocks, through a cache per block height. bcoslab's table
 * view of block N includes N's own writes, so overwriting would make "the setting in force at
 * N" disappear while N is still being decided. So each change is a new row (a second change in
 * the same block replaces the first), and the value in force at block h is the row with the
 * greatest enable_num <= h. The table is the key's whole history, which a student can list.
 */
#include "exec/pc_system.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/precompiled.h"

#define SIG_SET "setValueByKey(string,string)"

#define FIELD_VALUE "value"
#define FIELD_ENABLE "enable_num"

#define TX_COUNT_LIMIT_MIN 1
#define TX_GAS_LIMIT_MIN 100000
#define RPBFT_EPOCH_SEALER_NUM_MIN 1
#define RPBFT_EPOCH_BLOCK_NUM_MIN 1 /* exclusive since FISCO 2.6 */
#define CONSENSUS_TIMEOUT_MIN 3
#define CONSENSUS_TIMEOUT_MAX (UINT_MAX / 1000) /* exclusive */

/* ---- values ---- */

bool
pc_sysconfig_parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool negative = false;
    uint64_t v = 0, limit;

    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return false;
    limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
            return false; /* out of range, as lexical_cast says */
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool
pc_sysconfig_valid(const char *key, const char *value)
{
    int64_t v;

    if (strcmp(key, PC_SYSCONFIG_ENABLE_CHARGE_MGR) == 0)
        return strcmp(value, "on") == 0 || strcmp(value, "off") == 0;
    if (!pc_sysconfig_parse_int(value, strlen(value), &v))
        return false;
    if (strcmp(key, PC_SYSCONFIG_TX_COUNT_LIMIT) == 0)
        return v >= TX_COUNT_LIMIT_MIN;
    if (strcmp(key, PC_SYSCONFIG_TX_GAS_LIMIT) == 0)
        return v >= TX_GAS_LIMIT_MIN;
    if (strcmp(key, PC_SYSCONFIG_RPBFT_EPOCH_SEALER_NUM) == 0)
        return v >= RPBFT_EPOCH_SEALER_NUM_MIN;
    if (strcmp(key, PC_SYSCONFIG_RPBFT_EPOCH_BLOCK_NUM) == 0)
        return v > RPBFT_EPOCH_BLOCK_NUM_MIN;
    if (strcmp(key, PC_SYSCONFIG_CONSENSUS_TIMEOUT) == 0)
        return v >= CONSENSUS_TIMEOUT_MIN && v < (int64_t)CONSENSUS_TIMEOUT_MAX;
    return false; /* only the keys above may be set */
}

/* FISCO's values for a key nobody has set (libprecompiled/Common.h, facts §7.2). */
static const char *
default_value(const char *key)
{
    static const struct {
        const char *key;
        const char *value;
    } defaults[] = {
        { PC_SYSCONFIG_TX_COUNT_LIMIT, "1000" },
        { PC_SYSCONFIG_TX_GAS_LIMIT, "300000000" },
        { PC_SYSCONFIG_CONSENSUS_TIMEOUT, "3" },
        { PC_SYSCONFIG_RPBFT_EPOCH_BLOCK_NUM, "1000" },
        { PC_SYSCONFIG_ENABLE_CHARGE_MGR, "off" },
    };

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (strcmp(defaults[i].key, key) == 0)
            return defaults[i].value;
    return NULL;
}

/* The enable_num of a config or membership row; false if the row has none that parses. */
static bool
row_enable_num(const entry_t *e, int64_t *n)
{
    const bl_buf_t *v = entry_get(e, FIELD_ENABLE);

    return v != NULL && pc_sysconfig_parse_int((const char *)v->data, v->len, n);
}

/* ---- what the node reads ---- */

/* Index of the row in force at `number` (greatest enable_num <= number, the later row on a
 * tie), or -1. */
static long
row_in_force(const entries_t *rows, int64_t number)
{
    long best = -1;
    int64_t best_num = INT64_MIN, n;

    for (size_t i = 0; i < rows->count; i++) {
        if (!row_enable_num(&rows->items[i], &n) || n > number || n < best_num)
            continue;
        best = (long)i;
        best_num = n;
    }
    return best;
}

static int
copy_value(const void *p, size_t len, char *out, size_t cap)
{
    if (len + 1 > cap)
        return bl_fail(BL_E_RANGE, "a config value of %zu bytes does not fit in %zu", len, cap);
    memcpy(out, p, len);
    out[len] = '\0';
    return BL_OK;
}

int
pc_sysconfig_get(amdb_t *db, const char *key, int64_t number, char *out, size_t cap)
{
    table_t *t;
    entries_t rows;
    const char *def;
    long at;
    int rc;

    entries_init(&rows);
    if ((rc = amdb_open_table(db, AMDB_SYS_CONFIG, &t)) != BL_OK ||
        (rc = table_select(t, key, NULL, &rows)) != BL_OK)
        goto out;
    if ((at = row_in_force(&rows, number)) >= 0) {
        const bl_buf_t *v = entry_get(&rows.items[at], FIELD_VALUE);
        rc = v != NULL ? copy_value(v->data, v->len, out, cap) : copy_value("", 0, out, cap);
    } else if ((def = default_value(key)) != NULL) {
        rc = copy_value(def, strlen(def), out, cap);
    } else {
        rc = bl_fail(BL_E_NOTFOUND, "system config \"%s\" has no value at block %" PRId64
                     " and no default", key, number);
    }
out:
    entries_free(&rows);
    return rc;
}

int
pc_sysconfig_get_int(amdb_t *db, const char *key, int64_t number, int64_t *out)
{
    char text[PC_SYSCONFIG_VALUE_MAX];
    int rc = pc_sysconfig_get(db, key, number, text, sizeof text);

    if (rc == BL_OK && !pc_sysconfig_parse_int(text, strlen(text), out))
        rc = bl_fail(BL_E_FORMAT, "system config \"%s\" holds \"%s\", not a number", key, text);
    return rc;
}

int
pc_sysconfig_genesis(amdb_t *db, const char *key, const char *value)
{
    table_t *t;
    entry_t e;
    int rc;

    if (!pc_sysconfig_valid(key, value))
        return bl_fail(BL_E_INVALID, "\"%s\" is not a valid value of system config \"%s\"",
                       value, key);
    if ((rc = amdb_open_table(db, AMDB_SYS_CONFIG, &t)) != BL_OK)
        return rc;
    entry_init(&e);
    entry_set_str(&e, FIELD_VALUE, value);
    entry_set_str(&e, FIELD_ENABLE, "0");
    rc = table_insert(t, key, &e);
    entry_free(&e);
    return rc;
}

/* ---- the contract ---- */

/* Write key = value from the next block on: update this block's own earlier change of the
 * key if there is one, else add a row. Returns what the call answers. */
static int
write_setting(exec_call_t *c, const char *key, const char *value)
{
    table_t *t;
    entry_t e;
    condition_t pending;
    entries_t rows;
    char enable[24];
    size_t count = 1;
    int rc;

    entry_init(&e);
    condition_init(&pending);
    entries_init(&rows);
    if ((rc = exec_open_table(c, AMDB_SYS_CONFIG, &t)) != BL_OK)
        goto out;
    snprintf(enable, sizeof enable, "%" PRId64, c->block->number + 1);
    entry_set_str(&e, FIELD_VALUE, value);
    entry_set_str(&e, FIELD_ENABLE, enable);
    condition_add(&pending, FIELD_ENABLE, COND_EQ, enable);
    if ((rc = exec_select(c, t, key, &pending, &rows)) != BL_OK)
        goto out;
    if (rows.count > 0)
        rc = exec_update(c, t, key, &e, &pending, &count);
    else
        rc = exec_insert(c, t, key, &e);
    rc = pc_write_result(c, rc, (int64_t)count);
out:
    entries_free(&rows);
    condition_free(&pending);
    entry_free(&e);
    return rc;
}

static int
set_value_by_key(exec_call_t *c)
{
    abi_value_t *args = NULL;
    char *key = NULL, *value = NULL;
    int rc;

    if (precompile_args(c, SIG_SET, &args) != BL_OK ||
        abi_value_cstring(args->items[0], &key) != BL_OK ||
        abi_value_cstring(args->items[1], &value) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    for (char *p = key; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!pc_sysconfig_valid(key, value)) {
        precompile_return_int(c, CODE_INVALID_CONFIGURATION_VALUES);
        rc = BL_OK;
        goto out;
    }
    rc = write_setting(c, key, value);
out:
    free(key);
    free(value);
    abi_value_free(args);
    return rc;
}

static int
sysconfig_call(exec_call_t *c)
{
    if (precompile_is(c, SIG_SET))
        return set_value_by_key(c);
    /* FISCO logs an unknown method and answers 0; bcoslab fails the call (status 21), as every
     * precompile here does (precompiled.h), so that a typo never passes for success. */
    return precompile_fail(c, "SystemConfig has no such method");
}

const precompile_t precompile_sysconfig = {
    .address = 0x1000,
    .name = "SystemConfig",
    .call = sysconfig_call,
    .criticals = NULL, /* a setting is read by the whole block: always run alone */
};
