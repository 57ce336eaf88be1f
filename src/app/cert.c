/*
 * cert.c — `bcoslab cert`: managing the membership of a chain that build-chain wrote.
 *
 *   cert revoke DIR NODEID    put a node on every node's blacklist: [certificate_blacklist]
 *                             crl.N=NODEID in each DIR/nodeI/config.ini. FISCO reads the
 *                             blacklist at start-up, so a running node needs a restart.
 *   cert renew DIR NODE       a new node.crt for the same node.key, signed again by the node's
 *                             agency (DIR/cert/agencyX): the node ID does not change.
 *   cert check DIR A B        would node A admit node B? The same check a node makes when a
 *                             peer connects: B's certificates chain to A's chain CA, and B's
 *                             node ID passes A's blacklist and whitelist.
 */
#include "app/build_chain.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/x509v3.h>

#include "app/cli.h"
#include "base/bytes.h"
#include "base/error.h"
#include "node/config.h"
#include "pki/pki.h"

#define MAX_NODE_DIRS 256
#define MAX_DIR_LEN 3000 /* longest DIR/NODE accepted, so every path fits in 4096 bytes */

/* Format a path; directory arguments are checked for length first (MAX_DIR_LEN), so a path
 * always fits. vsnprintf, not snprintf, as the compiler cannot see that bound. */
/* ---- the node directories of a chain ---- */

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names nodeX under dir that hold a config.ini, sorted; caller frees each and the array. */
static int
list_nodes(const char *dir, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char path[4096];

    *names = NULL;
    *n = 0;
    if (d == NULL)
        return bl_fail(BL_E_IO, "cannot open the chain directory %s", dir);
    while ((e = readdir(d)) != NULL && *n < MAX_NODE_DIRS) {
        cli_pathf(path, sizeof path, "%s/%s/config.ini", dir, e->d_name);
        if (strncmp(e->d_name, "node", 4) != 0 || stat(path, &st) != 0)
            continue;
        *names = bl_xrealloc(*names, (*n + 1) * sizeof **names);
        (*names)[(*n)++] = bl_xstrdup(e->d_name);
    }
    closedir(d);
    if (*n == 0)
        return bl_fail(BL_E_NOTFOUND, "%s holds no nodeI/config.ini; is it a build-chain "
                       "directory?", dir);
    qsort(*names, *n, sizeof **names, compare_names);
    return BL_OK;
}

/* DIR and NODE arguments short enough for every path built from them. */
static int
check_lengths(int argc, char **argv)
{
    size_t total = 0;

    for (int i = 1; i < argc; i++)
        total += strlen(argv[i]);
    if (total > MAX_DIR_LEN)
        return cli_fail(NULL, "the directory and node names are too long (over %d bytes)",
                        MAX_DIR_LEN);
    return CLI_OK;
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* A node's config.ini, read and checked. */
static int
load_node_config(const char *dir, const char *node, config_node_t *cfg)
{
    char path[4096];

    cli_pathf(path, sizeof path, "%s/%s/config.ini", dir, node);
    return config_node_load(path, cfg);
}

/* DIR/NODE/<data_path><file>, as config.ini's [network_security] names it. */
static void
conf_path(char *out, size_t cap, const char *dir, const char *node, const config_node_t *cfg,
          const char *file)
{
    cli_pathf(out, cap, "%s/%s/%s%s", dir, node, cfg->data_path, file);
}

/* ---- cert revoke ---- */

/* Add crl.N=hex to one parsed config.ini unless the ID is there already; 1 if added. */
static int
add_to_blacklist(config_ini_t *ini, const uint8_t id[64], const char *hex)
{
    uint8_t (*ids)[64] = NULL;
    size_t n = 0, next = 0;
    char key[32];
    int err = config_ini_node_ids(ini, "certificate_blacklist", "crl", &ids, &n);

    for (size_t i = 0; err == BL_OK && i < n; i++)
        if (memcmp(ids[i], id, 64) == 0) {
            free(ids);
            return 0;
        }
    free(ids);
    if (err != BL_OK)
        return err;
    do
        snprintf(key, sizeof key, "crl.%zu", next++);
    while (config_ini_find(ini, "certificate_blacklist", key) != NULL);
    config_ini_set(ini, "certificate_blacklist", key, hex);
    return 1;
}

/* Read every config.ini first, so a bad one stops the command before any file changes. */
static int
revoke_everywhere(const char *dir, char **names, size_t n, const uint8_t id[64],
                  const char *hex, size_t *added)
{
    config_ini_t *inis = bl_xcalloc(n, sizeof *inis);
    char path[4096];
    int err = BL_OK, rc;

    *added = 0;
    for (size_t i = 0; i < n && err == BL_OK; i++) {
        cli_pathf(path, sizeof path, "%s/%s/config.ini", dir, names[i]);
        err = config_ini_load(&inis[i], path);
    }
    for (size_t i = 0; i < n && err == BL_OK; i++) {
        if ((rc = add_to_blacklist(&inis[i], id, hex)) < 0)
            err = rc;
        else if (rc == 1 && (err = config_ini_save(&inis[i], inis[i].file)) == BL_OK)
            (*added)++;
    }
    for (size_t i = 0; i < n; i++)
        config_ini_free(&inis[i]);
    free(inis);
    return err;
}

static int
cert_revoke(int argc, char **argv)
{
    uint8_t id[64];
    char hex[129], **names;
    size_t n, added;
    int err;

    if (argc != 3)
        return cli_fail(NULL, "usage: cert revoke DIR NODEID");
    if (check_lengths(2, argv) != CLI_OK)
        return CLI_BAD_INPUT;
    if (bl_hex_decode_fixed(argv[2], id, 64) != BL_OK)
        return cli_fail(NULL, "NODEID wants 128 hex digits (a node.nodeid), not '%.20s...'",
                        argv[2]);
    bl_hex_encode(id, 64, hex);
    if (list_nodes(argv[1], &names, &n) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    err = revoke_everywhere(argv[1], names, n, id, hex, &added);
    free_names(names, n);
    if (err != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    printf("node %.8s... is on the blacklist of all %zu nodes (%zu config.ini changed); "
           "restart them to apply\n", hex, n, added);
    return CLI_OK;
}

/* ---- cert renew ---- */

/* The agency that issued node's certificate, from DIR/cert/<its CN>/. */
static int
load_issuing_agency(const char *dir, const char *agency_crt, X509 *node_cert,
                    pki_entity_t *agency)
{
    X509 *shown = NULL;
    char name[128], crt[4096], key[4096];
    int err = pki_load_cert(agency_crt, &shown);

    if (err != BL_OK)
        return err;
    pki_cert_name(shown, name, sizeof name);
    X509_free(shown);
    if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
        return bl_fail(BL_E_FORMAT, "%s names no usable agency ('%s')", agency_crt, name);
    cli_pathf(crt, sizeof crt, "%s/cert/%s/agency.crt", dir, name);
    cli_pathf(key, sizeof key, "%s/cert/%s/agency.key", dir, name);
    if ((err = pki_load(agency, crt, key)) != BL_OK)
        return err;
    if (X509_check_issued(agency->cert, node_cert) != X509_V_OK) {
        pki_entity_free(agency);
        return bl_fail(BL_E_INVALID, "the node certificate was not issued by %s", crt);
    }
    return BL_OK;
}

static int
renew_node(const char *dir, const char *node, char hex[129])
{
    config_node_t cfg;
    pki_entity_t me = { 0 }, agency = { 0 };
    char crt[4096], key[4096], agency_crt[4096];
    int err;

    if ((err = load_node_config(dir, node, &cfg)) != BL_OK)
        return err;
    conf_path(crt, sizeof crt, dir, node, &cfg, cfg.cert);
    conf_path(key, sizeof key, dir, node, &cfg, cfg.key);
    conf_path(agency_crt, sizeof agency_crt, dir, node, &cfg, cfg.agency_cert);
    if ((err = pki_load(&me, crt, key)) != BL_OK ||
        (err = load_issuing_agency(dir, agency_crt, me.cert, &agency)) != BL_OK ||
        (err = pki_renew(&agency, &me, PKI_DEFAULT_DAYS)) != BL_OK ||
        (err = pki_save_cert(me.cert, crt)) != BL_OK)
        goto out;
    err = pki_node_id_hex(me.cert, hex);
out:
    pki_entity_free(&agency);
    pki_entity_free(&me);
    config_node_free(&cfg);
    return err;
}

static int
cert_renew(int argc, char **argv)
{
    char hex[129];

    if (argc != 3)
        return cli_fail(NULL, "usage: cert renew DIR NODE");
    if (check_lengths(argc, argv) != CLI_OK)
        return CLI_BAD_INPUT;
    if (renew_node(argv[1], argv[2], hex) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    printf("%s: new node.crt, same node ID %s\n", argv[2], hex);
    return CLI_OK;
}

/* ---- cert check ---- */

/* What B shows when it connects: its node and agency certificates. */
static int
load_peer(const char *dir, const char *node, X509 **node_cert, X509 **agency_cert)
{
    config_node_t cfg;
    char path[4096];
    int err = load_node_config(dir, node, &cfg);

    if (err != BL_OK)
        return err;
    conf_path(path, sizeof path, dir, node, &cfg, cfg.cert);
    err = pki_load_cert(path, node_cert);
    conf_path(path, sizeof path, dir, node, &cfg, cfg.agency_cert);
    if (err == BL_OK)
        err = pki_load_cert(path, agency_cert);
    config_node_free(&cfg);
    return err;
}

static void
print_admitted(const char *a, const char *b, X509 *node_cert, X509 *agency_cert,
               const config_node_t *cfg)
{
    char hex[129] = "", agency[128];

    pki_node_id_hex(node_cert, hex);
    pki_cert_name(agency_cert, agency, sizeof agency);
    printf("%s admits %s: its certificate chains to %s's chain CA through %s, and node %.8s... "
           "is not on the blacklist (%zu %s) and %s\n", a, b, a, agency, hex, cfg->nblack,
           cfg->nblack == 1 ? "entry" : "entries",
           cfg->nwhite ? "is on the whitelist" : "the whitelist is empty");
}

/* 0 admitted, 1 refused (like grep: the answer is in the exit status too), 2 bad input. */
static int
cert_check(int argc, char **argv)
{
    config_node_t cfg;
    X509 *ca = NULL, *node_cert = NULL, *agency_cert = NULL;
    char path[4096];
    pki_policy_t policy;
    int err, rc = CLI_OK;

    if (argc != 4)
        return cli_fail(NULL, "usage: cert check DIR NODE_A NODE_B");
    if (check_lengths(argc, argv) != CLI_OK)
        return CLI_BAD_INPUT;
    if (load_node_config(argv[1], argv[2], &cfg) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    conf_path(path, sizeof path, argv[1], argv[2], &cfg, cfg.ca_cert);
    if ((err = pki_load_cert(path, &ca)) == BL_OK)
        err = load_peer(argv[1], argv[3], &node_cert, &agency_cert);
    if (err == BL_OK) {
        policy = (pki_policy_t){ ca, (const uint8_t(*)[64])cfg.blacklist, cfg.nblack,
                                 (const uint8_t(*)[64])cfg.whitelist, cfg.nwhite };
        err = pki_admit(&policy, node_cert, agency_cert);
    }
    if (err == BL_OK)
        print_admitted(argv[2], argv[3], node_cert, agency_cert, &cfg);
    else if (err == BL_E_DENIED)
        printf("%s refuses %s: %s\n", argv[2], argv[3], bl_errmsg());
    else
        rc = cli_fail(NULL, "%s", bl_errmsg());
    if (err == BL_E_DENIED)
        rc = 1;
    X509_free(ca);
    X509_free(node_cert);
    X509_free(agency_cert);
    config_node_free(&cfg);
    return rc;
}

static const cli_command_t cert_commands[] = {
    { .name = "revoke", .args = "DIR NODEID", .run = cert_revoke,
      .summary = "put a node on every node's blacklist ([certificate_blacklist] crl.N)",
      .help = "DIR is a build-chain directory; NODEID is 128 hex digits (a conf/node.nodeid).\n"
              "Adds crl.N=NODEID to each DIR/nodeI/config.ini that lacks it. FISCO reads the\n"
              "blacklist when a node starts: restart the nodes to apply it.\n" },
    { .name = "renew", .args = "DIR NODE", .run = cert_renew,
      .summary = "a new node.crt for NODE's node.key, signed by its agency: same node ID",
      .help = "NODE is a node directory's name (node2). The agency is found from the node's\n"
              "conf/agency.crt in DIR/cert/agencyX/, whose agency.key signs the new certificate.\n"
              "example: bcoslab cert renew nodes node2\n" },
    { .name = "check", .args = "DIR NODE_A NODE_B", .run = cert_check,
      .summary = "would NODE_A admit NODE_B? prints the answer and why",
      .help = "Runs a node's admission check: NODE_B's node.crt and agency.crt must chain to\n"
              "NODE_A's ca.crt, and NODE_B's node ID must pass NODE_A's blacklist and (if not\n"
              "empty) whitelist. Exits 0 when admitted, 1 when refused, 2 on bad input.\n"
              "example: bcoslab cert check nodes node0 node3\n" },
    { .name = NULL },
};

int
cert_main(int argc, char **argv)
{
    return cli_dispatch("cert", cert_commands, argc - 1, argv + 1);
}
