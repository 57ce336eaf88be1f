/*
 * test_raft_once.c — Raft does each costly step once per node (consensus/raft*.c with
 * node/group.c), as FISCO BCOS 2.x does:
 *
 *   - a sender is recovered once per node, when its pool admits the tx: applying a log entry
 *     takes the senders of its block's txs from the pool (FISCO's engines verify only the txs
 *     their pool lacks);
 *   - a follower executes each block once, the one it got in AppendEntries: the leader tells
 *     the followers a block is committed before it commits it itself, so the Status its sync
 *     sends after the commit never makes them download (and execute again) a block they hold.
 *
 * The links are TCP-like here (in order, as on the threads driver and in FISCO's P2P), so
 * that "before" on the leader means "before" on the follower. Recoveries are counted by a suite
 * whose recover() counts the client's key only. Every test prints its seed.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"
#include "node/group.h"

#define G 1
#define LIMIT_MS 60000

static void
raft_follower_applies_each_block_once_without_downloading_it(void **state)
{
    sim_link_t tcp = sim_link_default();
    const unsigned k = 4, heights = 3;
    cu_cluster_t c;

    (void)state;
    printf("  seed=41\n");
    cu_open(&c, 41, 3);
    cu_count_client_recoveries(&c);
    cu_group_with(&c, G, "0,1,2", "0,1,2", "raft");
    cu_start(&c);
    tcp.reorder = false;
    assert_int_equal(sim_set_links(c.sim, &tcp), BL_OK);
    for (unsigned h = 1; h <= heights; h++) {
        cu_submit_users(&c, h % 3, G, k);
        cu_run_until_height(&c, G, NULL, h, LIMIT_MS);
    }
    sim_run_for(c.sim, 3000);
    assert_int_equal(cu_count_events(&c, EV_SYNC_REQUEST, -1), 0);
    for (unsigned i = 0; i < c.n; i++) {
        assert_int_equal(cu_height(&c, i, G), heights);
        assert_int_equal(group_executions(node_group(cu_node(&c, i), G)), heights);
    }
    assert_int_equal(cu_client_recoveries(), 3 * k * heights); /* once per node and tx */
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raft_follower_applies_each_block_once_without_downloading_it),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
