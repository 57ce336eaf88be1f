/*
 * sim.h — the simulator: a whole cluster in one thread, on a virtual clock, from one seed.
 *
 * Why simulate? A distributed protocol fails in the rare interleavings: a message that arrives
 * twice, a vote that is lost while the leader crashes, a partition that heals at the worst
 * moment. On a real network those happen once a month and can never be replayed. Here the
 * network, the clock, the randomness and the crashes all belong to the simulator, so a test can
 * make them happen on purpose — and, when a test fails, run the very same history again.
 *
 * The virtual clock. Nothing here waits. Everything that will happen (a message arriving, a
 * timer going off, a scripted crash) is an event with a time, kept in a priority queue ordered
 * by (time, the order it was queued in). The simulator takes the earliest event, moves the
 * clock to its time and runs it; running it may queue new events. An hour of simulated
 * consensus takes a fraction of a second, and two events at the same millisecond always run in
 * the same order.
 *
 * Seeds. Every "random" choice — how long a message takes, whether it is lost, the numbers a
 * node draws through env->random — comes from a generator seeded from one root seed. There is
 * one stream per concern (the network, the faults, each node), each derived from the root seed
 * and its own name, so adding a node does not change the numbers the others draw. Same seed and
 * same scenario give the same run, event for event; sim_digest() is a hash over every event and
 * proves it. A failing test prints its seed; sim_write_trace() writes the history to a file.
 *
 * Nodes share nothing: they only see each other's bytes (net/frame.h), handed over by the
 * simulated network, which may lose, delay, duplicate and reorder them per directed link, and
 * cut the cluster into partitions. A crash destroys a node's memory but keeps its disks.
 *
 * What it reports, into the event log and the digest (evlog.h), besides what the nodes emit:
 *   NODE_STARTED   node (a = 1 for a restart)
 *   NODE_CRASHED   node (also when a node's create fails)
 *   MSG_SENT       node -> peer
 *   MSG_DELIVERED  node <- peer, just before ops->on_message
 *   MSG_DROPPED    node -> peer, why in hash[0]: EV_DROP_NETWORK (the drop rate, a partition,
 *                  or sent to oneself or to no such node) or EV_DROP_DOWN (the receiver was
 *                  down when it arrived, or crashed after it was sent)
 *   TIMER_FIRED    node, a = timer id, just before ops->on_timer
 * Message events carry the frame's group and module, a = packet type and b = length (zeros
 * for bytes that are not a frame). A node keeps the same env across crashes and restarts.
 *
 * The simulator is single-threaded and not reentrant: do not call sim_step or its friends, nor
 * sim_crash/sim_restart, from inside a node's callbacks.
 */
#ifndef BL_NET_SIM_H
#define BL_NET_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/evlog.h"
#include "net/env.h"

/* "Any": sums over every node, group or module in sim_counts(). */
#define SIM_ANY 0xffffffffu
/* The most nodes one simulation holds. */
#define SIM_MAX_NODES 1024

typedef struct sim sim_t;

/* How one directed link (from -> to) treats the messages that cross it. */
typedef struct {
    double drop;           /* probability that a message is lost, 0..1 */
    double dup;            /* probability that it arrives twice, 0..1 */
    uint32_t delay_min_ms; /* each copy arrives after a delay drawn from [min, max] */
    uint32_t delay_max_ms;
    bool reorder;          /* false: messages arrive in the order they were sent (like TCP) */
} sim_link_t;

/* What sim_link_default() gives and every link starts with: nothing lost or duplicated,
 * 1..5 ms of delay, reordering allowed. */
#define SIM_DELAY_MIN_DEFAULT 1
#define SIM_DELAY_MAX_DEFAULT 5
sim_link_t sim_link_default(void);

/* Messages and bytes counted on the way in and out. A duplicate is sent once and delivered
 * twice. */
typedef struct {
    uint64_t sent_msgs, sent_bytes;
    uint64_t delivered_msgs, delivered_bytes;
    uint64_t dropped_msgs, dropped_bytes;
} sim_counts_t;

/* ---- making and running a simulation ---- */

/* A cluster of nnodes nodes (1 .. SIM_MAX_NODES) driven through ops (arg is passed to
 * ops->create). Events go to log, which may be NULL (the digest is kept either way) and is not
 * owned. NULL for a bad nnodes or ops (bl_errmsg says why). */
sim_t *sim_new(uint64_t seed, unsigned nnodes, const endpoint_ops_t *ops, void *arg,
               evlog_t *log);
/* Destroy the live nodes, then everything the simulator owns (disks included). */
void sim_free(sim_t *sim);
/* Create every node at the current time (0 for a fresh simulation). A node whose create fails
 * stays down; the first failure is returned (the others are still tried). */
int sim_start(sim_t *sim);

/* Run the earliest event; false when there is none left. (Timers that were cancelled or moved,
 * or whose node crashed, are not events: they are skipped and do not move the clock.) */
bool sim_step(sim_t *sim);
/* Run every event due within the next ms milliseconds; the clock then reads now + ms. */
void sim_run_for(sim_t *sim, uint64_t ms);
/* Run until done(arg) is true (checked before every event) or limit_ms have passed; returns
 * whether done became true. */
bool sim_run_until(sim_t *sim, bool (*done)(void *arg), void *arg, uint64_t limit_ms);
/* How many events are queued (including timers that were cancelled but not yet reached). */
size_t sim_pending(const sim_t *sim);

uint64_t sim_now(const sim_t *sim);
uint64_t sim_seed(const sim_t *sim);
unsigned sim_nnodes(const sim_t *sim);
/* Node i as ops->create returned it; NULL while it is down (or i out of range). */
void *sim_node(const sim_t *sim, unsigned i);
/* The env node i was given, so that a test can act as that node (send bytes of its choice).
 * NULL if i is out of range. */
env_t *sim_env(sim_t *sim, unsigned i);

/* ---- the network ---- */

/* Set one directed link, or every link. BL_E_RANGE for a bad node index, BL_E_INVALID for a
 * probability outside 0..1 or min > max delay. */
int sim_set_link(sim_t *sim, unsigned from, unsigned to, const sim_link_t *link);
int sim_set_links(sim_t *sim, const sim_link_t *link);
sim_link_t sim_get_link(const sim_t *sim, unsigned from, unsigned to);
/* Cut the network: node i reaches node j only if side[i] == side[j] (side has nnodes entries).
 * Messages already on their way across the cut are lost too. */
void sim_partition(sim_t *sim, const unsigned *side);
/* Everyone reaches everyone again. */
void sim_heal(sim_t *sim);

/* ---- crashes ---- */

/* Node i loses everything but its disks: ops->destroy, its timers are gone, and every message
 * on its way to it is lost (a restarted node starts with fresh connections). BL_E_RANGE for a
 * bad index; crashing a node that is down does nothing. */
int sim_crash(sim_t *sim, unsigned i);
/* Node i comes back: ops->create with the same env, finding its disks as it left them.
 * Restarting a node that is up does nothing. */
int sim_restart(sim_t *sim, unsigned i);

/* ---- faults at a chosen time ---- */

typedef enum {
    SIM_FAULT_CRASH = 1, /* crash node */
    SIM_FAULT_RESTART,   /* restart node */
    SIM_FAULT_PARTITION, /* sim_partition(side) */
    SIM_FAULT_HEAL,      /* sim_heal */
    SIM_FAULT_LINK,      /* the fields of link named by `fields`, on node -> to */
    SIM_FAULT_LINKS,     /* the same on every link */
} sim_fault_op_t;

/* Which fields of a sim_link_t a SIM_FAULT_LINK(S) sets; the others keep their values. */
enum {
    SIM_LINK_DROP = 1,
    SIM_LINK_DUP = 2,
    SIM_LINK_DELAY = 4,
    SIM_LINK_REORDER = 8,
    SIM_LINK_ALL = 15,
};

typedef struct {
    sim_fault_op_t op;
    unsigned node;       /* crash, restart (SIM_ANY: a random one that is up/down); link: from */
    unsigned to;         /* link */
    sim_link_t link;     /* link, links */
    unsigned fields;     /* link, links: SIM_LINK_* */
    const unsigned *side; /* partition: nnodes entries (copied) */
} sim_fault_t;

/* Queue a fault to happen at virtual time at_ms (not in the past). The fault is checked now:
 * BL_E_RANGE / BL_E_INVALID with a reason, and nothing queued, if it is bad. */
int sim_at(sim_t *sim, uint64_t at_ms, const sim_fault_t *fault);

/* Queue the faults of a script (sim_script.c), one per line:
 *
 *     # comments run to the end of the line
 *     at 1000 crash 2
 *     at 1200 crash random       # one of the nodes that are up, drawn from the fault stream
 *     at 5000 restart 2          # (restart random: one of the nodes that are down)
 *     at 2000 partition 0,1|2,3  # nodes left out are each alone on their own side
 *     at 8000 heal
 *     at 0 link 0->1 drop=0.3 dup=0.1 delay=5..50 reorder=no
 *     at 0 links drop=0.1        # fields not named keep their value
 *
 * Either the whole script is queued, or (BL_E_INVALID, "script line N: ...") nothing is. */
int sim_script(sim_t *sim, const char *text);

/* ---- what happened ---- */

/* Counts for messages from -> to of (group, module), read from the frame header; any of the
 * four may be SIM_ANY. A frame that does not decode counts as group 0 module 0. Messages to
 * oneself or to a node that does not exist are refused before they are counted. */
sim_counts_t sim_counts(const sim_t *sim, unsigned from, unsigned to, unsigned group,
                        unsigned module);
/* The hash chain over every event so far: h = keccak256(h || ev_serialize(ev)), from 32 zero
 * bytes. Same seed and scenario, same digest. */
void sim_digest(const sim_t *sim, uint8_t out[32]);
/* Write "seed=N", the digest and every event the log still holds (ev_format), one per line.
 * BL_E_IO if the file cannot be written. */
int sim_write_trace(const sim_t *sim, const char *path);

#endif
