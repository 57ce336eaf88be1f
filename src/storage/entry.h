/*
 * entry.h — one row of an AMDB table (an "Entry"), a list of rows ("Entries"), and the
 * description of a table's columns ("TableInfo").
 *
 * FISCO BCOS keeps a group's whole state in tables. A row is a map from field (column) name to
 * value; every value is a string of bytes (FISCO's std::string: usually text, sometimes binary,
 * such as contract code). Three more fields are the table layer's own bookkeeping and are kept
 * apart from the user's fields here:
 *
 *   _id_      the row's number, unique in the group: given out after 100000 (the first row
 *             gets 100001, FISCO 2.2+) when the block that inserts the row commits; 0 while it
 *             is not yet committed
 *   _num_     the number of the block that last wrote the row
 *   _status_  0 normal, 1 deleted (a removed row travels to commit, and into dbHash, as status 1)
 *
 * The primary key of a table is just one of its fields (key_field), and it is NOT unique: many
 * rows may share a key, and select/update/remove act on all rows of a key that pass a condition.
 * The row holds its key field like any other field.
 */
#ifndef BL_STORAGE_ENTRY_H
#define BL_STORAGE_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

#define ENTRY_ID_START 100000 /* current_id of a new group; ids given out start after it */

typedef enum { ENTRY_NORMAL = 0, ENTRY_DELETED = 1 } entry_status_t;

typedef struct {
    char *name;      /* NUL-terminated field name */
    bl_buf_t value;  /* the value's bytes */
} entry_field_t;

typedef struct {
    entry_field_t *fields; /* sorted by name (strcmp), each name once */
    size_t nfields;
    size_t cap;
    int64_t id;            /* _id_ */
    int64_t num;           /* _num_ */
    entry_status_t status; /* _status_ */
} entry_t;

void entry_init(entry_t *e);
void entry_free(entry_t *e);
/* Deep copy; dst must not hold a live entry (entry_free it first). */
void entry_copy(entry_t *dst, const entry_t *src);
/* Set (add or replace) a field; the entry copies name and value. */
void entry_set(entry_t *e, const char *field, const void *value, size_t len);
void entry_set_str(entry_t *e, const char *field, const char *value);
/* The value of a field, or NULL if the row has no such field. */
const bl_buf_t *entry_get(const entry_t *e, const char *field);
/* Is the value of `field` exactly the text s? (false if the field is absent) */
bool entry_field_is(const entry_t *e, const char *field, const char *s);

/* The row as bytes for a key-value store: RLP [id, num, status, [[name, value], ...]]. The
 * decoder is strict: names sorted and unique, status 0 or 1. */
void entry_encode(const entry_t *e, bl_buf_t *out);
int entry_decode(bl_span_t raw, entry_t *e);

/* ---- a list of rows ---- */

typedef struct {
    entry_t *items;
    size_t count;
    size_t cap;
} entries_t;

void entries_init(entries_t *l);
void entries_free(entries_t *l);
void entries_clear(entries_t *l);
/* Append a deep copy of e. */
void entries_add(entries_t *l, const entry_t *e);
/* Append e itself, taking ownership (e is left empty, as after entry_init). */
void entries_take(entries_t *l, entry_t *e);

/* ---- what a table looks like ---- */

typedef struct {
    char *name;            /* "u_demo", "_sys_config_", "c_1234..." */
    char *key_field;       /* the primary key's field name */
    char **value_fields;   /* the other fields, in declaration order */
    size_t nvalue_fields;
    bool enable_consensus; /* do this table's changes go into the block's dbHash? */
    bool enable_cache;     /* may the read cache keep its rows? */
} table_info_t;

/* value_fields is a comma-separated list, as in _sys_tables_ ("value,enable_num"). No checks:
 * the table layer validates names and limits before it builds an info. */
void table_info_init(table_info_t *t, const char *name, const char *key_field,
                     const char *value_fields_csv, bool enable_consensus, bool enable_cache);
void table_info_free(table_info_t *t);
void table_info_copy(table_info_t *dst, const table_info_t *src);
/* Is `field` the key field or one of the value fields? */
bool table_info_has_field(const table_info_t *t, const char *field);

#endif
