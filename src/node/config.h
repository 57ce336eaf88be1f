/*
 * config.h — a node's configuration files, in FISCO BCOS 2.x's format and names.
 *
 * A FISCO node reads three kinds of ini file [fisco-2x-facts §11.3, §11.4]:
 *
 *   config.ini        the node itself: where it listens and whom it dials ([p2p]), whom it
 *                     refuses or admits ([certificate_blacklist], [certificate_whitelist]), which
 *                     chain and crypto it belongs to ([chain]), where its certificates are
 *                     ([network_security]);
 *   group.N.genesis   what group N was founded with: consensus, sealers, limits. It must be the
 *                     same file on every node of the group, because block 0 is built from it
 *                     (ledger/genesis.h), and it must never change afterwards;
 *   group.N.ini       how this node runs group N: timers, storage backend, pool size. It may
 *                     differ between nodes and may change between restarts.
 *
 * An ini file is sections in brackets, then key=value lines; ';' or '#' starts a comment line.
 * config_ini_t holds a file as read, comments included, so a command that changes one key (cert
 * revoke adds crl.N) writes the rest back as it was. The typed views (config_node_t,
 * genesis_t, config_group_t) check every value and report a bad one with its file, line and key:
 * "conf/group.1.ini:7: [tx_pool] limit: wants a number from 1 to ..., not 'lots'".
 */
#ifndef BL_NODE_CONFIG_H
#define BL_NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/genesis.h"

/* ---- ini files ---- */

typedef struct {
    char *key;   /* NULL for a comment or blank line, kept as text in value */
    char *value;
    int line;    /* 1-based line in the file it was read from; 0 if added since */
} config_entry_t;

typedef struct {
    char *name;  /* "" for the lines before the first section */
    config_entry_t *entries;
    size_t n;
    int line;
} config_section_t;

typedef struct {
    char *file;  /* the name used in messages */
    config_section_t *sections;
    size_t n;
} config_ini_t;

/* An empty file; file names it in messages. */
void config_ini_init(config_ini_t *ini, const char *file);
void config_ini_free(config_ini_t *ini);
/* Parse text; errors name file and line (BL_E_FORMAT). */
int config_ini_parse(config_ini_t *ini, const char *file, const char *text);
int config_ini_load(config_ini_t *ini, const char *path);
/* The file's text (caller frees). */
char *config_ini_format(const config_ini_t *ini);
int config_ini_save(const config_ini_t *ini, const char *path);
/* Write text as the whole file at path (BL_E_IO, naming the file, if that fails). */
int config_write_file(const char *path, const char *text);

/* The value of section.key, or NULL. */
const char *config_ini_get(const config_ini_t *ini, const char *section, const char *key);
/* The entry itself (for its line), or NULL. */
const config_entry_t *config_ini_find(const config_ini_t *ini, const char *section,
                                      const char *key);
/* Set section.key (adding the section and the key at their ends if missing). */
void config_ini_set(config_ini_t *ini, const char *section, const char *key, const char *value);
/* Add a comment line at the end of a section (text includes the ';'). */
void config_ini_comment(config_ini_t *ini, const char *section, const char *text);

/* The section of that name, or NULL. */
const config_section_t *config_ini_section(const config_ini_t *ini, const char *name);

/* Typed reads: a missing key leaves *out alone (the caller's default); a present one must parse
 * and lie in lo..hi, else BL_E_FORMAT naming file, line, section and key. */
int config_ini_uint(const config_ini_t *ini, const char *section, const char *key, uint64_t lo,
                    uint64_t hi, uint64_t *out);
int config_ini_bool(const config_ini_t *ini, const char *section, const char *key, bool *out);
int config_ini_str(const config_ini_t *ini, const char *section, const char *key, char *out,
                   size_t cap);
/* Every value of keys PREFIX.0, PREFIX.1, ... (any N, in file order) as 64-byte node IDs. */
int config_ini_node_ids(const config_ini_t *ini, const char *section, const char *prefix,
                        uint8_t (**ids)[64], size_t *n);

/* A string value that must be one of words (NULL-terminated); copied into out. */
int config_ini_choice(const config_ini_t *ini, const char *section, const char *key,
                      const char *const *words, char *out, size_t cap);
/* Is key PREFIX.N, with N decimal digits? */
bool config_key_is_numbered(const char *key, const char *prefix);
/* Report e's value as wrong: "FILE:LINE: [section] key: WANT, not 'value'" (BL_E_FORMAT). */
int config_ini_bad_value(const config_ini_t *ini, const char *section, const config_entry_t *e,
                         const char *want);
/* Typed writes: a number; node IDs as PREFIX.0, PREFIX.1, ... in hex. */
void config_ini_set_uint(config_ini_t *ini, const char *section, const char *key, uint64_t v);
void config_ini_set_node_ids(config_ini_t *ini, const char *section, const char *prefix,
                             const uint8_t (*ids)[64], size_t n);

/* ---- config.ini ---- */

typedef struct {
    char listen_ip[64];
    unsigned listen_port;
    char **peers;               /* [p2p] node.N = ip:port */
    size_t npeers;
    uint8_t (*blacklist)[64];   /* [certificate_blacklist] crl.N */
    size_t nblack;
    uint8_t (*whitelist)[64];   /* [certificate_whitelist] cal.N */
    size_t nwhite;
    unsigned chain_id;          /* [chain] id */
    bool sm_crypto;             /* [chain] sm_crypto */
    char data_path[128];        /* [network_security] data_path, key, cert, ca_cert, agency_cert */
    char key[64], cert[64], ca_cert[64], agency_cert[64];
} config_node_t;

/* build_chain.sh's defaults: 127.0.0.1:30300, chain 1, conf/node.key, node.crt, ca.crt. */
void config_node_init(config_node_t *c);
void config_node_free(config_node_t *c);
void config_node_add_peer(config_node_t *c, const char *ip_port);
int config_node_from_ini(const config_ini_t *ini, config_node_t *c);
void config_node_to_ini(const config_node_t *c, config_ini_t *ini);
int config_node_load(const char *path, config_node_t *c);
int config_node_save(const config_node_t *c, const char *path);

/* ---- group.N.genesis (into the ledger's genesis_t) ---- */

int config_genesis_from_ini(const config_ini_t *ini, genesis_t *g);
void config_genesis_to_ini(const genesis_t *g, config_ini_t *ini);
int config_genesis_load(const char *path, genesis_t *g);
int config_genesis_save(const genesis_t *g, const char *path);

/* ---- group.N.ini ---- */

typedef struct {
    unsigned ttl;                        /* [consensus] ttl = 2 */
    uint64_t min_block_generation_time;  /* [consensus] ms, 500 */
    char storage_type[16];               /* [storage] type: memory, rocksdb or sqlite */
    uint64_t txpool_limit;               /* [tx_pool] limit = 150000 */
    uint64_t txs_expiration_time;        /* [tx_pool] seconds, 600 */
    uint64_t idle_wait_ms;               /* [sync] 200 */
} config_group_t;

void config_group_init(config_group_t *c);
int config_group_from_ini(const config_ini_t *ini, config_group_t *c);
void config_group_to_ini(const config_group_t *c, config_ini_t *ini);
int config_group_load(const char *path, config_group_t *c);
int config_group_save(const config_group_t *c, const char *path);

#endif
