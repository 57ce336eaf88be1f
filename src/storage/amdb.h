/*
 * amdb.h — the tables of one group: FISCO BCOS's AMDB table layer ("table factory").
 *
 * A group keeps its whole state in tables (§6 of the FISCO facts): system tables (_sys_*) for
 * the ledger, the consensus membership and the configuration, one c_<address> table per
 * contract account, and u_<name> tables that users create with the TableFactory precompile.
 * A table maps a primary key — NOT unique — to the rows (entry.h) stored under it.
 *
 * While a block executes, its writes stay in memory, in this layer, on top of the committed
 * rows in the store (store.h): select() sees committed rows overlaid with the block's own
 * changes. Then exactly one of two things happens:
 *
 *   amdb_commit()    the block is final: every change goes to the store in ONE atomic write;
 *   amdb_rollback()  the block is abandoned (consensus chose another): the changes vanish.
 *
 * Inside a block, amdb_savepoint()/amdb_revert() undo the writes of one failed transaction.
 * amdb_hash() is the block's dbHash, a hash of exactly what the block changed in the
 * consensus tables; every sealer computes it and they must agree (§6.6).
 *
 * An amdb_t and its tables are used by one thread at a time.
 */
#ifndef BL_STORAGE_AMDB_H
#define BL_STORAGE_AMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/suite.h"
#include "storage/condition.h"
#include "storage/entry.h"
#include "storage/store.h"

/* ---- FISCO's limits (libprecompiled/Common.h, manual/limitation.md) ---- */

#define AMDB_TABLE_NAME_MAX 50       /* a table's full name, "u_" included (so 48 for users) */
#define AMDB_USER_TABLE_NAME_MAX 48  /* the name a user gives createTable */
#define AMDB_FIELD_NAME_MAX 64       /* one field name */
#define AMDB_VALUE_FIELDS_MAX 1024   /* the comma-separated value field list */
#define AMDB_KEY_MAX 255             /* a primary key's value */
#define AMDB_VALUE_MAX (16 * 1024 * 1024 - 1) /* one field's value */

/* ---- the names of the system tables (§6.2) ---- */

#define AMDB_SYS_TABLES "_sys_tables_"
#define AMDB_SYS_CONSENSUS "_sys_consensus_"
#define AMDB_SYS_TABLE_ACCESS "_sys_table_access_"
#define AMDB_SYS_CURRENT_STATE "_sys_current_state_"
#define AMDB_SYS_NUMBER_2_HASH "_sys_number_2_hash_"
#define AMDB_SYS_TX_HASH_2_BLOCK "_sys_tx_hash_2_block_"
#define AMDB_SYS_HASH_2_BLOCK "_sys_hash_2_block_"
#define AMDB_SYS_HASH_2_HEADER "_sys_hash_2_header_"
#define AMDB_SYS_CNS "_sys_cns_"
#define AMDB_SYS_CONFIG "_sys_config_"
#define AMDB_SYS_BLOCK_2_NONCES "_sys_block_2_nonces_"

/* Rows of _sys_current_state_ (key field "key", value field "value"). current_id is kept by
 * this layer: the last _id_ given out, written with every commit. */
#define AMDB_KEY_CURRENT_NUMBER "current_number"
#define AMDB_KEY_TOTAL_TX "total_transaction_count"
#define AMDB_KEY_TOTAL_FAILED_TX "total_failed_transaction_count"
#define AMDB_KEY_CURRENT_ID "current_id"

typedef struct amdb amdb_t;
typedef struct table table_t;

/* ---- the factory ---- */

/* Open the tables kept in store (borrowed: amdb_close leaves it open). suite->hash is the
 * chain's hash, used for dbHash. */
int amdb_open(store_t *store, const suite_t *suite, amdb_t **out);
/* Close; the current block's uncommitted changes are dropped, and every table_t is freed. */
void amdb_close(amdb_t *db);
store_t *amdb_store(amdb_t *db);

/* createTable(name, key, "f1,f2"): a user table u_<name>. The schema row goes into
 * _sys_tables_ in the current block (it exists once that block commits, and for the rest of
 * this block). Names follow FISCO's rules: table name 1..48 characters and field names
 * 1..64 characters from [A-Za-z0-9_$@], field names not starting with '_', no field twice,
 * value list at most 1024 characters. BL_E_EXISTS if the table exists, BL_E_INVALID (naming
 * the rule) for a bad name. On success *out (may be NULL) is the open table. */
int amdb_create_table(amdb_t *db, const char *name, const char *key_field,
                      const char *value_fields_csv, table_t **out);
/* The same without the u_ prefix, for tables the node itself creates (parallel config
 * cp_<address>, or a c_<address> account table's schema row as FISCO's StorageState writes
 * it). The full name obeys the rules above with the limit 50; it may not start with '_'. */
int amdb_create_table_raw(amdb_t *db, const char *full_name, const char *key_field,
                          const char *value_fields_csv, table_t **out);

/* Open a table by its full name: a system table (built-in schema), c_<40 hex digits> (key
 * field "key", value field "value"), or any table with a row in _sys_tables_. BL_E_NOTFOUND
 * naming the table otherwise. The table_t belongs to db and stays valid until amdb_close. */
int amdb_open_table(amdb_t *db, const char *name, table_t **out);
/* A table this amdb has open already (and live), or NULL. Unlike amdb_open_table it changes
 * nothing, so threads that share db under a read lock may call it. */
table_t *amdb_find_open_table(amdb_t *db, const char *name);

/* ---- one block ---- */

/* A mark in the current block's journal of writes. */
size_t amdb_savepoint(amdb_t *db);
/* Undo every write made after mark (a failed transaction). BL_E_RANGE if mark is not a
 * savepoint of the current block. */
int amdb_revert(amdb_t *db, size_t mark);
/* dbHash of the current block's changes (§6.6); all zero if no consensus table changed. */
int amdb_hash(amdb_t *db, uint8_t out[32]);
/* Make the current block final as block `number`: new rows get their _id_, changed rows
 * _num_ = number, current_id is updated, and everything goes to the store in one atomic
 * write. On failure nothing was written and the block's changes are still here (commit again
 * or roll back). */
int amdb_commit(amdb_t *db, int64_t number);
/* Drop the current block's changes. */
void amdb_rollback(amdb_t *db);
/* Has the current block written anything? */
bool amdb_dirty(const amdb_t *db);

/* ---- one table ---- */

const table_info_t *table_info(const table_t *t);

/* Append to *out copies of the rows of `key` that pass cond (NULL: all), in _id_ order with
 * this block's new rows after the committed ones, limit applied last. Deleted rows are never
 * returned. BL_E_INVALID if cond names a field the table does not have. */
int table_select(table_t *t, const char *key, const condition_t *cond, entries_t *out);
/* Add a row under key. The entry names value fields of the table (fields it omits are stored
 * empty); its key field, if set, must equal key. Refused (BL_E_INVALID, naming the field or
 * limit): unknown fields, names starting with '_', a key over 255 bytes, a value over
 * 16 MB - 1. Nothing is written when it fails. */
int table_insert(table_t *t, const char *key, const entry_t *e);
/* Set the fields of e in every row of key that passes cond; *count (may be NULL) is how many.
 * Same checks as insert; the key field cannot be changed. */
int table_update(table_t *t, const char *key, const entry_t *e, const condition_t *cond,
                 size_t *count);
/* Delete every row of key that passes cond; *count (may be NULL) is how many. */
int table_remove(table_t *t, const char *key, const condition_t *cond, size_t *count);
/* Would table_insert (cond NULL, e the row) or table_update/table_remove (e NULL for remove)
 * accept these arguments? The same checks and messages, without writing — for callers that
 * keep a write aside and apply it later (a parallel transaction, exec/exec_table.c). */
int table_check_write(const table_t *t, const char *key, const entry_t *e,
                      const condition_t *cond);
/* Visit the committed keys of the table (store_keys; the current block is not included). */
int table_keys(table_t *t, int (*visit)(void *arg, const char *key), void *arg);

#endif
