/*
 * store.c — calling a store through its operations table.
 *
 * A store_t is an object with a table of operations (store_ops_t), like kv_t: store_kv.c,
 * store_sqlite.c and store_cache.c each fill one. These four wrappers are all the table layer
 * ever calls, so it works the same over every backend.
 */
#include "storage/store.h"

int
store_select(store_t *s, const table_info_t *t, const char *key, entries_t *out)
{
    return s->ops->select(s, t, key, out);
}

int
store_commit(store_t *s, int64_t number, const table_change_t *changes, size_t n)
{
    return s->ops->commit(s, number, changes, n);
}

int
store_keys(store_t *s, const table_info_t *t, int (*visit)(void *arg, const char *key),
           void *arg)
{
    return s->ops->keys(s, t, visit, arg);
}

void
store_close(store_t *s)
{
    if (s != NULL)
        s->ops->close(s);
}
