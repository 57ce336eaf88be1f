/*
 * grader.c — exercise 07, PBFT quorum, leader and vote counting (lesson 08-pbft).
 *
 * First the student's five functions meet known answers (fisco-2x-facts §2.1: f = (n-1)/3,
 * quorum n - f, leader (view + highest) % n; a vote counts once per sealer and only for the
 * very block asked about). Then they replace the engine's own rules (pbft_rules, pbft.h) in
 * simulated clusters, and the clusters must behave as PBFT promises:
 *   - liveness with f sealers crashed (n = 4 and n = 7), every block carrying n - f commit
 *     signatures and proposed by the leader the formula names;
 *   - no progress, and so no risk, with f + 1 crashed, and progress again once they are back;
 *   - safety against a leader that lies (it proposes two different blocks at once): a quorum
 *     that is too small, or a count that lets a vote for one block help another, forks here.
 * A failing cluster test prints its seed and writes cluster-<seed>.trace.
 */
#include "grade.h"

#include "clusterutil.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "node/group.h"
#include "pbft_quorum.h"

#define G 1
#define LIMIT_MS 60000

/* ---- known answers ---- */

/* fisco-2x-facts §2.1: f = (n - 1) / 3, ConsensusEngineBase's fault bound. */
static void
faults_are_n_minus_one_over_three(void **state)
{
    static const size_t n[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 21, 64, 100 };
    static const size_t f[] = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 6, 21, 33 };

    (void)state;
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        if (ex_pbft_faults(n[i]) != f[i])
            fail_msg("ex_pbft_faults(%zu) = %zu, expected %zu", n[i], ex_pbft_faults(n[i]),
                     f[i]);
}

/* §2.1: minValidNodes = n - f. That is 2f + 1 only when n = 3f + 1: with n = 5 FISCO waits
 * for 4 votes, not 3. */
static void
quorum_is_n_minus_f(void **state)
{
    static const size_t n[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 21, 64, 100 };
    static const size_t q[] = { 0, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 9, 15, 43, 67 };

    (void)state;
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        if (ex_pbft_quorum(n[i]) != q[i])
            fail_msg("ex_pbft_quorum(%zu) = %zu, expected %zu", n[i], ex_pbft_quorum(n[i]),
                     q[i]);
}

/* §2.1: PBFTEngine::getLeader, (view + highest block number) % n. */
static void
leader_is_view_plus_height_mod_n(void **state)
{
    static const struct {
        uint64_t view;
        int64_t highest;
        size_t n;
        uint64_t leader;
    } cases[] = {
        { 0, 0, 4, 0 },  { 0, 1, 4, 1 },   { 0, 3, 4, 3 },     { 0, 4, 4, 0 },
        { 1, 0, 4, 1 },  { 3, 2, 4, 1 },   { 7, 9, 4, 0 },     { 2, 5, 7, 0 },
        { 0, 0, 1, 0 },  { 9, 99, 1, 0 },  { 5, 0, 0, 0 },     { 1000, 123456, 7, 3 },
        { 6, 6, 13, 12 }, { 0, 1000000007, 64, 7 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t got = ex_pbft_leader(cases[i].view, cases[i].highest, cases[i].n);

        if (got != cases[i].leader)
            fail_msg("ex_pbft_leader(view %llu, highest %lld, n %zu) = %llu, expected %llu",
                     (unsigned long long)cases[i].view, (long long)cases[i].highest,
                     cases[i].n, (unsigned long long)got, (unsigned long long)cases[i].leader);
    }
}

/* A vote by `sealer` for the block whose hash is 32 bytes of `b` at height 5 in `view`. */
static pbft_ballot_t
vote(uint64_t sealer, uint64_t view, uint8_t b)
{
    pbft_ballot_t v = { .sealer = sealer, .height = 5, .view = view };

    memset(v.hash, b, 32);
    return v;
}

static void
expect_count(const pbft_ballot_t *votes, size_t nvotes, size_t n, const pbft_ballot_t *want,
             size_t expected, const char *what)
{
    size_t got = ex_pbft_count_votes(votes, nvotes, n, want);

    if (got != expected)
        fail_msg("%s: ex_pbft_count_votes = %zu, expected %zu", what, got, expected);
}

/* §2.4 (PBFTReqCache): votes are kept per sealer and compared on (height, view, hash): three
 * sealers saying the same thing are three votes; anything else is not a vote for this block. */
static void
count_counts_distinct_sealers_with_the_same_vote(void **state)
{
    pbft_ballot_t want = vote(99, 2, 0xab); /* want->sealer means nothing */
    pbft_ballot_t v[8];

    (void)state;
    expect_count(NULL, 0, 4, &want, 0, "no votes");
    v[0] = vote(0, 2, 0xab);
    v[1] = vote(2, 2, 0xab);
    v[2] = vote(3, 2, 0xab);
    expect_count(v, 3, 4, &want, 3, "sealers 0, 2, 3 vote for the block");
    v[3] = vote(1, 2, 0xab);
    expect_count(v, 4, 4, &want, 4, "all four vote for the block");
    v[0].hash[31] ^= 1; /* one bit of the hash differs: another block */
    expect_count(v, 4, 4, &want, 3, "sealer 0 votes for a block whose hash differs in one bit");
    v[1].view = 1;
    expect_count(v, 4, 4, &want, 2, "and sealer 2 in another view");
    v[2].height = 6;
    expect_count(v, 4, 4, &want, 1, "and sealer 3 at another height");
}

/* A duplicate (the same vote again, as a replaying or double-voting node sends it) counts
 * once, and an index outside the sealer list is nobody: FISCO checks idx < n first. */
static void
count_ignores_duplicates_and_non_sealers(void **state)
{
    pbft_ballot_t want = vote(0, 0, 0x11);
    pbft_ballot_t v[8];

    (void)state;
    v[0] = vote(1, 0, 0x11);
    v[1] = vote(1, 0, 0x11);
    v[2] = vote(1, 0, 0x11);
    expect_count(v, 3, 4, &want, 1, "sealer 1 three times");
    v[3] = vote(4, 0, 0x11);
    v[4] = vote(64, 0, 0x11);
    v[5] = vote(UINT64_MAX, 0, 0x11);
    expect_count(v, 6, 4, &want, 1, "and indices 4, 64 and 2^64-1 with n = 4");
    v[6] = vote(2, 0, 0x22);
    v[7] = vote(2, 0, 0x11);
    expect_count(v, 8, 4, &want, 2, "and sealer 2 for another block, then for this one");
    expect_count(v, 8, 7, &want, 3, "the same list with n = 7 (index 4 is a sealer now)");
}

static void
expect_reached(const pbft_ballot_t *votes, size_t nvotes, size_t n, bool expected,
               const char *what)
{
    pbft_ballot_t want = vote(0, 3, 0x5a);

    if (ex_pbft_quorum_reached(votes, nvotes, n, &want) != expected)
        fail_msg("%s (n = %zu): ex_pbft_quorum_reached should say %s", what, n,
                 expected ? "true" : "false");
}

/* §2.4: a sealer moves on (sends its CommitReq, commits) at n - f matching votes, not one
 * before: 3 of 4, 4 of 5, 5 of 7, and never thanks to a duplicate or a vote for another block. */
static void
quorum_is_reached_at_exactly_n_minus_f_distinct_votes(void **state)
{
    pbft_ballot_t v[8];

    (void)state;
    expect_reached(NULL, 0, 1, false, "no votes");
    v[0] = vote(0, 3, 0x5a);
    expect_reached(v, 1, 1, true, "the only sealer votes");
    v[1] = vote(1, 3, 0x5a);
    expect_reached(v, 2, 4, false, "2 of 4");
    v[2] = vote(1, 3, 0x5a);
    expect_reached(v, 3, 4, false, "2 of 4 and a duplicate");
    v[2] = vote(4, 3, 0x5a);
    expect_reached(v, 3, 4, false, "2 of 4 and a non-sealer");
    v[2] = vote(2, 3, 0x5b);
    expect_reached(v, 3, 4, false, "2 of 4 and a vote for another block");
    v[2] = vote(2, 2, 0x5a);
    expect_reached(v, 3, 4, false, "2 of 4 and a vote in another view");
    v[2] = vote(3, 3, 0x5a);
    expect_reached(v, 3, 4, true, "3 of 4");
    expect_reached(v, 3, 5, false, "3 of 5 (the quorum is n - f = 4, not 2f + 1)");
    v[3] = vote(4, 3, 0x5a);
    expect_reached(v, 4, 5, true, "4 of 5");
    expect_reached(v, 4, 7, false, "4 of 7");
    v[4] = vote(6, 3, 0x5a);
    expect_reached(v, 5, 7, true, "5 of 7");
}

/* ---- the cluster ---- */

static const pbft_rules_t student_rules = {
    .faults = ex_pbft_faults,
    .quorum = ex_pbft_quorum,
    .leader = ex_pbft_leader,
    .count_votes = ex_pbft_count_votes,
    .quorum_reached = ex_pbft_quorum_reached,
};

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
    pbft_rules = pbft_builtin_rules;
}

/* n sealers in group 1, PBFT running on the student's rules (modes: NULL, or Byzantine ones). */
static cu_cluster_t *
open_cluster(uint64_t seed, unsigned n, const byz_mode_t *modes)
{
    cu_cluster_t *c = &cluster;
    char list[32] = "";

    close_cluster();
    for (unsigned i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u", i ? "," : "", i);
    printf("  seed=%llu n=%u\n", (unsigned long long)seed, n);
    cu_open(c, seed, n);
    cu_group_with(c, G, list, list, "pbft");
    pbft_rules = student_rules;
    cluster_open = true;
    if (modes != NULL)
        cu_start_byzantine(c, modes);
    else
        cu_start(c);
    return c;
}

static void
hash_at(cu_cluster_t *c, unsigned i, int64_t h, uint8_t out[32])
{
    block_t b;

    assert_int_equal(group_block(node_group(cu_node(c, i), G), h, &b), BL_OK);
    block_hash(c->suite, &b, out);
    block_free(&b);
}

/* Safety: nodes that hold block h all hold the same one (anchors §4.6 "agreement"). */
static void
check_no_fork(cu_cluster_t *c, const bool *honest)
{
    int64_t top = 0;

    for (unsigned i = 0; i < c->n; i++)
        if (honest[i] && cu_height(c, i, G) > top)
            top = cu_height(c, i, G);
    for (int64_t h = 1; h <= top; h++) {
        uint8_t first[32], hash[32];
        bool have = false;

        for (unsigned i = 0; i < c->n; i++) {
            if (!honest[i] || cu_height(c, i, G) < h)
                continue;
            hash_at(c, i, h, hash);
            if (have && memcmp(first, hash, 32) != 0) {
                char what[128];

                snprintf(what, sizeof what, "FORK: two honest nodes committed different "
                         "blocks at height %lld (node %u)", (long long)h, i);
                cu_fail(c, "%s", what);
            }
            memcpy(first, hash, 32);
            have = true;
        }
    }
}

/* §2.4 step 3: every block node i holds carries valid commit signatures of at least n - f
 * distinct sealers (the TRUE n - f: a cluster on a too-small quorum fails here). */
static void
check_signatures(cu_cluster_t *c, unsigned i)
{
    size_t need = c->n - (c->n - 1) / 3;

    for (int64_t h = 1; h <= cu_height(c, i, G); h++) {
        block_t blk;
        uint8_t hash[32];
        bool seen[CU_MAX_NODES] = { false };
        size_t valid = 0;

        assert_int_equal(group_block(node_group(cu_node(c, i), G), h, &blk), BL_OK);
        block_hash(c->suite, &blk, hash);
        for (size_t k = 0; k < blk.nsigs; k++) {
            uint64_t idx = blk.sigs[k].index;

            if (idx >= blk.header.nsealers || idx >= CU_MAX_NODES || seen[idx] ||
                suite_verify(c->suite, blk.header.sealer_list[idx], hash, blk.sigs[k].sig) !=
                    BL_OK)
                continue;
            seen[idx] = true;
            valid++;
        }
        block_free(&blk);
        if (valid < need) {
            char what[128];

            snprintf(what, sizeof what, "block %lld carries %zu valid commit signatures; "
                     "n - f = %zu are needed", (long long)h, valid, need);
            cu_fail(c, "%s", what);
        }
    }
}

/* §2.1: every Prepare a node accepted came from sealer (view + highest) % n, where the
 * Prepare proposes block highest + 1 (EV_PBFT_PREPARE: peer = sender, a = height, b = view). */
static void
check_leaders(cu_cluster_t *c)
{
    ev_t batch[1024];
    uint64_t after = 0;
    size_t got, checked = 0;

    while ((got = evlog_read(c->log, after, batch, 1024, NULL)) > 0) {
        for (size_t k = 0; k < got; k++) {
            const ev_t *e = &batch[k];
            uint64_t leader = ((uint64_t)e->b + (uint64_t)(e->a - 1)) % c->n;

            if (e->kind != EV_PBFT_PREPARE)
                continue;
            checked++;
            if ((uint64_t)e->peer != leader) {
                char what[160];

                snprintf(what, sizeof what, "node %d accepted the Prepare of block %lld in "
                         "view %lld from sealer %d; the leader is sealer %llu", e->node,
                         (long long)e->a, (long long)e->b, e->peer,
                         (unsigned long long)leader);
                cu_fail(c, "%s", what);
            }
        }
        after = batch[got - 1].seq;
    }
    assert_true(checked > 0);
}

/* Submit 2 txs and run until the nodes listed reach height h. */
static void
grow(cu_cluster_t *c, const char *nodes, int64_t h)
{
    cu_submit_users(c, 0, G, 2);
    cu_run_until_height(c, G, nodes, h, LIMIT_MS);
}

/* §2.1: n = 4 tolerates f = 1 crashed sealer: 3 = n - f are left, a quorum. Sealer 3 never
 * leads; its turns end in view changes, and the next leader takes over. */
static void
cluster_four_sealers_commit_with_one_crashed(void **state)
{
    static const bool up[4] = { true, true, true, false };
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(7, 4, NULL);
    assert_int_equal(sim_crash(c->sim, 3), BL_OK);
    for (int h = 1; h <= 5; h++)
        grow(c, "0,1,2", h);
    check_no_fork(c, up);
    check_signatures(c, 0);
    check_leaders(c);
    close_cluster();
}

/* §2.1: n = 7 gives f = 2 and a quorum of 5: two crashed sealers do not stop the chain. */
static void
cluster_seven_sealers_commit_with_two_crashed(void **state)
{
    static const bool up[7] = { true, true, false, true, true, false, true };
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(8, 7, NULL);
    assert_int_equal(sim_crash(c->sim, 2), BL_OK);
    assert_int_equal(sim_crash(c->sim, 5), BL_OK);
    for (int h = 1; h <= 4; h++)
        grow(c, "0,1,3,4,6", h);
    check_no_fork(c, up);
    check_signatures(c, 0);
    check_leaders(c);
    close_cluster();
}

/* Lesson 08, "what f + 1 break": with 2 of 4 sealers down only 2 are left, below n - f = 3.
 * Nothing may be committed (a chain that commits here would also commit two different blocks
 * when the two missing sealers lie); once they are back the chain goes on. */
static void
cluster_stalls_with_f_plus_one_crashed_and_resumes_when_they_return(void **state)
{
    static const bool all[4] = { true, true, true, true };
    cu_cluster_t *c;

    (void)state;
    c = open_cluster(9, 4, NULL);
    assert_int_equal(sim_crash(c->sim, 2), BL_OK);
    assert_int_equal(sim_crash(c->sim, 3), BL_OK);
    cu_submit_users(c, 0, G, 3);
    sim_run_for(c->sim, 20000);
    if (cu_height(c, 0, G) != 0 || cu_height(c, 1, G) != 0)
        cu_fail(c, "2 of 4 sealers committed a block: the quorum is too small");
    assert_int_equal(sim_restart(c->sim, 2), BL_OK);
    assert_int_equal(sim_restart(c->sim, 3), BL_OK);
    cu_run_until_height(c, G, "0,1,2,3", 1, LIMIT_MS);
    grow(c, "0,1,2,3", 2);
    check_no_fork(c, all);
    check_signatures(c, 0);
    close_cluster();
}

/* Messages between nodes a and b take 300-400 ms instead of a few. */
static void
slow_between(cu_cluster_t *c, unsigned a, unsigned b)
{
    sim_link_t slow = sim_link_default();

    slow.delay_min_ms = 300;
    slow.delay_max_ms = 400;
    assert_int_equal(sim_set_link(c->sim, a, b, &slow), BL_OK);
    assert_int_equal(sim_set_link(c->sim, b, a, &slow), BL_OK);
}

typedef struct {
    cu_cluster_t *c;
    int64_t h;
} goal_t;

static bool
honest_reached(void *arg)
{
    const goal_t *g = arg;

    return cu_height(g->c, 0, G) >= g->h && cu_height(g->c, 1, G) >= g->h &&
           cu_height(g->c, 2, G) >= g->h;
}

/* anchors §4.5 (equivocation) and test_byzantine.c: sealer 3 is Byzantine (f = 1). When it
 * leads (view + highest = 3 mod 4: block 4) it sends block X to the even nodes 0, 2 and a twin
 * Y to the odd node 1, and echoes every vote it hears back to its sender as its own. The
 * network is slow between {0, 2} and {1, 3}, so node 1 hears the liar long before the others.
 * With quorums of n - f, X gets 0, 2 and the liar (3), Y only 1 and the liar (2): at most X is
 * committed. With a smaller quorum, or a count that lets a vote for X help Y, node 1 commits Y
 * while 0 and 2 commit X: a fork. */
static void
cluster_equivocating_leader_cannot_split_the_honest_nodes(void **state)
{
    static const byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_EQUIVOCATE };
    static const bool honest[4] = { true, true, true, false };
    cu_cluster_t *c;
    goal_t goal;

    (void)state;
    c = open_cluster(5, 4, modes);
    goal.c = c;
    slow_between(c, 0, 1);
    slow_between(c, 0, 3);
    slow_between(c, 2, 1);
    slow_between(c, 2, 3);
    for (goal.h = 1; goal.h <= 6; goal.h++) {
        bool done;

        cu_submit_users(c, 0, G, 2);
        done = sim_run_until(c->sim, honest_reached, &goal, LIMIT_MS * 2);
        check_no_fork(c, honest); /* a fork may stop the chain: say so, not "too slow" */
        if (!done)
            cu_fail(c, "the honest sealers 0, 1, 2 stopped committing");
    }
    check_signatures(c, 0);
    close_cluster();
}

int
main(void)
{
    static const grade_test_t tests[] = {
        { "faults_are_n_minus_one_over_three", faults_are_n_minus_one_over_three, 8 },
        { "quorum_is_n_minus_f", quorum_is_n_minus_f, 8 },
        { "leader_is_view_plus_height_mod_n", leader_is_view_plus_height_mod_n, 8 },
        { "count_counts_distinct_sealers_with_the_same_vote",
          count_counts_distinct_sealers_with_the_same_vote, 10 },
        { "count_ignores_duplicates_and_non_sealers", count_ignores_duplicates_and_non_sealers,
          10 },
        { "quorum_is_reached_at_exactly_n_minus_f_distinct_votes",
          quorum_is_reached_at_exactly_n_minus_f_distinct_votes, 10 },
        { "cluster_four_sealers_commit_with_one_crashed",
          cluster_four_sealers_commit_with_one_crashed, 12 },
        { "cluster_seven_sealers_commit_with_two_crashed",
          cluster_seven_sealers_commit_with_two_crashed, 10 },
        { "cluster_stalls_with_f_plus_one_crashed_and_resumes_when_they_return",
          cluster_stalls_with_f_plus_one_crashed_and_resumes_when_they_return, 12 },
        { "cluster_equivocating_leader_cannot_split_the_honest_nodes",
          cluster_equivocating_leader_cannot_split_the_honest_nodes, 12 },
    };

    int rc = grade_run("07-pbft-quorum", tests, sizeof tests / sizeof tests[0]);

    close_cluster();
    return rc;
}
