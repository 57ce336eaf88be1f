/*
 * test_store.c — the store contract (store.h), the same tests on every backend.
 *
 * Pins down what the table layer relies on from a store, whichever one a group uses (FISCO
 * facts §6.4, §6.5): a table never written has no rows; select returns a key's live rows in
 * _id_ order; a changed row replaces the row with its _id_ and a deleted one removes it (no
 * history is kept); keys() lists live keys bytewise; a commit the store refuses changes
 * nothing, not even the valid part of the block; a reopened store has every committed block;
 * and random blocks leave every backend exactly where a simple model says.
 *
 * The read cache (store_cache.c, FISCO's CachedStorage) runs all of that too, in front of each
 * backend, and has its own tests: it never returns a row the store no longer has, a cache
 * smaller than the data evicts and still answers right, and tables without enable_cache are
 * not cached.
 *
 * main() registers every test once per backend, named <rule>_<backend>.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "storage/kv.h"
#include "storage/store.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char backends[][24] = { "kv:memory", "kv:rocksdb", "sqlite",
                               "cache:kv:memory", "cache:kv:rocksdb", "cache:sqlite" };

/* ---- a fresh store per test ---- */

typedef struct {
    const char *backend;
    char path[512];
    kv_t *kv;
    store_t *store;
} fixture_t;

/* The backend under an optional "cache:" prefix. */
static const char *
base_backend(const char *backend)
{
    return strncmp(backend, "cache:", 6) == 0 ? backend + 6 : backend;
}

static int
fixture_open(fixture_t *f, size_t cache_bytes)
{
    const char *base = base_backend(f->backend);
    store_t *inner = NULL;
    int rc;

    if (strcmp(base, "sqlite") == 0) {
        rc = store_sqlite_open(f->path, &inner);
    } else {
        rc = kv_open(base + 3, f->path, &f->kv);
        if (rc == 0)
            rc = store_kv_open(f->kv, &inner);
    }
    if (rc == 0 && base != f->backend)
        rc = store_cache_open(inner, cache_bytes, &f->store);
    else
        f->store = inner;
    return rc;
}

static void
fixture_close(fixture_t *f)
{
    store_close(f->store);
    kv_close(f->kv);
    f->store = NULL;
    f->kv = NULL;
}

static int
setup(void **state)
{
    static int made;
    fixture_t *f = bl_xcalloc(1, sizeof *f);

    f->backend = *state;
    snprintf(f->path, sizeof f->path, "%s/%d-%s", tu_dir, ++made, base_backend(f->backend));
    if (fixture_open(f, 1 << 20) != BL_OK) {
        print_error("cannot open a %s store: %s\n", f->backend, bl_errmsg());
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    fixture_close(f);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static void
demo_info(table_info_t *t, bool cache)
{
    table_info_init(t, "u_demo", "name", "item,price", true, cache);
}

static void
add_row(entries_t *rows, int64_t id, int64_t num, const char *name, const char *item,
        const char *price, entry_status_t status)
{
    entry_t e;

    entry_init(&e);
    e.id = id;
    e.num = num;
    e.status = status;
    entry_set_str(&e, "name", name);
    entry_set_str(&e, "item", item);
    entry_set_str(&e, "price", price);
    entries_take(rows, &e);
}

/* Commit one block of rows to one table. */
static int
commit_rows(store_t *s, int64_t number, const table_info_t *t, entries_t *rows)
{
    table_change_t c = { t, *rows };
    int rc = store_commit(s, number, &c, 1);

    entries_free(rows);
    return rc;
}

/* "id:item,id:item" for the rows of a key, to compare in one line. */
static char *
describe(store_t *s, const table_info_t *t, const char *key)
{
    entries_t rows;
    bl_buf_t out = BL_BUF_INIT;
    char one[128];

    entries_init(&rows);
    if (store_select(s, t, key, &rows) != BL_OK)
        fail_msg("select %s failed: %s", key, bl_errmsg());
    for (size_t i = 0; i < rows.count; i++) {
        const bl_buf_t *item = entry_get(&rows.items[i], "item");

        snprintf(one, sizeof one, "%s%lld:%.*s", i ? "," : "", (long long)rows.items[i].id,
                 item ? (int)item->len : 1, item ? (const char *)item->data : "?");
        bl_buf_append(&out, one, strlen(one));
    }
    bl_buf_push(&out, 0);
    entries_free(&rows);
    return (char *)out.data;
}

static void
assert_rows(store_t *s, const table_info_t *t, const char *key, const char *want)
{
    char *got = describe(s, t, key);

    if (strcmp(got, want) != 0)
        fail_msg("key %s: got \"%s\", want \"%s\"", key, got, want);
    free(got);
}

/* ---- the contract ---- */

static void
store_table_never_written_has_no_rows(void **state)
{
    fixture_t *f = *state;
    table_info_t t;

    demo_info(&t, true);
    assert_rows(f->store, &t, "alice", "");
    assert_rows(f->store, &t, "alice", ""); /* twice: the cache must remember "empty" right */
    table_info_free(&t);
}

/* A key holds many rows (the primary key is not unique, §6.1), returned in _id_ order. */
static void
store_select_returns_rows_of_a_key_in_id_order(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    entries_t rows;

    demo_info(&t, true);
    entries_init(&rows);
    add_row(&rows, 100005, 1, "alice", "pear", "5", ENTRY_NORMAL);
    add_row(&rows, 100002, 1, "alice", "apple", "2", ENTRY_NORMAL);
    add_row(&rows, 100003, 1, "bob", "fig", "3", ENTRY_NORMAL);
    add_row(&rows, 100004, 1, "alice", "kiwi", "4", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 1, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100002:apple,100004:kiwi,100005:pear");
    assert_rows(f->store, &t, "bob", "100003:fig");
    /* select appends: what was in the list stays */
    entries_init(&rows);
    add_row(&rows, 1, 0, "x", "y", "z", ENTRY_NORMAL);
    assert_int_equal(store_select(f->store, &t, "bob", &rows), BL_OK);
    assert_int_equal(rows.count, 2);
    assert_int_equal(rows.items[1].id, 100003);
    assert_int_equal(rows.items[1].num, 1);
    assert_true(entry_field_is(&rows.items[1], "price", "3"));
    entries_free(&rows);
    table_info_free(&t);
}

/* Table storage keeps no history: a row with a known _id_ replaces it, a deleted one goes. */
static void
store_commit_replaces_by_id_and_deletes_by_status(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    entries_t rows;

    demo_info(&t, true);
    entries_init(&rows);
    add_row(&rows, 100001, 1, "alice", "apple", "1", ENTRY_NORMAL);
    add_row(&rows, 100002, 1, "alice", "pear", "2", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 1, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100001:apple,100002:pear");
    add_row(&rows, 100001, 2, "alice", "APPLE", "10", ENTRY_NORMAL);
    add_row(&rows, 100002, 2, "alice", "pear", "2", ENTRY_DELETED);
    add_row(&rows, 100003, 2, "alice", "plum", "3", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 2, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100001:APPLE,100003:plum");
    entries_init(&rows);
    assert_int_equal(store_select(f->store, &t, "alice", &rows), BL_OK);
    assert_int_equal(rows.items[0].num, 2);
    assert_int_equal(rows.items[0].status, ENTRY_NORMAL);
    assert_true(entry_field_is(&rows.items[0], "price", "10"));
    entries_free(&rows);
    /* deleting every row of a key leaves no trace of the key; deleting twice is harmless */
    add_row(&rows, 100001, 3, "alice", "", "", ENTRY_DELETED);
    add_row(&rows, 100003, 3, "alice", "", "", ENTRY_DELETED);
    add_row(&rows, 100003, 3, "alice", "", "", ENTRY_DELETED);
    assert_int_equal(commit_rows(f->store, 3, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "");
    table_info_free(&t);
}

typedef struct {
    char keys[16][16];
    size_t count;
    size_t stop_after;
} keys_seen_t;

static int
see_key(void *arg, const char *key)
{
    keys_seen_t *k = arg;

    snprintf(k->keys[k->count++], sizeof k->keys[0], "%s", key);
    return k->stop_after != 0 && k->count == k->stop_after;
}

/* keys() visits live keys bytewise ("B" < "a" < "ab" < "b"), the same on every backend. */
static void
store_keys_are_live_and_bytewise_ordered(void **state)
{
    fixture_t *f = *state;
    table_info_t t, other;
    entries_t rows;
    keys_seen_t seen = { .count = 0 };

    demo_info(&t, true);
    table_info_init(&other, "u_other", "name", "item,price", true, true);
    entries_init(&rows);
    add_row(&rows, 100001, 1, "b", "1", "", ENTRY_NORMAL);
    add_row(&rows, 100002, 1, "ab", "2", "", ENTRY_NORMAL);
    add_row(&rows, 100003, 1, "B", "3", "", ENTRY_NORMAL);
    add_row(&rows, 100004, 1, "a", "4", "", ENTRY_NORMAL);
    add_row(&rows, 100005, 1, "gone", "5", "", ENTRY_NORMAL);
    add_row(&rows, 100006, 1, "b", "6", "", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 1, &t, &rows), BL_OK);
    add_row(&rows, 100007, 2, "zzz", "7", "", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 2, &other, &rows), BL_OK);
    add_row(&rows, 100005, 3, "gone", "5", "", ENTRY_DELETED);
    assert_int_equal(commit_rows(f->store, 3, &t, &rows), BL_OK);
    assert_int_equal(store_keys(f->store, &t, see_key, &seen), BL_OK);
    assert_int_equal(seen.count, 4);
    assert_string_equal(seen.keys[0], "B");
    assert_string_equal(seen.keys[1], "a");
    assert_string_equal(seen.keys[2], "ab");
    assert_string_equal(seen.keys[3], "b");
    seen = (keys_seen_t){ .stop_after = 2 };
    assert_int_equal(store_keys(f->store, &t, see_key, &seen), BL_OK);
    assert_int_equal(seen.count, 2);
    table_info_free(&other);
    table_info_free(&t);
}

/* A commit the store refuses writes nothing — not the valid table before the bad one either
 * (a block is atomic, §6.4). */
static void
store_failed_commit_writes_nothing(void **state)
{
    fixture_t *f = *state;
    table_info_t t, other;
    table_change_t c[2];
    entry_t bad;

    demo_info(&t, true);
    table_info_init(&other, "u_other", "name", "item,price", true, true);
    entries_init(&c[0].rows);
    add_row(&c[0].rows, 100001, 1, "alice", "apple", "1", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 1, &t, &c[0].rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100001:apple"); /* now cached, for the cache backends */
    c[0].info = &t;
    entries_init(&c[0].rows);
    add_row(&c[0].rows, 100001, 2, "alice", "CHANGED", "1", ENTRY_NORMAL);
    add_row(&c[0].rows, 100002, 2, "alice", "new", "1", ENTRY_NORMAL);
    c[1].info = &other;
    entries_init(&c[1].rows);
    entry_init(&bad);
    bad.id = 100003;
    entry_set_str(&bad, "name", "carol");
    entry_set_str(&bad, "colour", "red"); /* a field the table does not declare */
    entries_take(&c[1].rows, &bad);
    assert_int_equal(store_commit(f->store, 2, c, 2), BL_E_INVALID);
    assert_rows(f->store, &t, "alice", "100001:apple");
    assert_rows(f->store, &other, "carol", "");
    entries_clear(&c[1].rows);
    entry_init(&bad);
    entry_set_str(&bad, "name", "carol"); /* _id_ 0: a row the table layer never numbered */
    entries_take(&c[1].rows, &bad);
    assert_int_equal(store_commit(f->store, 2, c, 2), BL_E_INVALID);
    assert_rows(f->store, &t, "alice", "100001:apple");
    entries_free(&c[0].rows);
    entries_free(&c[1].rows);
    table_info_free(&other);
    table_info_free(&t);
}

/* A store opened again on its directory or file has every committed block. */
static void
store_reopened_has_every_committed_block(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    entries_t rows;

    demo_info(&t, true);
    entries_init(&rows);
    for (int b = 1; b <= 5; b++) {
        char item[16];

        snprintf(item, sizeof item, "i%d", b);
        add_row(&rows, 100000 + b, b, b % 2 ? "odd" : "even", item, "", ENTRY_NORMAL);
        assert_int_equal(commit_rows(f->store, b, &t, &rows), BL_OK);
    }
    add_row(&rows, 100002, 6, "even", "", "", ENTRY_DELETED);
    assert_int_equal(commit_rows(f->store, 6, &t, &rows), BL_OK);
    fixture_close(f);
    assert_int_equal(fixture_open(f, 1 << 20), BL_OK);
    assert_rows(f->store, &t, "odd", "100001:i1,100003:i3,100005:i5");
    assert_rows(f->store, &t, "even", "100004:i4");
    table_info_free(&t);
}

/* ---- random blocks against a model ---- */

#define MODEL_KEYS 12
#define MODEL_IDS 64

/* The model: for every id, which key it lives under (or none) and its item. */
typedef struct {
    int key[MODEL_IDS]; /* -1: no live row with this id */
    char item[MODEL_IDS][24];
} model_t;

/* One random block: up to 8 rows added, changed or deleted. */
static void
random_block(model_t *m, bl_rng_t *rng, int64_t number, entries_t *rows)
{
    size_t n = 1 + bl_rng_below(rng, 8);

    for (size_t i = 0; i < n; i++) {
        int id = (int)bl_rng_below(rng, MODEL_IDS);
        char key[16];
        bool seen = false;

        for (size_t j = 0; j < rows->count; j++)
            seen |= rows->items[j].id == 100000 + id;
        if (seen)
            continue; /* one change per row per block, as the table layer sends */
        if (m->key[id] < 0)
            m->key[id] = (int)bl_rng_below(rng, MODEL_KEYS);
        snprintf(key, sizeof key, "k%d", m->key[id]);
        snprintf(m->item[id], sizeof m->item[id], "b%lld", (long long)number);
        if (bl_rng_below(rng, 4) == 0) {
            add_row(rows, 100000 + id, number, key, "", "", ENTRY_DELETED);
            m->key[id] = -1;
        } else {
            add_row(rows, 100000 + id, number, key, m->item[id], "p", ENTRY_NORMAL);
        }
    }
}

static void
assert_matches_model(store_t *s, const table_info_t *t, const model_t *m)
{
    for (int k = 0; k < MODEL_KEYS; k++) {
        char key[16], one[32], want[MODEL_IDS * 24] = "";

        snprintf(key, sizeof key, "k%d", k);
        for (int id = 0; id < MODEL_IDS; id++) {
            if (m->key[id] != k)
                continue;
            snprintf(one, sizeof one, "%s%d:%s", want[0] ? "," : "", 100000 + id, m->item[id]);
            strcat(want, one);
        }
        assert_rows(s, t, key, want);
    }
}

static void
store_random_blocks_match_a_model(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    model_t m;
    bl_rng_t rng;

    bl_rng_seed(&rng, 20240611);
    demo_info(&t, true);
    memset(m.key, -1, sizeof m.key);
    for (int64_t b = 1; b <= 150; b++) {
        entries_t rows;

        entries_init(&rows);
        random_block(&m, &rng, b, &rows);
        assert_int_equal(commit_rows(f->store, b, &t, &rows), BL_OK);
        if (b % 10 == 0)
            assert_matches_model(f->store, &t, &m);
    }
    table_info_free(&t);
}

/* ---- the cache ---- */

/* Block 1 writes alice's apple to t; read it back twice and return the cache's counters. */
static store_cache_stats_t
write_one_row_and_read_it_twice(store_t *s, const table_info_t *t)
{
    entries_t rows;
    store_cache_stats_t st;

    entries_init(&rows);
    add_row(&rows, 100001, 1, "alice", "apple", "1", ENTRY_NORMAL);
    assert_int_equal(commit_rows(s, 1, t, &rows), BL_OK);
    assert_rows(s, t, "alice", "100001:apple");
    assert_rows(s, t, "alice", "100001:apple");
    assert_int_equal(store_cache_stats(s, &st), BL_OK);
    return st;
}

/* Write through the cache, read back: never the old rows (§6.5). */
static void
cache_never_returns_stale_rows(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    entries_t rows;
    store_cache_stats_t st;

    demo_info(&t, true);
    st = write_one_row_and_read_it_twice(f->store, &t);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.hits, 1);
    entries_init(&rows);
    add_row(&rows, 100001, 2, "alice", "APPLE", "1", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 2, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100001:APPLE");
    add_row(&rows, 100002, 3, "alice", "pear", "1", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 3, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100001:APPLE,100002:pear");
    add_row(&rows, 100001, 4, "alice", "", "", ENTRY_DELETED);
    assert_int_equal(commit_rows(f->store, 4, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "alice", "100002:pear");
    /* a key first read as empty, then written */
    assert_rows(f->store, &t, "bob", "");
    add_row(&rows, 100003, 5, "bob", "fig", "1", ENTRY_NORMAL);
    assert_int_equal(commit_rows(f->store, 5, &t, &rows), BL_OK);
    assert_rows(f->store, &t, "bob", "100003:fig");
    table_info_free(&t);
}

/* A cache far smaller than the data evicts the least recently used keys, stays within its
 * capacity, and every answer is still right. */
static void
cache_smaller_than_the_data_evicts_and_answers_right(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    store_cache_stats_t st;
    bl_rng_t rng;

    bl_rng_seed(&rng, 7);
    fixture_close(f); /* reopen with a 4 KB cache */
    assert_int_equal(fixture_open(f, 4096), BL_OK);
    demo_info(&t, true);
    for (int b = 0; b < 10; b++) {
        entries_t rows;

        entries_init(&rows);
        for (int i = 0; i < 20; i++) {
            char key[16], item[16];

            snprintf(key, sizeof key, "k%03d", b * 20 + i);
            snprintf(item, sizeof item, "v%d", b * 20 + i);
            add_row(&rows, 100001 + b * 20 + i, b + 1, key, item, "", ENTRY_NORMAL);
        }
        assert_int_equal(commit_rows(f->store, b + 1, &t, &rows), BL_OK);
    }
    for (int round = 0; round < 600; round++) {
        int i = (int)bl_rng_below(&rng, 200);
        char key[16], want[32];

        snprintf(key, sizeof key, "k%03d", i);
        snprintf(want, sizeof want, "%d:v%d", 100001 + i, i);
        assert_rows(f->store, &t, key, want);
        assert_int_equal(store_cache_stats(f->store, &st), BL_OK);
        assert_true(st.bytes <= st.capacity);
    }
    assert_true(st.evictions > 0);
    assert_true(st.hits > 0);
    assert_true(st.misses > 200 - st.items);
    assert_int_equal(st.capacity, 4096);
    table_info_free(&t);
}

/* enable_cache = false (_sys_tx_hash_2_block_ in FISCO) bypasses the cache. */
static void
cache_passes_tables_without_enable_cache_through(void **state)
{
    fixture_t *f = *state;
    table_info_t t;
    store_cache_stats_t st;

    demo_info(&t, false);
    st = write_one_row_and_read_it_twice(f->store, &t);
    assert_int_equal(st.hits + st.misses, 0);
    assert_int_equal(st.items, 0);
    table_info_free(&t);
}

static void
cache_stats_of_another_store_is_invalid(void **state)
{
    store_t *s;
    kv_t *kv;
    store_cache_stats_t st;

    (void)state;
    assert_int_equal(kv_open("memory", NULL, &kv), BL_OK);
    assert_int_equal(store_kv_open(kv, &s), BL_OK);
    assert_string_equal(s->ops->name, "kv:memory");
    assert_int_equal(store_cache_stats(s, &st), BL_E_INVALID);
    store_close(s);
    kv_close(kv);
}

/* ---- registration ---- */

typedef struct {
    const char *name;
    void (*fn)(void **state);
    bool persistent; /* needs a backend on disk */
    bool cache_only;
} case_t;

static const case_t cases[] = {
    { "store_table_never_written_has_no_rows", store_table_never_written_has_no_rows, false,
      false },
    { "store_select_returns_rows_of_a_key_in_id_order",
      store_select_returns_rows_of_a_key_in_id_order, false, false },
    { "store_commit_replaces_by_id_and_deletes_by_status",
      store_commit_replaces_by_id_and_deletes_by_status, false, false },
    { "store_keys_are_live_and_bytewise_ordered", store_keys_are_live_and_bytewise_ordered,
      false, false },
    { "store_failed_commit_writes_nothing", store_failed_commit_writes_nothing, false, false },
    { "store_reopened_has_every_committed_block", store_reopened_has_every_committed_block, true,
      false },
    { "store_random_blocks_match_a_model", store_random_blocks_match_a_model, false, false },
    { "cache_never_returns_stale_rows", cache_never_returns_stale_rows, false, true },
    { "cache_smaller_than_the_data_evicts_and_answers_right",
      cache_smaller_than_the_data_evicts_and_answers_right, false, true },
    { "cache_passes_tables_without_enable_cache_through",
      cache_passes_tables_without_enable_cache_through, false, true },
};

#define MAX_TESTS (COUNT(cases) * COUNT(backends) + 1)

int
main(void)
{
    static struct CMUnitTest tests[MAX_TESTS];
    static char names[MAX_TESTS][160];
    size_t n = 0;

    for (size_t c = 0; c < COUNT(cases); c++) {
        for (size_t b = 0; b < COUNT(backends); b++) {
            bool cached = strncmp(backends[b], "cache:", 6) == 0;

            if ((cases[c].cache_only && !cached) ||
                (cases[c].persistent && strstr(backends[b], "memory") != NULL))
                continue;
            snprintf(names[n], sizeof names[n], "%s_%s", cases[c].name, backends[b]);
            tests[n] = (struct CMUnitTest){ .name = names[n], .test_func = cases[c].fn,
                                            .setup_func = setup, .teardown_func = teardown,
                                            .initial_state = backends[b] };
            n++;
        }
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(cache_stats_of_another_store_is_invalid);
    return _cmocka_run_group_tests("store", tests, n, tu_setup_dir, tu_teardown_dir);
}
