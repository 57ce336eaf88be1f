/*
 * trace.h — a simulated run's trace, read back: its seed, its digest and its events.
 *
 * When a simulated test fails it prints its seed and writes a trace (net/sim.h,
 * sim_write_trace), a text file a person can read:
 *
 *     seed=7 nodes=4 now=12000
 *     digest=8a70bf87...                           (64 hex digits: the hash over every event)
 *     # 3 older events were no longer in the log    (only if the event log's ring had wrapped)
 *     1 t=0 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0
 *     2 t=0 node=0 peer=1 group=0 module=100 MSG_SENT a=0 b=927
 *     ...
 *
 * Each event line is the event's seq and then exactly what ev_format writes (base/evlog.h).
 * trace_load reads such a file back and checks every line, so `bcoslab replay` can walk
 * through the run one event at a time. A trace_summary_t then folds the events up to any point
 * into what a person wants to know about each node at that moment: is it up, how high is each
 * of its groups' chains, which PBFT view and phase or Raft term and role it is in, how many
 * messages it sent and lost. Like the TUI's model (viz/model.h), it knows only what the events
 * say: a trace holds no snapshots.
 */
#ifndef BL_BASE_TRACE_H
#define BL_BASE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/evlog.h"

/* As many nodes as the simulator can run (net/sim.h SIM_MAX_NODES). */
#define TRACE_MAX_NODES 1024

typedef struct {
    uint64_t seed;
    unsigned nodes;
    uint64_t now;           /* the virtual time (ms) when the trace was written */
    uint8_t digest[32];
    uint64_t missed;        /* older events the log no longer held when it was written */
    ev_t *events;           /* oldest first, each with its seq from the file */
    size_t nevents;
    uint16_t *groups;       /* the group ids the nodes' events name, ascending; no group 0 */
    size_t ngroups;
} trace_t;

/* Read the trace at path. Returns BL_OK, BL_E_IO if it cannot be read, or BL_E_INVALID with
 * "PATH line N: what is wrong" for the first bad line. On failure *trace is left empty. */
int trace_load(const char *path, trace_t *trace);
/* The same from an open stream; name is what the messages call it. */
int trace_read(FILE *f, const char *name, trace_t *trace);
void trace_free(trace_t *trace);

/* The index of group id in trace->groups, or -1 if no event names it. */
int trace_group_index(const trace_t *trace, unsigned id);

/* ---- what the events say up to a point ---- */

typedef enum {
    TRACE_NODE_UNSEEN = 0,  /* not started yet (or its start is older than the trace) */
    TRACE_NODE_UP,
    TRACE_NODE_DOWN,        /* crashed */
    TRACE_NODE_STOPPED,     /* shut down cleanly */
} trace_node_status_t;

typedef enum {
    TRACE_RAFT_NONE = 0,    /* no Raft event yet */
    TRACE_RAFT_FOLLOWER,
    TRACE_RAFT_CANDIDATE,
    TRACE_RAFT_LEADER,
} trace_raft_role_t;

/* One node in one group. */
typedef struct {
    bool seen;              /* the node reported something about this group */
    int64_t height;         /* the highest block it committed or downloaded */
    bool pbft;              /* it reported PBFT events for this group */
    uint64_t pbft_view;
    int pbft_phase;         /* pbft_phase_t (consensus/pbft.h), as EV_PBFT_PHASE reports it */
    uint64_t pbft_to_view;  /* while it asks for a view change: the view it asks for */
    bool raft;              /* it reported Raft events for this group */
    uint64_t raft_term;
    trace_raft_role_t raft_role;
} trace_member_t;

typedef struct {
    trace_node_status_t status;
    unsigned crashes;
    uint64_t sent, delivered, dropped; /* messages; a drop counts for its sender */
    trace_member_t *groups;            /* one per trace->groups */
} trace_node_t;

typedef struct {
    size_t upto;            /* events[0 .. upto) are folded in */
    uint64_t time_ms;       /* the newest folded event's time */
    unsigned nnodes;
    size_t ngroups;
    trace_node_t *nodes;
    uint64_t kinds[EV_KIND_COUNT]; /* folded events of each kind */
} trace_summary_t;

/* A summary of no events yet, shaped for trace. */
void trace_summary_init(trace_summary_t *s, const trace_t *trace);
/* Fold in events up to (not including) index upto; moving back starts again from the first. */
void trace_summary_to(trace_summary_t *s, const trace_t *trace, size_t upto);
void trace_summary_free(trace_summary_t *s);

#endif
