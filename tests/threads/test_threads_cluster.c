/*
 * test_threads_cluster.c — the course's scenarios again, on the threads driver: every node on
 * its own thread, the real clock (net/threads.h). The same node code as in test_cluster.c (the
 * simulator); here what is checked is that it also works with real concurrency — and, since
 * this program runs under ThreadSanitizer in make test, that nodes really share nothing.
 *
 * Pins down, in real time: group 2 stays between A and B (C never hears of it); a node cut off
 * from the others, and a crashed and restarted node, catch up through sync; a free node added
 * as an observer by a transaction downloads the whole chain.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "net/threads.h"
#include "node/group.h"
#include "node/node.h"

#define NODES 4 /* 0, 1, 2 in group 1 (0 and 1 also in group 2); 3 hosts group 1, no member */
#define WAIT_LIMIT_MS 20000

typedef struct {
    const suite_t *suite;
    keypair_t keys[NODES], client;
    uint8_t ids[NODES][64];
    genesis_t g1, g2;
    genesis_t hosted[NODES][2];
    node_config_t configs[NODES];
    evlog_t *log;
    threads_t *t;
    uint64_t nonce;
} tcluster_t;

static int
compare_keys(const void *a, const void *b)
{
    return memcmp(((const keypair_t *)a)->pub, ((const keypair_t *)b)->pub, 64);
}

static void
tc_start(tcluster_t *c)
{
    memset(c, 0, sizeof *c);
    c->suite = suite_ecdsa();
    tu_key(&c->client, c->suite, 0x77);
    genesis_init(&c->g1, 1);
    genesis_init(&c->g2, 2);
    snprintf(c->g1.consensus_type, sizeof c->g1.consensus_type, "solo");
    snprintf(c->g2.consensus_type, sizeof c->g2.consensus_type, "solo");
    for (unsigned i = 0; i < NODES; i++)
        tu_key(&c->keys[i], c->suite, (uint8_t)(0x21 + i));
    /* in node-ID order, as sealer lists are: node 0 is the sealer solo lets seal */
    qsort(c->keys, NODES, sizeof c->keys[0], compare_keys);
    for (unsigned i = 0; i < NODES; i++) {
        memcpy(c->ids[i], c->keys[i].pub, 64);
        if (i < 3)
            genesis_add_sealer(&c->g1, c->ids[i]);
        if (i < 2)
            genesis_add_sealer(&c->g2, c->ids[i]);
    }
    for (unsigned i = 0; i < NODES; i++) {
        c->hosted[i][0] = c->g1;
        c->hosted[i][1] = c->g2;
        c->configs[i] = (node_config_t){ .suite = c->suite, .key = c->keys[i],
                                         .node_ids = (const uint8_t(*)[64])c->ids,
                                         .chain_id = 1, .groups = c->hosted[i],
                                         .ngroups = i < 2 ? 2 : 1 };
    }
    c->log = evlog_new(1 << 16);
    assert_int_equal(threads_new(NODES, &node_endpoint_ops, c->configs, c->log, NULL, 1, &c->t),
                     BL_OK);
    assert_int_equal(threads_start(c->t), BL_OK);
}

static void
tc_stop(tcluster_t *c)
{
    threads_free(c->t);
    evlog_free(c->log);
    genesis_free(&c->g1);
    genesis_free(&c->g2);
}

typedef struct {
    unsigned group;
    bl_buf_t raw;
    int status;
    int64_t height;
    bool hosted;
} tc_call_t;

static void
submit_call(void *node, void *arg)
{
    tc_call_t *call = arg;
    uint8_t hash[32];

    call->status = node != NULL ? node_submit(node, call->group, bl_buf_span(&call->raw), hash)
                                : -1;
}

static void
height_call(void *node, void *arg)
{
    tc_call_t *call = arg;
    group_t *g = node != NULL ? node_group(node, call->group) : NULL;

    call->hosted = g != NULL;
    call->height = g != NULL ? group_height(g) : -1;
}

/* sig(args) at precompile `to` for group g, to node i. */
static void
tc_call(tcluster_t *c, unsigned i, unsigned g, uint16_t to, const char *sig,
        const char *const *args, size_t nargs)
{
    tc_call_t call = { .group = g, .raw = BL_BUF_INIT };
    tx_t tx;

    tx_init(&tx);
    assert_int_equal(tx_make_precompile_call(&tx, &c->client, to, sig, args, nargs, ++c->nonce,
                                             1, g), BL_OK);
    tx_encode(c->suite, &tx, &call.raw);
    tx_free(&tx);
    assert_int_equal(threads_call(c->t, i, submit_call, &call), BL_OK);
    assert_int_equal(call.status, TX_OK);
    bl_buf_free(&call.raw);
}

/* userAdd("t<nonce>", 1) for group g, to node i. */
static void
tc_submit(tcluster_t *c, unsigned i, unsigned g)
{
    char name[32];
    const char *args[2] = { name, "1" };

    snprintf(name, sizeof name, "t%llu", (unsigned long long)c->nonce + 1);
    tc_call(c, i, g, 0x5002, "userAdd(string,uint256)", args, 2);
}

static int64_t
tc_height(tcluster_t *c, unsigned i, unsigned g)
{
    tc_call_t call = { .group = g };

    assert_int_equal(threads_call(c->t, i, height_call, &call), BL_OK);
    return call.height;
}

static void
pause_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

static void
tc_wait_height(tcluster_t *c, unsigned i, unsigned g, int64_t h)
{
    for (int waited = 0; waited < WAIT_LIMIT_MS; waited += 10) {
        if (tc_height(c, i, g) >= h)
            return;
        pause_ms(10);
    }
    fail_msg("node %u's group %u stayed at height %lld, below %lld", i, g,
             (long long)tc_height(c, i, g), (long long)h);
}

/* §4 in real time: group 2 advances on A and B; C never hosts it and never hears of it. */
static void
threads_group_two_stays_between_its_members(void **state)
{
    tcluster_t c;
    ev_t ev[512];
    uint64_t after = 0;
    size_t n;

    (void)state;
    tc_start(&c);
    tc_submit(&c, 0, 2);
    tc_submit(&c, 0, 1);
    tc_wait_height(&c, 1, 2, 1);
    tc_wait_height(&c, 2, 1, 1);
    assert_int_equal(tc_height(&c, 2, 2), -1);
    while ((n = evlog_read(c.log, after, ev, 512, NULL)) > 0) {
        for (size_t k = 0; k < n; k++)
            if (ev[k].node == 2 && ev[k].kind == EV_MSG_DELIVERED)
                assert_int_not_equal(ev[k].group, 2);
        after = ev[n - 1].seq;
    }
    tc_stop(&c);
}

/* A node cut off, then crashed and restarted, catches up by sync. */
static void
threads_cut_off_and_crashed_node_catches_up(void **state)
{
    tcluster_t c;

    (void)state;
    tc_start(&c);
    tc_submit(&c, 0, 1);
    tc_wait_height(&c, 2, 1, 1);
    threads_set_link(c.t, 0, 2, false);
    threads_set_link(c.t, 1, 2, false);
    tc_submit(&c, 0, 1);
    tc_wait_height(&c, 1, 1, 2);
    threads_set_link(c.t, 0, 2, true);
    threads_set_link(c.t, 1, 2, true);
    tc_wait_height(&c, 2, 1, 2);
    threads_crash(c.t, 2);
    tc_submit(&c, 0, 1);
    tc_wait_height(&c, 1, 1, 3);
    threads_restart(c.t, 2);
    tc_wait_height(&c, 2, 1, 3);
    tc_stop(&c);
}

/* §4: node 3 hosts group 1 but is no member, so it hears nothing; addObserver(node 3) makes it
 * one from the next block, and it downloads everything. */
static void
threads_observer_added_by_transaction_syncs(void **state)
{
    tcluster_t c;
    char id[129];
    const char *args[1] = { id };
    int64_t h;

    (void)state;
    tc_start(&c);
    tc_submit(&c, 0, 1);
    tc_wait_height(&c, 1, 1, 1);
    assert_int_equal(tc_height(&c, 3, 1), 0);
    bl_hex_encode(c.ids[3], 64, id);
    tc_call(&c, 0, 1, 0x1003, "addObserver(string)", args, 1);
    tc_wait_height(&c, 0, 1, 2);
    h = tc_height(&c, 0, 1);
    tc_wait_height(&c, 3, 1, h);
    tc_stop(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_group_two_stays_between_its_members),
        cmocka_unit_test(threads_cut_off_and_crashed_node_catches_up),
        cmocka_unit_test(threads_observer_added_by_transaction_syncs),
    };

    return cmocka_run_group_tests_name("threads_cluster", tests, NULL, NULL);
}
