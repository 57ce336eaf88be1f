/*
 * model.h — what the views draw: the chain's state, rebuilt from the event log and snapshots.
 *
 * The views never look into a node. They read a model_t, which knows only two things:
 *
 *   - the events the nodes reported (base/evlog.h): a PBFT phase entered, a vote counted, a
 *     Raft term begun, a block committed, a message sent or dropped. Each one is folded into
 *     the model as it is read: this is what makes the views truthful — a bar moves because a
 *     node really counted a SignReq, not because an animation said so;
 *   - snapshots, taken a few times a second through world_call: each node's height, pool size
 *     and role in each group, and the headers of newly committed blocks (read once: a committed
 *     block never changes).
 *
 * model_update does both. Everything else here only reads.
 */
#ifndef BL_VIZ_MODEL_H
#define BL_VIZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/evlog.h"
#include "base/hashmap.h"
#include "exec/txdag.h"
#include "world.h"

#define MODEL_BLOCKS 64    /* recent blocks kept per group */
#define MODEL_MSGS 64      /* recent consensus messages kept per group */
#define MODEL_VIEWS 32     /* view changes and elections kept per group */
#define MODEL_SECONDS 120  /* per-second statistics kept */
#define MODEL_LATENCIES 1024

typedef struct {
    int64_t number;
    uint8_t hash[32];
    uint8_t parent[32];
    uint8_t state_root[32], tx_root[32], receipt_root[32], db_hash[32];
    int64_t timestamp;
    uint64_t gas_used;
    size_t txs;
    int sealer;            /* node index, -1 if not one of ours */
    size_t nsigs;          /* commit signatures in its sigList */
} model_block_t;

typedef enum { RAFT_ROLE_FOLLOWER = 0, RAFT_ROLE_CANDIDATE, RAFT_ROLE_LEADER } model_raft_role_t;

/* One node's view of one group. */
typedef struct {
    bool member;           /* hosts the group */
    int role;              /* 1 sealer, 2 observer, 0 neither (from snapshots) */
    int64_t height;        /* committed height (events, then snapshots) */
    size_t pool;           /* pending transactions (snapshots) */
    /* PBFT, from its events */
    int64_t pbft_height;   /* the height its current round is for */
    uint64_t view;         /* its view */
    int phase;             /* pbft_phase_t */
    int64_t signs, commits;/* matching SignReqs / CommitReqs counted in this round */
    int64_t done_signs, done_commits; /* what they were when its last round committed */
    uint64_t to_view;      /* while view-changing: the view it asks for */
    /* Raft, from its events */
    uint64_t term;
    model_raft_role_t raft_role;
    int64_t raft_last;     /* last log index */
    int64_t raft_commit;   /* commitIndex */
    int leader;            /* who it follows, -1 unknown */
    unsigned votes;        /* votes granted to it in its current election */
} model_member_t;

typedef struct {
    uint64_t time;
    unsigned from, to;
    unsigned module, type;
} model_msg_t;

typedef struct {
    uint64_t time;
    unsigned node;
    int64_t height;
    uint64_t view;         /* PBFT: the view; Raft: the term */
    int kind;              /* 0 asked (view change / stood for election), 1 switched / elected */
} model_vc_t;

typedef struct {
    unsigned id;
    char consensus[16];
    model_member_t m[WORLD_MAX_NODES];
    model_block_t blocks[MODEL_BLOCKS]; /* by number % MODEL_BLOCKS */
    uint64_t commit_ms[MODEL_BLOCKS];   /* when the first member committed it, same index */
    int64_t top;           /* the highest height any member committed */
    int64_t fetched;       /* blocks up to here are in blocks[] (or were and are gone) */
    model_msg_t msgs[MODEL_MSGS];
    uint64_t nmsgs;        /* ever seen; the newest is msgs[(nmsgs - 1) % MODEL_MSGS] */
    model_vc_t vcs[MODEL_VIEWS];
    uint64_t nvcs;
    uint64_t committed_txs;
    uint64_t txs_in_second[MODEL_SECONDS]; /* by second % MODEL_SECONDS */
    uint32_t latency_ms[MODEL_LATENCIES];  /* first admission to first commit, newest last */
    uint64_t nlatency;
} model_group_t;

typedef struct {
    world_t *w;
    uint64_t seq;          /* the last event folded in */
    uint64_t missed;       /* events the ring overwrote before they were read */
    uint64_t events;       /* events folded in */
    unsigned nnodes, ngroups;
    model_group_t g[WORLD_MAX_GROUPS];
    uint64_t msgs_in_second[MODEL_SECONDS];
    uint64_t drops_in_second[MODEL_SECONDS];
    uint64_t second;       /* the newest second with statistics */
    bl_map_t admitted;     /* tx hash -> admission time + 1, for latencies */
    size_t nadmitted;
    ev_t *buf;             /* read buffer */
} model_t;

void model_init(model_t *m, world_t *w);
void model_free(model_t *m);

/* Fold in the new events; with snapshot, also ask every node for its heights and pools and
 * read the headers of blocks committed since the last time. */
void model_update(model_t *m, bool snapshot);

/* Group k's block with this number if it is kept, else NULL. */
const model_block_t *model_block(const model_t *m, unsigned k, int64_t number);

/* Statistics over the last `seconds` full seconds (the current one is still counting). */
double model_tps(const model_t *m, unsigned k, unsigned seconds);
/* Percentile p (0..100) of the recent commit latencies of group k, in ms; -1 if none. */
int64_t model_latency(const model_t *m, unsigned k, unsigned p);
/* The PBFT leader of a group at this height and view: (view + height) % sealers. Our sealers
 * are every member, in node order. */
int model_pbft_leader(const model_t *m, unsigned k, int64_t height, uint64_t view);
/* How many members a group has, and its quorum n − f for PBFT (majority for Raft). */
unsigned model_members(const model_t *m, unsigned k);
unsigned model_quorum(const model_t *m, unsigned k);

/* A block's transaction DAG, read from a node that has the block (node/group's ledger), and a
 * schedule of it on `workers` workers, one time step per transaction, as the parallel
 * executor runs it: in-degree-0 transactions first, successors released as they finish. */
typedef struct {
    int64_t number;
    txdag_t dag;
    unsigned workers;
    unsigned *worker;      /* per tx: the worker (1..workers) that runs it */
    unsigned *step;        /* per tx: the time step it runs in */
    unsigned steps;        /* the makespan; speedup = count / steps */
    char **label;          /* per tx: "transfer user3 -> user9" */
} model_dag_t;

int model_dag(model_t *m, unsigned k, int64_t number, unsigned workers, model_dag_t *out);
void model_dag_free(model_dag_t *d);

#endif
