/*
 * cluster.c — reading a chain directory into node configurations (cluster.h).
 *
 * For node i the files are DIR/node<i>/config.ini and, in its conf/ folder, node.key,
 * node.crt, agency.crt, ca.crt and group.<G>.genesis for each group G it is in. The node IDs of
 * all nodes come from their certificates, so a node knows every other node by index and by ID.
 */
#include "node/cluster.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "pki/pki.h"

#define CLUSTER_MAX_NODES 64
#define CLUSTER_MAX_GROUPS 32

/* out = a/b, or BL_E_RANGE if that does not fit. */
static int
join(char *out, size_t cap, const char *a, const char *b)
{
    int len = snprintf(out, cap, "%s/%s", a, b);

    if (len < 0 || (size_t)len >= cap)
        return bl_fail(BL_E_RANGE, "the path %s/%s is too long", a, b);
    return BL_OK;
}

static int
node_dir_exists(const char *dir, unsigned i)
{
    char path[4096];
    struct stat st;

    snprintf(path, sizeof path, "%s/node%u/config.ini", dir, i);
    return stat(path, &st) == 0;
}

static int
compare_genesis(const void *a, const void *b)
{
    return ((const genesis_t *)a)->group_id - ((const genesis_t *)b)->group_id;
}

/* Every conf/group.<G>.genesis of node i, sorted by group id. */
static int
load_groups(const char *conf, genesis_t **out, size_t *n)
{
    DIR *d = opendir(conf);
    struct dirent *e;
    int rc = BL_OK;

    *out = bl_xcalloc(CLUSTER_MAX_GROUPS, sizeof **out);
    *n = 0;
    if (d == NULL)
        return bl_fail(BL_E_IO, "cannot read %s", conf);
    while (rc == BL_OK && (e = readdir(d)) != NULL) {
        char path[4096];
        unsigned gid;
        char tail[16];

        if (sscanf(e->d_name, "group.%u.%15s", &gid, tail) != 2 || strcmp(tail, "genesis") != 0)
            continue;
        if (*n == CLUSTER_MAX_GROUPS) {
            rc = bl_fail(BL_E_RANGE, "%s: more than %d groups", conf, CLUSTER_MAX_GROUPS);
            break;
        }
        rc = join(path, sizeof path, conf, e->d_name);
        if (rc == BL_OK)
            rc = config_genesis_load(path, &(*out)[*n]);
        if (rc == BL_OK)
            (*n)++;
    }
    closedir(d);
    if (rc != BL_OK) {
        for (size_t i = 0; i < *n; i++)
            genesis_free(&(*out)[i]);
        *n = 0;
        return rc;
    }
    qsort(*out, *n, sizeof **out, compare_genesis); /* readdir's order is the disk's */
    return rc;
}

/* Node i's key, certificates and policy. */
static int
load_identity(cluster_t *c, const char *conf, unsigned i)
{
    char cert[4096], key[4096], agency[4096], ca[4096];
    config_node_t *f = &c->files[i];
    node_config_t *cfg = &c->configs[i];
    pki_entity_t me = { 0 };
    int rc;

    if ((rc = join(cert, sizeof cert, conf, f->cert)) != BL_OK ||
        (rc = join(key, sizeof key, conf, f->key)) != BL_OK ||
        (rc = join(agency, sizeof agency, conf, f->agency_cert)) != BL_OK ||
        (rc = join(ca, sizeof ca, conf, f->ca_cert)) != BL_OK ||
        (rc = pki_load(&me, cert, key)) != BL_OK)
        return rc;
    cfg->key = me.key;
    cfg->cert = me.cert; /* kept: freed by cluster_free */
    if ((rc = pki_node_id(me.cert, c->ids[i])) != BL_OK ||
        (rc = pki_load_cert(agency, &cfg->agency_cert)) != BL_OK ||
        (rc = pki_load_cert(ca, &cfg->policy.chain_ca)) != BL_OK)
        return rc;
    cfg->policy.blacklist = (const uint8_t(*)[64])f->blacklist;
    cfg->policy.nblack = f->nblack;
    cfg->policy.whitelist = (const uint8_t(*)[64])f->whitelist;
    cfg->policy.nwhite = f->nwhite;
    return BL_OK;
}

static int
load_node(cluster_t *c, const char *dir, unsigned i)
{
    char path[4096], conf[4096];
    node_config_t *cfg = &c->configs[i];
    size_t ngroups;
    int rc;

    snprintf(path, sizeof path, "%s/node%u/config.ini", dir, i);
    config_node_init(&c->files[i]);
    if ((rc = config_node_load(path, &c->files[i])) != BL_OK)
        return rc;
    snprintf(conf, sizeof conf, "%s/node%u/%s", dir, i, c->files[i].data_path);
    if ((rc = load_identity(c, conf, i)) != BL_OK)
        return rc;
    if ((rc = load_groups(conf, &c->groups[i], &ngroups)) != BL_OK)
        return rc;
    cfg->suite = c->suite;
    cfg->node_ids = (const uint8_t(*)[64])c->ids;
    cfg->chain_id = c->files[i].chain_id;
    cfg->groups = c->groups[i];
    cfg->ngroups = ngroups;
    if (c->files[i].sm_crypto != (c->suite == suite_sm()))
        return bl_fail(BL_E_INVALID, "%s: [chain] sm_crypto differs from node0's", path);
    if (c->files[i].chain_id != c->files[0].chain_id)
        return bl_fail(BL_E_INVALID, "%s: [chain] id %u, but node0 says %u", path,
                       c->files[i].chain_id, c->files[0].chain_id);
    return BL_OK;
}

int
cluster_load(const char *dir, cluster_t *out)
{
    config_node_t first;
    char path[4096];
    unsigned n = 0;
    int rc;

    memset(out, 0, sizeof *out);
    while (n < CLUSTER_MAX_NODES && node_dir_exists(dir, n))
        n++;
    if (n == 0)
        return bl_fail(BL_E_NOTFOUND, "%s has no node0/config.ini: is it a build-chain "
                       "directory?", dir);
    snprintf(path, sizeof path, "%s/node0/config.ini", dir);
    config_node_init(&first);
    rc = config_node_load(path, &first);
    out->suite = first.sm_crypto ? suite_sm() : suite_ecdsa();
    config_node_free(&first);
    if (rc != BL_OK)
        return rc;
    out->n = n;
    out->ids = bl_xcalloc(n, 64);
    out->configs = bl_xcalloc(n, sizeof *out->configs);
    out->files = bl_xcalloc(n, sizeof *out->files);
    out->groups = bl_xcalloc(n, sizeof *out->groups);
    for (unsigned i = 0; i < n && rc == BL_OK; i++)
        rc = load_node(out, dir, i);
    if (rc != BL_OK)
        cluster_free(out);
    return rc;
}

void
cluster_free(cluster_t *c)
{
    for (unsigned i = 0; i < c->n; i++) {
        node_config_t *cfg = &c->configs[i];

        for (size_t g = 0; c->groups[i] != NULL && g < cfg->ngroups; g++)
            genesis_free(&c->groups[i][g]);
        free(c->groups[i]);
        X509_free(cfg->cert);
        X509_free(cfg->agency_cert);
        X509_free(cfg->policy.chain_ca);
        keypair_clear(&cfg->key);
        config_node_free(&c->files[i]);
    }
    free(c->ids);
    free(c->configs);
    free(c->files);
    free(c->groups);
    memset(c, 0, sizeof *c);
}
