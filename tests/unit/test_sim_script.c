/*
 * test_sim_script.c — the simulator's fault scripts and traces (net/sim.h, net/sim_script.c).
 *
 * The nodes are the toy of tests/simutil.h (they ping each other every `period` ms).
 *
 * Pins down: bad scripts are refused whole, naming the line and the problem, and queue nothing;
 * a good script crashes, restarts, partitions, heals and changes links at the times it says,
 * changing only the link fields it names; "crash random" and "restart random" are drawn from
 * the seed's fault stream; a trace holds the seed, the digest and every event.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/sim.h"
#include "simutil.h"

/* Scripts that are wrong are refused whole, naming the line and the problem; nothing of them
 * is queued. */
static void
sim_bad_scripts_are_refused_with_their_line_number(void **state)
{
    static const struct {
        const char *script, *why;
    } bad[] = {
        { "at 10 crash 1\nat 20 explode 1\n", "line 2: unknown action 'explode'" },
        { "# fine\n\nat 10 crash 9\n", "line 3: there is no node 9" },
        { "crash 1\n", "line 1: a line starts with 'at TIME'" },
        { "at soon crash 1\n", "line 1: 'soon' is not a time" },
        { "at 10\n", "line 1: 'at TIME' needs an action" },
        { "at 10 crash\n", "line 1: 'crash' takes one node number" },
        { "at 99999999999999999999999 heal\n", "line 1: '99999999999999999999999' is not a time" },
        { "at 10 heal now\n", "line 1: 'heal' takes no arguments" },
        { "at 1 heal\nat 10 partition 0,1|1,2\n", "line 2: partition: node 1 is on two sides" },
        { "at 10 partition 0,,1\n", "line 1: partition: an empty node name" },
        { "at 10 link 0-1 drop=0.5\n", "line 1: 'link' needs FROM->TO" },
        { "at 10 link 0->0 drop=0.5\n", "line 1: link 0->0: a node does not send to itself" },
        { "at 10 link 0->1 drop=1.5\n", "line 1: drop=1.5: a probability" },
        { "at 10 links dup=x\n", "line 1: dup=x: a probability" },
        { "at 10 links delay=50..5\n", "line 1: delay=50..5: the minimum is above" },
        { "at 10 links delay=a..5\n", "line 1: delay=a..5: expected MIN..MAX" },
        { "at 10 links reorder=maybe\n", "line 1: reorder=maybe: expected yes or no" },
        { "at 10 links speed=9\n", "line 1: unknown link setting 'speed'" },
        { "at 10 links\n", "line 1: 'links' names nothing to change" },
        { "at 10 links drop\n", "line 1: 'drop' is not key=value" },
    };
    su_world_t *w = su_world_new(0, false);
    su_run_t run;

    (void)state;
    su_open(&run, su_seed(13), 3, &su_toy_ops, w);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sim_script(run.sim, bad[i].script);

        if (rc != BL_E_INVALID || strstr(bl_errmsg(), bad[i].why) == NULL)
            fail_msg("script %zu: got %d '%s', wanted '%s'", i, rc, bl_errmsg(), bad[i].why);
        su_assert(&run, sim_pending(run.sim) == 0);
    }
    sim_run_for(run.sim, 100);
    assert_int_equal(sim_script(run.sim, "at 50 heal\n"), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "line 1: time 50 is in the past"));
    su_close(&run);
    su_world_free(w);
}

/* A good script does what it says, when it says: crash and restart at their times, a partition
 * that cuts traffic until heal, link settings that change only the fields they name. */
static void
sim_script_runs_faults_at_their_times(void **state)
{
    static const char script[] =
        "# a small nemesis\n"
        "at 0 links delay=2..4   # every link\n"
        "at 0 link 0->1 drop=0.5 reorder=no\n"
        "at 1000 crash 2\n"
        "at 1500 restart 2\n"
        "at 2000 partition 0|1,2\n"
        "at 3000 heal\n";
    su_world_t *w = su_world_new(10, false);
    su_run_t run;
    sim_link_t l;

    (void)state;
    su_open(&run, su_seed(14), 3, &su_toy_ops, w);
    assert_int_equal(sim_script(run.sim, script), BL_OK);
    assert_int_equal(sim_start(run.sim), BL_OK);
    sim_run_for(run.sim, 999);
    l = sim_get_link(run.sim, 0, 1);
    su_assert(&run, l.drop == 0.5 && !l.reorder && l.delay_min_ms == 2 && l.delay_max_ms == 4);
    l = sim_get_link(run.sim, 2, 1);
    su_assert(&run, l.drop == 0 && l.reorder && l.delay_min_ms == 2 && l.delay_max_ms == 4);
    su_assert(&run, sim_node(run.sim, 2) != NULL);
    sim_run_for(run.sim, 1);
    su_assert(&run, sim_node(run.sim, 2) == NULL);
    sim_run_for(run.sim, 500);
    su_assert(&run, sim_node(run.sim, 2) != NULL && w->creates[2] == 2);
    su_assert(&run, su_received(w, SIM_ANY, 2, 1000, 1500) == 0);
    sim_run_for(run.sim, 2000);
    su_assert(&run, su_received(w, 0, 2, 2000, 3000) == 0 && su_received(w, 2, 0, 2000, 3000) == 0);
    su_assert(&run, su_received(w, 1, 2, 2000, 3000) > 0);
    su_assert(&run, su_received(w, 2, 0, 3000, 3500) > 0);
    su_close(&run);
    su_world_free(w);
}

/* Which nodes are down after each of a script's random crashes and restarts. */
static void
random_faults(uint64_t seed, unsigned down[3])
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;

    su_open(&run, seed, 5, &su_toy_ops, w);
    assert_int_equal(sim_script(run.sim, "at 100 crash random\n"
                                         "at 200 crash random\n"
                                         "at 300 restart random\n"), BL_OK);
    assert_int_equal(sim_start(run.sim), BL_OK);
    for (int k = 0; k < 3; k++) {
        sim_run_for(run.sim, 100);
        down[k] = 0;
        for (unsigned i = 0; i < 5; i++)
            down[k] |= (sim_node(run.sim, i) == NULL) << i;
    }
    su_close(&run);
    su_world_free(w);
}

static unsigned
bits(unsigned x)
{
    unsigned n = 0;

    for (; x != 0; x >>= 1)
        n += x & 1;
    return n;
}

/* "crash random" crashes one node that is up and "restart random" restarts one that is down,
 * both drawn from the fault stream: the same seed picks the same nodes, and over a few seeds
 * different nodes are picked. */
static void
sim_random_faults_come_from_the_seed(void **state)
{
    unsigned a[3], b[3], first_seen = 0;
    uint64_t seed = su_seed(20);

    (void)state;
    random_faults(seed, a);
    random_faults(seed, b);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(bits(a[0]), 1);
    assert_int_equal(bits(a[1]), 2);
    assert_int_equal(bits(a[2]), 1);
    assert_true((a[0] & a[1]) == a[0] && (a[2] & a[1]) == a[2]);
    for (uint64_t k = 0; k < 10; k++) {
        random_faults(seed + k, b); /* wraps round at the top: still ten seeds */
        first_seen |= b[0];
    }
    assert_true(bits(first_seen) >= 2);
}

/* The trace starts with the seed and the digest and holds every event, one line each. */
static void
sim_trace_holds_seed_digest_and_events(void **state)
{
    su_world_t *w = su_world_new(100, false);
    su_run_t run;
    char path[256], *text;
    size_t len, lines = 0;
    uint64_t seed = su_seed(16);
    char want[64];

    (void)state;
    su_open(&run, seed, 2, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    sim_run_for(run.sim, 1000);
    snprintf(path, sizeof path, "%s/sim.trace", tu_dir);
    assert_int_equal(sim_write_trace(run.sim, path), BL_OK);
    text = tu_read_file(path, &len);
    snprintf(want, sizeof want, "seed=%llu nodes=2 now=1000\ndigest=", (unsigned long long)seed);
    assert_true(strncmp(text, want, strlen(want)) == 0);
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    su_assert(&run, lines == 2 + evlog_last(run.log));
    assert_non_null(strstr(text, "NODE_STARTED"));
    assert_non_null(strstr(text, "MSG_DELIVERED"));
    free(text);
    assert_int_equal(sim_write_trace(run.sim, "/nonexistent/dir/x.trace"), BL_E_IO);
    su_close(&run);
    su_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sim_bad_scripts_are_refused_with_their_line_number),
        cmocka_unit_test(sim_script_runs_faults_at_their_times),
        cmocka_unit_test(sim_random_faults_come_from_the_seed),
        cmocka_unit_test(sim_trace_holds_seed_digest_and_events),
    };

    return cmocka_run_group_tests_name("sim_script", tests, tu_setup_dir, tu_teardown_dir);
}
