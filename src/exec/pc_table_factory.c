/*
 * pc_table_factory.c — the TableFactory precompile (0x1001) and the Table objects it opens:
 * how a Solidity contract keeps its data in AMDB tables (fisco-2x-facts §6.1, §7.1).
 *
 * A contract that stores data in a table does not send SQL. It talks to objects:
 *
 *     TableFactory tf = TableFactory(0x1001);
 *     tf.createTable("t_fruit", "name", "item_id,item_name");   // 0, or a negative code
 *     Table t = tf.openTable("t_fruit");                        // an object at 0x10001...
 *     Entry e = t.newEntry();                                   // another object
 *     e.set("item_id", 1);  e.set("item_name", "apple");
 *     t.insert("fruit", e);                                     // 1 row written
 *     Condition cond = t.newCondition();  cond.EQ("item_id", 1);
 *     Entries rows = t.select("fruit", cond);                   // rows.size(), rows.get(0)
 *
 * Every object is a little precompiled contract of its own, made on the spot and given the
 * next free address of the block (exec.h, "dynamic objects"). This file holds the factory and
 * the Table object; the Entry, Entries and Condition objects are in pc_table_objects.c. A
 * Table object is just the open table_t: its state is the table itself.
 *
 * Names. The factory puts "u_" before every name it is given ("t_fruit" is the AMDB table
 * u_t_fruit), as FISCO does since 2.2 (libprecompiled/Common.cpp getTableName), so a contract
 * can never open or create a system table. openTable of a table that does not exist returns
 * the zero address (TableFactoryPrecompiled.cpp).
 *
 * Results, as FISCO 2.x gives them (TableFactoryPrecompiled.cpp, TablePrecompiled.cpp,
 * libstorage/MemoryTable2.cpp):
 *   createTable  0; CODE_TABLE_NAME_ALREADY_EXIST (-50001); CODE_NO_AUTHORIZED (-50000) when
 *                the origin may not write _sys_tables_ (§7.3). A bad name or field list is an
 *                exception in FISCO, thrown before its try block, so the receipt says
 *                PrecompiledError (21) and nothing is written; our message names FISCO's code
 *                for it (-50002 ... -50008, libstorage/Common.h).
 *   insert, update, remove   the number of rows written, or CODE_NO_AUTHORIZED (-50000) when
 *                the origin is not on the table's _sys_table_access_ list — the receipt's
 *                status stays 0, the output says why.
 *   a field the table does not have, a name starting with '_', a key over 255 bytes, a value
 *                over 16 MB - 1, or an address that is not the right kind of object: FISCO
 *                throws, so status 21 and nothing written.
 * Two quirks of FISCO's MemoryTable2 that we keep: insert sets the row's key field to the key
 * it is given, whatever the entry said, and update never changes the key field (it skips it).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/exec.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

/* The object kinds of pc_table_objects.c; their states are an entry_t, entries_t, condition_t. */
extern const exec_object_class_t pc_entry_object;
extern const exec_object_class_t pc_entries_object;
extern const exec_object_class_t pc_condition_object;

static const char SIG_CREATE[] = "createTable(string,string,string)";
static const char SIG_OPEN[] = "openTable(string)";
static const char SIG_SELECT[] = "select(string,address)";
static const char SIG_INSERT[] = "insert(string,address)";
static const char SIG_UPDATE[] = "update(string,address,address)";
static const char SIG_REMOVE[] = "remove(string,address)";
static const char SIG_NEW_ENTRY[] = "newEntry()";
static const char SIG_NEW_CONDITION[] = "newCondition()";

#define USER_PREFIX "u_"

/* ---- small helpers ---- */

/* An address is one ABI word: 12 zero bytes, then the 20 bytes. */
static void
return_address(exec_call_t *c, const uint8_t addr[20])
{
    uint8_t word[ABI_WORD] = { 0 };

    memcpy(word + 12, addr, 20);
    bl_buf_clear(&c->output);
    bl_buf_append(&c->output, word, sizeof word);
}

/* Argument i as a C string (BL_E_ABI if it holds a NUL byte); the caller frees it. */
static int
arg_text(const abi_value_t *args, size_t i, char **out)
{
    return abi_value_cstring(args->items[i], out);
}

/* How a write ended, as FISCO answers: rows written, or -50000, or PrecompiledError. */
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

/* ---- the Table object: its state is the open table_t ---- */

/* Argument i as the state of an object of kind cls, or NULL (the message says why). */
static void *
object_arg(exec_call_t *c, const abi_value_t *args, size_t i, const exec_object_class_t *cls)
{
    uint8_t addr[20];
    char hex[41];
    void *state;

    abi_value_get_address(args->items[i], addr);
    if ((state = exec_object_at(c->block, addr, cls)) == NULL) {
        bl_hex_encode(addr, 20, hex);
        bl_fail(BL_E_INVALID, "0x%s is not a %s object of this block", hex, cls->name);
    }
    return state;
}

/* Hand a new object to the block and answer its address; the block owns state from now on. */
static int
return_object(exec_call_t *c, const exec_object_class_t *cls, void *state)
{
    uint8_t addr[20];

    if (exec_register_object(c, cls, state, addr) != BL_OK)
        return precompile_fail(c, bl_errmsg());
    return_address(c, addr);
    return BL_OK;
}

/* select(string key, address condition) → the address of a new Entries object. */
static int
obj_select(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    const condition_t *cond;
    entries_t *rows = bl_xmalloc(sizeof *rows);
    char *key = NULL;
    int rc = BL_OK;

    entries_init(rows);
    if (arg_text(args, 0, &key) != BL_OK ||
        (cond = object_arg(c, args, 1, &pc_condition_object)) == NULL) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    rc = exec_select(c, t, key, cond, rows);
    if (rc == BL_E_INVALID || rc == BL_E_NOTFOUND)
        rc = precompile_fail(c, bl_errmsg()); /* a field the table lacks, a table undone */
    else if (rc == BL_OK) {
        rc = return_object(c, &pc_entries_object, rows);
        rows = NULL;
    }
out:
    if (rows != NULL) {
        entries_free(rows);
        free(rows);
    }
    free(key);
    return rc;
}

/* insert(string key, address entry) → 1, or -50000. The row's key field is the key. */
static int
obj_insert(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    const entry_t *e;
    entry_t row;
    char *key = NULL;
    int rc;

    if (arg_text(args, 0, &key) != BL_OK ||
        (e = object_arg(c, args, 1, &pc_entry_object)) == NULL) {
        free(key);
        return precompile_fail(c, bl_errmsg());
    }
    entry_copy(&row, e);
    entry_set_str(&row, table_info(t)->key_field, key); /* MemoryTable2::insert does this */
    rc = write_result(c, exec_insert(c, t, key, &row), 1);
    entry_free(&row);
    free(key);
    return rc;
}

/* update(string key, address entry, address condition) → rows changed, or -50000. The key
 * field of the entry is skipped, as MemoryTable2::update skips it. */
static int
obj_update(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    const char *key_field = table_info(t)->key_field;
    const entry_t *e;
    const condition_t *cond;
    entry_t change;
    char *key = NULL;
    size_t count = 0;
    int rc;

    if (arg_text(args, 0, &key) != BL_OK ||
        (e = object_arg(c, args, 1, &pc_entry_object)) == NULL ||
        (cond = object_arg(c, args, 2, &pc_condition_object)) == NULL) {
        free(key);
        return precompile_fail(c, bl_errmsg());
    }
    entry_init(&change);
    for (size_t i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, key_field) != 0)
            entry_set(&change, e->fields[i].name, e->fields[i].value.data,
                      e->fields[i].value.len);
    rc = exec_update(c, t, key, &change, cond, &count);
    rc = write_result(c, rc, count);
    entry_free(&change);
    free(key);
    return rc;
}

/* remove(string key, address condition) → rows removed, or -50000. */
static int
obj_remove(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    const condition_t *cond;
    char *key = NULL;
    size_t count = 0;
    int rc;

    if (arg_text(args, 0, &key) != BL_OK ||
        (cond = object_arg(c, args, 1, &pc_condition_object)) == NULL) {
        free(key);
        return precompile_fail(c, bl_errmsg());
    }
    rc = exec_remove(c, t, key, cond, &count); /* count is set here, before it is read */
    rc = write_result(c, rc, count);
    free(key);
    return rc;
}

static int
obj_new_entry(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    entry_t *e = bl_xmalloc(sizeof *e);

    (void)t;
    (void)args;
    entry_init(e);
    return return_object(c, &pc_entry_object, e);
}

static int
obj_new_condition(exec_call_t *c, table_t *t, const abi_value_t *args)
{
    condition_t *cond = bl_xmalloc(sizeof *cond);

    (void)t;
    (void)args;
    condition_init(cond);
    return return_object(c, &pc_condition_object, cond);
}

static const struct {
    const char *signature;
    int (*run)(exec_call_t *c, table_t *t, const abi_value_t *args);
} table_methods[] = {
    { SIG_SELECT, obj_select },       { SIG_INSERT, obj_insert },
    { SIG_UPDATE, obj_update },       { SIG_REMOVE, obj_remove },
    { SIG_NEW_ENTRY, obj_new_entry }, { SIG_NEW_CONDITION, obj_new_condition },
};

/* A call to a Table object: find the method by its selector, decode, run. */
static int
table_object_call(exec_call_t *c, void *state)
{
    for (size_t i = 0; i < sizeof table_methods / sizeof table_methods[0]; i++) {
        abi_value_t *args = NULL;
        int rc;

        if (!precompile_is(c, table_methods[i].signature))
            continue;
        if (precompile_args(c, table_methods[i].signature, &args) != BL_OK)
            rc = precompile_fail(c, bl_errmsg());
        else
            rc = table_methods[i].run(c, state, args);
        abi_value_free(args);
        return rc;
    }
    return precompile_fail(c, "a Table object has no such method");
}

/* The table_t belongs to the amdb, so there is nothing to free. */
static const exec_object_class_t table_object = {
    .name = "Table",
    .call = table_object_call,
    .free = NULL,
};

/* ---- createTable: FISCO's name checks, in FISCO's order ---- */

/* Record "CODE_X (-5000n): why" as the message and fail the call with PrecompiledError. */
static int __attribute__((format(printf, 4, 5)))
name_error(exec_call_t *c, const char *code_name, int code, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bl_fail(BL_E_INVALID, "createTable: %s (%d): %s", code_name, code, why);
    return precompile_fail(c, bl_errmsg());
}

/* Cut white space off both ends, in place (FISCO's boost::trim of every name). */
static char *
trim(char *s)
{
    char *end = s + strlen(s);

    while (isspace((unsigned char)*s))
        s++;
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* Letters, digits and _ $ @, and not empty (checkNameValidate in libprecompiled/Common.cpp). */
static bool
name_ok(const char *s, bool is_field)
{
    if (is_field && (s[0] == '\0' || s[0] == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '$' && *s != '@')
            return false;
    return true;
}

/* Is fields[i] the key or one of fields[0..i)? */
static bool
seen_before(const char *key, char **fields, size_t i)
{
    if (strcmp(fields[i], key) == 0)
        return true;
    for (size_t j = 0; j < i; j++)
        if (strcmp(fields[i], fields[j]) == 0)
            return true;
    return false;
}

/* The checks of TableFactoryPrecompiled.cpp and checkNameValidate, one by one. `fields` are the
 * trimmed value fields, `csv` what they join to. Returns BL_OK, or fails the call. */
static int
check_names(exec_call_t *c, const char *name, const char *key, char **fields, size_t n,
            const char *csv)
{
    size_t i;

    if (strlen(key) > AMDB_FIELD_NAME_MAX)
        return name_error(c, "CODE_TABLE_FIELD_LENGTH_OVERFLOW", CODE_TABLE_FIELD_LENGTH_OVERFLOW,
                          "the key field name is over %d characters", AMDB_FIELD_NAME_MAX);
    for (i = 0; i < n; i++)
        if (strlen(fields[i]) > AMDB_FIELD_NAME_MAX)
            return name_error(c, "CODE_TABLE_FIELD_LENGTH_OVERFLOW",
                              CODE_TABLE_FIELD_LENGTH_OVERFLOW, "field \"%.20s...\" is over "
                              "%d characters", fields[i], AMDB_FIELD_NAME_MAX);
    if (!name_ok(name, false) || !name_ok(key, true))
        return name_error(c, "CODE_TABLE_INVALIDATE_FIELD", CODE_TABLE_INVALIDATE_FIELD,
                          "table \"%s\" or key field \"%s\": names use letters, digits, '_', "
                          "'$', '@', and a field may not be empty or start with '_'", name, key);
    for (i = 0; i < n; i++) {
        if (seen_before(key, fields, i))
            return name_error(c, "CODE_TABLE_DUPLICATE_FIELD", CODE_TABLE_DUPLICATE_FIELD,
                              "field \"%s\" appears twice", fields[i]);
        if (!name_ok(fields[i], true))
            return name_error(c, "CODE_TABLE_INVALIDATE_FIELD", CODE_TABLE_INVALIDATE_FIELD,
                              "field \"%s\" is empty, starts with '_' or has a character "
                              "other than letters, digits, '_', '$', '@'", fields[i]);
    }
    if (strlen(csv) > AMDB_VALUE_FIELDS_MAX)
        return name_error(c, "CODE_TABLE_FIELD_TOTALLENGTH_OVERFLOW",
                          CODE_TABLE_FIELD_TOTALLENGTH_OVERFLOW, "the value fields take %zu "
                          "characters, over %d", strlen(csv), AMDB_VALUE_FIELDS_MAX);
    if (name[0] == '\0' || strlen(name) > AMDB_USER_TABLE_NAME_MAX)
        return name_error(c, "CODE_TABLE_NAME_LENGTH_OVERFLOW", CODE_TABLE_NAME_LENGTH_OVERFLOW,
                          "a table name has 1 to %d characters (\"u_\" is added to it)",
                          AMDB_USER_TABLE_NAME_MAX);
    return BL_OK;
}

/* Split "a, b,c" at the commas and trim each piece (in place in csv); the array is new. */
static char **
split_fields(char *csv, size_t *n)
{
    char **fields = NULL;
    char *piece = csv, *comma;

    *n = 0;
    for (;;) {
        comma = strchr(piece, ',');
        if (comma != NULL)
            *comma = '\0';
        fields = bl_xrealloc(fields, (*n + 1) * sizeof *fields);
        fields[(*n)++] = trim(piece);
        if (comma == NULL)
            return fields;
        piece = comma + 1;
    }
}

/* Create u_<name>, once the names pass: -50001 if it exists (FISCO looks before it checks the
 * permission), -50000 if the origin may not create tables, else 0. */
static int
create_checked(exec_call_t *c, const char *name, const char *key, const char *csv)
{
    char full[AMDB_TABLE_NAME_MAX + 1];
    table_t *t;
    int rc;

    snprintf(full, sizeof full, USER_PREFIX "%s", name);
    rc = exec_open_table(c, full, &t);
    if (rc == BL_OK) {
        precompile_return_int(c, CODE_TABLE_NAME_ALREADY_EXIST);
        return BL_OK;
    }
    if (rc != BL_E_NOTFOUND)
        return rc;
    rc = exec_create_table(c, name, key, csv, NULL);
    if (rc == BL_E_EXISTS) {
        precompile_return_int(c, CODE_TABLE_NAME_ALREADY_EXIST);
        return BL_OK;
    }
    return write_result(c, rc, 0);
}

static int
create_table(exec_call_t *c)
{
    abi_value_t *args = NULL;
    char *name = NULL, *key_raw = NULL, *csv = NULL, **fields = NULL;
    bl_buf_t joined = BL_BUF_INIT;
    size_t n = 0;
    int rc = precompile_args(c, SIG_CREATE, &args);

    if (rc != BL_OK || arg_text(args, 0, &name) != BL_OK || arg_text(args, 1, &key_raw) != BL_OK ||
        arg_text(args, 2, &csv) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    fields = split_fields(csv, &n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            bl_buf_push(&joined, ',');
        bl_buf_append(&joined, fields[i], strlen(fields[i]));
    }
    bl_buf_push(&joined, '\0');
    rc = check_names(c, name, trim(key_raw), fields, n, (const char *)joined.data);
    if (rc == BL_OK && c->status == TX_OK)
        rc = create_checked(c, name, trim(key_raw), (const char *)joined.data);
out:
    abi_value_free(args);
    free(name);
    free(key_raw);
    free(csv);
    free(fields);
    bl_buf_free(&joined);
    return rc;
}

/* ---- openTable ---- */

static int
open_table(exec_call_t *c)
{
    static const uint8_t none[20] = { 0 };
    abi_value_t *args = NULL;
    char *name = NULL, *full = NULL;
    table_t *t = NULL;
    uint8_t addr[20];
    int rc = precompile_args(c, SIG_OPEN, &args);

    if (rc != BL_OK || arg_text(args, 0, &name) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    full = bl_xmalloc(strlen(name) + sizeof USER_PREFIX);
    sprintf(full, USER_PREFIX "%s", name);
    c->gas_used += EXEC_GAS_TABLE_READ;
    rc = exec_open_table(c, full, &t);
    if (rc == BL_E_NOTFOUND || rc == BL_E_INVALID) {
        return_address(c, none); /* FISCO answers the zero address */
        rc = BL_OK;
    } else if (rc == BL_OK) {
        if (exec_register_object(c, &table_object, t, addr) == BL_OK)
            return_address(c, addr);
        else
            precompile_fail(c, bl_errmsg());
    }
out:
    abi_value_free(args);
    free(name);
    free(full);
    return rc;
}

static int
table_factory_call(exec_call_t *c)
{
    if (precompile_is(c, SIG_CREATE))
        return create_table(c);
    if (precompile_is(c, SIG_OPEN))
        return open_table(c);
    return precompile_fail(c, "TableFactory has no such method");
}

const precompile_t precompile_table_factory = {
    .address = 0x1001,
    .name = "TableFactory",
    .call = table_factory_call,
    .criticals = NULL, /* creates tables and objects: always runs alone */
};
