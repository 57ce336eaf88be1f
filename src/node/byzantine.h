/*
 * byzantine.h — nodes that misbehave, made by wrapping an honest node.
 *
 * PBFT promises safety with up to f = (n − 1) / 3 Byzantine nodes: nodes that may do anything
 * at all. To show it (and to test it) some nodes of a cluster must really misbehave. They are
 * NOT special cases inside the protocol code: a Byzantine node here is an honest node whose
 * outgoing messages pass through a filter that lies, the way a compromised machine would:
 *
 *   BYZ_SILENT    sends nothing at all (a crashed node that still receives)
 *   BYZ_GARBAGE   replaces some of what it sends by random bytes, and adds random messages
 *   BYZ_REPLAY    sends, besides each message, an old message of its own again, to anyone
 *   BYZ_MUTE_TO   stays silent towards half of the cluster only (a split-brain network view)
 *   BYZ_WRONG_STATE  a PBFT sealer that signs another state: its SignReq and CommitReq name a
 *                 block hash other than the one it executed, properly signed with its key
 *   BYZ_EQUIVOCATE   a PBFT leader that proposes two different blocks at once: the odd-numbered
 *                 nodes get a twin of its block (another timestamp, so another hash), properly
 *                 signed — the classic attack PBFT's quorums are built to defeat. Like any
 *                 liar it also votes for both (as BYZ_DOUBLE_VOTE does)
 *   BYZ_DOUBLE_VOTE  a PBFT sealer that tells everyone it agrees: every SignReq or CommitReq it
 *                 receives goes back to its sender as the liar's own, properly signed (its
 *                 honest votes it never sends).
 *                 Alone (f = 1) it changes nothing; with an equivocating leader it is the
 *                 f + 1st Byzantine node, and two honest nodes commit different blocks
 */
#ifndef BL_NODE_BYZANTINE_H
#define BL_NODE_BYZANTINE_H

#include "net/env.h"
#include "node/node.h"

typedef enum {
    BYZ_HONEST = 0,
    BYZ_SILENT,
    BYZ_GARBAGE,
    BYZ_REPLAY,
    BYZ_MUTE_TO,
    BYZ_WRONG_STATE,
    BYZ_EQUIVOCATE,
    BYZ_DOUBLE_VOTE,
} byz_mode_t;

typedef struct {
    const node_config_t *configs; /* one per node, as for node_endpoint_ops */
    const byz_mode_t *modes;      /* one per node */
} byz_cluster_t;

/* Like node_endpoint_ops, with arg a byz_cluster_t: node i misbehaves as modes[i] says. */
extern const endpoint_ops_t byz_endpoint_ops;

/* The node inside a wrapped one (for tests that look at its state). */
node_t *byz_inner(void *wrapped);

/* Change how a running wrapped node behaves from its next message on (the TUI's `b` key). Call
 * it on the node's own thread (threads_call) or between simulator steps. */
void byz_set_mode(void *wrapped, byz_mode_t mode);

/* "honest", "silent", "garbage", "replay", "mute-half", "wrong-state", "equivocate",
 * "double-vote". */
const char *byz_mode_name(byz_mode_t mode);
#define BYZ_MODE_COUNT 8

#endif
