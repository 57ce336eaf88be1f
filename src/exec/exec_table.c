/*
 * exec_table.c — the tables as a contract call sees them: permission checked, and in a
 * parallel transaction, writes kept aside until the transaction ends.
 *
 * Permission (fisco-2x-facts §7.3). _sys_table_access_ lists, per table, the accounts that may
 * write it (rows: table_name → address, enable_num). A table with no rows in force is open to
 * everyone; once a table has rows, only the accounts listed may insert, update or remove — the
 * origin of the transaction (the account that signed it) is what is checked. A row takes effect
 * from block enable_num on, so a grant made in block 10 (enable_num 11) protects the table from
 * block 11: every node executing block 10 sees the same rules whatever order it ran its txs in.
 *
 * Buffering. A parallel transaction (exec/pte.c) runs on a worker thread beside others that
 * the DAG guarantees touch other keys. It reads the block's tables under the read lock, so
 * readers never wait for each other; its writes are checked at once (so the call learns of a
 * bad field at once) but only recorded, and exec_call_publish() applies them under the write
 * lock when the transaction has succeeded. A failed transaction simply drops its list. A
 * parallel call must read what it needs before it writes: its reads do not see its own
 * buffered writes (FISCO's parallel functions have the same shape: read the accounts, then
 * update them).
 */
#include "exec/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"

#define ACCESS_FIELD_ADDRESS "address"
#define ACCESS_FIELD_ENABLE "enable_num"

/* Reads of a buffered call in a concurrent block share the read lock. */
static void
read_lock(exec_call_t *c)
{
    if (c->buffered && c->block->concurrent)
        exec_lock_read(c->block);
}

static void
read_unlock(exec_call_t *c)
{
    if (c->buffered && c->block->concurrent)
        exec_unlock(c->block);
}

int
exec_open_table(exec_call_t *c, const char *name, table_t **t)
{
    int rc;

    if (!(c->buffered && c->block->concurrent))
        return amdb_open_table(c->block->db, name, t);
    /* Opening a table the block has not used yet changes amdb's list of open tables: that
     * needs the write lock. Usually it is open already, which a read lock can see. */
    exec_lock_read(c->block);
    *t = amdb_find_open_table(c->block->db, name);
    exec_unlock(c->block);
    if (*t != NULL)
        return BL_OK;
    exec_lock_write(c->block);
    rc = amdb_open_table(c->block->db, name, t);
    exec_unlock(c->block);
    return rc;
}

int
exec_select(exec_call_t *c, table_t *t, const char *key, const condition_t *cond,
            entries_t *out)
{
    int rc;

    read_lock(c);
    rc = table_select(t, key, cond, out);
    read_unlock(c);
    c->gas_used += EXEC_GAS_TABLE_READ;
    return rc;
}

/* Is row `e` of _sys_table_access_ in force in block `number`? */
static bool
access_row_in_force(int64_t number, const entry_t *e)
{
    const bl_buf_t *v = entry_get(e, ACCESS_FIELD_ENABLE);
    char text[24];
    long long n;

    if (v == NULL || v->len == 0 || v->len >= sizeof text)
        return true; /* a row without enable_num applies at once */
    memcpy(text, v->data, v->len);
    text[v->len] = '\0';
    n = strtoll(text, NULL, 10);
    return n <= number;
}

static bool
access_row_names(const entry_t *e, const char *addr_hex)
{
    const bl_buf_t *v = entry_get(e, ACCESS_FIELD_ADDRESS);
    const char *a;
    size_t len;

    if (v == NULL)
        return false;
    a = (const char *)v->data;
    len = v->len;
    if (len >= 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) {
        a += 2;
        len -= 2;
    }
    return len == 40 && strncasecmp(a, addr_hex, 40) == 0;
}

bool
exec_access_allows(const entries_t *rows, const uint8_t origin[20], int64_t number)
{
    char origin_hex[41];
    bool listed = false, any = false;

    bl_hex_encode(origin, 20, origin_hex);
    for (size_t i = 0; i < rows->count; i++) {
        if (!access_row_in_force(number, &rows->items[i]))
            continue;
        any = true;
        listed = listed || access_row_names(&rows->items[i], origin_hex);
    }
    return !any || listed;
}

exec_access_rule_fn exec_access_rule = exec_access_allows;

int
exec_may_write(exec_call_t *c, const char *table_name, bool *allowed)
{
    table_t *access;
    entries_t rows;
    int rc = exec_open_table(c, AMDB_SYS_TABLE_ACCESS, &access);

    *allowed = false;
    if (rc != BL_OK)
        return rc;
    entries_init(&rows);
    read_lock(c);
    rc = table_select(access, table_name, NULL, &rows);
    read_unlock(c);
    if (rc == BL_OK)
        *allowed = exec_access_rule(&rows, c->origin, c->block->number);
    entries_free(&rows);
    return rc;
}

/* The whitelist cannot change while a call runs (a grant takes effect from the next block),
 * so a call that writes one table several times asks once. */
static int
check_permission(exec_call_t *c, const table_t *t)
{
    bool allowed;
    int rc;

    if (c->allowed == t)
        return BL_OK;
    rc = exec_may_write(c, table_info(t)->name, &allowed);
    if (rc == BL_OK && allowed)
        c->allowed = t;

    if (rc == BL_OK && !allowed) {
        char origin[41];
        bl_hex_encode(c->origin, 20, origin);
        return bl_fail(BL_E_DENIED, "account 0x%s may not write table %s (it is not in the "
                       "table's _sys_table_access_ list)", origin, table_info(t)->name);
    }
    return rc;
}

/* ---- buffered writes ---- */

static exec_write_t *
buffer_write(exec_call_t *c, exec_write_kind_t kind, table_t *t, const char *key)
{
    exec_write_t *w;

    if (c->nwrites == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->writes = bl_xrealloc(c->writes, c->cap * sizeof *c->writes);
    }
    w = &c->writes[c->nwrites++];
    memset(w, 0, sizeof *w);
    w->kind = kind;
    w->table = t;
    w->key = bl_xstrdup(key);
    entry_init(&w->entry);
    condition_init(&w->cond);
    return w;
}

static void
copy_condition(condition_t *dst, const condition_t *src)
{
    for (size_t i = 0; i < src->count; i++)
        condition_add_bytes(dst, src->clauses[i].field, src->clauses[i].op,
                            src->clauses[i].value.data, src->clauses[i].value.len);
    if (src->has_limit)
        condition_set_limit(dst, src->offset, src->limit);
}

/* How many rows an update or remove will touch: those it would select now (no other
 * transaction may write these keys before this one publishes). */
static int
count_matches(exec_call_t *c, table_t *t, const char *key, const condition_t *cond,
              size_t *count)
{
    entries_t rows;
    int rc;

    entries_init(&rows);
    read_lock(c);
    rc = table_select(t, key, cond, &rows);
    read_unlock(c);
    *count = rows.count;
    entries_free(&rows);
    return rc;
}

static int
buffer_change(exec_call_t *c, exec_write_kind_t kind, table_t *t, const char *key,
              const entry_t *e, const condition_t *cond, size_t *count)
{
    size_t n = 0;
    exec_write_t *w;
    int rc = table_check_write(t, key, e, cond);

    if (rc == BL_OK && count != NULL) /* counting costs a select: only when asked */
        rc = count_matches(c, t, key, cond, &n);
    if (rc != BL_OK)
        return rc;
    w = buffer_write(c, kind, t, key);
    if (e != NULL)
        entry_copy(&w->entry, e);
    if (cond != NULL) {
        w->has_cond = true;
        copy_condition(&w->cond, cond);
    }
    if (count != NULL)
        *count = n;
    return BL_OK;
}

/* ---- the writes ---- */

int
exec_insert(exec_call_t *c, table_t *t, const char *key, const entry_t *e)
{
    int rc = check_permission(c, t);

    c->gas_used += EXEC_GAS_TABLE_WRITE;
    if (rc != BL_OK)
        return rc;
    if (!c->buffered)
        return table_insert(t, key, e);
    if ((rc = table_check_write(t, key, e, NULL)) != BL_OK)
        return rc;
    entry_copy(&buffer_write(c, EXEC_WRITE_INSERT, t, key)->entry, e);
    return BL_OK;
}

int
exec_update(exec_call_t *c, table_t *t, const char *key, const entry_t *e,
            const condition_t *cond, size_t *count)
{
    int rc = check_permission(c, t);

    c->gas_used += EXEC_GAS_TABLE_WRITE;
    if (rc != BL_OK)
        return rc;
    if (!c->buffered)
        return table_update(t, key, e, cond, count);
    return buffer_change(c, EXEC_WRITE_UPDATE, t, key, e, cond, count);
}

int
exec_remove(exec_call_t *c, table_t *t, const char *key, const condition_t *cond,
            size_t *count)
{
    int rc = check_permission(c, t);

    c->gas_used += EXEC_GAS_TABLE_WRITE;
    if (rc != BL_OK)
        return rc;
    if (!c->buffered)
        return table_remove(t, key, cond, count);
    return buffer_change(c, EXEC_WRITE_REMOVE, t, key, NULL, cond, count);
}

int
exec_create_table(exec_call_t *c, const char *name, const char *key_field,
                  const char *value_fields, table_t **out)
{
    bool allowed;
    int rc = exec_may_write(c, AMDB_SYS_TABLES, &allowed);

    c->gas_used += EXEC_GAS_CREATE_TABLE;
    if (rc != BL_OK)
        return rc;
    if (!allowed)
        return bl_fail(BL_E_DENIED, "this account may not create tables (_sys_tables_ is "
                       "guarded by _sys_table_access_)");
    if (c->buffered)
        return bl_fail(BL_E_INVALID, "createTable cannot run in a parallel transaction");
    return amdb_create_table(c->block->db, name, key_field, value_fields, out);
}

int
exec_call_publish(exec_call_t *c)
{
    int rc = BL_OK;

    for (size_t i = 0; rc == BL_OK && i < c->nwrites; i++) {
        exec_write_t *w = &c->writes[i];
        const condition_t *cond = w->has_cond ? &w->cond : NULL;

        switch (w->kind) {
        case EXEC_WRITE_INSERT: rc = table_insert(w->table, w->key, &w->entry); break;
        case EXEC_WRITE_UPDATE: rc = table_update(w->table, w->key, &w->entry, cond, NULL); break;
        case EXEC_WRITE_REMOVE: rc = table_remove(w->table, w->key, cond, NULL); break;
        }
    }
    return rc;
}
