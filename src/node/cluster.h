/*
 * cluster.h — the nodes of a chain directory (written by `bcoslab build-chain`), ready to run.
 *
 * build-chain writes, like FISCO's build_chain.sh, one folder per node: its config.ini, its key
 * and certificates, and the genesis and ini file of every group it belongs to. cluster_load
 * reads all of them into the node_config_t each node starts from (node/node.h), checking that
 * the files agree (every node's key matches its certificate, the same chain id everywhere).
 * A driver (net/sim.h or net/threads.h) then runs the nodes with node_endpoint_ops.
 */
#ifndef BL_NODE_CLUSTER_H
#define BL_NODE_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "node/config.h"
#include "node/node.h"

typedef struct {
    unsigned n;                 /* node0 .. node<n-1> */
    const suite_t *suite;
    uint8_t (*ids)[64];         /* node IDs by index */
    node_config_t *configs;     /* what each node starts from */
    config_node_t *files;       /* each node's config.ini */
    genesis_t **groups;         /* groups[i]: node i's groups (configs[i].ngroups of them) */
} cluster_t;

/* Read DIR/node0, DIR/node1, ... (at least one). Errors name the file. */
int cluster_load(const char *dir, cluster_t *out);
void cluster_free(cluster_t *c);

#endif
