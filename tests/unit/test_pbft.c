/*
 * test_pbft.c — the PBFT engine (consensus/pbft*.c) in whole clusters on the simulator.
 *
 * Pins down the rules of fisco-2x-facts §2.1-2.5 and the invariants of anchors §4: every node
 * commits the same block at every height (no fork), whatever happens; every committed block
 * carries n-f valid commit signatures; f crashed sealers do not stop the chain, a crashed or
 * silent leader is replaced by a view change; a sealer left behind catches up with the view;
 * a duplicating, delaying, reordering network changes nothing about safety, nor does a lossy
 * one; a crash in the middle of a round does not fork (the prepare backup), not even when every
 * sealer crashes; an empty block is never stored; a forged message is dropped and changes
 * nothing; the same seed gives the same run.
 * Every test prints its seed; BL_PBFT_SEED=N runs the seeded tests with seed N only.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"
#include "consensus/pbft.h"
#include "net/frame.h"
#include "node/group.h"

#define G 1
#define LIMIT_MS 60000

static uint64_t seeds[3] = { 1, 2, 3 };
static size_t nseeds = 3;

static void
pbft_cluster(cu_cluster_t *c, uint64_t seed, unsigned n)
{
    char list[64] = "";

    for (unsigned i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u", i ? "," : "", i);
    printf("  seed=%llu n=%u\n", (unsigned long long)seed, n);
    cu_open(c, seed, n);
    cu_group_with(c, G, list, list, "pbft");
    cu_start(c);
}

/* Block h as node i has it. */
static void
block_of(cu_cluster_t *c, unsigned i, int64_t h, block_t *out)
{
    assert_int_equal(group_block(node_group(cu_node(c, i), G), h, out), BL_OK);
}

/* The invariant of every test: at each height the nodes that have it have the same block. */
static void
assert_no_fork(cu_cluster_t *c)
{
    int64_t top = 0;

    for (unsigned i = 0; i < c->n; i++)
        if (cu_height(c, i, G) > top)
            top = cu_height(c, i, G);
    for (int64_t h = 1; h <= top; h++) {
        uint8_t first[32], hash[32];
        bool have = false;

        for (unsigned i = 0; i < c->n; i++) {
            block_t blk;

            if (cu_height(c, i, G) < h)
                continue;
            block_of(c, i, h, &blk);
            block_hash(c->suite, &blk, hash);
            assert_true(blk.ntxs > 0); /* §2.3: empty blocks are never stored */
            block_free(&blk);
            if (have && memcmp(first, hash, 32) != 0)
                fail_msg("seed=%llu: fork at height %lld (node %u)",
                         (unsigned long long)c->seed, (long long)h, i);
            memcpy(first, hash, 32);
            have = true;
        }
    }
}

/* Submit k txs and wait until every node that is up reaches height h. */
static void
grow(cu_cluster_t *c, unsigned via, unsigned k, int64_t h)
{
    cu_submit_users(c, via, G, k);
    cu_run_until_height(c, G, NULL, h, LIMIT_MS);
}

/* How many events of kind (with b == b_want, unless b_want < 0) node (or -1: any) emitted. */
static size_t
count_events_b(cu_cluster_t *c, ev_kind_t kind, int node, int64_t b_want)
{
    ev_t batch[1024];
    uint64_t after = 0;
    size_t n, count = 0;

    while ((n = evlog_read(c->log, after, batch, 1024, NULL)) > 0) {
        for (size_t i = 0; i < n; i++)
            if (batch[i].kind == kind && (node < 0 || batch[i].node == node) &&
                (b_want < 0 || batch[i].b == b_want))
                count++;
        after = batch[n - 1].seq;
    }
    return count;
}

/* §2.4: the three phases commit the same blocks on every node. */
static void
normal_case_commits_the_same_blocks_on_every_node(void **state)
{
    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        for (int h = 1; h <= 4; h++)
            grow(&c, (unsigned)h % 4, 3, h);
        assert_no_fork(&c);
        assert_true(cu_count_events(&c, EV_PBFT_SIGN, -1) > 0);
        assert_true(count_events_b(&c, EV_PBFT_PHASE, -1, PBFT_PHASE_COMMITTED) >= 4);
        cu_close(&c);
    }
}

/* §2.4 step 3: the sigList holds the commit signatures: n-f distinct sealers, each valid over
 * the block hash with that sealer's node ID. */
static void
every_committed_block_carries_n_minus_f_commit_signatures(void **state)
{
    cu_cluster_t c;

    (void)state;
    pbft_cluster(&c, seeds[0], 4);
    for (int h = 1; h <= 3; h++)
        grow(&c, 0, 2, h);
    for (unsigned i = 0; i < c.n; i++) {
        for (int64_t h = 1; h <= 3; h++) {
            block_t blk;
            uint8_t hash[32];
            bool seen[8] = { false };
            size_t valid = 0;

            block_of(&c, i, h, &blk);
            block_hash(c.suite, &blk, hash);
            for (size_t k = 0; k < blk.nsigs; k++) {
                uint64_t idx = blk.sigs[k].index;

                assert_true(idx < blk.header.nsealers);
                if (seen[idx] || suite_verify(c.suite, blk.header.sealer_list[idx], hash,
                                              blk.sigs[k].sig) != BL_OK)
                    continue;
                seen[idx] = true;
                valid++;
            }
            assert_true(valid >= 3); /* n = 4, f = 1 */
            block_free(&blk);
        }
    }
    cu_close(&c);
}

/* §2.1: f = (4-1)/3 = 1, so three sealers are a quorum: one crashed sealer changes nothing
 * but the speed (its turns as leader end in a view change). */
static void
four_sealers_with_one_crashed_keep_committing(void **state)
{
    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        assert_int_equal(sim_crash(c.sim, 3), BL_OK);
        for (int h = 1; h <= 5; h++)
            grow(&c, 0, 2, h);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* §2.5: the leader on top of block 0 in view 0 is sealer (0 + 0) % 4 = 0. Crashed, it
 * proposes nothing; the view timer fires, n-f ViewChanges move everyone to view 1, and
 * sealer 1 leads. */
static void
crashed_leader_causes_a_view_change_and_progress_resumes(void **state)
{
    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        assert_int_equal(sim_crash(c.sim, 0), BL_OK);
        grow(&c, 1, 3, 1);
        assert_true(cu_count_events(&c, EV_PBFT_VIEW_CHANGE, 1) >= 1);
        assert_true(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, 1) >= 1);
        grow(&c, 2, 3, 2);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* §2.5, a silent leader: sealer 0 is up but cut off from the others. They change view without
 * it; after the heal it catches up (sync) and agrees with them. */
static void
silent_leader_causes_a_view_change_and_rejoins_after_heal(void **state)
{
    static const unsigned sides[4] = { 1, 0, 0, 0 };
    cu_cluster_t c;

    (void)state;
    pbft_cluster(&c, seeds[0], 4);
    sim_partition(c.sim, sides);
    cu_submit_users(&c, 1, G, 3);
    cu_run_until_height(&c, G, "1,2,3", 1, LIMIT_MS);
    assert_int_equal(cu_height(&c, 0, G), 0);
    assert_true(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, 2) >= 1);
    sim_heal(c.sim);
    grow(&c, 2, 2, 2);
    assert_no_fork(&c);
    cu_close(&c);
}

/* anchors §4 (Fabric's lost/duplicated/reordered tests): a network that duplicates a third of
 * the messages, delays them up to 300 ms and reorders them may slow PBFT down but cannot make
 * two nodes commit different blocks. */
static void
delayed_duplicated_reordered_messages_change_nothing_about_safety(void **state)
{
    sim_link_t link = { .drop = 0, .dup = 0.3, .delay_min_ms = 1, .delay_max_ms = 300,
                        .reorder = true };

    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        assert_int_equal(sim_set_links(c.sim, &link), BL_OK);
        for (int h = 1; h <= 5; h++)
            grow(&c, (unsigned)h % 4, 2, h);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* §2.1: n = 7 gives f = 2 and a quorum of 5: two crashed sealers do not stop the chain. */
static void
seven_sealers_with_two_crashed_keep_committing(void **state)
{
    (void)state;
    for (size_t s = 0; s < 2 && s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 7);
        assert_int_equal(sim_crash(c.sim, 2), BL_OK);
        assert_int_equal(sim_crash(c.sim, 5), BL_OK);
        for (int h = 1; h <= 4; h++)
            grow(&c, 0, 2, h);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* §2.5 catch-up and fast view change: sealer 3 is cut off while the others go through view
 * after view (empty blocks, no txs). After the heal sealer 0 crashes, so nothing moves without
 * sealer 3: it must learn the current view from the others (they re-send theirs to a peer
 * behind them, and more than f higher views pull it along) before a block can commit. */
static void
lagging_sealer_catches_up_with_the_view(void **state)
{
    static const unsigned sides[4] = { 0, 0, 0, 1 };

    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        sim_partition(c.sim, sides);
        sim_run_for(c.sim, 8000);
        assert_true(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, 1) >= 3);
        assert_int_equal(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, 3), 0);
        sim_heal(c.sim);
        assert_int_equal(sim_crash(c.sim, 0), BL_OK);
        cu_submit_users(&c, 1, G, 3);
        cu_run_until_height(&c, G, "1,2,3", 1, LIMIT_MS);
        assert_true(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, 3) >= 1);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* anchors §4 (lost messages): with 10% of the messages lost, PBFT slows down (no message is
 * sent twice: FISCO counts on TCP) but two nodes never commit different blocks. n = 7 keeps a
 * margin of two lost votes per quorum. */
static void
lost_messages_slow_it_down_but_never_fork(void **state)
{
    sim_link_t link = { .drop = 0.1, .dup = 0, .delay_min_ms = 1, .delay_max_ms = 50,
                        .reorder = true };

    (void)state;
    for (size_t s = 0; s < 2 && s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 7);
        assert_int_equal(sim_set_links(c.sim, &link), BL_OK);
        for (int h = 1; h <= 3; h++) {
            cu_submit_users(&c, (unsigned)h, G, 2);
            cu_submit_users(&c, (unsigned)h + 1, G, 1);
            cu_run_until_height(&c, G, NULL, h, 4 * LIMIT_MS);
        }
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* Run until node `node` has entered phase p at least `times` times (any node if -1). */
static void
run_until_phase(cu_cluster_t *c, int node, pbft_phase_t p, size_t times)
{
    uint64_t start = sim_now(c->sim);

    while (count_events_b(c, EV_PBFT_PHASE, node, p) < times) {
        assert_true(sim_step(c->sim));
        if (sim_now(c->sim) - start > LIMIT_MS)
            fail_msg("seed=%llu: phase %d never reached", (unsigned long long)c->seed, p);
    }
}

/* §2.4 prepare backup: one sealer crashes just after it locked a block (n-f signs, backup
 * written, CommitReq sent); the others go on; it restarts, reads its backup and the chain it
 * joins is the same chain. */
static void
restart_after_a_crash_mid_round_does_not_fork(void **state)
{
    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        cu_submit_users(&c, 0, G, 3);
        run_until_phase(&c, 2, PBFT_PHASE_SIGNED, 1);
        assert_int_equal(sim_crash(c.sim, 2), BL_OK);
        cu_run_until_height(&c, G, "0,1,3", 1, LIMIT_MS);
        grow(&c, 0, 2, 2);
        assert_int_equal(sim_restart(c.sim, 2), BL_OK);
        grow(&c, 1, 2, 3);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* The harder case: every sealer crashes right after the first one locked block 1, and all come
 * back. Those that wrote a backup are locked on that block and sign no other; the chain goes
 * on, without a fork. */
static void
whole_cluster_restart_after_a_lock_does_not_fork(void **state)
{
    (void)state;
    for (size_t s = 0; s < nseeds; s++) {
        cu_cluster_t c;

        pbft_cluster(&c, seeds[s], 4);
        cu_submit_users(&c, 0, G, 3);
        run_until_phase(&c, -1, PBFT_PHASE_SIGNED, 1);
        for (unsigned i = 0; i < 4; i++)
            assert_int_equal(sim_crash(c.sim, i), BL_OK);
        sim_run_for(c.sim, 100);
        for (unsigned i = 0; i < 4; i++)
            assert_int_equal(sim_restart(c.sim, i), BL_OK);
        cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
        grow(&c, 1, 2, 2);
        assert_no_fork(&c);
        cu_close(&c);
    }
}

/* §2.3: with no txs the leader proposes an empty block after 1 s; the sealers answer with a
 * view change, and nothing is stored. Then txs arrive and a real block is committed. */
static void
empty_blocks_are_never_stored(void **state)
{
    cu_cluster_t c;

    (void)state;
    pbft_cluster(&c, seeds[0], 4);
    sim_run_for(c.sim, 10000);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(cu_height(&c, i, G), 0);
    assert_true(cu_count_events(&c, EV_BLOCK_SEALED, -1) >= 3);
    assert_true(cu_count_events(&c, EV_PBFT_VIEW_SWITCHED, -1) >= 3);
    assert_int_equal(cu_count_events(&c, EV_BLOCK_COMMITTED, -1), 0);
    grow(&c, 0, 2, 1);
    assert_no_fork(&c);
    cu_close(&c);
}

/* A short PBFT history with a crash and a restart, as one hash over every event. */
static void
scenario_digest(uint64_t seed, uint8_t out[32])
{
    cu_cluster_t c;

    pbft_cluster(&c, seed, 4);
    grow(&c, 1, 2, 1);
    sim_crash(c.sim, 1);
    grow(&c, 2, 2, 2);
    sim_restart(c.sim, 1);
    grow(&c, 3, 2, 3);
    sim_digest(c.sim, out);
    cu_close(&c);
}

/* DESIGN §1.2: the engine is a pure state machine (no clock but env_now, no rand): the same
 * seed gives the same run, event for event; another seed another run. */
static void
same_seed_gives_the_same_run(void **state)
{
    uint8_t first[32], again[32], other[32];

    (void)state;
    scenario_digest(seeds[0], first);
    scenario_digest(seeds[0], again);
    scenario_digest(seeds[0] + 100, other);
    assert_memory_equal(first, again, 32);
    assert_memory_not_equal(first, other, 32);
}

/* A SignReq as sealer `idx` would send it, signed with `key`, framed from node `from`. */
static void
forged_sign(cu_cluster_t *c, const keypair_t *key, uint64_t idx, int64_t height, bl_buf_t *out)
{
    pbft_msg_t m = { .type = PBFT_SIGN, .height = height, .view = 0, .idx = idx };
    bl_buf_t body = BL_BUF_INIT;
    frame_t f = { .protocol_id = frame_protocol_id(G, MODULE_PBFT), .packet_type = PBFT_SIGN };

    memset(m.block_hash, 0xab, 32);
    assert_int_equal(pbft_msg_sign(c->suite, key, &m), BL_OK);
    pbft_msg_encode(&m, &body);
    f.body = bl_buf_span(&body);
    frame_encode(&f, out);
    bl_buf_free(&body);
}

/* §2.2: every message is checked. A vote signed by another key than its sealer's, a vote from
 * a node that is not the sealer it names, an index out of range, a garbled body: each is
 * dropped with EV_MSG_DROPPED and changes nothing. */
static void
forged_messages_are_dropped_and_change_nothing(void **state)
{
    cu_cluster_t c;
    node_t *a;
    size_t before, signs;
    bl_buf_t msg = BL_BUF_INIT;

    (void)state;
    pbft_cluster(&c, seeds[0], 4);
    grow(&c, 0, 2, 1);
    a = cu_node(&c, 0);
    before = cu_count_events(&c, EV_MSG_DROPPED, 0);
    signs = cu_count_events(&c, EV_PBFT_SIGN, 0);
    forged_sign(&c, &c.keys[3], 1, 2, &msg); /* idx 1, signed by node 3's key */
    node_on_message(a, 1, msg.data, msg.len);
    bl_buf_clear(&msg);
    forged_sign(&c, &c.keys[1], 1, 2, &msg); /* a good vote, but framed from node 2 */
    node_on_message(a, 2, msg.data, msg.len);
    bl_buf_clear(&msg);
    forged_sign(&c, &c.keys[1], 9, 2, &msg); /* no sealer 9 */
    node_on_message(a, 1, msg.data, msg.len);
    msg.data[msg.len - 70] ^= 0x40; /* garbled */
    node_on_message(a, 1, msg.data, msg.len);
    bl_buf_free(&msg);
    assert_int_equal(cu_count_events(&c, EV_MSG_DROPPED, 0) - before, 4);
    assert_int_equal(cu_count_events(&c, EV_PBFT_SIGN, 0), signs);
    grow(&c, 1, 2, 2);
    assert_no_fork(&c);
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normal_case_commits_the_same_blocks_on_every_node),
        cmocka_unit_test(every_committed_block_carries_n_minus_f_commit_signatures),
        cmocka_unit_test(four_sealers_with_one_crashed_keep_committing),
        cmocka_unit_test(crashed_leader_causes_a_view_change_and_progress_resumes),
        cmocka_unit_test(silent_leader_causes_a_view_change_and_rejoins_after_heal),
        cmocka_unit_test(delayed_duplicated_reordered_messages_change_nothing_about_safety),
        cmocka_unit_test(seven_sealers_with_two_crashed_keep_committing),
        cmocka_unit_test(lagging_sealer_catches_up_with_the_view),
        cmocka_unit_test(lost_messages_slow_it_down_but_never_fork),
        cmocka_unit_test(restart_after_a_crash_mid_round_does_not_fork),
        cmocka_unit_test(whole_cluster_restart_after_a_lock_does_not_fork),
        cmocka_unit_test(empty_blocks_are_never_stored),
        cmocka_unit_test(forged_messages_are_dropped_and_change_nothing),
        cmocka_unit_test(same_seed_gives_the_same_run),
    };
    const char *env = getenv("BL_PBFT_SEED");

    if (env != NULL) {
        seeds[0] = strtoull(env, NULL, 10);
        nseeds = 1;
    }
    printf("pbft seeds: %llu..%llu (BL_PBFT_SEED=N runs one)\n",
           (unsigned long long)seeds[0], (unsigned long long)seeds[nseeds - 1]);
    return cmocka_run_group_tests_name("pbft", tests, NULL, NULL);
}
