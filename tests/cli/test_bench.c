/*
 * test_bench.c — `bcoslab bench storage` and `bench tps` run as documented: a tiny workload
 * prints its lines, and bad options are refused the util way (exit 2, one line).
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

/* bench tps runs the chain with and without the TUI drawing beside it (issue #7: drawing must
 * not block the nodes — the numbers themselves go into the notes). A tiny run must finish and
 * print its line in both cases. */
static void
bench_tps_runs_with_and_without_the_tui(void **state)
{
    char *out, *err;

    (void)state;
    assert_int_equal(tu_run(&out, &err, "bench tps --txs 200 --consensus pbft --storage memory"),
                     0);
    assert_non_null(strstr(out, "pbft      memory"));
    assert_null(strstr(out, "did not finish"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "bench tps --txs 200 --consensus raft --storage memory "
                            "--with-tui"), 0);
    assert_non_null(strstr(out, "the TUI drawing beside them"));
    assert_non_null(strstr(out, "raft      memory"));
    assert_null(strstr(out, "did not finish"));
    free(out);
    free(err);
    tu_run_bad("unknown or incomplete option", "bench tps --with-gui");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bench_storage_prints_every_model_and_backend),
        cmocka_unit_test(bench_storage_refuses_bad_options),
        cmocka_unit_test(bench_tps_runs_with_and_without_the_tui),
    };

    return cmocka_run_group_tests_name("bench", tests, tu_setup_dir, tu_teardown_dir);
}
