/*
 * test_threads.c — the threads driver (net/threads.h): nodes on their own threads, real time.
 *
 * A toy node stands in for a real one: every few milliseconds (a timer) it sends a framed
 * "ping" to the next node in the ring, counts the pings it receives and writes the count to its
 * disk. Pins down: messages and timers reach each node on its own thread; a call runs on the
 * node's thread and sees its state; a crashed node's volatile state is gone but its disk is
 * not, and after a restart it reads back what it wrote; a cut link loses messages and a
 * restored one carries them again; bad calls are refused; and shutting down frees everything
 * (ASan) with no data race (this program runs under ThreadSanitizer in make test).
 *
 * Real time means these tests wait (a few milliseconds at a time, a few seconds at most): the
 * protocol tests run in the simulator's virtual time instead.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "net/frame.h"
#include "net/threads.h"

#define PING_MS 2
#define PING_TIMER 1
#define WAIT_LIMIT_MS 5000

typedef struct {
    env_t *env;
    unsigned received;      /* volatile: gone after a crash */
    unsigned from_disk;     /* what the disk said at start */
    unsigned timers_fired;
} toy_t;

static const char count_key[] = "count";

static unsigned
disk_count(env_t *env)
{
    bl_buf_t v = BL_BUF_INIT;
    unsigned n = 0;

    if (kv_get(env_disk(env, "toy"), tu_str(count_key), &v) == BL_OK && v.len == sizeof n)
        memcpy(&n, v.data, sizeof n);
    bl_buf_free(&v);
    return n;
}

static void *
toy_create(void *arg, env_t *env)
{
    toy_t *t = bl_xcalloc(1, sizeof *t);

    (void)arg;
    t->env = env;
    t->from_disk = disk_count(env);
    t->received = t->from_disk;
    env_set_timer(env, PING_TIMER, PING_MS);
    return t;
}

static void
toy_destroy(void *node)
{
    free(node);
}

static void
toy_on_message(void *node, unsigned from, const uint8_t *bytes, size_t len)
{
    toy_t *t = node;
    frame_t f;

    (void)from;
    if (frame_decode(bytes, len, &f) != BL_OK)
        return;
    t->received++;
    kv_put(env_disk(t->env, "toy"), tu_str(count_key),
           (bl_span_t){ (const uint8_t *)&t->received, sizeof t->received });
}

static void
toy_on_timer(void *node, uint32_t id)
{
    toy_t *t = node;
    static const uint8_t body[] = { 0x80 };
    frame_t f = { .protocol_id = frame_protocol_id(1, MODULE_NODE), .packet_type = 1,
                  .body = { body, sizeof body } };
    bl_buf_t out = BL_BUF_INIT;

    assert_int_equal(id, PING_TIMER);
    t->timers_fired++;
    frame_encode(&f, &out);
    env_send(t->env, (t->env->self + 1) % t->env->nnodes, out.data, out.len);
    bl_buf_free(&out);
    env_set_timer(t->env, PING_TIMER, PING_MS);
}

static const endpoint_ops_t toy_ops = {
    .create = toy_create,
    .destroy = toy_destroy,
    .on_message = toy_on_message,
    .on_timer = toy_on_timer,
};

typedef struct {
    bool up;
    unsigned received, from_disk, timers_fired;
} toy_view_t;

static void
read_toy(void *node, void *arg)
{
    toy_view_t *v = arg;
    toy_t *t = node;

    v->up = t != NULL;
    if (t != NULL) {
        v->received = t->received;
        v->from_disk = t->from_disk;
        v->timers_fired = t->timers_fired;
    }
}

static toy_view_t
view(threads_t *t, unsigned i)
{
    toy_view_t v = { 0 };

    assert_int_equal(threads_call(t, i, read_toy, &v), BL_OK);
    return v;
}

static void
pause_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* Wait (bounded) until node i has received at least n pings. */
static bool
wait_received(threads_t *t, unsigned i, unsigned n)
{
    for (int waited = 0; waited < WAIT_LIMIT_MS; waited += 2) {
        if (view(t, i).received >= n)
            return true;
        pause_ms(2);
    }
    return false;
}

static threads_t *
start_cluster(unsigned n, evlog_t *log)
{
    threads_t *t;

    assert_int_equal(threads_new(n, &toy_ops, NULL, log, NULL, 1, &t), BL_OK);
    assert_int_equal(threads_start(t), BL_OK);
    return t;
}

/* Each node runs its own timers and receives its neighbour's messages on its own thread. */
static void
threads_nodes_exchange_messages_and_run_timers(void **state)
{
    evlog_t *log = evlog_new(1 << 14);
    threads_t *t = start_cluster(3, log);

    (void)state;
    for (unsigned i = 0; i < 3; i++)
        assert_true(wait_received(t, i, 10));
    for (unsigned i = 0; i < 3; i++)
        assert_true(view(t, i).timers_fired >= 1);
    threads_free(t);
    evlog_free(log);
}

/* A crash frees the node's volatile state; its disk stays, and the restarted node reads back
 * the count it wrote (DESIGN.md §1.3: crash = discard volatile state, keep the disk). */
static void
threads_crashed_node_restarts_from_its_disk(void **state)
{
    evlog_t *log = evlog_new(1 << 14);
    threads_t *t = start_cluster(2, log);
    toy_view_t before, after;

    (void)state;
    assert_true(wait_received(t, 1, 5));
    threads_crash(t, 1);
    assert_false(view(t, 1).up);
    before = view(t, 0);
    threads_restart(t, 1);
    after = view(t, 1);
    assert_true(after.up);
    assert_true(after.from_disk >= 5);
    assert_true(wait_received(t, 1, after.from_disk + 3)); /* and it goes on */
    assert_true(before.up);
    threads_free(t);
    evlog_free(log);
}

/* A cut link loses what is sent over it; restoring it lets messages through again. */
static void
threads_cut_link_loses_messages_until_restored(void **state)
{
    evlog_t *log = evlog_new(1 << 14);
    threads_t *t = start_cluster(2, log);
    unsigned at_cut;

    (void)state;
    assert_true(wait_received(t, 1, 2));
    threads_set_link(t, 0, 1, false);
    pause_ms(5); /* let pings already in the mailbox arrive */
    at_cut = view(t, 1).received;
    pause_ms(20);
    assert_int_equal(view(t, 1).received, at_cut);
    threads_set_link(t, 0, 1, true);
    assert_true(wait_received(t, 1, at_cut + 3));
    threads_free(t);
    evlog_free(log);
}

/* Calls to a node that does not exist, or before start, are refused; a cluster that never
 * started still frees cleanly. */
static void
threads_bad_calls_are_refused(void **state)
{
    evlog_t *log = evlog_new(16);
    threads_t *t;
    toy_view_t v;

    (void)state;
    assert_int_equal(threads_new(0, &toy_ops, NULL, log, NULL, 1, &t), BL_E_INVALID);
    assert_int_equal(threads_new(2, &toy_ops, NULL, log, NULL, 1, &t), BL_OK);
    assert_int_equal(threads_call(t, 0, read_toy, &v), BL_E_INVALID);
    assert_int_equal(threads_call(t, 5, read_toy, &v), BL_E_INVALID);
    threads_free(t);
    evlog_free(log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_nodes_exchange_messages_and_run_timers),
        cmocka_unit_test(threads_crashed_node_restarts_from_its_disk),
        cmocka_unit_test(threads_cut_link_loses_messages_until_restored),
        cmocka_unit_test(threads_bad_calls_are_refused),
    };

    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
