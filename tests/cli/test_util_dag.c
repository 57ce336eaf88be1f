/*
 * test_util_dag.c — `bcoslab util dag`: a generated block's transaction DAG, as a table and as
 * Graphviz DOT (exec/txdag.c, app/util_dag.c).
 *
 * The generator's extremes have known shapes: no conflicts and no barriers is one level with
 * no edges; all conflicting is one chain; all barriers is a chain of barriers. The same seed
 * gives the same block. Bad options exit 2 with one line.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of lines of text. */
static size_t
count_lines(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static void
dag_default_block_prints_one_row_per_tx(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util dag");
    assert_non_null(strstr(out, "block of 16 txs (seed 1, conflict 30%, serial 10%)"));
    assert_non_null(strstr(out, "level"));
    assert_non_null(strstr(out, "in-degree"));
    /* header, note, blank line, column titles, then 16 rows (the last without its newline) */
    assert_int_equal(count_lines(out), 4 + 15);
    free(out);
}

static void
dag_without_conflicts_is_one_level(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util dag --txs 12 --conflict 0 --serial 0");
    assert_non_null(strstr(out, "12 parallel, 0 serial barriers; 0 edges, 1 levels"));
    free(out);
}

static void
dag_all_conflicting_is_a_chain(void **state)
{
    char *out, row[64];

    (void)state;
    out = tu_run_ok("util dag --txs 10 --conflict 100 --serial 0");
    assert_non_null(strstr(out, "9 edges, 10 levels"));
    /* tx 3 is at level 3, in-degree 1, sends from u3 (what tx 2 paid) and waits for tx 2 */
    snprintf(row, sizeof row, "%5d %5d %9d  %-28s %d", 3, 3, 1, "u3, u4", 2);
    assert_non_null(strstr(out, row));
    free(out);
    out = tu_run_ok("util dag --txs 6 --serial 100");
    assert_non_null(strstr(out, "0 parallel, 6 serial barriers; 5 edges, 6 levels"));
    assert_non_null(strstr(out, "(serial barrier)"));
    free(out);
}

static void
dag_dot_output(void **state)
{
    char *out;

    (void)state;
    out = tu_run_ok("util dag --txs 4 --conflict 100 --serial 0 --dot");
    assert_int_equal(strncmp(out, "digraph txdag {", 15), 0);
    assert_non_null(strstr(out, "tx0 -> tx1;"));
    assert_non_null(strstr(out, "tx2 -> tx3;"));
    assert_non_null(strstr(out, "{ rank=same; tx0; }"));
    assert_non_null(strstr(out, "tx1 [label=\"tx 1\\nu1\\nu2\"];"));
    assert_string_equal(out + strlen(out) - 1, "}");
    free(out);
    out = tu_run_ok("util dag --txs 3 --serial 100 --dot");
    assert_non_null(strstr(out, "style=filled"));
    free(out);
}

static void
dag_same_seed_same_block(void **state)
{
    char *a, *b, *c;

    (void)state;
    a = tu_run_ok("util dag --txs 30 --seed 7");
    b = tu_run_ok("util dag --txs 30 --seed 7");
    c = tu_run_ok("util dag --txs 30 --seed 8");
    assert_string_equal(a, b);
    assert_true(strcmp(a + strlen("block of 30 txs (seed 7"), c + strlen("block of 30 txs (seed 8"))
                != 0);
    free(a);
    free(b);
    free(c);
}

static void
dag_refuses_bad_options(void **state)
{
    (void)state;
    tu_run_bad("--txs", "util dag --txs 0");
    tu_run_bad("--txs", "util dag --txs many");
    tu_run_bad("--conflict", "util dag --conflict 101");
    tu_run_bad("--serial", "util dag --serial -1");
    tu_run_bad("--seed", "util dag --seed x");
    tu_run_bad(NULL, "util dag --bogus");
    tu_run_bad("unexpected", "util dag extra");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dag_default_block_prints_one_row_per_tx),
        cmocka_unit_test(dag_without_conflicts_is_one_level),
        cmocka_unit_test(dag_all_conflicting_is_a_chain),
        cmocka_unit_test(dag_dot_output),
        cmocka_unit_test(dag_same_seed_same_block),
        cmocka_unit_test(dag_refuses_bad_options),
    };

    return cmocka_run_group_tests_name("util_dag", tests, NULL, NULL);
}
