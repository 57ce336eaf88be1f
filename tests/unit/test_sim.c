/*
 * test_sim.c — the simulator (net/sim.h): virtual clock, seeded network, crashes, counters.
 *
 * The nodes here are the toy of tests/simutil.h: every `period` ms each node pings every other
 * node, counts its pings on its disk, and (if asked) answers a ping with a pong. What the nodes
 * receive is written into a "world" the test owns, which outlives crashes. Most tests also act
 * as a node themselves, sending through its env (su_send_as), to control exactly what is sent.
 *
 * Pins down: same seed, same digest, another seed another digest, and per-node random streams
 * that do not move when a node is added; events due at the same time run in the order they were
 * queued; timers fire at their virtual time, and reset and cancel work; drop=1 loses everything,
 * drop=0 nothing, dup=1 delivers twice, delays stay within their bounds, reordering happens only
 * on links that allow it; a partition stops traffic both ways and heal restores it; a crashed
 * node receives nothing and loses its timers, and after a restart reads back its disk; messages
 * on their way to a node that crashes are lost, and its timers stay dead after a restart; a node
 * that cannot start stays down; counters per link, group and module match what was sent;
 * garbage bytes and impossible destinations never crash the driver; sent bytes are copied; the
 * digest does not need the log. (Scripts and traces: test_sim_script.c.)
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "net/frame.h"
#include "net/sim.h"
#include "simutil.h"


static void
set_all_links(sim_t *sim, double drop, double dup, uint32_t lo, uint32_t hi, bool reorder)
{
    sim_link_t l = { drop, dup, lo, hi, reorder };

    assert_int_equal(sim_set_links(sim, &l), BL_OK);
}

/* ---- determinism ---- */

/* A 4-node ping-pong run for 3 s under a lossy, duplicating network; its digest. */
static void
digest_of_run(uint64_t seed, unsigned nnodes, uint8_t out[32], uint64_t first_random[SU_TOY_MAX])
{
    su_world_t *w = su_world_new(50, true);
    su_run_t run;

    su_open(&run, seed, nnodes, &su_toy_ops, w);
    set_all_links(run.sim, 0.1, 0.1, 1, 20, true);
    assert_int_equal(sim_start(run.sim), BL_OK);
    sim_run_for(run.sim, 3000);
    su_assert(&run, w->nrecs > 100);
    sim_digest(run.sim, out);
    memcpy(first_random, w->first_random, sizeof w->first_random);
    su_close(&run);
    su_world_free(w);
}

/* Same seed and scenario: the same digest, byte for byte. Another seed: another digest. Each
 * node's random stream depends on the seed and the node only: adding a node leaves the others'
 * numbers alone, while another seed changes them. */
static void
sim_same_seed_same_digest_other_seed_differs(void **state)
{
    uint8_t d1[32], d2[32], d3[32], d4[32];
    uint64_t r1[SU_TOY_MAX], r2[SU_TOY_MAX], r3[SU_TOY_MAX], r4[SU_TOY_MAX];
    uint64_t seed = su_seed(42);

    (void)state;
    digest_of_run(seed, 4, d1, r1);
    digest_of_run(seed, 4, d2, r2);
    digest_of_run(seed + 1, 4, d3, r3);
    digest_of_run(seed, 5, d4, r4);
    assert_memory_equal(d1, d2, 32);
    assert_memory_not_equal(d1, d3, 32);
    assert_memory_equal(r1, r2, 4 * sizeof r1[0]);
    assert_true(r1[0] != r3[0]);
    assert_memory_equal(r1, r4, 4 * sizeof r1[0]);
}

/* Events due at the same millisecond run in the order they were queued: three timers set for
 * the same time fire in the order they were set (in either order), and messages with the same
 * fixed delay arrive in the order they were sent even on a link that may reorder. */
static void
sim_ties_break_in_queue_order(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;
    env_t *e;

    (void)state;
    su_open(&run, su_seed(7), 2, &su_toy_ops, w);
    set_all_links(run.sim, 0, 0, 5, 5, true);
    assert_int_equal(sim_start(run.sim), BL_OK);
    e = sim_env(run.sim, 0);
    env_set_timer(e, 3, 10);
    env_set_timer(e, 1, 10);
    env_set_timer(e, 2, 10);
    for (uint32_t s = 1; s <= 20; s++)
        su_send_as(run.sim, 1, 0, SU_PKT_PLAIN, s);
    sim_run_for(run.sim, 100);
    su_assert(&run, w->nfires == 3);
    su_assert(&run, w->fires[0].id == 3 && w->fires[1].id == 1 && w->fires[2].id == 2);
    su_assert(&run, w->fires[0].time == 10 && w->fires[2].time == 10);
    su_assert(&run, w->nrecs == 20);
    for (size_t i = 0; i < w->nrecs; i++)
        su_assert(&run, w->recs[i].seq == i + 1 && w->recs[i].time == 5);
    su_close(&run);
    su_world_free(w);
}

/* ---- timers ---- */

/* A timer fires at now + after on the virtual clock; setting it again moves it; cancelling it
 * means it never fires; cancelling an unset id does nothing. The clock reads exactly the end
 * of sim_run_for even when nothing happens then. */
static void
sim_timers_fire_on_time_and_reset_and_cancel(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;
    env_t *e;

    (void)state;
    su_open(&run, su_seed(1), 1, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    e = sim_env(run.sim, 0);
    env_set_timer(e, 1, 100);
    env_set_timer(e, 2, 200);
    env_set_timer(e, 3, 300);
    env_cancel_timer(e, 99);
    env_set_timer(e, 4, UINT64_MAX); /* at the end of time, not wrapped round to the past */
    sim_run_for(run.sim, 50);
    su_assert(&run, sim_now(run.sim) == 50 && env_now(e) == 50);
    env_set_timer(e, 1, 500); /* moved to 550 */
    env_cancel_timer(e, 2);
    sim_run_for(run.sim, 950);
    su_assert(&run, sim_now(run.sim) == 1000);
    su_assert(&run, w->nfires == 2);
    su_assert(&run, w->fires[0].id == 3 && w->fires[0].time == 300);
    su_assert(&run, w->fires[1].id == 1 && w->fires[1].time == 550);
    su_assert(&run, su_count(&run, EV_TIMER_FIRED, 0) == 2);
    su_assert(&run, sim_pending(run.sim) == 1); /* timer 4 */
    env_cancel_timer(e, 4);
    su_assert(&run, !sim_step(run.sim)); /* nothing left: a cancelled timer is no event */
    su_assert(&run, sim_now(run.sim) == 1000 && w->nfires == 2);
    su_close(&run);
    su_world_free(w);
}

/* ---- the network ---- */

/* Node 0 sends n plain messages to each other node at the current time. */
static void
burst(sim_t *sim, unsigned nnodes, unsigned n)
{
    for (unsigned to = 1; to < nnodes; to++)
        for (uint32_t s = 1; s <= n; s++)
            su_send_as(sim, 0, to, SU_PKT_PLAIN, s);
}

/* drop=1 loses every message (each one logged as dropped by the network), drop=0 none. */
static void
sim_drop_one_loses_everything_drop_zero_nothing(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;
    sim_counts_t c;

    (void)state;
    su_open(&run, su_seed(3), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    set_all_links(run.sim, 1.0, 0, 1, 5, true);
    burst(run.sim, 3, 100);
    sim_run_for(run.sim, 100);
    su_assert(&run, w->nrecs == 0);
    c = sim_counts(run.sim, SIM_ANY, SIM_ANY, SIM_ANY, SIM_ANY);
    su_assert(&run, c.sent_msgs == 200 && c.dropped_msgs == 200 && c.delivered_msgs == 0);
    su_assert(&run, su_count_drops(&run, EV_DROP_NETWORK) == 200);
    set_all_links(run.sim, 0.0, 0, 1, 5, true);
    burst(run.sim, 3, 100);
    sim_run_for(run.sim, 100);
    su_assert(&run, w->nrecs == 200);
    su_assert(&run, su_received(w, 0, 1, 0, UINT64_MAX) == 100);
    su_close(&run);
    su_world_free(w);
}

/* dup=1: every message is sent once and arrives twice. */
static void
sim_duplicates_arrive_twice(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;
    sim_counts_t c;

    (void)state;
    su_open(&run, su_seed(4), 2, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    set_all_links(run.sim, 0, 1.0, 1, 5, true);
    burst(run.sim, 2, 50);
    sim_run_for(run.sim, 100);
    c = sim_counts(run.sim, 0, 1, SIM_ANY, SIM_ANY);
    su_assert(&run, c.sent_msgs == 50 && c.delivered_msgs == 100);
    su_assert(&run, w->nrecs == 100);
    for (uint32_t s = 1; s <= 50; s++) {
        size_t copies = 0;

        for (size_t i = 0; i < w->nrecs; i++)
            copies += w->recs[i].seq == s;
        su_assert(&run, copies == 2);
    }
    su_close(&run);
    su_world_free(w);
}

/* Every copy arrives after a delay within [min, max]; over many messages the delays spread
 * over the range (they are drawn, not fixed). */
static void
sim_delays_stay_within_bounds(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;
    uint64_t lo = UINT64_MAX, hi = 0;

    (void)state;
    su_open(&run, su_seed(5), 4, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    set_all_links(run.sim, 0, 0.2, 20, 30, true);
    for (int round = 0; round < 10; round++) {
        burst(run.sim, 4, 20);
        sim_run_for(run.sim, 7);
    }
    sim_run_for(run.sim, 100);
    su_assert(&run, w->nrecs >= 600);
    for (size_t i = 0; i < w->nrecs; i++) {
        uint64_t d = w->recs[i].time - w->recs[i].sent_at;

        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    su_assert(&run, lo == 20 && hi == 30);
    su_close(&run);
    su_world_free(w);
}

/* Whether the messages 0 -> 1 arrived out of the order they were sent. */
static bool
arrived_out_of_order(const su_world_t *w)
{
    for (size_t i = 1; i < w->nrecs; i++)
        if (w->recs[i].seq < w->recs[i - 1].seq)
            return true;
    return false;
}

/* With reorder allowed and delays of 1..50 ms, a stream of messages arrives out of order;
 * with reorder=no the same stream arrives in order (and, with dup=1, each duplicate right
 * behind its original or later, never before an earlier message). */
static void
sim_reorders_only_when_allowed(void **state)
{
    (void)state;
    for (int allowed = 0; allowed <= 1; allowed++) {
        su_world_t *w = su_world_new(0, false);
        su_run_t run;

        su_open(&run, su_seed(6), 2, &su_toy_ops, w);
        assert_int_equal(sim_start(run.sim), BL_OK);
        set_all_links(run.sim, 0, allowed ? 0 : 0.5, 1, 50, allowed);
        for (uint32_t s = 1; s <= 200; s++) {
            su_send_as(run.sim, 0, 1, SU_PKT_PLAIN, s);
            sim_run_for(run.sim, 1);
        }
        sim_run_for(run.sim, 100);
        su_assert(&run, w->nrecs >= 200);
        su_assert(&run, arrived_out_of_order(w) == (allowed == 1));
        su_close(&run);
        su_world_free(w);
    }
}

/* A partition {0,1} | {2,3} stops every message across the cut in both directions from the
 * moment it is made (messages already on their way included) while traffic on each side goes
 * on; heal restores traffic across. */
static void
sim_partition_stops_traffic_both_ways_and_heal_restores(void **state)
{
    su_world_t *w = su_world_new(10, true);
    su_run_t run;
    const unsigned side[4] = { 0, 0, 1, 1 };

    (void)state;
    su_open(&run, su_seed(8), 4, &su_toy_ops, w);
    set_all_links(run.sim, 0, 0, 1, 30, true);
    assert_int_equal(sim_start(run.sim), BL_OK);
    sim_run_for(run.sim, 1000);
    su_assert(&run, su_received(w, 0, 2, 0, 1000) > 0 && su_received(w, 3, 1, 0, 1000) > 0);
    sim_partition(run.sim, side);
    sim_run_for(run.sim, 1000);
    for (unsigned a = 0; a < 2; a++) {
        for (unsigned b = 2; b < 4; b++) {
            su_assert(&run, su_received(w, a, b, 1001, 2000) == 0);
            su_assert(&run, su_received(w, b, a, 1001, 2000) == 0);
        }
    }
    su_assert(&run, su_received(w, 0, 1, 1000, 2000) > 0 && su_received(w, 3, 2, 1000, 2000) > 0);
    su_assert(&run, su_count_drops(&run, EV_DROP_NETWORK) > 0);
    sim_heal(run.sim);
    sim_run_for(run.sim, 1000);
    su_assert(&run, su_received(w, 0, 3, 2000, 3000) > 0 && su_received(w, 2, 1, 2000, 3000) > 0);
    su_close(&run);
    su_world_free(w);
}

/* ---- crashes ---- */

/* A crashed node is gone (sim_node is NULL), receives nothing and its timers never fire; the
 * others go on. After a restart it is a new node that reads back from its disk exactly what it
 * had written, and starts pinging again. */
static void
sim_crashed_node_gets_nothing_and_restart_reads_its_disk(void **state)
{
    su_world_t *w = su_world_new(10, true);
    su_run_t run;
    uint64_t before;

    (void)state;
    su_open(&run, su_seed(9), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    sim_run_for(run.sim, 1000);
    su_assert(&run, w->written[2] > 50);
    assert_int_equal(sim_crash(run.sim, 2), BL_OK);
    before = w->written[2];
    su_assert(&run, sim_node(run.sim, 2) == NULL && sim_node(run.sim, 0) != NULL);
    sim_run_for(run.sim, 1000);
    su_assert(&run, su_received(w, SIM_ANY, 2, 1001, 2000) == 0);
    su_assert(&run, su_received(w, 2, SIM_ANY, 1010, 2000) == 0);
    su_assert(&run, w->written[2] == before);
    for (size_t i = 0; i < w->nfires; i++)
        su_assert(&run, w->fires[i].node != 2 || w->fires[i].time <= 1000);
    su_assert(&run, su_received(w, 0, 1, 1000, 2000) > 0);
    su_assert(&run, su_count_drops(&run, EV_DROP_DOWN) > 0);
    assert_int_equal(sim_restart(run.sim, 2), BL_OK);
    su_assert(&run, sim_node(run.sim, 2) != NULL && w->creates[2] == 2);
    su_assert(&run, w->restored[2] == before);
    sim_run_for(run.sim, 500);
    su_assert(&run, w->written[2] > before && su_received(w, 2, 0, 2000, 2500) > 0);
    su_assert(&run, su_count(&run, EV_NODE_CRASHED, 2) == 1);
    su_assert(&run, su_count(&run, EV_NODE_STARTED, 2) == 2);
    su_close(&run);
    su_world_free(w);
}

/* A crash also takes what was still coming to the node: a message on its way is lost and a
 * timer it had set never fires, even if the node is back before either was due (a restarted
 * node starts with fresh connections and no timers). */
static void
sim_crash_kills_messages_in_flight_and_timers(void **state)
{
    su_world_t *w = su_world_new(0, false);
    su_run_t run;

    (void)state;
    su_open(&run, su_seed(10), 2, &su_toy_ops, w);
    set_all_links(run.sim, 0, 0, 10, 10, true);
    assert_int_equal(sim_start(run.sim), BL_OK);
    su_send_as(run.sim, 0, 1, SU_PKT_PLAIN, 1);
    env_set_timer(sim_env(run.sim, 1), 7, 30);
    sim_run_for(run.sim, 2);
    assert_int_equal(sim_crash(run.sim, 1), BL_OK);
    assert_int_equal(sim_restart(run.sim, 1), BL_OK);
    su_send_as(run.sim, 0, 1, SU_PKT_PLAIN, 2);
    sim_run_for(run.sim, 50);
    su_assert(&run, w->nrecs == 1 && w->recs[0].seq == 2);
    su_assert(&run, su_count_drops(&run, EV_DROP_DOWN) == 1);
    su_assert(&run, w->nfires == 0);
    su_assert(&run, sim_crash(run.sim, 5) == BL_E_RANGE && sim_restart(run.sim, 5) == BL_E_RANGE);
    su_close(&run);
    su_world_free(w);
}

/* A node whose create fails stays down: sim_start says which and why but starts the others,
 * the failure is logged as a crash, messages to the node are dropped, and a later restart can
 * bring it up. */
static void
sim_failed_start_leaves_the_node_down(void **state)
{
    su_world_t *w = su_world_new(10, false);
    su_run_t run;

    (void)state;
    w->refuse[1] = true;
    su_open(&run, su_seed(18), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "node 1 did not start: toy node 1 refuses to start"));
    su_assert(&run, sim_node(run.sim, 0) && !sim_node(run.sim, 1) && sim_node(run.sim, 2));
    sim_run_for(run.sim, 100);
    su_assert(&run, su_received(w, SIM_ANY, 1, 0, 100) == 0);
    su_assert(&run, su_received(w, 0, 2, 0, 100) > 0);
    su_assert(&run, su_count(&run, EV_NODE_CRASHED, 1) == 1);
    su_assert(&run, su_count_drops(&run, EV_DROP_DOWN) > 0);
    w->refuse[1] = false;
    assert_int_equal(sim_restart(run.sim, 1), BL_OK);
    sim_run_for(run.sim, 100);
    su_assert(&run, su_received(w, SIM_ANY, 1, 100, 200) > 0);
    su_close(&run);
    su_world_free(w);
}

/* ---- counters ---- */

static void
send_frame(sim_t *sim, unsigned from, unsigned to, unsigned group, unsigned module,
           size_t *bytes)
{
    bl_buf_t b;

    bl_buf_init(&b);
    su_frame(&b, group, module, SU_PKT_PLAIN, 1, 0);
    env_send(sim_env(sim, from), to, b.data, b.len);
    *bytes = b.len;
    bl_buf_free(&b);
}

/* How many events of kind in the log are about (group, module). */
static size_t
events_of_group(su_run_t *run, ev_kind_t kind, unsigned group, unsigned module)
{
    ev_t evs[256];
    uint64_t after = 0;
    size_t got, n = 0;

    while ((got = evlog_read(run->log, after, evs, 256, NULL)) > 0) {
        for (size_t i = 0; i < got; i++)
            n += evs[i].kind == kind && evs[i].group == group && evs[i].module == module;
        after = evs[got - 1].seq;
    }
    return n;
}

/* The counters split messages and bytes by link, group and module as the frame headers say,
 * sent and delivered, with SIM_ANY summing; a frame that does not decode counts as group 0
 * module 0; so a test can prove no byte of group 2 ever reached node 2. The events of sending
 * and delivering carry the group and module too. */
static void
sim_counts_match_what_was_sent_per_link_group_module(void **state)
{
    su_world_t *w = su_world_new(0, false);
    const uint8_t junk[5] = { 1, 2, 3, 4, 5 };
    su_run_t run;
    sim_counts_t c;
    size_t len = 0;

    (void)state;
    su_open(&run, su_seed(11), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    for (int i = 0; i < 3; i++)
        send_frame(run.sim, 0, 1, 1, MODULE_PBFT, &len);
    for (int i = 0; i < 2; i++)
        send_frame(run.sim, 0, 1, 2, MODULE_TXPOOL, &len);
    send_frame(run.sim, 1, 0, 2, MODULE_TXPOOL, &len);
    send_frame(run.sim, 0, 2, 1, MODULE_SYNC, &len);
    env_send(sim_env(run.sim, 0), 2, junk, sizeof junk);
    sim_run_for(run.sim, 100);
    c = sim_counts(run.sim, 0, 1, 1, MODULE_PBFT);
    su_assert(&run, c.sent_msgs == 3 && c.delivered_msgs == 3 && c.sent_bytes == 3 * len);
    c = sim_counts(run.sim, 0, 1, 2, SIM_ANY);
    su_assert(&run, c.sent_msgs == 2 && c.delivered_bytes == 2 * len);
    c = sim_counts(run.sim, SIM_ANY, SIM_ANY, 2, MODULE_TXPOOL);
    su_assert(&run, c.delivered_msgs == 3);
    c = sim_counts(run.sim, SIM_ANY, 2, 2, SIM_ANY);
    su_assert(&run, c.sent_bytes == 0 && c.delivered_bytes == 0);
    c = sim_counts(run.sim, 0, 2, 0, 0);
    su_assert(&run, c.delivered_msgs == 1 && c.delivered_bytes == sizeof junk);
    c = sim_counts(run.sim, SIM_ANY, SIM_ANY, SIM_ANY, SIM_ANY);
    su_assert(&run, c.sent_msgs == 8 && c.delivered_msgs == 8 && c.dropped_msgs == 0);
    su_assert(&run, c.sent_bytes == 7 * len + sizeof junk);
    su_assert(&run, su_count(&run, EV_MSG_SENT, 0) == 7);
    su_assert(&run, su_count(&run, EV_MSG_DELIVERED, 1) == 5);
    su_assert(&run, events_of_group(&run, EV_MSG_SENT, 2, MODULE_TXPOOL) == 3);
    su_assert(&run, events_of_group(&run, EV_MSG_DELIVERED, 1, MODULE_PBFT) == 3);
    su_close(&run);
    su_world_free(w);
}

/* ---- bad input ---- */

/* Garbage of every length, headers that lie about their length, empty messages, messages to
 * oneself and to nodes that do not exist: the driver drops or delivers them and never
 * crashes; the nodes see the garbage as garbage. */
static void
sim_garbage_and_bad_destinations_never_crash(void **state)
{
    su_world_t *w = su_world_new(20, true);
    su_run_t run;
    bl_rng_t r;
    uint8_t buf[64];
    size_t garbage = 0;

    (void)state;
    su_open(&run, su_seed(12), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    bl_rng_seed(&r, 12);
    for (int i = 0; i < 500; i++) {
        size_t len = (size_t)bl_rng_below(&r, sizeof buf + 1);

        bl_rng_bytes(&r, buf, len);
        if (len >= 4 && i % 2 == 0)
            bl_put_be(buf, len, 4); /* a plausible length, then junk */
        env_send(sim_env(run.sim, (unsigned)(i % 3)), (unsigned)bl_rng_below(&r, 3), buf, len);
        sim_run_for(run.sim, 1);
    }
    env_send(sim_env(run.sim, 0), 0, buf, 8);
    env_send(sim_env(run.sim, 0), 3, buf, 8);
    env_send(sim_env(run.sim, 1), UINT32_MAX, buf, 8);
    env_send(sim_env(run.sim, 1), 2, buf, 0);
    sim_run_for(run.sim, 200);
    for (unsigned i = 0; i < 3; i++)
        garbage += w->garbage[i];
    su_assert(&run, garbage > 100);
    su_assert(&run, su_count_drops(&run, EV_DROP_NETWORK) >= 3);
    su_assert(&run, su_received(w, 0, 1, 400, 700) > 0); /* the pings went on */
    su_assert(&run, sim_env(run.sim, 3) == NULL && sim_node(run.sim, 3) == NULL);
    su_close(&run);
    su_world_free(w);
}

/* ---- running and replaying ---- */

static bool
node1_heard_ten(void *arg)
{
    return su_received(arg, SIM_ANY, 1, 0, UINT64_MAX) >= 10;
}

static bool
never(void *arg)
{
    (void)arg;
    return false;
}

/* sim_run_until stops as soon as the condition holds, or gives up at the limit with the clock
 * at the limit. */
static void
sim_run_until_stops_when_done_or_at_the_limit(void **state)
{
    su_world_t *w = su_world_new(100, false);
    su_run_t run;
    uint64_t t;

    (void)state;
    su_open(&run, su_seed(15), 3, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    su_assert(&run, sim_run_until(run.sim, node1_heard_ten, w, 10000));
    su_assert(&run, su_received(w, SIM_ANY, 1, 0, UINT64_MAX) == 10);
    su_assert(&run, sim_now(run.sim) > 400 && sim_now(run.sim) < 600);
    t = sim_now(run.sim);
    su_assert(&run, !sim_run_until(run.sim, never, NULL, 1000));
    su_assert(&run, sim_now(run.sim) == t + 1000);
    su_close(&run);
    su_world_free(w);
}

/* The network copies what it is handed: the sender may reuse its buffer at once. And the
 * digest is the same whether or not the run keeps an event log. */
static void
sim_send_copies_bytes_and_digest_needs_no_log(void **state)
{
    su_world_t *w = su_world_new(0, false);
    uint8_t d1[32], d2[32];
    bl_buf_t b;
    su_run_t run;
    sim_t *bare;

    (void)state;
    su_open(&run, su_seed(19), 2, &su_toy_ops, w);
    assert_int_equal(sim_start(run.sim), BL_OK);
    bl_buf_init(&b);
    su_frame(&b, SU_TOY_GROUP, SU_TOY_MODULE, SU_PKT_PLAIN, 77, 0);
    env_send(sim_env(run.sim, 0), 1, b.data, b.len);
    memset(b.data, 0xee, b.len);
    bl_buf_free(&b);
    sim_run_for(run.sim, 100);
    su_assert(&run, w->nrecs == 1 && w->recs[0].seq == 77);
    sim_digest(run.sim, d1);
    bare = sim_new(su_seed(19), 2, &su_toy_ops, w, NULL);
    assert_non_null(bare);
    assert_int_equal(sim_start(bare), BL_OK);
    bl_buf_init(&b);
    su_frame(&b, SU_TOY_GROUP, SU_TOY_MODULE, SU_PKT_PLAIN, 77, 0);
    env_send(sim_env(bare, 0), 1, b.data, b.len);
    bl_buf_free(&b);
    sim_run_for(bare, 100);
    sim_digest(bare, d2);
    assert_memory_equal(d1, d2, 32);
    assert_int_equal(sim_write_trace(bare, "/dev/null"), BL_OK);
    sim_free(bare);
    su_close(&run);
    su_world_free(w);
}

/* Nonsense parameters are refused, not obeyed. */
static void
sim_refuses_bad_parameters(void **state)
{
    su_world_t *w = su_world_new(0, false);
    endpoint_ops_t half = { .create = su_toy_ops.create };
    sim_link_t l = sim_link_default();
    su_run_t run;

    (void)state;
    assert_null(sim_new(1, 0, &su_toy_ops, w, NULL));
    assert_null(sim_new(1, SIM_MAX_NODES + 1, &su_toy_ops, w, NULL));
    assert_null(sim_new(1, 2, &half, w, NULL));
    su_open(&run, su_seed(17), 2, &su_toy_ops, w);
    l.drop = -0.1;
    assert_int_equal(sim_set_links(run.sim, &l), BL_E_INVALID);
    l = sim_link_default();
    l.delay_min_ms = 9;
    l.delay_max_ms = 8;
    assert_int_equal(sim_set_link(run.sim, 0, 1, &l), BL_E_INVALID);
    assert_int_equal(sim_set_link(run.sim, 0, 2, &l), BL_E_RANGE);
    su_assert(&run, sim_get_link(run.sim, 0, 1).delay_max_ms == SIM_DELAY_MAX_DEFAULT);
    su_close(&run);
    su_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sim_same_seed_same_digest_other_seed_differs),
        cmocka_unit_test(sim_ties_break_in_queue_order),
        cmocka_unit_test(sim_timers_fire_on_time_and_reset_and_cancel),
        cmocka_unit_test(sim_drop_one_loses_everything_drop_zero_nothing),
        cmocka_unit_test(sim_duplicates_arrive_twice),
        cmocka_unit_test(sim_delays_stay_within_bounds),
        cmocka_unit_test(sim_reorders_only_when_allowed),
        cmocka_unit_test(sim_partition_stops_traffic_both_ways_and_heal_restores),
        cmocka_unit_test(sim_crashed_node_gets_nothing_and_restart_reads_its_disk),
        cmocka_unit_test(sim_crash_kills_messages_in_flight_and_timers),
        cmocka_unit_test(sim_failed_start_leaves_the_node_down),
        cmocka_unit_test(sim_counts_match_what_was_sent_per_link_group_module),
        cmocka_unit_test(sim_garbage_and_bad_destinations_never_crash),
        cmocka_unit_test(sim_run_until_stops_when_done_or_at_the_limit),
        cmocka_unit_test(sim_send_copies_bytes_and_digest_needs_no_log),
        cmocka_unit_test(sim_refuses_bad_parameters),
    };

    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
