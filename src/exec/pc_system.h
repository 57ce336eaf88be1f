/*
 * pc_system.h — what the node reads from the system contracts' tables.
 *
 * Four precompiled contracts govern a group (fisco-2x-facts §7): SystemConfig (0x1000,
 * pc_sysconfig.c) keeps chain-wide settings such as how many transactions a block may hold;
 * Consensus (0x1003, pc_consensus.c) keeps who takes part in consensus; CNS (0x1004, pc_cns.c)
 * gives contract addresses names; Permission (0x1005, pc_permission.c) says who may write
 * which table. Their answers live in system tables, so every node of the group holds the
 * same answers — written by transactions, agreed by consensus.
 *
 * Configuration and membership changes never take effect in the block that makes them: a
 * change written while block N executes carries enable_num = N + 1. The functions below answer
 * "what is in force at block h", which is what the node asks when it seals, checks and
 * executes block h. They read the tables as they are (the current block's writes included),
 * and need no call context, so the node, the sealer and the tests may all use them.
 *
 * The genesis block writes the first rows (enable_num 0) with the *_genesis functions: the
 * sealers and observers of group.N.genesis and its tx_count_limit / tx_gas_limit /
 * consensus_timeout, as FISCO's BlockChainImp::checkAndBuildGenesisBlock does.
 */
#ifndef BL_EXEC_PC_SYSTEM_H
#define BL_EXEC_PC_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "exec/exec.h"
#include "storage/amdb.h"

/* ---- SystemConfig (0x1000): _sys_config_ (key | value, enable_num) ---- */

#define PC_SYSCONFIG_TX_COUNT_LIMIT "tx_count_limit"
#define PC_SYSCONFIG_TX_GAS_LIMIT "tx_gas_limit"
#define PC_SYSCONFIG_CONSENSUS_TIMEOUT "consensus_timeout"
#define PC_SYSCONFIG_RPBFT_EPOCH_SEALER_NUM "rpbft_epoch_sealer_num"
#define PC_SYSCONFIG_RPBFT_EPOCH_BLOCK_NUM "rpbft_epoch_block_num"
#define PC_SYSCONFIG_ENABLE_CHARGE_MGR "enable_charge_mgr"

/* The longest value a config row holds that the node reads back (numbers, "on"/"off"). */
#define PC_SYSCONFIG_VALUE_MAX 64

/* Is `value` a valid value of `key` (FISCO's checkValueValid)? false for an unknown key. */
bool pc_sysconfig_valid(const char *key, const char *value);
/* The value of `key` in force at block `number`: the row with the greatest enable_num that is
 * <= number, or FISCO's default when no row is in force yet (tx_count_limit 1000, tx_gas_limit
 * 300000000, consensus_timeout 3, rpbft_epoch_block_num 1000, enable_charge_mgr "off").
 * BL_E_NOTFOUND for a key without a row in force and without a default
 * (rpbft_epoch_sealer_num, whose default is the number of sealers); BL_E_RANGE if out (cap
 * bytes) is too small. */
int pc_sysconfig_get(amdb_t *db, const char *key, int64_t number, char *out, size_t cap);
/* The same for a number-valued key. */
int pc_sysconfig_get_int(amdb_t *db, const char *key, int64_t number, int64_t *out);
/* Write a genesis row (enable_num 0). BL_E_INVALID if the value is not valid for the key. */
int pc_sysconfig_genesis(amdb_t *db, const char *key, const char *value);

/* Decimal text as FISCO's boost::lexical_cast<int64_t> reads it: an optional sign, then
 * digits only, in range. (Shared by the system contracts for enable_num and config values.) */
bool pc_sysconfig_parse_int(const char *s, size_t len, int64_t *out);

/* ---- Consensus (0x1003): _sys_consensus_ (name = "node" | type, node_id, enable_num) ---- */

#define PC_NODE_ID_HEX 128 /* a node ID: the node's 64-byte public key, in hex */

#define PC_NODE_SEALER "sealer"
#define PC_NODE_OBSERVER "observer"
#define PC_NODE_REMOVED "removed" /* bcoslab's record of a removal (pc_consensus.c says why) */

/* A list of node IDs, each 128 lowercase hex digits and a NUL. */
typedef struct {
    char (*ids)[PC_NODE_ID_HEX + 1];
    size_t count;
} pc_node_list_t;

void pc_node_list_init(pc_node_list_t *l);
void pc_node_list_free(pc_node_list_t *l);
/* Is id in the list? (index in *at, may be NULL) */
bool pc_node_list_find(const pc_node_list_t *l, const char *id, size_t *at);

/* The sealers and the observers in force at block `number` (either list may be NULL), each
 * sorted by node ID: FISCO's PBFT sorts the sealer list so that every node gives every sealer
 * the same index (ConsensusEngineBase::updateConsensusNodeList), and the leader of a round is
 * found by that index. The lists are replaced, not appended to. */
int pc_consensus_members(amdb_t *db, int64_t number, pc_node_list_t *sealers,
                         pc_node_list_t *observers);
/* Write a genesis row (enable_num 0): type PC_NODE_SEALER or PC_NODE_OBSERVER. BL_E_INVALID
 * for a node ID that is not 128 hex digits or an unknown type. */
int pc_consensus_genesis(amdb_t *db, const char *node_id, const char *type);

/* ---- CNS (0x1004) and Permission (0x1005): answers in JSON ---- */

/* The JSON answers of CNS and Permission, written as FISCO writes them (jsoncpp 1.7.7's
 * Json::FastWriter): an array of objects, no spaces, fields in name order, strings escaped the
 * jsoncpp way, and a final newline (pc_cns.c). pc_json_field_t lists an object's fields,
 * sorted by name by the caller; a value is any bytes. */
typedef struct {
    const char *name;
    const void *value;
    size_t len;
} pc_json_field_t;

void pc_json_begin(bl_buf_t *out);
void pc_json_object(bl_buf_t *out, const pc_json_field_t *fields, size_t n);
/* Close the array and add the NUL (the buffer can then be read as a C string). */
void pc_json_end(bl_buf_t *out);

/* ---- shared by the four contracts ---- */

/* The common end of a contract method that wrote one row (pc_permission.c): rc BL_E_DENIED (the executive
 * refused the write, exec_table.c) becomes the output CODE_NO_AUTHORIZED (-50000) with status
 * 0, as in FISCO; a row the table layer refuses (too long, bad field) fails the call (status
 * 21); other errors are a broken store and are returned; BL_OK outputs `count`. */
int pc_write_result(exec_call_t *c, int rc, int64_t count);

#endif
