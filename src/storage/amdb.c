/*
 * amdb.c — the table factory of one group (FISCO's MemoryTableFactory2).
 *
 * A table factory is the one object through which a group reaches its tables: it knows every
 * table's schema (built in for system and contract tables, in _sys_tables_ for the others),
 * hands out table handles, and owns the current block's changes to all of them.
 *
 * Why keep writes per block instead of writing rows straight to the database? Because a block
 * is not final when it executes. A PBFT sealer executes a proposed block before the others have
 * agreed to it; if the round fails, the block never happened and its writes must vanish. And
 * inside a block, a transaction that fails must leave no trace. So writes collect here,
 * journaled for undo, and reach the store only in amdb_commit() — all together, in one atomic
 * write, so a crash leaves either the whole block or none of it.
 *
 * The block's dbHash (amdb_hash.c) is computed from these collected changes. Sealers compare
 * it (it is in the header they sign): if one node's execution wrote something different, its
 * dbHash differs and the others will not sign its block.
 *
 * Row ids. Every committed row has an _id_, unique in the group. New rows get theirs at commit
 * (not at insert: until then a block might still be abandoned), from a counter kept in
 * _sys_current_state_ under current_id, which starts at 100000 (FISCO 2.2+) so the first row
 * is 100001. The counter row itself has _id_ 1, as in FISCO's commitDB. Ids are given out in a
 * fixed order — tables by name, then each table's new rows in dbHash order (by key, then by
 * field values) — so every node gives the same row the same id. One visible consequence, as in
 * FISCO: rows that one block inserted under the same key are listed in insertion order until
 * the commit, and in that sorted order after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/amdb_impl.h"

#define CURRENT_ID_ROW_ID 1 /* the _id_ of the current_id row (FISCO's idEntry->setID(1)) */

/* ---- table handles ---- */

static table_t *
table_new(amdb_t *db, table_info_t *info)
{
    table_t *t = bl_xcalloc(1, sizeof *t);

    t->db = db;
    t->info = *info; /* takes the info over */
    t->live = true;
    bl_map_init(&t->slots);
    bl_map_init(&t->committed);
    pthread_mutex_init(&t->committed_lock, NULL);
    bl_map_put_str(&db->tables, t->info.name, t);
    return t;
}

static void
table_free(void *p)
{
    table_t *t = p;

    bl_map_free(&t->slots, amdb_slot_free);
    bl_map_free(&t->committed, amdb_committed_free);
    pthread_mutex_destroy(&t->committed_lock);
    table_info_free(&t->info);
    free(t);
}

/* A value as a new NUL-terminated string. */
static char *
buf_string(const bl_buf_t *b)
{
    char *s = bl_xmalloc(b->len + 1);

    if (b->len > 0)
        memcpy(s, b->data, b->len);
    s[b->len] = '\0';
    return s;
}

/* The schema of a user table from its row in _sys_tables_. */
static int
schema_from_sys_tables(amdb_t *db, const char *name, table_info_t *info)
{
    table_t *sys;
    entries_t rows;
    const bl_buf_t *key_field, *value_fields;
    char *key, *values;
    int rc = amdb_open_table(db, AMDB_SYS_TABLES, &sys);

    if (rc < 0)
        return rc;
    entries_init(&rows);
    rc = table_select(sys, name, NULL, &rows);
    if (rc == 0 && rows.count == 0)
        rc = bl_fail(BL_E_NOTFOUND, "table %s does not exist", name);
    if (rc < 0)
        goto out;
    key_field = entry_get(&rows.items[0], "key_field");
    value_fields = entry_get(&rows.items[0], "value_field");
    if (key_field == NULL || value_fields == NULL) {
        rc = bl_fail(BL_E_DB, "the %s row of table %s is damaged", AMDB_SYS_TABLES, name);
        goto out;
    }
    key = buf_string(key_field);
    values = buf_string(value_fields);
    table_info_init(info, name, key, values, true, true); /* FISCO's TableInfo defaults */
    free(key);
    free(values);
out:
    entries_free(&rows);
    return rc;
}

table_t *
amdb_find_open_table(amdb_t *db, const char *name)
{
    table_t *t = bl_map_get_str(&db->tables, name);

    return t != NULL && t->live ? t : NULL;
}

int
amdb_open_table(amdb_t *db, const char *name, table_t **out)
{
    table_t *t = bl_map_get_str(&db->tables, name);
    table_info_t info;
    int rc;

    if (t != NULL && t->live) {
        *out = t;
        return 0;
    }
    if (!amdb_builtin_info(name, &info)) {
        rc = schema_from_sys_tables(db, name, &info);
        if (rc < 0)
            return rc;
    }
    if (t == NULL) {
        t = table_new(db, &info);
    } else {
        /* A table whose creation was undone and has been created again. */
        table_info_free(&t->info);
        t->info = info;
        t->live = true;
    }
    *out = t;
    return 0;
}

/* ---- createTable ---- */

/* A built-in c_<address> table may get its schema row (as StorageState writes it), but only
 * with its built-in schema. */
static int
check_builtin_schema(const char *full_name, const char *key_field, const char *csv)
{
    table_info_t info;
    bool same;

    if (!amdb_builtin_info(full_name, &info))
        return 0;
    same = strcmp(key_field, info.key_field) == 0 && info.nvalue_fields == 1 &&
           strcmp(csv, info.value_fields[0]) == 0;
    table_info_free(&info);
    if (!same)
        return bl_fail(BL_E_INVALID, "table %s is a contract table: its key field is \"key\" "
                       "and its value field \"value\"", full_name);
    return 0;
}

int
amdb_create_table_raw(amdb_t *db, const char *full_name, const char *key_field,
                      const char *value_fields_csv, table_t **out)
{
    table_t *sys, *t;
    entries_t rows;
    entry_t schema;
    int rc = amdb_check_schema(full_name, key_field, value_fields_csv);

    if (rc == 0)
        rc = check_builtin_schema(full_name, key_field, value_fields_csv);
    if (rc == 0)
        rc = amdb_open_table(db, AMDB_SYS_TABLES, &sys);
    if (rc < 0)
        return rc;
    entries_init(&rows);
    entry_init(&schema);
    rc = table_select(sys, full_name, NULL, &rows);
    if (rc == 0 && rows.count > 0)
        rc = bl_fail(BL_E_EXISTS, "table %s exists already", full_name);
    if (rc < 0)
        goto out;
    entry_set_str(&schema, "key_field", key_field);
    entry_set_str(&schema, "value_field", value_fields_csv);
    amdb_table_insert_unchecked(sys, full_name, &schema);
    rc = amdb_open_table(db, full_name, &t);
    if (rc == 0 && !amdb_is_builtin(full_name)) { /* a c_ table exists with or without */
        journal_rec_t rec = { .kind = JOURNAL_CREATED, .table = t };

        amdb_journal_add(db, &rec);
    }
    if (rc == 0 && out != NULL)
        *out = t;
out:
    entry_free(&schema);
    entries_free(&rows);
    return rc;
}

int
amdb_create_table(amdb_t *db, const char *name, const char *key_field,
                  const char *value_fields_csv, table_t **out)
{
    char full[AMDB_TABLE_NAME_MAX + 1];

    if (name[0] == '\0')
        return bl_fail(BL_E_INVALID, "a table name is empty");
    if (strlen(name) > AMDB_USER_TABLE_NAME_MAX)
        return bl_fail(BL_E_INVALID, "table name \"%.20s...\" is %zu characters, over the "
                       "limit of %d", name, strlen(name), AMDB_USER_TABLE_NAME_MAX);
    snprintf(full, sizeof full, "u_%s", name);
    return amdb_create_table_raw(db, full, key_field, value_fields_csv, out);
}

/* ---- the journal ---- */

void
amdb_journal_add(amdb_t *db, const journal_rec_t *rec)
{
    if (db->njournal == db->journal_cap) {
        db->journal_cap = db->journal_cap ? 2 * db->journal_cap : 64;
        db->journal = bl_xrealloc(db->journal, db->journal_cap * sizeof *db->journal);
    }
    db->journal[db->njournal++] = *rec;
}

/* Undo one write (records are undone newest first, see amdb_impl.h). */
static void
journal_undo(journal_rec_t *rec)
{
    entries_t *list;

    switch (rec->kind) {
    case JOURNAL_INSERTED:
        entry_free(&rec->slot->inserted.items[--rec->slot->inserted.count]);
        break;
    case JOURNAL_DIRTIED:
        entry_free(&rec->slot->updated.items[--rec->slot->updated.count]);
        break;
    case JOURNAL_CHANGED:
        list = rec->in_inserted ? &rec->slot->inserted : &rec->slot->updated;
        entry_free(&list->items[rec->index]);
        list->items[rec->index] = rec->old; /* the saved row goes back; rec gives it up */
        entry_init(&rec->old);
        break;
    case JOURNAL_CREATED:
        rec->table->live = false;
        break;
    }
}

size_t
amdb_savepoint(amdb_t *db)
{
    return db->njournal;
}

int
amdb_revert(amdb_t *db, size_t mark)
{
    if (mark > db->njournal)
        return bl_fail(BL_E_RANGE, "savepoint %zu is not in this block (the journal holds %zu "
                       "writes)", mark, db->njournal);
    while (db->njournal > mark) {
        journal_rec_t *rec = &db->journal[--db->njournal];

        journal_undo(rec);
        entry_free(&rec->old);
    }
    return 0;
}

bool
amdb_dirty(const amdb_t *db)
{
    return db->njournal > 0;
}

/* Forget the committed rows the block read (the store is about to change, or may have). */
static void
forget_committed(amdb_t *db)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(&db->tables, &pos, NULL, &value))
        bl_map_clear(&((table_t *)value)->committed, amdb_committed_free);
}

/* Forget the block: every slot of every table, the rows it read, and the journal. */
static void
clear_block(amdb_t *db)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(&db->tables, &pos, NULL, &value))
        bl_map_clear(&((table_t *)value)->slots, amdb_slot_free);
    forget_committed(db);
    for (size_t i = 0; i < db->njournal; i++)
        entry_free(&db->journal[i].old);
    db->njournal = 0;
}

void
amdb_rollback(amdb_t *db)
{
    amdb_revert(db, 0); /* undoes createTable too */
    clear_block(db);
}

static int
compare_table_names(const void *a, const void *b)
{
    return strcmp((*(table_t *const *)a)->info.name, (*(table_t *const *)b)->info.name);
}

table_t **
amdb_changed_tables(amdb_t *db, size_t *n)
{
    table_t **list = bl_xcalloc(db->tables.count + 1, sizeof *list);
    size_t pos = 0;
    void *value;

    *n = 0;
    while (bl_map_next(&db->tables, &pos, NULL, &value))
        if (table_changed(value))
            list[(*n)++] = value;
    qsort(list, *n, sizeof *list, compare_table_names);
    return list;
}

/* ---- commit ---- */

/* The rows one table sends to the store: the committed rows it changed, then its new rows,
 * each with _num_ = number, the new ones numbered from *next_id on in dbHash order. A row
 * inserted and removed in the same block uses up an id (as in FISCO) but is not stored. */
static void
table_change_rows(table_t *t, int64_t number, int64_t *next_id, entries_t *rows)
{
    entries_t updated, inserted;

    entries_init(&updated);
    entries_init(&inserted);
    table_collect_changes(t, &updated, &inserted);
    amdb_sort_rows(&t->info, &updated);
    amdb_sort_rows(&t->info, &inserted);
    for (size_t i = 0; i < updated.count; i++) {
        updated.items[i].num = number;
        entries_take(rows, &updated.items[i]);
    }
    for (size_t i = 0; i < inserted.count; i++) {
        inserted.items[i].id = ++*next_id;
        inserted.items[i].num = number;
        if (inserted.items[i].status == ENTRY_NORMAL)
            entries_take(rows, &inserted.items[i]);
    }
    entries_free(&updated);
    entries_free(&inserted);
}

/* Put the current_id row (_id_ 1) into the change of _sys_current_state_, adding that change
 * if the block did not touch the table. */
static void
add_current_id(const table_info_t *info, int64_t last_id, int64_t number,
               table_change_t *changes, size_t *n)
{
    table_change_t *c = NULL;
    entry_t row;
    char text[24];

    for (size_t i = 0; i < *n && c == NULL; i++)
        if (changes[i].info == info)
            c = &changes[i];
    if (c == NULL) {
        c = &changes[(*n)++];
        c->info = info;
        entries_init(&c->rows);
    }
    entry_init(&row);
    row.id = CURRENT_ID_ROW_ID;
    row.num = number;
    snprintf(text, sizeof text, "%lld", (long long)last_id);
    entry_set_str(&row, info->key_field, AMDB_KEY_CURRENT_ID);
    entry_set_str(&row, "value", text);
    entries_take(&c->rows, &row);
}

int
amdb_commit(amdb_t *db, int64_t number)
{
    size_t n, nchanges = 0;
    table_t *state, **tables = NULL;
    table_change_t *changes = NULL;
    int64_t next_id = db->last_id;
    int rc = amdb_open_table(db, AMDB_SYS_CURRENT_STATE, &state);

    if (rc < 0)
        return rc;
    tables = amdb_changed_tables(db, &n);
    changes = bl_xcalloc(n + 1, sizeof *changes);
    for (size_t i = 0; i < n; i++) {
        table_change_t *c = &changes[nchanges];

        c->info = &tables[i]->info;
        entries_init(&c->rows);
        table_change_rows(tables[i], number, &next_id, &c->rows);
        if (c->rows.count > 0)
            nchanges++;
        else
            entries_free(&c->rows);
    }
    add_current_id(&state->info, next_id, number, changes, &nchanges);
    rc = store_commit(db->store, number, changes, nchanges);
    forget_committed(db); /* the rows it read are old now (after a failure: read again) */
    if (rc == 0) {
        db->last_id = next_id;
        clear_block(db);
    }
    for (size_t i = 0; i < nchanges; i++)
        entries_free(&changes[i].rows);
    free(changes);
    free(tables);
    return rc;
}

/* ---- the factory ---- */

/* Where the id counter stands: current_id, or ENTRY_ID_START in a new group. */
static int
load_last_id(amdb_t *db)
{
    table_t *state;
    entries_t rows;
    const bl_buf_t *v;
    char text[24];
    char *end;
    int rc = amdb_open_table(db, AMDB_SYS_CURRENT_STATE, &state);

    if (rc < 0)
        return rc;
    entries_init(&rows);
    rc = table_select(state, AMDB_KEY_CURRENT_ID, NULL, &rows);
    db->last_id = ENTRY_ID_START;
    if (rc < 0 || rows.count == 0)
        goto out;
    v = entry_get(&rows.items[0], "value");
    if (v == NULL || v->len == 0 || v->len >= sizeof text) {
        rc = bl_fail(BL_E_DB, "%s row %s is damaged", AMDB_SYS_CURRENT_STATE,
                     AMDB_KEY_CURRENT_ID);
        goto out;
    }
    memcpy(text, v->data, v->len);
    text[v->len] = '\0';
    db->last_id = strtoll(text, &end, 10);
    if (*end != '\0' || db->last_id < ENTRY_ID_START)
        rc = bl_fail(BL_E_DB, "%s row %s holds \"%s\", not an id", AMDB_SYS_CURRENT_STATE,
                     AMDB_KEY_CURRENT_ID, text);
out:
    entries_free(&rows);
    return rc;
}

int
amdb_open(store_t *store, const suite_t *suite, amdb_t **out)
{
    amdb_t *db = bl_xcalloc(1, sizeof *db);
    int rc;

    db->store = store;
    db->suite = suite;
    bl_map_init(&db->tables);
    rc = load_last_id(db);
    if (rc < 0) {
        amdb_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void
amdb_close(amdb_t *db)
{
    if (db == NULL)
        return;
    clear_block(db);
    bl_map_free(&db->tables, table_free);
    free(db->journal);
    free(db);
}

store_t *
amdb_store(amdb_t *db)
{
    return db->store;
}
