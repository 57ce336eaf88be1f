/*
 * amdbutil.c — see amdbutil.h.
 */
#include "amdbutil.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* ---- groups ---- */

int
tu_group_open(tu_group_t *g, const suite_t *suite)
{
    static int made;
    bool cache = strncmp(g->backend, "cache:", 6) == 0;
    const char *base = cache ? g->backend + 6 : g->backend;
    int rc;

    if (g->path[0] == '\0')
        snprintf(g->path, sizeof g->path, "%s/%d-group", tu_dir, ++made);
    if (strcmp(base, "sqlite") == 0) {
        rc = store_sqlite_open(g->path, &g->store);
    } else {
        rc = kv_open(base, g->path, &g->kv);
        if (rc == 0)
            rc = store_kv_open(g->kv, &g->store);
    }
    if (rc == 0 && cache)
        rc = store_cache_open(g->store, g->cache_bytes ? g->cache_bytes : 64 * 1024,
                              &g->store);
    if (rc == 0)
        rc = amdb_open(g->store, suite, &g->db);
    return rc;
}

void
tu_group_close(tu_group_t *g)
{
    amdb_close(g->db);
    store_close(g->store);
    kv_close(g->kv);
    g->db = NULL;
    g->store = NULL;
    g->kv = NULL;
}

/* ---- rows and conditions in one line ---- */

entry_t
tu_row(const char *spec)
{
    entry_t e;
    char *copy = bl_xstrdup(spec), *save = NULL;

    entry_init(&e);
    for (char *p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');

        if (eq == NULL)
            fail_msg("row spec \"%s\": \"%s\" has no '='", spec, p);
        *eq = '\0';
        entry_set_str(&e, p, eq + 1);
    }
    free(copy);
    return e;
}

static void
cond_clause(condition_t *c, char *p)
{
    static const struct {
        const char *text;
        cond_op_t op;
    } ops[] = {
        { "==", COND_EQ }, { "!=", COND_NE }, { ">=", COND_GE },
        { "<=", COND_LE }, { ">", COND_GT },  { "<", COND_LT },
    };

    if (strncmp(p, "limit=", 6) == 0) {
        char *colon = strchr(p, ':');

        if (colon != NULL)
            condition_set_limit(c, strtoul(p + 6, NULL, 10), strtoul(colon + 1, NULL, 10));
        else
            condition_set_limit(c, 0, strtoul(p + 6, NULL, 10));
        return;
    }
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        char *at = strstr(p, ops[o].text);

        if (at != NULL) {
            *at = '\0';
            condition_add(c, p, ops[o].op, at + strlen(ops[o].text));
            return;
        }
    }
    fail_msg("condition clause \"%s\" has no operator", p);
}

condition_t *
tu_cond(const char *spec)
{
    condition_t *c;
    char *copy, *save = NULL;

    if (spec == NULL)
        return NULL;
    c = bl_xcalloc(1, sizeof *c);
    copy = bl_xstrdup(spec);
    condition_init(c);
    for (char *p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
        cond_clause(c, p);
    free(copy);
    return c;
}

void
tu_cond_free(condition_t *c)
{
    if (c == NULL)
        return;
    condition_free(c);
    free(c);
}

/* ---- operations that must succeed ---- */

table_t *
tu_open_table(amdb_t *db, const char *name)
{
    table_t *t;

    if (amdb_open_table(db, name, &t) != BL_OK)
        fail_msg("open %s: %s", name, bl_errmsg());
    return t;
}

void
tu_insert(table_t *t, const char *key, const char *spec)
{
    entry_t e = tu_row(spec);

    if (table_insert(t, key, &e) != BL_OK)
        fail_msg("insert %s %s: %s", key, spec, bl_errmsg());
    entry_free(&e);
}

size_t
tu_update(table_t *t, const char *key, const char *spec, const char *cond_spec)
{
    entry_t e = tu_row(spec);
    condition_t *c = tu_cond(cond_spec);
    size_t n = 0;

    if (table_update(t, key, &e, c, &n) != BL_OK)
        fail_msg("update %s: %s", key, bl_errmsg());
    entry_free(&e);
    tu_cond_free(c);
    return n;
}

size_t
tu_remove(table_t *t, const char *key, const char *cond_spec)
{
    condition_t *c = tu_cond(cond_spec);
    size_t n = 0;

    if (table_remove(t, key, c, &n) != BL_OK)
        fail_msg("remove %s: %s", key, bl_errmsg());
    tu_cond_free(c);
    return n;
}

void
tu_commit(amdb_t *db, int64_t number)
{
    if (amdb_commit(db, number) != BL_OK)
        fail_msg("commit %lld: %s", (long long)number, bl_errmsg());
}

/* The values of `field` in the rows select returns, joined by ','. */
static char *
select_field(table_t *t, const char *key, const char *cond_spec, const char *field)
{
    condition_t *c = tu_cond(cond_spec);
    entries_t rows;
    bl_buf_t out = BL_BUF_INIT;

    entries_init(&rows);
    if (table_select(t, key, c, &rows) != BL_OK)
        fail_msg("select %s: %s", key, bl_errmsg());
    for (size_t i = 0; i < rows.count; i++) {
        const bl_buf_t *v = entry_get(&rows.items[i], field);

        if (i > 0)
            bl_buf_push(&out, ',');
        if (v != NULL)
            bl_buf_append(&out, v->data, v->len);
    }
    bl_buf_push(&out, 0);
    entries_free(&rows);
    tu_cond_free(c);
    return (char *)out.data;
}

void
tu_assert_select(table_t *t, const char *key, const char *cond_spec, const char *field,
                 const char *want)
{
    char *got = select_field(t, key, cond_spec, field);

    if (strcmp(got, want) != 0)
        fail_msg("select %s [%s]: got \"%s\", want \"%s\"", key, cond_spec ? cond_spec : "",
                 got, want);
    free(got);
}

/* ---- snapshots ---- */

typedef struct {
    store_t *store;
    const table_info_t *info;
    bl_buf_t *out;
} snap_t;

static int
snap_key(void *arg, const char *key)
{
    snap_t *s = arg;
    entries_t rows;

    entries_init(&rows);
    if (store_select(s->store, s->info, key, &rows) != BL_OK)
        fail_msg("snapshot of %s %s: %s", s->info->name, key, bl_errmsg());
    bl_buf_append(s->out, key, strlen(key) + 1);
    for (size_t i = 0; i < rows.count; i++)
        entry_encode(&rows.items[i], s->out);
    entries_free(&rows);
    return 0;
}

static void
snapshot_table(amdb_t *db, store_t *store, const char *name, bl_buf_t *out)
{
    table_t *t;
    snap_t s;

    if (amdb_open_table(db, name, &t) != BL_OK)
        return; /* a user table not (or no longer) there */
    s = (snap_t){ store, table_info(t), out };
    bl_buf_append(out, name, strlen(name) + 1);
    if (table_keys(t, snap_key, &s) != BL_OK)
        fail_msg("snapshot of %s: %s", name, bl_errmsg());
}

void
tu_snapshot(amdb_t *db, store_t *store, const char *const *tables, bl_buf_t *out)
{
    static const char *const sys[] = {
        AMDB_SYS_TABLES,         AMDB_SYS_CONSENSUS,  AMDB_SYS_TABLE_ACCESS,
        AMDB_SYS_CURRENT_STATE,  AMDB_SYS_NUMBER_2_HASH, AMDB_SYS_TX_HASH_2_BLOCK,
        AMDB_SYS_HASH_2_BLOCK,   AMDB_SYS_CNS,        AMDB_SYS_CONFIG,
        AMDB_SYS_BLOCK_2_NONCES,
    };

    bl_buf_clear(out);
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        snapshot_table(db, store, sys[i], out);
    for (size_t i = 0; tables != NULL && tables[i] != NULL; i++)
        snapshot_table(db, store, tables[i], out);
}
