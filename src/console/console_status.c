/*
 * console_status.c — the console's questions about the nodes and the group: members, peers,
 * consensus, sync and system config (fisco-2x-facts §10.1; the JSON shapes of §10.2).
 *
 * Membership and config are read from the console's replica of the group's tables (what is in
 * force for the next block: a sealer added by block N shows from then on, and takes part from
 * N+1). What only a node knows — its pool, its peers, its height — is asked of the node itself
 * with world_call. The PBFT view comes from the event log, where the engine reports it.
 */
#include "console/console_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/pc_system.h"
#include "ledger/json.h"
#include "node/group.h"

/* ---- asking a node ---- */

typedef struct {
    unsigned group;
    unsigned nnodes;
    bool ok;
    int64_t height;
    size_t pool;
    bool admitted[WORLD_MAX_NODES];
} node_info_t;

static void
info_on_node(node_t *node, void *arg)
{
    node_info_t *info = arg;
    group_t *g = node != NULL ? node_group(node, info->group) : NULL;

    info->ok = g != NULL;
    if (g == NULL)
        return;
    info->height = group_height(g);
    info->pool = group_pool_size(g);
    for (unsigned i = 0; i < info->nnodes; i++)
        info->admitted[i] = node_admitted(node, i);
}

/* What node i says (ok false if it is down or outside the group). */
static node_info_t
ask_node(console_t *c, unsigned i)
{
    node_info_t info = { .group = c->group, .nnodes = world_nnodes(c->w) };

    if (world_node_up(c->w, i) && world_hosts(c->w, i, c->group - 1))
        world_call(c->w, i, info_on_node, &info);
    return info;
}

static int
entry_or_error(console_t *c, FILE *out)
{
    int i = console_entry_node(c);

    if (i < 0)
        console_error(out, BL_E_NOTFOUND, "no node of group %u is up", c->group);
    return i;
}

static int
cmd_pending(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = entry_or_error(c, out);
    node_info_t info;

    (void)argc, (void)argv, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    info = ask_node(c, (unsigned)i);
    fprintf(out, "%zu\n", info.pool);
    return BL_OK;
}

static int
cmd_total(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int64_t total = 0, failed = 0;
    json_t *j;

    (void)argc, (void)argv, (void)rest;
    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    chain_total_txs(console_replica(c)->chain, &total, &failed);
    j = json_object();
    json_object_set_new(j, "blockNumber", json_integer(console_height(c)));
    json_object_set_new(j, "txSum", json_integer(total));
    json_object_set_new(j, "failedTxSum", json_integer(failed));
    console_print_json(out, j);
    return BL_OK;
}

static json_t *
id_json(const uint8_t id[64])
{
    char hex[129];

    bl_hex_encode(id, 64, hex);
    return json_string(hex);
}

static json_t *
list_json(const pc_node_list_t *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a, json_string(l->ids[i]));
    return a;
}

/* Sealers and observers in force for the next block (the replica's tables). */
static int
members(console_t *c, FILE *out, pc_node_list_t *sealers, pc_node_list_t *observers)
{
    pc_node_list_init(sealers);
    pc_node_list_init(observers);
    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    if (pc_consensus_members(console_replica(c)->db, console_height(c) + 1, sealers,
                             observers) != BL_OK)
        return console_error(out, BL_E_DB, "cannot read _sys_consensus_: %s", bl_errmsg());
    return BL_OK;
}

static int
print_members(console_t *c, FILE *out, bool want_sealers, bool want_observers)
{
    pc_node_list_t s, o;
    int rc = members(c, out, &s, &o);

    if (rc == BL_OK) {
        json_t *a = json_array();

        for (size_t i = 0; want_sealers && i < s.count; i++)
            json_array_append_new(a, json_string(s.ids[i]));
        for (size_t i = 0; want_observers && i < o.count; i++)
            json_array_append_new(a, json_string(o.ids[i]));
        console_print_json(out, a);
    }
    pc_node_list_free(&s);
    pc_node_list_free(&o);
    return rc;
}

static int
cmd_sealers(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    return print_members(c, out, true, false);
}

static int
cmd_observers(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    return print_members(c, out, false, true);
}

static int
cmd_group_peers(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    return print_members(c, out, true, true);
}

/* The entry node's own ID, then every peer it has admitted. */
static int
cmd_node_ids(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = entry_or_error(c, out);
    node_info_t info;
    json_t *a;

    (void)argc, (void)argv, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    info = ask_node(c, (unsigned)i);
    a = json_array();
    json_array_append_new(a, id_json(world_node_id(c->w, (unsigned)i)));
    for (unsigned p = 0; p < world_nnodes(c->w); p++)
        if (p != (unsigned)i && info.admitted[p])
            json_array_append_new(a, id_json(world_node_id(c->w, p)));
    console_print_json(out, a);
    return BL_OK;
}

static int
cmd_peers(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = entry_or_error(c, out);
    node_info_t info;
    json_t *a;

    (void)argc, (void)argv, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    info = ask_node(c, (unsigned)i);
    a = json_array();
    for (unsigned p = 0; p < world_nnodes(c->w); p++) {
        json_t *peer;
        char where[32];

        if (p == (unsigned)i || !info.admitted[p])
            continue;
        peer = json_object();
        snprintf(where, sizeof where, "node%s (in process)", world_node_name(c->w, p));
        json_object_set_new(peer, "IPAndPort", json_string(where));
        json_object_set_new(peer, "nodeId", id_json(world_node_id(c->w, p)));
        json_object_set_new(peer, "Topic", json_array());
        json_array_append_new(a, peer);
    }
    console_print_json(out, a);
    return BL_OK;
}

static int
cmd_group_list(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    json_t *a = json_array();

    (void)argc, (void)argv, (void)rest;
    for (unsigned k = 0; k < world_ngroups(c->w); k++)
        json_array_append_new(a, json_integer(world_group_id(c->w, k)));
    console_print_json(out, a);
    return BL_OK;
}

/* ---- consensus and sync ---- */

void
console_read_log(console_t *c)
{
    ev_t evs[256];
    size_t n;
    uint64_t missed;

    while ((n = evlog_read(world_log(c->w), c->log_seen, evs, 256, &missed)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const ev_t *e = &evs[i];

            if ((e->kind == EV_PBFT_PREPARE || e->kind == EV_PBFT_VIEW_SWITCHED) &&
                e->group >= 1 && e->group <= WORLD_MAX_GROUPS && e->b > c->view[e->group - 1])
                c->view[e->group - 1] = e->b;
            c->log_seen = e->seq;
        }
    }
}

static bool
is_pbft(console_t *c)
{
    return strcmp(world_consensus(c->w, c->group - 1), "pbft") == 0;
}

static int
cmd_pbft_view(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    if (!is_pbft(c))
        return console_error(out, BL_E_INVALID, "group %u runs %s: getPbftView is only for "
                             "PBFT (-40007)", c->group, world_consensus(c->w, c->group - 1));
    console_read_log(c);
    fprintf(out, "%" PRId64 "\n", c->view[c->group - 1]);
    return BL_OK;
}

static int
cmd_consensus_status(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    pc_node_list_t s, o;
    int rc = members(c, out, &s, &o);
    int entry = console_entry_node(c);
    json_t *j;
    char hex[129];

    (void)argc, (void)argv, (void)rest;
    if (rc != BL_OK)
        goto out;
    console_read_log(c);
    j = json_object();
    json_object_set_new(j, "consensusType", json_string(world_consensus(c->w, c->group - 1)));
    json_object_set_new(j, "nodeNum", json_integer((json_int_t)s.count));
    json_object_set_new(j, "maxFaultyNodeNum", json_integer((json_int_t)(s.count - 1) / 3));
    json_object_set_new(j, "consensusedBlockNumber", json_integer(console_height(c)));
    if (entry >= 0) {
        size_t at;

        bl_hex_encode(world_node_id(c->w, (unsigned)entry), 64, hex);
        json_object_set_new(j, "nodeId", json_string(hex));
        json_object_set_new(j, "nodeIndex", json_integer(pc_node_list_find(&s, hex, &at) ?
                                                         (json_int_t)at : -1));
    }
    if (is_pbft(c))
        json_object_set_new(j, "currentView", json_integer(c->view[c->group - 1]));
    json_object_set_new(j, "sealerList", list_json(&s));
    json_object_set_new(j, "observerList", list_json(&o));
    console_print_json(out, j);
out:
    pc_node_list_free(&s);
    pc_node_list_free(&o);
    return rc;
}

static json_t *
hash_at(console_t *c, int64_t n)
{
    uint8_t h[32] = { 0 };

    chain_hash_at(console_replica(c)->chain, n, h);
    return json_hex(h, 32);
}

static int
cmd_sync_status(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int entry = entry_or_error(c, out);
    node_info_t me, peer;
    int64_t highest;
    json_t *j, *peers;

    (void)argc, (void)argv, (void)rest;
    if (entry < 0 || !console_synced(c, out))
        return BL_E_NOTFOUND;
    me = ask_node(c, (unsigned)entry);
    highest = me.height;
    peers = json_array();
    for (unsigned p = 0; p < world_nnodes(c->w); p++) {
        json_t *o;

        if (p == (unsigned)entry || !(peer = ask_node(c, p)).ok)
            continue;
        highest = peer.height > highest ? peer.height : highest;
        o = json_object();
        json_object_set_new(o, "blockNumber", json_integer(peer.height));
        json_object_set_new(o, "genesisHash", hash_at(c, 0));
        json_object_set_new(o, "latestHash", hash_at(c, peer.height));
        json_object_set_new(o, "nodeId", id_json(world_node_id(c->w, p)));
        json_array_append_new(peers, o);
    }
    j = json_object();
    json_object_set_new(j, "blockNumber", json_integer(me.height));
    json_object_set_new(j, "genesisHash", hash_at(c, 0));
    json_object_set_new(j, "isSyncing", json_boolean(highest > me.height));
    json_object_set_new(j, "knownHighestNumber", json_integer(highest));
    json_object_set_new(j, "knownLatestHash", hash_at(c, highest));
    json_object_set_new(j, "latestHash", hash_at(c, me.height));
    json_object_set_new(j, "nodeId", id_json(world_node_id(c->w, (unsigned)entry)));
    json_object_set_new(j, "protocolId", json_integer((json_int_t)c->group << 16 | 1));
    json_object_set_new(j, "txPoolSize", json_integer((json_int_t)me.pool));
    json_object_set_new(j, "peers", peers);
    console_print_json(out, j);
    return BL_OK;
}

static int
cmd_get_config(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    char value[PC_SYSCONFIG_VALUE_MAX + 1];

    (void)argc, (void)rest;
    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    if (!pc_sysconfig_valid(argv[1], "1") && !pc_sysconfig_valid(argv[1], "on") &&
        !pc_sysconfig_valid(argv[1], "100000"))
        return console_error(out, BL_E_NOTFOUND, "'%s' is not a system config key "
                             "(tx_count_limit, tx_gas_limit, consensus_timeout, ...)", argv[1]);
    if (pc_sysconfig_get(console_replica(c)->db, argv[1], console_height(c) + 1, value,
                         sizeof value) != BL_OK)
        return console_error(out, BL_E_NOTFOUND, "%s has no value yet", argv[1]);
    fprintf(out, "%s\n", value);
    return BL_OK;
}

static int
cmd_crypto_type(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    fprintf(out, "%s\n", world_suite(c->w)->kind == SUITE_ECDSA ? "ECDSA (secp256k1, keccak256)"
                                                               : "SM (SM2, SM3)");
    return BL_OK;
}

/* getNodeVersion: what FISCO's getClientVersion answers, for bcoslab. */
static int
cmd_node_version(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    json_t *j = json_object();
    char chain[24];

    (void)argc, (void)argv, (void)rest;
    snprintf(chain, sizeof chain, "%llu", (unsigned long long)world_chain_id(c->w));
    json_object_set_new(j, "Build Type", json_string("bcoslab (a teaching clone, in C)"));
    json_object_set_new(j, "Chain Id", json_string(chain));
    json_object_set_new(j, "FISCO-BCOS Version", json_string("2.9.0"));
    json_object_set_new(j, "Supported Version", json_string("2.9.0"));
    console_print_json(out, j);
    return BL_OK;
}

/* getNodeInfo: the node the console talks to (the first member of the group that is up). */
static int
cmd_node_info(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int i = entry_or_error(c, out);
    char name[24];
    json_t *j;

    (void)argc, (void)argv, (void)rest;
    if (i < 0)
        return BL_E_NOTFOUND;
    j = json_object();
    snprintf(name, sizeof name, "agency%s", world_node_name(c->w, (unsigned)i));
    json_object_set_new(j, "Agency", json_string(name));
    snprintf(name, sizeof name, "node%s", world_node_name(c->w, (unsigned)i));
    json_object_set_new(j, "Node", json_string(name));
    json_object_set_new(j, "NodeID", id_json(world_node_id(c->w, (unsigned)i)));
    json_object_set_new(j, "IPAndPort", json_string("in process"));
    console_print_json(out, j);
    return BL_OK;
}

const console_cmd_t console_status_cmds[] = {
    { "getPendingTxSize", "", "transactions waiting in the node's pool", 0, 0, cmd_pending },
    { "getTotalTransactionCount", "", "transactions in all blocks, and how many failed", 0, 0,
      cmd_total },
    { "getSealerList", "", "the group's sealers (node IDs)", 0, 0, cmd_sealers },
    { "getObserverList", "", "the group's observers (node IDs)", 0, 0, cmd_observers },
    { "getNodeIDList", "", "the node's own ID and its connected peers'", 0, 0, cmd_node_ids },
    { "getGroupPeers", "", "the group's sealers and observers", 0, 0, cmd_group_peers },
    { "getPeers", "", "the peers the node is connected to", 0, 0, cmd_peers },
    { "getGroupList", "", "the groups of the chain", 0, 0, cmd_group_list },
    { "getPbftView", "", "the PBFT view of the group", 0, 0, cmd_pbft_view },
    { "getConsensusStatus", "", "the consensus engine's state", 0, 0, cmd_consensus_status },
    { "getSyncStatus", "", "how high the node and its peers are", 0, 0, cmd_sync_status },
    { "getSystemConfigByKey", "key", "a system config value (tx_count_limit, ...)", 1, 1,
      cmd_get_config },
    
    { "getNodeVersion", "", "the version of FISCO BCOS this chain follows", 0, 0,
      cmd_node_version },
    { "getNodeInfo", "", "the node the console talks to", 0, 0, cmd_node_info },
    { "getCryptoType", "", "the chain's signature and hash algorithms", 0, 0, cmd_crypto_type },
    { NULL, NULL, NULL, 0, 0, NULL },
};
