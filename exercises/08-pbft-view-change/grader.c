/*
 * grader.c — exercise 08, PBFT view change (lesson 08-pbft).
 *
 * First the student's two functions meet known answers for each rule of fisco-2x-facts §2.5:
 * a timeout asks for toView + 1 and makes the next wait 1.5 times longer (at most 20 times);
 * more than f other sealers asking for higher views pull a sealer along (fast view change);
 * n - f asks for exactly toView switch the view. Then they replace the engine's own rules
 * (pbft_view_rules, pbft.h) in simulated 4-sealer clusters whose leader crashes, falls silent
 * behind a partition, or whose one sealer lags views behind; the chain must go on and every
 * node must hold the same blocks. A failing cluster test prints its seed and writes
 * cluster-<seed>.trace.
 */
#include "grade.h"

#include "clusterutil.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "node/group.h"
#include "pbft_view_change.h"

#define G 1
#define LIMIT_MS 60000
#define TIP 10            /* my highest block in the known-answer inputs */
#define MAX_EVENTS 3000000 /* more than this in one cluster run: the rules flood the network */

/* ---- known answers ---- */

/* §2.5 TimeManager: 3000 ms x 1.5^changeCycle, changeCycle at most 20. */
static void
view_timeout_grows_by_half_up_to_twenty_cycles(void **state)
{
    static const struct {
        unsigned cycle;
        uint64_t ms;
    } cases[] = {
        { 0, 3000 },      { 1, 4500 },      { 2, 6750 },       { 3, 10125 },
        { 4, 15187 },     { 5, 22781 },     { 6, 34171 },      { 10, 172995 },
        { 19, 6650513 },  { 20, 9975770 },  { 21, 9975770 },   { 1000, 9975770 },
        { 4000000000u, 9975770 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t got = ex_view_timeout_ms(cases[i].cycle);
        uint64_t slack = cases[i].ms / 10000; /* rounding down at every step is fine */
        uint64_t diff = got > cases[i].ms ? got - cases[i].ms : cases[i].ms - got;

        if (diff > slack)
            fail_msg("ex_view_timeout_ms(%u) = %llu, expected %llu", cases[i].cycle,
                     (unsigned long long)got, (unsigned long long)cases[i].ms);
    }
}

/* A sealer's situation: n sealers, I am `me`, in view `view`, last asked for `to_view`, my
 * timer fired twice at this height; the asks are filled in by the test. */
static pbft_view_input_t
situation(size_t n, uint64_t me, uint64_t view, uint64_t to_view, bool timed_out)
{
    pbft_view_input_t in = { .n = n, .me = me, .tip = TIP, .view = view, .to_view = to_view,
                             .change_cycle = 2, .timed_out = timed_out };

    return in;
}

static pbft_view_ask_t
ask(uint64_t sealer, uint64_t view)
{
    pbft_view_ask_t a = { .sealer = sealer, .view = view, .height = TIP };

    return a;
}

static void
expect(const pbft_view_input_t *in, const pbft_view_ask_t *asks, size_t nasks,
       uint64_t to_view, unsigned cycle, bool asked, bool switched, const char *what)
{
    pbft_view_input_t copy = *in;
    pbft_view_decision_t out;

    copy.asks = asks;
    copy.nasks = nasks;
    memset(&out, 0xa5, sizeof out); /* every field must be written */
    ex_view_decide(&copy, &out);
    if (out.to_view != to_view || out.change_cycle != cycle || out.ask != asked ||
        out.switch_view != switched)
        fail_msg("%s:\n  got      to_view=%llu change_cycle=%u ask=%d switch_view=%d\n"
                 "  expected to_view=%llu change_cycle=%u ask=%d switch_view=%d",
                 what, (unsigned long long)out.to_view, out.change_cycle, (int)out.ask,
                 (int)out.switch_view, (unsigned long long)to_view, cycle, (int)asked,
                 (int)switched);
}

/* §2.5 checkTimeout: on a timeout toView += 1 (one above the last view asked for, not above
 * the current view) and changeCycle += 1, up to 20. */
static void
timeout_asks_for_the_view_after_the_last_one_asked(void **state)
{
    pbft_view_input_t in = situation(4, 0, 0, 0, true);
    pbft_view_ask_t a[4];

    (void)state;
    in.change_cycle = 0;
    expect(&in, NULL, 0, 1, 1, true, false, "view 0, nothing asked yet, first timeout");
    in = situation(4, 0, 2, 4, true);
    in.change_cycle = 3;
    expect(&in, NULL, 0, 5, 4, true, false, "view 2, asked for 4 already, a timeout");
    in.change_cycle = 19;
    expect(&in, NULL, 0, 5, 20, true, false, "the 20th timeout");
    in.change_cycle = 20;
    expect(&in, NULL, 0, 5, 20, true, false, "a timeout after 20 (changeCycle stays 20)");
    in = situation(4, 0, 0, 0, true);
    a[0] = ask(1, 1);
    a[1] = ask(2, 1);
    expect(&in, a, 2, 1, 3, true, false, "a timeout; sealers 1 and 2 ask for view 1 too");
    a[2] = ask(3, 1);
    expect(&in, a, 3, 1, 3, true, true,
           "a timeout; sealers 1, 2 and 3 ask for view 1 too (n - f = 3: switch)");
}

/* §2.5 checkAndChangeView: n - f asks for exactly toView, from sealers not behind me, move me
 * to it; fewer, asks for other views, or asks of sealers behind me do not. */
static void
switch_needs_n_minus_f_asks_for_exactly_to_view(void **state)
{
    pbft_view_input_t in = situation(4, 0, 0, 1, false);
    pbft_view_ask_t a[6];

    (void)state;
    expect(&in, NULL, 0, 1, 2, false, false, "no asks at all");
    a[0] = ask(0, 1);
    a[1] = ask(1, 1);
    expect(&in, a, 2, 1, 2, false, false, "2 of 4 ask for view 1 (mine included)");
    a[2] = ask(3, 2);
    expect(&in, a, 3, 1, 2, false, false, "2 of 4 ask for view 1, 1 for view 2");
    a[2] = ask(2, 1);
    a[2].height = TIP - 1;
    expect(&in, a, 3, 1, 2, false, false, "3 ask for view 1, but sealer 2 is a block behind");
    a[2].height = TIP + 1;
    expect(&in, a, 3, 1, 2, false, true, "3 ask for view 1, sealer 2 a block ahead");
    a[2].height = TIP;
    expect(&in, a, 3, 1, 2, false, true, "3 of 4 ask for view 1 (mine included)");
    a[0] = ask(3, 1);
    expect(&in, a, 3, 1, 2, false, true, "sealers 1, 2, 3 ask for view 1 (mine not among them)");
    in = situation(4, 0, 1, 1, false);
    expect(&in, a, 3, 1, 2, false, false, "3 ask for view 1, and I am in view 1 already");
    in = situation(5, 4, 0, 1, false);
    a[0] = ask(0, 1);
    a[1] = ask(1, 1);
    a[2] = ask(4, 1);
    expect(&in, a, 3, 1, 2, false, false, "3 of 5 ask for view 1 (n - f = 4, not 2f + 1)");
    a[3] = ask(2, 1);
    expect(&in, a, 4, 1, 2, false, true, "4 of 5 ask for view 1");
}

/* §2.5 fast view change (PBFTReqCache::canTriggerViewChange): asks for views above my toView
 * from MORE than f other sealers, not behind me, make me ask for the lowest of those views at
 * once; f of them may be liars, so f are not enough, and my own ask never counts. */
static void
fast_view_change_needs_more_than_f_other_sealers(void **state)
{
    pbft_view_input_t in = situation(4, 3, 0, 0, false);
    pbft_view_ask_t a[7];

    (void)state;
    a[0] = ask(0, 2);
    expect(&in, a, 1, 0, 2, false, false, "n = 4: sealer 0 alone asks for view 2");
    a[1] = ask(1, 3);
    expect(&in, a, 2, 2, 2, true, false, "n = 4: sealers 0, 1 ask for views 2, 3");
    a[1].height = TIP - 1;
    expect(&in, a, 2, 0, 2, false, false, "the same, but sealer 1 is a block behind me");
    a[1] = ask(3, 3);
    expect(&in, a, 2, 0, 2, false, false, "sealer 0 and I ask for views 2, 3");
    in = situation(4, 3, 0, 2, false);
    a[0] = ask(0, 2);
    a[1] = ask(1, 2);
    expect(&in, a, 2, 2, 2, false, false, "sealers 0, 1 ask for view 2, which I asked for too");
    a[2] = ask(2, 5);
    expect(&in, a, 3, 2, 2, false, false, "and sealer 2 for view 5: one above my toView");
    a[0] = ask(0, 4);
    expect(&in, a, 3, 4, 2, true, false, "sealers 0 and 2 ask for views 4 and 5: I ask for 4");
    in = situation(4, 3, 0, 0, false);
    a[0] = ask(0, 1);
    a[1] = ask(1, 1);
    a[2] = ask(2, 1);
    expect(&in, a, 3, 1, 2, true, true,
           "the three others ask for view 1: I ask for it, and it has its n - f");
    in = situation(7, 0, 0, 0, false);
    a[0] = ask(1, 3);
    a[1] = ask(2, 4);
    expect(&in, a, 2, 0, 2, false, false, "n = 7 (f = 2): two others ask for higher views");
    a[2] = ask(6, 6);
    expect(&in, a, 3, 3, 2, true, false, "n = 7: three others ask for views 3, 4, 6");
}

/* ---- the cluster ---- */

static const pbft_view_rules_t student_rules = {
    .timeout_ms = ex_view_timeout_ms,
    .decide = ex_view_decide,
};

/* A few answers every rule set must give before a cluster runs on it: a rule that asks for a
 * new view on every message could flood the simulated network with ever more messages. */
static void
require_basic_answers(void)
{
    pbft_view_input_t in = situation(4, 0, 0, 0, false);
    pbft_view_ask_t one = ask(1, 3);
    pbft_view_decision_t out;
    bool ok = ex_view_timeout_ms(0) == 3000;

    in.asks = &one;
    in.nasks = 1;
    ex_view_decide(&in, &out);
    ok = ok && !out.ask && !out.switch_view && out.to_view == 0;
    in.timed_out = true;
    ex_view_decide(&in, &out);
    ok = ok && out.ask && !out.switch_view && out.to_view == 1;
    if (!ok)
        fail_msg("the cluster runs only with a view timeout of 3000 ms at cycle 0, a timeout "
                 "that asks for toView + 1, and a lone ask that changes nothing: see the "
                 "known-answer tests");
}

/* The cluster of the running test. A failing test leaves it open (a failed check ends the test
 * at once): the next test, or main, closes it. */
static cu_cluster_t cluster;
static bool cluster_open;

static void
close_cluster(void)
{
    if (cluster_open)
        cu_close(&cluster);
    cluster_open = false;
    pbft_view_rules = pbft_builtin_view_rules;
}

/* Four sealers in group 1, their view changes decided by the student's rules. */
static cu_cluster_t *
open_cluster(uint64_t seed)
{
    cu_cluster_t *c = &cluster;

    close_cluster();
    require_basic_answers();
    printf("  seed=%llu n=4\n", (unsigned long long)seed);
    cu_open(c, seed, 4);
    cu_group_with(c, G, "0,1,2,3", "0,1,2,3", "pbft");
    pbft_view_rules = student_rules;
    cluster_open = true;
    cu_start(c);
    return c;
}

typedef struct {
    cu_cluster_t *c;
    unsigned mask; /* bit i: node i must get there */
    int64_t h;
} goal_t;

static bool
too_many_events(cu_cluster_t *c)
{
    return evlog_last(c->log) > MAX_EVENTS;
}

static bool
reached(void *arg)
{
    const goal_t *g = arg;

    if (too_many_events(g->c))
        return true;
    for (unsigned i = 0; i < g->c->n; i++)
        if ((g->mask >> i & 1) && cu_height(g->c, i, G) < g->h)
            return false;
    return true;
}

/* Run until the nodes in mask reach height h; fail (with a trace) if they do not within
 * LIMIT_MS of virtual time, or if the run floods. */
static void
run_until_height(cu_cluster_t *c, unsigned mask, int64_t h)
{
    goal_t goal = { .c = c, .mask = mask, .h = h };
    char what[128];

    if (sim_run_until(c->sim, reached, &goal, LIMIT_MS) && !too_many_events(c))
        return;
    if (too_many_events(c))
        snprintf(what, sizeof what, "more than %d events before height %lld: the network "
                 "floods", MAX_EVENTS, (long long)h);
    else
        snprintf(what, sizeof what, "the chain did not reach height %lld in %d s of virtual "
                 "time", (long long)h, LIMIT_MS / 1000);
    cu_fail(c, "%s", what);
}

static bool
never(void *arg)
{
    return too_many_events(arg);
}

/* Run for ms of virtual time (stopping early if the run floods). */
static void
run_for(cu_cluster_t *c, uint64_t ms)
{
    sim_run_until(c->sim, never, c, ms);
    if (too_many_events(c))
        cu_fail(c, "the network floods: views change without end");
}

static void
grow(cu_cluster_t *c, unsigned via, unsigned mask, int64_t h)
{
    cu_submit_users(c, via, G, 2);
    run_until_height(c, mask, h);
}

static void
hash_at(cu_cluster_t *c, unsigned i, int64_t h, uint8_t out[32])
{
    block_t b;

    assert_int_equal(group_block(node_group(cu_node(c, i), G), h, &b), BL_OK);
    block_hash(c->suite, &b, out);
    block_free(&b);
}

/* Safety: all nodes that hold block h hold the same one (anchors §4.6 "agreement"). */
static void
check_no_fork(cu_cluster_t *c)
{
    int64_t top = 0;

    for (unsigned i = 0; i < c->n; i++)
        if (cu_height(c, i, G) > top)
            top = cu_height(c, i, G);
    for (int64_t h = 1; h <= top; h++) {
        uint8_t first[32], hash[32];
        bool have = false;

        for (unsigned i = 0; i < c->n; i++) {
            if (cu_height(c, i, G) < h)
                continue;
            hash_at(c, i, h, hash);
            if (have && memcmp(first, hash, 32) != 0)
                cu_fail(c, "FORK: two nodes committed different blocks");
            memcpy(first, hash, 32);
            have = true;
        }
    }
}

/* How many events of kind node emitted (node -1: any). */
static size_t
count(cu_cluster_t *c, ev_kind_t kind, int node)
{
    return cu_count_events(c, kind, node);
}

/* §2.5: sealer 0 leads block 1 in view 0 ((0 + 0) % 4) and is down. The others' timers fire,
 * n - f = 3 ViewChangeReqs move them to view 1, and sealer 1 proposes; later blocks go on. */
static void
cluster_crashed_leader_is_replaced_by_a_view_change(void **state)
{
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(21);
    assert_int_equal(sim_crash(c->sim, 0), BL_OK);
    grow(c, 1, 0xe, 1);
    if (count(c, EV_PBFT_VIEW_SWITCHED, 1) == 0)
        cu_fail(c, "block 1 was committed without a view change");
    for (int h = 2; h <= 4; h++)
        grow(c, 2, 0xe, h);
    check_no_fork(c);
    close_cluster();
}

/* §2.5, a silent leader: sealer 0 is up but cut off. The others change view without it and
 * commit; after the heal it catches up and agrees with them. */
static void
cluster_silent_leader_is_replaced_and_rejoins_after_heal(void **state)
{
    static const unsigned sides[4] = { 1, 0, 0, 0 };
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(22);
    sim_partition(c->sim, sides);
    grow(c, 1, 0xe, 1);
    if (cu_height(c, 0, G) != 0)
        cu_fail(c, "the cut-off node committed a block");
    sim_heal(c->sim);
    grow(c, 2, 0xf, 2);
    grow(c, 3, 0xf, 3);
    check_no_fork(c);
    close_cluster();
}

/* §2.5 fast view change and catch-up: sealer 3 is cut off while the others go through view
 * after view (nothing to propose: empty blocks). After the heal sealer 0 crashes, so nothing
 * can commit without sealer 3: it must be pulled into the others' view (they re-send their
 * asks to a peer behind them; more than f asks above its toView make it join) first. */
static void
cluster_lagging_sealer_is_pulled_into_the_current_view(void **state)
{
    static const unsigned sides[4] = { 0, 0, 0, 1 };
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(23);
    sim_partition(c->sim, sides);
    run_for(c, 8000);
    if (count(c, EV_PBFT_VIEW_SWITCHED, 1) < 3 || count(c, EV_PBFT_VIEW_SWITCHED, 3) != 0)
        cu_fail(c, "sealers 0-2 should have changed views at least 3 times "
                            "(empty blocks) and the cut-off sealer 3 never");
    sim_heal(c->sim);
    assert_int_equal(sim_crash(c->sim, 0), BL_OK);
    grow(c, 1, 0xe, 1);
    if (count(c, EV_PBFT_VIEW_SWITCHED, 3) == 0)
        cu_fail(c, "sealer 3 helped commit without ever switching view");
    check_no_fork(c);
    close_cluster();
}

/* The times (ms) at which node asked for a new view, and the views; returns how many. */
static size_t
asks_of(cu_cluster_t *c, int node, uint64_t *when, int64_t *view, size_t max)
{
    ev_t batch[1024];
    uint64_t after = 0;
    size_t got, k = 0;

    while ((got = evlog_read(c->log, after, batch, 1024, NULL)) > 0) {
        for (size_t i = 0; i < got; i++)
            if (batch[i].kind == EV_PBFT_VIEW_CHANGE && batch[i].node == node && k < max) {
                when[k] = batch[i].time_ms;
                view[k] = batch[i].b;
                k++;
            }
        after = batch[got - 1].seq;
    }
    return k;
}

/* §2.5 TimeManager, and the lesson's "f + 1 down": sealers 0 and 1 are down, so 2 and 3
 * can never make a quorum. Each asks for view 1, 2, 3, 4 in turn, waiting 1.5 times longer
 * each time (3 s, 4.5 s, 6.75 s, 10.125 s), and never switches view; once 0 and 1 are back,
 * the four agree on a view and the chain goes on. */
static void
cluster_timeouts_grow_while_no_quorum_and_the_chain_resumes(void **state)
{
    cu_cluster_t *c;
    uint64_t when[8];
    int64_t view[8];
    size_t k;

    (void)state;
    c = open_cluster(24);
    assert_int_equal(sim_crash(c->sim, 0), BL_OK);
    assert_int_equal(sim_crash(c->sim, 1), BL_OK);
    run_for(c, 30000);
    k = asks_of(c, 2, when, view, 8);
    if (k != 4)
        cu_fail(c, "sealer 2 should have asked for a new view 4 times in 30 s "
                            "(after 3, 4.5, 6.75 and 10.125 s)");
    for (size_t i = 0; i < k; i++) {
        static const uint64_t waits[4] = { 3000, 4500, 6750, 10125 }; /* PBFT starts at 0 */
        uint64_t gap = when[i] - (i == 0 ? 0 : when[i - 1]), want = waits[i];

        if (view[i] != (int64_t)i + 1 || gap + 2 < want || gap > want + 2) {
            char what[160];

            snprintf(what, sizeof what, "ask %zu of sealer 2 was for view %lld, %llu ms after "
                     "the one before; expected view %zu after %llu ms", i + 1,
                     (long long)view[i], (unsigned long long)gap, i + 1,
                     (unsigned long long)want);
            cu_fail(c, "%s", what);
        }
    }
    if (count(c, EV_PBFT_VIEW_SWITCHED, -1) != 0)
        cu_fail(c, "2 of 4 sealers switched view: n - f = 3 are needed");
    assert_int_equal(sim_restart(c->sim, 0), BL_OK);
    assert_int_equal(sim_restart(c->sim, 1), BL_OK);
    grow(c, 2, 0xf, 1);
    grow(c, 3, 0xf, 2);
    check_no_fork(c);
    close_cluster();
}

int
main(void)
{
    static const grade_test_t tests[] = {
        { "view_timeout_grows_by_half_up_to_twenty_cycles",
          view_timeout_grows_by_half_up_to_twenty_cycles, 10 },
        { "timeout_asks_for_the_view_after_the_last_one_asked",
          timeout_asks_for_the_view_after_the_last_one_asked, 12 },
        { "switch_needs_n_minus_f_asks_for_exactly_to_view",
          switch_needs_n_minus_f_asks_for_exactly_to_view, 14 },
        { "fast_view_change_needs_more_than_f_other_sealers",
          fast_view_change_needs_more_than_f_other_sealers, 14 },
        { "cluster_crashed_leader_is_replaced_by_a_view_change",
          cluster_crashed_leader_is_replaced_by_a_view_change, 12 },
        { "cluster_silent_leader_is_replaced_and_rejoins_after_heal",
          cluster_silent_leader_is_replaced_and_rejoins_after_heal, 12 },
        { "cluster_lagging_sealer_is_pulled_into_the_current_view",
          cluster_lagging_sealer_is_pulled_into_the_current_view, 14 },
        { "cluster_timeouts_grow_while_no_quorum_and_the_chain_resumes",
          cluster_timeouts_grow_while_no_quorum_and_the_chain_resumes, 12 },
    };

    int rc = grade_run("08-pbft-view-change", tests, sizeof tests / sizeof tests[0]);

    close_cluster();
    return rc;
}
