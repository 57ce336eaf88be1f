/*
 * test_pc_table.c — the TableFactory precompile (0x1001) and its Table, Entry, Entries and
 * Condition objects (exec/pc_table_factory.c, exec/pc_table_objects.c), and the block's
 * registry of dynamic objects they live in (exec/exec.c).
 *
 * Every step goes through the executive as a transaction to an address, exactly as a Solidity
 * contract would chain the calls: createTable, openTable → a Table's address, newEntry → an
 * Entry's address, set, insert, newCondition, EQ, select → an Entries' address, get, getString.
 * Pins down fisco-2x-facts §7.1 (the interface, the result codes), §7.3 (the write whitelist)
 * and FISCO's TableFactoryPrecompiled.cpp, TablePrecompiled.cpp, EntryPrecompiled.cpp,
 * EntriesPrecompiled.cpp, ConditionPrecompiled.cpp and ExecutiveContext.cpp
 * (registerPrecompiled: addresses from 0x10001).
 */
#include "testutil.h"
#include "pcutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/exec.h"
#include "exec/precompiled.h"
#include "ledger/status.h"
#include "ledger/tx.h"

#define TF 0x1001
#define CRUD 0x1002
#define GAS 1000000000000ull /* enough for a 16 MB value's bytes */
#define MAX_ARGS 8

static uint8_t alice[20], bob[20];

static int
setup(void **state)
{
    (void)state;
    pcu_account(alice, 1);
    pcu_account(bob, 2);
    return 0;
}

/* ---- calling an object by its 20-byte address, as a contract would ---- */

/* Send signature(args...) (text, NULL-ended) from `from` to the address `to`; fill *r. */
static void __attribute__((sentinel))
at(pcu_chain_t *ch, const uint8_t from[20], const uint8_t to[20], const char *signature,
   receipt_t *r, ...)
{
    const char *args[MAX_ARGS];
    size_t n = 0;
    va_list ap;
    tx_t tx;

    va_start(ap, r);
    while ((args[n] = va_arg(ap, const char *)) != NULL)
        assert_true(++n < MAX_ARGS);
    va_end(ap);
    tx_init(&tx);
    bl_u256_from_u64(&tx.gas, GAS);
    tx.has_to = true;
    memcpy(tx.to, to, 20);
    memcpy(tx.sender, from, 20);
    if (abi_encode_call_text(ch->suite, signature, args, n, &tx.data) != BL_OK)
        fail_msg("cannot encode %s: %s", signature, bl_errmsg());
    receipt_init(r);
    assert_int_equal(exec_tx(&ch->block, &tx, false, r), BL_OK);
    tx_free(&tx);
}

static void
assert_ok(const receipt_t *r, const char *what)
{
    if (r->status != TX_OK)
        fail_msg("%s ended with status %d (%s): %s", what, (int)r->status,
                 tx_status_name((int)r->status), bl_errmsg());
}

/* The call must succeed; its output is an address (a new object). */
#define AT_ADDR(ch, to, out, sig, ...)                                                       \
    do {                                                                                     \
        receipt_t r_;                                                                        \
        at(ch, alice, to, sig, &r_, __VA_ARGS__);                                            \
        assert_ok(&r_, sig);                                                                 \
        pcu_output_address(&r_, out);                                                        \
        receipt_free(&r_);                                                                   \
    } while (0)

/* The call must succeed; its output is an int256. */
static int64_t __attribute__((sentinel))
at_int(pcu_chain_t *ch, const uint8_t from[20], const uint8_t to[20], const char *sig, ...)
{
    const char *a[MAX_ARGS + 1] = { NULL };
    size_t n = 0;
    receipt_t r;
    va_list ap;
    int64_t v;

    va_start(ap, sig);
    while ((a[n] = va_arg(ap, const char *)) != NULL)
        assert_true(++n < MAX_ARGS);
    va_end(ap);
    at(ch, from, to, sig, &r, a[0], a[1], a[2], a[3], NULL);
    assert_ok(&r, sig);
    v = pcu_output_int(&r);
    receipt_free(&r);
    return v;
}

/* The call's status (its output is not looked at). */
static int __attribute__((sentinel))
at_status(pcu_chain_t *ch, const uint8_t to[20], const char *sig, ...)
{
    const char *a[MAX_ARGS + 1] = { NULL };
    size_t n = 0;
    receipt_t r;
    va_list ap;
    int status;

    va_start(ap, sig);
    while ((a[n] = va_arg(ap, const char *)) != NULL)
        assert_true(++n < MAX_ARGS);
    va_end(ap);
    at(ch, alice, to, sig, &r, a[0], a[1], a[2], a[3], NULL);
    status = (int)r.status;
    receipt_free(&r);
    return status;
}

static void
hex_of(const uint8_t addr[20], char out[43])
{
    out[0] = '0';
    out[1] = 'x';
    bl_hex_encode(addr, 20, out + 2);
}

/* createTable(name, key, fields) must answer `code`. */
static void
create(pcu_chain_t *ch, const uint8_t from[20], const char *name, const char *key,
       const char *fields, int64_t code)
{
    assert_int_equal(pcu_call_int(ch, from, TF, "createTable(string,string,string)", name, key,
                                  fields, NULL), code);
}

/* openTable(name): the address it answers. */
static void
open_table(pcu_chain_t *ch, const char *name, uint8_t out[20])
{
    receipt_t r;

    pcu_call(ch, alice, TF, "openTable(string)", &r, name, NULL);
    assert_ok(&r, "openTable");
    pcu_output_address(&r, out);
    receipt_free(&r);
}

/* A new Entry of table t with name=key-ish fields set from NULL-ended field, value pairs. */
static void __attribute__((sentinel))
new_entry(pcu_chain_t *ch, const uint8_t t[20], uint8_t e[20], ...)
{
    char hex[43];
    const char *field, *value;
    va_list ap;

    AT_ADDR(ch, t, e, "newEntry()", NULL);
    hex_of(e, hex);
    va_start(ap, e);
    while ((field = va_arg(ap, const char *)) != NULL) {
        receipt_t r;

        value = va_arg(ap, const char *);
        at(ch, alice, e, "set(string,string)", &r, field, value, NULL);
        assert_ok(&r, "set");
        receipt_free(&r);
    }
    va_end(ap);
}

/* Table t: insert(key, entry) with the entry's fields as pairs; the answer. */
static int64_t __attribute__((sentinel))
insert_row(pcu_chain_t *ch, const uint8_t from[20], const uint8_t t[20], const char *key, ...)
{
    uint8_t e[20];
    char hex[43];
    const char *pairs[8] = { NULL };
    size_t n = 0;
    va_list ap;

    va_start(ap, key);
    while ((pairs[n] = va_arg(ap, const char *)) != NULL)
        assert_true(++n < 7);
    va_end(ap);
    new_entry(ch, t, e, pairs[0], pairs[1], pairs[2], pairs[3], pairs[4], pairs[5], NULL);
    hex_of(e, hex);
    return at_int(ch, from, t, "insert(string,address)", key, hex, NULL);
}

static void
new_condition(pcu_chain_t *ch, const uint8_t t[20], uint8_t cond[20])
{
    AT_ADDR(ch, t, cond, "newCondition()", NULL);
}

/* select(key, cond) on table t: the Entries object's address and its size. */
static int64_t
select_rows(pcu_chain_t *ch, const uint8_t t[20], const char *key, const uint8_t cond[20],
            uint8_t rows[20])
{
    char hex[43];

    hex_of(cond, hex);
    AT_ADDR(ch, t, rows, "select(string,address)", key, hex, NULL);
    return at_int(ch, alice, rows, "size()", NULL);
}

/* Row i of an Entries object: field's text (the caller frees it). */
static char *
row_field(pcu_chain_t *ch, const uint8_t rows[20], int i, const char *field)
{
    uint8_t e[20];
    char num[16];
    receipt_t r;
    char *s;

    snprintf(num, sizeof num, "%d", i);
    AT_ADDR(ch, rows, e, "get(int256)", num, NULL);
    at(ch, alice, e, "getString(string)", &r, field, NULL);
    assert_ok(&r, "getString");
    s = pcu_output_string(&r);
    receipt_free(&r);
    return s;
}

/* Put `who` on the write whitelist of `table`, in force from this block (§7.3). */
static void
grant(pcu_chain_t *ch, const char *table, const uint8_t who[20])
{
    table_t *access;
    entry_t e;
    char hex[43], num[24];

    hex_of(who, hex);
    snprintf(num, sizeof num, "%lld", (long long)ch->block.number);
    assert_int_equal(amdb_open_table(ch->db, AMDB_SYS_TABLE_ACCESS, &access), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "address", hex);
    entry_set_str(&e, "enable_num", num);
    assert_int_equal(table_insert(access, table, &e), BL_OK);
    entry_free(&e);
}

/* The fruit table of FISCO's own tests, opened: key name, fields item_id, item_name. */
static void
fruit_table(pcu_chain_t *ch, uint8_t t[20])
{
    create(ch, alice, "t_fruit", "name", "item_id,item_name", 0);
    open_table(ch, "t_fruit", t);
}

/* ---- the object model, end to end ---- */

/* §7.1: createTable → openTable → newEntry → set → insert → newCondition → EQ → select →
 * Entries size/get → Entry getString/getInt, each a call to an address; the objects get
 * 0x10001, 0x10002, ... in the order they are made (ExecutiveContext::registerPrecompiled). */
static void
table_object_model_round_trip_gives_objects_addresses_from_0x10001(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20], row[20], expect[20] = { 0 };
    char ehex[43], chex[43];
    receipt_t r;
    char *s;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, "t_fruit", "name", "item_id,item_name", 0);
    open_table(&ch, "t_fruit", t);
    bl_put_be(expect + 12, 0x10001, 8);
    assert_memory_equal(t, expect, 20);
    AT_ADDR(&ch, t, e, "newEntry()", NULL);
    bl_put_be(expect + 12, 0x10002, 8);
    assert_memory_equal(e, expect, 20);
    at(&ch, alice, e, "set(string,int256)", &r, "item_id", "1", NULL);
    assert_ok(&r, "set(string,int256)");
    assert_int_equal(r.output.len, 0); /* set answers nothing */
    receipt_free(&r);
    at(&ch, alice, e, "set(string,string)", &r, "item_name", "apple", NULL);
    receipt_free(&r);
    hex_of(e, ehex);
    assert_int_equal(at_int(&ch, alice, t, "insert(string,address)", "fruit", ehex, NULL), 1);
    new_condition(&ch, t, cond);
    hex_of(cond, chex);
    at(&ch, alice, cond, "EQ(string,int256)", &r, "item_id", "1", NULL);
    assert_ok(&r, "EQ");
    receipt_free(&r);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    bl_put_be(expect + 12, 0x10004, 8);
    assert_memory_equal(rows, expect, 20);
    AT_ADDR(&ch, rows, row, "get(int256)", "0", NULL);
    assert_int_equal(at_int(&ch, alice, row, "getInt(string)", "item_id", NULL), 1);
    s = row_field(&ch, rows, 0, "item_name");
    assert_string_equal(s, "apple");
    free(s);
    s = row_field(&ch, rows, 0, "name");
    assert_string_equal(s, "fruit");
    free(s);
    pcu_close(&ch);
}

/* Objects belong to the block (ExecutiveContext): a later transaction may use them; an
 * address past the last object is no contract (CallAddressError, 26). */
static void
table_objects_outlive_their_transaction_but_not_unknown_addresses(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], nowhere[20] = { 0 };

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    assert_int_equal(insert_row(&ch, alice, t, "a", "item_id", "1", NULL), 1);
    assert_int_equal(insert_row(&ch, alice, t, "a", "item_id", "2", NULL), 1);
    bl_put_be(nowhere + 12, 0x10000 + 1000, 8);
    assert_int_equal(at_status(&ch, nowhere, "size()", NULL), TX_CALL_ADDRESS_ERROR);
    bl_put_be(nowhere + 12, 0x10000, 8);
    assert_int_equal(at_status(&ch, nowhere, "size()", NULL), TX_CALL_ADDRESS_ERROR);
    pcu_close(&ch); /* frees every object: ASan checks nothing leaks */
}

/* ---- TableFactory ---- */

/* TableFactoryPrecompiled.cpp: a table that exists already answers -50001. */
static void
table_factory_create_existing_table_returns_50001(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, "t_a", "k", "v", 0);
    create(&ch, alice, "t_a", "k", "v,w", CODE_TABLE_NAME_ALREADY_EXIST);
    pcu_next_block(&ch);
    create(&ch, alice, "t_a", "k", "v", CODE_TABLE_NAME_ALREADY_EXIST);
    pcu_close(&ch);
}

/* §7.3: once _sys_tables_ has a whitelist, others may not create tables: -50000, status 0,
 * nothing written; FISCO looks for the table before it checks, so an existing one is -50001. */
static void
table_factory_create_without_permission_returns_50000(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], zero[20] = { 0 };

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, "t_old", "k", "v", 0);
    grant(&ch, AMDB_SYS_TABLES, alice);
    create(&ch, bob, "t_new", "k", "v", CODE_NO_AUTHORIZED);
    open_table(&ch, "t_new", t);
    assert_memory_equal(t, zero, 20);
    create(&ch, bob, "t_old", "k", "v", CODE_TABLE_NAME_ALREADY_EXIST);
    create(&ch, alice, "t_new", "k", "v", 0);
    pcu_close(&ch);
}

/* Common.cpp checkNameValidate and TableFactoryPrecompiled.cpp: a bad name throws in FISCO
 * (PrecompiledError, 21) and creates nothing; the message names FISCO's code for it. */
static void
table_factory_bad_names_fail_with_status_21_naming_the_fisco_code(void **state)
{
    char long_name[50], long_field[66], many[1100];
    struct {
        const char *name, *key, *fields, *code;
    } cases[] = {
        { long_name, "k", "v", "-50002" },     /* 49 characters: u_ + 49 > 50 */
        { "", "k", "v", "-50002" },
        { "t", long_field, "v", "-50003" },    /* 65 characters */
        { "t", "k", long_field, "-50003" },
        { "t", "k", many, "-50004" },          /* over 1024 characters in all */
        { "t", "k", "a,b,a", "-50007" },
        { "t", "k", "a,k", "-50007" },
        { "t-x", "k", "v", "-50008" },
        { "t", "_k", "v", "-50008" },
        { "t", "k", "v,_w", "-50008" },
        { "t", "k", "", "-50008" },
        { "t", "k", "a,,b", "-50008" },
        { "t", "k", "a b", "-50008" },
    };
    pcu_chain_t ch;
    uint8_t t[20], zero[20] = { 0 };

    (void)state;
    memset(long_name, 'n', 49);
    long_name[49] = '\0';
    memset(long_field, 'f', 65);
    long_field[65] = '\0';
    many[0] = '\0';
    for (int i = 0; i < 20; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sfield%02d%050d",
                 i ? "," : "", i, 0);
    pcu_open(&ch, suite_ecdsa(), 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        receipt_t r;

        pcu_call(&ch, alice, TF, "createTable(string,string,string)", &r, cases[i].name,
                 cases[i].key, cases[i].fields, NULL);
        if (r.status != TX_PRECOMPILED_ERROR || strstr(bl_errmsg(), cases[i].code) == NULL)
            fail_msg("case %zu: status %d, message \"%s\", wanted 21 and %s", i,
                     (int)r.status, bl_errmsg(), cases[i].code);
        receipt_free(&r);
    }
    open_table(&ch, "t", t);
    assert_memory_equal(t, zero, 20);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* TableFactoryPrecompiled.cpp trims the key and each field (boost::trim); 48 characters is the
 * longest user name (u_ + 48 = 50). */
static void
table_factory_trims_names_and_accepts_48_characters(void **state)
{
    pcu_chain_t ch;
    char name48[49];
    receipt_t r;
    abi_type_t *type = NULL;
    abi_value_t *v = NULL;

    (void)state;
    memset(name48, 'x', 48);
    name48[48] = '\0';
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, name48, "k", "v", 0);
    create(&ch, alice, "t_trim", " k ", " a , b$@ ", 0);
    pcu_call(&ch, alice, CRUD, "desc(string)", &r, "t_trim", NULL);
    assert_int_equal(abi_types_parse("string,string", &type), BL_OK);
    assert_int_equal(abi_decode(type, bl_buf_span(&r.output), &v), BL_OK);
    assert_memory_equal(v->items[0]->bytes.data, "k", 1);
    assert_int_equal(v->items[1]->bytes.len, strlen("a,b$@"));
    assert_memory_equal(v->items[1]->bytes.data, "a,b$@", 5);
    abi_value_free(v);
    abi_type_free(type);
    receipt_free(&r);
    pcu_close(&ch);
}

/* Common.cpp getTableName: the factory adds "u_", so openTable("u_x") looks for u_u_x, and a
 * table that does not exist opens as the zero address. */
static void
table_factory_adds_u_prefix_and_opens_missing_tables_as_zero(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], zero[20] = { 0 };
    table_t *raw;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, "t_p", "k", "v", 0);
    assert_int_equal(amdb_open_table(ch.db, "u_t_p", &raw), BL_OK);
    open_table(&ch, "u_t_p", t);
    assert_memory_equal(t, zero, 20);
    open_table(&ch, "nosuch", t);
    assert_memory_equal(t, zero, 20);
    open_table(&ch, AMDB_SYS_TABLES, t);
    assert_memory_equal(t, zero, 20);
    open_table(&ch, "t_p", t);
    assert_memory_not_equal(t, zero, 20);
    pcu_close(&ch);
}

/* ---- Table ---- */

/* §7.3, MemoryTable2.cpp: an account outside the table's whitelist gets -50000 from insert,
 * update and remove, with receipt status 0, and the table is unchanged. */
static void
table_writes_outside_whitelist_return_50000_and_write_nothing(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20];
    char ehex[43], chex[43];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    assert_int_equal(insert_row(&ch, alice, t, "fruit", "item_id", "1", NULL), 1);
    grant(&ch, "u_t_fruit", alice);
    assert_int_equal(insert_row(&ch, bob, t, "fruit", "item_id", "2", NULL), CODE_NO_AUTHORIZED);
    new_entry(&ch, t, e, "item_name", "pear", NULL);
    new_condition(&ch, t, cond);
    hex_of(e, ehex);
    hex_of(cond, chex);
    assert_int_equal(at_int(&ch, bob, t, "update(string,address,address)", "fruit", ehex, chex,
                            NULL), CODE_NO_AUTHORIZED);
    assert_int_equal(at_int(&ch, bob, t, "remove(string,address)", "fruit", chex, NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    assert_int_equal(insert_row(&ch, alice, t, "fruit", "item_id", "3", NULL), 1);
    pcu_close(&ch);
}

/* TablePrecompiled.cpp: update and remove answer how many rows they touched. */
static void
table_update_and_remove_return_row_counts(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20];
    char ehex[43], chex[43];
    receipt_t r;
    char *s;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    for (int i = 1; i <= 3; i++) {
        char id[16];

        snprintf(id, sizeof id, "%d", i);
        assert_int_equal(insert_row(&ch, alice, t, "fruit", "item_id", id, NULL), 1);
    }
    new_entry(&ch, t, e, "item_name", "ripe", NULL);
    new_condition(&ch, t, cond);
    at(&ch, alice, cond, "GE(string,int256)", &r, "item_id", "2", NULL);
    receipt_free(&r);
    hex_of(e, ehex);
    hex_of(cond, chex);
    assert_int_equal(at_int(&ch, alice, t, "update(string,address,address)", "fruit", ehex, chex,
                            NULL), 2);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 2);
    s = row_field(&ch, rows, 1, "item_name");
    assert_string_equal(s, "ripe");
    free(s);
    assert_int_equal(at_int(&ch, alice, t, "remove(string,address)", "fruit", chex, NULL), 2);
    new_condition(&ch, t, cond);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    assert_int_equal(at_int(&ch, alice, t, "remove(string,address)", "other", chex, NULL), 0);
    pcu_close(&ch);
}

/* MemoryTable2.cpp: insert stores the key it is given in the key field, whatever the entry
 * says; update never changes the key field (it skips it). */
static void
table_insert_sets_key_field_and_update_skips_it(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20];
    char ehex[43], chex[43];
    char *s;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    assert_int_equal(insert_row(&ch, alice, t, "fruit", "name", "other", "item_id", "1", NULL),
                     1);
    new_condition(&ch, t, cond);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    s = row_field(&ch, rows, 0, "name");
    assert_string_equal(s, "fruit");
    free(s);
    new_entry(&ch, t, e, "name", "renamed", "item_id", "9", NULL);
    hex_of(e, ehex);
    hex_of(cond, chex);
    assert_int_equal(at_int(&ch, alice, t, "update(string,address,address)", "fruit", ehex, chex,
                            NULL), 1);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    s = row_field(&ch, rows, 0, "name");
    assert_string_equal(s, "fruit");
    free(s);
    s = row_field(&ch, rows, 0, "item_id");
    assert_string_equal(s, "9");
    free(s);
    pcu_close(&ch);
}

/* MemoryTable2 checkField and TablePrecompiled's length checks throw in FISCO: a field the
 * table lacks, a name starting with '_', a key over 255 bytes, a value over 16 MB - 1 end
 * with PrecompiledError (21) and write nothing. */
static void
table_bad_rows_fail_with_status_21_and_write_nothing(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20];
    char ehex[43], long_key[257];
    char *huge = bl_xmalloc(AMDB_VALUE_MAX + 2);
    receipt_t r;

    (void)state;
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    memset(huge, 'v', AMDB_VALUE_MAX + 1);
    huge[AMDB_VALUE_MAX + 1] = '\0';
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    pcu_next_block(&ch);
    struct {
        const char *key, *field, *value;
    } cases[] = {
        { "fruit", "colour", "red" },
        { "fruit", "_id_", "7" },
        { long_key, "item_id", "1" },
        { "fruit", "item_name", huge },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        new_entry(&ch, t, e, cases[i].field, cases[i].value, NULL);
        hex_of(e, ehex);
        at(&ch, alice, t, "insert(string,address)", &r, cases[i].key, ehex, NULL);
        assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
        assert_int_equal(r.output.len, 0);
        receipt_free(&r);
    }
    assert_false(amdb_dirty(ch.db));
    free(huge);
    pcu_close(&ch);
}

/* TablePrecompiled.cpp casts the address to the object it needs; one of another kind (or no
 * object at all) is a bad call: PrecompiledError (21). */
static void
table_arguments_of_the_wrong_object_kind_fail_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20];
    char thex[43], ehex[43], chex[43];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    AT_ADDR(&ch, t, e, "newEntry()", NULL);
    new_condition(&ch, t, cond);
    hex_of(t, thex);
    hex_of(e, ehex);
    hex_of(cond, chex);
    assert_int_equal(at_status(&ch, t, "insert(string,address)", "k", chex, NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, t, "select(string,address)", "k", ehex, NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, t, "remove(string,address)", "k", thex, NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, t, "update(string,address,address)", "k", ehex, ehex, NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, t, "select(string,address)", "k",
                               "0x0000000000000000000000000000000000001001", NULL),
                     TX_PRECOMPILED_ERROR);
    pcu_close(&ch);
}

/* ---- Entry ---- */

/* EntryPrecompiled.cpp: numbers are kept as decimal text, an address as 40 lowercase hex
 * digits without 0x; getBytes32/64 give the first 32/64 bytes padded with zeros. */
static void
entry_set_and_get_every_type(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], got[20], who[20];
    char *s;
    receipt_t r;
    const char *max = "1157920892373161954235709850086879078532699846656405640394575840079131"
                      "29639935"; /* 2^256 - 1 */
    const char *min = "-578960446186580977117854925043439539266349923328202820197287920039565"
                      "64819968"; /* -2^255 */

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    AT_ADDR(&ch, t, e, "newEntry()", NULL);
    at(&ch, alice, e, "set(string,int256)", &r, "a", "-42", NULL);
    receipt_free(&r);
    assert_int_equal(at_int(&ch, alice, e, "getInt(string)", "a", NULL), -42);
    at(&ch, alice, e, "getString(string)", &r, "a", NULL);
    s = pcu_output_string(&r);
    assert_string_equal(s, "-42");
    free(s);
    receipt_free(&r);
    at(&ch, alice, e, "set(string,uint256)", &r, "u", max, NULL);
    receipt_free(&r);
    at(&ch, alice, e, "getUInt(string)", &r, "u", NULL);
    assert_ok(&r, "getUInt");
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(r.output.data[i], 0xff);
    receipt_free(&r);
    at(&ch, alice, e, "set(string,int256)", &r, "m", min, NULL);
    receipt_free(&r);
    at(&ch, alice, e, "getInt(string)", &r, "m", NULL);
    assert_ok(&r, "getInt(min)");
    assert_int_equal(r.output.data[0], 0x80);
    receipt_free(&r);
    pcu_account(who, 0xab);
    at(&ch, alice, e, "set(string,address)", &r, "who",
       "0xabababababababababababababababababababab", NULL);
    receipt_free(&r);
    at(&ch, alice, e, "getString(string)", &r, "who", NULL);
    s = pcu_output_string(&r);
    assert_string_equal(s, "abababababababababababababababababababab");
    free(s);
    receipt_free(&r);
    AT_ADDR(&ch, e, got, "getAddress(string)", "who", NULL);
    assert_memory_equal(got, who, 20);
    at(&ch, alice, e, "set(string,string)", &r, "s", "abc", NULL);
    receipt_free(&r);
    at(&ch, alice, e, "getBytes32(string)", &r, "s", NULL);
    assert_int_equal(r.output.len, 32);
    tu_assert_hex_eq(r.output.data, 32,
                     "6162630000000000000000000000000000000000000000000000000000000000");
    receipt_free(&r);
    at(&ch, alice, e, "set(string,string)", &r, "s",
       "0123456789012345678901234567890123456789", NULL);
    receipt_free(&r);
    at(&ch, alice, e, "getBytes64(string)", &r, "s", NULL);
    assert_int_equal(r.output.len, 64);
    assert_memory_equal(r.output.data, "0123456789012345678901234567890123456789", 40);
    assert_int_equal(r.output.data[40], 0);
    receipt_free(&r);
    pcu_close(&ch);
}

/* EntryPrecompiled.cpp: getInt of text that is not a number (or of a missing field, read as
 * "") throws — PrecompiledError (21); getString of a missing field is ""; getAddress of text
 * that is not 20 bytes of hex is the zero address (FixedHash). */
static void
entry_getint_of_text_fails_and_missing_fields_read_empty(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], got[20], zero[20] = { 0 };
    receipt_t r;
    char *s;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    new_entry(&ch, t, e, "a", "apple", "b", "12x", "c", "abcd", NULL);
    assert_int_equal(at_status(&ch, e, "getInt(string)", "a", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, e, "getInt(string)", "b", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, e, "getInt(string)", "missing", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, e, "getUInt(string)", "a", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, e, "getAddress(string)", "a", NULL), TX_PRECOMPILED_ERROR);
    at(&ch, alice, e, "getString(string)", &r, "missing", NULL);
    s = pcu_output_string(&r);
    assert_string_equal(s, "");
    free(s);
    receipt_free(&r);
    AT_ADDR(&ch, e, got, "getAddress(string)", "c", NULL);
    assert_memory_equal(got, zero, 20);
    pcu_close(&ch);
}

/* ---- Entries ---- */

/* EntriesPrecompiled.cpp: get(i) past the end throws (Entries::get) — status 21. */
static void
entries_get_past_the_end_fails_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], cond[20], rows[20];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    assert_int_equal(insert_row(&ch, alice, t, "k", "item_id", "1", NULL), 1);
    new_condition(&ch, t, cond);
    assert_int_equal(select_rows(&ch, t, "k", cond, rows), 1);
    assert_int_equal(at_status(&ch, rows, "get(int256)", "1", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, rows, "get(int256)", "-1", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, rows, "get(int256)", "0", NULL), TX_OK);
    pcu_close(&ch);
}

/* ---- Condition ---- */

/* How many rows of key "k" pass one condition call cond_sig(field, value). */
static int64_t
count_with(pcu_chain_t *ch, const uint8_t t[20], const char *sig, const char *a1, const char *a2)
{
    uint8_t cond[20], rows[20];
    receipt_t r;

    new_condition(ch, t, cond);
    at(ch, alice, cond, sig, &r, a1, a2, NULL);
    assert_ok(&r, sig);
    receipt_free(&r);
    return select_rows(ch, t, "k", cond, rows);
}

/* ConditionPrecompiled.cpp: every operation, and both limits, through the object. */
static void
condition_every_operation_and_limit_selects_the_right_rows(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20];
    char ehex[43];
    receipt_t r;
    char *s;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    create(&ch, alice, "t_n", "k", "n,who", 0);
    open_table(&ch, "t_n", t);
    for (int i = 1; i <= 5; i++) {
        char n[16];

        snprintf(n, sizeof n, "%d", i);
        assert_int_equal(insert_row(&ch, alice, t, "k", "n", n, NULL), 1);
    }
    AT_ADDR(&ch, t, e, "newEntry()", NULL);
    at(&ch, alice, e, "set(string,address)", &r, "who",
       "0x0101010101010101010101010101010101010101", NULL);
    receipt_free(&r);
    hex_of(e, ehex);
    assert_int_equal(at_int(&ch, alice, t, "insert(string,address)", "k", ehex, NULL), 1);
    assert_int_equal(count_with(&ch, t, "EQ(string,int256)", "n", "3"), 1);
    assert_int_equal(count_with(&ch, t, "EQ(string,string)", "n", "3"), 1);
    assert_int_equal(count_with(&ch, t, "NE(string,int256)", "n", "3"), 5);
    assert_int_equal(count_with(&ch, t, "NE(string,string)", "n", "3"), 5);
    assert_int_equal(count_with(&ch, t, "GT(string,int256)", "n", "3"), 2);
    assert_int_equal(count_with(&ch, t, "GE(string,int256)", "n", "3"), 3);
    assert_int_equal(count_with(&ch, t, "LT(string,int256)", "n", "3"), 3); /* "" counts as 0 */
    assert_int_equal(count_with(&ch, t, "LE(string,int256)", "n", "3"), 4);
    assert_int_equal(count_with(&ch, t, "EQ(string,address)", "who",
                                "0x0101010101010101010101010101010101010101"), 1);
    new_condition(&ch, t, cond);
    at(&ch, alice, cond, "limit(int256)", &r, "2", NULL);
    receipt_free(&r);
    assert_int_equal(select_rows(&ch, t, "k", cond, rows), 2);
    new_condition(&ch, t, cond);
    at(&ch, alice, cond, "limit(int256,int256)", &r, "1", "2", NULL);
    receipt_free(&r);
    assert_int_equal(select_rows(&ch, t, "k", cond, rows), 2);
    s = row_field(&ch, rows, 0, "n");
    assert_string_equal(s, "2");
    free(s);
    new_condition(&ch, t, cond);
    assert_int_equal(at_status(&ch, cond, "limit(int256)", "-1", NULL), TX_PRECOMPILED_ERROR);
    pcu_close(&ch);
}

/* A condition on a field the table does not have cannot be answered: status 21. */
static void
condition_on_unknown_field_fails_select_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], cond[20];
    char chex[43];
    receipt_t r;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    new_condition(&ch, t, cond);
    at(&ch, alice, cond, "EQ(string,string)", &r, "colour", "red", NULL);
    receipt_free(&r);
    hex_of(cond, chex);
    at(&ch, alice, t, "select(string,address)", &r, "k", chex, NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_close(&ch);
}

/* ---- malformed calls, suites, the registry ---- */

/* Our rule for every precompile (precompiled.h): an unknown selector or arguments that do not
 * decode end with PrecompiledError (21). */
static void
table_objects_unknown_methods_and_bad_arguments_fail_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], e[20], cond[20], rows[20];
    receipt_t r;
    bl_buf_t data = BL_BUF_INIT;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    fruit_table(&ch, t);
    AT_ADDR(&ch, t, e, "newEntry()", NULL);
    new_condition(&ch, t, cond);
    select_rows(&ch, t, "k", cond, rows);
    assert_int_equal(at_status(&ch, t, "drop()", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, e, "size()", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, rows, "getInt(string)", "a", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(at_status(&ch, cond, "newEntry()", NULL), TX_PRECOMPILED_ERROR);
    pcu_call(&ch, alice, TF, "dropTable(string)", &r, "t_fruit", NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_encode(ch.suite, &data, "createTable(string,string,string)", "a", "b", "c", NULL);
    data.len -= 32; /* cut the last word: the arguments no longer decode */
    pcu_call_raw(&ch, alice, TF, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    pcu_close(&ch);
}

/* On an SM chain the selectors are SM3's (§7.1): the whole object chain works with them, and
 * a Keccak selector is an unknown method there. */
static void
table_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;
    uint8_t t[20], cond[20], rows[20];
    bl_buf_t data = BL_BUF_INIT;
    receipt_t r;
    char *s;

    (void)state;
    pcu_open(&ch, suite_sm(), 1);
    fruit_table(&ch, t);
    assert_int_equal(insert_row(&ch, alice, t, "fruit", "item_name", "apple", NULL), 1);
    new_condition(&ch, t, cond);
    assert_int_equal(select_rows(&ch, t, "fruit", cond, rows), 1);
    s = row_field(&ch, rows, 0, "item_name");
    assert_string_equal(s, "apple");
    free(s);
    pcu_encode(suite_ecdsa(), &data, "createTable(string,string,string)", "t2", "k", "v", NULL);
    pcu_call_raw(&ch, alice, TF, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    pcu_close(&ch);
}

static int frees;

static void
note_free(void *state)
{
    (void)state;
    frees++;
}

static int
never_called(exec_call_t *c, void *state)
{
    (void)c;
    (void)state;
    return BL_E_INVALID;
}

/* exec.h: objects are made only by calls that run alone — a buffered call of a concurrent
 * block is refused (and its state freed); a lookup checks the kind; the object range starts
 * above 0x10000; destroy frees them all. */
static void
exec_objects_refused_beside_others_and_freed_with_the_block(void **state)
{
    static const exec_object_class_t kind = { "Test", never_called, note_free };
    static const exec_object_class_t other = { "Other", never_called, NULL };
    pcu_chain_t ch;
    exec_call_t c;
    uint8_t addr[20], zero[20] = { 0 };
    int token = 0;

    (void)state;
    frees = 0;
    pcu_open(&ch, suite_ecdsa(), 1);
    exec_call_init(&c, &ch.block, alice, zero, bl_span("", 0), NULL);
    assert_int_equal(exec_register_object(&c, &kind, &token, addr), BL_OK);
    assert_ptr_equal(exec_object_at(&ch.block, addr, &kind), &token);
    assert_ptr_equal(exec_object_at(&ch.block, addr, NULL), &token);
    assert_null(exec_object_at(&ch.block, addr, &other));
    assert_null(exec_object_at(&ch.block, zero, NULL));
    assert_true(exec_is_object_address(addr));
    assert_false(exec_is_object_address(zero));
    precompile_address(0x1001, zero);
    assert_false(exec_is_object_address(zero)); /* a fixed precompile is not an object */
    memset(zero, 0, sizeof zero);
    c.buffered = true;
    ch.block.concurrent = true;
    assert_int_equal(exec_register_object(&c, &kind, &token, addr), BL_E_INVALID);
    assert_int_equal(frees, 1); /* the refused state was freed at once */
    ch.block.concurrent = false;
    exec_call_free(&c);
    pcu_close(&ch);
    assert_int_equal(frees, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_object_model_round_trip_gives_objects_addresses_from_0x10001),
        cmocka_unit_test(table_objects_outlive_their_transaction_but_not_unknown_addresses),
        cmocka_unit_test(table_factory_create_existing_table_returns_50001),
        cmocka_unit_test(table_factory_create_without_permission_returns_50000),
        cmocka_unit_test(table_factory_bad_names_fail_with_status_21_naming_the_fisco_code),
        cmocka_unit_test(table_factory_trims_names_and_accepts_48_characters),
        cmocka_unit_test(table_factory_adds_u_prefix_and_opens_missing_tables_as_zero),
        cmocka_unit_test(table_writes_outside_whitelist_return_50000_and_write_nothing),
        cmocka_unit_test(table_update_and_remove_return_row_counts),
        cmocka_unit_test(table_insert_sets_key_field_and_update_skips_it),
        cmocka_unit_test(table_bad_rows_fail_with_status_21_and_write_nothing),
        cmocka_unit_test(table_arguments_of_the_wrong_object_kind_fail_with_status_21),
        cmocka_unit_test(entry_set_and_get_every_type),
        cmocka_unit_test(entry_getint_of_text_fails_and_missing_fields_read_empty),
        cmocka_unit_test(entries_get_past_the_end_fails_with_status_21),
        cmocka_unit_test(condition_every_operation_and_limit_selects_the_right_rows),
        cmocka_unit_test(condition_on_unknown_field_fails_select_with_status_21),
        cmocka_unit_test(table_objects_unknown_methods_and_bad_arguments_fail_with_status_21),
        cmocka_unit_test(table_sm_chain_uses_sm3_selectors),
        cmocka_unit_test(exec_objects_refused_beside_others_and_freed_with_the_block),
    };

    return cmocka_run_group_tests_name("pc_table", tests, setup, NULL);
}
