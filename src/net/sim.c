/*
 * sim.c — the simulator's engine: the event queue, the virtual clock, timers, disks, crashes,
 * and the env it hands every node (sim.h explains why we simulate; the network is in
 * sim_net.c, faults and traces in sim_script.c).
 *
 * The heart is a binary min-heap of events ordered by (time, seq): seq is a counter that grows
 * with every event queued, so two events due at the same millisecond run in the order they were
 * queued — never in an order that depends on memory addresses. sim_step() pops the earliest,
 * sets the clock to its time and runs it.
 *
 * Three kinds of event: a message arriving (its bytes, who sent it, to whom), a timer going off
 * (node, timer id, and a generation number: setting or cancelling a timer changes the generation
 * the node expects, so a stale heap entry is recognised and skipped instead of searched for and
 * removed), and a fault (crash, restart, partition, heal, change a link).
 *
 * Everything that happens is reported as an event (evlog.h) and folded into a hash chain, the
 * run's fingerprint: same seed and scenario, same digest.
 */
#include "net/sim_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/keccak.h"

static const env_ops_t sim_env_ops;

/* ---- seeds ---- */

/* The seed of one stream: the root seed mixed with the stream's name (tag) and index, so each
 * concern draws its own numbers. */
enum { STREAM_NET = 1, STREAM_FAULT = 2, STREAM_NODE = 3 };

static uint64_t
stream_seed(uint64_t root, uint64_t tag, uint64_t index)
{
    bl_rng_t r;
    uint64_t name;

    bl_rng_seed(&r, tag << 32 | index);
    name = bl_rng_next(&r);
    bl_rng_seed(&r, root ^ name);
    return bl_rng_next(&r);
}

/* now + ms, stopping at the end of time instead of wrapping round to the past. */
static uint64_t
later(const sim_t *sim, uint64_t ms)
{
    return ms > UINT64_MAX - sim->now ? UINT64_MAX : sim->now + ms;
}

/* ---- the event queue: a binary min-heap on (time, seq) ---- */

static bool
sev_before(const sev_t *a, const sev_t *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void
heap_swap(sev_t *a, sev_t *b)
{
    sev_t t = *a;

    *a = *b;
    *b = t;
}

void
sim_queue(sim_t *sim, sev_t *ev)
{
    size_t i;

    if (sim->count == sim->cap) {
        sim->cap = sim->cap ? sim->cap * 2 : 64;
        sim->heap = bl_xrealloc(sim->heap, sim->cap * sizeof *sim->heap);
    }
    ev->seq = sim->next_seq++;
    i = sim->count++;
    sim->heap[i] = *ev;
    while (i > 0 && sev_before(&sim->heap[i], &sim->heap[(i - 1) / 2])) {
        heap_swap(&sim->heap[i], &sim->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void
heap_pop(sim_t *sim, sev_t *out)
{
    size_t i = 0;

    *out = sim->heap[0];
    sim->heap[0] = sim->heap[--sim->count];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < sim->count && sev_before(&sim->heap[l], &sim->heap[m]))
            m = l;
        if (r < sim->count && sev_before(&sim->heap[r], &sim->heap[m]))
            m = r;
        if (m == i)
            break;
        heap_swap(&sim->heap[i], &sim->heap[m]);
        i = m;
    }
}

static void
sev_free(sev_t *ev)
{
    free(ev->bytes);
    free(ev->side_owned);
}

/* ---- the event log and the hash chain ---- */

void
sim_log_as(sim_t *sim, int node, ev_t *ev)
{
    uint8_t bytes[EV_BYTES];
    keccak_ctx_t ctx;

    ev->time_ms = sim->now;
    ev->node = node;
    ev_serialize(ev, bytes);
    keccak256_init(&ctx);
    keccak256_update(&ctx, sim->digest, 32);
    keccak256_update(&ctx, bytes, EV_BYTES);
    keccak256_final(&ctx, sim->digest);
    if (sim->log != NULL)
        evlog_add(sim->log, ev);
}

void
sim_note(sim_t *sim, ev_kind_t kind, int node, int peer, int64_t a, int64_t b)
{
    ev_t ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.peer = peer;
    ev.a = a;
    ev.b = b;
    sim_log_as(sim, node, &ev);
}

/* ---- timers ---- */

static sim_timer_t *
timer_find(sim_node_t *nd, uint32_t id)
{
    for (size_t i = 0; i < nd->ntimers; i++)
        if (nd->timers[i].id == id)
            return &nd->timers[i];
    return NULL;
}

static void
timer_remove(sim_node_t *nd, sim_timer_t *t)
{
    *t = nd->timers[--nd->ntimers];
}

static void
timer_set(sim_node_t *nd, uint32_t id, uint64_t after_ms)
{
    sim_t *sim = nd->sim;
    sim_timer_t *t = timer_find(nd, id);
    sev_t ev;

    if (t == NULL) {
        if (nd->ntimers == nd->timers_cap) {
            nd->timers_cap = nd->timers_cap ? nd->timers_cap * 2 : 8;
            nd->timers = bl_xrealloc(nd->timers, nd->timers_cap * sizeof *nd->timers);
        }
        t = &nd->timers[nd->ntimers++];
        t->id = id;
    }
    t->gen = sim->next_gen++;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_TIMER;
    ev.to = nd->env.self;
    ev.timer_id = id;
    ev.gen = t->gen;
    ev.time = later(sim, after_ms);
    sim_queue(sim, &ev);
}

/* A timer entry that was cancelled, moved, or whose node crashed since it was queued. */
static bool
timer_stale(sim_t *sim, const sev_t *ev)
{
    sim_node_t *nd = &sim->nodes[ev->to];
    sim_timer_t *t = timer_find(nd, ev->timer_id);

    return !nd->up || t == NULL || t->gen != ev->gen;
}

static void
fire_timer(sim_t *sim, const sev_t *ev)
{
    sim_node_t *nd = &sim->nodes[ev->to];

    if (timer_stale(sim, ev))
        return;
    timer_remove(nd, timer_find(nd, ev->timer_id));
    sim_note(sim, EV_TIMER_FIRED, (int)ev->to, -1, ev->timer_id, 0);
    sim->ops->on_timer(nd->node, ev->timer_id);
}

/* ---- the env each node is given ---- */

static sim_node_t *
env_node(env_t *e)
{
    return e->driver;
}

static uint64_t
senv_now(env_t *e)
{
    return env_node(e)->sim->now;
}

static uint64_t
senv_random(env_t *e)
{
    return bl_rng_next(&env_node(e)->rng);
}

static void
senv_send(env_t *e, unsigned to, const uint8_t *frame, size_t len)
{
    sim_net_send(env_node(e)->sim, e->self, to, frame, len);
}

static void
senv_set_timer(env_t *e, uint32_t id, uint64_t after_ms)
{
    timer_set(env_node(e), id, after_ms);
}

static void
senv_cancel_timer(env_t *e, uint32_t id)
{
    sim_node_t *nd = env_node(e);
    sim_timer_t *t = timer_find(nd, id);

    if (t != NULL)
        timer_remove(nd, t);
}

static kv_t *
senv_disk(env_t *e, const char *name)
{
    sim_node_t *nd = env_node(e);
    kv_t *kv;

    for (size_t i = 0; i < nd->ndisks; i++)
        if (strcmp(nd->disks[i].name, name) == 0)
            return nd->disks[i].kv;
    if (kv_memory_open(&kv) != BL_OK)
        return NULL;
    nd->disks = bl_xrealloc(nd->disks, (nd->ndisks + 1) * sizeof *nd->disks);
    nd->disks[nd->ndisks].name = bl_xstrdup(name);
    nd->disks[nd->ndisks].kv = kv;
    nd->ndisks++;
    return kv;
}

static void
senv_emit(env_t *e, ev_t *ev)
{
    sim_log_as(env_node(e)->sim, (int)e->self, ev);
}

static const env_ops_t sim_env_ops = {
    .now_ms = senv_now,
    .random = senv_random,
    .send = senv_send,
    .set_timer = senv_set_timer,
    .cancel_timer = senv_cancel_timer,
    .disk = senv_disk,
    .emit = senv_emit,
};

/* ---- making and freeing ---- */

static void
node_init(sim_t *sim, unsigned i)
{
    sim_node_t *nd = &sim->nodes[i];

    nd->env.ops = &sim_env_ops;
    nd->env.driver = nd;
    nd->env.self = i;
    nd->env.nnodes = sim->n;
    nd->sim = sim;
    bl_rng_seed(&nd->rng, stream_seed(sim->seed, STREAM_NODE, i));
}

sim_t *
sim_new(uint64_t seed, unsigned nnodes, const endpoint_ops_t *ops, void *arg, evlog_t *log)
{
    sim_t *sim;

    if (nnodes == 0 || nnodes > SIM_MAX_NODES) {
        bl_fail(BL_E_RANGE, "a simulation has 1 to %d nodes, not %u", SIM_MAX_NODES, nnodes);
        return NULL;
    }
    if (ops == NULL || !ops->create || !ops->destroy || !ops->on_message || !ops->on_timer) {
        bl_fail(BL_E_INVALID, "the endpoint needs create, destroy, on_message and on_timer");
        return NULL;
    }
    sim = bl_xcalloc(1, sizeof *sim);
    sim->seed = seed;
    sim->n = nnodes;
    sim->ops = ops;
    sim->arg = arg;
    sim->log = log;
    bl_rng_seed(&sim->net_rng, stream_seed(seed, STREAM_NET, 0));
    bl_rng_seed(&sim->fault_rng, stream_seed(seed, STREAM_FAULT, 0));
    sim->nodes = bl_xcalloc(nnodes, sizeof *sim->nodes);
    for (unsigned i = 0; i < nnodes; i++)
        node_init(sim, i);
    sim->links = bl_xcalloc((size_t)nnodes * nnodes, sizeof *sim->links);
    for (size_t k = 0; k < (size_t)nnodes * nnodes; k++)
        sim->links[k] = sim_link_default();
    sim->last_arrival = bl_xcalloc((size_t)nnodes * nnodes, sizeof *sim->last_arrival);
    bl_map_init(&sim->counts);
    return sim;
}

static void
node_free(sim_t *sim, sim_node_t *nd)
{
    if (nd->up && nd->node != NULL)
        sim->ops->destroy(nd->node);
    for (size_t i = 0; i < nd->ndisks; i++) {
        kv_close(nd->disks[i].kv);
        free(nd->disks[i].name);
    }
    free(nd->disks);
    free(nd->timers);
}

void
sim_free(sim_t *sim)
{
    if (sim == NULL)
        return;
    for (unsigned i = 0; i < sim->n; i++)
        node_free(sim, &sim->nodes[i]);
    for (size_t i = 0; i < sim->count; i++)
        sev_free(&sim->heap[i]);
    free(sim->heap);
    free(sim->nodes);
    free(sim->links);
    free(sim->last_arrival);
    bl_map_free(&sim->counts, free);
    free(sim);
}

/* ---- starting and crashing nodes ---- */

static int
node_up(sim_t *sim, unsigned i, bool restart)
{
    sim_node_t *nd = &sim->nodes[i];
    void *node;

    nd->up = true;
    sim_note(sim, EV_NODE_STARTED, (int)i, -1, restart ? 1 : 0, 0);
    node = sim->ops->create(sim->arg, &nd->env);
    if (node == NULL) {
        char why[256];

        snprintf(why, sizeof why, "%s", bl_errmsg()); /* bl_fail below reuses its buffer */
        nd->up = false;
        nd->ntimers = 0;
        nd->incarnation++;
        sim_note(sim, EV_NODE_CRASHED, (int)i, -1, 0, 0);
        return bl_fail(BL_E_INVALID, "node %u did not start: %s", i, why);
    }
    nd->node = node;
    return BL_OK;
}

int
sim_start(sim_t *sim)
{
    char why[256] = "";
    int err = BL_OK;

    for (unsigned i = 0; i < sim->n; i++) {
        int rc;

        if (sim->nodes[i].up)
            continue;
        rc = node_up(sim, i, false);
        if (rc != BL_OK && err == BL_OK) {
            err = rc;
            snprintf(why, sizeof why, "%s", bl_errmsg()); /* the next nodes may overwrite it */
        }
    }
    return err == BL_OK ? BL_OK : bl_fail(err, "%s", why);
}

int
sim_crash(sim_t *sim, unsigned i)
{
    sim_node_t *nd;

    if (i >= sim->n)
        return bl_fail(BL_E_RANGE, "no node %u to crash (the simulation has %u)", i, sim->n);
    nd = &sim->nodes[i];
    if (!nd->up)
        return BL_OK;
    sim->ops->destroy(nd->node);
    nd->node = NULL;
    nd->up = false;
    nd->ntimers = 0;   /* their heap entries are now stale */
    nd->incarnation++; /* and so are the messages on their way to it */
    sim_note(sim, EV_NODE_CRASHED, (int)i, -1, 0, 0);
    return BL_OK;
}

int
sim_restart(sim_t *sim, unsigned i)
{
    if (i >= sim->n)
        return bl_fail(BL_E_RANGE, "no node %u to restart (the simulation has %u)", i, sim->n);
    if (sim->nodes[i].up)
        return BL_OK;
    return node_up(sim, i, true);
}

/* ---- faults at a chosen time ---- */

int
sim_at(sim_t *sim, uint64_t at_ms, const sim_fault_t *fault)
{
    sev_t ev;
    int rc;

    if (at_ms < sim->now)
        return bl_fail(BL_E_RANGE, "time %llu is in the past (now %llu)",
                       (unsigned long long)at_ms, (unsigned long long)sim->now);
    if ((rc = sim_fault_check(sim, fault)) != BL_OK)
        return rc;
    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_FAULT;
    ev.time = at_ms;
    ev.fault = *fault;
    ev.fault.side = NULL;
    if (fault->op == SIM_FAULT_PARTITION) {
        ev.side_owned = bl_xcalloc(sim->n, sizeof *ev.side_owned);
        memcpy(ev.side_owned, fault->side, sim->n * sizeof *ev.side_owned);
        ev.fault.side = ev.side_owned; /* the copy moves with the event, not the pointer */
    }
    sim_queue(sim, &ev);
    return BL_OK;
}

/* ---- running ---- */

/* Throw away stale timer entries at the front of the queue: they are not events, and must
 * neither move the clock nor count as "something left to do". */
static void
skip_stale(sim_t *sim)
{
    sev_t ev;

    while (sim->count > 0 && sim->heap[0].kind == SEV_TIMER && timer_stale(sim, &sim->heap[0])) {
        heap_pop(sim, &ev);
        sev_free(&ev);
    }
}

bool
sim_step(sim_t *sim)
{
    sev_t ev;

    skip_stale(sim);
    if (sim->count == 0)
        return false;
    heap_pop(sim, &ev);
    sim->now = ev.time;
    if (ev.kind == SEV_DELIVER)
        sim_net_deliver(sim, &ev);
    else if (ev.kind == SEV_TIMER)
        fire_timer(sim, &ev);
    else
        sim_fault_apply(sim, &ev.fault);
    sev_free(&ev);
    return true;
}

void
sim_run_for(sim_t *sim, uint64_t ms)
{
    uint64_t end = later(sim, ms);

    for (skip_stale(sim); sim->count > 0 && sim->heap[0].time <= end; skip_stale(sim))
        sim_step(sim);
    sim->now = end;
}

bool
sim_run_until(sim_t *sim, bool (*done)(void *arg), void *arg, uint64_t limit_ms)
{
    uint64_t end = later(sim, limit_ms);

    while (!done(arg)) {
        skip_stale(sim);
        if (sim->count == 0 || sim->heap[0].time > end) {
            sim->now = end;
            return done(arg);
        }
        sim_step(sim);
    }
    return true;
}

/* ---- looking ---- */

size_t
sim_pending(const sim_t *sim)
{
    return sim->count;
}

uint64_t
sim_now(const sim_t *sim)
{
    return sim->now;
}

uint64_t
sim_seed(const sim_t *sim)
{
    return sim->seed;
}

unsigned
sim_nnodes(const sim_t *sim)
{
    return sim->n;
}

void *
sim_node(const sim_t *sim, unsigned i)
{
    return i < sim->n && sim->nodes[i].up ? sim->nodes[i].node : NULL;
}

env_t *
sim_env(sim_t *sim, unsigned i)
{
    return i < sim->n ? &sim->nodes[i].env : NULL;
}

void
sim_digest(const sim_t *sim, uint8_t out[32])
{
    memcpy(out, sim->digest, 32);
}

