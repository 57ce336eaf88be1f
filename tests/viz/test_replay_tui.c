/*
 * test_replay_tui.c — the trace viewer (`bcoslab replay FILE`) driven as a user drives it:
 * inside tmux, keys sent with send-keys, the screen read back with capture-pane.
 *
 * Pins down issue 9's "bcoslab replay FILE opens it in the TUI", on the trace of a real
 * simulated run (PBFT with a crashed first leader, and a Raft group): the viewer shows the file,
 * the seed, "event k of N" and the events; n and → move the cursor one event, p one back, N a
 * hundred; c lands on a BLOCK_COMMITTED line and the table shows the new height; v lands on a
 * view change or an election; / keeps one node's events; q gives the terminal back, exit 0.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"
#include "tmuxutil.h"

#define SEED 23

static char trace_path[1024];
static size_t trace_events;

/* Group 1 on PBFT (A..D) with A down at first, so the others change view; group 2 on Raft. */
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
    cu_run_until_height(&c, 1, NULL, 2, 60000);
    assert_int_equal(sim_write_trace(c.sim, trace_path), BL_OK);
    trace_events = (size_t)evlog_last(c.log);
    cu_close(&c);
    return 0;
}

/* The viewer on the trace, after a line the quit test looks for again. */
static void
start(int cols, int lines)
{
    char cmd[1400];
    const char *bin = getenv("BL_BIN");

    assert_non_null(bin);
    snprintf(cmd, sizeof cmd, "printf 'shell before\\n'; %s replay %s; echo replay exited $?; "
             "sleep 60", bin, trace_path);
    tmx_start("blreplay", cols, lines, cmd, "event 1 of");
}

/* "event k of N" for the trace's N. */
static void
wait_event(size_t k)
{
    char want[64];

    snprintf(want, sizeof want, "event %zu of %zu ", k, trace_events);
    tmx_wait_for(want);
}

/* The screen line with the cursor (▶) on it, or NULL; the caller frees it. */
static char *
cursor_line(const char *screen)
{
    const char *mark = strstr(screen, "▶"), *start;

    if (mark == NULL)
        return NULL;
    start = mark;
    while (start > screen && start[-1] != '\n')
        start--;
    return strndup(start, strcspn(start, "\n"));
}

/* Wait until the cursor's line holds one of want (NULL-terminated); returns that line. */
static char *
wait_cursor_on(const char *const *want)
{
    char *line = NULL;

    for (unsigned waited = 0; waited <= TMX_WAIT_MS; waited += TMX_POLL_MS) {
        char *s = tmx_screen();

        free(line);
        line = cursor_line(s);
        free(s);
        for (size_t i = 0; line != NULL && want[i] != NULL; i++)
            if (strstr(line, want[i]) != NULL)
                return line;
        tmx_pause_ms(TMX_POLL_MS);
    }
    fail_msg("the cursor's line is '%s', wanted it to hold '%s'", line ? line : "(none)",
             want[0]);
    return line;
}

/* The header (file, seed, event 1 of N, time), the table of nodes and the first events. */
static void
replay_tui_shows_header_table_and_events(void **state)
{
    char want[64];
    const char *first[] = { "run.trace", "seed 23", "t=0.000s", "node A started",
                            "group 1", "group 2", "NODE_STARTED", "MSG_SENT", NULL };

    (void)state;
    start(80, 24);
    free(tmx_wait_for_all(first));
    snprintf(want, sizeof want, "event 1 of %zu", trace_events);
    tmx_wait_for(want);
    tmx_stop();
}

/* n and → move one event on, p one back, N a hundred on, G to the last, g to the first. */
static void
replay_tui_keys_move_the_cursor(void **state)
{
    (void)state;
    start(80, 24);
    tmx_keys("n");
    wait_event(2);
    tmx_keys("Right");
    wait_event(3);
    tmx_keys("p");
    wait_event(2);
    tmx_keys("N");
    wait_event(102);
    tmx_keys("G");
    wait_event(trace_events);
    tmx_keys("g");
    wait_event(1);
    tmx_stop();
}

/* c lands on a BLOCK_COMMITTED line, and the table already counts that block. */
static void
replay_tui_c_lands_on_a_block_commit(void **state)
{
    const char *commit[] = { "BLOCK_COMMITTED", NULL };
    const char *after[] = { "committed block 1", "h1 v", NULL };
    char *line;

    (void)state;
    start(100, 30);
    tmx_keys("c");
    line = wait_cursor_on(commit);
    assert_non_null(strstr(line, "a=1 "));
    free(line);
    free(tmx_wait_for_all(after));
    tmx_stop();
}

/* v lands on a view change or an election; a filter keeps only node B's events. */
static void
replay_tui_v_finds_a_view_change_and_the_filter_keeps_one_node(void **state)
{
    const char *change[] = { "PBFT_VIEW_CHANGE", "PBFT_VIEW_SWITCHED", "RAFT_ELECTION",
                             "RAFT_LEADER", NULL };
    const char *node_b[] = { "events of node B", "showing node B's", NULL };
    const char *b_event[] = { "s   B", NULL }; /* "1.507s   B→C ...": the time, then who */

    (void)state;
    start(100, 30);
    tmx_keys("v");
    free(wait_cursor_on(change));
    tmx_keys("/");
    tmx_type("B");
    tmx_keys("Enter");
    free(tmx_wait_for_all(node_b));
    tmx_keys("n");
    free(wait_cursor_on(b_event)); /* the next event shown is B's */
    tmx_stop();
}

/* q quits: exit status 0 and the shell's screen back, the viewer gone. */
static void
replay_tui_q_quits_cleanly(void **state)
{
    char *s;

    (void)state;
    start(80, 24);
    tmx_keys("q");
    tmx_wait_for("replay exited 0");
    s = tmx_screen();
    assert_non_null(strstr(s, "shell before"));
    assert_null(strstr(s, "event 1 of"));
    free(s);
    tmx_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replay_tui_shows_header_table_and_events),
        cmocka_unit_test(replay_tui_keys_move_the_cursor),
        cmocka_unit_test(replay_tui_c_lands_on_a_block_commit),
        cmocka_unit_test(replay_tui_v_finds_a_view_change_and_the_filter_keeps_one_node),
        cmocka_unit_test(replay_tui_q_quits_cleanly),
    };

    if (system("command -v tmux >/dev/null") != 0) {
        fprintf(stderr, "tmux is missing: run make deps\n");
        return 1;
    }
    return cmocka_run_group_tests_name("replay_tui", tests, setup, tu_teardown_dir);
}
