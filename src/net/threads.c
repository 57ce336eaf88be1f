/*
 * threads.c — the threads driver (threads.h explains the idea).
 *
 * Each node has a slot: its thread, its mailbox (messages and calls waiting for it, guarded by
 * the slot's mutex) and, touched only by its own thread, the node itself, its timers and its
 * random stream. The thread's loop:
 *
 *     lock the mailbox
 *     while it is empty and no timer is due: sleep until something arrives or the next timer
 *     take everything in it
 *     unlock
 *     deliver the messages, run the calls, fire the due timers
 *
 * Crashing and restarting a node are calls like any other, run on the node's own thread, so the
 * node is never freed under its own feet.
 */
#include "net/threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/error.h"
#include "base/rng.h"
#include "net/frame.h"

typedef struct msg {
    struct msg *next;
    unsigned from;
    size_t len;
    uint8_t bytes[];
} msg_t;

struct slot;

typedef struct call {
    struct call *next;
    void (*fn)(struct slot *s, void *arg);
    void *arg;
    bool done;
} call_t;

typedef struct {
    uint32_t id;
    uint64_t due_ms;
} pending_timer_t;

typedef struct slot {
    threads_t *t;
    env_t env;
    unsigned index;
    pthread_t thread;
    bool running;           /* the thread was started and has not finished */
    /* the mailbox, guarded by lock */
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* something arrived, or stop */
    pthread_cond_t done;    /* a call has run */
    msg_t *msgs, *msgs_tail;
    call_t *calls, *calls_tail;
    bool sleeping;
    bool stop;
    bool exited;
    /* the node's own: only its thread touches these */
    void *node;
    pending_timer_t *timers;
    size_t ntimers, timers_cap;
    bl_rng_t rng;
} slot_t;

typedef struct disk {
    struct disk *next;
    unsigned node;
    char *name;
    kv_t *kv;
} disk_t;

struct threads {
    unsigned n;
    const endpoint_ops_t *ops;
    void *arg;
    evlog_t *log;
    char *data_dir;
    uint64_t seed;
    struct timespec start;
    /* Pausing (threads_pause) stops the clock: env_now reads frozen_ms while it is >= 0, and
     * afterwards the paused time is left out through offset_ns. */
    _Atomic int64_t frozen_ms;
    _Atomic int64_t offset_ns;
    struct timespec paused_at;
    slot_t *slots;
    pthread_mutex_t links_lock;
    bool *cut;              /* cut[a * n + b]: a's messages to b are lost */
    pthread_mutex_t disks_lock;
    disk_t *disks;
};

/* ---- the env a node gets ---- */

static int64_t
since_start_ns(const threads_t *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - t->start.tv_sec) * 1000000000 +
           (now.tv_nsec - t->start.tv_nsec);
}

static bool
is_paused(threads_t *t)
{
    return atomic_load(&t->frozen_ms) >= 0;
}

/* The cluster's clock: real time since the start, less the time spent paused. */
static uint64_t
clock_ms(threads_t *t)
{
    int64_t frozen = atomic_load(&t->frozen_ms);

    if (frozen >= 0)
        return (uint64_t)frozen;
    return (uint64_t)((since_start_ns(t) - atomic_load(&t->offset_ns)) / 1000000);
}

static uint64_t
env_now_impl(env_t *e)
{
    return clock_ms(((slot_t *)e->driver)->t);
}

static uint64_t
env_random_impl(env_t *e)
{
    return bl_rng_next(&((slot_t *)e->driver)->rng);
}

static void
emit_raw(slot_t *s, ev_t *ev)
{
    ev->time_ms = env_now_impl(&s->env);
    ev->node = (int32_t)s->index;
    evlog_add(s->t->log, ev);
}

static void
env_emit_impl(env_t *e, ev_t *ev)
{
    emit_raw(e->driver, ev);
}

/* An event about a message: group, module and packet type from its header when it has one. */
static void
emit_msg(slot_t *s, ev_kind_t kind, int peer, const uint8_t *bytes, size_t len, int reason)
{
    ev_t ev;
    frame_t f;

    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.peer = peer;
    ev.b = (int64_t)len;
    if (frame_decode(bytes, len, &f) == BL_OK) {
        ev.group = (uint16_t)frame_group(f.protocol_id);
        ev.module = (uint16_t)frame_module(f.protocol_id);
        ev.a = f.packet_type;
    }
    ev.hash[0] = (uint8_t)reason;
    emit_raw(s, &ev);
}

static bool
link_cut(threads_t *t, unsigned from, unsigned to)
{
    bool cut;

    pthread_mutex_lock(&t->links_lock);
    cut = t->cut[from * t->n + to];
    pthread_mutex_unlock(&t->links_lock);
    return cut;
}

static void
env_send_impl(env_t *e, unsigned to, const uint8_t *frame, size_t len)
{
    slot_t *s = e->driver, *dst;
    msg_t *m;

    if (to >= s->t->n || to == s->index || link_cut(s->t, s->index, to)) {
        emit_msg(s, EV_MSG_DROPPED, (int)to, frame, len, EV_DROP_NETWORK);
        return;
    }
    dst = &s->t->slots[to];
    m = bl_xcalloc(1, sizeof *m + len);
    m->from = s->index;
    m->len = len;
    memcpy(m->bytes, frame, len);
    emit_msg(s, EV_MSG_SENT, (int)to, frame, len, 0);
    pthread_mutex_lock(&dst->lock);
    if (dst->exited) {
        free(m); /* shutting down: nobody will read it */
    } else {
        if (dst->msgs_tail != NULL)
            dst->msgs_tail->next = m;
        else
            dst->msgs = m;
        dst->msgs_tail = m;
        if (dst->sleeping)
            pthread_cond_signal(&dst->wake); /* only a sleeper needs the (costly) wake-up */
    }
    pthread_mutex_unlock(&dst->lock);
}

static void
env_set_timer_impl(env_t *e, uint32_t id, uint64_t after_ms)
{
    slot_t *s = e->driver;
    uint64_t due = env_now_impl(e) + after_ms;

    for (size_t i = 0; i < s->ntimers; i++) {
        if (s->timers[i].id == id) {
            s->timers[i].due_ms = due;
            return;
        }
    }
    if (s->ntimers == s->timers_cap) {
        s->timers_cap = s->timers_cap ? 2 * s->timers_cap : 8;
        s->timers = bl_xrealloc(s->timers, s->timers_cap * sizeof *s->timers);
    }
    s->timers[s->ntimers++] = (pending_timer_t){ id, due };
}

static void
env_cancel_timer_impl(env_t *e, uint32_t id)
{
    slot_t *s = e->driver;

    for (size_t i = 0; i < s->ntimers; i++) {
        if (s->timers[i].id == id) {
            s->timers[i] = s->timers[--s->ntimers];
            return;
        }
    }
}

static int
open_disk(threads_t *t, unsigned node, const char *name, kv_t **kv)
{
    char path[4096];

    if (t->data_dir == NULL)
        return kv_memory_open(kv);
    snprintf(path, sizeof path, "%s/node%u", t->data_dir, node);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return bl_fail(BL_E_IO, "cannot make %s", path);
    snprintf(path, sizeof path, "%s/node%u/%s", t->data_dir, node, name);
    return kv_rocksdb_open(path, kv);
}

/* The disk outlives the node: it is the driver's, found again after a restart. */
static kv_t *
env_disk_impl(env_t *e, const char *name)
{
    slot_t *s = e->driver;
    threads_t *t = s->t;
    disk_t *d;

    pthread_mutex_lock(&t->disks_lock);
    for (d = t->disks; d != NULL; d = d->next)
        if (d->node == s->index && strcmp(d->name, name) == 0)
            break;
    if (d == NULL) {
        kv_t *kv;

        if (open_disk(t, s->index, name, &kv) == BL_OK) {
            d = bl_xcalloc(1, sizeof *d);
            *d = (disk_t){ .next = t->disks, .node = s->index, .name = bl_xstrdup(name),
                           .kv = kv };
            t->disks = d;
        }
    }
    pthread_mutex_unlock(&t->disks_lock);
    return d != NULL ? d->kv : NULL;
}

static const env_ops_t threads_env_ops = {
    .now_ms = env_now_impl,
    .random = env_random_impl,
    .send = env_send_impl,
    .set_timer = env_set_timer_impl,
    .cancel_timer = env_cancel_timer_impl,
    .disk = env_disk_impl,
    .emit = env_emit_impl,
};

/* ---- a node's life, on its own thread ---- */

static void
node_up(slot_t *s, bool restart)
{
    s->node = s->t->ops->create(s->t->arg, &s->env);
    if (s->node != NULL)
        env_emit(&s->env, EV_NODE_STARTED, 0, 0, -1, restart, 0, NULL);
}

static void
node_down(slot_t *s, ev_kind_t why)
{
    if (s->node == NULL)
        return;
    s->t->ops->destroy(s->node);
    s->node = NULL;
    s->ntimers = 0;
    env_emit(&s->env, why, 0, 0, -1, 0, 0, NULL);
}

/* The earliest timer, or UINT64_MAX if none is set. */
static uint64_t
next_due(const slot_t *s)
{
    uint64_t due = UINT64_MAX;

    for (size_t i = 0; i < s->ntimers; i++)
        if (s->timers[i].due_ms < due)
            due = s->timers[i].due_ms;
    return due;
}

/* Sleep (mailbox lock held) until something arrives, stop is asked, or the next timer. While
 * the cluster is paused only calls wake a node: messages wait in the mailbox, timers do not
 * fire (the clock stands still). */
static void
wait_for_work(slot_t *s)
{
    while (!s->stop && s->calls == NULL && (s->msgs == NULL || is_paused(s->t))) {
        bool paused = is_paused(s->t);
        uint64_t due = next_due(s), now = env_now_impl(&s->env);
        struct timespec until = s->t->start;
        int64_t at_ns;

        if (!paused && due <= now)
            return;
        s->sleeping = true;
        if (paused || due == UINT64_MAX) {
            pthread_cond_wait(&s->wake, &s->lock);
        } else {
            at_ns = (int64_t)due * 1000000 + atomic_load(&s->t->offset_ns);
            until.tv_sec += (time_t)(at_ns / 1000000000);
            until.tv_nsec += (long)(at_ns % 1000000000);
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&s->wake, &s->lock, &until);
        }
        s->sleeping = false;
    }
}

static void
deliver(slot_t *s, msg_t *m)
{
    while (m != NULL) {
        msg_t *next = m->next;

        if (s->node == NULL) {
            emit_msg(s, EV_MSG_DROPPED, (int)m->from, m->bytes, m->len, EV_DROP_DOWN);
        } else {
            emit_msg(s, EV_MSG_DELIVERED, (int)m->from, m->bytes, m->len, 0);
            s->t->ops->on_message(s->node, m->from, m->bytes, m->len);
        }
        free(m);
        m = next;
    }
}

static void
run_calls(slot_t *s, call_t *c)
{
    while (c != NULL) {
        call_t *next = c->next; /* c lives on the caller's stack: gone once done is seen */

        c->fn(s, c->arg);
        pthread_mutex_lock(&s->lock);
        c->done = true;
        pthread_cond_broadcast(&s->done);
        pthread_mutex_unlock(&s->lock);
        c = next;
    }
}

/* Fire every due timer. A timer is removed before its handler runs, so the handler may set it
 * again. */
static void
fire_timers(slot_t *s)
{
    uint64_t now = env_now_impl(&s->env);
    size_t i = 0;

    while (i < s->ntimers && s->node != NULL) {
        uint32_t id = s->timers[i].id;

        if (s->timers[i].due_ms > now) {
            i++;
            continue;
        }
        s->timers[i] = s->timers[--s->ntimers];
        s->t->ops->on_timer(s->node, id);
        i = 0; /* the handler may have changed the list */
    }
}

static void *
node_main(void *arg)
{
    slot_t *s = arg;
    bool stop = false;

    node_up(s, false);
    while (!stop) {
        msg_t *msgs;
        call_t *calls;

        bool paused;

        pthread_mutex_lock(&s->lock);
        wait_for_work(s);
        paused = is_paused(s->t);
        msgs = paused ? NULL : s->msgs;
        calls = s->calls;
        if (!paused)
            s->msgs = s->msgs_tail = NULL;
        s->calls = s->calls_tail = NULL;
        stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        deliver(s, msgs);
        run_calls(s, calls);
        if (!paused)
            fire_timers(s);
    }
    node_down(s, EV_NODE_STOPPED);
    pthread_mutex_lock(&s->lock);
    s->exited = true;
    deliver(s, s->msgs); /* whatever came during the last round: dropped (node is down) */
    s->msgs = s->msgs_tail = NULL;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- the cluster ---- */

int
threads_new(unsigned nnodes, const endpoint_ops_t *ops, void *arg, evlog_t *log,
            const char *data_dir, uint64_t seed, threads_t **out)
{
    threads_t *t;

    if (nnodes == 0)
        return bl_fail(BL_E_INVALID, "a cluster needs at least one node");
    t = bl_xcalloc(1, sizeof *t);
    *t = (threads_t){ .n = nnodes, .ops = ops, .arg = arg, .log = log, .seed = seed,
                      .data_dir = data_dir != NULL ? bl_xstrdup(data_dir) : NULL };
    clock_gettime(CLOCK_MONOTONIC, &t->start);
    atomic_init(&t->frozen_ms, -1);
    atomic_init(&t->offset_ns, 0);
    t->slots = bl_xcalloc(nnodes, sizeof *t->slots);
    t->cut = bl_xcalloc((size_t)nnodes * nnodes, sizeof *t->cut);
    pthread_mutex_init(&t->links_lock, NULL);
    pthread_mutex_init(&t->disks_lock, NULL);
    for (unsigned i = 0; i < nnodes; i++) {
        slot_t *s = &t->slots[i];
        pthread_condattr_t attr;

        s->t = t;
        s->index = i;
        s->env = (env_t){ .ops = &threads_env_ops, .driver = s, .self = i, .nnodes = nnodes };
        bl_rng_seed(&s->rng, seed * 1000003u + i);
        pthread_mutex_init(&s->lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* timers follow env_now's clock */
        pthread_cond_init(&s->wake, &attr);
        pthread_condattr_destroy(&attr);
        pthread_cond_init(&s->done, NULL);
    }
    *out = t;
    return BL_OK;
}

int
threads_start(threads_t *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        if (pthread_create(&t->slots[i].thread, NULL, node_main, &t->slots[i]) != 0)
            return bl_fail(BL_E_INVALID, "cannot start the thread of node %u", i);
        t->slots[i].running = true;
    }
    return BL_OK;
}

/* Queue fn on slot s and wait until its thread has run it. */
static int
call_on(slot_t *s, void (*fn)(slot_t *s, void *arg), void *arg)
{
    call_t c = { .fn = fn, .arg = arg };
    int rc = BL_OK;

    pthread_mutex_lock(&s->lock);
    if (!s->running || s->exited || s->stop) {
        rc = bl_fail(BL_E_INVALID, "node %u is not running", s->index);
        goto out;
    }
    if (s->calls_tail != NULL)
        s->calls_tail->next = &c;
    else
        s->calls = &c;
    s->calls_tail = &c;
    if (s->sleeping)
        pthread_cond_signal(&s->wake);
    while (!c.done)
        pthread_cond_wait(&s->done, &s->lock);
out:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

typedef struct {
    void (*fn)(void *node, void *arg);
    void *arg;
} user_call_t;

static void
run_user_call(slot_t *s, void *arg)
{
    user_call_t *u = arg;

    u->fn(s->node, u->arg);
}

void
threads_pause(threads_t *t, bool paused)
{
    if (paused == is_paused(t))
        return;
    if (paused) {
        clock_gettime(CLOCK_MONOTONIC, &t->paused_at);
        atomic_store(&t->frozen_ms, (int64_t)clock_ms(t));
        return;
    }
    atomic_fetch_add(&t->offset_ns, since_start_ns(t) -
                     ((int64_t)(t->paused_at.tv_sec - t->start.tv_sec) * 1000000000 +
                      (t->paused_at.tv_nsec - t->start.tv_nsec)));
    atomic_store(&t->frozen_ms, -1);
    for (unsigned i = 0; i < t->n; i++) {
        pthread_mutex_lock(&t->slots[i].lock);
        pthread_cond_signal(&t->slots[i].wake);
        pthread_mutex_unlock(&t->slots[i].lock);
    }
}

uint64_t
threads_now(threads_t *t)
{
    return clock_ms(t);
}

int
threads_call(threads_t *t, unsigned i, void (*fn)(void *node, void *arg), void *arg)
{
    user_call_t u = { fn, arg };

    if (i >= t->n)
        return bl_fail(BL_E_INVALID, "there is no node %u (the cluster has %u)", i, t->n);
    return call_on(&t->slots[i], run_user_call, &u);
}

static void
crash_call(slot_t *s, void *arg)
{
    (void)arg;
    node_down(s, EV_NODE_CRASHED);
}

static void
restart_call(slot_t *s, void *arg)
{
    (void)arg;
    if (s->node == NULL)
        node_up(s, true);
}

void
threads_crash(threads_t *t, unsigned i)
{
    if (i < t->n)
        call_on(&t->slots[i], crash_call, NULL);
}

void
threads_restart(threads_t *t, unsigned i)
{
    if (i < t->n)
        call_on(&t->slots[i], restart_call, NULL);
}

void
threads_set_link(threads_t *t, unsigned a, unsigned b, bool up)
{
    if (a >= t->n || b >= t->n)
        return;
    pthread_mutex_lock(&t->links_lock);
    t->cut[a * t->n + b] = !up;
    t->cut[b * t->n + a] = !up;
    pthread_mutex_unlock(&t->links_lock);
}

static void
stop_and_join(threads_t *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        slot_t *s = &t->slots[i];

        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
    }
    for (unsigned i = 0; i < t->n; i++)
        if (t->slots[i].running)
            pthread_join(t->slots[i].thread, NULL);
}

void
threads_free(threads_t *t)
{
    if (t == NULL)
        return;
    stop_and_join(t);
    for (unsigned i = 0; i < t->n; i++) {
        slot_t *s = &t->slots[i];

        for (msg_t *m = s->msgs, *next; m != NULL; m = next) {
            next = m->next;
            free(m);
        }
        free(s->timers);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        pthread_cond_destroy(&s->done);
    }
    while (t->disks != NULL) {
        disk_t *d = t->disks;

        t->disks = d->next;
        kv_close(d->kv);
        free(d->name);
        free(d);
    }
    pthread_mutex_destroy(&t->links_lock);
    pthread_mutex_destroy(&t->disks_lock);
    free(t->cut);
    free(t->slots);
    free(t->data_dir);
    free(t);
}
