/*
 * world.h — a running chain for the visualizer: nodes, groups, a driver, a load and the knobs.
 *
 * The TUI, `bcoslab export` and the lessons all want the same thing: "the course's four
 * agencies A, B, C, D, group 1 on PBFT, group 2 (A and B only) on Raft, running" — and a way
 * to poke it: crash a node, cut it off, make it lie, send it transactions. A world is that:
 *
 *   - the nodes' keys, certificates and group genesis blocks, made in memory from the seed
 *     (node IDs and so every sealer order come out the same for the same seed);
 *   - a driver: the simulator (virtual time, one event at a time, replayable from the seed) or
 *     real threads (one per node, real time) — the same nodes either way;
 *   - every node wrapped as a possibly-Byzantine one (node/byzantine.h), honest until told;
 *   - a load generator: a client that signs DagTransfer transfers at a chosen rate;
 *   - the event log (base/evlog.h), which is all the views read besides world_call snapshots.
 *
 * Nothing here draws. Every function is called from one thread, the UI's; with the threads
 * driver the nodes run on their own threads and world_call is the only way in.
 */
#ifndef BL_VIZ_WORLD_H
#define BL_VIZ_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "base/evlog.h"
#include "node/byzantine.h"
#include "node/node.h"

#define WORLD_MAX_NODES 8
#define WORLD_MAX_GROUPS 4

typedef struct {
    unsigned nodes;         /* 1 .. WORLD_MAX_NODES (default 4: A, B, C, D) */
    unsigned groups;        /* 1 .. WORLD_MAX_GROUPS (default 2) */
    /* Group 1 holds every node; groups 2.. hold nodes A and B only (the course's scenario). */
    const char *consensus;  /* per group, as build-chain: "pbft,raft" (the default) */
    const char *storage;    /* "memory" (default) or "rocksdb" (threads driver only) */
    bool sm;                /* SM2/SM3 instead of secp256k1/Keccak */
    bool sim;               /* the simulator (replayable) instead of real threads */
    uint64_t seed;
    unsigned rate;          /* the load: transactions per second per group (0: none) */
} world_opts_t;

/* The defaults above. */
world_opts_t world_default_opts(void);

typedef struct world world_t;

/* Make the keys, certificates and groups, start the driver and the nodes. NULL with bl_errmsg
 * on a bad option or when a node cannot start. */
world_t *world_open(const world_opts_t *o);
void world_close(world_t *w);

const world_opts_t *world_opts(const world_t *w);
evlog_t *world_log(world_t *w);
unsigned world_nnodes(const world_t *w);
/* "A", "B", ... */
const char *world_node_name(const world_t *w, unsigned i);
unsigned world_ngroups(const world_t *w);
unsigned world_group_id(const world_t *w, unsigned k);     /* k-th group's id: 1, 2, ... */
const char *world_consensus(const world_t *w, unsigned k);  /* "pbft", "raft", "solo" */
bool world_hosts(const world_t *w, unsigned node, unsigned k); /* does node host group k? */
const suite_t *world_suite(const world_t *w);
/* The node with this node ID, -1 if none. */
int world_node_of_id(const world_t *w, const uint8_t id[64]);

/* ---- time ---- */

/* The driver's clock in ms: virtual in the simulator; with threads, real time since the start
 * less the time spent paused. */
uint64_t world_now(const world_t *w);
/* Let real_ms of wall time pass: the simulator runs real_ms × speed of virtual time (unless
 * paused); the load generator sends what its rate owes. With threads the nodes run anyway;
 * only the load is sent. */
void world_advance(world_t *w, uint64_t real_ms);
/* Simulator: run exactly one event (even while paused); false with threads or nothing queued. */
bool world_step(world_t *w);
/* Pausing stops the simulator, or with threads every node (threads_pause) and the load. */
void world_set_paused(world_t *w, bool paused);
bool world_paused(const world_t *w);
/* Simulator speed: virtual ms per real ms, 1/16 .. 64 (the `+`/`-` keys double or halve it). */
void world_set_speed(world_t *w, double speed);
double world_speed(const world_t *w);

/* ---- the knobs ---- */

bool world_node_up(const world_t *w, unsigned i);
void world_crash(world_t *w, unsigned i);
void world_restart(world_t *w, unsigned i);
/* Cut node i off from every other node, or let it back in. */
void world_isolate(world_t *w, unsigned i, bool isolated);
bool world_isolated(const world_t *w, unsigned i);
/* From the node's next message on (it is remembered across a crash). */
void world_set_byzantine(world_t *w, unsigned i, byz_mode_t mode);
byz_mode_t world_byzantine(const world_t *w, unsigned i);

void world_set_rate(world_t *w, unsigned per_second);
unsigned world_rate(const world_t *w);
/* Send k transfers to each group now, through its members that are up. Returns how many the
 * nodes accepted. */
unsigned world_burst(world_t *w, unsigned k);
/* Send count transfers to group k only, through node `node` (-1: the members up take turns) —
 * the lessons' `do send N group=G node=X`. The group's first send opens its users first.
 * Returns how many the node accepted (0 if that node is down or not a member). */
unsigned world_send(world_t *w, unsigned k, int node, unsigned count);
/* Transactions sent and accepted so far (per group k). */
uint64_t world_sent(const world_t *w, unsigned k);

/* ---- looking inside ---- */

/* Run fn(node, arg) where node i lives (on its thread with the threads driver) and return when
 * it has run. node is NULL while node i is down. */
void world_call(world_t *w, unsigned i, void (*fn)(node_t *node, void *arg), void *arg);

/* ---- for the console (src/console/) ---- */

/* The genesis of the k-th group (what a read replica of the group starts from). */
const genesis_t *world_genesis(const world_t *w, unsigned k);
/* Node i's node ID (its 64-byte public key). */
const uint8_t *world_node_id(const world_t *w, unsigned i);
/* The chain id the nodes were configured with (1 for world_open's chains). */
uint64_t world_chain_id(const world_t *w);
/* The simulator's seed and its trace (net/sim.h sim_write_trace); BL_E_INVALID with threads. */
int world_write_trace(const world_t *w, const char *path);
/* A world over the nodes of a `bcoslab build-chain` directory (node/cluster.h cluster_load):
 * its groups and members as the directory says, no load. Every node must host the groups by
 * id 1..G (as build-chain makes them). NULL with bl_errmsg if the directory cannot be run. */
world_t *world_open_dir(const char *dir, bool sim, uint64_t seed);

#endif
