/*
 * raft_impl.h — what the files of the Raft engine share among themselves, and nobody else:
 * the engine's state (struct consensus) and the calls raft.c (elections, followers, applying)
 * and raft_leader.c (replication and commitment by the leader) make of each other.
 * consensus/raft.c explains the protocol.
 */
#ifndef BL_CONSENSUS_RAFT_IMPL_H
#define BL_CONSENSUS_RAFT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/evlog.h"
#include "consensus/consensus.h"
#include "consensus/raft.h"

#define RAFT_ELECT_MIN_MS 1000
#define RAFT_ELECT_MAX_MS 2000
#define RAFT_HEARTBEAT_MS (RAFT_ELECT_MIN_MS / 4)

enum { RAFT_TIMER_ELECTION = 1, RAFT_TIMER_HEARTBEAT = 2 };

typedef enum { RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_LEADER } raft_role_t;

struct consensus {
    consensus_host_t h;
    raft_log_t log;          /* currentTerm, votedFor, the entries (persistent) */
    raft_role_t role;
    int leader;              /* cluster index of the leader we follow, -1 if none */
    uint64_t commit;         /* commitIndex */
    uint64_t applied;        /* lastApplied */
    unsigned sealers[CONSENSUS_MAX_SEALERS]; /* cluster index of each sealer */
    size_t nsealers;
    bool votes[CONSENSUS_MAX_SEALERS];       /* candidate: who granted, by sealer position */
    uint64_t next[CONSENSUS_MAX_SEALERS];    /* leader: nextIndex per sealer */
    uint64_t match[CONSENSUS_MAX_SEALERS];   /* leader: matchIndex per sealer */
    uint64_t heard[CONSENSUS_MAX_SEALERS];   /* leader: when each last answered */
    uint64_t exec_index;     /* leader: the entry whose block it executed, 0 if none */
    bool in_host;            /* inside our own host->commit / host->apply */
};

/* raft.c */
void raft_emit(consensus_t *c, ev_kind_t kind, int peer, int64_t a, int64_t b);
unsigned raft_self(const consensus_t *c);
/* Position of cluster node `node` among the sealers, -1 if it is not one. */
int raft_sealer_pos(const consensus_t *c, unsigned node);
/* n/2 + 1 of the sealers. */
size_t raft_majority(const consensus_t *c);
void raft_send(consensus_t *c, unsigned to, unsigned type, const bl_buf_t *body);
/* Follow `leader` (-1: not known yet) in term (adopted, persisted, if higher). */
void raft_become_follower(consensus_t *c, uint64_t term, int leader);
/* Raise commitIndex to index and apply what became committed. */
void raft_set_commit(consensus_t *c, uint64_t index);
/* The same in two steps: raise commitIndex (true if it moved), and apply. */
bool raft_raise_commit(consensus_t *c, uint64_t index);
void raft_apply_committed(consensus_t *c);

/* raft_leader.c */
void raft_become_leader(consensus_t *c);
/* The heartbeat timer: step down without a majority's answers, else seal and send. */
void raft_leader_tick(consensus_t *c);
void raft_on_append_resp(consensus_t *c, int pos, const raft_append_resp_t *m);

#endif
