/*
 * node.h — one node: its identity, the peers it admits, and the groups it hosts.
 *
 * Joining a consortium chain takes two admissions (fisco-2x-facts §8):
 *
 *   network admission  a peer is talked to only if its certificate chains up to this chain's
 *                      CA and its node ID is not on the blacklist (nor, when there is a
 *                      whitelist, off it). Nodes show each other their certificates in a Hello
 *                      as soon as they start; a refused peer is told why and then receives
 *                      nothing at all from this node.
 *   group admission    inside the network, a node takes part in a group only if the group's
 *                      _sys_consensus_ table lists it (node/group.h).
 *
 * Every message a node receives names its group in the protocolID of its header (net/frame.h).
 * The node hands it to that group — or drops it, if it does not host that group: a node
 * outside group 2 never sees group 2's blocks, transactions or votes, and refuses questions
 * about it.
 */
#ifndef BL_NODE_NODE_H
#define BL_NODE_NODE_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "ledger/genesis.h"
#include "net/env.h"
#include "node/group.h"
#include "pki/pki.h"

/* Packets of the node's own module (MODULE_NODE, group 0). */
enum { NODE_HELLO = 0, NODE_REFUSED = 1, NODE_HELLO_REPLY = 2 };

#define NODE_HELLO_RETRY_MS 1000 /* Hello again to peers not yet heard from (lost, or down) */

/* Everything a node is started from (the cluster keeps these; a restart reuses them). */
typedef struct {
    const suite_t *suite;
    keypair_t key;                  /* node ID = key.pub */
    const uint8_t (*node_ids)[64];  /* every node of the cluster, by index */
    uint64_t chain_id;
    const genesis_t *groups;        /* the groups this node hosts */
    size_t ngroups;
    /* Network admission. cert == NULL: this node shows no certificate; policy.chain_ca ==
     * NULL: it admits every peer without a look (tests of other things). */
    X509 *cert, *agency_cert;
    pki_policy_t policy;
} node_config_t;

typedef struct node node_t;

/* Start a node on env (a driver's). NULL if a group cannot be opened (bl_errmsg says why). */
node_t *node_new(const node_config_t *cfg, env_t *env);
void node_free(node_t *n);

void node_on_message(node_t *n, unsigned from, const uint8_t *bytes, size_t len);
void node_on_timer(node_t *n, uint32_t id);

/* The group with this id, or NULL — and a refused query (EV_QUERY_REFUSED) — if this node
 * does not host it. */
group_t *node_group(node_t *n, unsigned group);
/* Has this node admitted peer i? Was it refused, and why? */
bool node_admitted(const node_t *n, unsigned peer);
const char *node_refusal(const node_t *n, unsigned peer);
/* What peer i told this node when it refused it ("" if it did not). */
const char *node_refused_by(const node_t *n, unsigned peer);

/* A client's transaction for a group: FISCO's status code, or TX_REQUEST_NOT_BELONG_TO_THE_GROUP
 * when this node does not host the group. */
int node_submit(node_t *n, unsigned group, bl_span_t raw, uint8_t hash[32]);

/* The endpoint a driver drives (net/env.h): arg is an array of node_config_t, one per node. */
extern const endpoint_ops_t node_endpoint_ops;

#endif
