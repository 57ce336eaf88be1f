/*
 * test_kv_crash.c — a batch survives a crash whole or not at all (kv.h promises 1 and 2).
 *
 * For each persistent backend this test runs the crash harness of crashutil.h: a writer process
 * commits numbered batches to one store as fast as it can, the test kills it with SIGKILL at a
 * random moment, reopens the store and checks it, 25 times per backend. Batch i sets 50 keys
 * spread over the key space to values that name i, sets or deletes a key "parity" (present
 * exactly when i is odd), and sets "last" = i: 52 operations in one kv_write(). After a kill the
 * store must be exactly one batch n:
 *
 *   - every key holds the value of one and the same batch n, the one "last" names, and nothing
 *     else is in the store (no key of batch n+1 without all the others, no key of n−1 left over);
 *   - n >= the last batch the writer reported committed (a committed batch is never lost);
 *   - n <= that + 1 (the batch in flight may or may not have landed; nothing after it can).
 *
 * The first check is this file's; the other two are the harness's. The kill delays come from a
 * seed printed at the start; BL_SEED=<n> repeats them.
 */
#include "crashutil.h"
#include "testutil.h"

#include <stdio.h>

#include "base/error.h"
#include "storage/kv.h"

#define KEYS_PER_BATCH 50
#define KILLS 25
#define MAX_DELAY_US 4000

/* ---- what a batch contains ---- */

/* Key j of the 50: its first byte spreads the keys over the whole key space (0x00 .. 0xf5).
 * Key 0 starts with a zero byte, so the length is returned rather than found with strlen. */
static bl_span_t
batch_key(int j, char out[16])
{
    int n = snprintf(out, 16, "%ckey-%02d", (char)(j * 5), j);

    return bl_span(out, (size_t)n);
}

static void
batch_value(uint64_t i, int j, bl_buf_t *out)
{
    char text[128];
    int n = snprintf(text, sizeof text, "batch %llu, key %d, padded to look like a table row: "
                     "................................", (unsigned long long)i, j);

    bl_buf_clear(out);
    bl_buf_append(out, text, (size_t)n);
}

static void
make_batch(uint64_t i, kv_batch_t *b)
{
    bl_buf_t v = BL_BUF_INIT;
    uint8_t last[8];
    char key[16];

    for (int j = 0; j < KEYS_PER_BATCH; j++) {
        batch_value(i, j, &v);
        kv_batch_put(b, batch_key(j, key), bl_buf_span(&v));
    }
    if (i % 2 == 1)
        kv_batch_put(b, tu_str("parity"), tu_str("odd"));
    else
        kv_batch_delete(b, tu_str("parity"));
    bl_put_be(last, i, 8);
    kv_batch_put(b, tu_str("last"), bl_span(last, 8));
    bl_buf_free(&v);
}

/* ---- the writer (a separate process) ---- */

/* The batch number "last" holds, or 0 for an empty store. */
static int
read_last(kv_t *kv, uint64_t *n)
{
    bl_buf_t v = BL_BUF_INIT;
    int rc = kv_get(kv, tu_str("last"), &v);

    *n = 0;
    if (rc == BL_OK && v.len == 8)
        *n = bl_get_be(v.data, 8);
    else if (rc == BL_OK)
        rc = bl_fail(BL_E_FORMAT, "\"last\" holds %zu bytes, not 8", v.len);
    bl_buf_free(&v);
    return rc == BL_E_NOTFOUND ? BL_OK : rc;
}

/* Open, report the last committed batch (this also says "ready"), then write batches until
 * killed. Started by the harness as a separate process (see crashutil.h). */
static int
run_writer(const char *backend, const char *path, int fd)
{
    kv_t *kv;
    uint64_t n;

    if (kv_open(backend, path, &kv) != BL_OK || read_last(kv, &n) != BL_OK) {
        fprintf(stderr, "writer: %s\n", bl_errmsg());
        return 2;
    }
    tu_crash_committed(fd, n);
    for (uint64_t i = n + 1;; i++) {
        kv_batch_t b;

        kv_batch_init(&b);
        make_batch(i, &b);
        tu_crash_starting(fd, i);
        if (kv_write(kv, &b) != BL_OK) {
            fprintf(stderr, "writer: batch %llu: %s\n", (unsigned long long)i, bl_errmsg());
            return 2;
        }
        tu_crash_committed(fd, i);
        kv_batch_free(&b);
    }
}

/* ---- checking a store after a kill ---- */

/* The store must be exactly batch n: all 50 keys with n's values, parity as n says, "last" = n,
 * and nothing else (or nothing at all for n = 0). */
static void
assert_exactly_one_batch(kv_t *kv, uint64_t n)
{
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    char key[16];

    for (int j = 0; j < KEYS_PER_BATCH; j++) {
        int rc = kv_get(kv, batch_key(j, key), &got);

        if (n == 0) {
            assert_int_equal(rc, BL_E_NOTFOUND);
            continue;
        }
        assert_int_equal(rc, BL_OK);
        batch_value(n, j, &want);
        if (!bl_span_eq(bl_buf_span(&got), bl_buf_span(&want)))
            fail_msg("key %d holds \"%.*s\" but \"last\" says batch %llu", j, (int)got.len,
                     (const char *)got.data, (unsigned long long)n);
    }
    assert_int_equal(kv_get(kv, tu_str("parity"), &got), n % 2 ? BL_OK : BL_E_NOTFOUND);
    bl_buf_free(&want);
    bl_buf_free(&got);
}

/* Open the store after a kill and check it; returns n. */
static uint64_t
check_store(const char *backend, const char *path)
{
    kv_t *kv;
    uint64_t n;

    if (kv_open(backend, path, &kv) != BL_OK)
        fail_msg("reopening after the kill failed: %s", bl_errmsg());
    assert_int_equal(read_last(kv, &n), BL_OK);
    assert_exactly_one_batch(kv, n);
    assert_int_equal(tu_kv_count(kv), n == 0 ? 0 : KEYS_PER_BATCH + 1 + n % 2);
    kv_close(kv);
    return n;
}

static void
sigkill_test(const char *backend, const char *file)
{
    const tu_crash_test_t c = { .backend = backend, .file = file, .unit = "batch",
                                .units = "batches", .kills = KILLS,
                                .max_delay_us = MAX_DELAY_US, .check = check_store };

    tu_crash_run(&c);
}

/* RocksDB: a WriteBatch is one WAL record; a torn record is dropped on recovery. */
static void
kv_batch_is_all_or_nothing_after_sigkill_rocksdb(void **state)
{
    (void)state;
    sigkill_test("rocksdb", "crash-rocksdb");
}

/* SQLite: a batch is one transaction; WAL frames after the last commit mark are ignored. */
static void
kv_batch_is_all_or_nothing_after_sigkill_sqlite(void **state)
{
    (void)state;
    sigkill_test("sqlite", "crash.db");
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kv_batch_is_all_or_nothing_after_sigkill_rocksdb),
        cmocka_unit_test(kv_batch_is_all_or_nothing_after_sigkill_sqlite),
    };

    tu_crash_init(argc, argv, "kv_crash", run_writer);
    return cmocka_run_group_tests_name("kv_crash", tests, tu_setup_dir, tu_teardown_dir);
}
