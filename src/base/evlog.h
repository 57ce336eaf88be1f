/*
 * evlog.h — the event log: what every part of the running chain did, as typed records.
 *
 * Modules never draw, print or count for anyone else. They report what they do — a message
 * sent or dropped, a transaction admitted or refused, a block committed, a node crashed — as
 * one small record each, into the run's event log. Everything that watches the chain reads the
 * log and nothing else: the TUI's views, the statistics, the tests' checks, the trace a failed
 * test leaves behind. (DESIGN.md §1.5: observable by construction.)
 *
 * The log is a ring buffer: it keeps the newest `capacity` events and numbers every event it is
 * given (seq 1, 2, 3, ...), so a reader that fell behind knows how many it missed. Writers and
 * readers may be on different threads (the threads driver): the log has its own lock.
 */
#ifndef BL_BASE_EVLOG_H
#define BL_BASE_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    EV_NONE = 0,
    /* drivers: nodes and the network */
    EV_NODE_STARTED,     /* node started (a = 1 after a crash: a restart) */
    EV_NODE_CRASHED,     /* node lost everything but its disks */
    EV_NODE_STOPPED,     /* clean shutdown */
    EV_MSG_SENT,         /* node -> peer; a = packet type, b = bytes */
    EV_MSG_DELIVERED,    /* peer -> node; a = packet type, b = bytes */
    EV_MSG_DROPPED,      /* a = packet type, b = bytes; why: ev_drop_reason_t in hash[0] */
    EV_PEER_REFUSED,     /* admission refused peer (node, not group, level) */
    EV_TIMER_FIRED,      /* a = timer id */
    /* tx pool */
    EV_TX_ADMITTED,      /* hash = tx hash, a = pool size after */
    EV_TX_REJECTED,      /* hash = tx hash (if it decoded), a = FISCO status code */
    EV_TX_REMOVED,       /* included in a block or expired; hash = tx hash */
    /* ledger */
    EV_BLOCK_SEALED,     /* a = number, b = tx count, hash = block hash */
    EV_BLOCK_COMMITTED,  /* a = number, b = tx count, hash = block hash */
    EV_BLOCK_REFUSED,    /* a = number; a synced or proposed block failed a check */
    /* sync */
    EV_SYNC_STATUS,      /* peer told us its height a */
    EV_SYNC_REQUEST,     /* asked peer for blocks a .. a+b-1 */
    EV_SYNC_DOWNLOADED,  /* applied a block from peer; a = number */
    /* groups */
    EV_GROUP_JOINED,     /* this node became a member of group; a = 1 sealer, 2 observer */
    EV_GROUP_LEFT,
    EV_QUERY_REFUSED,    /* a query for a group this node is not in */
    /* PBFT (consensus/pbft.c); module MODULE_PBFT, peer = the sender */
    EV_PBFT_PREPARE,     /* a PrepareReq accepted; a = height, b = view */
    EV_PBFT_SIGN,        /* a SignReq counted; a = height, b = matching signs toward n-f */
    EV_PBFT_COMMIT,      /* a CommitReq counted; a = height, b = matching commits toward n-f */
    EV_PBFT_PHASE,       /* phase entered; a = height, b = pbft_phase_t (pbft.h) */
    EV_PBFT_VIEW_CHANGE, /* this node asks for a new view; a = height, b = toView */
    EV_PBFT_VIEW_SWITCHED, /* n-f agreed: a = height, b = the new view */
    /* Raft (consensus/raft.c); module MODULE_RAFT */
    EV_RAFT_ELECTION,    /* this node stood for election; a = its new term */
    EV_RAFT_VOTE,        /* answered peer's RequestVote; a = term, b = 1 granted, 0 refused */
    EV_RAFT_LEADER,      /* this node became leader; a = term */
    EV_RAFT_FOLLOWER,    /* this node became (or stayed) follower; a = term, peer = leader */
    EV_RAFT_TERM,        /* currentTerm changed; a = new term, b = old term */
    EV_RAFT_APPEND,      /* entries added to the log; a = first index, b = how many */
    EV_RAFT_COMMIT,      /* commitIndex advanced; a = new commitIndex, b = term */
    EV_KIND_COUNT
} ev_kind_t;

/* Why a message was dropped (EV_MSG_DROPPED, in hash[0]). */
typedef enum {
    EV_DROP_NETWORK = 1, /* the network lost it (sim: drop rate, partition) */
    EV_DROP_DOWN,        /* the receiver was down */
    EV_DROP_MALFORMED,   /* the frame or body did not decode */
    EV_DROP_NOT_MEMBER,  /* for a group this node is not in */
    EV_DROP_UNADMITTED,  /* from a peer that admission refused */
    EV_DROP_UNKNOWN,     /* a module or packet type nobody handles */
} ev_drop_reason_t;

typedef struct {
    uint64_t seq;      /* set by the log: 1, 2, 3, ... */
    uint64_t time_ms;  /* the driver's clock (virtual in the simulator) */
    ev_kind_t kind;
    int32_t node;      /* who did it (index in the cluster), -1 for nobody in particular */
    int32_t peer;      /* the other node, or -1 */
    uint16_t group;    /* 0: not a group's business */
    uint16_t module;   /* FISCO module id (net/frame.h), 0 if none */
    int64_t a, b;      /* what they mean depends on kind (above) */
    uint8_t hash[32];  /* a block's or tx's hash, or zeros */
} ev_t;

typedef struct evlog evlog_t;

evlog_t *evlog_new(size_t capacity);
void evlog_free(evlog_t *log);

/* Add a copy of ev, numbered; returns its seq. */
uint64_t evlog_add(evlog_t *log, const ev_t *ev);

/* Copy up to max events numbered after `after` into out, oldest first; returns how many. Events
 * already overwritten are skipped and counted in *missed (may be NULL). */
size_t evlog_read(evlog_t *log, uint64_t after, ev_t *out, size_t max, uint64_t *missed);

/* The seq of the newest event (0 if none yet). */
uint64_t evlog_last(evlog_t *log);

/* The stable bytes of an event (everything but seq), for hash chains: 96 bytes. */
#define EV_BYTES 96
void ev_serialize(const ev_t *ev, uint8_t out[EV_BYTES]);

const char *ev_kind_name(ev_kind_t kind);
/* One line for traces: "t=1200 node=2 group=1 BLOCK_COMMITTED a=5 b=3 hash=ab12..". */
void ev_format(const ev_t *ev, char *buf, size_t len);
/* The inverse of ev_format: one such line back into *ev (seq 0), for reading traces. Every
 * field must be there, in ev_format's order and spelling, and nothing else. A line keeps only
 * the first 8 bytes of a hash (16 hex digits); the other 24 come back as zeros. Returns BL_OK,
 * or BL_E_INVALID with a message naming the field that is wrong. */
int ev_parse(const char *line, ev_t *ev);

#endif
