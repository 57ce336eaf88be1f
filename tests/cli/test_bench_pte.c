/*
 * test_bench_pte.c — `bcoslab bench pte` runs as documented: a tiny workload prints both
 * tables (recover + execute, execute only) with a line per conflict rate and a column per
 * worker count, and bad options are refused the util way (exit 2, one line).
 *
 * Only that the benchmark works is checked here — every run it makes also checks that the
 * parallel executor's roots equal the serial one's; its speed goes into issue notes, never
 * into tests (DEVELOPERS.md, "Speed and memory targets live in benchmarks").
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void
bench_pte_tiny_run_prints_both_tables(void **state)
{
    static const char *const want[] = {
        "bench pte: 30 DagTransfer userTransfer txs per block", "A. recover + execute",
        "B. execute only", "serial", "1 worker", "3 workers", "      0%", "     10%",
        "     50%", "    100%",
    };
    char *out, *err;

    (void)state;
    assert_int_equal(tu_run(&out, &err, "bench pte --txs 30 --runs 1 --workers 3"), 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(out, want[i]) == NULL)
            fail_msg("no \"%s\" in:\n%s", want[i], out);
    /* at 100% conflicts the block is one chain: 30 levels */
    assert_non_null(strstr(out, "    100%     30 "));
    free(out);
    free(err);
}

static void
bench_pte_refuses_bad_options(void **state)
{
    (void)state;
    tu_run_bad("--txs", "bench pte --txs 0");
    tu_run_bad("--runs", "bench pte --runs x");
    tu_run_bad("--workers", "bench pte --workers 65");
    tu_run_bad("--seed", "bench pte --seed -2");
    tu_run_bad(NULL, "bench pte --bogus");
    tu_run_bad("unexpected", "bench pte extra");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bench_pte_tiny_run_prints_both_tables),
        cmocka_unit_test(bench_pte_refuses_bad_options),
    };

    return cmocka_run_group_tests_name("bench_pte", tests, NULL, NULL);
}
