/*
 * test_pbft_once.c — PBFT does each costly step once per node (consensus/pbft*.c with
 * node/group.c), as FISCO BCOS 2.x does (fisco-2x-facts §2.3, §2.4):
 *
 *   - a sender is recovered once per node: when its pool admits the tx. A replica takes the
 *     senders of a PrepareReq's txs from its pool and verifies only the txs its pool lacks;
 *   - a block is executed once per node: the state executed before signing is the state that
 *     is committed (FISCO's cached executed block), not executed again at commit;
 *   - the leader starts consensus at once when its pool holds a full block (tx_count_limit
 *     txs), without waiting for min_block_generation_time; a partial block still waits.
 *
 * Recoveries are counted by a suite whose recover() counts the keys it finds: only the
 * client's key is counted, so the PBFT messages' own signatures (node keys) do not mix in.
 * Every test prints its seed.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "clusterutil.h"
#include "consensus/pbft.h"
#include "node/group.h"

#define G 1
#define LIMIT_MS 60000
#define MIN_BLOCK_MS 500 /* min_block_generation_time (consensus/pbft_int.h) */

/* Four PBFT sealers on the counting suite; max_trans_num 0 keeps the genesis default. */
static void
open_cluster(cu_cluster_t *c, uint64_t seed, int64_t max_trans_num)
{
    printf("  seed=%llu\n", (unsigned long long)seed);
    cu_open(c, seed, 4);
    cu_count_client_recoveries(c);
    cu_group_with(c, G, "0,1,2,3", "0,1,2,3", "pbft");
    if (max_trans_num > 0)
        c->genesis[0].max_trans_num = max_trans_num;
    cu_start(c);
}

static group_t *
group_of(cu_cluster_t *c, unsigned i)
{
    return node_group(cu_node(c, i), G);
}

/* How many events of kind node emitted with b == b_want; the first one's time in *first. */
static size_t
events_b(cu_cluster_t *c, ev_kind_t kind, int node, int64_t b_want, uint64_t *first)
{
    ev_t batch[1024];
    uint64_t after = 0;
    size_t n, count = 0;

    while ((n = evlog_read(c->log, after, batch, 1024, NULL)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (batch[i].kind != kind || batch[i].node != node ||
                (b_want >= 0 && batch[i].b != b_want))
                continue;
            if (count++ == 0 && first != NULL)
                *first = batch[i].time_ms;
        }
        after = batch[n - 1].seq;
    }
    return count;
}

/* FISCO's PBFTEngine checks a PrepareReq's txs against its pool and verifies only those it
 * does not hold. Every pool has every tx here: one recovery per node and tx, at admission, and
 * none when the block is decoded for the Prepare (before: two per node and tx). And a replica
 * whose pool never got the txs (the broadcast to it is lost) recovers them from the Prepare,
 * still once each: it signs and commits the block with the others. */
static void
pbft_replica_recovers_only_senders_its_pool_lacks(void **state)
{
    const unsigned k = 6;
    sim_link_t lost = sim_link_default();
    cu_cluster_t c;

    (void)state;
    open_cluster(&c, 11, 0);
    cu_submit_users(&c, 0, G, k);
    cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
    sim_run_for(c.sim, 2000);
    for (unsigned i = 0; i < c.n; i++)
        assert_int_equal(group_total_txs(group_of(&c, i)), k);
    assert_int_equal(cu_client_recoveries(), 4 * k);
    cu_close(&c);

    /* node 1 gets the txs, and nothing it sends reaches node 3; node 0 leads height 1 */
    open_cluster(&c, 12, 0);
    lost.drop = 1.0;
    assert_int_equal(sim_set_link(c.sim, 1, 3, &lost), BL_OK);
    cu_submit_users(&c, 1, G, k);
    cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
    assert_int_equal(group_total_txs(group_of(&c, 3)), k);
    assert_int_equal(group_pool_size(group_of(&c, 3)), 0);
    assert_true(events_b(&c, EV_PBFT_PHASE, 3, PBFT_PHASE_COMMITTED, NULL) >= 1);
    assert_int_equal(cu_client_recoveries(), 4 * k); /* nodes 0..2 at admission, node 3 once */
    cu_close(&c);
}

/* FISCO executes a proposal once, before signing, caches the executed block and writes that
 * very block and its state at commit. So every node executes each block exactly once (before:
 * twice, once more at commit). */
static void
commit_reuses_the_executed_block_without_executing_again(void **state)
{
    cu_cluster_t c;

    (void)state;
    open_cluster(&c, 21, 0);
    for (int h = 1; h <= 3; h++) {
        cu_submit_users(&c, (unsigned)h % 4, G, 3);
        cu_run_until_height(&c, G, NULL, h, LIMIT_MS);
    }
    sim_run_for(c.sim, 2000);
    for (unsigned i = 0; i < c.n; i++) {
        assert_int_equal(cu_height(&c, i, G), 3);
        assert_int_equal(events_b(&c, EV_PBFT_PHASE, (int)i, PBFT_PHASE_COMMITTED, NULL), 3);
        assert_int_equal(group_executions(group_of(&c, i)), 3);
    }
    cu_close(&c);
}

/* FISCO's sealer starts consensus as soon as its block reaches tx_count_limit txs
 * (Sealer::checkTxsEnough); only a partial block waits for min_block_generation_time. */
static void
leader_seals_at_once_when_a_full_block_is_pending(void **state)
{
    cu_cluster_t c;
    uint64_t sealed = 0;

    (void)state;
    open_cluster(&c, 31, 4);
    cu_submit_users(&c, 0, G, 4); /* a full block for leader 0 */
    cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
    assert_int_equal(events_b(&c, EV_BLOCK_SEALED, 0, 4, &sealed), 1);
    assert_true(sealed < MIN_BLOCK_MS);
    cu_close(&c);

    open_cluster(&c, 32, 4);
    cu_submit_users(&c, 0, G, 3); /* one short of full */
    cu_run_until_height(&c, G, NULL, 1, LIMIT_MS);
    assert_int_equal(events_b(&c, EV_BLOCK_SEALED, 0, 3, &sealed), 1);
    assert_true(sealed >= MIN_BLOCK_MS);
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pbft_replica_recovers_only_senders_its_pool_lacks),
        cmocka_unit_test(commit_reuses_the_executed_block_without_executing_again),
        cmocka_unit_test(leader_seals_at_once_when_a_full_block_is_pending),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
