/*
 * test_amdb.c — the AMDB table layer: tables, rows, conditions, blocks (storage/amdb.h).
 *
 * Pins down FISCO's table semantics (facts §6.1, §6.2) on every backend: a primary key is not
 * unique and select returns all its rows, committed ones in _id_ order and then this block's
 * new ones in insertion order; EQ/NE/GT/GE/LT/LE and both limit forms act the same in select,
 * update and remove; deleted rows are hidden from select and from later updates; a savepoint
 * undoes one transaction and a rollback a whole block without touching the store; a commit
 * numbers new rows after 100000, keeps current_id, and reads back after reopening; system,
 * contract and user tables open with the right schemas.
 *
 * Bad input is in test_amdb_input.c; dbHash and the same-result-on-every-backend check are in
 * test_amdb_hash.c. main() registers every test once per backend, named <rule>_<backend>.
 */
#include "amdbutil.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char backends[][16] = { "memory", "rocksdb", "sqlite", "cache:rocksdb" };

/* ---- a fresh group per test ---- */

static int
setup(void **state)
{
    tu_group_t *g = bl_xcalloc(1, sizeof *g);

    g->backend = *state;
    if (tu_group_open(g, suite_ecdsa()) != BL_OK) {
        print_error("cannot open a %s group: %s\n", g->backend, bl_errmsg());
        free(g);
        return -1;
    }
    *state = g;
    return 0;
}

static int
teardown(void **state)
{
    tu_group_t *g = *state;

    tu_group_close(g);
    free(g);
    return 0;
}

/* FISCO's CRUD example table: u_t_demo, key name, values item_id and item_name. */
static table_t *
demo_table(tu_group_t *g)
{
    table_t *t;

    if (amdb_create_table(g->db, "t_demo", "name", "item_id,item_name", &t) != BL_OK)
        fail_msg("createTable: %s", bl_errmsg());
    return t;
}

/* ---- table rules ---- */

/* The primary key is not unique: every row of the key comes back (§6.1). */
static void
amdb_select_returns_every_row_of_a_non_unique_key(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);

    tu_insert(t, "fruit", "item_id=1,item_name=apple");
    tu_insert(t, "fruit", "item_id=2,item_name=pear");
    tu_insert(t, "veg", "item_id=3,item_name=leek");
    tu_insert(t, "fruit", "item_id=4,item_name=fig");
    tu_assert_select(t, "fruit", NULL, "item_name", "apple,pear,fig");
    tu_assert_select(t, "veg", NULL, "item_name", "leek");
    tu_assert_select(t, "nut", NULL, "item_name", "");
    tu_commit(f->db, 1);
    tu_assert_select(t, "fruit", NULL, "item_name", "apple,pear,fig");
    tu_assert_select(t, "fruit", NULL, "name", "fruit,fruit,fruit");
}

/* Committed rows first (in _id_ order), then this block's rows in insertion order; a row
 * changed by the block shows its new values in its old place. */
static void
amdb_select_shows_committed_rows_then_new_rows(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);
    entries_t rows;

    tu_insert(t, "k", "item_id=1,item_name=a");
    tu_insert(t, "k", "item_id=2,item_name=b");
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=9,item_name=z");
    tu_insert(t, "k", "item_id=3,item_name=c");
    assert_int_equal(tu_update(t, "k", "item_name=A", "item_id==1"), 1);
    tu_assert_select(t, "k", NULL, "item_name", "A,b,z,c");
    entries_init(&rows);
    assert_int_equal(table_select(t, "k", NULL, &rows), BL_OK);
    assert_int_equal(rows.items[0].id, 100002); /* 100001 is u_t_demo's _sys_tables_ row */
    assert_int_equal(rows.items[1].id, 100003);
    assert_int_equal(rows.items[2].id, 0);      /* not committed yet */
    entries_free(&rows);
}

/* EQ/NE on bytes, GT/GE/LT/LE on integers, clauses ANDed (§6.1, Table.cpp). */
static void
amdb_every_condition_op_filters_select(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);

    tu_insert(t, "k", "item_id=5,item_name=five");
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=10,item_name=ten");
    tu_commit(f->db, 2);
    tu_insert(t, "k", "item_id=9,item_name=nine");
    tu_commit(f->db, 3);
    tu_insert(t, "k", "item_id=-1,item_name=minus");
    tu_insert(t, "k", "item_id=x,item_name=text");
    tu_assert_select(t, "k", "item_id==10", "item_name", "ten");
    tu_assert_select(t, "k", "item_id!=10", "item_name", "five,nine,minus,text");
    tu_assert_select(t, "k", "item_id>9", "item_name", "ten");       /* 10 > 9 as numbers */
    tu_assert_select(t, "k", "item_id>=9", "item_name", "ten,nine");
    tu_assert_select(t, "k", "item_id<9", "item_name", "five,minus"); /* "x" is not a number */
    tu_assert_select(t, "k", "item_id<=9", "item_name", "five,nine,minus");
    tu_assert_select(t, "k", "item_id>0,item_id<10", "item_name", "five,nine");
    tu_assert_select(t, "k", "item_id>0,item_name!=nine", "item_name", "five,ten");
    tu_assert_select(t, "k", "item_name==none", "item_name", "");
    tu_assert_select(t, "k", "name==k,item_id==5", "item_name", "five");
}

/* limit(count) and limit(offset, count) cut the matching rows, in select order, after the
 * clauses (MemoryTable2::proccessLimit). */
static void
amdb_every_limit_form_cuts_the_selection(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);

    for (int i = 1; i <= 3; i++) {
        char spec[48];

        snprintf(spec, sizeof spec, "item_id=%d,item_name=c%d", i, i);
        tu_insert(t, "k", spec);
    }
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=4,item_name=n4");
    tu_insert(t, "k", "item_id=5,item_name=n5");
    tu_assert_select(t, "k", "limit=2", "item_name", "c1,c2");
    tu_assert_select(t, "k", "limit=2:2", "item_name", "c3,n4");     /* across committed and new */
    tu_assert_select(t, "k", "limit=3:10", "item_name", "n4,n5");    /* count past the end */
    tu_assert_select(t, "k", "limit=5:1", "item_name", "");          /* offset at the end */
    tu_assert_select(t, "k", "limit=9:1", "item_name", "");          /* offset past the end */
    tu_assert_select(t, "k", "limit=0", "item_name", "");            /* count 0 */
    tu_assert_select(t, "k", "item_id>1,limit=1:2", "item_name", "c3,n4"); /* limit after filter */
    tu_assert_select(t, "k", "item_id>=4,limit=1", "item_name", "n4");
}

/* update and remove act on exactly the rows select would return, limit included, and report
 * how many. */
static void
amdb_update_and_remove_act_on_the_selected_rows(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);

    for (int i = 1; i <= 4; i++) {
        char spec[48];

        snprintf(spec, sizeof spec, "item_id=%d,item_name=v", i);
        tu_insert(t, "k", spec);
    }
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=5,item_name=v");
    assert_int_equal(tu_update(t, "k", "item_name=big", "item_id>2"), 3);
    tu_assert_select(t, "k", NULL, "item_name", "v,v,big,big,big");
    assert_int_equal(tu_update(t, "k", "item_name=lim", "item_name==big,limit=1:1"), 1);
    tu_assert_select(t, "k", NULL, "item_name", "v,v,big,lim,big");
    assert_int_equal(tu_update(t, "k", "item_name=all", NULL), 5);
    assert_int_equal(tu_update(t, "other", "item_name=x", NULL), 0);
    assert_int_equal(tu_remove(t, "k", "item_id<=2,limit=1"), 1);
    tu_assert_select(t, "k", NULL, "item_id", "2,3,4,5");
    assert_int_equal(tu_remove(t, "k", "item_id!=3"), 3);
    tu_assert_select(t, "k", NULL, "item_id", "3");
    tu_commit(f->db, 2);
    tu_assert_select(t, "k", NULL, "item_id", "3");
    tu_assert_select(t, "k", NULL, "item_name", "all");
}

/* Deleted rows never come back: not from select, not to a later update or remove, not after
 * commit — and a row inserted and removed in one block is gone too (_status_ 1, §6.1). */
static void
amdb_select_hides_deleted_rows(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);

    tu_insert(t, "k", "item_id=1,item_name=old");
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=2,item_name=new");
    assert_int_equal(tu_remove(t, "k", NULL), 2);
    tu_assert_select(t, "k", NULL, "item_id", "");
    assert_int_equal(tu_update(t, "k", "item_name=ghost", NULL), 0);
    assert_int_equal(tu_remove(t, "k", NULL), 0);
    tu_insert(t, "k", "item_id=3,item_name=again");
    tu_assert_select(t, "k", NULL, "item_id", "3");
    tu_commit(f->db, 2);
    tu_assert_select(t, "k", NULL, "item_id", "3");
    tu_assert_select(t, "k", NULL, "item_name", "again");
}

/* A row names only some fields: the others are stored empty, and the key field is the key. */
static void
amdb_insert_fills_missing_fields_and_sets_the_key(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);
    entries_t rows;

    tu_insert(t, "k1", "item_id=1");
    tu_insert(t, "k2", "name=k2,item_name=x");
    tu_commit(f->db, 1);
    entries_init(&rows);
    assert_int_equal(table_select(t, "k1", NULL, &rows), BL_OK);
    assert_int_equal(table_select(t, "k2", NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 2);
    assert_int_equal(rows.items[0].nfields, 3);
    assert_true(entry_field_is(&rows.items[0], "name", "k1"));
    assert_true(entry_field_is(&rows.items[0], "item_name", ""));
    assert_true(entry_field_is(&rows.items[1], "item_id", ""));
    assert_true(entry_field_is(&rows.items[1], "item_name", "x"));
    assert_int_equal(rows.items[0].num, 1);
    entries_free(&rows);
}

/* A savepoint undoes one failed transaction: everything after it, nothing before it
 * (MemoryTableFactory2::savepoint/rollback). */
static void
amdb_savepoint_revert_undoes_every_later_write(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f), *u;
    size_t before_tx, inner;

    tu_insert(t, "k", "item_id=1,item_name=a");
    tu_commit(f->db, 1);
    tu_insert(t, "k", "item_id=2,item_name=b");
    before_tx = amdb_savepoint(f->db);
    tu_insert(t, "k", "item_id=3,item_name=c");
    assert_int_equal(tu_update(t, "k", "item_name=X", NULL), 3);
    inner = amdb_savepoint(f->db);
    assert_int_equal(tu_remove(t, "k", "item_id==1"), 1);
    assert_int_equal(amdb_create_table(f->db, "later", "k", "v", &u), BL_OK);
    tu_insert(u, "x", "v=1");
    assert_int_equal(amdb_revert(f->db, inner), BL_OK);
    tu_assert_select(t, "k", NULL, "item_name", "X,X,X");
    assert_int_equal(amdb_open_table(f->db, "u_later", &u), BL_E_NOTFOUND);
    assert_int_equal(amdb_revert(f->db, before_tx), BL_OK);
    tu_assert_select(t, "k", NULL, "item_name", "a,b");
    assert_int_equal(amdb_revert(f->db, before_tx + 5), BL_E_RANGE);
    tu_commit(f->db, 2);
    tu_assert_select(t, "k", NULL, "item_name", "a,b");
    tu_assert_select(t, "k", NULL, "item_id", "1,2");
}

/* amdb_rollback drops the block: the store is byte for byte what the last commit left. */
static void
amdb_rollback_leaves_the_store_untouched(void **state)
{
    static const char *const tables[] = { "u_t_demo", "u_gone", NULL };
    tu_group_t *f = *state;
    table_t *t = demo_table(f), *g;
    bl_buf_t before = BL_BUF_INIT, after = BL_BUF_INIT;
    uint8_t h[32], zero[32] = { 0 };

    tu_insert(t, "k", "item_id=1,item_name=a");
    tu_commit(f->db, 1);
    tu_snapshot(f->db, f->store, tables, &before);
    tu_insert(t, "k", "item_id=2,item_name=b");
    assert_int_equal(tu_update(t, "k", "item_name=X", NULL), 2);
    assert_int_equal(amdb_create_table(f->db, "gone", "k", "v", &g), BL_OK);
    tu_insert(g, "x", "v=1");
    amdb_rollback(f->db);
    assert_false(amdb_dirty(f->db));
    assert_int_equal(amdb_hash(f->db, h), BL_OK);
    assert_memory_equal(h, zero, 32);
    tu_snapshot(f->db, f->store, tables, &after);
    assert_int_equal(after.len, before.len);
    assert_memory_equal(after.data, before.data, before.len);
    tu_assert_select(t, "k", NULL, "item_name", "a");
    assert_int_equal(amdb_open_table(f->db, "u_gone", &g), BL_E_NOTFOUND);
    tu_insert(t, "k", "item_id=3,item_name=c"); /* the next block goes on normally */
    tu_commit(f->db, 2);
    tu_assert_select(t, "k", NULL, "item_name", "a,c");
    bl_buf_free(&before);
    bl_buf_free(&after);
}

/* New rows get _id_ 100001, 100002, ... at commit; current_id (row _id_ 1 of
 * _sys_current_state_) holds the last one given out (MemoryTableFactory2::commitDB). */
static void
amdb_commit_gives_ids_after_100000_and_keeps_current_id(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f), *cs;
    entries_t rows;

    tu_insert(t, "a", "item_id=1");
    tu_insert(t, "b", "item_id=2");
    tu_commit(f->db, 1); /* _sys_tables_ row u_t_demo: 100001; then a: 100002, b: 100003 */
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_CURRENT_STATE, &cs), BL_OK);
    entries_init(&rows);
    assert_int_equal(table_select(cs, AMDB_KEY_CURRENT_ID, NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 1);
    assert_int_equal(rows.items[0].id, 1);
    assert_int_equal(rows.items[0].num, 1);
    assert_true(entry_field_is(&rows.items[0], "value", "100003"));
    entries_clear(&rows);
    assert_int_equal(table_select(t, "b", NULL, &rows), BL_OK);
    assert_int_equal(rows.items[0].id, 100003);
    entries_clear(&rows);
    tu_commit(f->db, 2); /* an empty block still writes current_id */
    tu_insert(t, "a", "item_id=3");
    tu_commit(f->db, 3);
    assert_int_equal(table_select(t, "a", NULL, &rows), BL_OK);
    assert_int_equal(rows.items[1].id, 100004);
    assert_int_equal(rows.items[1].num, 3);
    entries_clear(&rows);
    assert_int_equal(table_select(cs, AMDB_KEY_CURRENT_ID, NULL, &rows), BL_OK);
    assert_true(entry_field_is(&rows.items[0], "value", "100004"));
    assert_int_equal(rows.items[0].num, 3);
    entries_free(&rows);
}

/* What a block commits is there after closing and reopening: rows, user tables' schemas and
 * the id counter. */
static void
amdb_commit_then_reopen_reads_everything_back(void **state)
{
    tu_group_t *f = *state;
    table_t *t = demo_table(f);
    entries_t rows;

    tu_insert(t, "k", "item_id=1,item_name=a");
    tu_insert(t, "k", "item_id=2,item_name=b");
    tu_commit(f->db, 1);
    assert_int_equal(tu_remove(t, "k", "item_id==1"), 1);
    tu_commit(f->db, 2);
    tu_insert(t, "k", "item_id=3,item_name=lost"); /* never committed */
    tu_group_close(f);
    assert_int_equal(tu_group_open(f, suite_ecdsa()), BL_OK);
    assert_int_equal(amdb_open_table(f->db, "u_t_demo", &t), BL_OK);
    assert_string_equal(table_info(t)->key_field, "name");
    assert_int_equal(table_info(t)->nvalue_fields, 2);
    tu_assert_select(t, "k", NULL, "item_name", "b");
    tu_insert(t, "k", "item_id=4,item_name=c");
    tu_commit(f->db, 3);
    entries_init(&rows);
    assert_int_equal(table_select(t, "k", NULL, &rows), BL_OK);
    assert_int_equal(rows.items[1].id, 100004); /* the counter survived the reopen */
    entries_free(&rows);
}

/* System tables (§6.2) and c_<address> are built in; u_<name> tables come from _sys_tables_,
 * whose row holds key_field and value_field; a new table is usable within its own block. */
static void
amdb_system_contract_and_user_tables_open_with_their_schemas(void **state)
{
    tu_group_t *f = *state;
    table_t *t;

    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_CONSENSUS, &t), BL_OK);
    assert_string_equal(table_info(t)->key_field, "name");
    assert_int_equal(table_info(t)->nvalue_fields, 3);
    assert_string_equal(table_info(t)->value_fields[1], "node_id");
    assert_true(table_info(t)->enable_consensus);
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_TX_HASH_2_BLOCK, &t), BL_OK);
    assert_false(table_info(t)->enable_consensus);
    assert_false(table_info(t)->enable_cache);
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_CURRENT_STATE, &t), BL_OK);
    assert_false(table_info(t)->enable_consensus);
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_NUMBER_2_HASH, &t), BL_OK);
    assert_string_equal(table_info(t)->key_field, "number");
    assert_true(table_info(t)->enable_consensus);
    assert_int_equal(amdb_open_table(f->db, "c_00000000000000000000000000000000000000ab", &t),
                     BL_OK);
    assert_string_equal(table_info(t)->key_field, "key");
    assert_string_equal(table_info(t)->value_fields[0], "value");
    tu_insert(t, "balance", "value=100");
    tu_assert_select(t, "balance", NULL, "value", "100");
    assert_int_equal(amdb_open_table(f->db, "c_00000000000000000000000000000000000000AB", &t),
                     BL_E_NOTFOUND); /* FISCO's addresses are lower-case hex */
    t = demo_table(f);
    tu_insert(t, "k", "item_id=1");
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_TABLES, &t), BL_OK);
    tu_assert_select(t, "u_t_demo", NULL, "key_field", "name");
    tu_assert_select(t, "u_t_demo", NULL, "value_field", "item_id,item_name");
    tu_commit(f->db, 1);
    assert_int_equal(amdb_open_table(f->db, "u_t_demo", &t), BL_OK);
    tu_assert_select(t, "k", NULL, "item_id", "1");
}

/* A handle to a table whose createTable was undone answers "no such table" until the table
 * is created again. */
static void
amdb_reverted_create_leaves_a_dead_handle(void **state)
{
    tu_group_t *f = *state;
    table_t *t, *again;
    entries_t rows;
    entry_t e = tu_row("v=1");

    assert_int_equal(amdb_create_table(f->db, "tmp", "k", "v", &t), BL_OK);
    amdb_rollback(f->db);
    entries_init(&rows);
    assert_int_equal(table_select(t, "k", NULL, &rows), BL_E_NOTFOUND);
    assert_int_equal(table_insert(t, "k", &e), BL_E_NOTFOUND);
    assert_non_null(strstr(bl_errmsg(), "u_tmp"));
    assert_false(amdb_dirty(f->db));
    assert_int_equal(amdb_create_table(f->db, "tmp", "k", "v,w", &again), BL_OK);
    assert_ptr_equal(again, t);
    assert_int_equal(table_info(t)->nvalue_fields, 2);
    assert_int_equal(table_insert(t, "k", &e), BL_OK);
    entry_free(&e);
    entries_free(&rows);
}

/* ---- registration ---- */

typedef struct {
    const char *name;
    void (*fn)(void **state);
    bool persistent;
} case_t;

static const case_t cases[] = {
    { "amdb_select_returns_every_row_of_a_non_unique_key",
      amdb_select_returns_every_row_of_a_non_unique_key, false },
    { "amdb_select_shows_committed_rows_then_new_rows",
      amdb_select_shows_committed_rows_then_new_rows, false },
    { "amdb_every_condition_op_filters_select", amdb_every_condition_op_filters_select, false },
    { "amdb_every_limit_form_cuts_the_selection", amdb_every_limit_form_cuts_the_selection,
      false },
    { "amdb_update_and_remove_act_on_the_selected_rows",
      amdb_update_and_remove_act_on_the_selected_rows, false },
    { "amdb_select_hides_deleted_rows", amdb_select_hides_deleted_rows, false },
    { "amdb_insert_fills_missing_fields_and_sets_the_key",
      amdb_insert_fills_missing_fields_and_sets_the_key, false },
    { "amdb_savepoint_revert_undoes_every_later_write",
      amdb_savepoint_revert_undoes_every_later_write, false },
    { "amdb_rollback_leaves_the_store_untouched", amdb_rollback_leaves_the_store_untouched,
      false },
    { "amdb_commit_gives_ids_after_100000_and_keeps_current_id",
      amdb_commit_gives_ids_after_100000_and_keeps_current_id, false },
    { "amdb_commit_then_reopen_reads_everything_back",
      amdb_commit_then_reopen_reads_everything_back, true },
    { "amdb_system_contract_and_user_tables_open_with_their_schemas",
      amdb_system_contract_and_user_tables_open_with_their_schemas, false },
    { "amdb_reverted_create_leaves_a_dead_handle", amdb_reverted_create_leaves_a_dead_handle,
      false },
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
            if (cases[c].persistent && strcmp(backends[b], "memory") == 0)
                continue;
            snprintf(names[n], sizeof names[n], "%s_%s", cases[c].name, backends[b]);
            tests[n] = (struct CMUnitTest){ .name = names[n], .test_func = cases[c].fn,
                                            .setup_func = setup, .teardown_func = teardown,
                                            .initial_state = backends[b] };
            n++;
        }
    }
    return _cmocka_run_group_tests("amdb", tests, n, tu_setup_dir, tu_teardown_dir);
}
