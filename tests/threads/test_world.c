/*
 * test_world.c — the visualizer's world and model on real threads (viz/world.h, viz/model.h):
 * what the TUI relies on, checked without a terminal, and run under ThreadSanitizer too (the
 * UI thread reads the event log and takes snapshots while four node threads run).
 *
 * Real threads need real time: each check polls with a deadline instead of sleeping a fixed
 * time.
 */
#include "testutil.h"

#include <string.h>
#include <time.h>

#include "model.h"
#include "world.h"

#define DEADLINE_MS 30000
#define TICK_MS 20

static void
tick(world_t *w, model_t *m)
{
    struct timespec t = { 0, TICK_MS * 1000000L };

    nanosleep(&t, NULL);
    world_advance(w, TICK_MS);
    model_update(m, true);
}

/* Wait until group k's top passes h (fails the test at the deadline). */
static void
wait_top(world_t *w, model_t *m, unsigned k, int64_t h)
{
    for (unsigned waited = 0; m->g[k].top <= h; waited += TICK_MS) {
        if (waited > DEADLINE_MS)
            fail_msg("group %u stayed at height %lld (wanted > %lld)", m->g[k].id,
                     (long long)m->g[k].top, (long long)h);
        tick(w, m);
    }
}

static world_t *
open_world(void)
{
    world_opts_t o = world_default_opts();
    world_t *w;

    o.rate = 20; /* a little load: under ThreadSanitizer signing is slow */
    w = world_open(&o);
    assert_non_null(w);
    return w;
}

/* The course's layout on threads: both groups commit, C and D never host group 2, the model's
 * blocks are each node's real blocks linked by hash, and the latency samples are filled. */
static void
world_runs_pbft_and_raft_groups_and_the_model_follows(void **state)
{
    world_t *w = open_world();
    model_t m;

    (void)state;
    model_init(&m, w);
    wait_top(w, &m, 0, 3);
    wait_top(w, &m, 1, 3);
    assert_false(m.g[1].m[2].member);
    assert_false(m.g[1].m[3].member);
    assert_true(m.g[0].m[3].member);
    for (int64_t n = 1; n <= 3; n++) {
        const model_block_t *b = model_block(&m, 0, n), *parent = model_block(&m, 0, n - 1);

        assert_non_null(b);
        assert_non_null(parent);
        assert_memory_equal(b->parent, parent->hash, 32);
        assert_true(b->sealer >= 0);
        assert_true(b->nsigs >= model_quorum(&m, 0));
    }
    wait_top(w, &m, 0, m.g[0].top + 2);
    assert_true(model_latency(&m, 0, 50) >= 0);
    assert_true(m.g[0].committed_txs > 0);
    model_free(&m);
    world_close(w);
}

/* Pausing threads stops the cluster's clock and its commits; resuming goes on. */
static void
paused_world_commits_nothing(void **state)
{
    world_t *w = open_world();
    model_t m;
    int64_t top;
    uint64_t clock;

    (void)state;
    model_init(&m, w);
    wait_top(w, &m, 0, 1);
    world_set_paused(w, true);
    tick(w, &m);
    top = m.g[0].top;
    clock = world_now(w);
    for (int i = 0; i < 25; i++)
        tick(w, &m);
    assert_int_equal(m.g[0].top, top);
    assert_int_equal(world_now(w), clock);
    world_set_paused(w, false);
    wait_top(w, &m, 0, top);
    model_free(&m);
    world_close(w);
}

/* A crashed node stops at its height while the others (n − f = 3 of 4) go on; restarted, it
 * catches up from its disk and by sync. */
static void
crashed_node_falls_behind_and_catches_up_after_restart(void **state)
{
    world_t *w = open_world();
    model_t m;
    int64_t at_crash;

    (void)state;
    model_init(&m, w);
    wait_top(w, &m, 0, 1);
    world_crash(w, 3);
    assert_false(world_node_up(w, 3));
    tick(w, &m);
    at_crash = m.g[0].m[3].height;
    wait_top(w, &m, 0, at_crash + 2);
    assert_int_equal(m.g[0].m[3].height, at_crash);
    world_restart(w, 3);
    for (unsigned waited = 0; m.g[0].m[3].height < at_crash + 2; waited += TICK_MS) {
        if (waited > DEADLINE_MS)
            fail_msg("node D stayed at %lld after its restart", (long long)m.g[0].m[3].height);
        tick(w, &m);
    }
    model_free(&m);
    world_close(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(world_runs_pbft_and_raft_groups_and_the_model_follows),
        cmocka_unit_test(paused_world_commits_nothing),
        cmocka_unit_test(crashed_node_falls_behind_and_catches_up_after_restart),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
