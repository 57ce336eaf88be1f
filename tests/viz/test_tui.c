/*
 * test_tui.c — the TUI driven as a user drives it: `bcoslab demo --sim` inside tmux, keys sent
 * with send-keys, the screen read back with capture-pane (issue #7's "Done when").
 *
 * The demo runs the simulator (the same run for the same seed) at real-time pace, so each
 * check polls the screen until what it waits for shows up, with a deadline; a failure prints
 * the screen it last saw. Checked at 80×24 (one view at a time) and 200×50 (four panes).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmuxutil.h"

static void
keys(const char *k)
{
    tmx_keys(k);
}

static void
wait_for(const char *want)
{
    tmx_wait_for(want);
}

/* The number after `label` on the screen ("height 12" -> 12), -1 if absent. */
static long
number_after(const char *s, const char *label)
{
    const char *p = strstr(s, label);

    return p != NULL ? strtol(p + strlen(label), NULL, 10) : -1;
}

static long
chain_height(void)
{
    char *s = tmx_screen();
    long h = number_after(s, "· height ");

    free(s);
    return h;
}

/* Wait until the chain view's height passes `than`. */
static long
wait_height_above(long than)
{
    long h = -1;

    for (unsigned waited = 0; waited <= TMX_WAIT_MS; waited += TMX_POLL_MS) {
        if ((h = chain_height()) > than)
            return h;
        tmx_pause_ms(TMX_POLL_MS);
    }
    fail_msg("the height stayed at %ld (wanted more than %ld)", h, than);
    return h;
}

/* The demo on the simulator, in a cols x lines terminal, after a line the quit test looks for
 * (the terminal must show it again once the TUI is gone). */
static void
start(int cols, int lines, const char *args)
{
    char cmd[600];
    const char *bin = getenv("BL_BIN");

    assert_non_null(bin);
    snprintf(cmd, sizeof cmd, "printf 'shell before\\n'; %s demo --sim %s; echo demo exited "
             "$?; sleep 60", bin, args);
    tmx_start("bltui", cols, lines, cmd, "1 Chain");
}

static void
stop(void)
{
    tmx_stop();
}

/* Every view shows what the running chain really holds (issue #7): cars with hashes and
 * sealers, the membership matrix with group 2 invisible to C and D, the PBFT quorum, a DAG
 * with levels, Raft roles, and statistics. */
static void
check_every_view(void)
{
    const char *chain[] = { "◀─", "tips  A▸#", "parentHash   0x", "signatures 3 (quorum 3)", NULL };
    const char *groups[] = { "group 1 · pbft · 4 nodes", "group 2 · raft · 2 nodes",
                             "never sees it", "sealer", NULL };
    const char *pbft[] = { "quorum n − f = 3", "leader", "CommitReq", NULL };
    const char *dag[] = { "edges", "worker 1 │", "L0", "over serial", NULL };
    const char *raft[] = { "5 Raft · group 2", "leader", "follower", "AppendEntries", NULL };
    const char *stats[] = { "TPS", "commit latency p50", "msgs/s", NULL };

    wait_height_above(2);
    keys("1");
    free(tmx_wait_for_all(chain));
    keys("2");
    free(tmx_wait_for_all(groups));
    keys("3");
    free(tmx_wait_for_all(pbft));
    keys("4");
    free(tmx_wait_for_all(dag));
    keys("g");
    keys("5");
    free(tmx_wait_for_all(raft));
    keys("g");
    keys("6");
    free(tmx_wait_for_all(stats));
    keys("1");
}

static void
tui_every_view_shows_real_data_at_80x24(void **state)
{
    (void)state;
    start(80, 24, "--seed 3");
    check_every_view();
    stop();
}

static void
tui_every_view_shows_real_data_at_200x50(void **state)
{
    const char *panes[] = { "1 Chain", "2 Groups", "3 PBFT", "6 Stats", NULL };

    (void)state;
    start(200, 50, "--seed 4");
    free(tmx_wait_for_all(panes)); /* four panes at once on a big terminal */
    check_every_view();
    stop();
}

/* Space pauses the simulator: the clock and the heights stand still until space again. */
static void
tui_pause_freezes_the_heights(void **state)
{
    long before, after;
    char *a, *b;

    (void)state;
    start(80, 24, "--seed 5");
    wait_height_above(1);
    keys("Space");
    wait_for("PAUSED");
    a = tmx_screen();
    before = number_after(a, "· height ");
    tmx_pause_ms(1500);
    b = tmx_screen();
    after = number_after(b, "· height ");
    assert_int_equal(before, after);
    assert_int_equal(number_after(a, "t="), number_after(b, "t="));
    free(a);
    free(b);
    keys("Space");
    wait_height_above(after);
    stop();
}

/* c crashes the selected node: the groups view says it is down, and the other three (n − f)
 * go on committing; c again brings it back and it catches up. */
static void
tui_crashed_node_shows_down_while_others_commit(void **state)
{
    long h;

    (void)state;
    start(80, 24, "--seed 6");
    wait_height_above(1);
    keys("Up"); /* from A up to D */
    keys("c");
    keys("2");
    wait_for("D      down");
    keys("1");
    h = chain_height();
    wait_height_above(h + 2);
    wait_for("D▸#");
    keys("c");
    keys("2");
    wait_for("D      up");
    stop();
}

/* p cuts the selected node off; the other three still make a quorum; p again heals it. */
static void
tui_partition_and_heal(void **state)
{
    long h;

    (void)state;
    start(80, 24, "--seed 8");
    wait_height_above(1);
    keys("Down");
    keys("Down"); /* C */
    keys("p");
    keys("2");
    wait_for("C      cut off");
    keys("1");
    h = chain_height();
    wait_height_above(h + 2);
    wait_for("(cut off)");
    keys("p");
    keys("2");
    wait_for("C      up");
    keys("1");
    wait_for("tips  A▸#");
    stop();
}

/* A silent sealer: when its turn to lead comes, nobody gets a Prepare, the others time out and
 * move to the next view — and the PBFT view shows it. */
static void
tui_byzantine_leader_causes_a_view_change_in_the_pbft_view(void **state)
{
    const char *seen[] = { "asks for view", "moved to view", NULL };

    (void)state;
    start(200, 50, "--seed 9");
    wait_height_above(1);
    keys("Down"); /* B */
    keys("b");    /* honest -> silent */
    keys("3");
    free(tmx_wait_for_all(seen));
    wait_for("silent");
    stop();
}

/* `:` runs the console's commands (issue #8) and shows the answer over the views; a key closes
 * it. getSealerList answers with the four sealers' node IDs. */
static void
tui_colon_runs_a_console_command(void **state)
{
    (void)state;
    start(200, 50, "--seed 11");
    wait_height_above(1);
    keys(":");
    keys("getSealerList");
    keys("Enter");
    wait_for("console (any key closes)");
    wait_for("│     \"");  /* the node IDs, one per line */
    keys("x");
    keys(":");
    keys("getBlockNumber");
    keys("Enter");
    wait_for("console (any key closes)");
    keys("x");
    stop();
}

/* q leaves the TUI and gives the terminal back as it was. */
static void
tui_quit_restores_the_terminal(void **state)
{
    char *s;

    (void)state;
    start(80, 24, "--seed 10");
    keys("q");
    wait_for("demo exited 0");
    s = tmx_screen();
    assert_non_null(strstr(s, "shell before"));
    assert_null(strstr(s, "1 Chain"));
    free(s);
    stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tui_every_view_shows_real_data_at_80x24),
        cmocka_unit_test(tui_every_view_shows_real_data_at_200x50),
        cmocka_unit_test(tui_pause_freezes_the_heights),
        cmocka_unit_test(tui_crashed_node_shows_down_while_others_commit),
        cmocka_unit_test(tui_partition_and_heal),
        cmocka_unit_test(tui_byzantine_leader_causes_a_view_change_in_the_pbft_view),
        cmocka_unit_test(tui_colon_runs_a_console_command),
        cmocka_unit_test(tui_quit_restores_the_terminal),
    };

    if (system("command -v tmux >/dev/null") != 0) {
        fprintf(stderr, "tmux is missing: run make deps\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
