/*
 * amdb_impl.h — the inside of the table layer, shared by its files (not for other modules).
 *
 *   amdb.c         the factory: open, create and find tables, savepoints, commit, rollback
 *   amdb_table.c   one table: select, insert, update, remove over committed + block rows
 *   amdb_hash.c    the order of changed rows and the block's dbHash (§6.6)
 *   amdb_schema.c  the system tables' schemas and FISCO's rules for names
 *
 * How a block's writes are kept. Each table has a map from primary key to a "slot" holding
 * what this block did to that key:
 *
 *   updated   committed rows the block changed or deleted (copies, with their _id_), in the
 *             order they were first touched;
 *   inserted  rows the block added (no _id_ yet), in insertion order; a row added and then
 *             removed in the same block stays here with status deleted (FISCO hashes it too).
 *
 * Every write also appends a record to the block's journal saying how to undo it. A savepoint
 * is just the journal's length; reverting pops records back to it, undoing each. Because undo
 * runs newest-first, "undo an insert" is always "drop the last row of that slot's inserted".
 */
#ifndef BL_STORAGE_AMDB_IMPL_H
#define BL_STORAGE_AMDB_IMPL_H

#include <pthread.h>

#include "base/hashmap.h"
#include "storage/amdb.h"

typedef struct {
    entries_t updated;  /* committed rows changed by this block (status may be deleted) */
    entries_t inserted; /* rows added by this block, in insertion order */
} amdb_slot_t;

struct table {
    amdb_t *db;
    table_info_t info;
    bool live;      /* false after the createTable that made it was undone */
    bl_map_t slots; /* primary key -> amdb_slot_t *: the keys this block touched */
    /* The committed rows of every key this block has read, so that a key is read from the
     * store and decoded once per block, not at every select and update (FISCO's CachedStorage
     * keeps rows the same way). The parallel executor's workers read side by side (exec/pte.c),
     * so the cache has a small lock of its own. The rows stay right until the store changes:
     * the cache is emptied when the block ends. */
    bl_map_t committed; /* primary key -> entries_t * */
    pthread_mutex_t committed_lock;
};

typedef enum {
    JOURNAL_INSERTED, /* a row was appended to slot->inserted: undo drops it */
    JOURNAL_DIRTIED,  /* a committed row was copied into slot->updated: undo drops it */
    JOURNAL_CHANGED,  /* a row of slot->updated or slot->inserted changed: undo restores old */
    JOURNAL_CREATED,  /* a table was created: undo makes it not live */
} journal_kind_t;

typedef struct {
    journal_kind_t kind;
    table_t *table;
    amdb_slot_t *slot;
    bool in_inserted; /* JOURNAL_CHANGED: which list of the slot */
    size_t index;     /* JOURNAL_CHANGED: which row of that list */
    entry_t old;      /* JOURNAL_CHANGED: the row as it was */
} journal_rec_t;

struct amdb {
    store_t *store;
    const suite_t *suite;
    bl_map_t tables; /* full name -> table_t *, every table opened so far */
    journal_rec_t *journal;
    size_t njournal;
    size_t journal_cap;
    int64_t last_id; /* the last _id_ given out: _sys_current_state_'s current_id */
};

/* ---- amdb.c ---- */
void amdb_journal_add(amdb_t *db, const journal_rec_t *rec);
/* The tables this block changed (at least one row in a slot), sorted by name; caller frees
 * the array. */
table_t **amdb_changed_tables(amdb_t *db, size_t *n);

/* ---- amdb_table.c ---- */
void amdb_slot_free(void *slot);
/* Free one list of the committed-rows cache. */
void amdb_committed_free(void *rows);
/* Does any slot of t hold a row? */
bool table_changed(const table_t *t);
/* Every row this block changed in t: *updated the committed rows, *inserted the new ones
 * (both copies, appended). */
void table_collect_changes(const table_t *t, entries_t *updated, entries_t *inserted);
/* The rows this block changed in t, pointed at where they are (not copied): what dbHash reads.
 * Valid until t changes again; table_rows_free frees the arrays only. */
typedef struct {
    const entry_t **updated;  /* the committed rows it updated or removed */
    size_t nupdated;
    const entry_t **inserted; /* the rows it inserted */
    size_t ninserted;
} table_rows_t;
void table_point_at_changes(const table_t *t, table_rows_t *rows);
void table_rows_free(table_rows_t *rows);
/* Insert without the checks of table_insert, for rows only the layer writes (createTable's
 * schema row). */
int amdb_table_insert_unchecked(table_t *t, const char *key, const entry_t *e);

/* ---- amdb_hash.c ---- */
/* Sort rows as FISCO's EntryLessNoLock does: by _id_, then key field value, then number of
 * fields, then field names and values; equal rows keep their order. */
void amdb_sort_rows(const table_info_t *info, entries_t *rows);
/* The hash of one table's changes: updated rows then inserted rows, each group sorted (the
 * arrays of rows are reordered). */
void amdb_table_hash(const suite_t *suite, const table_info_t *info, table_rows_t *rows,
                     uint8_t out[32]);

/* ---- amdb_schema.c ---- */
/* If name is a built-in table (a system table or c_<address>), fill *info and return true. */
bool amdb_builtin_info(const char *name, table_info_t *info);
bool amdb_is_builtin(const char *name);
/* FISCO's rules for a new table (checkNameValidate and the length limits). */
int amdb_check_schema(const char *full_name, const char *key_field,
                      const char *value_fields_csv);
/* A field name a row may carry: non-empty, not starting with '_', at most 64 characters. */
int amdb_check_field_name(const char *table, const char *field);

#endif
