/*
 * test_cluster.c — whole nodes with their groups, on the simulator (node/, sync/, net/sim.c).
 *
 * The course's scenario: agencies A, B and C (nodes 0, 1, 2) share group 1; A and B open
 * group 2, which C must never see (fisco-2x-facts §4: the P2P layer delivers group traffic only
 * among members). Node 3 (D) hosts group 1 as a free node until a transaction adds it.
 *
 * Pins down: group isolation measured in bytes (not one byte of group 2 reaches C) and in
 * queries (C refuses them); an observer added by a transaction to 0x1003 syncs the whole chain
 * (§2.7: members push their status to a new member, which downloads and re-executes);
 * a crashed node and a partitioned node catch up (sync's gossip tells them they are behind);
 * the same seed gives the same event hash chain, another seed a different one; and thousands
 * of random and mutated messages thrown at a node change nothing and are counted as dropped.
 * Every run prints its seed; BL_CLUSTER_SEED=N replays one.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "clusterutil.h"
#include "ledger/status.h"
#include "net/frame.h"
#include "node/group.h"
#include "sync/sync.h"

#define A 0
#define B 1
#define C 2
#define D 3
#define LIMIT_MS 30000

static uint64_t seed = 1;

/* A, B, C in group 1 (sealers), A and B in group 2; D hosts group 1 but is not a member. */
static void
course_cluster(cu_cluster_t *c, uint64_t s)
{
    cu_open(c, s, 4);
    cu_group(c, 1, "0,1,2", "0,1,2,3");
    cu_group(c, 2, "0,1", "0,1");
    cu_start(c);
}

/* §4: group 2's traffic goes only among its members. C hosts no group 2: no byte of group 2
 * is ever sent to it, and C answers no question about group 2. */
static void
group_two_never_reaches_the_agency_outside_it(void **state)
{
    cu_cluster_t c;
    sim_counts_t to_c;

    (void)state;
    course_cluster(&c, seed);
    cu_submit_users(&c, A, 2, 5);
    cu_submit_users(&c, A, 1, 3);
    cu_run_until_height(&c, 2, "0,1", 1, LIMIT_MS);
    cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
    sim_run_for(c.sim, 3000);
    to_c = sim_counts(c.sim, SIM_ANY, C, 2, SIM_ANY);
    assert_int_equal(to_c.sent_msgs, 0);
    assert_int_equal(to_c.sent_bytes, 0);
    assert_int_equal(to_c.delivered_bytes, 0);
    assert_true(sim_counts(c.sim, A, B, 2, MODULE_SYNC).delivered_bytes > 0);
    /* and on C's side nothing of group 2 was ever stored (the disk is empty), while B, a
     * member, holds the group's chain */
    assert_int_equal(tu_kv_count(env_disk(sim_env(c.sim, C), "group2")), 0);
    assert_true(tu_kv_count(env_disk(sim_env(c.sim, B), "group2")) > 0);
    assert_null(node_group(cu_node(&c, C), 2));
    assert_true(cu_count_events(&c, EV_QUERY_REFUSED, C) >= 1);
    assert_int_equal(node_submit(cu_node(&c, C), 2, (bl_span_t){ NULL, 0 }, NULL),
                     TX_REQUEST_NOT_BELONG_TO_THE_GROUP);
    cu_close(&c);
}

/* §4 "joining a group": D has group 1's genesis but is no member, so nobody talks to it. A
 * transaction addObserver(D) to 0x1003 makes it one from the next block; the members then
 * send it their status and D downloads and re-executes every block. */
static void
observer_added_by_transaction_syncs_the_whole_chain(void **state)
{
    cu_cluster_t c;
    char d_id[129];
    const char *args[1] = { d_id };
    bl_buf_t raw = BL_BUF_INIT;
    uint8_t hash[32];
    int64_t h;

    (void)state;
    course_cluster(&c, seed);
    cu_submit_users(&c, A, 1, 4);
    cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
    sim_run_for(c.sim, 3000);
    assert_int_equal(cu_height(&c, D, 1), 0); /* a free node hears nothing */
    bl_hex_encode(c.ids[D], 64, d_id);
    cu_tx(&c, 1, 0x1003, "addObserver(string)", args, 1, &raw);
    assert_int_equal(node_submit(cu_node(&c, A), 1, bl_buf_span(&raw), hash), TX_OK);
    bl_buf_free(&raw);
    cu_run_until_height(&c, 1, "0", 2, LIMIT_MS);
    h = cu_height(&c, A, 1);
    assert_int_equal(group_role_of(node_group(cu_node(&c, A), 1), D), GROUP_OBSERVER);
    cu_run_until_height(&c, 1, "3", h, LIMIT_MS);
    assert_true(cu_count_events(&c, EV_SYNC_DOWNLOADED, D) >= (size_t)h);
    cu_close(&c);
}

/* DESIGN §1.3: a crash loses what is in memory, not what is on disk. C restarts with its
 * blocks, hears from the gossip that it is behind, and downloads the rest. */
static void
crashed_node_restarts_and_catches_up(void **state)
{
    cu_cluster_t c;

    (void)state;
    course_cluster(&c, seed);
    cu_submit_users(&c, A, 1, 3);
    cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
    assert_int_equal(sim_crash(c.sim, C), BL_OK);
    for (int i = 0; i < 3; i++) {
        cu_submit_users(&c, A, 1, 2);
        cu_run_until_height(&c, 1, "0,1", 2 + i, LIMIT_MS);
    }
    assert_int_equal(sim_restart(c.sim, C), BL_OK);
    assert_int_equal(cu_height(&c, C, 1), 1); /* its disk kept block 1 */
    cu_run_until_height(&c, 1, "2", cu_height(&c, A, 1), LIMIT_MS);
    cu_close(&c);
}

/* A node cut off by a partition misses blocks; after the heal, sync brings it level. */
static void
partitioned_node_catches_up_after_heal(void **state)
{
    static const unsigned sides[4] = { 0, 0, 1, 0 };
    cu_cluster_t c;

    (void)state;
    course_cluster(&c, seed);
    sim_partition(c.sim, sides);
    for (int i = 0; i < 3; i++) {
        cu_submit_users(&c, A, 1, 2);
        cu_run_until_height(&c, 1, "0,1", 1 + i, LIMIT_MS);
    }
    assert_int_equal(cu_height(&c, C, 1), 0);
    sim_heal(c.sim);
    cu_run_until_height(&c, 1, "2", 3, LIMIT_MS);
    cu_close(&c);
}

/* The course's scenario, start to end, as one function of the seed. */
static void
scenario_digest(uint64_t s, uint8_t out[32])
{
    cu_cluster_t c;

    course_cluster(&c, s);
    cu_submit_users(&c, A, 1, 3);
    cu_submit_users(&c, B, 2, 3);
    sim_run_for(c.sim, 4000);
    sim_crash(c.sim, C);
    cu_submit_users(&c, A, 1, 2);
    sim_run_for(c.sim, 2000);
    sim_restart(c.sim, C);
    sim_run_for(c.sim, 4000);
    sim_digest(c.sim, out);
    cu_close(&c);
}

/* anchors §5 (madsim's check-determinism): the same seed gives the same hash chain of every
 * event, twice; another seed gives another one. */
static void
same_seed_gives_the_same_event_hash_chain(void **state)
{
    uint8_t first[32], again[32], other[32];

    (void)state;
    scenario_digest(seed, first);
    scenario_digest(seed, again);
    scenario_digest(seed + 1, other);
    assert_memory_equal(first, again, 32);
    assert_memory_not_equal(first, other, 32);
}

/* A frame for group g, module m, with a random or a valid-looking body. */
static void
random_frame(bl_rng_t *r, bl_buf_t *out)
{
    static const unsigned modules[] = { MODULE_SYNC, MODULE_NODE, MODULE_TXPOOL, MODULE_PBFT, 77 };
    uint8_t body[96];
    size_t len = bl_rng_below(r, sizeof body);
    frame_t f = { .packet_type = (uint16_t)bl_rng_below(r, 6),
                  .protocol_id = frame_protocol_id((unsigned)bl_rng_below(r, 4),
                                                   modules[bl_rng_below(r, 5)]),
                  .body = { body, len } };

    bl_rng_bytes(r, body, len);
    if (bl_rng_below(r, 3) == 0 && len > 2) /* sometimes an RLP list header, to get further */
        body[0] = (uint8_t)(0xc0 + (len - 1 < 56 ? len - 1 : 55));
    frame_encode(&f, out);
    if (bl_rng_below(r, 4) == 0 && out->len > 0) /* and sometimes a broken frame */
        out->data[bl_rng_below(r, out->len)] ^= (uint8_t)(1 + bl_rng_below(r, 255));
}

/* DESIGN §1.7: garbage from the network is normal. Thousands of random and mutated messages,
 * from every peer, reach node A's handlers directly: no crash, A's groups are exactly as they
 * were, and every message that was not a valid one is counted as dropped. */
static void
garbage_messages_change_nothing_and_are_dropped(void **state)
{
    cu_cluster_t c;
    node_t *a;
    bl_rng_t r;
    int64_t h1, h2;
    size_t pool1, dropped_before;

    (void)state;
    course_cluster(&c, seed);
    cu_submit_users(&c, A, 1, 2);
    cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
    a = cu_node(&c, A);
    h1 = cu_height(&c, A, 1);
    h2 = cu_height(&c, A, 2);
    pool1 = group_pool_size(node_group(a, 1));
    dropped_before = cu_count_events(&c, EV_MSG_DROPPED, A);
    bl_rng_seed(&r, seed);
    for (int i = 0; i < 5000; i++) {
        bl_buf_t msg = BL_BUF_INIT;

        random_frame(&r, &msg);
        node_on_message(a, (unsigned)bl_rng_below(&r, 6), msg.data, msg.len);
        bl_buf_free(&msg);
    }
    assert_int_equal(cu_height(&c, A, 1), h1);
    assert_int_equal(cu_height(&c, A, 2), h2);
    assert_int_equal(group_pool_size(node_group(a, 1)), pool1);
    assert_true(cu_count_events(&c, EV_MSG_DROPPED, A) - dropped_before > 2500);
    cu_close(&c);
}

/* A cluster with certificates: 4 nodes all sealers of group 1. */
static void
pki_cluster(cu_cluster_t *c, int foreign, int revoked, int renewed)
{
    cu_open(c, seed, 4);
    cu_group(c, 1, "0,1,2,3", "0,1,2,3");
    cu_pki(c);
    if (foreign >= 0)
        cu_pki_foreign(c, (unsigned)foreign);
    if (revoked >= 0)
        cu_pki_revoke(c, (unsigned)revoked);
    if (renewed >= 0)
        cu_pki_renew(c, (unsigned)renewed);
    cu_start(c);
    sim_run_for(c->sim, 2000);
}

static void
assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", part, text);
}

/* §8 network admission: only nodes whose certificate chains to the chain CA may connect. D
 * shows one from another chain: everyone refuses it and says why, and even though the genesis
 * lists it as a sealer of group 1, not one byte of group 1 is sent to it. */
static void
certificate_from_another_chain_ca_is_refused_with_the_reason(void **state)
{
    cu_cluster_t c;

    (void)state;
    pki_cluster(&c, D, -1, -1);
    cu_submit_users(&c, A, 1, 2);
    cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
    for (unsigned i = A; i <= C; i++) {
        assert_false(node_admitted(cu_node(&c, i), D));
        assert_contains(node_refusal(cu_node(&c, i), D), "not issued by this chain's CA");
        assert_true(node_admitted(cu_node(&c, i), (i + 1) % 3));
        assert_int_equal(sim_counts(c.sim, i, D, 1, SIM_ANY).sent_bytes, 0);
    }
    assert_contains(node_refused_by(cu_node(&c, D), A), "not issued by this chain's CA");
    assert_int_equal(cu_height(&c, D, 1), 0);
    assert_true(cu_count_events(&c, EV_PEER_REFUSED, A) >= 1);
    cu_close(&c);
}

/* §8: a node on [certificate_blacklist] is refused though its certificate is good. */
static void
revoked_node_is_refused_with_the_reason(void **state)
{
    cu_cluster_t c;

    (void)state;
    pki_cluster(&c, -1, C, -1);
    assert_false(node_admitted(cu_node(&c, A), C));
    assert_contains(node_refusal(cu_node(&c, A), C), "blacklist");
    assert_contains(node_refused_by(cu_node(&c, C), B), "blacklist");
    assert_true(node_admitted(cu_node(&c, A), B));
    cu_close(&c);
}

/* §8 renewal: a new certificate from the same node.key keeps the node ID, and the node is
 * admitted as before. */
static void
renewed_certificate_keeps_the_node_id_and_is_admitted(void **state)
{
    cu_cluster_t c;
    uint8_t id[64];

    (void)state;
    pki_cluster(&c, -1, -1, B);
    assert_int_equal(pki_node_id(c.certs[B], id), BL_OK);
    assert_memory_equal(id, c.ids[B], 64);
    for (unsigned i = 0; i < 4; i++)
        if (i != B)
            assert_true(node_admitted(cu_node(&c, i), B));
    cu_submit_users(&c, A, 1, 2);
    cu_run_until_height(&c, 1, "0,1,2,3", 1, LIMIT_MS);
    cu_close(&c);
}

/* DESIGN §4: consensus is chosen per group. The same four nodes run PBFT in group 1 and Raft
 * in group 2 at the same time; both groups advance, each on its own. */
static void
one_node_runs_pbft_in_one_group_and_raft_in_another(void **state)
{
    cu_cluster_t c;

    (void)state;
    cu_open(&c, seed, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_group_with(&c, 2, "0,1,2,3", "0,1,2,3", "raft");
    cu_start(&c);
    for (int i = 0; i < 3; i++) {
        cu_submit_users(&c, A, 1, 2);
        cu_submit_users(&c, B, 2, 2);
        cu_run_until_height(&c, 1, "0,1,2,3", 1 + i, LIMIT_MS);
        cu_run_until_height(&c, 2, "0,1,2,3", 1 + i, LIMIT_MS);
    }
    assert_true(sim_counts(c.sim, SIM_ANY, SIM_ANY, 1, MODULE_PBFT).delivered_msgs > 0);
    assert_true(sim_counts(c.sim, SIM_ANY, SIM_ANY, 2, MODULE_RAFT).delivered_msgs > 0);
    assert_int_equal(sim_counts(c.sim, SIM_ANY, SIM_ANY, 1, MODULE_RAFT).sent_msgs, 0);
    assert_int_equal(sim_counts(c.sim, SIM_ANY, SIM_ANY, 2, MODULE_PBFT).sent_msgs, 0);
    cu_close(&c);
}

static bool
all_committed(void *arg)
{
    cu_cluster_t *c = arg;
    group_t *g = node_group(cu_node(c, 0), 1);

    return group_total_txs(g) >= 6;
}

/* Transactions a node accepted before its peers and it had shown each other their
 * certificates were broadcast to nobody. Under Raft only the leader seals: if the node that
 * has them is not the leader, they would wait forever. A peer's first status (proof that both
 * sides admitted each other) makes the node send it its whole pool (FISCO's tx sync sends each
 * peer the txs it does not know). Over several seeds the leader is sometimes another node. */
static void
txs_accepted_before_peers_connect_reach_the_raft_leader(void **state)
{
    (void)state;
    for (uint64_t s = seed; s < seed + 6; s++) {
        cu_cluster_t c;

        cu_open(&c, s, 3);
        cu_pki(&c);
        cu_group_with(&c, 1, "0,1,2", "0,1,2", "raft");
        c.has_start_link = true; /* the handshake takes longer than the first tx broadcast */
        c.start_link = sim_link_default();
        c.start_link.delay_min_ms = 30;
        c.start_link.delay_max_ms = 40;
        cu_start(&c);
        cu_submit_users(&c, 2, 1, 6); /* at time 0: no peer is admitted yet */
        if (!sim_run_until(c.sim, all_committed, &c, LIMIT_MS))
            fail_msg("seed %llu: the txs node 2 took before its peers connected were never "
                     "committed", (unsigned long long)s);
        cu_close(&c);
    }
}

static bool
node0_committed_eight(void *arg)
{
    cu_cluster_t *c = arg;

    return group_total_txs(node_group(cu_node(c, 0), 1)) >= 8;
}

/* A transaction broadcast while every other member was down reached nobody: the crashed nodes
 * lost it on the way, and they come back with empty pools. Under Raft the node holding it may
 * not be the next leader; unless it sends its pool again to a member that returns (a status
 * after a long silence), the transaction would wait forever. Over several seeds the new leader
 * is sometimes another node. */
static void
txs_broadcast_while_peers_were_down_reach_them_when_they_return(void **state)
{
    (void)state;
    for (uint64_t s = seed; s < seed + 6; s++) {
        cu_cluster_t c;

        cu_open(&c, s, 3);
        cu_group_with(&c, 1, "0,1,2", "0,1,2", "raft");
        cu_start(&c);
        cu_submit_users(&c, 0, 1, 2);
        cu_run_until_height(&c, 1, "0,1,2", 1, LIMIT_MS);
        sim_crash(c.sim, 1);
        sim_crash(c.sim, 2);
        cu_submit_users(&c, 0, 1, 6);
        sim_run_for(c.sim, 5000);
        sim_restart(c.sim, 1);
        sim_restart(c.sim, 2);
        if (!sim_run_until(c.sim, node0_committed_eight, &c, LIMIT_MS))
            fail_msg("seed %llu: the txs node 0 took while its peers were down were never "
                     "committed", (unsigned long long)s);
        cu_close(&c);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(group_two_never_reaches_the_agency_outside_it),
        cmocka_unit_test(observer_added_by_transaction_syncs_the_whole_chain),
        cmocka_unit_test(crashed_node_restarts_and_catches_up),
        cmocka_unit_test(partitioned_node_catches_up_after_heal),
        cmocka_unit_test(same_seed_gives_the_same_event_hash_chain),
        cmocka_unit_test(garbage_messages_change_nothing_and_are_dropped),
        cmocka_unit_test(certificate_from_another_chain_ca_is_refused_with_the_reason),
        cmocka_unit_test(revoked_node_is_refused_with_the_reason),
        cmocka_unit_test(renewed_certificate_keeps_the_node_id_and_is_admitted),
        cmocka_unit_test(one_node_runs_pbft_in_one_group_and_raft_in_another),
        cmocka_unit_test(txs_accepted_before_peers_connect_reach_the_raft_leader),
        cmocka_unit_test(txs_broadcast_while_peers_were_down_reach_them_when_they_return),
    };
    const char *env = getenv("BL_CLUSTER_SEED");

    seed = env != NULL ? strtoull(env, NULL, 10) : 1;
    printf("cluster seed=%llu (BL_CLUSTER_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    return cmocka_run_group_tests_name("cluster", tests, NULL, NULL);
}
