/*
 * console_int.h — what the console's files share (not for use outside src/console/).
 *
 * The console keeps, per group, a read replica: its own copy of the group's ledger and tables,
 * brought up to date by re-executing the blocks a node has committed (console_replica.c). It
 * is what a FISCO SDK gets from a node's RPC: blocks, transactions, receipts, and "call"s — a
 * precompile run against the latest state whose writes are thrown away (how `select` and
 * `queryCNS` read tables without making a transaction). Writes go the other way: a signed
 * transaction submitted to a node, then the console waits (advancing the simulator) until the
 * transaction is in a block.
 */
#ifndef BL_CONSOLE_CONSOLE_INT_H
#define BL_CONSOLE_CONSOLE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/rng.h"
#include "console/console.h"
#include "crypto/key.h"
#include <jansson.h>
#include "ledger/block.h"
#include "ledger/chain.h"
#include "storage/amdb.h"
#include "storage/kv.h"
#include "storage/state.h"
#include "storage/store.h"

#define CONSOLE_MAX_ACCOUNTS 16
#define CONSOLE_MAX_ARGS 32
#define CONSOLE_WAIT_MS 60000  /* how long a transaction may take to be committed */

typedef struct {
    bool open;
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
    chain_t *chain;
} console_replica_t;

typedef struct {
    keypair_t key;
    uint8_t addr[20];
} console_account_t;

struct console {
    world_t *w;
    unsigned group;          /* the group commands go to (its id, 1..) */
    console_account_t accounts[CONSOLE_MAX_ACCOUNTS];
    size_t naccounts;
    size_t current;          /* the account that signs */
    console_replica_t replicas[WORLD_MAX_GROUPS];
    bl_rng_t rng;            /* nonces: random, as FISCO's SDK makes them */
    int64_t view[WORLD_MAX_GROUPS]; /* the last PBFT view seen in the event log */
    uint64_t log_seen;       /* events read so far */
    char prompt[32];
    bool done;
};

/* A command: argv[0] is its name; rest is the line after the name (for SQL). */
typedef int (*console_fn_t)(console_t *c, int argc, char **argv, const char *rest, FILE *out);

typedef struct {
    const char *name;
    const char *args;   /* usage after the name */
    const char *help;   /* one line */
    int min_args, max_args; /* besides the name; -1: any number */
    console_fn_t run;
} console_cmd_t;

/* Print "Error: ..." (and return BL_E_INVALID or the given code). */
int console_error(FILE *out, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Print the command's usage line and return BL_E_INVALID. */
int console_usage(FILE *out, const char *name);
/* Pretty JSON, 4 spaces, as FISCO's console prints it; takes the reference. */
void console_print_json(FILE *out, json_t *j);

/* The command tables of each file, ending with a NULL name. */
extern const console_cmd_t console_session_cmds[];
extern const console_cmd_t console_chain_cmds[];
extern const console_cmd_t console_status_cmds[];
extern const console_cmd_t console_admin_cmds[];
extern const console_cmd_t console_sql_cmds[];
extern const console_cmd_t console_teach_cmds[];

/* ---- the replica and the client (console_replica.c) ---- */

int console_replica_open(console_t *c, unsigned group);
void console_replica_close(console_replica_t *r);
/* Bring the current group's replica up to the node's height. */
int console_sync(console_t *c);
console_replica_t *console_replica(console_t *c);
int64_t console_height(console_t *c);
/* A node of the current group that is up (-1 if none). */
int console_entry_node(console_t *c);
/* Run a precompile method read-only on the latest state; the receipt's status and output
 * (receipt_free it). */
int console_call(console_t *c, uint16_t to, const char *sig, const char *const *args,
                 size_t nargs, receipt_t *r);
/* Sign a call with the current account, submit it, wait until it is in a block; *r is its
 * receipt and hash its hash. A refusal by the pool is an error naming FISCO's status. */
int console_send(console_t *c, uint16_t to, const char *sig, const char *const *args,
                 size_t nargs, receipt_t *r, uint8_t hash[32]);
/* Decode an output as one int256 (a precompile's code or count). */
int console_output_int(const receipt_t *r, int64_t *out);
/* Decode an output as one string (caller frees). */
int console_output_string(const receipt_t *r, char **out);
/* FISCO's message for a precompile code: {"code":0,"msg":"success"} and the like. */
void console_print_code(FILE *out, int64_t code);
/* The result of a write that answers a count or a code: print as FISCO does; BL_OK or an error
 * when the receipt failed. */
int console_print_write(FILE *out, const receipt_t *r);

/* Bring the replica up to date; false (and an error printed on out) if it cannot be. */
bool console_synced(console_t *c, FILE *out);
/* Read the new events of the world's log: the PBFT views. */
void console_read_log(console_t *c);
/* Is s "0x" and 40 hex digits (or 40 without 0x)? */
bool console_parse_address(const char *s, uint8_t out[20]);

/* Print a JSON array of objects (string values) as a table of these columns. */
void console_print_table(FILE *out, json_t *rows, const char *const *cols, size_t ncols);
/* A user table's key field and comma-separated value fields (CRUD desc, a call); BL_E_NOTFOUND
 * if there is no such table. The caller frees both. */
int console_desc(console_t *c, const char *table, char **key, char **fields);

/* Node by name ("A", "node0", or "0"). -1 (and an error printed) if there is none. */
int console_node_arg(console_t *c, const char *s, FILE *out);

#endif
