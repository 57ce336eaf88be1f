/*
 * pbft_int.h — the PBFT engine's state, shared by pbft.c (the three phases) and pbft_view.c
 * (view change and the prepare backup). Nothing outside consensus/pbft*.c includes it.
 *
 * One node's whole memory of consensus is "the next block": the height it works on (its tip +
 * 1), the view, the Prepare it accepted, the votes it has seen (one slot per sealer and kind,
 * so a duplicate can never count twice), and its lock — the block for which it saw n-f signs and
 * wrote the backup. Every commit wipes all of it except what it learnt about later heights.
 */
#ifndef BL_CONSENSUS_PBFT_INT_H
#define BL_CONSENSUS_PBFT_INT_H

#include "consensus/consensus.h"
#include "consensus/pbft.h"

#define PBFT_EMPTY_BLOCK_MS 1000  /* emptyBlockGenTime */
#define PBFT_MIN_BLOCK_MS 500     /* min_block_generation_time */
#define PBFT_POLL_MS 100          /* how often a waiting leader looks at its pool */
#define PBFT_VIEW_TIMEOUT_MS 3000 /* 3 x emptyBlockGenTime */
#define PBFT_MAX_CHANGE_CYCLE 20
#define PBFT_FUTURE_MAX 64        /* messages kept for later heights or views */
#define PBFT_FUTURE_HEIGHTS 10    /* ... up to this many heights ahead */

enum { PBFT_TIMER_VIEW = 1, PBFT_TIMER_SEAL = 2 };

/* One sealer's latest vote of one kind for the next block. */
typedef struct {
    bool has;
    uint64_t view;
    int64_t height;              /* ViewChange: the sender's highest block */
    uint8_t hash[32];
    uint8_t sig[SUITE_MAX_SIG];
} pbft_vote_t;

/* A message kept for later, as it came. */
typedef struct {
    unsigned from, type;
    bl_buf_t body;
} pbft_future_t;

struct consensus {
    consensus_host_t h;
    kv_t *disk;                              /* "group<G>.pbft": the prepare backup */
    /* the sealers for the next block */
    size_t n;
    uint8_t ids[CONSENSUS_MAX_SEALERS][64];
    unsigned nodes[CONSENSUS_MAX_SEALERS];
    int64_t me;                              /* my index, -1: not a sealer */
    /* the chain */
    int64_t tip;
    uint8_t tip_hash[32];
    /* views */
    uint64_t view, to_view;
    unsigned change_cycle;
    uint64_t round_start_ms;                 /* last commit or view switch */
    bool proposed;                           /* I proposed in this view already */
    /* the Prepare accepted in this view */
    bool has_prepare;
    uint64_t prep_view;
    bl_buf_t prep_block;                     /* encoded, as proposed */
    block_t prep_decoded;                    /* decoded once, senders found, executed */
    bool has_prep_decoded;
    uint8_t prep_exec_hash[32];              /* the hash after execution */
    /* the lock: n-f signed this block (persisted in the backup) */
    bool locked;
    uint64_t lock_view;
    bl_buf_t lock_block;
    block_t lock_decoded;                    /* the same, decoded (not after a restart) */
    bool has_lock_decoded;
    uint8_t lock_hash[32];
    bool committing;
    /* a block another sealer is locked on, shown to me as the leader (pbft.c on_hint) */
    bool has_hint;
    bl_buf_t hint_block;
    /* votes, by sealer index */
    pbft_vote_t signs[CONSENSUS_MAX_SEALERS];
    pbft_vote_t commits[CONSENSUS_MAX_SEALERS];
    pbft_vote_t views[CONSENSUS_MAX_SEALERS];
    pbft_vote_t caught_up[CONSENSUS_MAX_SEALERS]; /* the view I last sent each peer back */
    pbft_future_t future[PBFT_FUTURE_MAX];
    size_t nfuture;
    /* my own messages, and replayed ones, wait here until the current call is done, so that
     * no handler ever runs inside another one */
    pbft_future_t *queue;
    size_t qhead, qlen, qcap;
    unsigned depth;
};

/* pbft.c */
size_t pbft_quorum(const consensus_t *c);
uint64_t pbft_leader(const consensus_t *c, uint64_t view);
void pbft_emit(consensus_t *c, ev_kind_t kind, int peer, int64_t a, int64_t b,
               const uint8_t hash[32]);
/* Sign and send m to every other sealer (to = -1, and then queue it for myself too) or to the
 * cluster node `to`. */
void pbft_send(consensus_t *c, pbft_msg_t *m, int to);
/* A new height or view begins: timers, the leader's turn, my lock shown to the leader. */
void pbft_new_round(consensus_t *c);
void pbft_forget_prepare(consensus_t *c);
/* Decode a proposed block with the senders of its txs (from the pool where it has them). */
int pbft_decode_block(consensus_t *c, bl_span_t raw, block_t *blk);

/* pbft_queue.c */
void pbft_future_free(pbft_future_t *f);
void pbft_enqueue(consensus_t *c, unsigned from, unsigned type, bl_span_t body);
void pbft_keep_future(consensus_t *c, unsigned from, unsigned type, bl_span_t body);
/* Queue every kept message again (after a commit or a view switch). */
void pbft_replay_future(consensus_t *c);

/* pbft_seal.c */
void pbft_on_seal_timer(consensus_t *c);
void pbft_arm_seal(consensus_t *c, uint64_t after_ms);
/* Locked and not the leader: show the leader my locked block. */
void pbft_send_hint(consensus_t *c);

/* pbft_view.c */
void pbft_arm_view_timer(consensus_t *c);
void pbft_on_view_timeout(consensus_t *c);
/* Ask for view to_view + 1 (an empty block or a timeout). */
void pbft_request_view_change(consensus_t *c);
void pbft_on_view_change(consensus_t *c, unsigned from, const pbft_msg_t *m);
/* Write the lock (block, hash, the n-f signs) to the disk. */
int pbft_backup_save(consensus_t *c);
/* Take a lock for the next height from the disk, if it holds one with n-f valid signs. */
void pbft_backup_load(consensus_t *c);

#endif
