/*
 * test_byzantine.c — misbehaving nodes made by wrapping honest ones (node/byzantine.h).
 *
 * Pins down: the wrapper's behaviours really happen (a silent node sends nothing; a garbage
 * node's peers count malformed messages; a replaying node's peers receive repeats), and the
 * honest nodes of a group are not harmed by them: they agree on every block and keep
 * committing (DESIGN §1.7: bad input is normal). In PBFT groups: a sealer replaying old
 * messages changes nothing, and n = 7 tolerates f = 2 Byzantine sealers.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"
#include "node/group.h"

#define LIMIT_MS 30000

/* The honest nodes agree on every block they both have. */
/* The hash of node i's block h of group 1. */
static void
hash_at(cu_cluster_t *c, unsigned i, int64_t h, uint8_t out[32])
{
    block_t b;

    assert_int_equal(group_block(node_group(cu_node(c, i), 1), h, &b), BL_OK);
    block_hash(c->suite, &b, out);
    block_free(&b);
}

static void
assert_agree(cu_cluster_t *c, unsigned a, unsigned b)
{
    int64_t h = cu_height(c, a, 1) < cu_height(c, b, 1) ? cu_height(c, a, 1) : cu_height(c, b, 1);

    for (int64_t n = 1; n <= h; n++) {
        uint8_t hx[32], hy[32];

        hash_at(c, a, n, hx);
        hash_at(c, b, n, hy);
        assert_memory_equal(hx, hy, 32);
    }
}

static void
run_with(byz_mode_t bad, unsigned who, cu_cluster_t *c)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_HONEST };

    modes[who] = bad;
    cu_open(c, 3, 4);
    cu_group(c, 1, "0,1,2,3", "0,1,2,3");
    cu_start_byzantine(c, modes);
    for (int i = 0; i < 3; i++) {
        cu_submit_users(c, 0, 1, 2);
        cu_run_until_height(c, 1, "0,1,2", 1 + i, LIMIT_MS);
    }
    assert_agree(c, 0, 1);
    assert_agree(c, 0, 2);
}

/* A silent node sends nothing at all, and the others go on without it. */
static void
silent_node_sends_nothing_and_the_others_go_on(void **state)
{
    cu_cluster_t c;

    (void)state;
    run_with(BYZ_SILENT, 3, &c);
    assert_int_equal(sim_counts(c.sim, 3, SIM_ANY, SIM_ANY, SIM_ANY).sent_msgs, 0);
    cu_close(&c);
}

/* Garbage from a peer is dropped as malformed by its receivers, and changes nothing. */
static void
garbage_node_is_dropped_as_malformed(void **state)
{
    cu_cluster_t c;
    ev_t ev[1024];
    uint64_t after = 0;
    size_t n, malformed = 0;

    (void)state;
    run_with(BYZ_GARBAGE, 3, &c);
    while ((n = evlog_read(c.log, after, ev, 1024, NULL)) > 0) {
        for (size_t i = 0; i < n; i++)
            if (ev[i].kind == EV_MSG_DROPPED && ev[i].peer == 3 &&
                ev[i].hash[0] == EV_DROP_MALFORMED)
                malformed++;
        after = ev[n - 1].seq;
    }
    assert_true(malformed > 0);
    cu_close(&c);
}

/* Old messages sent again, to anyone, change nothing either. */
static void
replaying_node_changes_nothing(void **state)
{
    cu_cluster_t c;

    (void)state;
    run_with(BYZ_REPLAY, 1, &c);
    assert_true(sim_counts(c.sim, 1, SIM_ANY, SIM_ANY, SIM_ANY).sent_msgs >
                sim_counts(c.sim, 2, SIM_ANY, SIM_ANY, SIM_ANY).sent_msgs);
    cu_close(&c);
}

/* A PBFT group of n sealers with the given misbehaving ones; the honest ones must agree on
 * every block and keep committing. */
static void
pbft_with(unsigned n, const byz_mode_t *modes, const char *honest, cu_cluster_t *c)
{
    char sealers[32] = "";

    for (unsigned i = 0; i < n; i++)
        snprintf(sealers + strlen(sealers), sizeof sealers - strlen(sealers), "%s%u",
                 i ? "," : "", i);
    cu_open(c, 5, n);
    cu_group_with(c, 1, sealers, sealers, "pbft");
    cu_start_byzantine(c, modes);
    for (int i = 0; i < 3; i++) {
        cu_submit_users(c, 0, 1, 2);
        cu_run_until_height(c, 1, honest, 1 + i, LIMIT_MS * 4);
    }
}

/* fisco-2x-facts §2.1: PBFT tolerates f = (n - 1) / 3 Byzantine sealers. With n = 4 a sealer
 * that replays its old messages to anyone changes nothing: the honest three agree and go on. */
static void
pbft_ignores_a_sealer_replaying_old_messages(void **state)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_REPLAY };
    cu_cluster_t c;

    (void)state;
    pbft_with(4, modes, "0,1,2", &c);
    assert_agree(&c, 0, 1);
    assert_agree(&c, 0, 2);
    cu_close(&c);
}

/* n = 7 tolerates f = 2 Byzantine sealers: one sends garbage, one is silent towards half of the
 * cluster; the five honest sealers agree and keep committing. */
static void
pbft_with_seven_tolerates_two_byzantine_sealers(void **state)
{
    byz_mode_t modes[7] = { BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_HONEST,
                            BYZ_GARBAGE, BYZ_MUTE_TO };
    cu_cluster_t c;

    (void)state;
    pbft_with(7, modes, "0,1,2,3,4", &c);
    for (unsigned i = 1; i < 5; i++)
        assert_agree(&c, 0, i);
    cu_close(&c);
}

/* fisco-2x-facts §2.4 (execute-before-sign): a sealer that signs a state other than the one
 * everyone executed cannot reach a quorum with it. Its signs and commits name a hash nobody else
 * has, so they never count: the three honest sealers (n - f = 3) commit without it, and no
 * committed block carries its signature. */
static void
pbft_lone_wrong_state_signer_cannot_reach_a_quorum(void **state)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_WRONG_STATE, BYZ_HONEST };
    cu_cluster_t c;
    int64_t h;

    (void)state;
    pbft_with(4, modes, "0,1,3", &c);
    assert_agree(&c, 0, 1);
    assert_agree(&c, 0, 3);
    h = cu_height(&c, 0, 1);
    for (int64_t n = 1; n <= h; n++) {
        block_t blk;
        uint8_t liar_index = 0xff;

        assert_int_equal(group_block(node_group(cu_node(&c, 0), 1), n, &blk), BL_OK);
        for (size_t k = 0; k < blk.header.nsealers; k++)
            if (memcmp(blk.header.sealer_list[k], c.ids[2], 64) == 0)
                liar_index = (uint8_t)k;
        assert_int_not_equal(liar_index, 0xff);
        for (size_t k = 0; k < blk.nsigs; k++)
            assert_int_not_equal(blk.sigs[k].index, liar_index);
        assert_true(blk.nsigs >= 3);
        block_free(&blk);
    }
    cu_close(&c);
}

/* anchors §4.5 (equivocation): a leader that proposes different blocks to the two halves of
 * the group never makes two honest nodes commit different blocks at one height — at most one of
 * the two blocks can gather n - f signatures — and after view changes the honest sealers go on.
 * Node 3 leads when (view + height) % 4 == 3 (§2.1), so the chain runs past height 4. */
static void
pbft_equivocating_leader_never_splits_the_honest_nodes(void **state)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_HONEST, BYZ_EQUIVOCATE };
    cu_cluster_t c;

    (void)state;
    pbft_with(4, modes, "0,1,2", &c);
    for (int h = 4; h <= 7; h++) {
        cu_submit_users(&c, 0, 1, 2);
        cu_run_until_height(&c, 1, "0,1,2", h, LIMIT_MS * 4);
    }
    assert_agree(&c, 0, 1);
    assert_agree(&c, 0, 2);
    assert_agree(&c, 1, 2);
    cu_close(&c);
}

/* What breaks with f + 1 Byzantine sealers (§2.1: n = 4 tolerates f = 1). Two silent sealers
 * leave two honest ones, below the quorum n - f = 3: nothing can be committed any more —
 * PBFT chooses to stop rather than risk a fork (liveness is lost, safety is not). */
static void
pbft_with_f_plus_one_silent_sealers_stops_committing(void **state)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_HONEST, BYZ_SILENT, BYZ_SILENT };
    cu_cluster_t c;

    (void)state;
    cu_open(&c, 5, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start_byzantine(&c, modes);
    cu_submit_users(&c, 0, 1, 4);
    sim_run_for(c.sim, 60000);
    assert_int_equal(cu_height(&c, 0, 1), 0);
    assert_int_equal(cu_height(&c, 1, 1), 0);
    assert_true(cu_count_events(&c, EV_PBFT_VIEW_CHANGE, 0) > 0); /* it keeps trying */
    cu_close(&c);
}

/* A double voter alone (f = 1) changes nothing: its copied votes only repeat what honest nodes
 * already said, and the honest three agree on every block. */
static void
pbft_lone_double_voter_changes_nothing(void **state)
{
    byz_mode_t modes[4] = { BYZ_HONEST, BYZ_DOUBLE_VOTE, BYZ_HONEST, BYZ_HONEST };
    cu_cluster_t c;

    (void)state;
    pbft_with(4, modes, "0,2,3", &c);
    assert_agree(&c, 0, 2);
    assert_agree(&c, 0, 3);
    assert_agree(&c, 2, 3);
    cu_close(&c);
}

static bool
both_committed_one(void *arg)
{
    cu_cluster_t *c = arg;

    return cu_height(c, 2, 1) >= 1 && cu_height(c, 3, 1) >= 1;
}

/* What breaks with f + 1 Byzantine sealers, safety this time (§2.1: n = 4 tolerates f = 1;
 * the lesson 08-pbft explains it). Node 0 leads height 1 here and equivocates: node 2 (even)
 * gets block X, node 3 (odd) its twin Y. Nodes 0 and 1 tell each honest node they agree with
 * it: node 2 counts signs for X from 2, 0 and 1 — n − f = 3; node 3 for Y from 3, 0 and 1. The two quorums overlap only in the two
 * liars, where PBFT's proof needs an honest node in the overlap (2f + 1 of 3f + 1 leaves f + 1
 * in common, one of them honest while at most f lie). So honest nodes 2 and 3 both commit a
 * block 1 — different ones: the chain has forked. */
static void
pbft_with_f_plus_one_colluding_sealers_two_honest_nodes_commit_different_blocks(void **state)
{
    byz_mode_t modes[4] = { BYZ_EQUIVOCATE, BYZ_DOUBLE_VOTE, BYZ_HONEST, BYZ_HONEST };
    cu_cluster_t c;
    uint8_t x[32], y[32];

    (void)state;
    cu_open(&c, 5, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start_byzantine(&c, modes);
    cu_submit_users(&c, 0, 1, 4);
    assert_true(sim_run_until(c.sim, both_committed_one, &c, LIMIT_MS));
    hash_at(&c, 2, 1, x);
    hash_at(&c, 3, 1, y);
    assert_memory_not_equal(x, y, 32); /* a fork */
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(silent_node_sends_nothing_and_the_others_go_on),
        cmocka_unit_test(garbage_node_is_dropped_as_malformed),
        cmocka_unit_test(replaying_node_changes_nothing),
        cmocka_unit_test(pbft_ignores_a_sealer_replaying_old_messages),
        cmocka_unit_test(pbft_with_seven_tolerates_two_byzantine_sealers),
        cmocka_unit_test(pbft_lone_wrong_state_signer_cannot_reach_a_quorum),
        cmocka_unit_test(pbft_equivocating_leader_never_splits_the_honest_nodes),
        cmocka_unit_test(pbft_with_f_plus_one_silent_sealers_stops_committing),
        cmocka_unit_test(pbft_lone_double_voter_changes_nothing),
        cmocka_unit_test(pbft_with_f_plus_one_colluding_sealers_two_honest_nodes_commit_different_blocks),
    };

    return cmocka_run_group_tests_name("byzantine", tests, NULL, NULL);
}
