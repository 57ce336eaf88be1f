/*
 * store_sqlite_impl.h — the inside of the SQLite store, shared by its two files (not for other
 * modules; store.h is the interface):
 *
 *   store_sqlite.c         the store's operations: select, commit, keys, open and close
 *   store_sqlite_schema.c  SQL text and values, table names and the directory of the file's
 *                          tables, creating an SQL table, and the cache of prepared statements
 */
#ifndef BL_STORAGE_STORE_SQLITE_IMPL_H
#define BL_STORAGE_STORE_SQLITE_IMPL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/hashmap.h"
#include "storage/store.h"

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

typedef enum { TABLE_ABSENT, TABLE_PRESENT, TABLE_CASE_CLASH } presence_t;

/* ---- store_sqlite_schema.c ---- */

int sqls_db_fail(const sql_store_t *s, const char *table, const char *what);
void sqls_add(bl_buf_t *sql, const char *text);
void sqls_add_ident(bl_buf_t *sql, const char *prefix, const char *name);
int sqls_prepare(sql_store_t *s, const char *table, bl_buf_t *sql, sqlite3_stmt **out);
int sqls_step_done(sql_store_t *s, sqlite3_stmt *st, const char *table, const char *what);
int sqls_bind_value(sqlite3_stmt *st, int param, const bl_buf_t *v, bool is_key);
int sqls_check_info(const table_info_t *t);
int sqls_table_presence(sql_store_t *s, const char *name, presence_t *p);
int sqls_load_tables(sql_store_t *s);
void sqls_end_transaction(sql_store_t *s, bool committed);
void sqls_cache_clear(sql_store_t *s);
const char *sqls_field_at(const table_info_t *t, size_t i);
int sqls_stmts_for_write(sql_store_t *s, const table_info_t *t, table_stmts_t **out);
int sqls_stmts_for_read(sql_store_t *s, const table_info_t *t, table_stmts_t **out);

#endif
