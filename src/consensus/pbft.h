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

#endif
