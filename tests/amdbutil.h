/*
 * amdbutil.h — helpers for the table-layer tests (test_amdb*.c, test_store_crash.c).
 *
 * A test group is a store on one backend with an AMDB on top. The backend is named as the
 * tests name their cases: "memory", "rocksdb", "sqlite", or "cache:<one of those>" for the
 * read cache in front of it. Rows and conditions are written in one line:
 *
 *     tu_row("item_id=1,item_name=apple")           an entry
 *     tu_cond("item_id>=2,name!=bob,limit=1:2")     clauses with == != > >= < <=, and
 *                                                    limit=count or limit=offset:count
 *
 * (values in these strings hold no ',' and no operator characters).
 */
#ifndef BL_TESTS_AMDBUTIL_H
#define BL_TESTS_AMDBUTIL_H

#include <stddef.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "storage/amdb.h"
#include "storage/kv.h"

typedef struct {
    const char *backend; /* set before tu_group_open */
    size_t cache_bytes;  /* for "cache:" backends; 0 means 64 KB */
    char path[512];      /* a fresh path under tu_dir, made by tu_group_open the first time */
    kv_t *kv;
    store_t *store;
    amdb_t *db;
} tu_group_t;

/* Open (or, with the same path, reopen) the group; 0 or the BL_E_* code of what failed. */
int tu_group_open(tu_group_t *g, const suite_t *suite);
void tu_group_close(tu_group_t *g);

entry_t tu_row(const char *spec);
/* NULL for a NULL spec; free with tu_cond_free. */
condition_t *tu_cond(const char *spec);
void tu_cond_free(condition_t *c);

/* The operations, failing the test if they fail. */
table_t *tu_open_table(amdb_t *db, const char *name);
void tu_insert(table_t *t, const char *key, const char *spec);
size_t tu_update(table_t *t, const char *key, const char *spec, const char *cond_spec);
size_t tu_remove(table_t *t, const char *key, const char *cond_spec);
void tu_commit(amdb_t *db, int64_t number);
/* Fail unless the values of `field` in the selected rows, joined by ',', are want. */
void tu_assert_select(table_t *t, const char *key, const char *cond_spec, const char *field,
                      const char *want);

/* Every committed row of the system tables and of the tables named (NULL-terminated; tables
 * that do not exist are skipped), as bytes to compare before and after. */
void tu_snapshot(amdb_t *db, store_t *store, const char *const *tables, bl_buf_t *out);

#endif
