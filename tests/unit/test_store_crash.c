/*
 * test_store_crash.c — a block of table writes survives a crash whole or not at all.
 *
 * FISCO commits a block's change set to its backend in one write (§6.4); if the node dies in
 * the middle, the reopened store must hold the previous block or this one, never a mixture —
 * otherwise the node would restart on a state no other node ever had. This test crashes for
 * real: a writer process commits blocks through the table layer (amdb_commit) as fast as it
 * can, and the test kills it with SIGKILL at random moments, reopens the store and checks it.
 *
 * Block i writes the same shape every time, with every value naming i:
 *   u_crash_a  keys k0..k9: all rows removed, two new rows inserted (v = a-i-j-0, a-i-j-1)
 *   u_crash_b  keys k0..k9: the one row updated (v = b-i-j)
 *   c_<addr>   keys slot0..slot4 (a contract table): value = c-i-j
 *   _sys_config_            crash_block = i            (a consensus table)
 *   _sys_tx_hash_2_block_   a new key tx<i> = i        (so rows accumulate block by block)
 *   _sys_current_state_     current_number = i
 * That is 58 row changes over six tables. After a kill the test reads current_number = n and
 * checks that every row is exactly block n's (and tx1..txn exist, tx<n+1> does not), that n is
 * at least the last block the writer reported committed, and at most one more (the block in
 * flight may or may not have landed).
 *
 * The harness (crashutil.h, shared with test_kv_crash.c) starts the writer, kills it, checks n
 * against what the writer reported through its pipe and prints the statistics; this file says
 * what a block writes and what a store at block n must hold. The kill delays come from a seed
 * printed at the start (BL_SEED=<n> repeats them).
 */
#include "amdbutil.h"
#include "crashutil.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define KILLS 22
#define MAX_DELAY_US 25000
#define CONTRACT "c_00000000000000000000000000000000000c4a54"

/* ---- opening a group on a backend ---- */

static int
group_open(const char *backend, const char *path, tu_group_t *g)
{
    memset(g, 0, sizeof *g);
    g->backend = backend;
    snprintf(g->path, sizeof g->path, "%s", path);
    return tu_group_open(g, suite_ecdsa());
}

/* ---- the writer (a separate process) ---- */

/* The rows of key, or BL_E_NOTFOUND if the table does not exist yet. */
static int
select_rows(amdb_t *db, const char *table, const char *key, entries_t *out)
{
    table_t *t;
    int rc = amdb_open_table(db, table, &t);

    return rc < 0 ? rc : table_select(t, key, NULL, out);
}

/* current_number, or 0 in a new group. */
static int
read_number(amdb_t *db, uint64_t *n)
{
    entries_t rows;
    const bl_buf_t *v;
    int rc;

    char text[24];

    entries_init(&rows);
    rc = select_rows(db, AMDB_SYS_CURRENT_STATE, AMDB_KEY_CURRENT_NUMBER, &rows);
    *n = 0;
    if (rc == 0 && rows.count == 1 && (v = entry_get(&rows.items[0], "value")) != NULL &&
        v->len > 0 && v->len < sizeof text) {
        memcpy(text, v->data, v->len);
        text[v->len] = '\0';
        *n = strtoull(text, NULL, 10);
    } else if (rc == 0 && rows.count != 0) {
        rc = bl_fail(BL_E_FORMAT, "%zu current_number rows, or a bad value", rows.count);
    }
    entries_free(&rows);
    return rc;
}

/* Set field = value in the rows of key, inserting a row if there is none. */
static int
put(amdb_t *db, const char *table, const char *key, const char *field, const char *value)
{
    table_t *t;
    entry_t e;
    size_t n = 0;
    int rc = amdb_open_table(db, table, &t);

    entry_init(&e);
    entry_set_str(&e, field, value);
    if (rc == 0)
        rc = table_update(t, key, &e, NULL, &n);
    if (rc == 0 && n == 0)
        rc = table_insert(t, key, &e);
    entry_free(&e);
    return rc;
}

static int
write_crash_a(amdb_t *db, uint64_t i)
{
    table_t *t;
    int rc = amdb_open_table(db, "u_crash_a", &t);

    for (int j = 0; rc == 0 && j < 10; j++) {
        char key[16], v[48], b[24];

        snprintf(key, sizeof key, "k%d", j);
        snprintf(b, sizeof b, "%llu", (unsigned long long)i);
        rc = table_remove(t, key, NULL, NULL);
        for (int r = 0; rc == 0 && r < 2; r++) {
            entry_t e;

            snprintf(v, sizeof v, "a-%llu-%d-%d", (unsigned long long)i, j, r);
            entry_init(&e);
            entry_set_str(&e, "v", v);
            entry_set_str(&e, "b", b);
            rc = table_insert(t, key, &e);
            entry_free(&e);
        }
    }
    return rc;
}

static int
write_block(amdb_t *db, uint64_t i)
{
    char key[16], v[48];
    int rc = 0;

    if (i == 1)
        rc = amdb_create_table(db, "crash_a", "k", "v,b", NULL);
    if (rc == 0 && i == 1)
        rc = amdb_create_table(db, "crash_b", "k", "v", NULL);
    if (rc == 0)
        rc = write_crash_a(db, i);
    for (int j = 0; rc == 0 && j < 10; j++) {
        snprintf(key, sizeof key, "k%d", j);
        snprintf(v, sizeof v, "b-%llu-%d", (unsigned long long)i, j);
        rc = put(db, "u_crash_b", key, "v", v);
    }
    for (int j = 0; rc == 0 && j < 5; j++) {
        snprintf(key, sizeof key, "slot%d", j);
        snprintf(v, sizeof v, "c-%llu-%d", (unsigned long long)i, j);
        rc = put(db, CONTRACT, key, "value", v);
    }
    snprintf(v, sizeof v, "%llu", (unsigned long long)i);
    snprintf(key, sizeof key, "tx%llu", (unsigned long long)i);
    if (rc == 0)
        rc = put(db, AMDB_SYS_CONFIG, "crash_block", "value", v);
    if (rc == 0)
        rc = put(db, AMDB_SYS_TX_HASH_2_BLOCK, key, "value", v);
    if (rc == 0)
        rc = put(db, AMDB_SYS_CURRENT_STATE, AMDB_KEY_CURRENT_NUMBER, "value", v);
    return rc;
}

/* Open, report the last committed block (this also says "ready"), then commit blocks until
 * killed. Started by the harness as a separate process (see crashutil.h). */
static int
run_writer(const char *backend, const char *path, int fd)
{
    tu_group_t g;
    uint64_t n;
    uint8_t h[32];

    if (group_open(backend, path, &g) != BL_OK || read_number(g.db, &n) != BL_OK) {
        fprintf(stderr, "writer: %s\n", bl_errmsg());
        return 2;
    }
    tu_crash_committed(fd, n);
    for (uint64_t i = n + 1;; i++) {
        if (write_block(g.db, i) != BL_OK || amdb_hash(g.db, h) != BL_OK) {
            fprintf(stderr, "writer: block %llu: %s\n", (unsigned long long)i, bl_errmsg());
            return 2;
        }
        tu_crash_starting(fd, i);
        if (amdb_commit(g.db, (int64_t)i) != BL_OK) {
            fprintf(stderr, "writer: commit %llu: %s\n", (unsigned long long)i, bl_errmsg());
            return 2;
        }
        tu_crash_committed(fd, i);
    }
}

/* ---- checking a store after a kill ---- */

/* The one value of field in the rows of key must be want (want NULL: no rows at all). */
static void
assert_value(amdb_t *db, const char *table, const char *key, const char *field,
             const char *want, uint64_t n)
{
    entries_t rows;

    entries_init(&rows);
    assert_int_equal(select_rows(db, table, key, &rows), BL_OK);
    if (want == NULL) {
        if (rows.count != 0)
            fail_msg("block %llu: %s %s has a row of a later block",
                     (unsigned long long)n, table, key);
    } else if (rows.count != 1 || !entry_field_is(&rows.items[0], field, want) ||
               rows.items[0].num < 1 || (uint64_t)rows.items[0].num > n) {
        fail_msg("block %llu: %s %s: %zu rows, want one with %s = %s", (unsigned long long)n,
                 table, key, rows.count, field, want);
    }
    entries_free(&rows);
}

static void
assert_crash_a(amdb_t *db, uint64_t n)
{
    for (int j = 0; j < 10; j++) {
        char key[16], v[48];
        entries_t rows;

        snprintf(key, sizeof key, "k%d", j);
        entries_init(&rows);
        assert_int_equal(select_rows(db, "u_crash_a", key, &rows), BL_OK);
        if (rows.count != 2)
            fail_msg("block %llu: u_crash_a %s has %zu rows, want 2", (unsigned long long)n, key,
                     rows.count);
        for (int r = 0; r < 2; r++) {
            snprintf(v, sizeof v, "a-%llu-%d-%d", (unsigned long long)n, j, r);
            if (!entry_field_is(&rows.items[r], "v", v) || (uint64_t)rows.items[r].num != n)
                fail_msg("block %llu: u_crash_a %s row %d is not block %llu's",
                         (unsigned long long)n, key, r, (unsigned long long)n);
        }
        entries_free(&rows);
    }
}

/* Every row is exactly block n's. */
static void
assert_exactly_block(amdb_t *db, uint64_t n)
{
    char key[16], v[48];
    table_t *t;

    if (n == 0) { /* not even block 1 landed: its tables do not exist */
        assert_int_equal(amdb_open_table(db, "u_crash_a", &t), BL_E_NOTFOUND);
        assert_value(db, AMDB_SYS_CONFIG, "crash_block", "value", NULL, n);
        return;
    }
    assert_crash_a(db, n);
    for (int j = 0; j < 10; j++) {
        snprintf(key, sizeof key, "k%d", j);
        snprintf(v, sizeof v, "b-%llu-%d", (unsigned long long)n, j);
        assert_value(db, "u_crash_b", key, "v", v, n);
    }
    for (int j = 0; j < 5; j++) {
        snprintf(key, sizeof key, "slot%d", j);
        snprintf(v, sizeof v, "c-%llu-%d", (unsigned long long)n, j);
        assert_value(db, CONTRACT, key, "value", v, n);
    }
    snprintf(v, sizeof v, "%llu", (unsigned long long)n);
    assert_value(db, AMDB_SYS_CONFIG, "crash_block", "value", v, n);
    for (uint64_t i = 1; i <= n + 1; i++) {
        snprintf(key, sizeof key, "tx%llu", (unsigned long long)i);
        snprintf(v, sizeof v, "%llu", (unsigned long long)i);
        assert_value(db, AMDB_SYS_TX_HASH_2_BLOCK, key, "value", i <= n ? v : NULL, n);
    }
}

/* Reopen after a kill, check, return the block the store is at. */
static uint64_t
check_store(const char *backend, const char *path)
{
    tu_group_t g;
    uint64_t n;

    if (group_open(backend, path, &g) != BL_OK)
        fail_msg("reopening after the kill failed: %s", bl_errmsg());
    assert_int_equal(read_number(g.db, &n), BL_OK);
    assert_exactly_block(g.db, n);
    tu_group_close(&g);
    return n;
}

static void
sigkill_test(const char *backend, const char *file)
{
    const tu_crash_test_t c = { .backend = backend, .file = file, .unit = "block",
                                .units = "blocks", .kills = KILLS,
                                .max_delay_us = MAX_DELAY_US, .check = check_store };

    assert_true(tu_crash_run(&c).committed > 0);
}

/* RocksDB (store_kv.c): the block is one WriteBatch, one WAL record. */
static void
amdb_block_is_all_or_nothing_after_sigkill_rocksdb(void **state)
{
    (void)state;
    sigkill_test("rocksdb", "crash-rocksdb");
}

/* SQLite (store_sqlite.c): the block is one transaction. */
static void
amdb_block_is_all_or_nothing_after_sigkill_sqlite(void **state)
{
    (void)state;
    sigkill_test("sqlite", "crash.db");
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amdb_block_is_all_or_nothing_after_sigkill_rocksdb),
        cmocka_unit_test(amdb_block_is_all_or_nothing_after_sigkill_sqlite),
    };

    tu_crash_init(argc, argv, "store_crash", run_writer);
    return cmocka_run_group_tests_name("store_crash", tests, tu_setup_dir, tu_teardown_dir);
}
