/*
 * test_raft.c — the Raft engine (consensus/raft.c) in whole clusters on the simulator.
 *
 * The tests follow the MIT 6.5840 Raft lab's list (anchors §1.3), in its order, each named after
 * the rule it checks and citing the paper section or lab test it mirrors. What the lab's tester
 * reads from its peers we read from the event log: RAFT_LEADER / RAFT_FOLLOWER / RAFT_ELECTION
 * events give each node's role and term, BLOCK_COMMITTED events what each node applied.
 * Safety is checked on every slice of simulated time, in every test:
 *   - at most one leader per term (Election Safety, Figure 3);
 *   - no node grants votes to two candidates in one term, crash or not (votedFor, Figure 2);
 *   - no two nodes commit different blocks at the same height (State Machine Safety).
 * A "disconnected" node is cut off by a partition (the lab's enabled=false); a crashed one
 * loses all but its disk. A lab "command" is a transaction here, and an agreed index a block
 * height. Each test runs SEEDS seeds and prints them; BL_RAFT_SEED=N runs N, N+1, ... instead,
 * and BL_RAFT_STATS=1 prints, per run, the simulated time, height, elections and crashes.
 *
 * Not mirrored: the 3D snapshot tests (the log is not compacted; the ledger plays the
 * snapshot, and sync brings it to a node that lags).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "clusterutil.h"
#include "consensus/raft.h"
#include "net/frame.h"
#include "ledger/block.h"
#include "node/group.h"

#define G 1
#define SEEDS 5
#define SLICE_MS 50
#define LIMIT_MS 30000
#define MAX_TERMS 4096
#define MAX_HEIGHT 1024
#define FIGURE8_ITERS 200
#define FIGURE8_GAP_MS 1200

static uint64_t first_seed = 1;

/* The cluster plus what the tester has learnt from the event log so far. */
typedef struct {
    cu_cluster_t c;
    bl_rng_t rng;
    uint64_t seen;                   /* last event seq read */
    int leader_of[MAX_TERMS];        /* term -> node + 1 (0: none seen) */
    int8_t vote_of[CU_MAX_NODES][MAX_TERMS]; /* node, term -> candidate + 1 it granted */
    bool is_leader[CU_MAX_NODES];
    uint64_t term[CU_MAX_NODES];     /* the newest term each node reported */
    uint8_t block[MAX_HEIGHT][32];   /* height -> hash of the block committed there */
    bool have[MAX_HEIGHT];
    bool up[CU_MAX_NODES];
    unsigned side[CU_MAX_NODES];     /* partition: who reaches whom */
} rt_t;

/* ---- reading the event log ---- */

static void
see_leader(rt_t *t, const ev_t *ev)
{
    uint64_t term = (uint64_t)ev->a;

    assert_true(term < MAX_TERMS);
    if (t->leader_of[term] != 0 && t->leader_of[term] != ev->node + 1)
        fail_msg("seed=%llu: two leaders in term %llu: nodes %d and %d",
                 (unsigned long long)t->c.seed, (unsigned long long)term,
                 t->leader_of[term] - 1, ev->node);
    t->leader_of[term] = ev->node + 1;
    t->is_leader[ev->node] = true;
}

static void
see_commit(rt_t *t, const ev_t *ev)
{
    int64_t h = ev->a;

    assert_true(h >= 0 && h < MAX_HEIGHT);
    if (t->have[h] && memcmp(t->block[h], ev->hash, 32) != 0)
        fail_msg("seed=%llu: node %d committed another block at height %lld",
                 (unsigned long long)t->c.seed, ev->node, (long long)h);
    memcpy(t->block[h], ev->hash, 32);
    t->have[h] = true;
}

/* Figure 2 votedFor: one vote per term, even across a crash (it is on disk). */
static void
see_vote(rt_t *t, const ev_t *ev)
{
    uint64_t term = (uint64_t)ev->a;
    int8_t *v;

    if (ev->b == 0)
        return;
    assert_true(term < MAX_TERMS && ev->peer >= 0 && ev->peer < CU_MAX_NODES);
    v = &t->vote_of[ev->node][term];
    if (*v != 0 && *v != ev->peer + 1)
        fail_msg("seed=%llu: node %d voted twice in term %llu: for %d and %d",
                 (unsigned long long)t->c.seed, ev->node, (unsigned long long)term, *v - 1,
                 ev->peer);
    *v = (int8_t)(ev->peer + 1);
}

static void
see(rt_t *t, const ev_t *ev)
{
    if (ev->node < 0 || ev->node >= CU_MAX_NODES)
        return;
    if (ev->kind == EV_NODE_CRASHED || ev->kind == EV_NODE_STARTED) {
        t->is_leader[ev->node] = false;
        return;
    }
    if (ev->group != G)
        return;
    if (ev->kind == EV_RAFT_LEADER)
        see_leader(t, ev);
    else if (ev->kind == EV_RAFT_FOLLOWER || ev->kind == EV_RAFT_ELECTION)
        t->is_leader[ev->node] = false;
    else if (ev->kind == EV_BLOCK_COMMITTED)
        see_commit(t, ev);
    else if (ev->kind == EV_RAFT_VOTE)
        see_vote(t, ev);
    if (ev->kind == EV_RAFT_LEADER || ev->kind == EV_RAFT_FOLLOWER ||
        ev->kind == EV_RAFT_ELECTION || ev->kind == EV_RAFT_TERM)
        t->term[ev->node] = (uint64_t)ev->a;
}

static void
rt_scan(rt_t *t)
{
    ev_t batch[1024];
    uint64_t missed = 0;
    size_t n;

    while ((n = evlog_read(t->c.log, t->seen, batch, 1024, &missed)) > 0) {
        assert_int_equal(missed, 0); /* the checks must see every event */
        for (size_t i = 0; i < n; i++)
            see(t, &batch[i]);
        t->seen = batch[n - 1].seq;
    }
}

/* Run ms of simulated time, checking safety on every slice. */
static void
rt_run(rt_t *t, uint64_t ms)
{
    for (uint64_t done = 0; done < ms; done += SLICE_MS) {
        sim_run_for(t->c.sim, ms - done < SLICE_MS ? ms - done : SLICE_MS);
        rt_scan(t);
    }
}

/* ---- the cluster ---- */

static void
rt_open(rt_t *t, uint64_t seed, unsigned n)
{
    char list[32] = "";

    memset(t, 0, sizeof *t);
    printf("  seed=%llu n=%u\n", (unsigned long long)seed, n);
    for (unsigned i = 0; i < n; i++) {
        snprintf(list + strlen(list), sizeof list - strlen(list), i ? ",%u" : "%u", i);
        t->up[i] = true;
    }
    bl_rng_seed(&t->rng, seed ^ 0x5eed);
    cu_open(&t->c, seed, n);
    cu_group_with(&t->c, G, list, list, "raft");
    cu_start(&t->c);
    rt_scan(t);
}

static int64_t rt_height(rt_t *t);

static void
rt_close(rt_t *t)
{
    rt_scan(t);
    if (getenv("BL_RAFT_STATS") != NULL)
        printf("    t=%llu ms, height %lld, %zu elections, %zu leaders, %zu crashes\n",
               (unsigned long long)sim_now(t->c.sim), (long long)rt_height(t),
               cu_count_events(&t->c, EV_RAFT_ELECTION, -1),
               cu_count_events(&t->c, EV_RAFT_LEADER, -1),
               cu_count_events(&t->c, EV_NODE_CRASHED, -1));
    cu_close(&t->c);
}

static void
rt_apply_sides(rt_t *t)
{
    bool all = true;

    for (unsigned i = 1; i < t->c.n; i++)
        all = all && t->side[i] == t->side[0];
    if (all)
        sim_heal(t->c.sim);
    else
        sim_partition(t->c.sim, t->side);
}

/* Cut node i off from everyone (6.5840's disconnect). */
static void
rt_disconnect(rt_t *t, unsigned i)
{
    t->side[i] = i + 1;
    rt_apply_sides(t);
}

static void
rt_connect(rt_t *t, unsigned i)
{
    t->side[i] = 0;
    rt_apply_sides(t);
}

static void
rt_crash(rt_t *t, unsigned i)
{
    assert_int_equal(sim_crash(t->c.sim, i), BL_OK);
    t->up[i] = false;
    rt_scan(t);
}

static void
rt_restart(rt_t *t, unsigned i)
{
    assert_int_equal(sim_restart(t->c.sim, i), BL_OK);
    t->up[i] = true;
    rt_scan(t);
}

/* Up and on side 0. */
static bool
rt_reachable(const rt_t *t, unsigned i)
{
    return t->up[i] && t->side[i] == 0;
}

/* The leader among the up nodes on side 0: exactly one (the newest term's), else -1. */
static int
rt_leader_now(const rt_t *t)
{
    int found = -1;

    for (unsigned i = 0; i < t->c.n; i++) {
        if (!rt_reachable(t, i) || !t->is_leader[i])
            continue;
        if (found >= 0)
            return -1;
        found = (int)i;
    }
    return found;
}

/* 6.5840 checkOneLeader: wait (up to 5 s) for one leader among the reachable nodes. */
static int
rt_one_leader(rt_t *t)
{
    for (int waited = 0; waited < 10000; waited += SLICE_MS) {
        int l = rt_leader_now(t);

        if (l >= 0)
            return l;
        rt_run(t, SLICE_MS);
    }
    fail_msg("seed=%llu: expected one leader, got none (t=%llu)",
             (unsigned long long)t->c.seed, (unsigned long long)sim_now(t->c.sim));
    return -1;
}

/* 6.5840 checkNoLeader: after an election timeout and more, none of `nodes` leads. */
static void
rt_no_leader(rt_t *t, const bool *nodes)
{
    rt_run(t, 3000);
    for (unsigned i = 0; i < t->c.n; i++)
        if (nodes[i] && t->up[i] && t->is_leader[i])
            fail_msg("seed=%llu: node %u leads though it is cut off from a majority",
                     (unsigned long long)t->c.seed, i);
}

/* The highest height among the reachable nodes. */
static int64_t
rt_height(rt_t *t)
{
    int64_t h = -1;

    for (unsigned i = 0; i < t->c.n; i++)
        if (rt_reachable(t, i) && cu_height(&t->c, i, G) > h)
            h = cu_height(&t->c, i, G);
    return h;
}

static bool
rt_all_reach(rt_t *t, int64_t h, size_t want)
{
    size_t n = 0;

    for (unsigned i = 0; i < t->c.n; i++)
        n += rt_reachable(t, i) && cu_height(&t->c, i, G) >= h;
    return n >= want;
}

static size_t
rt_count_reachable(const rt_t *t)
{
    size_t n = 0;

    for (unsigned i = 0; i < t->c.n; i++)
        n += rt_reachable(t, i);
    return n;
}

/* 6.5840 one(): submit k txs to the current leader and wait until `want` reachable nodes
 * have the next block; returns the new height. */
static int64_t
rt_one(rt_t *t, unsigned k, size_t want)
{
    int64_t h = rt_height(t) + 1;

    for (int waited = 0; waited < LIMIT_MS; waited += SLICE_MS) {
        int l = rt_leader_now(t);

        if (waited % 3000 == 0 && l >= 0)
            cu_submit_users(&t->c, (unsigned)l, G, k);
        if (rt_all_reach(t, h, want))
            return h;
        rt_run(t, SLICE_MS);
    }
    fail_msg("seed=%llu: failed to reach agreement on height %lld (t=%llu)",
             (unsigned long long)t->c.seed, (long long)h, (unsigned long long)sim_now(t->c.sim));
    return -1;
}

/* Every reachable node reaches the height of the highest one. */
static void
rt_converge(rt_t *t)
{
    int64_t h = rt_height(t);

    for (int waited = 0; waited < LIMIT_MS; waited += SLICE_MS) {
        if (rt_all_reach(t, h, rt_count_reachable(t)))
            return;
        rt_run(t, SLICE_MS);
    }
    fail_msg("seed=%llu: nodes did not converge on height %lld", (unsigned long long)t->c.seed,
             (long long)h);
}

static uint64_t
seed_of(int k)
{
    return first_seed + (uint64_t)k;
}

/* ---- 3A: elections ---- */

/* §5.2, 6.5840 TestInitialElection3A: a leader is elected; all agree on its term; with no
 * failure the term and the leader stay put. */
static void
initial_election_elects_one_leader_and_keeps_it(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;
        uint64_t term;

        rt_open(&t, seed_of(s), 3);
        l = rt_one_leader(&t);
        rt_run(&t, 100);
        term = t.term[l];
        assert_true(term >= 1);
        for (unsigned i = 0; i < 3; i++)
            assert_int_equal(t.term[i], term);
        rt_run(&t, 2 * 2000);
        assert_int_equal(rt_one_leader(&t), l);
        assert_int_equal(t.term[l], term);
        rt_close(&t);
    }
}

/* §5.2, 6.5840 TestReElection3A: a new leader when the leader is cut off; the old one, back,
 * does not disturb it; no leader without a majority; a leader again once there is one. */
static void
re_election_after_leader_is_cut_off(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        bool lone[CU_MAX_NODES] = { false };
        int l1, l2;

        rt_open(&t, seed_of(s), 3);
        l1 = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)l1);
        l2 = rt_one_leader(&t);
        assert_int_not_equal(l2, l1);
        rt_connect(&t, (unsigned)l1); /* the old leader rejoins: still one leader */
        l2 = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)l2);
        rt_disconnect(&t, (unsigned)(l2 + 1) % 3);
        lone[(l2 + 2) % 3] = true;
        rt_no_leader(&t, lone);
        rt_connect(&t, (unsigned)(l2 + 1) % 3);
        rt_one_leader(&t);
        rt_connect(&t, (unsigned)l2);
        rt_one_leader(&t);
        rt_close(&t);
    }
}

/* §5.2, 6.5840 TestManyElections3A: 7 sealers, 10 rounds of cutting 3 at random; the other 4
 * always find a leader. */
static void
many_elections_with_three_of_seven_cut_off(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;

        rt_open(&t, seed_of(s), 7);
        rt_one_leader(&t);
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < 3; k++)
                rt_disconnect(&t, (unsigned)bl_rng_below(&t.rng, 7));
            rt_one_leader(&t);
            for (unsigned i = 0; i < 7; i++)
                rt_connect(&t, i);
        }
        rt_one_leader(&t);
        rt_close(&t);
    }
}

/* ---- 3B: agreement ---- */

/* §5.3, 6.5840 TestBasicAgree3B: nothing is committed before anything is submitted; then
 * every submission becomes the next block on every node. */
static void
basic_agreement_commits_each_block_everywhere(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;

        rt_open(&t, seed_of(s), 3);
        rt_one_leader(&t);
        rt_run(&t, 2000);
        assert_int_equal(rt_height(&t), 0); /* no empty blocks */
        for (int64_t h = 1; h <= 3; h++)
            assert_int_equal(rt_one(&t, 2, 3), h);
        assert_true(cu_count_events(&t.c, EV_RAFT_COMMIT, -1) >= 3);
        for (int i = 0; i < 3; i++) /* the blocks came through the log, not only by sync */
            assert_true(cu_count_events(&t.c, EV_RAFT_APPEND, i) >= 3);
        rt_close(&t);
    }
}

/* The transactions in node i's blocks 1 .. its height. */
static size_t
rt_txs_in_chain(rt_t *t, unsigned i)
{
    size_t n = 0;

    for (int64_t h = 1; h <= cu_height(&t->c, i, G); h++) {
        block_t blk;

        assert_int_equal(group_block(node_group(cu_node(&t->c, i), G), h, &blk), BL_OK);
        n += blk.ntxs;
        block_free(&blk);
    }
    return n;
}

/* §5.3, 6.5840 TestConcurrentStarts3B: transactions submitted at once to the leader and to
 * the followers all end up committed, each once, on every node. */
static void
concurrent_submissions_all_commit_once(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;

        rt_open(&t, seed_of(s), 3);
        rt_one_leader(&t);
        for (unsigned i = 0; i < 3; i++)
            cu_submit_users(&t.c, i, G, 5);
        for (int waited = 0; waited < LIMIT_MS && rt_txs_in_chain(&t, 0) < 15;
             waited += SLICE_MS)
            rt_run(&t, SLICE_MS);
        assert_int_equal(rt_txs_in_chain(&t, 0), 15);
        rt_converge(&t);
        for (unsigned i = 0; i < 3; i++) {
            assert_int_equal(rt_txs_in_chain(&t, i), 15);
            assert_int_equal(group_pool_size(node_group(cu_node(&t.c, i), G)), 0);
        }
        rt_close(&t);
    }
}

/* §5.3, 6.5840 TestFollowerFailure3B: agreement goes on without one follower; with both gone
 * the leader still appends but commits nothing. */
static void
follower_failure_stops_commits_only_without_a_majority(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;
        int64_t h;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)(l + 1) % 3);
        rt_one(&t, 1, 2);
        l = rt_one_leader(&t);
        for (unsigned i = 0; i < 3; i++)
            if ((int)i != l)
                rt_disconnect(&t, i);
        h = cu_height(&t.c, (unsigned)l, G);
        cu_submit_users(&t.c, (unsigned)l, G, 1);
        rt_run(&t, 3000);
        for (unsigned i = 0; i < 3; i++)
            assert_true(cu_height(&t.c, i, G) <= h);
        rt_close(&t);
    }
}

/* §5.3, 6.5840 TestLeaderFailure3B: the leader crashes, the other two elect one and commit;
 * the second leader crashes too, and the last node commits nothing. */
static void
leader_failure_elects_a_new_leader_that_commits(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;
        int64_t h;
        unsigned last = 0;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        rt_crash(&t, (unsigned)rt_one_leader(&t));
        rt_one(&t, 1, 2);
        rt_crash(&t, (unsigned)rt_one_leader(&t));
        for (unsigned i = 0; i < 3; i++)
            if (t.up[i])
                last = i;
        h = cu_height(&t.c, last, G);
        cu_submit_users(&t.c, last, G, 1);
        rt_run(&t, 4000);
        assert_int_equal(cu_height(&t.c, last, G), h);
        l = rt_leader_now(&t);
        assert_true(l < 0 || (unsigned)l == last); /* it may not even be leader */
        rt_close(&t);
    }
}

/* §5.3, 6.5840 TestFailAgree3B: a follower cut off misses blocks; back, it catches up and
 * takes part in new ones. */
static void
fail_agree_rejoined_follower_catches_up(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)(l + 1) % 3);
        for (int i = 0; i < 4; i++)
            rt_one(&t, 1, 2);
        rt_connect(&t, (unsigned)(l + 1) % 3);
        rt_one(&t, 1, 3);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* §5.3-5.4, 6.5840 TestFailNoAgree3B: 3 of 5 cut off: the leader appends but must not
 * commit; after the heal agreement resumes. */
static void
fail_no_agree_without_majority_then_recovers(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;
        int64_t h;

        rt_open(&t, seed_of(s), 5);
        h = rt_one(&t, 1, 5);
        l = rt_one_leader(&t);
        for (unsigned k = 1; k <= 3; k++)
            rt_disconnect(&t, (unsigned)(l + k) % 5);
        cu_submit_users(&t.c, (unsigned)l, G, 2);
        rt_run(&t, 3000);
        for (unsigned i = 0; i < 5; i++)
            assert_true(cu_height(&t.c, i, G) <= h);
        for (unsigned i = 0; i < 5; i++)
            rt_connect(&t, i);
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* §5.3-5.4, 6.5840 TestRejoin3B: a cut-off leader appends blocks nobody commits; the others
 * commit their own; the old leader returns and its log is repaired to theirs. */
static void
rejoin_of_partitioned_leader_repairs_its_log(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l1, l2;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        l1 = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)l1);
        cu_submit_users(&t.c, (unsigned)l1, G, 3); /* appended by l1, never committed */
        rt_run(&t, 600);
        rt_one(&t, 1, 2);
        l2 = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)l2);
        rt_connect(&t, (unsigned)l1);
        rt_one(&t, 1, 2);
        rt_connect(&t, (unsigned)l2);
        rt_one(&t, 1, 3);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* §5.3 (fast back-up), 6.5840 TestBackup3B: minorities led by stale leaders pile up
 * uncommitted entries of their own terms while the majority commits many blocks; everyone
 * rejoins and the logs converge quickly. */
static void
backup_over_divergent_logs_converges(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;

        rt_open(&t, seed_of(s), 5);
        rt_one(&t, 1, 5);
        for (int round = 0; round < 2; round++) {
            l = rt_one_leader(&t);
            for (unsigned i = 0; i < 5; i++) /* leader + 1 on side 1, the rest on side 0 */
                t.side[i] = (i == (unsigned)l || i == (unsigned)(l + 1) % 5) ? 1 : 0;
            rt_apply_sides(&t);
            cu_submit_users(&t.c, (unsigned)l, G, 5);
            rt_run(&t, 500);
            for (int k = 0; k < 10; k++)
                rt_one(&t, 1, 3);
        }
        for (unsigned i = 0; i < 5; i++)
            rt_connect(&t, i);
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* Raft messages (both ways) between every pair of sealers since `since`. */
static uint64_t
rt_raft_msgs(rt_t *t, const sim_counts_t *since)
{
    sim_counts_t now = sim_counts(t->c.sim, SIM_ANY, SIM_ANY, G, MODULE_RAFT);

    return now.sent_msgs - (since != NULL ? since->sent_msgs : 0);
}

/* 6.5840 TestCount3B: elections and agreement cost few messages: an election a handful, a
 * block a round trip per follower (plus the commit notice), an idle second only heartbeats
 * (4 a second per follower, and their answers). */
static void
count_messages_are_few(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        sim_counts_t mark;
        uint64_t n;

        rt_open(&t, seed_of(s), 3);
        rt_one_leader(&t);
        n = rt_raft_msgs(&t, NULL);
        assert_true(n >= 1 && n <= 60); /* the lab: 1..30 RPCs, here requests and replies */
        rt_one(&t, 1, 3);
        rt_run(&t, 1000);
        mark = sim_counts(t.c.sim, SIM_ANY, SIM_ANY, G, MODULE_RAFT);
        for (int i = 0; i < 10; i++)
            rt_one(&t, 1, 3);
        n = rt_raft_msgs(&t, &mark);
        /* per block 2 followers x (append + answer + commit notice + answer), plus the
         * heartbeats of the time it took */
        assert_true(n <= 10 * 8 + 16 * (sim_now(t.c.sim) / 1000 + 1));
        rt_run(&t, 500);
        mark = sim_counts(t.c.sim, SIM_ANY, SIM_ANY, G, MODULE_RAFT);
        rt_run(&t, 1000);
        assert_true(rt_raft_msgs(&t, &mark) <= 20);
        rt_close(&t);
    }
}

/* The bytes of the blocks at heights from+1 .. to on node i. */
static uint64_t
rt_block_bytes(rt_t *t, unsigned i, int64_t from, int64_t to)
{
    uint64_t n = 0;

    for (int64_t h = from + 1; h <= to; h++) {
        block_t blk;
        bl_buf_t raw = BL_BUF_INIT;

        assert_int_equal(group_block(node_group(cu_node(&t->c, i), G), h, &blk), BL_OK);
        block_encode(t->c.suite, &blk, &raw);
        n += raw.len;
        bl_buf_free(&raw);
        block_free(&blk);
    }
    return n;
}

/* 6.5840 TestRPCBytes3B: each block travels to each follower once: the Raft bytes the leader
 * sends stay within 2 x the blocks' bytes plus a small allowance per message. */
static void
rpc_bytes_each_block_sent_to_each_follower_once(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        sim_counts_t before, after;
        sim_link_t tcp = sim_link_default();
        int64_t h0, h1;
        unsigned l;

        tcp.reorder = false;
        rt_open(&t, seed_of(s), 3);
        assert_int_equal(sim_set_links(t.c.sim, &tcp), BL_OK); /* in order, like FISCO's TCP */
        rt_one(&t, 1, 3);
        l = (unsigned)rt_one_leader(&t);
        h0 = cu_height(&t.c, l, G);
        before = sim_counts(t.c.sim, l, SIM_ANY, G, MODULE_RAFT);
        for (int i = 0; i < 10; i++)
            rt_one(&t, 5, 3);
        assert_int_equal(rt_one_leader(&t), (int)l); /* the same leader throughout */
        h1 = cu_height(&t.c, l, G);
        after = sim_counts(t.c.sim, l, SIM_ANY, G, MODULE_RAFT);
        assert_true(after.sent_bytes - before.sent_bytes <=
                    2 * rt_block_bytes(&t, l, h0, h1) +
                        100 * (after.sent_msgs - before.sent_msgs));
        rt_close(&t);
    }
}

/* A group with one sealer: it is its own majority, elects itself and commits alone. */
static void
single_sealer_leads_and_commits_alone(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;

        rt_open(&t, seed_of(s), 1);
        assert_int_equal(rt_one_leader(&t), 0);
        assert_int_equal(rt_one(&t, 3, 1), 1);
        assert_int_equal(rt_one(&t, 3, 1), 2);
        rt_close(&t);
    }
}

/* ---- 3C: persistence ---- */

/* Figure 2 "persistent state", 6.5840 TestPersist13C: all crash and restart, then the
 * leader, then a follower; agreement goes on each time, and no term goes backwards. */
static void
persistence_survives_restart_of_all_and_of_the_leader(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        uint64_t before[3];
        int l;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        for (unsigned i = 0; i < 3; i++)
            before[i] = t.term[i];
        for (unsigned i = 0; i < 3; i++)
            rt_crash(&t, i);
        for (unsigned i = 0; i < 3; i++)
            rt_restart(&t, i);
        for (unsigned i = 0; i < 3; i++)
            assert_true(t.term[i] >= before[i]); /* currentTerm came back from disk */
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        rt_crash(&t, (unsigned)l);
        rt_one(&t, 1, 2);
        rt_restart(&t, (unsigned)l);
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        rt_crash(&t, (unsigned)(l + 1) % 3);
        rt_one(&t, 1, 2);
        rt_restart(&t, (unsigned)(l + 1) % 3);
        rt_one(&t, 1, 3);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* 6.5840 TestPersist23C: five rounds of staggered crashes and restarts of two, then three of
 * five sealers; every block reaches whoever is up. */
static void
persistence_staggered_crashes_of_two_and_three(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;

        rt_open(&t, seed_of(s), 5);
        rt_one(&t, 1, 5);
        for (int round = 0; round < 5; round++) {
            unsigned l = (unsigned)rt_one_leader(&t);

            rt_crash(&t, (l + 1) % 5);
            rt_crash(&t, (l + 2) % 5);
            rt_one(&t, 1, 3);
            rt_crash(&t, (l + 0) % 5);
            rt_crash(&t, (l + 3) % 5);
            rt_crash(&t, (l + 4) % 5);
            rt_restart(&t, (l + 1) % 5);
            rt_restart(&t, (l + 2) % 5);
            rt_run(&t, 1000);
            rt_restart(&t, (l + 3) % 5);
            rt_one(&t, 1, 3);
            rt_restart(&t, (l + 4) % 5);
            rt_restart(&t, (l + 0) % 5);
        }
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* 6.5840 TestPersist33C: the leader and a follower are cut off and crash together; the
 * leader restarts and joins the remaining node; progress. */
static void
persistence_partitioned_leader_and_follower_crash(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        rt_disconnect(&t, (unsigned)(l + 2) % 3);
        rt_one(&t, 1, 2);
        rt_crash(&t, (unsigned)(l + 1) % 3);
        rt_crash(&t, (unsigned)l);
        rt_connect(&t, (unsigned)(l + 2) % 3);
        rt_restart(&t, (unsigned)l);
        rt_one(&t, 1, 2);
        rt_restart(&t, (unsigned)(l + 1) % 3);
        rt_one(&t, 1, 3);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* Figure 8 (§5.4.2), 6.5840 TestFigure83C: submit to whoever leads, let a little time pass,
 * crash that leader; restart nodes when fewer than 3 are up. Old-term entries must never be
 * committed by counting, so no two nodes ever commit different blocks at one height. */
static void
figure_8_crashing_leaders_never_break_safety(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        unsigned nup = 5;

        rt_open(&t, seed_of(s), 5);
        rt_one(&t, 1, 5);
        for (int iter = 0; iter < FIGURE8_ITERS; iter++) {
            int l = rt_leader_now(&t);
            uint64_t ms = bl_rng_below(&t.rng, 10) == 0 ? bl_rng_below(&t.rng, 500)
                                                        : bl_rng_below(&t.rng, 13);

            if (l >= 0)
                cu_submit_users(&t.c, (unsigned)l, G, 1);
            rt_run(&t, ms + 1);
            if (l >= 0 && t.up[l]) {
                rt_crash(&t, (unsigned)l);
                nup--;
            }
            if (nup < 3) {
                unsigned i = (unsigned)bl_rng_below(&t.rng, 5);

                if (!t.up[i]) {
                    rt_restart(&t, i);
                    nup++;
                }
            }
            rt_run(&t, 1 + bl_rng_below(&t.rng, FIGURE8_GAP_MS));
        }
        for (unsigned i = 0; i < 5; i++)
            if (!t.up[i])
                rt_restart(&t, i);
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* 6.5840 TestFigure8Unreliable3C: the Figure 8 loop with leaders cut off instead of
 * crashed, over a network that loses, duplicates and long-delays (up to 400 ms, reordered). */
static void
figure_8_unreliable_cut_off_leaders_never_break_safety(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        sim_link_t bad = { .drop = 0.1, .dup = 0.1, .delay_min_ms = 0, .delay_max_ms = 400,
                           .reorder = true };
        sim_link_t good = sim_link_default();

        rt_open(&t, seed_of(s), 5);
        rt_one(&t, 1, 5);
        assert_int_equal(sim_set_links(t.c.sim, &bad), BL_OK);
        for (int iter = 0; iter < FIGURE8_ITERS; iter++) {
            int l = rt_leader_now(&t);

            if (l >= 0)
                cu_submit_users(&t.c, (unsigned)l, G, 1);
            rt_run(&t, 1 + (bl_rng_below(&t.rng, 10) == 0 ? bl_rng_below(&t.rng, 500)
                                                           : bl_rng_below(&t.rng, 13)));
            if (l >= 0 && bl_rng_below(&t.rng, 2) == 0)
                rt_disconnect(&t, (unsigned)l);
            if (rt_count_reachable(&t) < 3)
                rt_connect(&t, (unsigned)bl_rng_below(&t.rng, 5));
            rt_run(&t, 1 + bl_rng_below(&t.rng, FIGURE8_GAP_MS));
        }
        assert_int_equal(sim_set_links(t.c.sim, &good), BL_OK);
        for (unsigned i = 0; i < 5; i++)
            rt_connect(&t, i);
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* 6.5840 TestUnreliableAgree3C: 10% of messages lost, 10% duplicated, 0-26 ms delays,
 * reordering on: agreement still comes, and with the network repaired reaches all. */
static void
unreliable_network_still_agrees(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        sim_link_t bad = { .drop = 0.1, .dup = 0.1, .delay_min_ms = 0, .delay_max_ms = 26,
                           .reorder = true };
        sim_link_t good = sim_link_default();

        rt_open(&t, seed_of(s), 5);
        assert_int_equal(sim_set_links(t.c.sim, &bad), BL_OK);
        for (int round = 0; round < 8; round++)
            rt_one(&t, 2, 3);
        assert_int_equal(sim_set_links(t.c.sim, &good), BL_OK);
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* 6.5840 TestReliableChurn3C / TestUnreliableChurn3C: rounds of random disconnects,
 * crashes and restarts while clients submit; afterwards everything heals and agrees. */
static void
churn_keeps_safety_and_recovers(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        sim_link_t lossy = { .drop = 0.05, .dup = 0.05, .delay_min_ms = 1, .delay_max_ms = 20,
                             .reorder = true };
        sim_link_t good = sim_link_default();

        rt_open(&t, seed_of(s), 5);
        if (s % 2 == 1)
            assert_int_equal(sim_set_links(t.c.sim, &lossy), BL_OK);
        for (int round = 0; round < 20; round++) {
            unsigned i = (unsigned)bl_rng_below(&t.rng, 5);
            uint64_t r = bl_rng_below(&t.rng, 100);
            int l = rt_leader_now(&t);

            if (l >= 0)
                cu_submit_users(&t.c, (unsigned)l, G, 1);
            if (r < 20)
                rt_disconnect(&t, i);
            else if (r < 70 && !t.up[i])
                rt_restart(&t, i), rt_connect(&t, i);
            else if (r < 90 && t.up[i])
                rt_crash(&t, i);
            rt_run(&t, 700);
        }
        assert_int_equal(sim_set_links(t.c.sim, &good), BL_OK);
        for (unsigned i = 0; i < 5; i++) {
            if (!t.up[i])
                rt_restart(&t, i);
            rt_connect(&t, i);
        }
        rt_one(&t, 1, 5);
        rt_converge(&t);
        rt_close(&t);
    }
}

/* ---- messages ---- */

/* A random body for packet type: bytes, or a valid message with one byte changed. */
static void
garbage_body(bl_rng_t *r, unsigned type, bl_buf_t *out)
{
    raft_append_t ae = { .term = 1 + bl_rng_below(r, 5), .prev_index = bl_rng_below(r, 4),
                         .commit = bl_rng_below(r, 4), .nentries = 1 };
    uint8_t junk[64];

    bl_rng_bytes(r, junk, sizeof junk);
    ae.entries[0] = (raft_entry_view_t){ .term = 1, .block = bl_span(junk, 8) };
    if (bl_rng_below(r, 2) == 0) {
        bl_buf_append(out, junk, bl_rng_below(r, sizeof junk));
    } else {
        if (type == RAFT_APPEND_ENTRIES)
            raft_encode_append(&ae, out);
        else
            raft_encode_append_resp(&(raft_append_resp_t){ .term = 1, .match = 3 }, out);
        if (out->len > 0)
            out->data[bl_rng_below(r, out->len)] ^= (uint8_t)(1 + bl_rng_below(r, 255));
    }
}

static bool
decodes(unsigned type, bl_span_t body)
{
    raft_vote_req_t vq;
    raft_vote_resp_t vr;
    raft_append_t ae;
    raft_append_resp_t ar;

    switch (type) {
    case RAFT_REQUEST_VOTE: return raft_decode_vote_req(body, &vq) == BL_OK;
    case RAFT_VOTE_RESPONSE: return raft_decode_vote_resp(body, &vr) == BL_OK;
    case RAFT_APPEND_ENTRIES: return raft_decode_append(body, &ae) == BL_OK;
    case RAFT_APPEND_RESPONSE: return raft_decode_append_resp(body, &ar) == BL_OK;
    default: return false;
    }
}

/* DESIGN §1.7: thousands of Raft bodies that do not decode reach a follower; each is dropped
 * as malformed, and its term, log and ledger are as they were. */
static void
malformed_messages_are_dropped_and_change_nothing(void **state)
{
    (void)state;
    for (int s = 0; s < SEEDS; s++) {
        rt_t t;
        int l, f;
        size_t dropped, terms, sent = 0;
        int64_t h;

        rt_open(&t, seed_of(s), 3);
        rt_one(&t, 1, 3);
        l = rt_one_leader(&t);
        f = (l + 1) % 3;
        h = cu_height(&t.c, (unsigned)f, G);
        dropped = cu_count_events(&t.c, EV_MSG_DROPPED, f);
        terms = cu_count_events(&t.c, EV_RAFT_TERM, f);
        for (int i = 0; i < 2000; i++) {
            unsigned type = (unsigned)bl_rng_below(&t.rng, 5);
            bl_buf_t body = BL_BUF_INIT, frame = BL_BUF_INIT;
            frame_t fr = { .packet_type = (uint16_t)type,
                           .protocol_id = frame_protocol_id(G, MODULE_RAFT) };

            garbage_body(&t.rng, type, &body);
            if (!decodes(type, bl_buf_span(&body))) {
                fr.body = bl_buf_span(&body);
                frame_encode(&fr, &frame);
                node_on_message(cu_node(&t.c, (unsigned)f), (unsigned)l, frame.data,
                                frame.len);
                sent++;
            }
            bl_buf_free(&body);
            bl_buf_free(&frame);
        }
        assert_true(sent > 1000);
        assert_int_equal(cu_count_events(&t.c, EV_MSG_DROPPED, f) - dropped, sent);
        assert_int_equal(cu_count_events(&t.c, EV_RAFT_TERM, f), terms);
        assert_int_equal(cu_height(&t.c, (unsigned)f, G), h);
        rt_one(&t, 1, 3); /* and it still works */
        rt_close(&t);
    }
}

/* The codec round-trips every message, and refuses flags other than 0/1 and term-0 entries. */
static void
messages_round_trip_and_reject_bad_fields(void **state)
{
    raft_append_t a = { .term = 7, .prev_index = 3, .prev_term = 6, .commit = 2, .nentries = 2 },
                  b;
    raft_append_resp_t r = { .term = 7, .success = true, .match = 5 }, r2;
    raft_vote_req_t v = { .term = 9, .last_index = 4, .last_term = 8 }, v2;
    bl_buf_t buf = BL_BUF_INIT;

    (void)state;
    a.entries[0] = (raft_entry_view_t){ .term = 6, .block = bl_span("abc", 3) };
    a.entries[1] = (raft_entry_view_t){ .term = 7, .block = bl_span(NULL, 0) };
    raft_encode_append(&a, &buf);
    assert_int_equal(raft_decode_append(bl_buf_span(&buf), &b), BL_OK);
    assert_int_equal(b.nentries, 2);
    assert_int_equal(b.entries[0].term, 6);
    assert_memory_equal(b.entries[0].block.ptr, "abc", 3);
    assert_int_equal(b.entries[1].block.len, 0);
    assert_int_equal(b.prev_term, 6);
    bl_buf_clear(&buf);
    raft_encode_append_resp(&r, &buf);
    assert_int_equal(raft_decode_append_resp(bl_buf_span(&buf), &r2), BL_OK);
    assert_true(r2.success);
    assert_int_equal(r2.match, 5);
    bl_buf_clear(&buf);
    raft_encode_vote_req(&v, &buf);
    assert_int_equal(raft_decode_vote_req(bl_buf_span(&buf), &v2), BL_OK);
    assert_int_equal(v2.last_term, 8);
    assert_int_not_equal(raft_decode_vote_resp(bl_buf_span(&buf), &(raft_vote_resp_t){ 0 }),
                         BL_OK); /* three fields are not a VoteResponse */
    bl_buf_clear(&buf);
    raft_encode_append_resp(&(raft_append_resp_t){ .term = 1 }, &buf);
    buf.data[2] = 2; /* success = 2 */
    assert_int_not_equal(raft_decode_append_resp(bl_buf_span(&buf), &r2), BL_OK);
    bl_buf_clear(&buf);
    a.entries[0].term = 0;
    raft_encode_append(&a, &buf);
    assert_int_not_equal(raft_decode_append(bl_buf_span(&buf), &b), BL_OK);
    bl_buf_free(&buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_round_trip_and_reject_bad_fields),
        cmocka_unit_test(initial_election_elects_one_leader_and_keeps_it),
        cmocka_unit_test(re_election_after_leader_is_cut_off),
        cmocka_unit_test(many_elections_with_three_of_seven_cut_off),
        cmocka_unit_test(basic_agreement_commits_each_block_everywhere),
        cmocka_unit_test(concurrent_submissions_all_commit_once),
        cmocka_unit_test(follower_failure_stops_commits_only_without_a_majority),
        cmocka_unit_test(leader_failure_elects_a_new_leader_that_commits),
        cmocka_unit_test(fail_agree_rejoined_follower_catches_up),
        cmocka_unit_test(fail_no_agree_without_majority_then_recovers),
        cmocka_unit_test(rejoin_of_partitioned_leader_repairs_its_log),
        cmocka_unit_test(backup_over_divergent_logs_converges),
        cmocka_unit_test(count_messages_are_few),
        cmocka_unit_test(rpc_bytes_each_block_sent_to_each_follower_once),
        cmocka_unit_test(single_sealer_leads_and_commits_alone),
        cmocka_unit_test(persistence_survives_restart_of_all_and_of_the_leader),
        cmocka_unit_test(persistence_staggered_crashes_of_two_and_three),
        cmocka_unit_test(persistence_partitioned_leader_and_follower_crash),
        cmocka_unit_test(figure_8_crashing_leaders_never_break_safety),
        cmocka_unit_test(figure_8_unreliable_cut_off_leaders_never_break_safety),
        cmocka_unit_test(unreliable_network_still_agrees),
        cmocka_unit_test(churn_keeps_safety_and_recovers),
        cmocka_unit_test(malformed_messages_are_dropped_and_change_nothing),
    };
    const char *env = getenv("BL_RAFT_SEED");

    first_seed = env != NULL ? strtoull(env, NULL, 10) : 1;
    printf("raft seeds %llu..%llu (BL_RAFT_SEED=N runs N..N+%d)\n",
           (unsigned long long)first_seed, (unsigned long long)first_seed + SEEDS - 1,
           SEEDS - 1);
    return cmocka_run_group_tests_name("raft", tests, NULL, NULL);
}
