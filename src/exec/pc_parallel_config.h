/*
 * pc_parallel_config.h — what the transaction DAG asks ParallelConfig (0x1006): may this call
 * to a contract run in parallel, and which of its arguments say what it touches?
 * (pc_parallel_config.c holds the precompile and explains the table.)
 */
#ifndef BL_EXEC_PC_PARALLEL_CONFIG_H
#define BL_EXEC_PC_PARALLEL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "exec/precompiled.h"
#include "storage/amdb.h"

/* The name of a contract's parallel-function table: "cp_" and its address in lowercase hex. */
#define PARALLEL_CONFIG_TABLE_PREFIX "cp_"

/* For a call (input: selector then ABI arguments) to the contract at `contract`: if the
 * contract registered the called function, *parallel is true and out receives the first
 * criticalSize arguments as text (a string as it is, a number in decimal, an address in hex).
 * Not registered, a signature that does not parse, a criticalSize larger than the argument
 * list, an argument of another type, or input that does not decode: *parallel is false (the
 * call runs alone). Only a failing store is an error. The DAG reads the table as the block
 * found it, before any of the block's transactions ran. */
int parallel_config_criticals(const suite_t *suite, amdb_t *db, const uint8_t contract[20],
                              bl_span_t input, bool *parallel, critical_t *out);

#endif
