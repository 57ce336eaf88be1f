/*
 * amdb_schema.c — which tables exist without being created, and what a table may be called.
 *
 * System tables are built in: every group has them from its first block, with the schemas of
 * FISCO's getSysTableInfo (libstorage/Table.cpp). Each says whether its changes count in the
 * block's dbHash: membership, configuration, permissions, CNS, block hashes and table schemas
 * do, because every node must agree on them; bookkeeping that each node derives from the
 * blocks themselves (the current height, tx → block indexes, the blocks' bytes, nonces) does not.
 *
 * A contract's table c_<address> (40 lowercase hex digits) is built in too, with key "key" and
 * value "value" (StorageState's layout, §6.3). Every other table — u_<name> — has a schema row
 * in _sys_tables_ written by createTable.
 *
 * The rules for new names are FISCO 2.2+'s checkNameValidate (libprecompiled/Common.cpp):
 * table and field names use only letters, digits, '_', '$' and '@'; a field name is not empty
 * and does not start with '_' (those are the table layer's own: _id_, _num_, _status_); no
 * field appears twice; and the length limits of libprecompiled/Common.h.
 */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "storage/amdb_impl.h"

typedef struct {
    const char *name;
    const char *key_field;
    const char *value_fields;
    bool enable_consensus;
    bool enable_cache;
} sys_table_t;

static const sys_table_t sys_tables[] = {
    { AMDB_SYS_TABLES, "table_name", "key_field,value_field", true, true },
    { AMDB_SYS_CONSENSUS, "name", "type,node_id,enable_num", true, true },
    { AMDB_SYS_TABLE_ACCESS, "table_name", "address,enable_num", true, true },
    { AMDB_SYS_CURRENT_STATE, "key", "value", false, true },
    { AMDB_SYS_NUMBER_2_HASH, "number", "value", true, true },
    { AMDB_SYS_TX_HASH_2_BLOCK, "hash", "value,index", false, false },
    { AMDB_SYS_HASH_2_BLOCK, "hash", "value", false, true },
    { AMDB_SYS_HASH_2_HEADER, "hash", "value,sigs", false, true },
    { AMDB_SYS_CNS, "name", "version,address,abi", true, true },
    { AMDB_SYS_CONFIG, "key", "value,enable_num", true, true },
    { AMDB_SYS_BLOCK_2_NONCES, "number", "value", false, true },
};

static bool
is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* "c_" followed by exactly 40 lowercase hex digits (Address::hex() in FISCO). */
static bool
is_contract_table(const char *name)
{
    if (strncmp(name, "c_", 2) != 0 || strlen(name) != 42)
        return false;
    for (size_t i = 2; i < 42; i++)
        if (!is_lower_hex(name[i]))
            return false;
    return true;
}

bool
amdb_builtin_info(const char *name, table_info_t *info)
{
    for (size_t i = 0; i < sizeof sys_tables / sizeof sys_tables[0]; i++) {
        const sys_table_t *s = &sys_tables[i];

        if (strcmp(name, s->name) == 0) {
            table_info_init(info, s->name, s->key_field, s->value_fields, s->enable_consensus,
                            s->enable_cache);
            return true;
        }
    }
    if (is_contract_table(name)) {
        table_info_init(info, name, "key", "value", true, true);
        return true;
    }
    return false;
}

bool
amdb_is_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof sys_tables / sizeof sys_tables[0]; i++)
        if (strcmp(name, sys_tables[i].name) == 0)
            return true;
    return is_contract_table(name);
}

/* Letters, digits and _ $ @ (checkNameValidate's allowChar plus isalnum). */
static bool
name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c == '@';
}

static int
check_chars(const char *what, const char *table, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!name_char_ok(*p))
            return bl_fail(BL_E_INVALID,
                           "table %s: %s \"%s\" has the character '%c'; names use only letters, "
                           "digits, '_', '$' and '@'", table, what, name, *p);
    return 0;
}

int
amdb_check_field_name(const char *table, const char *field)
{
    if (field[0] == '\0')
        return bl_fail(BL_E_INVALID, "table %s: a field name is empty", table);
    if (field[0] == '_')
        return bl_fail(BL_E_INVALID,
                       "table %s: field \"%s\" starts with '_', which is kept for the table "
                       "layer's own fields (_id_, _num_, _status_)", table, field);
    if (strlen(field) > AMDB_FIELD_NAME_MAX)
        return bl_fail(BL_E_INVALID, "table %s: field name \"%.20s...\" is %zu characters, "
                       "over the limit of %d", table, field, strlen(field), AMDB_FIELD_NAME_MAX);
    return check_chars("field", table, field);
}

static int
check_table_name(const char *full_name)
{
    size_t len = strlen(full_name);

    if (len == 0)
        return bl_fail(BL_E_INVALID, "a table name is empty");
    if (len > AMDB_TABLE_NAME_MAX)
        return bl_fail(BL_E_INVALID, "table name \"%.20s...\" is %zu characters, over the "
                       "limit of %d (%d for a user table, after which \"u_\" is added)",
                       full_name, len, AMDB_TABLE_NAME_MAX, AMDB_USER_TABLE_NAME_MAX);
    if (full_name[0] == '_')
        return bl_fail(BL_E_INVALID,
                       "table name \"%s\" starts with '_', which is kept for system tables",
                       full_name);
    return check_chars("name", full_name, full_name);
}

/* Check every value field of "a,b,c": a valid name, and no name twice (the key included). */
static int
check_value_fields(const char *full_name, const char *key_field, const table_info_t *info)
{
    for (size_t i = 0; i < info->nvalue_fields; i++) {
        int rc = amdb_check_field_name(full_name, info->value_fields[i]);

        if (rc < 0)
            return rc;
        if (strcmp(info->value_fields[i], key_field) == 0)
            return bl_fail(BL_E_INVALID, "table %s: field \"%s\" is also the key field",
                           full_name, key_field);
        for (size_t j = 0; j < i; j++)
            if (strcmp(info->value_fields[i], info->value_fields[j]) == 0)
                return bl_fail(BL_E_INVALID, "table %s: field \"%s\" appears twice", full_name,
                               info->value_fields[i]);
    }
    return 0;
}

int
amdb_check_schema(const char *full_name, const char *key_field, const char *value_fields_csv)
{
    table_info_t info;
    int rc = check_table_name(full_name);

    if (rc < 0)
        return rc;
    rc = amdb_check_field_name(full_name, key_field);
    if (rc < 0)
        return rc;
    if (value_fields_csv[0] == '\0')
        return bl_fail(BL_E_INVALID, "table %s: it needs at least one value field", full_name);
    if (strlen(value_fields_csv) > AMDB_VALUE_FIELDS_MAX)
        return bl_fail(BL_E_INVALID, "table %s: the value field list is %zu characters, over "
                       "the limit of %d", full_name, strlen(value_fields_csv),
                       AMDB_VALUE_FIELDS_MAX);
    table_info_init(&info, full_name, key_field, value_fields_csv, true, true);
    rc = check_value_fields(full_name, key_field, &info);
    table_info_free(&info);
    return rc;
}
