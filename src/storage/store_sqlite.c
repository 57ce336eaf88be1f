/*
 * store_sqlite.c — AMDB tables as real SQL tables in one SQLite database file.
 *
 * The table layer thinks in tables of rows, and so does a relational database, so the mapping
 * is direct, as in FISCO BCOS's MySQL backend (fisco-2x-facts §6.4): every AMDB table is one SQL
 * table, every field one column, every row one SQL row. Nothing is encoded, so a student can
 * open a group's file with the sqlite3 shell and read the chain's state in plain SQL:
 *
 *     $ sqlite3 chain/group1.db '.tables'
 *     _sys_config_     _sys_consensus_  _sys_tables_     u_demo  ...
 *     $ sqlite3 -header -column chain/group1.db 'select * from u_demo'
 *     _id_    _num_  _status_  name   item_id  item_name
 *     ------  -----  --------  -----  -------  ---------
 *     100000  1      0         alice  1        apple
 *     100001  1      0         alice  2        banana
 *
 * AMDB table T with key field K and value fields V1..Vn becomes (columns in that order, so
 * `select *` reads like the table's declaration):
 *
 *     CREATE TABLE "T" ("_id_" INTEGER PRIMARY KEY, "_num_" INTEGER NOT NULL,
 *                       "_status_" INTEGER NOT NULL, "K" TEXT NOT NULL, "V1" TEXT, ... "Vn" TEXT);
 *     CREATE INDEX "ix:T" ON "T" ("K");
 *
 *   - _id_ is SQLite's rowid, so a row the block changed is one INSERT OR REPLACE (the old row
 *     goes whole: no stale columns stay) and a row it removed one DELETE. Rows of a key are
 *     found through the index on K and come back in _id_ order.
 *   - _status_ is always 0: table storage keeps no history, so a removed row is DELETEd, not
 *     kept with status 1. The column is there because FISCO's layout has it.
 *   - The SQL table is made by the first commit that writes the AMDB table, with the columns of
 *     the table's info; a table never written has no SQL table and no rows. AMDB tables do not
 *     change shape later, so neither do these.
 *
 * Values are byte strings. One that is valid UTF-8 without NUL bytes is stored as TEXT, so the
 * shell prints it; anything else (contract code, binary hashes) as a BLOB. Both are read back
 * with sqlite3_column_blob(), which hands out the stored bytes unchanged. A field a row lacks
 * is SQL NULL and is absent from the entry read back — not the same as '', an empty value.
 *
 * Keys are always TEXT. A key is a C string, so it has no NUL bytes; bytes that are not UTF-8
 * are stored as they are (SQLite does not check). SQLite compares TEXT with its BINARY
 * collation, memcmp with the shorter first on a tie: the bytewise order store.h promises, so
 * keys() lists keys in the same order as the kv stores. Some keys as BLOBs would break that:
 * SQLite sorts every TEXT before every BLOB, and K = 'x' never matches the BLOB x'78'.
 *
 * One block, one transaction: BEGIN IMMEDIATE, every CREATE, INSERT and DELETE of the block,
 * COMMIT. Any failure, or a crash before COMMIT, leaves the file as the previous block left it.
 *
 * Pragmas. journal_mode=WAL: a commit appends the changed pages to a log (group1.db-wal), and
 * readers, such as a student's sqlite3 shell, go on reading while the node writes.
 * synchronous=FULL: the log reaches the disk at every COMMIT. NORMAL would sync only at
 * checkpoints — still all or nothing, but a power cut could forget the last blocks, which other
 * nodes have already seen this node sign; a node must not forget a committed block, so we pay
 * the fsync. No foreign keys (AMDB tables do not refer to each other). Double-quoted strings
 * are switched off: by default SQLite reads "x" as the string 'x' when no column x exists,
 * which would turn a misspelt field into a silent "no rows" instead of an error.
 *
 * Names are checked by the table layer, but the SQL is built here, so identifiers are always
 * double-quoted with any quote inside doubled: a hostile name can only name a table, never end
 * the statement. Refused: "kv" (kv_sqlite.c's table, should the file be shared), "sqlite_*"
 * (SQLite's own), "ix:*" (our indexes), the internal columns as field names, and a table name
 * that differs from an existing one only in letter case (SQLite would take u_Demo for u_demo).
 *
 * Threads: the parallel executor's workers select at the same time (exec/pte.c), and a select
 * uses the one connection and the shared statement cache (it may even prepare and evict), so
 * a mutex guards every operation. It is recursive because keys() calls `visit`, which may
 * select from the same store.
 */
#include "storage/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "storage/store_sqlite_impl.h"

/* ---- select ---- */

/* One result row as an entry: the three internal columns, then every column that is not NULL
 * (whatever columns the SQL table has, in case someone added one by hand). */
static void
row_to_entry(sqlite3_stmt *st, entry_t *e)
{
    int ncols = sqlite3_column_count(st);

    entry_init(e);
    for (int i = 0; i < ncols; i++) {
        const char *col = sqlite3_column_name(st, i);
        const void *bytes;
        int len;

        if (col == NULL)
            continue;
        if (strcmp(col, "_id_") == 0) {
            e->id = sqlite3_column_int64(st, i);
        } else if (strcmp(col, "_num_") == 0) {
            e->num = sqlite3_column_int64(st, i);
        } else if (strcmp(col, "_status_") == 0) {
            e->status = sqlite3_column_int(st, i) == 0 ? ENTRY_NORMAL : ENTRY_DELETED;
        } else if (sqlite3_column_type(st, i) != SQLITE_NULL) {
            /* blob first, then bytes: the order SQLite asks for; TEXT comes back unchanged */
            bytes = sqlite3_column_blob(st, i);
            len = sqlite3_column_bytes(st, i);
            entry_set(e, col, len > 0 ? bytes : "", (size_t)len);
        }
    }
}

static int
sqlite_select_locked(store_t *store, const table_info_t *t, const char *key, entries_t *out)
{
    sql_store_t *s = store->impl;
    table_stmts_t *ts = NULL;
    size_t had = out->count;
    int rc = sqls_check_info(t), step;

    if (rc == BL_OK)
        rc = sqls_stmts_for_read(s, t, &ts);
    if (rc != BL_OK || ts == NULL)
        return rc;
    sqlite3_bind_text(ts->select, 1, key, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(ts->select)) == SQLITE_ROW) {
        entry_t e;

        row_to_entry(ts->select, &e);
        entries_take(out, &e);
    }
    if (step != SQLITE_DONE) {
        rc = sqls_db_fail(s, t->name, "reading rows");
        while (out->count > had) /* append all rows or none */
            entry_free(&out->items[--out->count]);
    }
    sqlite3_reset(ts->select);
    return rc;
}

static int
sqlite_select(store_t *store, const table_info_t *t, const char *key, entries_t *out)
{
    sql_store_t *s = store->impl;
    int rc;

    pthread_mutex_lock(&s->mutex);
    rc = sqlite_select_locked(store, t, key, out);
    pthread_mutex_unlock(&s->mutex);
    return rc;
}

/* ---- commit ---- */

/* The store's checks on one row of a change (the table layer should never send a bad one). */
static int
check_row(const sql_store_t *s, const table_info_t *t, const entry_t *e)
{
    const bl_buf_t *key = entry_get(e, t->key_field);

    if (e->id <= 0)
        return bl_fail(BL_E_INVALID, "%s: table %s: a row to commit has _id_ %lld", s->path,
                       t->name, (long long)e->id);
    if (e->status != ENTRY_NORMAL && e->status != ENTRY_DELETED)
        return bl_fail(BL_E_INVALID, "%s: table %s: row %lld has _status_ %d", s->path,
                       t->name, (long long)e->id, (int)e->status);
    if (e->status == ENTRY_DELETED)
        return BL_OK; /* a delete needs only the _id_ */
    if (key == NULL || (key->len > 0 && memchr(key->data, 0, key->len) != NULL))
        return bl_fail(BL_E_INVALID, "%s: table %s: row %lld has %s key field %s", s->path,
                       t->name, (long long)e->id, key == NULL ? "no" : "a NUL byte in its",
                       t->key_field);
    for (size_t i = 0; i < e->nfields; i++)
        if (!table_info_has_field(t, e->fields[i].name))
            return bl_fail(BL_E_INVALID, "%s: table %s: row %lld has field %s, which the table "
                           "does not declare", s->path, t->name, (long long)e->id,
                           e->fields[i].name);
    return BL_OK;
}

static int
write_row(sql_store_t *s, table_stmts_t *ts, const entry_t *e)
{
    const table_info_t *t = &ts->info;
    int bound = SQLITE_OK;

    if (e->status == ENTRY_DELETED) {
        sqlite3_bind_int64(ts->del, 1, e->id);
        return sqls_step_done(s, ts->del, t->name, "deleting a row");
    }
    sqlite3_bind_int64(ts->insert, 1, e->id);
    sqlite3_bind_int64(ts->insert, 2, e->num);
    sqlite3_bind_int(ts->insert, 3, ENTRY_NORMAL);
    /* Every column is bound, NULL when the row lacks it, so nothing is left from the last row. */
    for (size_t i = 0; bound == SQLITE_OK && i <= t->nvalue_fields; i++)
        bound = sqls_bind_value(ts->insert, (int)i + 4, entry_get(e, sqls_field_at(t, i)), i == 0);
    if (bound != SQLITE_OK)
        return sqls_db_fail(s, t->name, "binding a value"); /* too big for SQLite, say */
    return sqls_step_done(s, ts->insert, t->name, "writing a row");
}

static int
commit_table(sql_store_t *s, const table_change_t *c)
{
    table_stmts_t *ts = NULL;
    int rc = sqls_check_info(c->info);

    if (rc == BL_OK)
        rc = sqls_stmts_for_write(s, c->info, &ts);
    for (size_t i = 0; rc == BL_OK && i < c->rows.count; i++) {
        rc = check_row(s, c->info, &c->rows.items[i]);
        if (rc == BL_OK)
            rc = write_row(s, ts, &c->rows.items[i]);
    }
    return rc;
}

static int
sqlite_commit_locked(store_t *store, int64_t number, const table_change_t *changes, size_t n)
{
    sql_store_t *s = store->impl;
    int rc = BL_OK;

    if (n == 0)
        return BL_OK;
    /* IMMEDIATE takes the write lock now, so nothing can make us fail halfway for want of it. */
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return bl_fail(BL_E_DB, "%s: block %lld: cannot begin a transaction: %s", s->path,
                       (long long)number, sqlite3_errmsg(s->db));
    for (size_t i = 0; rc == BL_OK && i < n; i++)
        rc = commit_table(s, &changes[i]);
    if (rc == BL_OK && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = bl_fail(BL_E_DB, "%s: block %lld: cannot commit: %s", s->path, (long long)number,
                     sqlite3_errmsg(s->db));
    if (rc != BL_OK) {
        /* All or nothing: undo the whole block. The rollback may have removed tables this block
         * created, so statements prepared for them go too (they are rebuilt on demand). */
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqls_cache_clear(s);
    }
    sqls_end_transaction(s, rc == BL_OK);
    return rc;
}

static int
sqlite_commit(store_t *store, int64_t number, const table_change_t *changes, size_t n)
{
    sql_store_t *s = store->impl;
    int rc;

    pthread_mutex_lock(&s->mutex);
    rc = sqlite_commit_locked(store, number, changes, n);
    pthread_mutex_unlock(&s->mutex);
    return rc;
}

/* ---- keys ---- */

/* keys() prepares its own statement instead of using the cache: `visit` may select other tables
 * meanwhile, and the cache could then drop a statement this loop is still stepping through. */
static int
sqlite_keys_locked(store_t *store, const table_info_t *t,
                   int (*visit)(void *arg, const char *key), void *arg)
{
    sql_store_t *s = store->impl;
    bl_buf_t sql = BL_BUF_INIT;
    sqlite3_stmt *st = NULL;
    presence_t p = TABLE_ABSENT;
    int rc = sqls_check_info(t), step = SQLITE_DONE, v = 0;

    if (rc == BL_OK)
        rc = sqls_table_presence(s, t->name, &p);
    if (rc != BL_OK || p != TABLE_PRESENT)
        goto out;
    sqls_add(&sql, "SELECT DISTINCT ");
    sqls_add_ident(&sql, "", t->key_field);
    sqls_add(&sql, " FROM ");
    sqls_add_ident(&sql, "", t->name);
    sqls_add(&sql, " ORDER BY ");
    sqls_add_ident(&sql, "", t->key_field);
    rc = sqls_prepare(s, t->name, &sql, &st);
    while (rc == BL_OK && v == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);

        if (key != NULL)
            v = visit(arg, key);
    }
    if (rc == BL_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sqls_db_fail(s, t->name, "reading keys");
    else if (rc == BL_OK && v < 0)
        rc = v; /* visit's own error, with its own message */
out:
    sqlite3_finalize(st);
    bl_buf_free(&sql);
    return rc;
}

static int
sqlite_keys(store_t *store, const table_info_t *t, int (*visit)(void *arg, const char *key),
            void *arg)
{
    sql_store_t *s = store->impl;
    int rc;

    pthread_mutex_lock(&s->mutex);
    rc = sqlite_keys_locked(store, t, visit, arg);
    pthread_mutex_unlock(&s->mutex);
    return rc;
}

/* ---- open and close ---- */

static void
close_impl(sql_store_t *s)
{
    sqls_cache_clear(s);
    sqls_end_transaction(s, true);
    free(s->created);
    bl_map_free(&s->tables, free);
    sqlite3_close(s->db); /* the last connection checkpoints the WAL into the file */
    pthread_mutex_destroy(&s->mutex);
    free(s->path);
    free(s);
}

static void
sqlite_close(store_t *store)
{
    close_impl(store->impl);
    free(store);
}

static const store_ops_t sqlite_store_ops = {
    .name = "sqlite",
    .select = sqlite_select,
    .commit = sqlite_commit,
    .keys = sqlite_keys,
    .close = sqlite_close,
};

/* Pragmas (see the top of the file), then one read of the schema: SQLite opens files lazily, so
 * a file that is not a database is only noticed at the first read ("file is not a database"). */
static int
configure(sql_store_t *s)
{
    static const char setup[] =
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = FULL;"
        "SELECT count(*) FROM sqlite_master;";

    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    if (sqlite3_exec(s->db, setup, NULL, NULL, NULL) != SQLITE_OK)
        return bl_fail(BL_E_DB, "%s: cannot use this file as an SQLite database: %s", s->path,
                       sqlite3_errmsg(s->db));
    return sqls_load_tables(s);
}

int
store_sqlite_open(const char *file, store_t **out)
{
    sql_store_t *s = bl_xcalloc(1, sizeof *s);
    pthread_mutexattr_t recursive;
    store_t *store;
    int rc;

    pthread_mutexattr_init(&recursive);
    pthread_mutexattr_settype(&recursive, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->mutex, &recursive);
    pthread_mutexattr_destroy(&recursive);
    *out = NULL;
    bl_map_init(&s->tables);
    s->path = bl_xstrdup(file);
    if (sqlite3_open_v2(file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = bl_fail(BL_E_DB, "%s: cannot open SQLite database: %s", file,
                     s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    rc = configure(s);
out:
    if (rc != BL_OK) {
        close_impl(s);
        return rc;
    }
    store = bl_xmalloc(sizeof *store);
    store->ops = &sqlite_store_ops;
    store->impl = s;
    *out = store;
    return BL_OK;
}
