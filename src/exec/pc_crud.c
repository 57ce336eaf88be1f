/*
 * pc_crud.c — the CRUD precompile (0x1002): the table API with JSON instead of objects, which
 * the console's SQL-like commands use (fisco-2x-facts §7.1; FISCO's CRUDPrecompiled.cpp).
 *
 * The console turns
 *     insert into t_fruit (name, item_id, item_name) values (fruit, 1, apple)
 *     select * from t_fruit where name = fruit and item_id > 0 limit 0, 10
 * into one call each:
 *     insert("t_fruit", "fruit", '{"name":"fruit","item_id":"1","item_name":"apple"}', "")
 *     select("t_fruit", "fruit", '{"item_id":{"gt":"0"},"limit":{"limit":"0,10"}}', "")
 * The arguments are the table (without its "u_" prefix, which is added here as TableFactory
 * adds it), the primary key, a row or a condition written as JSON, and an "optional" string
 * nobody uses. The methods:
 *
 *   insert(table, key, entry, optional)             rows written (1), or a code
 *   update(table, key, entry, condition, optional)  rows changed, or a code
 *   remove(table, key, condition, optional)         rows removed, or a code
 *   select(table, key, condition, optional)         a JSON array of the rows, as a string
 *                                                   (or a code, ABI-encoded as an int256)
 *   desc(table)                                     (key field, "value,fields"); two empty
 *                                                   strings if there is no such table
 *
 * A condition is a JSON object: for each field an object of operations "eq", "ne", "gt",
 * "ge", "lt", "le" and their values, and "limit" with "offset,count" under any name:
 *     {"item_id": {"ge": "1", "lt": "10"}, "name": {"ne": "x"}, "limit": {"limit": "0,10"}}
 * Members whose name starts or ends with '_' are skipped (FISCO keeps only "hash fields"); a
 * member that is null counts as no condition; a value may be a string, an integer, true,
 * false or null (read as "1", "true", "" ...), as jsoncpp's asString() reads them.
 *
 * The codes (int256, receipt status 0), as CRUDPrecompiled.cpp answers them:
 *   CODE_TABLE_NOT_EXIST (-50100)                the table does not exist
 *   CODE_PARSE_ENTRY_ERROR (-51500)              the entry is not JSON
 *   CODE_PARSE_CONDITION_ERROR (-51501)          the condition is not JSON
 *   CODE_CONDITION_OPERATION_UNDEFINED (-51502)  an operation other than the seven above
 *   CODE_INVALID_UPDATE_TABLE_KEY (-51503)       update's entry names the key field
 *   CODE_NO_AUTHORIZED (-50000)                  the origin is not on the table's
 *                                                _sys_table_access_ list (§7.3)
 * What FISCO throws on instead ends the call with PrecompiledError (status 21) and writes
 * nothing: JSON of the wrong shape (an array, an object as a value), a limit that is not two
 * integers, a field the table does not have, a key over 255 bytes, a value over 16 MB - 1, and
 * (our rule for every precompile) an unknown method or arguments that do not decode. Two
 * FISCO habits we keep: insert stores the key it is given in the key field, whatever the entry
 * said; a negative offset or count means no limit at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "base/error.h"
#include "exec/exec.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

static const char SIG_INSERT[] = "insert(string,string,string,string)";
static const char SIG_UPDATE[] = "update(string,string,string,string,string)";
static const char SIG_SELECT[] = "select(string,string,string,string)";
static const char SIG_REMOVE[] = "remove(string,string,string,string)";
static const char SIG_DESC[] = "desc(string)";

#define USER_PREFIX "u_"
#define KEY_MAX 255 /* USER_TABLE_KEY_VALUE_MAX_LENGTH, checked first by FISCO's insert */

/* The decoded string arguments of one call. */
typedef struct {
    abi_value_t *args;
    char *text[5]; /* table, key, then entry and/or condition JSON (optional is not used) */
    table_t *table;
} crud_args_t;

static void
crud_args_free(crud_args_t *a)
{
    abi_value_free(a->args);
    for (size_t i = 0; i < 5; i++)
        free(a->text[i]);
}

/* Decode `signature`'s first n strings. BL_E_ABI (not a failed call yet) if they do not
 * decode or hold a NUL byte. */
static int
crud_decode(exec_call_t *c, const char *signature, size_t n, crud_args_t *a)
{
    int rc;

    memset(a, 0, sizeof *a);
    rc = precompile_args(c, signature, &a->args);
    for (size_t i = 0; rc == BL_OK && i < n; i++)
        rc = abi_value_cstring(a->args->items[i], &a->text[i]);
    return rc;
}

/* Open u_<name> (or _sys_tables_ itself, which select may read). BL_E_NOTFOUND if there is
 * no such table; the caller answers CODE_TABLE_NOT_EXIST. */
static int
crud_open(exec_call_t *c, const char *name, bool sys_tables_too, table_t **t)
{
    char *full;
    int rc;

    if (sys_tables_too && strcmp(name, AMDB_SYS_TABLES) == 0)
        return exec_open_table(c, AMDB_SYS_TABLES, t);
    full = bl_xmalloc(strlen(name) + sizeof USER_PREFIX);
    sprintf(full, USER_PREFIX "%s", name);
    rc = exec_open_table(c, full, t);
    free(full);
    return rc == BL_E_INVALID ? BL_E_NOTFOUND : rc; /* a name no table can have */
}

/* How a write ended: rows written, or -50000, or PrecompiledError. */
static int
write_result(exec_call_t *c, int rc, size_t count)
{
    switch (rc) {
    case BL_OK: precompile_return_int(c, (int64_t)count); return BL_OK;
    case BL_E_DENIED: precompile_return_int(c, CODE_NO_AUTHORIZED); return BL_OK;
    case BL_E_NOTFOUND: precompile_return_int(c, CODE_TABLE_NOT_EXIST); return BL_OK;
    case BL_E_INVALID:
    case BL_E_RANGE: return precompile_fail(c, bl_errmsg());
    default: return rc; /* the store itself failed */
    }
}

/* ---- JSON in ---- */

/* A JSON value as text, as jsoncpp's asString() gives it. BL_E_JSON for what it throws on
 * (objects, arrays) and for fractions, which we do not guess a spelling for. */
static int
json_text(const json_t *v, char **out)
{
    char num[32];

    switch (json_typeof(v)) {
    case JSON_STRING: *out = bl_xstrdup(json_string_value(v)); return BL_OK;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = bl_xstrdup(num);
        return BL_OK;
    case JSON_TRUE: *out = bl_xstrdup("true"); return BL_OK;
    case JSON_FALSE: *out = bl_xstrdup("false"); return BL_OK;
    case JSON_NULL: *out = bl_xstrdup(""); return BL_OK;
    default:
        return bl_fail(BL_E_JSON, "a value must be a string, an integer, true, false or null");
    }
}

/* Parse the entry JSON into e. Answers CODE_PARSE_ENTRY_ERROR (returning BL_E_JSON) for text
 * that is not JSON, fails the call for JSON of the wrong shape. */
static int
parse_entry(exec_call_t *c, const char *text, entry_t *e)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &err), *v;
    const char *field;
    char *value;
    int rc = BL_OK;

    if (j == NULL) {
        precompile_return_int(c, CODE_PARSE_ENTRY_ERROR);
        return bl_fail(BL_E_JSON, "the entry is not JSON: %s", err.text);
    }
    if (!json_is_object(j) && !json_is_null(j))
        rc = bl_fail(BL_E_JSON, "the entry must be a JSON object of field: value");
    if (json_is_object(j)) {
        json_object_foreach(j, field, v) {
            if ((rc = json_text(v, &value)) != BL_OK)
                break;
            entry_set_str(e, field, value);
            free(value);
        }
    }
    json_decref(j);
    if (rc != BL_OK)
        precompile_fail(c, bl_errmsg());
    return rc;
}

/* FISCO reads only "hash fields" of a condition: names that neither start nor end with '_'. */
static bool
hash_field(const char *name)
{
    size_t n = strlen(name);

    return n > 0 && name[0] != '_' && name[n - 1] != '_';
}

/* "offset,count": two integers. A negative one means no limit (FISCO's selectNoLock applies a
 * limit only when both are >= 0). BL_E_JSON if the text is anything else. */
static int
parse_limit(const char *text, condition_t *cond)
{
    long long offset, count;
    int used = -1;

    if (sscanf(text, "%lld,%lld%n", &offset, &count, &used) != 2 || used < 0 ||
        text[used] != '\0' || strchr(text, ' ') != NULL || strchr(text, '+') != NULL)
        return bl_fail(BL_E_JSON, "limit \"%s\" is not \"offset,count\"", text);
    if (offset > INT32_MAX || count > INT32_MAX)
        return bl_fail(BL_E_JSON, "limit \"%s\" is out of range", text);
    if (offset >= 0 && count >= 0)
        condition_set_limit(cond, (size_t)offset, (size_t)count);
    return BL_OK;
}

/* One member of the condition object: {"op": value, ...} for `field`. BL_E_NOTFOUND for an
 * operation we do not know (the caller answers -51502), BL_E_JSON for the wrong shape. */
static int
parse_ops(const char *field, json_t *ops, condition_t *cond)
{
    const char *op_name;
    json_t *v;
    cond_op_t op;
    char *value = NULL;
    int rc = BL_OK;

    if (json_is_null(ops))
        return BL_OK;
    if (!json_is_object(ops))
        return bl_fail(BL_E_JSON, "condition on \"%s\" must be an object of operations", field);
    json_object_foreach(ops, op_name, v) {
        if ((rc = json_text(v, &value)) != BL_OK)
            return rc;
        if (strcmp(op_name, "limit") == 0)
            rc = parse_limit(value, cond);
        else if (cond_op_parse(op_name, &op) == BL_OK)
            condition_add(cond, field, op, value);
        else
            rc = bl_fail(BL_E_NOTFOUND, "condition operation \"%s\" is not eq, ne, gt, ge, "
                         "lt, le or limit", op_name);
        free(value);
        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* Parse the condition JSON into cond. Answers -51501 or -51502 (returning BL_E_JSON), or
 * fails the call for JSON of the wrong shape. */
static int
parse_condition(exec_call_t *c, const char *text, condition_t *cond)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &err), *ops;
    const char *field;
    int rc = BL_OK;

    if (j == NULL) {
        precompile_return_int(c, CODE_PARSE_CONDITION_ERROR);
        return bl_fail(BL_E_JSON, "the condition is not JSON: %s", err.text);
    }
    if (!json_is_object(j) && !json_is_null(j))
        rc = bl_fail(BL_E_INVALID, "the condition must be a JSON object");
    if (json_is_object(j)) {
        json_object_foreach(j, field, ops) {
            if (hash_field(field) && (rc = parse_ops(field, ops, cond)) != BL_OK)
                break;
        }
    }
    json_decref(j);
    if (rc == BL_E_NOTFOUND) {
        precompile_return_int(c, CODE_CONDITION_OPERATION_UNDEFINED);
        return BL_E_JSON;
    }
    if (rc != BL_OK) {
        precompile_fail(c, bl_errmsg());
        return BL_E_JSON;
    }
    return BL_OK;
}

/* ---- JSON out ---- */

/* The rows as a JSON array of objects of their fields (text values), for select. */
static int
rows_json(const entries_t *rows, char **out)
{
    json_t *arr = json_array();
    int rc = BL_OK;

    for (size_t i = 0; rc == BL_OK && i < rows->count; i++) {
        const entry_t *e = &rows->items[i];
        json_t *row = json_object();

        for (size_t f = 0; f < e->nfields; f++) {
            const bl_buf_t *v = &e->fields[f].value;
            json_t *s = json_stringn(v->len > 0 ? (const char *)v->data : "", v->len);

            if (s == NULL) {
                rc = bl_fail(BL_E_JSON, "field \"%s\" holds bytes that are not UTF-8 text, "
                             "which JSON cannot carry", e->fields[f].name);
                break;
            }
            json_object_set_new(row, e->fields[f].name, s);
        }
        json_array_append_new(arr, row);
    }
    *out = rc == BL_OK ? json_dumps(arr, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(arr);
    return rc;
}

/* ---- the five methods ---- */

static int
crud_insert(exec_call_t *c, crud_args_t *a)
{
    entry_t e;
    int rc;

    entry_init(&e);
    if (strlen(a->text[1]) > KEY_MAX) {
        bl_fail(BL_E_INVALID, "the key is %zu bytes, over the limit of %d", strlen(a->text[1]),
                KEY_MAX);
        rc = precompile_fail(c, bl_errmsg());
    } else if ((rc = crud_open(c, a->text[0], false, &a->table)) != BL_OK) {
        rc = write_result(c, rc, 0);
    } else if ((rc = parse_entry(c, a->text[2], &e)) != BL_OK) {
        rc = BL_OK; /* answered already */
    } else {
        entry_set_str(&e, table_info(a->table)->key_field, a->text[1]);
        rc = write_result(c, exec_insert(c, a->table, a->text[1], &e), 1);
    }
    entry_free(&e);
    return rc;
}

static int
crud_update(exec_call_t *c, crud_args_t *a)
{
    entry_t e;
    condition_t cond;
    size_t count = 0;
    int rc;

    entry_init(&e);
    condition_init(&cond);
    if ((rc = crud_open(c, a->text[0], false, &a->table)) != BL_OK) {
        rc = write_result(c, rc, 0);
        goto out;
    }
    if (parse_entry(c, a->text[2], &e) != BL_OK)
        goto out; /* answered already */
    if (entry_get(&e, table_info(a->table)->key_field) != NULL) {
        precompile_return_int(c, CODE_INVALID_UPDATE_TABLE_KEY);
        goto out;
    }
    if (parse_condition(c, a->text[3], &cond) != BL_OK)
        goto out;
    rc = exec_update(c, a->table, a->text[1], &e, &cond, &count);
    rc = write_result(c, rc, count);
out:
    entry_free(&e);
    condition_free(&cond);
    return rc;
}

static int
crud_remove(exec_call_t *c, crud_args_t *a)
{
    condition_t cond;
    size_t count = 0;
    int rc;

    condition_init(&cond);
    if ((rc = crud_open(c, a->text[0], false, &a->table)) != BL_OK)
        rc = write_result(c, rc, 0);
    else if (parse_condition(c, a->text[2], &cond) == BL_OK) {
        rc = exec_remove(c, a->table, a->text[1], &cond, &count); /* count is set here */
        rc = write_result(c, rc, count);
    }
    condition_free(&cond);
    return rc;
}

static int
crud_select(exec_call_t *c, crud_args_t *a)
{
    condition_t cond;
    entries_t rows;
    char *json = NULL;
    int rc;

    condition_init(&cond);
    entries_init(&rows);
    if ((rc = crud_open(c, a->text[0], true, &a->table)) != BL_OK) {
        rc = write_result(c, rc, 0);
        goto out;
    }
    if (parse_condition(c, a->text[2], &cond) != BL_OK)
        goto out;
    rc = exec_select(c, a->table, a->text[1], &cond, &rows);
    if (rc == BL_OK && rows_json(&rows, &json) == BL_OK)
        precompile_return_string(c, json);
    else if (rc == BL_OK || rc == BL_E_INVALID || rc == BL_E_NOTFOUND)
        rc = precompile_fail(c, bl_errmsg());
out:
    free(json);
    entries_free(&rows);
    condition_free(&cond);
    return rc;
}

/* desc(table): the schema row of u_<table> in _sys_tables_, as (key_field, value_field). */
static int
crud_desc(exec_call_t *c, crud_args_t *a)
{
    abi_type_t *type = NULL;
    abi_value_t *out = abi_value_list(2);
    table_t *sys;
    entries_t rows;
    char *full = bl_xmalloc(strlen(a->text[0]) + sizeof USER_PREFIX);
    int rc = exec_open_table(c, AMDB_SYS_TABLES, &sys);

    entries_init(&rows);
    sprintf(full, USER_PREFIX "%s", a->text[0]);
    if (rc == BL_OK)
        rc = exec_select(c, sys, full, NULL, &rows);
    if (rc == BL_OK) {
        const bl_buf_t *k = rows.count > 0 ? entry_get(&rows.items[0], "key_field") : NULL;
        const bl_buf_t *v = rows.count > 0 ? entry_get(&rows.items[0], "value_field") : NULL;

        out->items[0] = abi_value_bytes(k != NULL ? k->data : NULL, k != NULL ? k->len : 0);
        out->items[1] = abi_value_bytes(v != NULL ? v->data : NULL, v != NULL ? v->len : 0);
        bl_buf_clear(&c->output);
        if (abi_types_parse("string,string", &type) == BL_OK)
            rc = abi_encode(type, out, &c->output);
    }
    abi_type_free(type);
    abi_value_free(out);
    entries_free(&rows);
    free(full);
    return rc;
}

static const struct {
    const char *signature;
    size_t nstrings; /* how many leading string arguments the method reads */
    int (*run)(exec_call_t *c, crud_args_t *a);
} crud_methods[] = {
    { SIG_INSERT, 3, crud_insert }, { SIG_UPDATE, 4, crud_update },
    { SIG_REMOVE, 3, crud_remove }, { SIG_SELECT, 3, crud_select },
    { SIG_DESC, 1, crud_desc },
};

static int
crud_call(exec_call_t *c)
{
    for (size_t i = 0; i < sizeof crud_methods / sizeof crud_methods[0]; i++) {
        crud_args_t a;
        int rc;

        if (!precompile_is(c, crud_methods[i].signature))
            continue;
        if (crud_decode(c, crud_methods[i].signature, crud_methods[i].nstrings, &a) != BL_OK)
            rc = precompile_fail(c, bl_errmsg());
        else
            rc = crud_methods[i].run(c, &a);
        crud_args_free(&a);
        return rc;
    }
    return precompile_fail(c, "CRUD has no such method");
}

const precompile_t precompile_crud = {
    .address = 0x1002,
    .name = "CRUD",
    .call = crud_call,
    .criticals = NULL, /* any table, any key: always runs alone */
};
