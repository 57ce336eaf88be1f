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
#include <strings.h>

#include "base/error.h"
#include "base/hashmap.h"

/* How many tables keep their statements prepared. Contract tables (c_<address>) can number in
 * the thousands, so the cache is bounded; the least recently used table's statements go. A
 * block of a thousand transfers touches hundreds of account tables, and preparing their
 * statements again in every block made commits three times slower (bcoslab bench storage). */
#define STMT_CACHE_MAX 1024
/* How long a write waits for another connection (a student's sqlite3 shell, kv_sqlite.c on the
 * same file) to finish its own write before giving up with "database is locked". */
#define BUSY_TIMEOUT_MS 5000
#define INDEX_PREFIX "ix:"

/* The prepared statements of one table. A slot exists only for a table whose SQL table exists. */
typedef struct {
    table_info_t info;    /* the table as the statements were built for it */
    sqlite3_stmt *insert; /* INSERT OR REPLACE the whole row; NULL until the first write */
    sqlite3_stmt *del;    /* DELETE the row with _id_ = ?1; NULL until the first write */
    sqlite3_stmt *select; /* the rows of key ?1 in _id_ order; NULL until the first read */
    uint64_t last_use;
} table_stmts_t;

typedef struct {
    sqlite3 *db;
    char *path;
    /* The SQL tables of the file, read once at open and kept up to date by commits: lowercase
     * name → the name as written. Asking sqlite_master instead would scan every table's row
     * each time — with ten thousand account tables, seconds per block. */
    bl_map_t tables;
    char **created;       /* tables made by the transaction in progress, forgotten on rollback */
    size_t ncreated;
    table_stmts_t cache[STMT_CACHE_MAX];
    size_t ncached;
    uint64_t clock;       /* counts uses, for "least recently used" */
    pthread_mutex_t mutex; /* every operation holds it (see "Threads" above); recursive */
} sql_store_t;

/* ---- small helpers: messages, SQL text, values ---- */

static int
db_fail(const sql_store_t *s, const char *table, const char *what)
{
    return bl_fail(BL_E_DB, "%s: table %s: %s: %s", s->path, table, what, sqlite3_errmsg(s->db));
}

static void
sql_add(bl_buf_t *sql, const char *text)
{
    bl_buf_append(sql, text, strlen(text));
}

/* An identifier in double quotes, any quote inside doubled: u_a"b becomes "u_a""b". */
static void
sql_add_ident(bl_buf_t *sql, const char *prefix, const char *name)
{
    bl_buf_push(sql, '"');
    sql_add(sql, prefix);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"')
            bl_buf_push(sql, '"');
        bl_buf_push(sql, (uint8_t)*p);
    }
    bl_buf_push(sql, '"');
}

static int
prepare(sql_store_t *s, const char *table, bl_buf_t *sql, sqlite3_stmt **out)
{
    *out = NULL;
    if (sqlite3_prepare_v2(s->db, (const char *)sql->data, (int)sql->len, out, NULL) != SQLITE_OK)
        return db_fail(s, table, "preparing a statement");
    return BL_OK;
}

/* Run a statement that returns no rows, and make it ready for the next run. */
static int
step_done(sql_store_t *s, sqlite3_stmt *st, const char *table, const char *what)
{
    int rc = BL_OK;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, table, what); /* before reset, while the message is fresh */
    sqlite3_reset(st);
    return rc;
}

/* The length of the UTF-8 sequence that starts with byte c (0 if c cannot start one), and the
 * smallest code point a sequence of that length may carry (anything less is "overlong"). */
static size_t
utf8_sequence(uint8_t c, uint32_t *first_bits, uint32_t *min)
{
    if ((c & 0xE0) == 0xC0) {
        *first_bits = c & 0x1F;
        *min = 0x80;
        return 2;
    }
    if ((c & 0xF0) == 0xE0) {
        *first_bits = c & 0x0F;
        *min = 0x800;
        return 3;
    }
    if ((c & 0xF8) == 0xF0) {
        *first_bits = c & 0x07;
        *min = 0x10000;
        return 4;
    }
    return 0;
}

/* Is p[0..n) well-formed UTF-8 without NUL bytes, i.e. text the sqlite3 shell shows as it is? */
static bool
is_plain_text(const uint8_t *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp, min;
        size_t len;

        if (p[i] == 0)
            return false;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        len = utf8_sequence(p[i], &cp, &min);
        if (len == 0 || n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* Bind one field's value: NULL if the row lacks the field, TEXT if it is plain text (and always
 * for the key, see the top of the file), else BLOB. SQLITE_STATIC: SQLite reads the bytes in
 * place, which is safe because the row outlives the step that uses them. */
static int
bind_value(sqlite3_stmt *st, int param, const bl_buf_t *v, bool is_key)
{
    /* A NULL pointer would bind SQL NULL, so an empty value points at "" instead. */
    const char *bytes = v != NULL && v->len > 0 ? (const char *)v->data : "";

    if (v == NULL)
        return sqlite3_bind_null(st, param);
    if (is_key || is_plain_text(v->data, v->len))
        return sqlite3_bind_text64(st, param, bytes, v->len, SQLITE_STATIC, SQLITE_UTF8);
    return sqlite3_bind_blob64(st, param, bytes, v->len, SQLITE_STATIC);
}

/* ---- names ---- */

static bool
is_internal_column(const char *field)
{
    /* Case does not matter to SQL: a field "_ID_" would be the same column as "_id_". */
    return strcasecmp(field, "_id_") == 0 || strcasecmp(field, "_num_") == 0 ||
           strcasecmp(field, "_status_") == 0;
}

static int
check_field_name(const table_info_t *t, const char *field)
{
    if (field[0] == '\0')
        return bl_fail(BL_E_INVALID, "table %s: a field has an empty name", t->name);
    if (is_internal_column(field))
        return bl_fail(BL_E_INVALID, "table %s: field %s would collide with the store's own "
                       "column of that name", t->name, field);
    return BL_OK;
}

/* Refuse the names that would reach a table that is not this table's (see the top). */
static int
check_info(const table_info_t *t)
{
    int rc;

    if (t->name[0] == '\0')
        return bl_fail(BL_E_INVALID, "a table has an empty name");
    if (strcasecmp(t->name, "kv") == 0 || strncasecmp(t->name, "sqlite_", 7) == 0 ||
        strncasecmp(t->name, INDEX_PREFIX, strlen(INDEX_PREFIX)) == 0)
        return bl_fail(BL_E_INVALID, "table name %s is reserved in the SQLite store (kv, "
                       "sqlite_* and " INDEX_PREFIX "* are taken)", t->name);
    rc = check_field_name(t, t->key_field);
    for (size_t i = 0; rc == BL_OK && i < t->nvalue_fields; i++)
        rc = check_field_name(t, t->value_fields[i]);
    return rc;
}

typedef enum { TABLE_ABSENT, TABLE_PRESENT, TABLE_CASE_CLASH } presence_t;

/* SQLite compares table names ignoring ASCII letter case; so does our directory of them. */
static char *
lowercase_copy(const char *name)
{
    char *low = bl_xstrdup(name);

    for (char *c = low; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return low;
}

static void
remember_table(sql_store_t *s, const char *name)
{
    char *low = lowercase_copy(name);

    free(bl_map_put_str(&s->tables, low, bl_xstrdup(name)));
    free(low);
}

static void
forget_table(sql_store_t *s, const char *name)
{
    char *low = lowercase_copy(name);

    free(bl_map_remove_str(&s->tables, low));
    free(low);
}

/* Does the SQL table of `name` exist — or one whose name differs only in letter case? */
static int
table_presence(sql_store_t *s, const char *name, presence_t *p)
{
    char *low = lowercase_copy(name);
    const char *found = bl_map_get_str(&s->tables, low);

    free(low);
    if (found == NULL)
        *p = TABLE_ABSENT;
    else
        *p = strcmp(found, name) == 0 ? TABLE_PRESENT : TABLE_CASE_CLASH;
    return BL_OK;
}

/* Read the names of the file's tables into the directory. */
static int
load_tables(sql_store_t *s)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                           &st, NULL) != SQLITE_OK)
        return bl_fail(BL_E_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        remember_table(s, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return bl_fail(BL_E_DB, "%s: reading the list of tables: %s", s->path,
                       sqlite3_errmsg(s->db));
    return BL_OK;
}

/* The transaction is over: if it failed, the tables it made are gone again. */
static void
end_transaction(sql_store_t *s, bool committed)
{
    for (size_t i = 0; i < s->ncreated; i++) {
        if (!committed)
            forget_table(s, s->created[i]);
        free(s->created[i]);
    }
    s->ncreated = 0;
}

/* ---- the statement cache ---- */

static void
stmts_free(table_stmts_t *ts)
{
    sqlite3_finalize(ts->insert);
    sqlite3_finalize(ts->del);
    sqlite3_finalize(ts->select);
    table_info_free(&ts->info);
    memset(ts, 0, sizeof *ts);
}

static void
cache_clear(sql_store_t *s)
{
    for (size_t i = 0; i < s->ncached; i++)
        stmts_free(&s->cache[i]);
    s->ncached = 0;
}

/* Column i of t's SQL table after the three internal ones: the key field, then the values. */
static const char *
field_at(const table_info_t *t, size_t i)
{
    return i == 0 ? t->key_field : t->value_fields[i - 1];
}

static bool
same_columns(const table_info_t *a, const table_info_t *b)
{
    if (a->nvalue_fields != b->nvalue_fields)
        return false;
    for (size_t i = 0; i <= a->nvalue_fields; i++)
        if (strcmp(field_at(a, i), field_at(b, i)) != 0)
            return false;
    return true;
}

/* The cached statements of t, or NULL. Statements built for other columns (the table's info
 * has changed since) are dropped: the insert statement lists the columns. */
static table_stmts_t *
cache_find(sql_store_t *s, const table_info_t *t)
{
    for (size_t i = 0; i < s->ncached; i++) {
        table_stmts_t *ts = &s->cache[i];

        if (strcmp(ts->info.name, t->name) != 0)
            continue;
        if (!same_columns(&ts->info, t)) {
            stmts_free(ts);
            *ts = s->cache[--s->ncached]; /* the last slot moves into the hole */
            return NULL;
        }
        ts->last_use = ++s->clock;
        return ts;
    }
    return NULL;
}

/* A new empty slot for t's statements, taken from the least recently used table if full. */
static table_stmts_t *
cache_add(sql_store_t *s, const table_info_t *t)
{
    table_stmts_t *ts;

    if (s->ncached < STMT_CACHE_MAX) {
        ts = &s->cache[s->ncached++];
    } else {
        ts = &s->cache[0];
        for (size_t i = 1; i < s->ncached; i++)
            if (s->cache[i].last_use < ts->last_use)
                ts = &s->cache[i];
        stmts_free(ts);
    }
    table_info_copy(&ts->info, t);
    ts->last_use = ++s->clock;
    return ts;
}

/* ---- making the SQL table ---- */

static int
create_table(sql_store_t *s, const table_info_t *t)
{
    bl_buf_t sql = BL_BUF_INIT;
    int rc = BL_OK;

    sql_add(&sql, "CREATE TABLE ");
    sql_add_ident(&sql, "", t->name);
    sql_add(&sql, " (\"_id_\" INTEGER PRIMARY KEY, \"_num_\" INTEGER NOT NULL, "
            "\"_status_\" INTEGER NOT NULL");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        sql_add(&sql, ", ");
        sql_add_ident(&sql, "", field_at(t, i));
        sql_add(&sql, i == 0 ? " TEXT NOT NULL" : " TEXT");
    }
    sql_add(&sql, "); CREATE INDEX ");
    sql_add_ident(&sql, INDEX_PREFIX, t->name);
    sql_add(&sql, " ON ");
    sql_add_ident(&sql, "", t->name);
    sql_add(&sql, " (");
    sql_add_ident(&sql, "", t->key_field);
    sql_add(&sql, ");");
    bl_buf_push(&sql, '\0');
    if (sqlite3_exec(s->db, (const char *)sql.data, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(s, t->name, "creating the table");
    } else {
        remember_table(s, t->name);
        s->created = bl_xrealloc(s->created, (s->ncreated + 1) * sizeof *s->created);
        s->created[s->ncreated++] = bl_xstrdup(t->name);
    }
    bl_buf_free(&sql);
    return rc;
}

/* Make sure the SQL table of t exists (inside commit's transaction). */
static int
ensure_table(sql_store_t *s, const table_info_t *t)
{
    presence_t p;
    int rc = table_presence(s, t->name, &p);

    if (rc != BL_OK || p == TABLE_PRESENT)
        return rc;
    if (p == TABLE_CASE_CLASH)
        return bl_fail(BL_E_EXISTS, "%s: table %s: SQLite ignores letter case in table names, "
                       "and a table with this name in other case exists already", s->path,
                       t->name);
    return create_table(s, t);
}

/* ---- statements ---- */

/* INSERT OR REPLACE INTO "T" ("_id_", "_num_", "_status_", "K", "V1"...) VALUES (?1, ?2...)
 * and DELETE FROM "T" WHERE "_id_" = ?1. */
static int
prepare_writes(sql_store_t *s, table_stmts_t *ts)
{
    const table_info_t *t = &ts->info;
    bl_buf_t sql = BL_BUF_INIT;
    char param[24];
    int rc;

    sql_add(&sql, "INSERT OR REPLACE INTO ");
    sql_add_ident(&sql, "", t->name);
    sql_add(&sql, " (\"_id_\", \"_num_\", \"_status_\"");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        sql_add(&sql, ", ");
        sql_add_ident(&sql, "", field_at(t, i));
    }
    sql_add(&sql, ") VALUES (?1, ?2, ?3");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        snprintf(param, sizeof param, ", ?%zu", i + 4);
        sql_add(&sql, param);
    }
    sql_add(&sql, ")");
    rc = prepare(s, t->name, &sql, &ts->insert);
    bl_buf_clear(&sql);
    sql_add(&sql, "DELETE FROM ");
    sql_add_ident(&sql, "", t->name);
    sql_add(&sql, " WHERE \"_id_\" = ?1");
    if (rc == BL_OK)
        rc = prepare(s, t->name, &sql, &ts->del);
    bl_buf_free(&sql);
    return rc;
}

static int
prepare_select(sql_store_t *s, table_stmts_t *ts)
{
    bl_buf_t sql = BL_BUF_INIT;
    int rc;

    sql_add(&sql, "SELECT * FROM ");
    sql_add_ident(&sql, "", ts->info.name);
    sql_add(&sql, " WHERE ");
    sql_add_ident(&sql, "", ts->info.key_field);
    sql_add(&sql, " = ?1 ORDER BY \"_id_\"");
    rc = prepare(s, ts->info.name, &sql, &ts->select);
    bl_buf_free(&sql);
    return rc;
}

/* The statements to write t, creating its SQL table the first time. */
static int
stmts_for_write(sql_store_t *s, const table_info_t *t, table_stmts_t **out)
{
    table_stmts_t *ts = cache_find(s, t);
    int rc;

    if (ts != NULL && ts->insert != NULL && ts->del != NULL) {
        *out = ts;
        return BL_OK;
    }
    rc = ensure_table(s, t);
    if (rc != BL_OK)
        return rc;
    if (ts == NULL)
        ts = cache_add(s, t);
    sqlite3_finalize(ts->insert); /* in case an earlier attempt prepared only one of the two */
    sqlite3_finalize(ts->del);
    rc = prepare_writes(s, ts);
    *out = ts;
    return rc;
}

/* The statements to read t; *out is NULL if t has no SQL table (it was never written). */
static int
stmts_for_read(sql_store_t *s, const table_info_t *t, table_stmts_t **out)
{
    table_stmts_t *ts = cache_find(s, t);
    presence_t p;
    int rc;

    *out = NULL;
    if (ts == NULL) {
        rc = table_presence(s, t->name, &p);
        if (rc != BL_OK || p != TABLE_PRESENT)
            return rc;
        ts = cache_add(s, t);
    }
    if (ts->select == NULL) {
        rc = prepare_select(s, ts);
        if (rc != BL_OK)
            return rc;
    }
    *out = ts;
    return BL_OK;
}

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
    int rc = check_info(t), step;

    if (rc == BL_OK)
        rc = stmts_for_read(s, t, &ts);
    if (rc != BL_OK || ts == NULL)
        return rc;
    sqlite3_bind_text(ts->select, 1, key, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(ts->select)) == SQLITE_ROW) {
        entry_t e;

        row_to_entry(ts->select, &e);
        entries_take(out, &e);
    }
    if (step != SQLITE_DONE) {
        rc = db_fail(s, t->name, "reading rows");
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
        return step_done(s, ts->del, t->name, "deleting a row");
    }
    sqlite3_bind_int64(ts->insert, 1, e->id);
    sqlite3_bind_int64(ts->insert, 2, e->num);
    sqlite3_bind_int(ts->insert, 3, ENTRY_NORMAL);
    /* Every column is bound, NULL when the row lacks it, so nothing is left from the last row. */
    for (size_t i = 0; bound == SQLITE_OK && i <= t->nvalue_fields; i++)
        bound = bind_value(ts->insert, (int)i + 4, entry_get(e, field_at(t, i)), i == 0);
    if (bound != SQLITE_OK)
        return db_fail(s, t->name, "binding a value"); /* too big for SQLite, say */
    return step_done(s, ts->insert, t->name, "writing a row");
}

static int
commit_table(sql_store_t *s, const table_change_t *c)
{
    table_stmts_t *ts = NULL;
    int rc = check_info(c->info);

    if (rc == BL_OK)
        rc = stmts_for_write(s, c->info, &ts);
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
        cache_clear(s);
    }
    end_transaction(s, rc == BL_OK);
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
    int rc = check_info(t), step = SQLITE_DONE, v = 0;

    if (rc == BL_OK)
        rc = table_presence(s, t->name, &p);
    if (rc != BL_OK || p != TABLE_PRESENT)
        goto out;
    sql_add(&sql, "SELECT DISTINCT ");
    sql_add_ident(&sql, "", t->key_field);
    sql_add(&sql, " FROM ");
    sql_add_ident(&sql, "", t->name);
    sql_add(&sql, " ORDER BY ");
    sql_add_ident(&sql, "", t->key_field);
    rc = prepare(s, t->name, &sql, &st);
    while (rc == BL_OK && v == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);

        if (key != NULL)
            v = visit(arg, key);
    }
    if (rc == BL_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_fail(s, t->name, "reading keys");
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
    cache_clear(s);
    end_transaction(s, true);
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
    return load_tables(s);
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
