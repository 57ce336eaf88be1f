/*
 * pbft.h — PBFT's messages, as FISCO BCOS 2.x puts them on the wire (fisco-2x-facts §2.2), and
 * the phases a round goes through (the engine itself is pbft.c; pbft_ops is in consensus.h).
 *
 * Four packet types carry the whole protocol:
 *
 *     0 PrepareReq     the leader proposes a block for height h in view v
 *     1 SignReq        "I executed it and got this block hash"          (PBFT's "prepare")
 *     2 CommitReq      "n-f of us got that hash: I am ready to commit"  (PBFT's "commit")
 *     3 ViewChangeReq  "the leader failed me: let us move to view v"
 *
 * Every one is the same record, RLP list(1){ bytes(RLP[height, view, idx, timestamp,
 * block_hash, sig, sig2 (, block)]) }:
 *     height     the block the message is about (ViewChange: the sender's highest block)
 *     view       the view the sender is in (ViewChange: the view it asks for)
 *     idx        the sender's index in the sealer list (not its 64-byte ID: it is shorter)
 *     timestamp  the sender's clock, in ms
 *     block_hash Prepare: the proposed header's hash; Sign/Commit: the EXECUTED header's hash;
 *                ViewChange: the hash of the sender's highest block
 *     sig        the sender's signature over block_hash
 *     sig2       its signature over hash(RLP[height, view, idx, timestamp])
 *     block      Prepare only: the proposed block, encoded (ledger/block.h)
 * The two signatures let anyone check, with nothing but the sealer list, that sealer idx really
 * said this about this block at this height and view.
 */
#ifndef BL_CONSENSUS_PBFT_H
#define BL_CONSENSUS_PBFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/key.h"
#include "crypto/suite.h"

enum {
    PBFT_PREPARE = 0,
    PBFT_SIGN = 1,
    PBFT_COMMIT = 2,
    PBFT_VIEW_CHANGE = 3,
    PBFT_PACKET_TYPES = 4,
};

/* What EV_PBFT_PHASE's b says a node just entered. */
typedef enum {
    PBFT_PHASE_IDLE = 0,       /* waiting for the leader's Prepare */
    PBFT_PHASE_PREPARED = 1,   /* got a Prepare, executed it, sent its SignReq */
    PBFT_PHASE_SIGNED = 2,     /* n-f matching signs: backup written, CommitReq sent */
    PBFT_PHASE_COMMITTED = 3,  /* n-f matching commits: the block is on the chain */
    PBFT_PHASE_VIEW_CHANGE = 4 /* waiting for n-f ViewChanges */
} pbft_phase_t;

typedef struct {
    unsigned type;        /* PBFT_PREPARE .. PBFT_VIEW_CHANGE */
    int64_t height;
    uint64_t view;
    uint64_t idx;
    uint64_t timestamp;
    uint8_t block_hash[32];
    uint8_t sig[SUITE_MAX_SIG];
    uint8_t sig2[SUITE_MAX_SIG];
    size_t sig_len;       /* both signatures have the suite's length */
    bl_span_t block;      /* Prepare: the encoded block (decoding: points into the input) */
} pbft_msg_t;

/* The hash sig2 signs: hash(RLP[height, view, idx, timestamp]). */
void pbft_msg_fields_hash(const suite_t *suite, const pbft_msg_t *m, uint8_t out[32]);
/* Fill sig and sig2 with key's signatures. */
int pbft_msg_sign(const suite_t *suite, const keypair_t *key, pbft_msg_t *m);
/* Both signatures are the work of node ID `id`. */
int pbft_msg_verify(const suite_t *suite, const pbft_msg_t *m, const uint8_t id[64]);

/* Append the message body (without the frame) to out. */
void pbft_msg_encode(const pbft_msg_t *m, bl_buf_t *out);
/* Decode a body of packet `type`: the exact layout, canonical numbers, a 32-byte hash,
 * signatures of the suite's length, a block in a Prepare and none elsewhere. BL_E_* with a
 * reason otherwise; m->block points into body. */
int pbft_msg_decode(const suite_t *suite, unsigned type, bl_span_t body, pbft_msg_t *m);

/* ---- the rules the engine decides by, as plain functions (exercises 07 and 08) ----
 *
 * The engine asks these functions, through the two tables below, instead of doing the
 * arithmetic inline: the built-in tables hold the project's own answers (pbft_rules.c), and
 * an exercise's grader puts the student's functions in their place to run a whole cluster with
 * them. Set a table only while no cluster runs (it is shared by every node of the process). */

/* One vote as the engine holds it: sealer `sealer` said "block `hash` at `height` in `view`"
 * (a SignReq or a CommitReq). */
typedef struct {
    uint64_t sealer;   /* the sender's index in the sealer list */
    int64_t height;
    uint64_t view;
    uint8_t hash[32];
} pbft_ballot_t;

/* fisco-2x-facts §2.1: the fault bound, the quorum, the leader and the vote count. */
typedef struct {
    size_t (*faults)(size_t n);                                  /* f = (n - 1) / 3 */
    size_t (*quorum)(size_t n);                                  /* n - f */
    /* the leader's index in view `view` on top of block `highest`: (view + highest) % n */
    uint64_t (*leader)(uint64_t view, int64_t highest, size_t n);
    /* how many distinct sealers (index < n) voted exactly as `want` (height, view, hash) */
    size_t (*count_votes)(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                          const pbft_ballot_t *want);
    /* do those votes reach the quorum? */
    bool (*quorum_reached)(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                           const pbft_ballot_t *want);
} pbft_rules_t;

extern const pbft_rules_t pbft_builtin_rules;
extern pbft_rules_t pbft_rules; /* what the engine uses: pbft_builtin_rules unless a grader set it */

/* fisco-2x-facts §2.5: one sealer's latest ViewChangeReq. */
typedef struct {
    uint64_t sealer;   /* the sender's index in the sealer list */
    uint64_t view;     /* the view it asks for */
    int64_t height;    /* its highest block */
} pbft_view_ask_t;

/* What a sealer knows when it must decide about views: its view timer fired, or a
 * ViewChangeReq arrived (and was checked and kept in asks). */
typedef struct {
    size_t n;                    /* sealers */
    uint64_t me;                 /* my index */
    int64_t tip;                 /* my highest block */
    uint64_t view;               /* the view I am in */
    uint64_t to_view;            /* the view I asked for last (== view: I asked for none) */
    unsigned change_cycle;       /* my view timer fired this many times at this height */
    bool timed_out;              /* true: my view timer fired; false: a ViewChangeReq came */
    const pbft_view_ask_t *asks; /* the latest ViewChangeReq of each sealer that sent one */
    size_t nasks;
} pbft_view_input_t;

/* What to do about it. */
typedef struct {
    uint64_t to_view;            /* the view to ask for / switch to (else: in->to_view) */
    unsigned change_cycle;       /* the new count of timer firings */
    bool ask;                    /* send ViewChangeReq(to_view) to all, re-arm the view timer */
    bool switch_view;            /* n - f sealers asked for to_view: it is my view now */
} pbft_view_decision_t;

typedef struct {
    /* how long the view timer waits: 3000 ms x 1.5^change_cycle (cycle at most 20) */
    uint64_t (*timeout_ms)(unsigned change_cycle);
    void (*decide)(const pbft_view_input_t *in, pbft_view_decision_t *out);
} pbft_view_rules_t;

extern const pbft_view_rules_t pbft_builtin_view_rules;
extern pbft_view_rules_t pbft_view_rules;

#endif
