/*
 * config_views.c — the typed views of the three files a node reads: config.ini
 * (config_node_t), group.N.genesis (the ledger's genesis_t) and group.N.ini (config_group_t).
 *
 * Each view has defaults (build_chain.sh's), a reader that checks every value it knows and
 * leaves the defaults where a key is absent, and a writer that puts the values back with a
 * comment for the student who opens the file. Keys a view does not know are ignored on reading,
 * as FISCO does.
 */
#include "node/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"

/* Load path, hand it to from_ini, free it. */
static int
load_view(const char *path, int (*from_ini)(const config_ini_t *, void *), void *view)
{
    config_ini_t ini;
    int err = config_ini_load(&ini, path);

    if (err == BL_OK)
        err = from_ini(&ini, view);
    config_ini_free(&ini);
    return err;
}

/* ---- config.ini ---- */

void
config_node_init(config_node_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_ip, sizeof c->listen_ip, "127.0.0.1");
    c->listen_port = 30300;
    c->chain_id = 1;
    snprintf(c->data_path, sizeof c->data_path, "conf/");
    snprintf(c->key, sizeof c->key, "node.key");
    snprintf(c->cert, sizeof c->cert, "node.crt");
    snprintf(c->ca_cert, sizeof c->ca_cert, "ca.crt");
    snprintf(c->agency_cert, sizeof c->agency_cert, "agency.crt");
}

void
config_node_free(config_node_t *c)
{
    for (size_t i = 0; i < c->npeers; i++)
        free(c->peers[i]);
    free(c->peers);
    free(c->blacklist);
    free(c->whitelist);
    c->peers = NULL;
    c->blacklist = c->whitelist = NULL;
    c->npeers = c->nblack = c->nwhite = 0;
}

void
config_node_add_peer(config_node_t *c, const char *ip_port)
{
    c->peers = bl_xrealloc(c->peers, (c->npeers + 1) * sizeof *c->peers);
    c->peers[c->npeers++] = bl_xstrdup(ip_port);
}

/* [p2p] node.N = host:port, with a port from 1 to 65535. */
static int
read_peers(const config_ini_t *ini, config_node_t *c)
{
    const config_section_t *s = config_ini_section(ini, "p2p");

    for (size_t i = 0; s && i < s->n; i++) {
        const config_entry_t *e = &s->entries[i];
        const char *colon;
        char *end;
        unsigned long port;

        if (e->key == NULL || !config_key_is_numbered(e->key, "node"))
            continue;
        colon = strrchr(e->value, ':');
        port = colon ? strtoul(colon + 1, &end, 10) : 0;
        if (colon == NULL || colon == e->value || !isdigit((unsigned char)colon[1]) ||
            *end != '\0' || port < 1 || port > 65535)
            return config_ini_bad_value(ini, "p2p", e, "wants host:port");
        config_node_add_peer(c, e->value);
    }
    return BL_OK;
}

static int
node_from_ini(const config_ini_t *ini, config_node_t *c)
{
    uint64_t port = c->listen_port, chain = c->chain_id;
    int err;

    if ((err = config_ini_str(ini, "p2p", "listen_ip", c->listen_ip, sizeof c->listen_ip)) ||
        (err = config_ini_uint(ini, "p2p", "listen_port", 1, 65535, &port)) ||
        (err = read_peers(ini, c)) ||
        (err = config_ini_node_ids(ini, "certificate_blacklist", "crl", &c->blacklist,
                                   &c->nblack)) ||
        (err = config_ini_node_ids(ini, "certificate_whitelist", "cal", &c->whitelist,
                                   &c->nwhite)) ||
        (err = config_ini_uint(ini, "chain", "id", 0, UINT32_MAX, &chain)) ||
        (err = config_ini_bool(ini, "chain", "sm_crypto", &c->sm_crypto)) ||
        (err = config_ini_str(ini, "network_security", "data_path", c->data_path,
                              sizeof c->data_path)) ||
        (err = config_ini_str(ini, "network_security", "key", c->key, sizeof c->key)) ||
        (err = config_ini_str(ini, "network_security", "cert", c->cert, sizeof c->cert)) ||
        (err = config_ini_str(ini, "network_security", "ca_cert", c->ca_cert,
                              sizeof c->ca_cert)) ||
        (err = config_ini_str(ini, "network_security", "agency_cert", c->agency_cert,
                              sizeof c->agency_cert)))
        return err;
    c->listen_port = (unsigned)port;
    c->chain_id = (unsigned)chain;
    return BL_OK;
}

int
config_node_from_ini(const config_ini_t *ini, config_node_t *c)
{
    int err;

    config_node_init(c);
    if ((err = node_from_ini(ini, c)) != BL_OK)
        config_node_free(c);
    return err;
}

void
config_node_to_ini(const config_node_t *c, config_ini_t *ini)
{
    char key[32];

    config_ini_comment(ini, "p2p", "; where this node listens, and the nodes it dials");
    config_ini_set(ini, "p2p", "listen_ip", c->listen_ip);
    config_ini_set_uint(ini, "p2p", "listen_port", c->listen_port);
    for (size_t i = 0; i < c->npeers; i++) {
        snprintf(key, sizeof key, "node.%zu", i);
        config_ini_set(ini, "p2p", key, c->peers[i]);
    }
    config_ini_comment(ini, "certificate_blacklist",
                       "; crl.N=<node ID>: nodes refused even with a valid certificate");
    config_ini_set_node_ids(ini, "certificate_blacklist", "crl", (const uint8_t(*)[64])c->blacklist,
                 c->nblack);
    config_ini_comment(ini, "certificate_whitelist",
                       "; cal.N=<node ID>: if any, only these nodes are admitted");
    config_ini_set_node_ids(ini, "certificate_whitelist", "cal", (const uint8_t(*)[64])c->whitelist,
                 c->nwhite);
    config_ini_set(ini, "group", "group_data_path", "data/");
    config_ini_set(ini, "group", "group_config_path", "conf/");
    config_ini_comment(ini, "network_security",
                       "; the node's key and certificates (agency_cert is bcoslab's: FISCO "
                       "appends it to node.crt)");
    config_ini_set(ini, "network_security", "data_path", c->data_path);
    config_ini_set(ini, "network_security", "key", c->key);
    config_ini_set(ini, "network_security", "cert", c->cert);
    config_ini_set(ini, "network_security", "ca_cert", c->ca_cert);
    config_ini_set(ini, "network_security", "agency_cert", c->agency_cert);
    config_ini_set_uint(ini, "chain", "id", c->chain_id);
    config_ini_set(ini, "chain", "sm_crypto", c->sm_crypto ? "true" : "false");
}

static int
node_from_ini_view(const config_ini_t *ini, void *view)
{
    return config_node_from_ini(ini, view);
}

int
config_node_load(const char *path, config_node_t *c)
{
    config_node_init(c);
    return load_view(path, node_from_ini_view, c);
}

int
config_node_save(const config_node_t *c, const char *path)
{
    config_ini_t ini;
    int err;

    config_ini_init(&ini, path);
    config_node_to_ini(c, &ini);
    err = config_ini_save(&ini, path);
    config_ini_free(&ini);
    return err;
}

/* ---- group.N.genesis ---- */

static int
genesis_required(const config_ini_t *ini, genesis_t *g)
{
    if (config_ini_find(ini, "group", "id") == NULL)
        return bl_fail(BL_E_FORMAT, "%s: [group] id is missing", ini->file);
    if (g->nsealers == 0)
        return bl_fail(BL_E_FORMAT, "%s: [consensus] names no sealer (node.0=<node ID>)",
                       ini->file);
    return BL_OK;
}

static int
genesis_from_ini(const config_ini_t *ini, genesis_t *g)
{
    static const char *const consensus[] = { "pbft", "raft", "solo", NULL };
    static const char *const states[] = { "storage", "mpt", NULL };
    uint64_t id = 1, ts = 0;
    bool free_storage = false;
    int err;

    if ((err = config_ini_choice(ini, "consensus", "consensus_type", consensus, g->consensus_type,
                           sizeof g->consensus_type)) ||
        (err = config_ini_uint(ini, "consensus", "max_trans_num", 1, UINT32_MAX,
                               &g->max_trans_num)) ||
        (err = config_ini_uint(ini, "consensus", "consensus_timeout", 1, 3600,
                               &g->consensus_timeout)) ||
        (err = config_ini_node_ids(ini, "consensus", "node", &g->sealers, &g->nsealers)) ||
        (err = config_ini_choice(ini, "state", "type", states, g->state_type,
                           sizeof g->state_type)) ||
        (err = config_ini_uint(ini, "tx", "gas_limit", 1, UINT64_MAX, &g->tx_gas_limit)) ||
        (err = config_ini_uint(ini, "group", "id", 1, 32767, &id)) ||
        (err = config_ini_uint(ini, "group", "timestamp", 0, INT64_MAX, &ts)) ||
        (err = config_ini_bool(ini, "evm", "enable_free_storage", &free_storage)) ||
        (err = genesis_required(ini, g)))
        return err;
    g->group_id = (int)id;
    g->timestamp = (int64_t)ts;
    g->evm_flags = free_storage ? 1u : 0u;
    return BL_OK;
}

int
config_genesis_from_ini(const config_ini_t *ini, genesis_t *g)
{
    int err;

    genesis_init(g, 1);
    if ((err = genesis_from_ini(ini, g)) != BL_OK)
        genesis_free(g);
    return err;
}

void
config_genesis_to_ini(const genesis_t *g, config_ini_t *ini)
{
    config_ini_comment(ini, "consensus", "; pbft, raft or solo; node.N are the founding sealers");
    config_ini_set(ini, "consensus", "consensus_type", g->consensus_type);
    config_ini_set_uint(ini, "consensus", "max_trans_num", g->max_trans_num);
    config_ini_set_uint(ini, "consensus", "consensus_timeout", g->consensus_timeout);
    config_ini_set_node_ids(ini, "consensus", "node", (const uint8_t(*)[64])g->sealers, g->nsealers);
    config_ini_comment(ini, "state", "; storage (table rows) or mpt (Merkle Patricia Trie)");
    config_ini_set(ini, "state", "type", g->state_type);
    config_ini_set_uint(ini, "tx", "gas_limit", g->tx_gas_limit);
    config_ini_set_uint(ini, "group", "id", (uint64_t)g->group_id);
    config_ini_set_uint(ini, "group", "timestamp", (uint64_t)g->timestamp);
    config_ini_set(ini, "evm", "enable_free_storage", (g->evm_flags & 1u) ? "true" : "false");
}

static int
genesis_from_ini_view(const config_ini_t *ini, void *view)
{
    return config_genesis_from_ini(ini, view);
}

int
config_genesis_load(const char *path, genesis_t *g)
{
    genesis_init(g, 1);
    return load_view(path, genesis_from_ini_view, g);
}

int
config_genesis_save(const genesis_t *g, const char *path)
{
    config_ini_t ini;
    int err;

    config_ini_init(&ini, path);
    config_ini_comment(&ini, "", "; group genesis: the same file on every node, never changed");
    config_genesis_to_ini(g, &ini);
    err = config_ini_save(&ini, path);
    config_ini_free(&ini);
    return err;
}

/* ---- group.N.ini ---- */

void
config_group_init(config_group_t *c)
{
    memset(c, 0, sizeof *c);
    c->ttl = 2;
    c->min_block_generation_time = 500;
    snprintf(c->storage_type, sizeof c->storage_type, "rocksdb");
    c->txpool_limit = 150000;
    c->txs_expiration_time = 600;
    c->idle_wait_ms = 200;
}

int
config_group_from_ini(const config_ini_t *ini, config_group_t *c)
{
    static const char *const storages[] = { "memory", "rocksdb", "sqlite", NULL };
    uint64_t ttl;
    int err;

    config_group_init(c);
    ttl = c->ttl;
    if ((err = config_ini_uint(ini, "consensus", "ttl", 1, 64, &ttl)) ||
        (err = config_ini_uint(ini, "consensus", "min_block_generation_time", 0, 3600000,
                               &c->min_block_generation_time)) ||
        (err = config_ini_choice(ini, "storage", "type", storages, c->storage_type,
                           sizeof c->storage_type)) ||
        (err = config_ini_uint(ini, "tx_pool", "limit", 1, 100000000, &c->txpool_limit)) ||
        (err = config_ini_uint(ini, "tx_pool", "txs_expiration_time", 1, 31536000,
                               &c->txs_expiration_time)) ||
        (err = config_ini_uint(ini, "sync", "idle_wait_ms", 1, 3600000, &c->idle_wait_ms)))
        return err;
    c->ttl = (unsigned)ttl;
    return BL_OK;
}

void
config_group_to_ini(const config_group_t *c, config_ini_t *ini)
{
    config_ini_set_uint(ini, "consensus", "ttl", c->ttl);
    config_ini_comment(ini, "consensus", "; the least time between two blocks, in ms");
    config_ini_set_uint(ini, "consensus", "min_block_generation_time", c->min_block_generation_time);
    config_ini_comment(ini, "storage", "; memory, rocksdb or sqlite");
    config_ini_set(ini, "storage", "type", c->storage_type);
    config_ini_set_uint(ini, "tx_pool", "limit", c->txpool_limit);
    config_ini_comment(ini, "tx_pool", "; seconds a transaction may wait in the pool");
    config_ini_set_uint(ini, "tx_pool", "txs_expiration_time", c->txs_expiration_time);
    config_ini_set_uint(ini, "sync", "idle_wait_ms", c->idle_wait_ms);
}

static int
group_from_ini_view(const config_ini_t *ini, void *view)
{
    return config_group_from_ini(ini, view);
}

int
config_group_load(const char *path, config_group_t *c)
{
    config_group_init(c);
    return load_view(path, group_from_ini_view, c);
}

int
config_group_save(const config_group_t *c, const char *path)
{
    config_ini_t ini;
    int err;

    config_ini_init(&ini, path);
    config_group_to_ini(c, &ini);
    err = config_ini_save(&ini, path);
    config_ini_free(&ini);
    return err;
}
