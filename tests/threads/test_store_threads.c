/*
 * test_store_threads.c — the stores under the parallel executor's workers: many threads
 * selecting at once, from every store, and (for the two stores that lock: the read cache and
 * SQLite) a commit running beside them.
 *
 * A select looks harmless, but the read cache moves a key to the front of its LRU list on a
 * hit and adds one on a miss, and the SQLite store shares one connection and a cache of
 * prepared statements: without their mutexes (store_cache.c, store_sqlite.c, "Threads") two
 * readers corrupt them. The kv stores need no lock for readers (a memory kv's get changes
 * nothing, RocksDB is thread-safe). This program runs under ThreadSanitizer in `make test`,
 * which reports any unguarded access even when the run happens to come out right.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "storage/kv.h"
#include "storage/store.h"

#define KEYS 64
#define READERS 4
#define SELECTS 3000
#define COMMITS 20

typedef struct {
    kv_t *kv;
    store_t *store;
    table_info_t info;
} tstack_t;

typedef struct {
    tstack_t *st;
    uint64_t seed;
    int bad; /* selects that gave something other than one row "v<key>.<n>" */
} reader_t;

static void
stack_open(tstack_t *st, const char *backend)
{
    char path[600];

    memset(st, 0, sizeof *st);
    snprintf(path, sizeof path, "%s/%s", tu_dir, backend);
    if (strchr(path, ':') != NULL)
        *strchr(path, ':') = '-';
    assert_int_equal(kv_open(strstr(backend, "rocksdb") ? "rocksdb" : "memory", path, &st->kv),
                     BL_OK);
    if (strstr(backend, "sqlite") != NULL)
        assert_int_equal(store_sqlite_open(path, &st->store), BL_OK);
    else
        assert_int_equal(store_kv_open(st->kv, &st->store), BL_OK);
    if (strncmp(backend, "cache:", 6) == 0) /* small: readers also evict */
        assert_int_equal(store_cache_open(st->store, 4096, &st->store), BL_OK);
    table_info_init(&st->info, "u_t", "k", "v", true, true);
}

static void
stack_close(tstack_t *st)
{
    table_info_free(&st->info);
    store_close(st->store);
    kv_close(st->kv);
}

/* Block `number` writes the value "v<key>.<number>" for keys 0.. step.. KEYS-1 (ids 1..KEYS). */
static void
commit_block(tstack_t *st, int64_t number, unsigned step)
{
    table_change_t change = { .info = &st->info };

    entries_init(&change.rows);
    for (unsigned k = 0; k < KEYS; k += step) {
        char key[16], value[32];
        entry_t e;

        snprintf(key, sizeof key, "k%u", k);
        snprintf(value, sizeof value, "v%s.%lld", key, (long long)number);
        entry_init(&e);
        e.id = k + 1;
        e.num = number;
        entry_set_str(&e, "k", key);
        entry_set_str(&e, "v", value);
        entries_take(&change.rows, &e);
    }
    assert_int_equal(store_commit(st->store, number, &change, 1), BL_OK);
    entries_free(&change.rows);
}

static void *
reader_main(void *arg)
{
    reader_t *r = arg;
    bl_rng_t rng;

    bl_rng_seed(&rng, r->seed);
    for (unsigned i = 0; i < SELECTS; i++) {
        char key[16], want[20];
        entries_t rows;
        const bl_buf_t *v;

        snprintf(key, sizeof key, "k%u", (unsigned)bl_rng_below(&rng, KEYS));
        snprintf(want, sizeof want, "v%s.", key);
        entries_init(&rows);
        if (store_select(r->st->store, &r->st->info, key, &rows) != BL_OK || rows.count != 1 ||
            (v = entry_get(&rows.items[0], "v")) == NULL || v->len < strlen(want) ||
            memcmp(v->data, want, strlen(want)) != 0)
            r->bad++;
        entries_free(&rows);
    }
    return NULL;
}

/* READERS threads select while, if `commits`, the main thread commits blocks. */
static void
hammer(const char *backend, bool commits)
{
    pthread_t threads[READERS];
    reader_t readers[READERS];
    tstack_t st;

    stack_open(&st, backend);
    commit_block(&st, 1, 1);
    for (unsigned i = 0; i < READERS; i++) {
        readers[i] = (reader_t){ .st = &st, .seed = 1000 + i };
        assert_int_equal(pthread_create(&threads[i], NULL, reader_main, &readers[i]), 0);
    }
    for (int64_t b = 2; commits && b < 2 + COMMITS; b++)
        commit_block(&st, b, 3);
    for (unsigned i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        if (readers[i].bad != 0)
            fail_msg("%s: reader %u got %d wrong answers", backend, i, readers[i].bad);
    }
    stack_close(&st);
}

static void
readers_share_every_store(void **state)
{
    static const char *const backends[] = { "memory", "rocksdb", "sqlite", "cache:memory",
                                            "cache:sqlite" };

    (void)state;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        hammer(backends[i], false);
}

static void
readers_and_a_committer_share_the_locking_stores(void **state)
{
    static const char *const backends[] = { "sqlite-c", "cache:memory-c", "cache:sqlite-c" };

    (void)state;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        hammer(backends[i], true);
}

/* The cache's statistics may be read while others select. */
static void
cache_stats_while_reading(void **state)
{
    pthread_t threads[READERS];
    reader_t readers[READERS];
    store_cache_stats_t stats;
    tstack_t st;

    (void)state;
    stack_open(&st, "cache:memory-s");
    commit_block(&st, 1, 1);
    for (unsigned i = 0; i < READERS; i++) {
        readers[i] = (reader_t){ .st = &st, .seed = 7 + i };
        assert_int_equal(pthread_create(&threads[i], NULL, reader_main, &readers[i]), 0);
    }
    for (unsigned i = 0; i < 200; i++)
        assert_int_equal(store_cache_stats(st.store, &stats), BL_OK);
    for (unsigned i = 0; i < READERS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    assert_int_equal(store_cache_stats(st.store, &stats), BL_OK);
    assert_int_equal(stats.hits + stats.misses, (uint64_t)READERS * SELECTS);
    stack_close(&st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_share_every_store),
        cmocka_unit_test(readers_and_a_committer_share_the_locking_stores),
        cmocka_unit_test(cache_stats_while_reading),
    };

    return cmocka_run_group_tests_name("store_threads", tests, tu_setup_dir, tu_teardown_dir);
}
