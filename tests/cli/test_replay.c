/*
 * test_replay.c — `bcoslab replay FILE --text` on the trace of a real simulated run, and the
 * files it refuses.
 *
 * Pins down issue 9's "a failing grader prints its seed and writes a trace; bcoslab replay FILE
 * opens it": the trace a cluster run writes (sim_write_trace) is read back whole and summed up
 * — the seed, every event, each node's state and heights, the PBFT view and the Raft leader, a
 * count per kind that matches the event log — and a file that is not a trace exits 2 with one
 * line naming what is wrong (and for a bad line, its number), as every command does.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"

#define SEED 21

static char trace_path[1024];
static size_t trace_events, trace_commits;

/* The run: group 1 on PBFT (A..D), group 2 on Raft (A, B, C). A is down from the start, so
 * group 1's first leader is missing and the others change view (fisco-2x-facts §2.5); then A
 * restarts and catches up. */
static int
setup(void **state)
{
    cu_cluster_t c;

    if (tu_setup_dir(state) != 0)
        return -1;
    snprintf(trace_path, sizeof trace_path, "%s/run.trace", tu_dir);
    cu_open(&c, SEED, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_group_with(&c, 2, "0,1,2", "0,1,2", "raft");
    cu_start(&c);
    assert_int_equal(sim_crash(c.sim, 0), BL_OK);
    cu_submit_users(&c, 1, 1, 3);
    cu_run_until_height(&c, 1, "1,2,3", 1, 60000);
    assert_int_equal(sim_restart(c.sim, 0), BL_OK);
    cu_submit_users(&c, 1, 1, 3);
    cu_submit_users(&c, 1, 2, 3);
    cu_run_until_height(&c, 1, NULL, 2, 60000);
    cu_run_until_height(&c, 2, NULL, 1, 60000);
    assert_int_equal(sim_write_trace(c.sim, trace_path), BL_OK);
    trace_events = (size_t)evlog_last(c.log);
    trace_commits = cu_count_events(&c, EV_BLOCK_COMMITTED, -1);
    cu_close(&c);
    return 0;
}

/* The line of out that starts with prefix, as a new string (fails the test if there is none). */
static char *
line_starting(const char *out, const char *prefix)
{
    const char *p = out;

    while (p != NULL && strncmp(p, prefix, strlen(prefix)) != 0)
        p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : NULL;
    if (p == NULL)
        fail_msg("no line starts with '%s' in:\n%s", prefix, out);
    return strndup(p, strcspn(p, "\n"));
}

/* --text: the header, one line per node, then one line per kind of event. */
static void
replay_text_sums_up_a_real_run(void **state)
{
    char *out = tu_run_ok("replay %s --text", trace_path), want[1200], *line;

    (void)state;
    snprintf(want, sizeof want, "trace %s: seed %d, 4 nodes, %zu events,", trace_path, SEED,
             trace_events);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "node  state    crash   sent   recv   drop  group 1"));
    line = line_starting(out, "A     up           1"); /* crashed once, up again */
    assert_non_null(strstr(line, "h2 v"));
    free(line);
    line = line_starting(out, "D     up           0");
    assert_non_null(strstr(line, "h2 v"));
    assert_non_null(strstr(line, "  -")); /* D is not in group 2 */
    free(line);
    assert_non_null(strstr(out, " leader")); /* group 2 elected a Raft leader */
    snprintf(want, sizeof want, "\nBLOCK_COMMITTED %zu\n", trace_commits);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "\nNODE_CRASHED 1\n"));
    assert_non_null(strstr(out, "\nPBFT_VIEW_SWITCHED "));
    free(out);
}

static const char *
write_file(const char *name, const char *text)
{
    static char path[1100];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tu_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A real trace with line 5 spoiled, as a truncated or hand-edited file would be. */
static const char *
spoiled_trace(void)
{
    char *text = tu_read_file(trace_path, NULL), *line5 = text;
    const char *path;

    for (int i = 1; i < 5; i++)
        line5 = strchr(line5, '\n') + 1;
    strstr(line5, " t=")[3] = 'x'; /* "3 t=0 node=..." becomes "3 t=x node=..." */
    path = write_file("spoiled.trace", text);
    free(text);
    return path;
}

/* Bad command lines and bad files: exit 2, nothing on stdout, one line on stderr. */
static void
replay_refuses_bad_files_and_arguments(void **state)
{
    (void)state;
    tu_run_bad("which trace?", "replay");
    tu_run_bad("unknown option '--html'", "replay %s --html", trace_path);
    tu_run_bad("one trace at a time", "replay %s %s", trace_path, trace_path);
    tu_run_bad("cannot read the trace", "replay %s/none.trace --text", tu_dir);
    tu_run_bad("is empty", "replay %s --text", write_file("empty.trace", ""));
    tu_run_bad("line 1: not a trace", "replay %s --text", write_file("notes.txt", "hello\n"));
    tu_run_bad("line 5: event line: t= wants a whole number", "replay %s --text",
               spoiled_trace());
    tu_run_bad("line 5: event line: t= wants", "replay %s", spoiled_trace());
}

/* Without a terminal the viewer cannot draw: it says so and points at --text. */
static void
replay_without_a_terminal_points_at_text(void **state)
{
    (void)state;
    tu_run_bad("--text prints the summary", "replay %s </dev/null", trace_path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replay_text_sums_up_a_real_run),
        cmocka_unit_test(replay_refuses_bad_files_and_arguments),
        cmocka_unit_test(replay_without_a_terminal_points_at_text),
    };

    return cmocka_run_group_tests_name("replay", tests, setup, tu_teardown_dir);
}
