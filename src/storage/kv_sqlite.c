/*
 * kv_sqlite.c — the SQLite backend: one table kv(k BLOB PRIMARY KEY, v BLOB) in a database file.
 *
 * SQLite is a whole SQL database in a library, kept in one file that a student can open with
 * the sqlite3 shell (SELECT hex(k), hex(v) FROM kv). Its unit of safety is the transaction:
 * everything between BEGIN and COMMIT happens completely or not at all, whatever the crash. A
 * kv batch is exactly one transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error), so a
 * batch is atomic (kv.h promise 1).
 *
 * How SQLite keeps that promise depends on its journal. We use write-ahead logging (WAL): a
 * change is not written into the database file itself but appended, page by page, to a second
 * file (<file>-wal). The last page of a transaction is marked as a commit, and every page
 * carries a checksum chained to the ones before. A reader — including the next open after a
 * crash — uses the WAL only up to its last valid commit mark, so a transaction cut off by a
 * crash is simply ignored. From time to time a checkpoint copies the committed pages back into
 * the main file and starts the WAL again. Readers never block the writer and the writer never
 * blocks readers.
 *
 * Durability is the synchronous setting. With synchronous=NORMAL, WAL mode fsyncs only at
 * checkpoints: a killed process loses nothing (the operating system still has the WAL), but a
 * power cut can lose the last few commits — never part of one, yet a block the node reported as
 * committed could vanish. We use synchronous=FULL: the WAL is fsync'ed at every COMMIT, so once
 * kv_write() returns the batch is on the disk, like RocksDB's sync writes in kv_rocksdb.c. The
 * cost, one disk flush per batch, is printed by the crash test.
 *
 * The key order is kv.h promise 3 without anything to configure: SQLite compares two BLOBs
 * with memcmp() over the shorter length and, if that is equal, the shorter one is smaller (see
 * "Comparison Expressions" in SQLite's datatype documentation, sqlite3BlobCompare in the
 * source). The column is declared BLOB and we always bind blobs, so no text collation or type
 * conversion ever enters the comparison. WITHOUT ROWID stores the rows in a B-tree ordered by k
 * itself, so a range scan is one walk along the tree.
 *
 * The file may hold other tables too (the SQL table storage puts one table per AMDB table in
 * the same file); this backend only ever touches the table named kv.
 *
 * The statements are prepared once, when the store opens, and reused: preparing parses and
 * plans SQL, which costs more than running these small statements.
 */
#include "storage/kv.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

typedef struct {
    sqlite3 *db;
    char *file;                  /* for messages */
    sqlite3_stmt *get;           /* SELECT v FROM kv WHERE k = ? */
    sqlite3_stmt *put;           /* INSERT OR REPLACE */
    sqlite3_stmt *del;
    sqlite3_stmt *scan_to_end;   /* k >= ? */
    sqlite3_stmt *scan_range;    /* k >= ? AND k < ? */
    sqlite3_stmt *begin, *commit, *rollback;
} sqlkv_t;

static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID";
static const char scan_to_end_sql[] = "SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k";
static const char scan_range_sql[] = "SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k";

/* BL_E_DB with SQLite's own message for the last failure on this connection. */
static int
sql_fail(const sqlkv_t *s, const char *doing)
{
    return bl_fail(BL_E_DB, "SQLite %s %s: %s", doing, s->file, sqlite3_errmsg(s->db));
}

/* Bind bytes as a BLOB. A NULL pointer would bind SQL NULL instead of an empty blob (and NULL
 * compares differently from every blob), so an empty span gets a pointer to "" with length 0.
 * SQLITE_STATIC means SQLite reads our bytes in place instead of copying them; they must stay
 * put until the statement has run, which they do (see done_with). */
static int
bind_blob(sqlite3_stmt *st, int i, bl_span_t b)
{
    return sqlite3_bind_blob64(st, i, b.ptr != NULL ? (const void *)b.ptr : "", b.len,
                               SQLITE_STATIC);
}

/* Make a kept statement ready for its next use. Resetting ends its read of the database (a
 * statement left mid-way keeps a read transaction open, and then checkpoints can never empty
 * the WAL); clearing the bindings drops its pointers to bytes that are about to be freed. */
static void
done_with(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* The bytes of a result column, valid until the next step or reset. SQLite's documentation
 * asks for column_blob() before column_bytes(), so that the length is that of the blob. */
static bl_span_t
column_span(sqlite3_stmt *st, int i)
{
    const void *p = sqlite3_column_blob(st, i);

    return bl_span(p, (size_t)sqlite3_column_bytes(st, i));
}

/* Run a statement that returns no rows (INSERT, DELETE, BEGIN...) once. */
static int
run(sqlkv_t *s, sqlite3_stmt *st, const char *doing)
{
    int rc = BL_OK;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(s, doing);
    done_with(st);
    return rc;
}

/* ---- the backend's operations ---- */

static int
sql_get(kv_t *kv, bl_span_t key, bl_buf_t *value)
{
    sqlkv_t *s = kv->impl;
    int rc, step;

    if (bind_blob(s->get, 1, key) != SQLITE_OK) {
        rc = sql_fail(s, "cannot bind a key in");
        goto out;
    }
    step = sqlite3_step(s->get);
    if (step == SQLITE_ROW) {
        bl_span_t v = column_span(s->get, 0);

        bl_buf_clear(value);
        bl_buf_append(value, v.ptr, v.len);
        rc = BL_OK;
    } else if (step == SQLITE_DONE) {
        rc = BL_E_NOTFOUND;
    } else {
        rc = sql_fail(s, "read failed in");
    }
out:
    done_with(s->get);
    return rc;
}

static int
apply_op(sqlkv_t *s, const kv_op_t *op)
{
    sqlite3_stmt *st = op->is_delete ? s->del : s->put;
    int rc;

    if (bind_blob(st, 1, bl_buf_span(&op->key)) != SQLITE_OK ||
        (!op->is_delete && bind_blob(st, 2, bl_buf_span(&op->value)) != SQLITE_OK)) {
        rc = sql_fail(s, "cannot bind a key or value in"); /* before done_with: the message */
        done_with(st);
        return rc;
    }
    return run(s, st, op->is_delete ? "delete failed in" : "insert failed in");
}

/* BEGIN IMMEDIATE takes the write lock at once, so a second connection to the same file (the
 * SQL tables) cannot make us fail halfway through the batch; it waits (busy timeout) instead. */
static int
sql_write(kv_t *kv, const kv_batch_t *batch)
{
    sqlkv_t *s = kv->impl;
    int rc = run(s, s->begin, "cannot begin a transaction in");

    if (rc != BL_OK)
        return rc;
    for (size_t i = 0; i < batch->count && rc == BL_OK; i++)
        rc = apply_op(s, &batch->ops[i]);
    if (rc == BL_OK)
        rc = run(s, s->commit, "commit failed in");
    /* Roll back whatever went wrong, unless SQLite has already done it (a failed COMMIT may or
     * may not end the transaction; autocommit mode means none is open). The rollback's own
     * result is not checked: the message to keep is the one that says why we are here. */
    if (rc != BL_OK && !sqlite3_get_autocommit(s->db)) {
        sqlite3_step(s->rollback);
        done_with(s->rollback);
    }
    return rc;
}

/* Step through the rows, handing each to visit. The spans point into SQLite's memory for the
 * current row, which is what kv.h promises: valid only during the call. */
static int
visit_rows(sqlkv_t *s, sqlite3_stmt *st,
           int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    for (;;) {
        int step = sqlite3_step(st), rc;

        if (step == SQLITE_DONE)
            return BL_OK;
        if (step != SQLITE_ROW)
            return sql_fail(s, "scan failed in");
        rc = visit(arg, column_span(st, 0), column_span(st, 1));
        if (rc != 0)
            return rc;
    }
}

static int
sql_scan(kv_t *kv, bl_span_t from, bl_span_t to,
         int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    sqlkv_t *s = kv->impl;
    sqlite3_stmt *st = to.len > 0 ? s->scan_range : s->scan_to_end;
    sqlite3_stmt *own = NULL;
    int rc;

    /* A visit may read the store, even scan it again. The kept statement is then in the middle
     * of its rows, so the inner scan prepares its own. */
    if (sqlite3_stmt_busy(st)) {
        const char *sql = to.len > 0 ? scan_range_sql : scan_to_end_sql;

        if (sqlite3_prepare_v2(s->db, sql, -1, &own, NULL) != SQLITE_OK)
            return sql_fail(s, "cannot prepare a scan in");
        st = own;
    }
    if (bind_blob(st, 1, from) != SQLITE_OK || (to.len > 0 && bind_blob(st, 2, to) != SQLITE_OK)) {
        rc = sql_fail(s, "cannot bind a key in");
        goto out;
    }
    rc = visit_rows(s, st, visit, arg);
out:
    done_with(st);
    sqlite3_finalize(own);
    return rc;
}

static void
sql_destroy(sqlkv_t *s)
{
    sqlite3_stmt *all[] = { s->get, s->put, s->del, s->scan_to_end, s->scan_range,
                            s->begin, s->commit, s->rollback };

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]); /* a no-op for NULL */
    sqlite3_close(s->db);         /* also a no-op for NULL; closing checkpoints the WAL */
    free(s->file);
    free(s);
}

static void
sql_close(kv_t *kv)
{
    sql_destroy(kv->impl);
    free(kv);
}

static const kv_ops_t sqlite_ops = {
    .name = "sqlite",
    .get = sql_get,
    .write = sql_write,
    .scan = sql_scan,
    .close = sql_close,
};

/* ---- opening ---- */

/* journal_mode is persistent (it is written into the file); synchronous and the busy timeout
 * belong to the connection and must be set at every open. The PRAGMA answers with the mode it
 * is now in; anything but "wal" (a file system without shared memory, say) would void the
 * reasoning above, so it is an error. */
static int
set_journal(sqlkv_t *s)
{
    sqlite3_stmt *st = NULL;
    const char *mode;
    int rc = BL_OK;

    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sql_fail(s, "cannot open");
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(mode, "wal") != 0) {
        rc = bl_fail(BL_E_DB, "SQLite cannot use write-ahead logging for %s (the journal mode "
                     "stays %s)", s->file, mode);
        goto out;
    }
    if (sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(s, "cannot set synchronous=FULL for");
out:
    sqlite3_finalize(st);
    return rc;
}

static int
prepare(sqlkv_t *s, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return bl_fail(BL_E_DB, "SQLite cannot prepare \"%s\" for %s: %s", sql, s->file,
                       sqlite3_errmsg(s->db));
    return BL_OK;
}

static int
prepare_all(sqlkv_t *s)
{
    const struct {
        const char *sql;
        sqlite3_stmt **st;
    } list[] = {
        { "SELECT v FROM kv WHERE k = ?1", &s->get },
        { "INSERT OR REPLACE INTO kv(k, v) VALUES (?1, ?2)", &s->put },
        { "DELETE FROM kv WHERE k = ?1", &s->del },
        { scan_to_end_sql, &s->scan_to_end },
        { scan_range_sql, &s->scan_range },
        { "BEGIN IMMEDIATE", &s->begin },
        { "COMMIT", &s->commit },
        { "ROLLBACK", &s->rollback },
    };

    if (sqlite3_exec(s->db, create_sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(s, "cannot create the kv table in");
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        int rc = prepare(s, list[i].sql, list[i].st);

        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* Opening a file that holds something else succeeds; SQLite reads the header only when it
 * first needs a page, so "file is not a database" comes from the journal PRAGMA below. */
int
kv_sqlite_open(const char *file, kv_t **out)
{
    sqlkv_t *s = bl_xcalloc(1, sizeof *s);
    kv_t *kv;
    int rc;

    *out = NULL;
    s->file = bl_xstrdup(file);
    if (sqlite3_open_v2(file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = sql_fail(s, "cannot open");
        goto out;
    }
    /* If another connection (the SQL table storage) holds the write lock, wait up to 10 s for
     * it instead of failing at once with "database is locked". */
    sqlite3_busy_timeout(s->db, 10000);
    rc = set_journal(s);
    if (rc == BL_OK)
        rc = prepare_all(s);
    if (rc != BL_OK)
        goto out;
    kv = bl_xmalloc(sizeof *kv);
    kv->ops = &sqlite_ops;
    kv->impl = s;
    *out = kv;
    return BL_OK;
out:
    sql_destroy(s);
    return rc;
}
