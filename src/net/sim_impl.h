/*
 * sim_impl.h — the simulator's insides, shared by its files and by nobody else.
 *
 *   sim.c         the event queue, the virtual clock, timers, disks, crashes, the nodes' env
 *   sim_net.c     the simulated network: links, partitions, counters, sending and delivering
 *   sim_script.c  faults (checked when queued, applied when due), fault scripts, traces
 *
 * Tests and nodes use sim.h only.
 */
#ifndef BL_NET_SIM_IMPL_H
#define BL_NET_SIM_IMPL_H

#include "base/hashmap.h"
#include "base/rng.h"
#include "net/sim.h"

typedef enum { SEV_DELIVER = 1, SEV_TIMER, SEV_FAULT } sev_kind_t;

/* One queued event. */
typedef struct {
    uint64_t time, seq;
    sev_kind_t kind;
    unsigned from, to;    /* deliver: the two ends; timer: to is the node */
    uint32_t incarnation; /* deliver: the receiver's incarnation when it was sent */
    uint8_t *bytes;       /* deliver: owned copy of the frame */
    size_t len;
    uint32_t timer_id;    /* timer */
    uint64_t gen;
    sim_fault_t fault;    /* fault; fault.side points at side_owned */
    unsigned *side_owned;
} sev_t;

typedef struct {
    uint32_t id;
    uint64_t gen;
} sim_timer_t;

typedef struct {
    char *name;
    kv_t *kv;
} sim_disk_t;

typedef struct {
    env_t env;            /* what the node was given; env.driver points back here */
    sim_t *sim;
    void *node;           /* ops->create's result; NULL while down */
    bool up;
    uint32_t incarnation; /* +1 at every crash: messages sent before it are for a dead node */
    bl_rng_t rng;         /* env->random */
    sim_timer_t *timers;  /* the timers set now, with the generation each expects */
    size_t ntimers, timers_cap;
    sim_disk_t *disks;
    size_t ndisks;
    unsigned side;        /* partition side */
} sim_node_t;

struct sim {
    uint64_t seed;
    unsigned n;
    const endpoint_ops_t *ops;
    void *arg;
    evlog_t *log;
    uint64_t now;
    uint64_t next_seq; /* heap tie-breaker */
    uint64_t next_gen; /* timer generations, unique in the run */
    sev_t *heap;
    size_t count, cap;
    bl_rng_t net_rng;       /* the network's choices: loss, duplicates, delays */
    bl_rng_t fault_rng;     /* faults drawn at random ("crash random") */
    sim_node_t *nodes;
    sim_link_t *links;      /* n * n, from * n + to */
    uint64_t *last_arrival; /* n * n: for links without reordering */
    bool partitioned;
    bl_map_t counts;        /* (from, to, group, module) -> sim_counts_t */
    uint8_t digest[32];
};

/* sim.c: queue an event (its seq is set here); log an event as node's (folds the digest). */
void sim_queue(sim_t *sim, sev_t *ev);
void sim_log_as(sim_t *sim, int node, ev_t *ev);
void sim_note(sim_t *sim, ev_kind_t kind, int node, int peer, int64_t a, int64_t b);

/* sim_net.c: a node sends; a queued message arrives; is a link's setting sane. */
void sim_net_send(sim_t *sim, unsigned from, unsigned to, const uint8_t *bytes, size_t len);
void sim_net_deliver(sim_t *sim, const sev_t *ev);
int sim_link_check(const sim_link_t *l);

/* sim_script.c: is a fault well formed (checked when it is queued); make it happen now. */
int sim_fault_check(const sim_t *sim, const sim_fault_t *f);
void sim_fault_apply(sim_t *sim, const sim_fault_t *f);

#endif
