/*
 * store_sqlite_schema.c — the SQLite store's SQL side: building SQL text with quoted names,
 * binding values (text when it is text, a blob otherwise), FISCO's table and field names as
 * SQL columns, the in-memory directory of the file's tables, CREATE TABLE with its key index,
 * and the cache of prepared statements per table. store_sqlite.c explains the layout.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "storage/store_sqlite_impl.h"

/* ---- small helpers: messages, SQL text, values ---- */

int
sqls_db_fail(const sql_store_t *s, const char *table, const char *what)
{
    return bl_fail(BL_E_DB, "%s: table %s: %s: %s", s->path, table, what, sqlite3_errmsg(s->db));
}

void
sqls_add(bl_buf_t *sql, const char *text)
{
    bl_buf_append(sql, text, strlen(text));
}

/* An identifier in double quotes, any quote inside doubled: u_a"b becomes "u_a""b". */
void
sqls_add_ident(bl_buf_t *sql, const char *prefix, const char *name)
{
    bl_buf_push(sql, '"');
    sqls_add(sql, prefix);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"')
            bl_buf_push(sql, '"');
        bl_buf_push(sql, (uint8_t)*p);
    }
    bl_buf_push(sql, '"');
}

int
sqls_prepare(sql_store_t *s, const char *table, bl_buf_t *sql, sqlite3_stmt **out)
{
    *out = NULL;
    if (sqlite3_prepare_v2(s->db, (const char *)sql->data, (int)sql->len, out, NULL) != SQLITE_OK)
        return sqls_db_fail(s, table, "preparing a statement");
    return BL_OK;
}

/* Run a statement that returns no rows, and make it ready for the next run. */
int
sqls_step_done(sql_store_t *s, sqlite3_stmt *st, const char *table, const char *what)
{
    int rc = BL_OK;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sqls_db_fail(s, table, what); /* before reset, while the message is fresh */
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
int
sqls_bind_value(sqlite3_stmt *st, int param, const bl_buf_t *v, bool is_key)
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
int
sqls_check_info(const table_info_t *t)
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
int
sqls_table_presence(sql_store_t *s, const char *name, presence_t *p)
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
int
sqls_load_tables(sql_store_t *s)
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
void
sqls_end_transaction(sql_store_t *s, bool committed)
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

void
sqls_cache_clear(sql_store_t *s)
{
    for (size_t i = 0; i < s->ncached; i++)
        stmts_free(&s->cache[i]);
    s->ncached = 0;
}

/* Column i of t's SQL table after the three internal ones: the key field, then the values. */
const char *
sqls_field_at(const table_info_t *t, size_t i)
{
    return i == 0 ? t->key_field : t->value_fields[i - 1];
}

static bool
same_columns(const table_info_t *a, const table_info_t *b)
{
    if (a->nvalue_fields != b->nvalue_fields)
        return false;
    for (size_t i = 0; i <= a->nvalue_fields; i++)
        if (strcmp(sqls_field_at(a, i), sqls_field_at(b, i)) != 0)
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

    sqls_add(&sql, "CREATE TABLE ");
    sqls_add_ident(&sql, "", t->name);
    sqls_add(&sql, " (\"_id_\" INTEGER PRIMARY KEY, \"_num_\" INTEGER NOT NULL, "
            "\"_status_\" INTEGER NOT NULL");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        sqls_add(&sql, ", ");
        sqls_add_ident(&sql, "", sqls_field_at(t, i));
        sqls_add(&sql, i == 0 ? " TEXT NOT NULL" : " TEXT");
    }
    sqls_add(&sql, "); CREATE INDEX ");
    sqls_add_ident(&sql, INDEX_PREFIX, t->name);
    sqls_add(&sql, " ON ");
    sqls_add_ident(&sql, "", t->name);
    sqls_add(&sql, " (");
    sqls_add_ident(&sql, "", t->key_field);
    sqls_add(&sql, ");");
    bl_buf_push(&sql, '\0');
    if (sqlite3_exec(s->db, (const char *)sql.data, NULL, NULL, NULL) != SQLITE_OK) {
        rc = sqls_db_fail(s, t->name, "creating the table");
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
    int rc = sqls_table_presence(s, t->name, &p);

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

    sqls_add(&sql, "INSERT OR REPLACE INTO ");
    sqls_add_ident(&sql, "", t->name);
    sqls_add(&sql, " (\"_id_\", \"_num_\", \"_status_\"");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        sqls_add(&sql, ", ");
        sqls_add_ident(&sql, "", sqls_field_at(t, i));
    }
    sqls_add(&sql, ") VALUES (?1, ?2, ?3");
    for (size_t i = 0; i <= t->nvalue_fields; i++) {
        snprintf(param, sizeof param, ", ?%zu", i + 4);
        sqls_add(&sql, param);
    }
    sqls_add(&sql, ")");
    rc = sqls_prepare(s, t->name, &sql, &ts->insert);
    bl_buf_clear(&sql);
    sqls_add(&sql, "DELETE FROM ");
    sqls_add_ident(&sql, "", t->name);
    sqls_add(&sql, " WHERE \"_id_\" = ?1");
    if (rc == BL_OK)
        rc = sqls_prepare(s, t->name, &sql, &ts->del);
    bl_buf_free(&sql);
    return rc;
}

static int
prepare_select(sql_store_t *s, table_stmts_t *ts)
{
    bl_buf_t sql = BL_BUF_INIT;
    int rc;

    sqls_add(&sql, "SELECT * FROM ");
    sqls_add_ident(&sql, "", ts->info.name);
    sqls_add(&sql, " WHERE ");
    sqls_add_ident(&sql, "", ts->info.key_field);
    sqls_add(&sql, " = ?1 ORDER BY \"_id_\"");
    rc = sqls_prepare(s, ts->info.name, &sql, &ts->select);
    bl_buf_free(&sql);
    return rc;
}

/* The statements to write t, creating its SQL table the first time. */
int
sqls_stmts_for_write(sql_store_t *s, const table_info_t *t, table_stmts_t **out)
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
int
sqls_stmts_for_read(sql_store_t *s, const table_info_t *t, table_stmts_t **out)
{
    table_stmts_t *ts = cache_find(s, t);
    presence_t p;
    int rc;

    *out = NULL;
    if (ts == NULL) {
        rc = sqls_table_presence(s, t->name, &p);
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

