/*
 * pc_parallel_config.c — ParallelConfig (0x1006): how a Solidity contract tells the node
 * which of its functions may run in parallel (fisco-2x-facts §5.1).
 *
 * A precompiled contract such as DagTransfer is C code, so it can say itself what a call
 * touches. A deployed contract cannot: the node does not read its bytecode. So FISCO lets the
 * contract declare it. A contract that inherits ParallelContract calls, once,
 *
 *     registerParallelFunction("transfer(string,string,uint256)", 2)
 *
 * meaning "in a call to transfer, the first 2 arguments name what the call touches" (say the
 * two account names). That helper calls this precompile,
 *
 *     registerParallelFunctionInternal(address contract, string functionName,
 *                                      uint256 criticalSize)
 *     unregisterParallelFunctionInternal(address contract, string functionName)
 *
 * which keeps one row per function in the table cp_<contract address in lowercase hex>:
 *
 *     key field "parallel" | selector    | functionName                     | criticalSize
 *     parallel             | 2833950459  | transfer(string,string,uint256)  | 2
 *
 * All rows sit under the key "parallel". selector is the function's 4-byte selector — the
 * first 4 bytes of hash(functionName), hashed as written, as FISCO does — read as a
 * big-endian number and written in decimal; criticalSize is decimal too. Registering a
 * function again replaces its row; unregistering removes it. Both answer 0, or
 * CODE_NO_AUTHORIZED (-50000) if the table's _sys_table_access_ list does not name the sender
 * (FISCO ignores that refusal and answers 0 anyway; we say what happened).
 *
 * When a block arrives, the DAG (txdag.c) asks parallel_config_criticals() about every call to
 * a contract: (contract, selector) → criticalSize → the first criticalSize arguments, as text,
 * are the call's critical fields. FISCO allows string, address, uint256 and int256 there, and
 * the critical arguments must come first.
 *
 * The precompile itself is not parallel: a call to it is a serial barrier (and so it may
 * create its table directly: nothing runs beside it).
 */
#include "exec/pc_parallel_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "ledger/status.h"

#define PARA_KEY "parallel"
#define PARA_FIELD_SELECTOR "selector"
#define PARA_FIELD_NAME "functionName"
#define PARA_FIELD_SIZE "criticalSize"
#define PARA_VALUE_FIELDS PARA_FIELD_SELECTOR "," PARA_FIELD_NAME "," PARA_FIELD_SIZE

static const char SIG_REGISTER[] = "registerParallelFunctionInternal(address,string,uint256)";
static const char SIG_UNREGISTER[] = "unregisterParallelFunctionInternal(address,string)";

/* cp_ and 40 hex digits, NUL */
#define PARA_TABLE_NAME_LEN (sizeof PARALLEL_CONFIG_TABLE_PREFIX + 40)

static void
table_name(const uint8_t contract[20], char out[PARA_TABLE_NAME_LEN])
{
    memcpy(out, PARALLEL_CONFIG_TABLE_PREFIX, sizeof PARALLEL_CONFIG_TABLE_PREFIX - 1);
    bl_hex_encode(contract, 20, out + sizeof PARALLEL_CONFIG_TABLE_PREFIX - 1);
}

/* A 4-byte selector as FISCO writes it in the table: a big-endian number, in decimal. */
static void
selector_text(const uint8_t selector[4], char out[12])
{
    snprintf(out, 12, "%u", (unsigned)bl_get_be(selector, 4));
}

/* FISCO's getFuncSelector: the first 4 bytes of hash(name), the name hashed as written. */
static void
name_selector_text(const suite_t *suite, const char *name, char out[12])
{
    uint8_t digest[32];

    suite->hash(name, strlen(name), digest);
    selector_text(digest, out);
}

/* ---- the two methods ---- */

/* The contract's table, made if `create` and it does not exist yet. *t is NULL if it does not
 * exist and was not to be made. */
static int
open_config_table(exec_call_t *c, const uint8_t contract[20], bool create, table_t **t)
{
    char name[PARA_TABLE_NAME_LEN];
    int rc;

    table_name(contract, name);
    rc = exec_open_table(c, name, t);
    if (rc != BL_E_NOTFOUND)
        return rc;
    *t = NULL;
    if (!create)
        return BL_OK;
    /* FISCO creates this table without checking _sys_tables_' permission list
     * (createTable with authorityFlag false), so anyone may register for any contract. */
    c->gas_used += EXEC_GAS_CREATE_TABLE;
    return amdb_create_table_raw(c->block->db, name, PARA_KEY, PARA_VALUE_FIELDS, t);
}

/* A refused write is an answer (CODE_NO_AUTHORIZED), not a failure of the store. */
static int
answer(exec_call_t *c, int rc)
{
    if (rc == BL_E_DENIED) {
        precompile_return_int(c, CODE_NO_AUTHORIZED);
        return BL_OK;
    }
    if (rc == BL_OK)
        precompile_return_int(c, 0);
    return rc;
}

static int
register_function(exec_call_t *c, const uint8_t contract[20], const char *name,
                  const bl_u256_t *size)
{
    char selector[12], size_text[BL_U256_DEC_MAX];
    condition_t cond;
    entries_t rows;
    entry_t row;
    table_t *t;
    int rc = open_config_table(c, contract, true, &t);

    if (rc != BL_OK)
        return rc;
    name_selector_text(c->block->suite, name, selector);
    bl_u256_to_dec(size, size_text);
    condition_init(&cond);
    condition_add(&cond, PARA_FIELD_SELECTOR, COND_EQ, selector);
    entries_init(&rows);
    entry_init(&row);
    entry_set_str(&row, PARA_FIELD_SELECTOR, selector);
    entry_set_str(&row, PARA_FIELD_NAME, name);
    entry_set_str(&row, PARA_FIELD_SIZE, size_text);
    rc = exec_select(c, t, PARA_KEY, &cond, &rows);
    if (rc == BL_OK && rows.count == 0)
        rc = exec_insert(c, t, PARA_KEY, &row);
    else if (rc == BL_OK)
        rc = exec_update(c, t, PARA_KEY, &row, &cond, NULL);
    entry_free(&row);
    entries_free(&rows);
    condition_free(&cond);
    return answer(c, rc);
}

static int
unregister_function(exec_call_t *c, const uint8_t contract[20], const char *name)
{
    char selector[12];
    condition_t cond;
    table_t *t;
    int rc = open_config_table(c, contract, false, &t);

    if (rc != BL_OK || t == NULL)
        return answer(c, rc); /* nothing registered for this contract: nothing to remove */
    name_selector_text(c->block->suite, name, selector);
    condition_init(&cond);
    condition_add(&cond, PARA_FIELD_SELECTOR, COND_EQ, selector);
    rc = exec_remove(c, t, PARA_KEY, &cond, NULL);
    condition_free(&cond);
    return answer(c, rc);
}

static int
para_call(exec_call_t *c)
{
    bool reg = precompile_is(c, SIG_REGISTER);
    abi_value_t *args = NULL;
    uint8_t contract[20];
    char *name = NULL;
    int rc;

    if (!reg && !precompile_is(c, SIG_UNREGISTER))
        return precompile_fail(c, "ParallelConfig has no such method");
    if (precompile_args(c, reg ? SIG_REGISTER : SIG_UNREGISTER, &args) != BL_OK ||
        abi_value_cstring(args->items[1], &name) != BL_OK) {
        abi_value_free(args);
        return precompile_fail(c, "malformed arguments");
    }
    abi_value_get_address(args->items[0], contract);
    if (reg)
        rc = register_function(c, contract, name, &args->items[2]->num);
    else
        rc = unregister_function(c, contract, name);
    free(name);
    abi_value_free(args);
    return rc;
}

const precompile_t precompile_parallel_config = {
    .address = 0x1006,
    .name = "ParallelConfig",
    .call = para_call,
    .criticals = NULL, /* a call to ParallelConfig always runs alone */
};

/* ---- the lookup the DAG makes ---- */

/* The row registered for (contract, selector of the call), or *found false. */
static int
find_config(amdb_t *db, const uint8_t contract[20], const uint8_t selector[4], entry_t *row,
            bool *found)
{
    char name[PARA_TABLE_NAME_LEN], sel[12];
    condition_t cond;
    entries_t rows;
    table_t *t;
    int rc;

    *found = false;
    table_name(contract, name);
    if ((rc = amdb_open_table(db, name, &t)) == BL_E_NOTFOUND)
        return BL_OK;
    if (rc != BL_OK)
        return rc;
    selector_text(selector, sel);
    condition_init(&cond);
    condition_add(&cond, PARA_FIELD_SELECTOR, COND_EQ, sel);
    entries_init(&rows);
    rc = table_select(t, PARA_KEY, &cond, &rows);
    if (rc == BL_OK && rows.count > 0) {
        entry_copy(row, &rows.items[0]);
        *found = true;
    }
    entries_free(&rows);
    condition_free(&cond);
    return rc;
}

/* A field of a row as a new C string ("" if absent). */
static char *
field_text(const entry_t *row, const char *field)
{
    const bl_buf_t *v = entry_get(row, field);
    char *s = bl_xmalloc(v != NULL ? v->len + 1 : 1);

    if (v != NULL && v->len > 0)
        memcpy(s, v->data, v->len);
    s[v != NULL ? v->len : 0] = '\0';
    return s;
}

/* One critical argument as text; false for a type FISCO does not allow there. */
static bool
argument_text(const abi_type_t *t, const abi_value_t *v, critical_t *out)
{
    char text[ABI_DEC_MAX], *s;

    switch (t->kind) {
    case ABI_STRING:
        if (abi_value_cstring(v, &s) != BL_OK)
            return false;
        critical_add(out, s);
        free(s);
        return true;
    case ABI_ADDRESS:
        bl_hex_encode(v->num.be + 12, 20, text);
        critical_add(out, text);
        return true;
    case ABI_UINT:
    case ABI_INT:
        abi_number_format(t, &v->num, text);
        critical_add(out, text);
        return true;
    default:
        return false;
    }
}

/* Decode the call's arguments by the registered signature; the first `size` become fields. */
static void
decode_criticals(const char *function, const char *size_text, bl_span_t input,
                 bool *parallel, critical_t *out)
{
    abi_signature_t sig;
    abi_value_t *args = NULL;
    char *end;
    unsigned long long size = strtoull(size_text, &end, 10);

    if (*size_text == '\0' || *end != '\0' || abi_signature_parse(function, &sig) != BL_OK)
        return;
    if (size <= sig.args->nitems &&
        abi_decode(sig.args, bl_span(input.ptr + 4, input.len - 4), &args) == BL_OK) {
        *parallel = true;
        for (size_t i = 0; *parallel && i < size; i++)
            *parallel = argument_text(sig.args->items[i], args->items[i], out);
    }
    abi_value_free(args);
    abi_signature_free(&sig);
}

int
parallel_config_criticals(const suite_t *suite, amdb_t *db, const uint8_t contract[20],
                          bl_span_t input, bool *parallel, critical_t *out)
{
    entry_t row;
    bool found;
    int rc;

    (void)suite; /* the selector was hashed when the function was registered */
    *parallel = false;
    if (input.len < ABI_SELECTOR_LEN)
        return BL_OK;
    entry_init(&row);
    rc = find_config(db, contract, input.ptr, &row, &found);
    if (rc == BL_OK && found) {
        char *function = field_text(&row, PARA_FIELD_NAME);
        char *size = field_text(&row, PARA_FIELD_SIZE);

        decode_criticals(function, size, input, parallel, out);
        free(function);
        free(size);
    }
    if (!*parallel)
        critical_free(out); /* a half-made list must not look like fields */
    entry_free(&row);
    return rc;
}
