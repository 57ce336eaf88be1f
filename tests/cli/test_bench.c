/*
 * test_bench.c — `bcoslab bench storage` runs as documented: a tiny workload prints one line per
 * state model and backend, and bad options are refused the util way (exit 2, one line).
 *
 * Only that the benchmark works is checked here; its numbers go into issue notes, never into
 * timed tests (DEVELOPERS.md, "Speed and memory targets live in benchmarks").
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* A tiny run prints every configuration, and both state models commit the same blocks. */
static void
bench_storage_prints_every_model_and_backend(void **state)
{
    static const char *const lines[] = {
        "raw batch put / rocksdb", "storage / memory", "mpt / memory", "storage / rocksdb",
        "mpt / rocksdb", "storage / sqlite",
    };
    char *out, *err;

    (void)state;
    assert_int_equal(tu_run(&out, &err, "bench storage --accounts 20 --writes 10 --blocks 3 "
                            "--dir %s", tu_dir), 0);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (strstr(out, lines[i]) == NULL)
            fail_msg("no line for %s in:\n%s", lines[i], out);
    assert_non_null(strstr(out, "20 accounts, 10 writes per block, 3 blocks"));
    free(out);
    free(err);
}

/* Options out of range, unknown options and stray arguments: exit 2, one line on stderr. */
static void
bench_storage_refuses_bad_options(void **state)
{
    static const char *const bad[] = {
        "bench storage --accounts 0", "bench storage --writes x", "bench storage --blocks -3",
        "bench storage --bogus", "bench storage extra",
    };
    char *out, *err;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tu_run_bad(NULL, "%s", bad[i]);
    /* an unknown bench is refused too, and its message goes on to list the benches */
    assert_int_equal(tu_run(&out, &err, "bench nosuchbench"), 2);
    assert_string_equal(out, "");
    free(out);
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bench_storage_prints_every_model_and_backend),
        cmocka_unit_test(bench_storage_refuses_bad_options),
    };

    return cmocka_run_group_tests_name("bench", tests, tu_setup_dir, tu_teardown_dir);
}
