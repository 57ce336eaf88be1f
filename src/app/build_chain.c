/*
 * build_chain.c — `bcoslab build-chain`: found a chain on disk, like FISCO's build_chain.sh.
 *
 * What a consortium needs before its first block is paperwork: a chain CA, one certificate per
 * member organisation (agency) signed by it, one certificate per node signed by its agency, and
 * for every node its config.ini and the genesis and ini files of the groups it belongs to. This
 * command writes all of it:
 *
 *   DIR/cert/ca.crt, ca.key                  the chain CA (kept by the committee)
 *   DIR/cert/agencyA/agency.crt, agency.key  one folder per agency (A, B, C, ...)
 *   DIR/nodeI/config.ini                     ports, peers, black/white lists, chain, crypto
 *   DIR/nodeI/conf/ca.crt, agency.crt, node.crt, node.key, node.nodeid
 *   DIR/nodeI/conf/group.G.genesis, group.G.ini    for every group G the node is in
 *
 * Nodes are shared out among the agencies in order (with 4 nodes and 3 agencies: A has node0
 * and node1, B node2, C node3). Group 1 holds every node; each further group holds the nodes
 * of the first two agencies — the course's scenario, where A, B and C share group 1 and A and
 * B open group 2 for business of their own. The sealers of a group are all its nodes.
 */
#include "app/build_chain.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>

#include "app/cli.h"
#include "base/error.h"
#include "node/config.h"
#include "pki/pki.h"

#define MAX_NODES 64
#define MAX_GROUPS 16
#define MAX_AGENCIES 26
#define P2P_PORT 30300
#define MAX_DIR_LEN 3000 /* longest DIR accepted, so every path fits in 4096 bytes */

const char build_chain_help[] =
    "-n/--nodes N (1..64, default 4), -g/--groups G (1..16, default 1), -o/--output DIR\n"
    "(default nodes),\n"
    "--agencies K (1..26, at most N; default 3, or N if fewer), --sm for an SM chain (SM2\n"
    "keys, SM3 signatures), --consensus pbft|raft|solo (default pbft; a list like pbft,raft\n"
    "gives group 1 PBFT, group 2 and later Raft), --storage\n"
    "memory|rocksdb|sqlite (default rocksdb). DIR must be empty or absent.\n"
    "Group 1 holds every node; groups 2..G hold the nodes of the first two agencies.\n"
    "Prints one line per node: its name, agency, groups and node ID.\n"
    "example: bcoslab build-chain -n 4 -g 2 -o nodes\n";

typedef struct {
    unsigned nodes, groups, agencies;
    const char *dir;
    bool sm;
    const char *consensus;
    const char *storage;
} chain_opts_t;

/* Everything made in memory before anything is written. */
typedef struct {
    const chain_opts_t *o;
    pki_entity_t ca;
    pki_entity_t agency[MAX_AGENCIES];
    pki_entity_t node[MAX_NODES];
    int64_t timestamp_ms;
} chain_t;

static const struct option chain_options[] = {
    { "nodes", required_argument, NULL, 'n' },
    { "groups", required_argument, NULL, 'g' },
    { "output", required_argument, NULL, 'o' },
    { "sm", no_argument, NULL, 's' },
    { "consensus", required_argument, NULL, 'c' },
    { "storage", required_argument, NULL, 't' },
    { "agencies", required_argument, NULL, 'a' },
    { NULL, 0, NULL, 0 },
};

static int
parse_word(const char *opt, const char *text, const char *const *words, const char **out)
{
    for (size_t i = 0; words[i]; i++)
        if (strcmp(text, words[i]) == 0) {
            *out = words[i];
            return CLI_OK;
        }
    return cli_fail(NULL, "--%s wants %s|%s|%s, not '%s'", opt, words[0], words[1], words[2],
                    text);
}

/* "pbft" or "pbft,raft,...": every word must be a consensus type. Group g gets the g-th word,
 * and the last word goes on for the groups after it. */
static int
parse_consensus_list(const char *text, const char *const *words, const char **out)
{
    const char *p = text;

    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        bool known = false;

        for (size_t i = 0; words[i] && !known; i++)
            known = strlen(words[i]) == len && strncmp(p, words[i], len) == 0;
        if (!known)
            break;
        p += len + (p[len] == ',');
    }
    if (*p != '\0' || *text == '\0' || text[strlen(text) - 1] == ',')
        return cli_fail(NULL, "--consensus wants pbft|raft|solo, not '%s' (or a list like "
                        "pbft,raft)", text);
    *out = text;
    return CLI_OK;
}

/* Group g's word of the --consensus list (see parse_consensus_list). */
static void
consensus_of(const char *list, unsigned g, char *out, size_t size)
{
    const char *p = list;

    for (unsigned k = 1; k < g && strchr(p, ',') != NULL; k++)
        p = strchr(p, ',') + 1;
    snprintf(out, size, "%.*s", (int)strcspn(p, ","), p);
}

static int
parse_option(int opt, chain_opts_t *o, bool *agencies_given)
{
    static const char *const consensus[] = { "pbft", "raft", "solo", NULL };
    static const char *const storage[] = { "memory", "rocksdb", "sqlite", NULL };

    switch (opt) {
    case 'n': return cli_parse_uint("nodes (-n)", optarg, 1, MAX_NODES, &o->nodes);
    case 'g': return cli_parse_uint("groups (-g)", optarg, 1, MAX_GROUPS, &o->groups);
    case 'o': o->dir = optarg; return CLI_OK;
    case 's': o->sm = true; return CLI_OK;
    case 'c': return parse_consensus_list(optarg, consensus, &o->consensus);
    case 't': return parse_word("storage", optarg, storage, &o->storage);
    case 'a':
        *agencies_given = true;
        return cli_parse_uint("agencies", optarg, 1, MAX_AGENCIES, &o->agencies);
    default:
        return cli_fail(NULL, "unknown option; see --help");
    }
}

static int
parse_chain_opts(int argc, char **argv, chain_opts_t *o)
{
    bool agencies_given = false;
    int opt, rc = CLI_OK;

    *o = (chain_opts_t){ 4, 1, 3, "nodes", false, "pbft", "rocksdb" };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "+n:g:o:", chain_options, NULL)) != -1) {
        if (opt == '?' || opt == ':')
            return cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                            argv[optind - 1]);
        rc = parse_option(opt, o, &agencies_given);
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    if (strlen(o->dir) > MAX_DIR_LEN || o->dir[0] == '\0')
        return cli_fail(NULL, "-o wants a directory name of 1 to %d bytes", MAX_DIR_LEN);
    if (!agencies_given && o->agencies > o->nodes)
        o->agencies = o->nodes;
    if (o->agencies > o->nodes)
        return cli_fail(NULL, "--agencies %u is more than the %u nodes: every agency needs a node",
                        o->agencies, o->nodes);
    return CLI_OK;
}

/* ---- who is where ---- */

static unsigned
agency_of(const chain_opts_t *o, unsigned node)
{
    return node * o->agencies / o->nodes;
}

static bool
in_group(const chain_opts_t *o, unsigned node, unsigned group)
{
    return group == 1 || agency_of(o, node) < 2;
}

/* Format a path; directory arguments are checked for length first (MAX_DIR_LEN), so a path
 * always fits. vsnprintf, not snprintf, as the compiler cannot see that bound. */
/* ---- the output directory ---- */

static bool
dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    bool empty = true;

    if (d == NULL)
        return false;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int
make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return bl_fail(BL_E_IO, "cannot create directory %s: %s", path, strerror(errno));
    return BL_OK;
}

/* mkdir -p: DIR and any missing parents. */
static int
make_dirs(const char *path)
{
    char *p = bl_xstrdup(path);
    int err = BL_OK;

    for (char *slash = strchr(p + 1, '/'); slash && err == BL_OK; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        err = make_dir(p);
        *slash = '/';
    }
    if (err == BL_OK)
        err = make_dir(p);
    free(p);
    return err;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    return ftw->level > 0 ? remove(path) : 0;
}

/* ---- writing ---- */

static int
save_key_private(const pki_entity_t *e, const char *crt, const char *key)
{
    int err = pki_save(e, crt, key);

    if (err == BL_OK && chmod(key, 0600) != 0)
        err = bl_fail(BL_E_IO, "cannot restrict %s to its owner", key);
    return err;
}

static int
write_cert_dir(const chain_t *c)
{
    char path[4096], key[4096];
    int err;

    cli_pathf(path, sizeof path, "%s/cert", c->o->dir);
    if ((err = make_dir(path)) != BL_OK)
        return err;
    cli_pathf(path, sizeof path, "%s/cert/ca.crt", c->o->dir);
    cli_pathf(key, sizeof key, "%s/cert/ca.key", c->o->dir);
    if ((err = save_key_private(&c->ca, path, key)) != BL_OK)
        return err;
    for (unsigned a = 0; a < c->o->agencies && err == BL_OK; a++) {
        cli_pathf(path, sizeof path, "%s/cert/agency%c", c->o->dir, 'A' + a);
        if ((err = make_dir(path)) != BL_OK)
            break;
        cli_pathf(path, sizeof path, "%s/cert/agency%c/agency.crt", c->o->dir, 'A' + a);
        cli_pathf(key, sizeof key, "%s/cert/agency%c/agency.key", c->o->dir, 'A' + a);
        err = save_key_private(&c->agency[a], path, key);
    }
    return err;
}

static int
write_config_ini(const chain_t *c, unsigned i, const char *path)
{
    config_node_t cfg;
    char peer[64];
    int err;

    config_node_init(&cfg);
    cfg.listen_port = P2P_PORT + i;
    cfg.sm_crypto = c->o->sm;
    for (unsigned j = 0; j < c->o->nodes; j++) {
        snprintf(peer, sizeof peer, "127.0.0.1:%u", P2P_PORT + j);
        config_node_add_peer(&cfg, peer);
    }
    err = config_node_save(&cfg, path);
    config_node_free(&cfg);
    return err;
}

static int
write_group_files(const chain_t *c, unsigned g, const char *conf)
{
    char path[4096];
    genesis_t gen;
    config_group_t grp;
    int err;

    genesis_init(&gen, (int)g);
    consensus_of(c->o->consensus, g, gen.consensus_type, sizeof gen.consensus_type);
    gen.timestamp = c->timestamp_ms;
    for (unsigned j = 0; j < c->o->nodes; j++)
        if (in_group(c->o, j, g))
            genesis_add_sealer(&gen, c->node[j].key.pub);
    cli_pathf(path, sizeof path, "%s/group.%u.genesis", conf, g);
    err = config_genesis_save(&gen, path);
    genesis_free(&gen);
    if (err != BL_OK)
        return err;
    config_group_init(&grp);
    snprintf(grp.storage_type, sizeof grp.storage_type, "%s", c->o->storage);
    cli_pathf(path, sizeof path, "%s/group.%u.ini", conf, g);
    return config_group_save(&grp, path);
}

static int
write_node(const chain_t *c, unsigned i)
{
    char node[4096], conf[4096], a[4096], b[4096], hex[131];
    int err;

    cli_pathf(node, sizeof node, "%s/node%u", c->o->dir, i);
    cli_pathf(conf, sizeof conf, "%s/conf", node);
    if ((err = make_dir(node)) || (err = make_dir(conf)))
        return err;
    cli_pathf(a, sizeof a, "%s/config.ini", node);
    if ((err = write_config_ini(c, i, a)) != BL_OK)
        return err;
    cli_pathf(a, sizeof a, "%s/ca.crt", conf);
    if ((err = pki_save_cert(c->ca.cert, a)) != BL_OK)
        return err;
    cli_pathf(a, sizeof a, "%s/agency.crt", conf);
    if ((err = pki_save_cert(c->agency[agency_of(c->o, i)].cert, a)) != BL_OK)
        return err;
    cli_pathf(a, sizeof a, "%s/node.crt", conf);
    cli_pathf(b, sizeof b, "%s/node.key", conf);
    if ((err = save_key_private(&c->node[i], a, b)) != BL_OK)
        return err;
    cli_pathf(a, sizeof a, "%s/node.nodeid", conf);
    pki_node_id_hex(c->node[i].cert, hex);
    strcat(hex, "\n");
    if ((err = config_write_file(a, hex)) != BL_OK)
        return err;
    for (unsigned g = 1; g <= c->o->groups && err == BL_OK; g++)
        if (in_group(c->o, i, g))
            err = write_group_files(c, g, conf);
    return err;
}

/* ---- the certificates, in memory ---- */

static int
make_certs(chain_t *c)
{
    const suite_t *suite = c->o->sm ? suite_sm() : suite_ecdsa();
    char name[32];
    int err = pki_make_ca(suite, "chain", PKI_DEFAULT_DAYS, &c->ca);

    for (unsigned a = 0; a < c->o->agencies && err == BL_OK; a++) {
        snprintf(name, sizeof name, "agency%c", 'A' + a);
        err = pki_make_agency(&c->ca, name, PKI_DEFAULT_DAYS, &c->agency[a]);
    }
    for (unsigned i = 0; i < c->o->nodes && err == BL_OK; i++) {
        snprintf(name, sizeof name, "node%u", i);
        err = pki_make_node(&c->agency[agency_of(c->o, i)], name, PKI_DEFAULT_DAYS, &c->node[i]);
    }
    return err;
}

static void
free_certs(chain_t *c)
{
    pki_entity_free(&c->ca);
    for (unsigned a = 0; a < MAX_AGENCIES; a++)
        pki_entity_free(&c->agency[a]);
    for (unsigned i = 0; i < MAX_NODES; i++)
        pki_entity_free(&c->node[i]);
}

static void
print_summary(const chain_t *c)
{
    char hex[129], groups[64];
    size_t len;

    for (unsigned i = 0; i < c->o->nodes; i++) {
        len = (size_t)snprintf(groups, sizeof groups, "1");
        for (unsigned g = 2; g <= c->o->groups; g++)
            if (in_group(c->o, i, g))
                len += (size_t)snprintf(groups + len, sizeof groups - len, ",%u", g);
        pki_node_id_hex(c->node[i].cert, hex);
        printf("node%-3u agency%c  groups %-12s %s\n", i, 'A' + agency_of(c->o, i), groups, hex);
    }
}

static int64_t
now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int
build_chain_main(int argc, char **argv)
{
    chain_opts_t o;
    chain_t c;
    int err, rc = parse_chain_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    if (make_dirs(o.dir) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if (!dir_is_empty(o.dir))
        return cli_fail(NULL, "%s exists and is not an empty directory; build-chain never "
                        "overwrites a chain", o.dir);
    memset(&c, 0, sizeof c);
    c.o = &o;
    c.timestamp_ms = now_ms();
    err = make_certs(&c);
    if (err == BL_OK)
        err = write_cert_dir(&c);
    for (unsigned i = 0; i < o.nodes && err == BL_OK; i++)
        err = write_node(&c, i);
    if (err == BL_OK)
        print_summary(&c);
    else
        nftw(o.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); /* nothing half-written */
    free_certs(&c);
    if (err != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    return CLI_OK;
}
