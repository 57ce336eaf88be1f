/*
 * test_consensus_sweep.c — random fault schedules against every consensus engine, with the
 * safety and liveness checks of the anchors file §4.6 run after each one.
 *
 * Each run is one seed: 4 sealers in one group, a stream of transactions, and a random
 * schedule of crashes, restarts, partitions and lossy, duplicating, reordering links (the
 * "nemesis"), all drawn from the seed. Then every fault heals, every node restarts, and the
 * chain gets a little more time. After the run:
 *
 *   agreement   no two nodes hold different blocks at the same height;
 *   certified   (PBFT) every committed block carries at least n − f valid commit signatures
 *               of distinct sealers over its hash;
 *   progress    once the faults are gone, every node reaches the height of the highest one,
 *               and new transactions get committed.
 *
 * A failing run prints its seed and writes its trace (cluster-<seed>.trace). make test runs
 * BL_SWEEP_N runs per engine (500 by default); `make sim N=5000` runs more.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "clusterutil.h"
#include "consensus/consensus.h"
#include "node/group.h"

#define NODES 4
#define FAULT_WINDOW_MS 20000
#define SETTLE_MS 40000

static unsigned sweep_n = 500;
static uint64_t first_seed = 1;

/* ---- the nemesis ---- */

static void
random_link(bl_rng_t *r, sim_fault_t *f)
{
    f->link = sim_link_default();
    f->link.drop = (double)bl_rng_below(r, 30) / 100;
    f->link.dup = (double)bl_rng_below(r, 20) / 100;
    f->link.delay_min_ms = 1;
    f->link.delay_max_ms = 1 + (uint32_t)bl_rng_below(r, 200);
    f->link.reorder = bl_rng_below(r, 2) == 0;
    f->fields = SIM_LINK_ALL;
}

/* Queue 3..8 random faults within the fault window. */
static void
schedule_faults(cu_cluster_t *c, bl_rng_t *r)
{
    unsigned side[NODES];
    unsigned count = 3 + (unsigned)bl_rng_below(r, 6);

    for (unsigned k = 0; k < count; k++) {
        sim_fault_t f = { 0 };
        uint64_t at = 500 + bl_rng_below(r, FAULT_WINDOW_MS - 500);

        switch (bl_rng_below(r, 5)) {
        case 0: f.op = SIM_FAULT_CRASH; f.node = (unsigned)bl_rng_below(r, NODES); break;
        case 1: f.op = SIM_FAULT_RESTART; f.node = (unsigned)bl_rng_below(r, NODES); break;
        case 2:
            for (unsigned i = 0; i < NODES; i++)
                side[i] = (unsigned)bl_rng_below(r, 2);
            f.op = SIM_FAULT_PARTITION;
            f.side = side;
            break;
        case 3: f.op = SIM_FAULT_HEAL; break;
        default:
            f.op = SIM_FAULT_LINK;
            f.node = (unsigned)bl_rng_below(r, NODES);
            f.to = (f.node + 1 + (unsigned)bl_rng_below(r, NODES - 1)) % NODES;
            random_link(r, &f);
        }
        assert_int_equal(sim_at(c->sim, at, &f), BL_OK);
    }
}

/* Every fault gone: links clean, network whole, every node up. */
static void
heal_everything(cu_cluster_t *c)
{
    sim_link_t clean = sim_link_default();

    sim_heal(c->sim);
    assert_int_equal(sim_set_links(c->sim, &clean), BL_OK);
    for (unsigned i = 0; i < NODES; i++)
        sim_restart(c->sim, i);
}

/* ---- the checks ---- */

static void
fail_run(cu_cluster_t *c, const char *engine, const char *what)
{
    char path[64];

    snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c->seed);
    sim_write_trace(c->sim, path);
    fail_msg("%s seed=%llu: %s (trace in %s; BL_SWEEP_SEED=%llu BL_SWEEP_N=1 replays it)",
             engine, (unsigned long long)c->seed, what, path, (unsigned long long)c->seed);
}

/* How many of blk's signatures are valid commit signatures of distinct listed sealers. */
static size_t
valid_signatures(const suite_t *suite, const block_t *blk)
{
    uint8_t hash[32];
    bool seen[CONSENSUS_MAX_SEALERS] = { false };
    size_t valid = 0;

    block_hash(suite, blk, hash);
    for (size_t i = 0; i < blk->nsigs; i++) {
        uint64_t who = blk->sigs[i].index;

        if (who >= blk->header.nsealers || who >= CONSENSUS_MAX_SEALERS || seen[who])
            continue;
        if (suite_verify(suite, blk->header.sealer_list[who], hash, blk->sigs[i].sig) == BL_OK) {
            seen[who] = true;
            valid++;
        }
    }
    return valid;
}

/* Agreement at every height, and (PBFT) n − f signatures on every block. */
static void
check_safety(cu_cluster_t *c, const char *engine)
{
    int64_t top = 0;

    for (unsigned i = 0; i < NODES; i++)
        if (cu_height(c, i, 1) > top)
            top = cu_height(c, i, 1);
    for (int64_t h = 1; h <= top; h++) {
        uint8_t first[32];
        bool have = false;

        for (unsigned i = 0; i < NODES; i++) {
            block_t blk;
            uint8_t hash[32];

            if (cu_height(c, i, 1) < h)
                continue;
            assert_int_equal(group_block(node_group(cu_node(c, i), 1), h, &blk), BL_OK);
            block_hash(c->suite, &blk, hash);
            if (strcmp(engine, "pbft") == 0 &&
                valid_signatures(c->suite, &blk) < NODES - (NODES - 1) / 3)
                fail_run(c, engine, "a committed block lacks n - f commit signatures");
            block_free(&blk);
            if (have && memcmp(first, hash, 32) != 0)
                fail_run(c, engine, "two nodes committed different blocks at one height");
            memcpy(first, hash, 32);
            have = true;
        }
    }
}

/* ---- one run ---- */

static void
sweep_one(const char *engine, uint64_t seed)
{
    cu_cluster_t c;
    bl_rng_t r;
    int64_t top = 0;

    cu_open(&c, seed, NODES);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", engine);
    cu_start(&c);
    bl_rng_seed(&r, seed ^ 0x5eed);
    schedule_faults(&c, &r);
    for (uint64_t t = 0; t < FAULT_WINDOW_MS; t += 2000) {
        unsigned to = (unsigned)bl_rng_below(&r, NODES);

        if (cu_node(&c, to) != NULL)
            cu_submit_users(&c, to, 1, 1 + (unsigned)bl_rng_below(&r, 3));
        sim_run_for(c.sim, 2000);
    }
    check_safety(&c, engine);
    heal_everything(&c);
    sim_run_for(c.sim, 3000);
    for (unsigned i = 0; i < NODES; i++)
        if (cu_height(&c, i, 1) > top)
            top = cu_height(&c, i, 1);
    cu_submit_users(&c, 0, 1, 2);
    cu_run_until_height(&c, 1, NULL, top + 1, SETTLE_MS);
    check_safety(&c, engine);
    cu_close(&c);
}

static void
sweep(const char *engine)
{
    if (consensus_find(engine) == NULL)
        skip();
    for (unsigned k = 0; k < sweep_n; k++)
        sweep_one(engine, first_seed + k);
}

/* anchors §4.6 under crash and network faults: solo (no fault tolerance, but never forks). */
static void
solo_survives_random_faults_without_forking(void **state)
{
    (void)state;
    sweep("solo");
}

/* anchors §4.5/4.6: PBFT never forks, every block is certified, and it recovers. */
static void
pbft_survives_random_faults_without_forking(void **state)
{
    (void)state;
    sweep("pbft");
}

/* Raft (crash faults only): never forks and recovers once a majority is back. */
static void
raft_survives_random_faults_without_forking(void **state)
{
    (void)state;
    sweep("raft");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(solo_survives_random_faults_without_forking),
        cmocka_unit_test(pbft_survives_random_faults_without_forking),
        cmocka_unit_test(raft_survives_random_faults_without_forking),
    };
    const char *n = getenv("BL_SWEEP_N"), *s = getenv("BL_SWEEP_SEED");

    if (n != NULL)
        sweep_n = (unsigned)strtoul(n, NULL, 10);
    if (s != NULL)
        first_seed = strtoull(s, NULL, 10);
    printf("sweep: %u runs per engine from seed %llu (BL_SWEEP_N, BL_SWEEP_SEED)\n", sweep_n,
           (unsigned long long)first_seed);
    return cmocka_run_group_tests_name("consensus_sweep", tests, NULL, NULL);
}
