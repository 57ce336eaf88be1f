/*
 * env.h — everything protocol code may ask of the world, and nothing more.
 *
 * The tx pool, block sync and consensus are state machines (DESIGN.md §1.2). They never read a
 * clock, draw a random number, sleep, lock, or touch a socket or a file by themselves: they ask
 * the `env` their node was given. Two drivers give that env:
 *
 *   sim      (net/sim.c)     one thread, a virtual clock that jumps from event to event, seeded
 *                            random numbers, a network that drops, delays, duplicates and
 *                            partitions on purpose. The same seed gives the same run, byte for
 *                            byte: that is what makes a failing test replayable.
 *   threads  (net/threads.c) one thread per node, the real clock, mailboxes between threads.
 *
 * Because protocol code goes through env for everything, the very same node code runs under
 * both — and later over TCP — and a test can put it in any situation it likes.
 *
 * A node is known to the others by its index in the cluster (0 .. nnodes-1); what a node is
 * called in certificates and genesis files (its 64-byte node ID) is the node layer's business.
 */
#ifndef BL_NET_ENV_H
#define BL_NET_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "base/evlog.h"
#include "storage/kv.h"

typedef struct env env_t;

typedef struct {
    /* Milliseconds since the run started: virtual in the simulator. */
    uint64_t (*now_ms)(env_t *e);
    /* The next number of this node's own random stream (seeded in the simulator). */
    uint64_t (*random)(env_t *e);
    /* Hand a framed message (net/frame.h) to the network for node `to`. The network may lose,
     * delay, duplicate or reorder it: protocols must cope. The bytes are copied. */
    void (*send)(env_t *e, unsigned to, const uint8_t *frame, size_t len);
    /* In after_ms, call the node's on_timer with this id. Setting an id that is already set
     * moves it; cancelling an id that is not set does nothing. */
    void (*set_timer)(env_t *e, uint32_t id, uint64_t after_ms);
    void (*cancel_timer)(env_t *e, uint32_t id);
    /* The node's disk called `name` (one per group, say): a key-value store the driver owns.
     * It outlives a crash — a restarted node finds in it what it had written. */
    kv_t *(*disk)(env_t *e, const char *name);
    /* Record an event; the driver fills in time and node. */
    void (*emit)(env_t *e, ev_t *ev);
} env_ops_t;

struct env {
    const env_ops_t *ops;
    void *driver;    /* the driver's own state for this node */
    unsigned self;   /* this node's index */
    unsigned nnodes; /* how many nodes the cluster has */
};

/* The calls, spelled out (protocol code reads better as env_now(e) than e->ops->now_ms(e)). */
uint64_t env_now(env_t *e);
uint64_t env_random(env_t *e);
void env_send(env_t *e, unsigned to, const uint8_t *frame, size_t len);
void env_set_timer(env_t *e, uint32_t id, uint64_t after_ms);
void env_cancel_timer(env_t *e, uint32_t id);
kv_t *env_disk(env_t *e, const char *name);
/* An event with the usual fields; peer -1 and hash NULL when they do not apply. */
void env_emit(env_t *e, ev_kind_t kind, unsigned group, unsigned module, int peer, int64_t a,
              int64_t b, const uint8_t hash[32]);

/* A wrapping env: every call goes on to `outer` unchanged, except send, which goes through the
 * wrapper's own send(owner, ...) — to filter, change or add messages. A node uses one to keep
 * its groups from talking to peers it has not admitted (node/node.c), a Byzantine wrapper to
 * lie (node/byzantine.c). Hand &f->env to the wrapped code; f must not move afterwards. */
typedef struct {
    env_t env;
    env_t *outer;
    void (*send)(void *owner, unsigned to, const uint8_t *frame, size_t len);
    void *owner;
} env_filter_t;

void env_filter_init(env_filter_t *f, env_t *outer,
                     void (*send)(void *owner, unsigned to, const uint8_t *frame, size_t len),
                     void *owner);

/* Timer ids carry who set them, so a node can route a timer like a message:
 * group (15 bits) | module (8 bits) | the module's own number (8 bits). */
uint32_t env_timer_id(unsigned group, unsigned module, unsigned local);
unsigned env_timer_group(uint32_t id);
unsigned env_timer_module(uint32_t id);
unsigned env_timer_local(uint32_t id);

/* ---- what a driver drives ----
 *
 * The driver makes and unmakes nodes through these calls and feeds them messages and timers,
 * one at a time: a node's calls never overlap (the threads driver gives each node one thread),
 * so node code needs no locks. */
typedef struct {
    /* Start node env->self: fresh, or after a crash (its disks hold what it wrote). NULL if it
     * cannot start (bl_errmsg says why). */
    void *(*create)(void *arg, env_t *env);
    /* Crash or shut down: free everything but the disks. */
    void (*destroy)(void *node);
    void (*on_message)(void *node, unsigned from, const uint8_t *frame, size_t len);
    void (*on_timer)(void *node, uint32_t id);
} endpoint_ops_t;

#endif
