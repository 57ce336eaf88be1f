/*
 * test_amdb_hash.c — dbHash (FISCO facts §6.6) and the determinism it stands on.
 *
 * Pins down: dbHash is 32 zero bytes when no consensus table changed — writes to the
 * bookkeeping tables (_sys_current_state_, _sys_tx_hash_2_block_, ...) never count; it changes
 * with every change to a consensus table and comes back when the change is reverted; it is
 * exactly the recipe of §6.6, recomputed here by hand with Keccak-256 (and SM3 on an SM chain):
 * per table the updated rows then the new rows, each sorted, "name‖value" of the fields that
 * neither start nor end with '_', one status byte per row; tables in name order. And the same
 * writes give the same ids, rows and dbHash on every backend.
 */
#include "amdbutil.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a group on a backend ---- */

/* backend: memory, rocksdb, sqlite, or cache:<one of those> (a tiny 8 KB cache). */
static void
group_open(tu_group_t *g, const char *backend, const suite_t *suite)
{
    memset(g, 0, sizeof *g);
    g->backend = backend;
    g->cache_bytes = 8192;
    if (tu_group_open(g, suite) != BL_OK)
        fail_msg("cannot open a %s group: %s", backend, bl_errmsg());
}

/* Insert a row given as field, value, field, value, ..., NULL. */
static void
insert_row(table_t *t, const char *key, ...)
{
    entry_t e;
    va_list ap;
    const char *field;

    entry_init(&e);
    va_start(ap, key);
    while ((field = va_arg(ap, const char *)) != NULL)
        entry_set_str(&e, field, va_arg(ap, const char *));
    va_end(ap);
    if (table_insert(t, key, &e) != BL_OK)
        fail_msg("insert %s: %s", key, bl_errmsg());
    entry_free(&e);
}

static void
update_field(table_t *t, const char *key, const char *field, const char *value,
             const condition_t *c)
{
    entry_t e;

    entry_init(&e);
    entry_set_str(&e, field, value);
    if (table_update(t, key, &e, c, NULL) != BL_OK)
        fail_msg("update %s: %s", key, bl_errmsg());
    entry_free(&e);
}

static void
hash_of(tu_group_t *g, uint8_t out[32])
{
    assert_int_equal(amdb_hash(g->db, out), BL_OK);
}

static void
assert_zero_hash(tu_group_t *g)
{
    uint8_t h[32], zero[32] = { 0 };

    hash_of(g, h);
    assert_memory_equal(h, zero, 32);
}

/* ---- dbHash rules ---- */

/* No consensus table changed: dbHash is all zero (MemoryTableFactory2::hash, "data.empty()"). */
static void
amdb_dbhash_is_zero_without_consensus_changes(void **state)
{
    tu_group_t g;
    table_t *t;
    condition_t c;
    size_t mark;

    (void)state;
    group_open(&g, "memory", suite_ecdsa());
    assert_zero_hash(&g);
    insert_row(tu_open_table(g.db, AMDB_SYS_TX_HASH_2_BLOCK), "ab12", "value", "1", "index", "0", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_CURRENT_STATE), AMDB_KEY_CURRENT_NUMBER, "value", "1", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_HASH_2_BLOCK), "cd34", "value", "block", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_BLOCK_2_NONCES), "1", "value", "nonces", NULL);
    assert_true(amdb_dirty(g.db));
    assert_zero_hash(&g);
    /* a consensus-table write that is undone again, and one that matches no row */
    mark = amdb_savepoint(g.db);
    assert_int_equal(amdb_create_table(g.db, "t", "k", "v", &t), BL_OK);
    assert_int_equal(amdb_revert(g.db, mark), BL_OK);
    condition_init(&c);
    condition_add(&c, "value", COND_EQ, "nothing");
    update_field(tu_open_table(g.db, AMDB_SYS_CONFIG), "tx_count_limit", "value", "1", &c);
    condition_free(&c);
    assert_zero_hash(&g);
    assert_int_equal(amdb_commit(g.db, 1), BL_OK);
    assert_zero_hash(&g);
    tu_group_close(&g);
}

/* Compare dbHash now with *prev: it must have moved or not, as said; then remember it. */
static void
expect_hash(tu_group_t *g, uint8_t prev[32], bool moved, const char *after)
{
    uint8_t now[32];

    hash_of(g, now);
    if ((memcmp(prev, now, 32) != 0) != moved)
        fail_msg("dbHash %s after %s", moved ? "did not change" : "changed", after);
    memcpy(prev, now, 32);
}

/* dbHash moves with every consensus-table change, stays put for the others, and a revert
 * brings back exactly the hash of the savepoint. */
static void
amdb_dbhash_changes_exactly_when_a_consensus_table_changes(void **state)
{
    tu_group_t g;
    uint8_t h[32], at_mark[32];
    table_t *config, *tx, *user;
    size_t mark;

    (void)state;
    group_open(&g, "memory", suite_ecdsa());
    config = tu_open_table(g.db, AMDB_SYS_CONFIG);
    tx = tu_open_table(g.db, AMDB_SYS_TX_HASH_2_BLOCK);
    insert_row(config, "tx_count_limit", "value", "1000", "enable_num", "0", NULL);
    assert_int_equal(amdb_commit(g.db, 1), BL_OK);
    hash_of(&g, h);
    insert_row(tx, "aa", "value", "1", "index", "0", NULL);
    expect_hash(&g, h, false, "a _sys_tx_hash_2_block_ insert");
    update_field(config, "tx_count_limit", "value", "2000", NULL);
    expect_hash(&g, h, true, "a _sys_config_ update");
    update_field(config, "tx_count_limit", "value", "3000", NULL);
    expect_hash(&g, h, true, "a second _sys_config_ update");
    memcpy(at_mark, h, 32);
    mark = amdb_savepoint(g.db);
    assert_int_equal(amdb_create_table(g.db, "u", "k", "v,w_", &user), BL_OK);
    expect_hash(&g, h, true, "createTable (a _sys_tables_ row)");
    insert_row(user, "k1", "v", "1", NULL);
    expect_hash(&g, h, true, "a u_u insert");
    update_field(user, "k1", "w_", "not hashed", NULL);
    expect_hash(&g, h, false, "an update of a field ending in '_'");
    assert_int_equal(table_remove(user, "k1", NULL, NULL), BL_OK);
    expect_hash(&g, h, true, "a remove (status byte 1)");
    insert_row(tu_open_table(g.db, AMDB_SYS_CURRENT_STATE), AMDB_KEY_TOTAL_TX, "value", "5", NULL);
    expect_hash(&g, h, false, "a _sys_current_state_ insert");
    assert_int_equal(amdb_revert(g.db, mark), BL_OK);
    hash_of(&g, h);
    assert_memory_equal(h, at_mark, 32);
    tu_group_close(&g);
}

/* ---- the recipe by hand ---- */

/* Append "name‖value" pairs (NULL-terminated) and a status byte: one row's bytes in §6.6. */
static void
row_bytes(bl_buf_t *b, uint8_t status, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, status);
    while ((s = va_arg(ap, const char *)) != NULL)
        bl_buf_append(b, s, strlen(s));
    va_end(ap);
    bl_buf_push(b, status);
}

/* Hash each table's bytes, concatenate the table hashes in the order given, hash that. */
static void
db_hash(void (*hash)(const void *, size_t, uint8_t[32]), const bl_buf_t *tables, size_t n,
        uint8_t out[32])
{
    bl_buf_t all = BL_BUF_INIT;
    uint8_t h[32];

    for (size_t i = 0; i < n; i++) {
        hash(tables[i].data, tables[i].len, h);
        bl_buf_append(&all, h, 32);
    }
    hash(all.data, all.len, out);
    bl_buf_free(&all);
}

static void
assert_block_hash(tu_group_t *g, void (*hash)(const void *, size_t, uint8_t[32]),
                  bl_buf_t *tables, size_t n)
{
    uint8_t want[32], got[32];

    db_hash(hash, tables, n, want);
    hash_of(g, got);
    assert_memory_equal(got, want, 32);
    for (size_t i = 0; i < n; i++)
        bl_buf_free(&tables[i]);
}

/* Block 1: one new _sys_config_ row — fields in name order, status 0. */
static void
recipe_block_1(tu_group_t *g, void (*hash)(const void *, size_t, uint8_t[32]))
{
    bl_buf_t t[1] = { BL_BUF_INIT };

    insert_row(tu_open_table(g->db, AMDB_SYS_CONFIG), "tx_count_limit", "value", "1000", "enable_num", "0",
               NULL);
    insert_row(tu_open_table(g->db, AMDB_SYS_CURRENT_STATE), AMDB_KEY_CURRENT_NUMBER, "value", "1", NULL);
    row_bytes(&t[0], 0, "enable_num", "0", "key", "tx_count_limit", "value", "1000", NULL);
    assert_block_hash(g, hash, t, 1);
}

static void
amdb_dbhash_follows_the_recipe(void **state)
{
    tu_group_t g;
    bl_buf_t t[3] = { BL_BUF_INIT, BL_BUF_INIT, BL_BUF_INIT };
    table_t *user;
    condition_t c;

    (void)state;
    group_open(&g, "memory", suite_ecdsa());
    recipe_block_1(&g, keccak256);
    assert_int_equal(amdb_commit(g.db, 1), BL_OK); /* the config row is _id_ 100001 */

    /* Block 2: an updated row (before the new ones), a new row; in _sys_consensus_ two new rows
     * of one key, inserted observer first but sorted by field values ("0" < "1"). Tables in
     * name order: "_sys_config_" < "_sys_consensus_". */
    update_field(tu_open_table(g.db, AMDB_SYS_CONFIG), "tx_count_limit", "value", "2000", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_CONFIG), "consensus_timeout", "value", "3", "enable_num",
               "1", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_CONSENSUS), "node", "type", "observer", "node_id", "cd",
               "enable_num", "1", NULL);
    insert_row(tu_open_table(g.db, AMDB_SYS_CONSENSUS), "node", "type", "sealer", "node_id", "ab",
               "enable_num", "0", NULL);
    row_bytes(&t[0], 0, "enable_num", "0", "key", "tx_count_limit", "value", "2000", NULL);
    row_bytes(&t[0], 0, "enable_num", "1", "key", "consensus_timeout", "value", "3", NULL);
    row_bytes(&t[1], 0, "enable_num", "0", "name", "node", "node_id", "ab", "type", "sealer",
              NULL);
    row_bytes(&t[1], 0, "enable_num", "1", "name", "node", "node_id", "cd", "type", "observer",
              NULL);
    assert_block_hash(&g, keccak256, t, 2);
    assert_int_equal(amdb_commit(g.db, 2), BL_OK);

    /* Block 3: a removed row hashes with status 1; createTable writes _sys_tables_; in u_t the
     * field "note_" ends with '_' and is not hashed. "_sys_config_" < "_sys_tables_" < "u_t". */
    condition_init(&c);
    condition_add(&c, "value", COND_EQ, "3");
    assert_int_equal(table_remove(tu_open_table(g.db, AMDB_SYS_CONFIG), "consensus_timeout", &c, NULL),
                     BL_OK);
    condition_free(&c);
    assert_int_equal(amdb_create_table(g.db, "t", "k", "v,note_", &user), BL_OK);
    insert_row(user, "a", "v", "1", "note_", "x", NULL);
    row_bytes(&t[0], 1, "enable_num", "1", "key", "consensus_timeout", "value", "3", NULL);
    row_bytes(&t[1], 0, "key_field", "k", "table_name", "u_t", "value_field", "v,note_", NULL);
    row_bytes(&t[2], 0, "k", "a", "v", "1", NULL);
    assert_block_hash(&g, keccak256, t, 3);
    tu_group_close(&g);
}

/* dbHash uses the chain's hash: SM3 on an SM chain (crypto::Hash, FISCO 2.5+). */
static void
amdb_dbhash_uses_the_chain_hash(void **state)
{
    tu_group_t g;

    (void)state;
    group_open(&g, "memory", suite_sm());
    recipe_block_1(&g, hash_sm3);
    tu_group_close(&g);
}

/* One block's new rows are numbered tables by name, then in dbHash order: by key, then by
 * field values — not in insertion order (MemoryTableFactory2::commitDB after dump()). */
static void
amdb_commit_numbers_new_rows_in_dbhash_order(void **state)
{
    tu_group_t g;
    table_t *t;
    entries_t rows;

    (void)state;
    group_open(&g, "memory", suite_ecdsa());
    assert_int_equal(amdb_create_table(g.db, "t", "k", "v", &t), BL_OK);
    insert_row(t, "z", "v", "1", NULL);
    insert_row(t, "a", "v", "b", NULL);
    insert_row(t, "a", "v", "a", NULL);
    assert_int_equal(amdb_commit(g.db, 1), BL_OK);
    entries_init(&rows);
    assert_int_equal(table_select(t, "a", NULL, &rows), BL_OK);
    assert_int_equal(table_select(t, "z", NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 3);
    assert_true(entry_field_is(&rows.items[0], "v", "a"));
    assert_int_equal(rows.items[0].id, 100002); /* 100001: u_t's row in _sys_tables_ */
    assert_int_equal(rows.items[1].id, 100003);
    assert_int_equal(rows.items[2].id, 100004);
    entries_free(&rows);
    tu_group_close(&g);
}

/* ---- the same writes on every backend ---- */

static const char *const script_tables[] = { "u_a", "u_b", AMDB_SYS_CONFIG,
                                             "c_00000000000000000000000000000000000000c0",
                                             AMDB_SYS_TX_HASH_2_BLOCK };

/* One random write to one of the script's tables. */
static void
script_write(tu_group_t *g, bl_rng_t *rng, int64_t block)
{
    const char *name = script_tables[bl_rng_below(rng, COUNT(script_tables))];
    table_t *t = tu_open_table(g->db, name);
    const table_info_t *info = table_info(t);
    const char *field = info->value_fields[0];
    char key[16], value[24];
    condition_t c;

    snprintf(key, sizeof key, "k%d", (int)bl_rng_below(rng, 5));
    snprintf(value, sizeof value, "%lld", (long long)bl_rng_below(rng, 50) - 10 + block);
    condition_init(&c);
    switch (bl_rng_below(rng, 4)) {
    case 0:
    case 1:
        insert_row(t, key, field, value, NULL);
        break;
    case 2:
        condition_add(&c, field, COND_GT, "20");
        condition_set_limit(&c, bl_rng_below(rng, 2), 2);
        update_field(t, key, field, value, &c);
        break;
    default:
        condition_add(&c, field, COND_LE, value);
        assert_int_equal(table_remove(t, key, &c, NULL), BL_OK);
        break;
    }
    condition_free(&c);
}

/* Run the script; append each block's dbHash and, at the end, every row to out. */
static void
run_script(const char *backend, bl_buf_t *out)
{
    tu_group_t g;
    bl_rng_t rng;
    uint8_t h[32];
    table_t *t;

    bl_rng_seed(&rng, 42);
    group_open(&g, backend, suite_ecdsa());
    assert_int_equal(amdb_create_table(g.db, "a", "key", "x,y", &t), BL_OK);
    assert_int_equal(amdb_create_table(g.db, "b", "id", "n", &t), BL_OK);
    for (int64_t b = 1; b <= 40; b++) {
        size_t mark = 0, writes = 1 + bl_rng_below(&rng, 12);

        for (size_t w = 0; w < writes; w++) {
            if (w == writes / 2)
                mark = amdb_savepoint(g.db);
            script_write(&g, &rng, b);
        }
        if (bl_rng_below(&rng, 3) == 0)
            assert_int_equal(amdb_revert(g.db, mark), BL_OK); /* a failed transaction */
        hash_of(&g, h);
        bl_buf_append(out, h, 32);
        if (bl_rng_below(&rng, 8) == 0)
            amdb_rollback(g.db); /* a block consensus dropped */
        else
            assert_int_equal(amdb_commit(g.db, b), BL_OK);
    }
    for (size_t i = 0; i < COUNT(script_tables); i++) {
        t = tu_open_table(g.db, script_tables[i]);
        for (int k = 0; k < 5; k++) {
            char key[16];
            entries_t rows;

            snprintf(key, sizeof key, "k%d", k);
            entries_init(&rows);
            assert_int_equal(table_select(t, key, NULL, &rows), BL_OK);
            for (size_t r = 0; r < rows.count; r++)
                entry_encode(&rows.items[r], out); /* with _id_ and _num_ */
            entries_free(&rows);
        }
    }
    tu_group_close(&g);
}

static void
amdb_same_writes_give_same_ids_rows_and_dbhash_on_every_backend(void **state)
{
    static const char *const backends[] = { "memory", "rocksdb", "sqlite", "cache:memory",
                                            "cache:sqlite" };
    bl_buf_t first = BL_BUF_INIT, other = BL_BUF_INIT;
    uint8_t zero[32] = { 0 };
    size_t nonzero = 0;

    (void)state;
    run_script(backends[0], &first);
    for (size_t b = 0; b < 40; b++)
        nonzero += memcmp(first.data + 32 * b, zero, 32) != 0;
    assert_true(nonzero > 20); /* the script really changes consensus tables */
    assert_true(first.len > 40 * 32 + 500);
    for (size_t i = 1; i < COUNT(backends); i++) {
        bl_buf_clear(&other);
        run_script(backends[i], &other);
        if (other.len != first.len || memcmp(other.data, first.data, first.len) != 0)
            fail_msg("backend %s differs from %s", backends[i], backends[0]);
    }
    bl_buf_free(&first);
    bl_buf_free(&other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amdb_dbhash_is_zero_without_consensus_changes),
        cmocka_unit_test(amdb_dbhash_changes_exactly_when_a_consensus_table_changes),
        cmocka_unit_test(amdb_dbhash_follows_the_recipe),
        cmocka_unit_test(amdb_dbhash_uses_the_chain_hash),
        cmocka_unit_test(amdb_commit_numbers_new_rows_in_dbhash_order),
        cmocka_unit_test(amdb_same_writes_give_same_ids_rows_and_dbhash_on_every_backend),
    };

    return cmocka_run_group_tests_name("amdb_hash", tests, tu_setup_dir, tu_teardown_dir);
}
