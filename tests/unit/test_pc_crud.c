/*
 * test_pc_crud.c — the CRUD precompile (0x1002, exec/pc_crud.c): the table API with rows and
 * conditions written as JSON, as the console's SQL-like commands send them.
 *
 * Pins down fisco-2x-facts §7.1 (insert/update/select/remove/desc, the condition JSON
 * {"field":{"eq":"v"}, "limit":{"limit":"offset,count"}}, codes -50100, -51500, -51501,
 * -51502, -51503), §7.3 (a write outside the table's whitelist answers -50000 with receipt
 * status 0), and what FISCO's CRUDPrecompiled.cpp and its unit test CRUDPrecompiledTest.cpp
 * do with each kind of bad input.
 */
#include "testutil.h"
#include "pcutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define TF 0x1001
#define CRUD 0x1002

static const char INSERT[] = "insert(string,string,string,string)";
static const char UPDATE[] = "update(string,string,string,string,string)";
static const char SELECT[] = "select(string,string,string,string)";
static const char REMOVE[] = "remove(string,string,string,string)";

static uint8_t alice[20], bob[20];

static int
setup(void **state)
{
    (void)state;
    pcu_account(alice, 1);
    pcu_account(bob, 2);
    return 0;
}

/* A chain with FISCO's test table t_test (key name; fields item_id, item_name). */
static void
open_fruit(pcu_chain_t *ch, const suite_t *suite)
{
    pcu_open(ch, suite, 1);
    assert_int_equal(pcu_call_int(ch, alice, TF, "createTable(string,string,string)", "t_test",
                                  "name", "item_id,item_name", NULL), 0);
}

static int64_t
insert(pcu_chain_t *ch, const uint8_t from[20], const char *key, const char *entry)
{
    return pcu_call_int(ch, from, CRUD, INSERT, "t_test", key, entry, "", NULL);
}

/* select(t_test, key, cond) must answer JSON; it is compared as text. */
static void
assert_select(pcu_chain_t *ch, const char *key, const char *cond, const char *expect)
{
    char *json = pcu_call_string(ch, alice, CRUD, SELECT, "t_test", key, cond, "", NULL);

    if (strcmp(json, expect) != 0)
        fail_msg("select %s %s\n  got  %s\n  want %s", key, cond, json, expect);
    free(json);
}

/* How many rows select(t_test, key, cond) finds. */
static size_t
count_rows(pcu_chain_t *ch, const char *key, const char *cond)
{
    char *text = pcu_call_string(ch, alice, CRUD, SELECT, "t_test", key, cond, "", NULL);
    json_t *j = json_loads(text, 0, NULL);
    size_t n;

    assert_non_null(j);
    assert_true(json_is_array(j));
    n = json_array_size(j);
    json_decref(j);
    free(text);
    return n;
}

/* The call's receipt status (the output is not looked at). */
static int
status_of(pcu_chain_t *ch, const char *sig, const char *a, const char *b, const char *c,
          const char *d, const char *e)
{
    receipt_t r;
    int status;

    pcu_call(ch, alice, CRUD, sig, &r, a, b, c, d, e, NULL);
    status = (int)r.status;
    receipt_free(&r);
    return status;
}

/* Five rows under key "fruit": item_id 1..5, item_name apple, pear, plum, fig, kiwi. */
static void
five_rows(pcu_chain_t *ch)
{
    static const char *names[] = { "apple", "pear", "plum", "fig", "kiwi" };
    char entry[96];

    for (int i = 0; i < 5; i++) {
        snprintf(entry, sizeof entry, "{\"item_id\":\"%d\",\"item_name\":\"%s\"}", i + 1,
                 names[i]);
        assert_int_equal(insert(ch, alice, "fruit", entry), 1);
    }
}

/* ---- the five methods ---- */

/* CRUDPrecompiled desc(string): (key field, value fields) from _sys_tables_, two empty strings
 * for a table that does not exist. */
static void
crud_desc_returns_key_and_value_fields_or_empty_strings(void **state)
{
    pcu_chain_t ch;
    abi_type_t *type = NULL;
    abi_value_t *v = NULL;
    receipt_t r;
    const char *names[] = { "t_test", "nosuch" };
    const char *expect[][2] = { { "name", "item_id,item_name" }, { "", "" } };

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(abi_types_parse("string,string", &type), BL_OK);
    for (size_t i = 0; i < 2; i++) {
        pcu_call(&ch, alice, CRUD, "desc(string)", &r, names[i], NULL);
        assert_int_equal(r.status, TX_OK);
        assert_int_equal(abi_decode(type, bl_buf_span(&r.output), &v), BL_OK);
        assert_int_equal(v->items[0]->bytes.len, strlen(expect[i][0]));
        assert_int_equal(v->items[1]->bytes.len, strlen(expect[i][1]));
        assert_memory_equal(v->items[1]->bytes.data, expect[i][1], strlen(expect[i][1]));
        abi_value_free(v);
        receipt_free(&r);
    }
    abi_type_free(type);
    pcu_close(&ch);
}

/* §7.1: insert answers 1; select answers the rows as a JSON array of objects of text. */
static void
crud_insert_then_select_round_trips_rows_as_json(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(insert(&ch, alice, "fruit",
                            "{\"item_id\":\"1\",\"name\":\"fruit\",\"item_name\":\"apple\"}"), 1);
    assert_select(&ch, "fruit", "{\"item_id\":{\"eq\":\"1\"},\"limit\":{\"limit\":\"0,1\"}}",
                  "[{\"item_id\":\"1\",\"item_name\":\"apple\",\"name\":\"fruit\"}]");
    assert_select(&ch, "other", "{}", "[]");
    pcu_next_block(&ch); /* committed rows read the same */
    assert_select(&ch, "fruit", "{}",
                  "[{\"item_id\":\"1\",\"item_name\":\"apple\",\"name\":\"fruit\"}]");
    pcu_close(&ch);
}

/* MemoryTable2::insert stores the key it is given in the key field (FISCO's own test inserts
 * with key "name" and an entry that says name "fruit"). A field the entry omits reads "". */
static void
crud_insert_stores_the_key_in_the_key_field(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(insert(&ch, alice, "name", "{\"item_id\":\"1\",\"name\":\"fruit\"}"), 1);
    assert_select(&ch, "name", "{}", "[{\"item_id\":\"1\",\"item_name\":\"\",\"name\":\"name\"}]");
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 0);
    pcu_close(&ch);
}

/* CRUDPrecompiled.cpp: every method on a table that does not exist answers -50100. */
static void
crud_insert_into_unknown_table_returns_50100(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, INSERT, "t_demo", "k", "{}", "", NULL),
                     CODE_TABLE_NOT_EXIST);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_demo", "k", "{}", "{}", "", NULL),
                     CODE_TABLE_NOT_EXIST);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, REMOVE, "t_demo", "k", "{}", "", NULL),
                     CODE_TABLE_NOT_EXIST);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, SELECT, "t_demo", "k", "{}", "", NULL),
                     CODE_TABLE_NOT_EXIST);
    /* the prefix is added: the real name of the table is not a name CRUD can use */
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, INSERT, "u_t_test", "k", "{}", "", NULL),
                     CODE_TABLE_NOT_EXIST);
    pcu_close(&ch);
}

/* CRUDPrecompiled parseEntry: an entry that is not JSON answers -51500 (insert and update). */
static void
crud_entry_that_is_not_json_returns_51500(void **state)
{
    pcu_chain_t ch;
    const char *bad = "{\"item_id\"1\",\"name\":\"fruit\",\"item_name\":\"apple\"}";

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(insert(&ch, alice, "fruit", bad), CODE_PARSE_ENTRY_ERROR);
    assert_int_equal(insert(&ch, alice, "fruit", ""), CODE_PARSE_ENTRY_ERROR);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "fruit", bad,
                                  "{\"item_id\":{\"eq\":\"1\"}}", "", NULL),
                     CODE_PARSE_ENTRY_ERROR);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 0);
    pcu_close(&ch);
}

/* CRUDPrecompiled parseCondition: a condition that is not JSON answers -51501 (select,
 * update, remove), and so does an empty one. */
static void
crud_condition_that_is_not_json_returns_51501(void **state)
{
    pcu_chain_t ch;
    const char *bad = "{\"item_id\"\"eq\":\"1\"}}";

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, SELECT, "t_test", "fruit", bad, "", NULL),
                     CODE_PARSE_CONDITION_ERROR);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, SELECT, "t_test", "fruit", "", "", NULL),
                     CODE_PARSE_CONDITION_ERROR);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "fruit",
                                  "{\"item_name\":\"x\"}", bad, "", NULL),
                     CODE_PARSE_CONDITION_ERROR);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, REMOVE, "t_test", "fruit", bad, "", NULL),
                     CODE_PARSE_CONDITION_ERROR);
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_name\":{\"eq\":\"x\"}}"), 0);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 5);
    pcu_close(&ch);
}

/* CRUDPrecompiled parseCondition: an operation other than eq, ne, gt, ge, lt, le and limit
 * answers -51502 ("eqq" is FISCO's own test case). */
static void
crud_undefined_condition_operation_returns_51502(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, REMOVE, "t_test", "fruit",
                                  "{\"item_id\":{\"eqq\":\"1\"}}", "", NULL),
                     CODE_CONDITION_OPERATION_UNDEFINED);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, SELECT, "t_test", "fruit",
                                  "{\"item_id\":{\"EQ\":\"1\"}}", "", NULL),
                     CODE_CONDITION_OPERATION_UNDEFINED);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 5);
    pcu_close(&ch);
}

/* CRUDPrecompiledTest.cpp (2.x): an update whose entry names the key field answers -51503
 * and changes nothing; without it the same update changes the row. */
static void
crud_update_naming_the_key_field_returns_51503(void **state)
{
    pcu_chain_t ch;
    const char *cond = "{\"item_id\":{\"eq\":\"1\"}}";

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(insert(&ch, alice, "fruit", "{\"item_id\":\"1\",\"item_name\":\"apple\"}"),
                     1);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "fruit",
                                  "{\"item_id\":\"1\",\"name\":\"fruit\",\"item_name\":\"orange\"}",
                                  cond, "", NULL),
                     CODE_INVALID_UPDATE_TABLE_KEY);
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_name\":{\"eq\":\"apple\"}}"), 1);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "fruit",
                                  "{\"item_id\":\"1\",\"item_name\":\"orange\"}", cond, "", NULL),
                     1);
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_name\":{\"eq\":\"orange\"}}"), 1);
    pcu_close(&ch);
}

/* ---- conditions ---- */

/* §6.1 and the condition JSON of §7.1: each of eq, ne, gt, ge, lt, le, several at once (AND),
 * on text and on numbers; integers may be written bare. */
static void
crud_every_condition_operation_filters_rows(void **state)
{
    pcu_chain_t ch;
    const struct {
        const char *cond;
        size_t rows;
    } cases[] = {
        { "{\"item_id\":{\"eq\":\"3\"}}", 1 },
        { "{\"item_name\":{\"eq\":\"fig\"}}", 1 },
        { "{\"item_id\":{\"ne\":\"3\"}}", 4 },
        { "{\"item_name\":{\"ne\":\"fig\"}}", 4 },
        { "{\"item_id\":{\"gt\":\"3\"}}", 2 },
        { "{\"item_id\":{\"ge\":\"3\"}}", 3 },
        { "{\"item_id\":{\"lt\":\"3\"}}", 2 },
        { "{\"item_id\":{\"le\":\"3\"}}", 3 },
        { "{\"item_id\":{\"gt\":1,\"lt\":5}}", 3 },
        { "{\"item_id\":{\"ge\":\"2\"},\"item_name\":{\"ne\":\"pear\"}}", 3 },
        { "{\"name\":{\"eq\":\"fruit\"}}", 5 },
        { "{}", 5 },
        { "null", 5 },
        { "{\"item_id\":null}", 5 },
    };

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = count_rows(&ch, "fruit", cases[i].cond);

        if (n != cases[i].rows)
            fail_msg("%s: %zu rows, want %zu", cases[i].cond, n, cases[i].rows);
    }
    pcu_close(&ch);
}

/* CRUDPrecompiled parseCondition: "limit" takes "offset,count" under any field name; a
 * negative offset or count means no limit (MemoryTable2::selectNoLock); anything but two
 * integers makes FISCO throw — status 21. */
static void
crud_limit_takes_offset_and_count(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    assert_select(&ch, "fruit", "{\"limit\":{\"limit\":\"1,2\"}}",
                  "[{\"item_id\":\"2\",\"item_name\":\"pear\",\"name\":\"fruit\"},"
                  "{\"item_id\":\"3\",\"item_name\":\"plum\",\"name\":\"fruit\"}]");
    assert_int_equal(count_rows(&ch, "fruit", "{\"limit\":{\"limit\":\"0,2\"}}"), 2);
    assert_int_equal(count_rows(&ch, "fruit", "{\"limit\":{\"limit\":\"3,10\"}}"), 2);
    assert_int_equal(count_rows(&ch, "fruit", "{\"limit\":{\"limit\":\"9,1\"}}"), 0);
    assert_int_equal(count_rows(&ch, "fruit", "{\"limit\":{\"limit\":\"0,0\"}}"), 0);
    assert_int_equal(count_rows(&ch, "fruit", "{\"limit\":{\"limit\":\"-1,2\"}}"), 5);
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_id\":{\"gt\":\"1\",\"limit\":\"0,1\"}}"),
                     1);
    assert_int_equal(count_rows(&ch, "fruit", "{\"page\":{\"limit\":\"1,1\"}}"), 1);
    assert_int_equal(status_of(&ch, SELECT, "t_test", "fruit", "{\"limit\":{\"limit\":\"2\"}}",
                               "", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, SELECT, "t_test", "fruit",
                               "{\"limit\":{\"limit\":\"a,b\"}}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, SELECT, "t_test", "fruit",
                               "{\"limit\":{\"limit\":\"0, 1\"}}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    pcu_close(&ch);
}

/* CRUDPrecompiled parseCondition reads only "hash fields": a member whose name starts or ends
 * with '_' is skipped, whatever it holds. */
static void
crud_condition_skips_fields_starting_or_ending_with_underscore(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    assert_int_equal(count_rows(&ch, "fruit", "{\"_id_\":{\"eq\":\"1\"}}"), 5);
    assert_int_equal(count_rows(&ch, "fruit", "{\"x_\":{\"bogus\":\"1\"}}"), 5);
    assert_int_equal(count_rows(&ch, "fruit", "{\"_limit\":{\"limit\":\"0,1\"}}"), 5);
    pcu_close(&ch);
}

/* ---- writes ---- */

/* TablePrecompiled/CRUD: update and remove answer the number of rows they touched. */
static void
crud_update_and_remove_return_counts(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "fruit",
                                  "{\"item_name\":\"ripe\"}", "{\"item_id\":{\"gt\":\"3\"}}", "",
                                  NULL), 2);
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_name\":{\"eq\":\"ripe\"}}"), 2);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, REMOVE, "t_test", "fruit",
                                  "{\"item_name\":{\"eq\":\"ripe\"}}", "", NULL), 2);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, REMOVE, "t_test", "fruit",
                                  "{\"item_id\":{\"eq\":\"9\"}}", "", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, UPDATE, "t_test", "none",
                                  "{\"item_name\":\"x\"}", "{}", "", NULL), 0);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 3);
    pcu_call_int(&ch, alice, CRUD, REMOVE, "t_test", "fruit", "{}", "", NULL);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 0);
    pcu_close(&ch);
}

/* Put `who` on the write whitelist of `table`, in force from this block (§7.3). */
static void
grant(pcu_chain_t *ch, const char *table, const uint8_t who[20])
{
    table_t *access;
    entry_t e;
    char hex[43], num[24];

    hex[0] = '0';
    hex[1] = 'x';
    bl_hex_encode(who, 20, hex + 2);
    snprintf(num, sizeof num, "%lld", (long long)ch->block.number);
    assert_int_equal(amdb_open_table(ch->db, AMDB_SYS_TABLE_ACCESS, &access), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "address", hex);
    entry_set_str(&e, "enable_num", num);
    assert_int_equal(table_insert(access, table, &e), BL_OK);
    entry_free(&e);
}

/* §7.3 and CRUDPrecompiled.cpp: a write by an account outside the table's whitelist answers
 * -50000 in the output with receipt status 0 (FISCO returns Table::insert's code, it does not
 * throw), and the table is unchanged; the listed account still writes, everyone still reads. */
static void
crud_writes_outside_whitelist_return_50000_with_status_0(void **state)
{
    pcu_chain_t ch;
    receipt_t r;
    const char *calls[][5] = {
        { INSERT, "fruit", "{\"item_id\":\"9\"}", "", NULL },
        { UPDATE, "fruit", "{\"item_name\":\"x\"}", "{}", "" },
        { REMOVE, "fruit", "{}", "", NULL },
    };

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    five_rows(&ch);
    grant(&ch, "u_t_test", alice);
    for (size_t i = 0; i < 3; i++) {
        pcu_call(&ch, bob, CRUD, calls[i][0], &r, "t_test", calls[i][1], calls[i][2],
                 calls[i][3], calls[i][4], NULL);
        assert_int_equal(r.status, TX_OK);
        assert_int_equal(pcu_output_int(&r), CODE_NO_AUTHORIZED);
        receipt_free(&r);
    }
    assert_int_equal(count_rows(&ch, "fruit", "{\"item_name\":{\"eq\":\"x\"}}"), 0);
    assert_int_equal(count_rows(&ch, "fruit", "{}"), 5);
    assert_int_equal(insert(&ch, alice, "fruit", "{\"item_id\":\"6\"}"), 1);
    pcu_close(&ch);
}

/* FISCO throws (PrecompiledError, 21) and writes nothing for: a field the table lacks
 * (MemoryTable2 checkField), a field starting with '_', a key over 255 bytes (checked before
 * the table is even opened), a condition on a field the table lacks. */
static void
crud_bad_rows_fail_with_status_21_and_write_nothing(void **state)
{
    pcu_chain_t ch;
    char long_key[257];

    (void)state;
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    open_fruit(&ch, suite_ecdsa());
    pcu_next_block(&ch);
    assert_int_equal(status_of(&ch, INSERT, "t_test", "fruit", "{\"colour\":\"red\"}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, INSERT, "t_test", "fruit", "{\"_status_\":\"1\"}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, INSERT, "t_test", long_key, "{}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, INSERT, "t_demo", long_key, "{}", "", NULL),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, UPDATE, "t_test", "fruit", "{\"colour\":\"red\"}", "{}", ""),
                     TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, REMOVE, "t_test", "fruit", "{\"colour\":{\"eq\":\"red\"}}",
                               "", NULL), TX_PRECOMPILED_ERROR);
    assert_int_equal(status_of(&ch, SELECT, "t_test", "fruit", "{\"colour\":{\"eq\":\"red\"}}",
                               "", NULL), TX_PRECOMPILED_ERROR);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* jsoncpp's asString, which FISCO reads every value with, throws on an object or array (and
 * getMemberNames on a non-object): PrecompiledError (21). Fractions we refuse the same way. */
static void
crud_json_of_the_wrong_shape_fails_with_status_21(void **state)
{
    pcu_chain_t ch;
    const char *entries[] = { "[1,2]", "\"text\"", "{\"item_id\":{\"a\":1}}",
                              "{\"item_id\":[1]}", "{\"item_id\":1.5}" };
    const char *conds[] = { "[1]", "7", "{\"item_id\":\"1\"}", "{\"item_id\":{\"eq\":[1]}}",
                            "{\"item_id\":{\"eq\":{}}}" };

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    pcu_next_block(&ch);
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (status_of(&ch, INSERT, "t_test", "fruit", entries[i], "", NULL) !=
            TX_PRECOMPILED_ERROR)
            fail_msg("entry %s was not refused with status 21", entries[i]);
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++)
        if (status_of(&ch, SELECT, "t_test", "fruit", conds[i], "", NULL) !=
            TX_PRECOMPILED_ERROR)
            fail_msg("condition %s was not refused with status 21", conds[i]);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* jsoncpp's asString: an integer reads as its digits, true/false as words, null as "". */
static void
crud_json_values_may_be_integers_booleans_or_null(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(insert(&ch, alice, "a", "{\"item_id\":-7,\"item_name\":true}"), 1);
    assert_int_equal(insert(&ch, alice, "b", "{\"item_id\":null,\"item_name\":false}"), 1);
    assert_int_equal(insert(&ch, alice, "c", "null"), 1);
    assert_select(&ch, "a", "{}", "[{\"item_id\":\"-7\",\"item_name\":\"true\",\"name\":\"a\"}]");
    assert_select(&ch, "b", "{}", "[{\"item_id\":\"\",\"item_name\":\"false\",\"name\":\"b\"}]");
    assert_select(&ch, "c", "{}", "[{\"item_id\":\"\",\"item_name\":\"\",\"name\":\"c\"}]");
    assert_int_equal(count_rows(&ch, "a", "{\"item_id\":{\"lt\":0}}"), 1);
    pcu_close(&ch);
}

/* CRUDPrecompiled select: "_sys_tables_" is the one name read without the u_ prefix. */
static void
crud_select_reads_sys_tables_by_its_own_name(void **state)
{
    pcu_chain_t ch;
    char *json;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    json = pcu_call_string(&ch, alice, CRUD, SELECT, AMDB_SYS_TABLES, "u_t_test", "{}", "",
                           NULL);
    assert_string_equal(json, "[{\"key_field\":\"name\",\"table_name\":\"u_t_test\","
                              "\"value_field\":\"item_id,item_name\"}]");
    free(json);
    assert_int_equal(pcu_call_int(&ch, alice, CRUD, INSERT, AMDB_SYS_TABLES, "u_x", "{}", "",
                                  NULL), CODE_TABLE_NOT_EXIST);
    pcu_close(&ch);
}

/* ---- malformed calls and suites ---- */

/* Our rule for every precompile (precompiled.h): an unknown selector or arguments that do not
 * decode end with PrecompiledError (21). (FISCO's CRUD answers -50101 to an unknown method.) */
static void
crud_unknown_method_and_undecodable_arguments_fail_with_status_21(void **state)
{
    pcu_chain_t ch;
    bl_buf_t data = BL_BUF_INIT;
    receipt_t r;

    (void)state;
    open_fruit(&ch, suite_ecdsa());
    assert_int_equal(status_of(&ch, "errorFunc(string,string,string,string)", "t_test", "k",
                               "{}", "", NULL), TX_PRECOMPILED_ERROR);
    pcu_encode(ch.suite, &data, INSERT, "t_test", "k", "{}", "", NULL);
    data.len -= 32;
    pcu_call_raw(&ch, alice, CRUD, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_call_raw(&ch, alice, CRUD, bl_span("\x01\x02", 2), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_int_equal(count_rows(&ch, "k", "{}"), 0);
    pcu_close(&ch);
}

/* On an SM chain the selectors are SM3's (§7.1): CRUD answers them, and a Keccak selector is
 * an unknown method there. */
static void
crud_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;
    bl_buf_t data = BL_BUF_INIT;
    receipt_t r;

    (void)state;
    open_fruit(&ch, suite_sm());
    assert_int_equal(insert(&ch, alice, "fruit", "{\"item_id\":\"1\"}"), 1);
    assert_select(&ch, "fruit", "{\"item_id\":{\"eq\":\"1\"}}",
                  "[{\"item_id\":\"1\",\"item_name\":\"\",\"name\":\"fruit\"}]");
    pcu_encode(suite_ecdsa(), &data, INSERT, "t_test", "fruit", "{}", "", NULL);
    pcu_call_raw(&ch, alice, CRUD, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crud_desc_returns_key_and_value_fields_or_empty_strings),
        cmocka_unit_test(crud_insert_then_select_round_trips_rows_as_json),
        cmocka_unit_test(crud_insert_stores_the_key_in_the_key_field),
        cmocka_unit_test(crud_insert_into_unknown_table_returns_50100),
        cmocka_unit_test(crud_entry_that_is_not_json_returns_51500),
        cmocka_unit_test(crud_condition_that_is_not_json_returns_51501),
        cmocka_unit_test(crud_undefined_condition_operation_returns_51502),
        cmocka_unit_test(crud_update_naming_the_key_field_returns_51503),
        cmocka_unit_test(crud_every_condition_operation_filters_rows),
        cmocka_unit_test(crud_limit_takes_offset_and_count),
        cmocka_unit_test(crud_condition_skips_fields_starting_or_ending_with_underscore),
        cmocka_unit_test(crud_update_and_remove_return_counts),
        cmocka_unit_test(crud_writes_outside_whitelist_return_50000_with_status_0),
        cmocka_unit_test(crud_bad_rows_fail_with_status_21_and_write_nothing),
        cmocka_unit_test(crud_json_of_the_wrong_shape_fails_with_status_21),
        cmocka_unit_test(crud_json_values_may_be_integers_booleans_or_null),
        cmocka_unit_test(crud_select_reads_sys_tables_by_its_own_name),
        cmocka_unit_test(crud_unknown_method_and_undecodable_arguments_fail_with_status_21),
        cmocka_unit_test(crud_sm_chain_uses_sm3_selectors),
    };

    return cmocka_run_group_tests_name("pc_crud", tests, setup, NULL);
}
