/*
 * test_store_sqlite.c — the SQLite store: every AMDB table a real SQL table.
 *
 * Pins down store_sqlite.c: one column per field in declaration order, readable with the
 * sqlite3 shell; text as TEXT and other bytes as BLOB, both read back exactly; NULL is not '';
 * replace by _id_, delete by status; a block commits whole or not at all; a reopened file has
 * every committed block; keys in bytewise order; bad files and hostile names handled.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/store.h"

/* ---- helpers ---- */

/* A database file in the group's scratch directory; the caller frees the path. */
static char *
db_path(const char *name)
{
    size_t n = strlen(tu_dir) + strlen(name) + 2;
    char *p = malloc(n);

    assert_non_null(p);
    snprintf(p, n, "%s/%s", tu_dir, name);
    return p;
}

static store_t *
open_store(const char *path)
{
    store_t *s = NULL;

    assert_int_equal(store_sqlite_open(path, &s), BL_OK);
    assert_non_null(s);
    return s;
}

/* FISCO's classic CRUD example: key "name", values "item_id" and "item_name". */
static void
demo_info(table_info_t *t)
{
    table_info_init(t, "u_demo", "name", "item_id,item_name", true, true);
}

/* Append a row; a NULL value means the row lacks that field. */
static void
add_row(entries_t *rows, int64_t id, int64_t num, const char *name, const char *item_id,
        const char *item_name)
{
    entry_t e;

    entry_init(&e);
    e.id = id;
    e.num = num;
    if (name != NULL)
        entry_set_str(&e, "name", name);
    if (item_id != NULL)
        entry_set_str(&e, "item_id", item_id);
    if (item_name != NULL)
        entry_set_str(&e, "item_name", item_name);
    entries_take(rows, &e);
}

static void
add_deleted(entries_t *rows, int64_t id, int64_t num)
{
    entry_t e;

    entry_init(&e);
    e.id = id;
    e.num = num;
    e.status = ENTRY_DELETED;
    entries_take(rows, &e);
}

/* Commit one table's rows as block num, and forget the rows. */
static int
commit_one(store_t *s, int64_t num, const table_info_t *t, entries_t *rows)
{
    table_change_t c = { t, *rows };
    int rc = store_commit(s, num, &c, 1);

    entries_free(rows);
    entries_init(rows);
    return rc;
}

/* The three rows most tests start from (block 1). */
static void
commit_demo_rows(store_t *s, const table_info_t *t)
{
    entries_t rows;

    entries_init(&rows);
    add_row(&rows, 100000, 1, "alice", "1", "apple");
    add_row(&rows, 100001, 1, "alice", "2", "banana");
    add_row(&rows, 100002, 1, "bob", "3", "cherry");
    assert_int_equal(commit_one(s, 1, t, &rows), BL_OK);
}

/* Most tests work on one database file with u_demo in it. */
typedef struct {
    char *path;     /* the file, under tu_dir */
    table_info_t t; /* u_demo */
    store_t *s;     /* open on the file */
} demo_t;

/* Open a store on a fresh file, with u_demo's info ready and, if with_rows, the three demo rows
 * committed as block 1. */
static void
demo_open(demo_t *d, const char *file, bool with_rows)
{
    d->path = db_path(file);
    demo_info(&d->t);
    d->s = open_store(d->path);
    if (with_rows)
        commit_demo_rows(d->s, &d->t);
}

static void
demo_close(demo_t *d)
{
    store_close(d->s);
    table_info_free(&d->t);
    free(d->path);
}

static void
assert_field(const entry_t *e, const char *field, const char *want)
{
    const bl_buf_t *v = entry_get(e, field);

    if (want == NULL) {
        assert_null(v);
        return;
    }
    assert_non_null(v);
    assert_int_equal(v->len, strlen(want));
    assert_memory_equal(v->data != NULL ? v->data : (const uint8_t *)"", want, v->len);
}

/* A second, independent connection to the file, as a student's tool would have. */
static sqlite3 *
raw_open(const char *path)
{
    sqlite3 *db = NULL;

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    assert_int_equal(sqlite3_open_v2(path, &db, flags, NULL), SQLITE_OK);
    return db;
}

/* The single integer a query returns. */
static long long
raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static bool
raw_table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int step;

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                        "AND name = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_ROW;
}

/* Run a shell command and return its standard output (the caller frees it). */
static char *
shell_output(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    char *out = calloc(1, 1);
    size_t len = 0, n;
    char chunk[1024];

    assert_non_null(f);
    assert_non_null(out);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        out = realloc(out, len + n + 1);
        assert_non_null(out);
        memcpy(out + len, chunk, n);
        len += n;
        out[len] = '\0';
    }
    assert_int_equal(pclose(f), 0);
    return out;
}

/* ---- one column per field, readable with plain SQL ---- */

/* select * from u_demo: _id_, _num_, _status_, then the key field, then the value fields in
 * declaration order, every value stored as TEXT (checked through the C API). */
static void
sqlite_table_has_one_column_per_field_in_declared_order(void **state)
{
    static const char *const columns[] = { "_id_", "_num_", "_status_", "name", "item_id",
                                           "item_name" };
    static const char *const want[3][6] = {
        { "100000", "1", "0", "alice", "1", "apple" },
        { "100001", "1", "0", "alice", "2", "banana" },
        { "100002", "1", "0", "bob", "3", "cherry" },
    };
    demo_t d;
    sqlite3 *db;
    sqlite3_stmt *st = NULL;

    (void)state;
    demo_open(&d, "columns.db", true);
    db = raw_open(d.path); /* while the store is open: WAL lets readers in */
    assert_int_equal(sqlite3_prepare_v2(db, "select * from u_demo", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_column_count(st), 6);
    for (int c = 0; c < 6; c++)
        assert_string_equal(sqlite3_column_name(st, c), columns[c]);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        for (int c = 0; c < 6; c++) {
            assert_int_equal(sqlite3_column_type(st, c), c < 3 ? SQLITE_INTEGER : SQLITE_TEXT);
            assert_string_equal((const char *)sqlite3_column_text(st, c), want[r][c]);
        }
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    demo_close(&d);
}

/* The same seen through the real sqlite3 shell, as a student would look (scripts/deps.sh
 * installs it, so its absence is a failure, not a skip). */
static void
sqlite_shell_shows_tables_and_rows_as_text(void **state)
{
    char cmd[1024];
    char *out;
    demo_t d;

    (void)state;
    if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
        fail_msg("the sqlite3 shell is not installed; run `make deps` (scripts/deps.sh)");
    demo_open(&d, "shell.db", true);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' '.tables'", d.path);
    out = shell_output(cmd);
    tu_chomp(out);
    assert_string_equal(out, "u_demo");
    free(out);
    snprintf(cmd, sizeof cmd, "sqlite3 -header -separator '|' '%s' 'select * from u_demo'",
             d.path);
    out = shell_output(cmd);
    assert_string_equal(out, "_id_|_num_|_status_|name|item_id|item_name\n"
                             "100000|1|0|alice|1|apple\n"
                             "100001|1|0|alice|2|banana\n"
                             "100002|1|0|bob|3|cherry\n");
    free(out);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'select distinct typeof(item_name) from u_demo'",
             d.path);
    out = shell_output(cmd);
    assert_string_equal(out, "text\n");
    free(out);
    demo_close(&d);
}

/* The file is in WAL mode (the -wal log; readers go on while the node writes). */
static void
sqlite_file_uses_the_write_ahead_log(void **state)
{
    char *path = db_path("wal.db");
    store_t *s;
    sqlite3 *db;
    sqlite3_stmt *st = NULL;

    (void)state;
    s = open_store(path);
    db = raw_open(path);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_close(s);
    free(path);
}

/* ---- select ---- */

/* select(key) appends (without clearing) the live rows of that key in _id_ order, with _id_,
 * _num_, _status_ and every field; an absent key gives nothing. */
static void
sqlite_select_appends_rows_of_key_in_id_order(void **state)
{
    demo_t d;
    entries_t rows, out;
    entry_t first;

    (void)state;
    demo_open(&d, "select.db", false);
    entries_init(&rows);
    add_row(&rows, 100002, 1, "alice", "2", "banana"); /* out of order on purpose */
    add_row(&rows, 100000, 1, "alice", "1", "apple");
    add_row(&rows, 100001, 1, "bob", "3", "cherry");
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_OK);

    entries_init(&out);
    entry_init(&first);
    entries_take(&out, &first); /* select must keep what is already there */
    assert_int_equal(store_select(d.s, &d.t, "alice", &out), BL_OK);
    assert_int_equal(out.count, 3);
    assert_int_equal(out.items[1].id, 100000);
    assert_int_equal(out.items[2].id, 100002);
    assert_int_equal(out.items[1].num, 1);
    assert_int_equal(out.items[1].status, ENTRY_NORMAL);
    assert_int_equal(out.items[1].nfields, 3);
    assert_field(&out.items[1], "name", "alice");
    assert_field(&out.items[1], "item_id", "1");
    assert_field(&out.items[1], "item_name", "apple");
    assert_field(&out.items[2], "item_name", "banana");
    entries_clear(&out);
    assert_int_equal(store_select(d.s, &d.t, "carol", &out), BL_OK);
    assert_int_equal(out.count, 0);
    entries_free(&out);
    demo_close(&d);
}

/* A table never written has no SQL table and no rows, and reading does not create one. */
static void
sqlite_table_never_written_has_no_rows(void **state)
{
    char *path = db_path("never.db");
    table_info_t t;
    store_t *s;
    entries_t out;
    sqlite3 *db;

    (void)state;
    table_info_init(&t, "u_nothing", "k", "v", true, true);
    s = open_store(path);
    entries_init(&out);
    assert_int_equal(store_select(s, &t, "x", &out), BL_OK);
    assert_int_equal(out.count, 0);
    assert_int_equal(store_commit(s, 1, NULL, 0), BL_OK); /* an empty block is a no-op */
    db = raw_open(path);
    assert_false(raw_table_exists(db, "u_nothing"));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 0);
    sqlite3_close(db);
    entries_free(&out);
    store_close(s);
    table_info_free(&t);
    free(path);
}

/* ---- values: text, blobs, NULL ---- */

/* Values and the SQL type they must be stored as. */
static const struct {
    const char *bytes;
    size_t len;
    const char *type;
} value_cases[] = {
    { "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c", 13, "text" }, /* héllo 世界 */
    { "a\0b", 3, "blob" },                                    /* a NUL byte */
    { "\xff\xfe", 2, "blob" },                                /* never UTF-8 */
    { "\xc0\x80", 2, "blob" },                                /* overlong NUL */
    { "\xed\xa0\x80", 3, "blob" },                            /* a UTF-16 surrogate */
    { "\xf4\x90\x80\x80", 4, "blob" },                        /* above U+10FFFF */
    { "\xe4\xb8", 2, "blob" },                                /* cut short */
};

/* Bytes that are not plain UTF-8 text go in as BLOBs and come back exactly; text stays TEXT. */
static void
sqlite_binary_values_round_trip_as_blobs(void **state)
{
    const size_t ncases = sizeof value_cases / sizeof value_cases[0];
    uint8_t all[256];
    char sql[128];
    demo_t d;
    entries_t rows, out;
    sqlite3 *db;
    entry_t e;

    (void)state;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    demo_open(&d, "blob.db", false);
    entries_init(&rows);
    for (size_t i = 0; i <= ncases; i++) {
        entry_init(&e);
        e.id = 100000 + (int64_t)i;
        e.num = 1;
        entry_set_str(&e, "name", "bin");
        if (i < ncases)
            entry_set(&e, "item_name", value_cases[i].bytes, value_cases[i].len);
        else
            entry_set(&e, "item_name", all, sizeof all);
        entries_take(&rows, &e);
    }
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_OK);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &d.t, "bin", &out), BL_OK);
    assert_int_equal(out.count, ncases + 1);
    db = raw_open(d.path);
    for (size_t i = 0; i < ncases; i++) {
        const bl_buf_t *v = entry_get(&out.items[i], "item_name");

        assert_non_null(v);
        assert_int_equal(v->len, value_cases[i].len);
        assert_memory_equal(v->data, value_cases[i].bytes, value_cases[i].len);
        snprintf(sql, sizeof sql, "SELECT typeof(item_name) = '%s' FROM u_demo WHERE _id_ = %zu",
                 value_cases[i].type, 100000 + i);
        assert_int_equal(raw_int(db, sql), 1);
    }
    assert_int_equal(entry_get(&out.items[ncases], "item_name")->len, 256);
    assert_memory_equal(entry_get(&out.items[ncases], "item_name")->data, all, 256);
    sqlite3_close(db);
    entries_free(&out);
    demo_close(&d);
}

/* A field the row lacks is NULL in SQL and absent when read back; '' is a present, empty value. */
static void
sqlite_null_and_empty_string_differ(void **state)
{
    demo_t d;
    entries_t rows, out;
    sqlite3 *db;

    (void)state;
    demo_open(&d, "null.db", false);
    entries_init(&rows);
    add_row(&rows, 100000, 1, "k", NULL, "");  /* no item_id; empty item_name */
    add_row(&rows, 100001, 1, "k", "", NULL);  /* the other way round */
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_OK);
    db = raw_open(d.path);
    assert_int_equal(raw_int(db, "SELECT item_id IS NULL AND item_name = '' FROM u_demo "
                                 "WHERE _id_ = 100000"), 1);
    assert_int_equal(raw_int(db, "SELECT item_id = '' AND item_name IS NULL FROM u_demo "
                                 "WHERE _id_ = 100001"), 1);
    sqlite3_close(db);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &d.t, "k", &out), BL_OK);
    assert_int_equal(out.count, 2);
    assert_null(entry_get(&out.items[0], "item_id"));
    assert_field(&out.items[0], "item_name", "");
    assert_field(&out.items[1], "item_id", "");
    assert_null(entry_get(&out.items[1], "item_name"));
    assert_int_equal(out.items[0].nfields, 2);
    entries_free(&out);
    demo_close(&d);
}

/* ---- replace and delete ---- */

/* A row with an _id_ the store holds replaces that row whole: new _num_, no stale column. */
static void
sqlite_replace_by_id_keeps_no_stale_columns(void **state)
{
    demo_t d;
    entries_t rows, out;
    sqlite3 *db;

    (void)state;
    demo_open(&d, "replace.db", true);
    entries_init(&rows);
    add_row(&rows, 100001, 2, "alice", NULL, "blueberry"); /* item_id dropped */
    assert_int_equal(commit_one(d.s, 2, &d.t, &rows), BL_OK);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &d.t, "alice", &out), BL_OK);
    assert_int_equal(out.count, 2);
    assert_int_equal(out.items[1].id, 100001);
    assert_int_equal(out.items[1].num, 2);
    assert_null(entry_get(&out.items[1], "item_id"));
    assert_field(&out.items[1], "item_name", "blueberry");
    assert_int_equal(out.items[0].num, 1); /* the other row of the key is untouched */
    db = raw_open(d.path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo"), 3);
    sqlite3_close(db);
    entries_free(&out);
    demo_close(&d);
}

/* A row with status deleted removes the row with that _id_; the store keeps no deleted rows. */
static void
sqlite_deleted_status_removes_the_row(void **state)
{
    demo_t d;
    entries_t rows, out;
    sqlite3 *db;

    (void)state;
    demo_open(&d, "delete.db", true);
    entries_init(&rows);
    add_deleted(&rows, 100000, 2);
    add_deleted(&rows, 100002, 2);
    add_deleted(&rows, 100777, 2); /* a row the store never had: nothing to do */
    assert_int_equal(commit_one(d.s, 2, &d.t, &rows), BL_OK);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &d.t, "alice", &out), BL_OK);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.items[0].id, 100001);
    entries_clear(&out);
    assert_int_equal(store_select(d.s, &d.t, "bob", &out), BL_OK);
    assert_int_equal(out.count, 0);
    db = raw_open(d.path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo"), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo WHERE _status_ <> 0"), 0);
    sqlite3_close(db);
    entries_free(&out);
    demo_close(&d);
}

/* ---- atomic blocks and recovery ---- */

/* A row of a (k | v) table with only its key set. */
static void
add_k_row(entries_t *rows, int64_t id, int64_t num, const char *k)
{
    entry_t e;

    entry_init(&e);
    e.id = id;
    e.num = num;
    entry_set_str(&e, "k", k);
    entries_take(rows, &e);
}

/* Block 2: change, remove and add u_demo rows, create u_fresh, then write one row of `last`
 * (key "boom"), which must fail the whole block with `want`. */
static void
commit_failing_block(store_t *s, const table_info_t *demo, const table_info_t *fresh,
                     const table_info_t *last, int want)
{
    entries_t r0, r1, r2;
    table_change_t c[3];

    entries_init(&r0);
    entries_init(&r1);
    entries_init(&r2);
    add_row(&r0, 100000, 2, "alice", "9", "changed");
    add_deleted(&r0, 100002, 2);
    add_row(&r0, 100003, 2, "carol", "4", "date");
    add_k_row(&r1, 100004, 2, "ok");
    add_k_row(&r2, 100005, 2, "boom");
    c[0] = (table_change_t){ demo, r0 };
    c[1] = (table_change_t){ fresh, r1 };
    c[2] = (table_change_t){ last, r2 };
    assert_int_equal(store_commit(s, 2, c, 3), want);
    assert_non_null(strstr(bl_errmsg(), last->name)); /* the message names the table */
    entries_free(&r0);
    entries_free(&r1);
    entries_free(&r2);
}

static void
assert_block_1_only(sqlite3 *db)
{
    assert_false(raw_table_exists(db, "u_fresh"));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo WHERE _num_ <> 1"), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_trap"), 0);
}

/* Nothing of a failed block remains: neither its rows in existing tables nor the tables it
 * created. Two ways to fail: a refused table name after good changes, and an SQL constraint
 * (a CHECK put on a table by hand) at the end of the block. The store works afterwards. */
static void
sqlite_failed_commit_leaves_nothing_of_the_block(void **state)
{
    char *path = db_path("atomic.db");
    table_info_t t, fresh, kv, trap;
    entries_t rows, out;
    store_t *s;
    sqlite3 *db;

    (void)state;
    db = raw_open(path);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE u_trap (\"_id_\" INTEGER PRIMARY KEY, "
                                  "\"_num_\" INTEGER NOT NULL, \"_status_\" INTEGER NOT NULL, "
                                  "k TEXT NOT NULL CHECK (k <> 'boom'), v TEXT)",
                                  NULL, NULL, NULL), SQLITE_OK);
    demo_info(&t);
    table_info_init(&fresh, "u_fresh", "k", "v", true, true);
    table_info_init(&kv, "kv", "k", "v", true, true);
    table_info_init(&trap, "u_trap", "k", "v", true, true);
    s = open_store(path);
    commit_demo_rows(s, &t);

    commit_failing_block(s, &t, &fresh, &kv, BL_E_INVALID);
    assert_block_1_only(db);
    commit_failing_block(s, &t, &fresh, &trap, BL_E_DB);
    assert_non_null(strstr(bl_errmsg(), "CHECK constraint failed"));
    assert_block_1_only(db);

    /* the store goes on: the same tables, a good block */
    entries_init(&rows);
    add_row(&rows, 100003, 2, "carol", "4", "date");
    add_k_row(&rows, 100004, 2, "ok");
    assert_int_equal(commit_one(s, 2, &t, &rows), BL_E_INVALID); /* field k is not u_demo's */
    add_row(&rows, 100003, 2, "carol", "4", "date");
    assert_int_equal(commit_one(s, 2, &t, &rows), BL_OK);
    entries_init(&out);
    assert_int_equal(store_select(s, &t, "carol", &out), BL_OK);
    assert_int_equal(out.count, 1);
    entries_free(&out);
    sqlite3_close(db);
    store_close(s);
    table_info_free(&t);
    table_info_free(&fresh);
    table_info_free(&kv);
    table_info_free(&trap);
    free(path);
}

/* A reopened file has every committed block, and takes more. */
static void
sqlite_reopen_recovers_committed_blocks(void **state)
{
    demo_t d;
    entries_t rows, out;

    (void)state;
    demo_open(&d, "reopen.db", true);
    entries_init(&rows);
    add_row(&rows, 100001, 2, "alice", "2", "blueberry");
    add_deleted(&rows, 100002, 2);
    assert_int_equal(commit_one(d.s, 2, &d.t, &rows), BL_OK);
    store_close(d.s);

    d.s = open_store(d.path);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &d.t, "alice", &out), BL_OK);
    assert_int_equal(out.count, 2);
    assert_int_equal(out.items[1].num, 2);
    assert_field(&out.items[1], "item_name", "blueberry");
    entries_clear(&out);
    assert_int_equal(store_select(d.s, &d.t, "bob", &out), BL_OK);
    assert_int_equal(out.count, 0);
    add_row(&rows, 100003, 3, "bob", "5", "elderberry");
    assert_int_equal(commit_one(d.s, 3, &d.t, &rows), BL_OK);
    assert_int_equal(store_select(d.s, &d.t, "bob", &out), BL_OK);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.items[0].num, 3);
    entries_free(&out);
    demo_close(&d);
}

/* ---- keys ---- */

typedef struct {
    char *keys[16];
    size_t n;
    size_t stop_after; /* return 1 after this many (0: never) */
    int error;         /* return this after the first key (0: never) */
} key_list_t;

static int
collect_key(void *arg, const char *key)
{
    key_list_t *l = arg;

    assert_true(l->n < 16);
    l->keys[l->n++] = strdup(key);
    if (l->error != 0)
        return l->error;
    return l->stop_after != 0 && l->n == l->stop_after ? 1 : 0;
}

static void
key_list_free(key_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->keys[i]);
    memset(l, 0, sizeof *l);
}

/* keys() visits each key once, in bytewise order (memcmp, shorter first): upper case before
 * lower, a prefix before its extensions, multi-byte UTF-8 and other high bytes last. Stopping
 * early and a visitor's error work as store.h says. */
static void
sqlite_keys_are_distinct_and_bytewise_ordered(void **state)
{
    static const char *const in[] = { "b", "a", "ab", "B", "\xc3\xa9", "~", "\xff\x01", "a", "" };
    static const char *const want[] = { "", "B", "a", "ab", "b", "~", "\xc3\xa9", "\xff\x01" };
    demo_t d;
    entries_t rows;
    key_list_t l;

    (void)state;
    demo_open(&d, "keys.db", false);
    entries_init(&rows);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        add_row(&rows, 100000 + (int64_t)i, 1, in[i], "1", "x");
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_OK);

    memset(&l, 0, sizeof l);
    assert_int_equal(store_keys(d.s, &d.t, collect_key, &l), BL_OK);
    assert_int_equal(l.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l.n; i++)
        assert_string_equal(l.keys[i], want[i]);
    key_list_free(&l);

    l.stop_after = 2;
    assert_int_equal(store_keys(d.s, &d.t, collect_key, &l), BL_OK);
    assert_int_equal(l.n, 2);
    key_list_free(&l);

    l.error = BL_E_DENIED;
    assert_int_equal(store_keys(d.s, &d.t, collect_key, &l), BL_E_DENIED);
    assert_int_equal(l.n, 1);
    key_list_free(&l);

    table_info_free(&d.t);
    table_info_init(&d.t, "u_never", "k", "v", true, true);
    assert_int_equal(store_keys(d.s, &d.t, collect_key, &l), BL_OK);
    assert_int_equal(l.n, 0);
    demo_close(&d);
}

/* ---- bad files, bad names, bad rows ---- */

/* A file that is not a database (or a directory) fails to open with BL_E_DB, naming the path
 * and giving SQLite's reason. */
static void
sqlite_file_that_is_not_a_database_is_refused(void **state)
{
    char *path = db_path("notes.txt");
    store_t *s = (store_t *)1;
    FILE *f = fopen(path, "w");

    (void)state;
    assert_non_null(f);
    for (int i = 0; i < 40; i++)
        fputs("these are my lecture notes, not a database\n", f);
    fclose(f);
    assert_int_equal(store_sqlite_open(path, &s), BL_E_DB);
    assert_null(s);
    assert_non_null(strstr(bl_errmsg(), path));
    assert_non_null(strstr(bl_errmsg(), "not a database"));

    assert_int_equal(store_sqlite_open(tu_dir, &s), BL_E_DB);
    assert_non_null(strstr(bl_errmsg(), tu_dir));
    free(path);
}

/* Names with quotes and SQL in them are quoted, never executed: the table is made with
 * exactly that name, its rows read back, and u_demo is untouched. */
static void
sqlite_hostile_names_are_quoted(void **state)
{
    const char *evil = "u_a\"b\"; DROP TABLE u_demo; --";
    const char *evil_key = "'; DELETE FROM u_demo; --";
    table_info_t h;
    demo_t d;
    entries_t rows, out;
    sqlite3 *db;
    entry_t e;

    (void)state;
    demo_open(&d, "quoted.db", true);
    table_info_init(&h, evil, "k\"ey", "v a\"l,x", true, true);
    entries_init(&rows);
    entry_init(&e);
    e.id = 100010;
    e.num = 2;
    entry_set_str(&e, "k\"ey", evil_key);
    entry_set_str(&e, "v a\"l", "quoted");
    entries_take(&rows, &e);
    assert_int_equal(commit_one(d.s, 2, &h, &rows), BL_OK);
    entries_init(&out);
    assert_int_equal(store_select(d.s, &h, evil_key, &out), BL_OK);
    assert_int_equal(out.count, 1);
    assert_field(&out.items[0], "k\"ey", evil_key);
    assert_field(&out.items[0], "v a\"l", "quoted");
    entries_free(&out);
    db = raw_open(d.path);
    assert_true(raw_table_exists(db, evil));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM u_demo"), 3);
    sqlite3_close(db);
    demo_close(&d);
    table_info_free(&h);
}

/* Table names that are not an AMDB table's to take (kv, sqlite_*, our ix:* indexes, in any
 * case), empty names, and fields named like the store's own columns are refused. */
static void
sqlite_reserved_names_are_refused(void **state)
{
    static const char *const bad_tables[] = { "kv", "KV", "sqlite_master", "SQLITE_x",
                                              "ix:u_demo", "" };
    static const char *const bad_fields[][2] = { /* key field, value fields */
        { "k", "_id_" }, { "k", "v,_Status_" }, { "_NUM_", "v" }, { "", "v" },
    };
    char *path = db_path("reserved.db");
    table_info_t bad;
    store_t *s;
    entries_t rows, out;
    sqlite3 *db;

    (void)state;
    s = open_store(path);
    entries_init(&rows);
    entries_init(&out);
    for (size_t i = 0; i < sizeof bad_tables / sizeof bad_tables[0]; i++) {
        table_info_init(&bad, bad_tables[i], "k", "v", true, true);
        add_k_row(&rows, 100000, 1, "x");
        assert_int_equal(commit_one(s, 1, &bad, &rows), BL_E_INVALID);
        assert_int_equal(store_select(s, &bad, "x", &out), BL_E_INVALID);
        table_info_free(&bad);
    }
    for (size_t i = 0; i < sizeof bad_fields / sizeof bad_fields[0]; i++) {
        table_info_init(&bad, "u_fields", bad_fields[i][0], bad_fields[i][1], true, true);
        add_k_row(&rows, 100000, 1, "x");
        assert_int_equal(commit_one(s, 1, &bad, &rows), BL_E_INVALID);
        table_info_free(&bad);
    }
    assert_int_equal(out.count, 0);
    db = raw_open(path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 0);
    sqlite3_close(db);
    store_close(s);
    free(path);
}

/* SQLite takes u_Demo and u_demo for one table; AMDB would not. So a second table whose name
 * differs only in case is refused, and reading it does not show the other table's rows. */
static void
sqlite_names_differing_only_in_case_are_refused(void **state)
{
    table_info_t other;
    demo_t d;
    entries_t rows, out;

    (void)state;
    table_info_init(&other, "u_Demo", "name", "item_id,item_name", true, true);
    demo_open(&d, "case.db", true);
    entries_init(&rows);
    add_row(&rows, 100030, 2, "zed", "1", "x");
    assert_int_equal(commit_one(d.s, 2, &other, &rows), BL_E_EXISTS);
    assert_non_null(strstr(bl_errmsg(), "case"));
    entries_init(&out);
    assert_int_equal(store_select(d.s, &other, "alice", &out), BL_OK);
    assert_int_equal(out.count, 0);
    assert_int_equal(store_select(d.s, &d.t, "alice", &out), BL_OK);
    assert_int_equal(out.count, 2);
    entries_free(&out);
    demo_close(&d);
    table_info_free(&other);
}

/* Rows the table layer should never send are refused: a field the table does not declare, no
 * key, _id_ 0, a status that is neither normal nor deleted, a key with a NUL byte. */
static void
sqlite_malformed_rows_are_refused(void **state)
{
    demo_t d;
    entries_t rows;

    (void)state;
    demo_open(&d, "rows.db", false);
    entries_init(&rows);
    add_row(&rows, 100000, 1, "alice", "1", "apple");
    entry_set_str(&rows.items[0], "colour", "red");
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "colour"));
    add_row(&rows, 100000, 1, NULL, "1", "apple");
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_E_INVALID);
    add_row(&rows, 0, 1, "alice", "1", "apple");
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_E_INVALID);
    add_row(&rows, 100000, 1, "alice", "1", "apple");
    rows.items[0].status = (entry_status_t)7;
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_E_INVALID);
    add_row(&rows, 100000, 1, "al\0ice", "1", "apple");
    entry_set(&rows.items[0], "name", "al\0ice", 6); /* a NUL inside the key */
    assert_int_equal(commit_one(d.s, 1, &d.t, &rows), BL_E_INVALID);
    demo_close(&d);
}

/* ---- schema and many tables ---- */

/* A SQL table keeps the columns it was created with. A row for a column it lacks fails the
 * block with SQLite's reason, and a key field it lacks is an error too — not a silent "no rows"
 * (SQLite would read an unknown "kk" as the string 'kk' unless told not to). */
static void
sqlite_table_shape_is_fixed_at_creation(void **state)
{
    char *path = db_path("shape.db");
    table_info_t v1, v2, other_key;
    store_t *s;
    entries_t rows, out;
    entry_t e;

    (void)state;
    table_info_init(&v1, "u_shape", "k", "a", true, true);
    table_info_init(&v2, "u_shape", "k", "a,b", true, true);
    table_info_init(&other_key, "u_shape", "kk", "a", true, true);
    s = open_store(path);
    entries_init(&rows);
    entry_init(&e);
    e.id = 100000;
    e.num = 1;
    entry_set_str(&e, "k", "x");
    entry_set_str(&e, "a", "1");
    entries_take(&rows, &e);
    assert_int_equal(commit_one(s, 1, &v1, &rows), BL_OK);
    entry_init(&e);
    e.id = 100001;
    e.num = 2;
    entry_set_str(&e, "k", "x");
    entry_set_str(&e, "b", "2");
    entries_take(&rows, &e);
    assert_int_equal(commit_one(s, 2, &v2, &rows), BL_E_DB);
    assert_non_null(strstr(bl_errmsg(), "u_shape"));
    assert_non_null(strstr(bl_errmsg(), "no column named b"));
    entries_init(&out);
    assert_int_equal(store_select(s, &other_key, "x", &out), BL_E_DB);
    assert_non_null(strstr(bl_errmsg(), "kk"));
    assert_int_equal(out.count, 0);
    assert_int_equal(store_select(s, &v1, "x", &out), BL_OK);
    assert_int_equal(out.count, 1);
    assert_field(&out.items[0], "a", "1");
    entries_free(&out);
    store_close(s);
    table_info_free(&v1);
    table_info_free(&v2);
    table_info_free(&other_key);
    free(path);
}

/* More tables than the statement cache holds, in one block and then read back one by one:
 * statements are dropped and rebuilt, and everything is freed at close (ASan checks). */
static void
sqlite_more_tables_than_the_statement_cache(void **state)
{
    enum { NTABLES = 150 };
    char *path = db_path("many.db");
    table_info_t *infos = calloc(NTABLES, sizeof *infos);
    table_change_t *changes = calloc(NTABLES, sizeof *changes);
    char name[32];
    store_t *s;
    entries_t out;
    entry_t e;

    (void)state;
    assert_non_null(infos);
    assert_non_null(changes);
    s = open_store(path);
    for (int i = 0; i < NTABLES; i++) {
        snprintf(name, sizeof name, "c_%04d", i);
        table_info_init(&infos[i], name, "key", "value", true, true);
        changes[i].info = &infos[i];
        entries_init(&changes[i].rows);
        entry_init(&e);
        e.id = 100000 + i;
        e.num = 1;
        entry_set_str(&e, "key", "balance");
        entry_set_str(&e, "value", name);
        entries_take(&changes[i].rows, &e);
    }
    assert_int_equal(store_commit(s, 1, changes, NTABLES), BL_OK);
    entries_init(&out);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < NTABLES; i++) {
            entries_clear(&out);
            assert_int_equal(store_select(s, &infos[i], "balance", &out), BL_OK);
            assert_int_equal(out.count, 1);
            assert_int_equal(out.items[0].id, 100000 + i);
            assert_field(&out.items[0], "value", infos[i].name);
        }
    }
    entries_free(&out);
    store_close(s);
    for (int i = 0; i < NTABLES; i++) {
        entries_free(&changes[i].rows);
        table_info_free(&infos[i]);
    }
    free(changes);
    free(infos);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlite_table_has_one_column_per_field_in_declared_order),
        cmocka_unit_test(sqlite_shell_shows_tables_and_rows_as_text),
        cmocka_unit_test(sqlite_file_uses_the_write_ahead_log),
        cmocka_unit_test(sqlite_select_appends_rows_of_key_in_id_order),
        cmocka_unit_test(sqlite_table_never_written_has_no_rows),
        cmocka_unit_test(sqlite_binary_values_round_trip_as_blobs),
        cmocka_unit_test(sqlite_null_and_empty_string_differ),
        cmocka_unit_test(sqlite_replace_by_id_keeps_no_stale_columns),
        cmocka_unit_test(sqlite_deleted_status_removes_the_row),
        cmocka_unit_test(sqlite_failed_commit_leaves_nothing_of_the_block),
        cmocka_unit_test(sqlite_reopen_recovers_committed_blocks),
        cmocka_unit_test(sqlite_keys_are_distinct_and_bytewise_ordered),
        cmocka_unit_test(sqlite_file_that_is_not_a_database_is_refused),
        cmocka_unit_test(sqlite_hostile_names_are_quoted),
        cmocka_unit_test(sqlite_reserved_names_are_refused),
        cmocka_unit_test(sqlite_names_differing_only_in_case_are_refused),
        cmocka_unit_test(sqlite_malformed_rows_are_refused),
        cmocka_unit_test(sqlite_table_shape_is_fixed_at_creation),
        cmocka_unit_test(sqlite_more_tables_than_the_statement_cache),
    };

    return cmocka_run_group_tests_name("store_sqlite", tests, tu_setup_dir, tu_teardown_dir);
}
