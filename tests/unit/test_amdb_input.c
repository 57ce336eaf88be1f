/*
 * test_amdb_input.c — bad input to the table layer gets a clear error and writes nothing.
 *
 * Pins down FISCO's rules for what may be written (facts §7.1 limits; libprecompiled
 * Common.cpp checkNameValidate and Common.h): table names of 1..48 characters (50 with the
 * "u_" prefix) and field names of 1..64, both from [A-Za-z0-9_$@]; field names not starting
 * with '_' (those are _id_, _num_, _status_); no field twice; at most 1024 characters of value
 * fields; keys up to 255 bytes and values up to 16 MB − 1; no createTable of an existing table
 * (FISCO −50001); and the rows that only the table layer writes (_sys_tables_, current_id).
 * Every refusal must name what was wrong, and leave the block unwritten (amdb_dirty() false)
 * and the store byte for byte as it was.
 */
#include "amdbutil.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char backends[][16] = { "memory", "rocksdb", "sqlite" };

static const char *const demo_tables[] = { "u_t_demo", NULL };

/* Each test starts from a group holding u_t_demo with one committed row, and remembers what
 * the store holds then. */
typedef struct {
    tu_group_t g;
    table_t *t;
    bl_buf_t before;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = bl_xcalloc(1, sizeof *f);

    f->g.backend = *state;
    if (tu_group_open(&f->g, suite_ecdsa()) != BL_OK ||
        amdb_create_table(f->g.db, "t_demo", "name", "item_id,item_name", &f->t) != BL_OK) {
        print_error("cannot open a %s group: %s\n", f->g.backend, bl_errmsg());
        free(f);
        return -1;
    }
    tu_insert(f->t, "k", "item_id=1");
    tu_commit(f->g.db, 1);
    tu_snapshot(f->g.db, f->g.store, demo_tables, &f->before);
    *state = f;
    return 0;
}

/* Nothing was written: the block is clean and the store unchanged. */
static void
assert_nothing_written(fixture_t *f)
{
    bl_buf_t after = BL_BUF_INIT;

    assert_false(amdb_dirty(f->g.db));
    tu_snapshot(f->g.db, f->g.store, demo_tables, &after);
    assert_int_equal(after.len, f->before.len);
    assert_memory_equal(after.data, f->before.data, after.len);
    bl_buf_free(&after);
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    bl_buf_free(&f->before);
    tu_group_close(&f->g);
    free(f);
    return 0;
}

static void
assert_fails(int rc, int want, const char *needle)
{
    if (rc != want)
        fail_msg("got %d (%s), want %d", rc, bl_errmsg(), want);
    if (strstr(bl_errmsg(), needle) == NULL)
        fail_msg("message \"%s\" does not mention \"%s\"", bl_errmsg(), needle);
}

/* Insert spec under key; it must fail with want, naming needle, and write nothing. */
static void
bad_insert(fixture_t *f, table_t *t, const char *key, const char *spec, int want,
           const char *needle)
{
    entry_t e = tu_row(spec);

    assert_fails(table_insert(t, key, &e), want, needle);
    assert_false(amdb_dirty(f->g.db));
    entry_free(&e);
}

static void
bad_create(fixture_t *f, const char *name, const char *key, const char *fields, int want,
           const char *needle)
{
    table_t *t = NULL;

    assert_fails(amdb_create_table(f->g.db, name, key, fields, &t), want, needle);
    assert_null(t);
    assert_false(amdb_dirty(f->g.db));
}

/* ---- the tests ---- */

static void
amdb_unknown_table_is_notfound_naming_it(void **state)
{
    fixture_t *f = *state;
    table_t *t;

    assert_fails(amdb_open_table(f->g.db, "u_nope", &t), BL_E_NOTFOUND, "u_nope");
    assert_fails(amdb_open_table(f->g.db, "_sys_nope_", &t), BL_E_NOTFOUND, "_sys_nope_");
    assert_fails(amdb_open_table(f->g.db, "c_12", &t), BL_E_NOTFOUND, "c_12");
    assert_fails(amdb_open_table(f->g.db, "t_demo", &t), BL_E_NOTFOUND, "t_demo");
    assert_nothing_written(f);
}

/* Unknown fields, '_' fields, a key field that is not the key. */
static void
amdb_insert_of_unknown_or_internal_fields_is_refused(void **state)
{
    fixture_t *f = *state;

    bad_insert(f, f->t, "k", "colour=red", BL_E_INVALID, "colour");
    bad_insert(f, f->t, "k", "item_id=1,colour=red", BL_E_INVALID, "colour");
    bad_insert(f, f->t, "k", "_id_=5", BL_E_INVALID, "_id_");
    bad_insert(f, f->t, "k", "_status_=1", BL_E_INVALID, "_status_");
    bad_insert(f, f->t, "k", "_x=5", BL_E_INVALID, "_x");
    bad_insert(f, f->t, "k", "name=other", BL_E_INVALID, "key");
    assert_nothing_written(f);
}

/* A key of 256 bytes (255 is the limit) and a value of 16 MB (16 MB - 1 is the limit). */
static void
amdb_insert_over_the_limits_is_refused(void **state)
{
    fixture_t *f = *state;
    char long_key[AMDB_KEY_MAX + 2];
    uint8_t *big = bl_xcalloc(1, (size_t)AMDB_VALUE_MAX + 1);
    entry_t e;

    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    bad_insert(f, f->t, long_key, "item_id=1", BL_E_INVALID, "255");
    entry_init(&e);
    entry_set(&e, "item_name", big, (size_t)AMDB_VALUE_MAX + 1);
    assert_fails(table_insert(f->t, "k", &e), BL_E_INVALID, "16777215");
    assert_false(amdb_dirty(f->g.db));
    /* exactly at the limits is fine */
    long_key[AMDB_KEY_MAX] = '\0';
    entry_set(&e, "item_name", big, (size_t)AMDB_VALUE_MAX);
    assert_int_equal(table_insert(f->t, long_key, &e), BL_OK);
    amdb_rollback(f->g.db);
    entry_free(&e);
    free(big);
    assert_nothing_written(f);
}

/* update: unknown field, a new key value; update and remove: a condition on an unknown field. */
static void
amdb_bad_updates_and_removes_are_refused(void **state)
{
    fixture_t *f = *state;
    entry_t e = tu_row("colour=red");
    condition_t *c = tu_cond("weight>3");
    entries_t rows;
    size_t n = 7;

    entries_init(&rows);
    assert_fails(table_update(f->t, "k", &e, NULL, &n), BL_E_INVALID, "colour");
    assert_int_equal(n, 0);
    entry_free(&e);
    e = tu_row("name=moved");
    assert_fails(table_update(f->t, "k", &e, NULL, NULL), BL_E_INVALID, "cannot change");
    entry_free(&e);
    e = tu_row("_num_=3");
    assert_fails(table_update(f->t, "k", &e, NULL, NULL), BL_E_INVALID, "_num_");
    entry_free(&e);
    e = tu_row("item_id=2");
    assert_fails(table_update(f->t, "k", &e, c, NULL), BL_E_INVALID, "weight");
    assert_fails(table_remove(f->t, "k", c, &n), BL_E_INVALID, "weight");
    assert_int_equal(n, 0);
    assert_fails(table_select(f->t, "k", c, &rows), BL_E_INVALID, "weight");
    assert_int_equal(rows.count, 0);
    entry_free(&e);
    tu_cond_free(c);
    assert_false(amdb_dirty(f->g.db));
    assert_nothing_written(f);
}

/* _sys_tables_ changes only through createTable, current_id only through commit. */
static void
amdb_rows_only_the_layer_writes_are_denied(void **state)
{
    fixture_t *f = *state;
    table_t *sys = tu_open_table(f->g.db, AMDB_SYS_TABLES);
    entry_t e = tu_row("value=1");

    bad_insert(f, sys, "u_sneaky", "key_field=k,value_field=v", BL_E_DENIED, "createTable");
    assert_fails(table_remove(sys, "u_t_demo", NULL, NULL), BL_E_DENIED, AMDB_SYS_TABLES);
    sys = tu_open_table(f->g.db, AMDB_SYS_CURRENT_STATE);
    assert_fails(table_update(sys, AMDB_KEY_CURRENT_ID, &e, NULL, NULL), BL_E_DENIED,
                 AMDB_KEY_CURRENT_ID);
    bad_insert(f, sys, AMDB_KEY_CURRENT_ID, "value=1", BL_E_DENIED, AMDB_KEY_CURRENT_ID);
    entry_free(&e);
    assert_nothing_written(f);
}

/* Table and field names: characters, '_' prefixes, empty names and lists, repeats. */
static void
amdb_bad_table_names_and_fields_are_refused(void **state)
{
    fixture_t *f = *state;
    table_t *t;

    bad_create(f, "", "k", "v", BL_E_INVALID, "empty");
    bad_create(f, "a-b", "k", "v", BL_E_INVALID, "'-'");
    bad_create(f, "a b", "k", "v", BL_E_INVALID, "' '");
    bad_create(f, "t", "_k", "v", BL_E_INVALID, "_k");
    bad_create(f, "t", "k", "v,_w", BL_E_INVALID, "_w");
    bad_create(f, "t", "k", "v,", BL_E_INVALID, "empty");
    bad_create(f, "t", "", "v", BL_E_INVALID, "empty");
    bad_create(f, "t", "k", "", BL_E_INVALID, "at least one");
    bad_create(f, "t", "k", "v,w,v", BL_E_INVALID, "twice");
    bad_create(f, "t", "k", "v,k", BL_E_INVALID, "key field");
    bad_create(f, "t", "k", "v.w", BL_E_INVALID, "'.'");
    assert_fails(amdb_create_table_raw(f->g.db, "_sys_mine_", "k", "v", &t), BL_E_INVALID,
                 "system");
    assert_fails(amdb_create_table_raw(f->g.db, "c_00000000000000000000000000000000000000ab",
                                       "k", "v", &t), BL_E_INVALID, "contract");
    assert_false(amdb_dirty(f->g.db));
    assert_nothing_written(f);
}

/* The length limits: 48 for a table name, 64 for a field name, 1024 for the value fields. */
static void
amdb_names_over_the_limits_are_refused(void **state)
{
    fixture_t *f = *state;
    char name49[50], field65[66], fields[1100];
    table_t *t;

    memset(name49, 'n', 49);
    name49[49] = '\0';
    memset(field65, 'f', 65);
    field65[65] = '\0';
    strcpy(fields, "a");
    while (strlen(fields) <= AMDB_VALUE_FIELDS_MAX)
        strcat(fields, ",abcdefgh");
    bad_create(f, name49, "k", "v", BL_E_INVALID, "48");
    bad_create(f, "t", field65, "v", BL_E_INVALID, "64");
    bad_create(f, "t", "k", field65, BL_E_INVALID, "64");
    bad_create(f, "t", "k", fields, BL_E_INVALID, "1024");
    /* what is allowed: 48 characters, '$' '@' '_', a field ending in '_', a contract table's
     * schema row with its built-in schema */
    name49[48] = '\0';
    assert_int_equal(amdb_create_table(f->g.db, name49, "k$", "v@,w_,x1", &t), BL_OK);
    assert_int_equal(amdb_create_table_raw(f->g.db, "c_00000000000000000000000000000000000000ab",
                                           "key", "value", &t), BL_OK);
    amdb_rollback(f->g.db);
    assert_nothing_written(f);
}

/* createTable of an existing table: BL_E_EXISTS, in the same block or later; the existing
 * schema stays. */
static void
amdb_create_existing_table_is_exists(void **state)
{
    fixture_t *f = *state;
    table_t *t;
    size_t mark;

    bad_create(f, "t_demo", "name", "item_id,item_name", BL_E_EXISTS, "u_t_demo");
    bad_create(f, "t_demo", "k", "v", BL_E_EXISTS, "u_t_demo");
    assert_int_equal(amdb_create_table(f->g.db, "fresh", "k", "v", &t), BL_OK);
    mark = amdb_savepoint(f->g.db);
    assert_fails(amdb_create_table(f->g.db, "fresh", "k", "v", &t), BL_E_EXISTS, "u_fresh");
    assert_int_equal(amdb_savepoint(f->g.db), mark); /* nothing journaled: nothing written */
    amdb_rollback(f->g.db);
    t = tu_open_table(f->g.db, "u_t_demo");
    assert_int_equal(table_info(t)->nvalue_fields, 2);
    assert_nothing_written(f);
}

typedef struct {
    const char *name;
    void (*fn)(void **state);
} case_t;

static const case_t cases[] = {
    { "amdb_unknown_table_is_notfound_naming_it", amdb_unknown_table_is_notfound_naming_it },
    { "amdb_insert_of_unknown_or_internal_fields_is_refused",
      amdb_insert_of_unknown_or_internal_fields_is_refused },
    { "amdb_insert_over_the_limits_is_refused", amdb_insert_over_the_limits_is_refused },
    { "amdb_bad_updates_and_removes_are_refused", amdb_bad_updates_and_removes_are_refused },
    { "amdb_rows_only_the_layer_writes_are_denied", amdb_rows_only_the_layer_writes_are_denied },
    { "amdb_bad_table_names_and_fields_are_refused", amdb_bad_table_names_and_fields_are_refused },
    { "amdb_names_over_the_limits_are_refused", amdb_names_over_the_limits_are_refused },
    { "amdb_create_existing_table_is_exists", amdb_create_existing_table_is_exists },
};

#define MAX_TESTS (COUNT(cases) * COUNT(backends))

int
main(void)
{
    static struct CMUnitTest tests[MAX_TESTS];
    static char names[MAX_TESTS][128];
    size_t n = 0;

    for (size_t c = 0; c < COUNT(cases); c++) {
        for (size_t b = 0; b < COUNT(backends); b++) {
            snprintf(names[n], sizeof names[n], "%s_%s", cases[c].name, backends[b]);
            tests[n] = (struct CMUnitTest){ .name = names[n], .test_func = cases[c].fn,
                                            .setup_func = setup, .teardown_func = teardown,
                                            .initial_state = backends[b] };
            n++;
        }
    }
    return _cmocka_run_group_tests("amdb_input", tests, n, tu_setup_dir, tu_teardown_dir);
}
