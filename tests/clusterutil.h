/*
 * clusterutil.h — a cluster of real nodes (node/node.h) on the simulator, for scenario tests.
 *
 *     cu_cluster_t c;
 *     cu_open(&c, seed, 4);                 4 nodes, keys 0x11.., 0x12.., ...
 *     cu_group(&c, 1, "0,1,2", "0,1,2,3");  group 1: sealers 0,1,2; hosted by 0..3 (3 is free)
 *     cu_start(&c);
 *     cu_submit_users(&c, 0, 1, 5);         node 0 gets 5 DagTransfer userAdd txs for group 1
 *     cu_run_until_height(&c, 1, 2, 10000); until every member of group 1 reaches height 2
 *     cu_close(&c);
 *
 * A failing test prints the seed and writes the trace to cluster-<seed>.trace.
 */
#ifndef BL_TESTS_CLUSTERUTIL_H
#define BL_TESTS_CLUSTERUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/evlog.h"
#include "crypto/key.h"
#include "ledger/genesis.h"
#include "ledger/receipt.h"
#include "net/sim.h"
#include "node/byzantine.h"
#include "node/node.h"

#define CU_MAX_NODES 8
#define CU_MAX_GROUPS 4

typedef struct {
    uint64_t seed;
    unsigned n;
    const suite_t *suite;
    keypair_t keys[CU_MAX_NODES];
    uint8_t ids[CU_MAX_NODES][64];
    genesis_t genesis[CU_MAX_GROUPS];
    size_t ngroups;
    bool hosts[CU_MAX_NODES][CU_MAX_GROUPS];
    genesis_t hosted[CU_MAX_NODES][CU_MAX_GROUPS]; /* shallow copies, per node */
    node_config_t configs[CU_MAX_NODES];
    evlog_t *log;
    sim_t *sim;
    keypair_t client;
    uint64_t next_nonce;
    /* certificates (cu_pki): one chain CA and one agency; a foreign CA for impostors */
    bool pki;
    pki_entity_t ca, agency, foreign_ca, foreign_agency;
    X509 *certs[CU_MAX_NODES];
    X509 *agency_of[CU_MAX_NODES]; /* borrowed: agency.cert or foreign_agency.cert */
    uint8_t blacklist[CU_MAX_NODES][64];
    size_t nblack;
    /* Byzantine nodes (cu_start_byzantine) */
    bool byz;
    byz_mode_t modes[CU_MAX_NODES];
    byz_cluster_t byz_cluster;
    /* If set before cu_start: every link from the very start (the handshake included). */
    bool has_start_link;
    sim_link_t start_link;
} cu_cluster_t;

void cu_open(cu_cluster_t *c, uint64_t seed, unsigned n);
/* Add group id with the sealers and hosting nodes given as comma-separated indices (solo). */
void cu_group(cu_cluster_t *c, unsigned id, const char *sealers, const char *hosts);
/* The same with another consensus_type ("pbft", "raft", "solo"). */
void cu_group_with(cu_cluster_t *c, unsigned id, const char *sealers, const char *hosts,
                   const char *consensus);
/* Give every node a certificate for its key from one chain CA (before cu_start); from then on
 * nodes admit each other only after checking certificates (node/node.h). */
void cu_pki(cu_cluster_t *c);
/* Node i shows a certificate from another chain's CA instead. */
void cu_pki_foreign(cu_cluster_t *c, unsigned i);
/* Every node puts node i on its blacklist ([certificate_blacklist] crl.N). */
void cu_pki_revoke(cu_cluster_t *c, unsigned i);
/* Node i gets a renewed certificate: same key, new serial. */
void cu_pki_renew(cu_cluster_t *c, unsigned i);

/* Make the simulator and start every node. */
void cu_start(cu_cluster_t *c);
/* The same, with node i misbehaving as modes[i] says (node/byzantine.h). */
void cu_start_byzantine(cu_cluster_t *c, const byz_mode_t *modes);
void cu_close(cu_cluster_t *c);

node_t *cu_node(cu_cluster_t *c, unsigned i);
/* Call right after cu_open: the cluster's suite becomes a copy of secp256k1's that counts how
 * many times a sender recovery finds the client's key (cu_client_recoveries), on any node. */
void cu_count_client_recoveries(cu_cluster_t *c);
size_t cu_client_recoveries(void);
/* Height of group g on node i, -1 if node i is down or does not host g. */
int64_t cu_height(cu_cluster_t *c, unsigned i, unsigned g);

/* A signed tx for group g calling sig(args) at precompile address `to` (caller frees raw). */
void cu_tx(cu_cluster_t *c, unsigned g, uint16_t to, const char *sig, const char *const *args,
           size_t nargs, bl_buf_t *raw);
/* Submit k DagTransfer userAdd("u<seq>", 100) txs to node i for group g; each must be TX_OK. */
void cu_submit_users(cu_cluster_t *c, unsigned i, unsigned g, unsigned k);

/* Run until every node in `nodes` (comma-separated; NULL: every node hosting g that is up)
 * has group g at height >= h, or limit_ms of virtual time pass; fails the test (with the
 * seed and a trace) if they do not. */
void cu_run_until_height(cu_cluster_t *c, unsigned g, const char *nodes, int64_t h,
                         uint64_t limit_ms);

/* Fail the test with the seed and the message, after writing the run's trace to
 * cluster-<seed>.trace in the current folder (`bcoslab replay` opens it). */
void cu_fail(cu_cluster_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run until node 0 has committed every tx of hashes[0..n) in group g, then until every node
 * hosting g is at that height. receipts (NULL: not wanted) get each tx's receipt (receipt_free
 * them), numbers (NULL: not wanted) the block it is in. cu_fail, naming how many came and the
 * hint (may be NULL), if it takes longer than limit_ms of virtual time. */
void cu_wait_committed(cu_cluster_t *c, unsigned g, const uint8_t (*hashes)[32], size_t n,
                       receipt_t *receipts, int64_t *numbers, uint64_t limit_ms,
                       const char *hint);
/* Every node is at node 0's height of group g with the same block there (cu_fail if not). */
void cu_assert_tips_agree(cu_cluster_t *c, unsigned g);

/* How many events of kind the log holds (for node i, or -1 for any). */
size_t cu_count_events(cu_cluster_t *c, ev_kind_t kind, int node);

#endif
