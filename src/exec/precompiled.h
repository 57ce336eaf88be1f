/*
 * precompiled.h — contracts written in C, at fixed addresses (fisco-2x-facts §7.1).
 *
 * FISCO BCOS offers its system functions (configuration, membership, permissions, names,
 * tables) as "precompiled contracts": a transaction calls them like any Solidity contract,
 * with a 4-byte function selector and ABI-encoded arguments, but the code behind the address
 * is native. On an SM chain the selectors are the first 4 bytes of SM3(signature), so a
 * precompile compares against selectors computed with the chain's suite (abi_selector).
 *
 * Write methods answer with an ABI-encoded int256: the number of rows written (0, 1, ...) or
 * one of FISCO's negative codes below; the receipt's status stays 0 unless the call itself is
 * malformed (unknown selector, bad arguments: status 21, PrecompiledError).
 *
 * A precompile whose calls may run in parallel says which "critical fields" a call touches
 * (for DagTransfer, the user names): two calls with no field in common touch disjoint state
 * and may run at the same time (exec/txdag.c builds the dependency graph from these).
 */
#ifndef BL_EXEC_PRECOMPILED_H
#define BL_EXEC_PRECOMPILED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "codec/abi.h"
#include "crypto/suite.h"
#include "exec/exec.h"

/* FISCO 2.x precompiled result codes [D:api.md], [S:libprecompiled/Common.h] (fisco-2x-facts
 * §7.1). Add a code here only after checking its number in FISCO's Common.h. */
enum precompiled_code {
    CODE_NO_AUTHORIZED = -50000,
    CODE_TABLE_NAME_ALREADY_EXIST = -50001,
    /* createTable's name checks (libstorage/Common.h). FISCO throws these as exceptions, so
     * the receipt says PrecompiledError (21); the message names the code (pc_table_factory.c). */
    CODE_TABLE_NAME_LENGTH_OVERFLOW = -50002,
    CODE_TABLE_FIELD_LENGTH_OVERFLOW = -50003,
    CODE_TABLE_FIELD_TOTALLENGTH_OVERFLOW = -50004,
    CODE_TABLE_DUPLICATE_FIELD = -50007,
    CODE_TABLE_INVALIDATE_FIELD = -50008,
    CODE_TABLE_NOT_EXIST = -50100,
    CODE_ADDRESS_INVALID = -50102,
    CODE_TABLE_AND_ADDRESS_ALREADY_EXIST = -51000,
    CODE_TABLE_AND_ADDRESS_NOT_EXIST = -51001,
    CODE_TABLE_NAME_OVERFLOW = -51002,
    CODE_CONTRACT_NOT_EXIST = -51003,
    CODE_INVALID_NODEID = -51100,
    CODE_LAST_SEALER = -51101,
    CODE_ADDRESS_AND_VERSION_EXIST = -51200,
    CODE_VERSION_LENGTH_OVERFLOW = -51201,
    CODE_INVALID_CONFIGURATION_VALUES = -51300,
    CODE_INVALID_USER_NAME = -51400,            /* DagTransfer: empty (or too long) user name */
    CODE_INVALID_AMOUNT = -51401,               /* DagTransfer: amount 0 */
    CODE_INVALID_USER_NOT_EXIST = -51402,       /* DagTransfer: no such user */
    CODE_INVALID_USER_ALREADY_EXIST = -51403,   /* DagTransfer: userAdd of an existing user */
    CODE_INVALID_INSUFFICIENT_BALANCE = -51404, /* DagTransfer: balance below the amount */
    CODE_INVALID_BALANCE_OVERFLOW = -51405,     /* DagTransfer: balance would pass 2^256-1 */
    CODE_INVALID_OPENTABLE_FAILED = -51406,     /* DagTransfer: u_dag_transfer cannot be made */
    CODE_PARSE_ENTRY_ERROR = -51500,
    CODE_PARSE_CONDITION_ERROR = -51501,
    CODE_CONDITION_OPERATION_UNDEFINED = -51502, /* CRUD condition op not eq/ne/gt/ge/lt/le/limit */
    CODE_INVALID_UPDATE_TABLE_KEY = -51503,      /* CRUD update's entry names the key field */
};

/* What a call touches, for the transaction DAG: a list of strings. */
typedef struct {
    char **fields;
    size_t count;
} critical_t;

void critical_init(critical_t *c);
void critical_free(critical_t *c);
void critical_add(critical_t *c, const char *field);

typedef struct {
    uint16_t address;  /* 0x1000 ... 0x5002: the last two bytes of a 20-byte address */
    const char *name;  /* "SystemConfig", "DagTransfer", ... */
    /* Run the call: set c->output and c->status, add to c->gas_used. Returns BL_OK unless the
     * store failed (a failed call is a status, not an error). */
    int (*call)(exec_call_t *c);
    /* NULL if calls always run alone. Otherwise: *parallel true and the critical fields of this
     * call, or *parallel false for a call that must run alone (say, an unknown method). */
    int (*criticals)(const suite_t *suite, bl_span_t input, bool *parallel, critical_t *out);
} precompile_t;

/* The precompile at a 20-byte address, or NULL. */
const precompile_t *precompile_find(const uint8_t addr[20]);
/* The 20-byte form of a precompile address (0x...1000). */
void precompile_address(uint16_t address, uint8_t out[20]);

/* ---- helpers every precompile uses (precompiled.c) ---- */

/* Does the call's selector match this signature (hashed with the chain's suite)? */
bool precompile_is(const exec_call_t *c, const char *signature);
/* Decode the call's arguments after the selector as signature's parameter types. On bad
 * input: BL_E_ABI (the caller sets status TX_PRECOMPILED_ERROR). */
int precompile_args(const exec_call_t *c, const char *signature, abi_value_t **args);
/* Set the output to an ABI int256 (a result code or a row count). */
void precompile_return_int(exec_call_t *c, int64_t v);
/* Set the output to an ABI string. */
void precompile_return_string(exec_call_t *c, const char *s);
/* The call is malformed: status PrecompiledError (21), no output. */
int precompile_fail(exec_call_t *c, const char *why);

#endif
