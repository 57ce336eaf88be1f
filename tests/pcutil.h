/*
 * pcutil.h — a small chain for testing precompiled contracts (test_pc_*.c and any other test
 * that calls a contract at 0x1000 ... 0x5002).
 *
 * A pcu_chain_t is one group's tables on a memory store, and the block being executed. A test
 * sends transactions to a precompile exactly as a client would — the function signature and
 * the arguments as text, ABI-encoded with the chain's suite (ECDSA or SM) — runs them through
 * the executive (exec_tx), and reads the receipt:
 *
 *     pcu_chain_t ch;
 *     pcu_open(&ch, suite_ecdsa(), 1);                       block 1 is executing
 *     int64_t r = pcu_call_int(&ch, alice, 0x1000, "setValueByKey(string,string)",
 *                              "tx_count_limit", "5", NULL);  r == 1
 *     pcu_next_block(&ch);                                   commit 1, execute block 2
 *     pcu_close(&ch);
 *
 * Arguments end with NULL. pcu_call_int and pcu_call_string fail the test unless the receipt's
 * status is 0, then decode the output (an int256, or a string the caller frees); pcu_call
 * returns the whole receipt for tests about status codes.
 */
#ifndef BL_TESTS_PCUTIL_H
#define BL_TESTS_PCUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/suite.h"
#include "exec/exec.h"
#include "ledger/receipt.h"
#include "storage/amdb.h"
#include "storage/kv.h"
#include "storage/store.h"

typedef struct {
    const suite_t *suite;
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    exec_block_t block; /* block.number is the block being executed */
} pcu_chain_t;

/* A fresh empty group executing block `number`. */
void pcu_open(pcu_chain_t *ch, const suite_t *suite, int64_t number);
void pcu_close(pcu_chain_t *ch);
/* Commit the block being executed and start the next one. */
void pcu_next_block(pcu_chain_t *ch);

/* An account whose 20 bytes are all n (0x0101...01 for n = 1). */
void pcu_account(uint8_t addr[20], uint8_t n);
/* The same as "0x" and 40 lower-case hex digits, in out[43]. */
void pcu_account_hex(uint8_t n, char out[43]);

/* Call the precompile at `address` from `from` with signature(args...) (text, NULL-ended);
 * fill *r (receipt_init'ed here; the caller receipt_frees it). */
void pcu_call(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, const char *signature,
              receipt_t *r, ...) __attribute__((sentinel));
/* The same, requiring status 0; the int256 output. */
int64_t pcu_call_int(pcu_chain_t *ch, const uint8_t from[20], uint16_t address,
                     const char *signature, ...) __attribute__((sentinel));
/* The same, requiring status 0; the string output (the caller frees it). */
char *pcu_call_string(pcu_chain_t *ch, const uint8_t from[20], uint16_t address,
                      const char *signature, ...) __attribute__((sentinel));

/* Call with call data made by hand (to test what a malformed call gets). */
void pcu_call_raw(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, bl_span_t data,
                  receipt_t *r);
/* Call data for signature(args...) encoded with another suite's selectors (caller frees). */
void pcu_encode(const suite_t *suite, bl_buf_t *out, const char *signature, ...)
    __attribute__((sentinel));

/* Decode a receipt's output as one int256 / one string (caller frees) / one address. */
int64_t pcu_output_int(const receipt_t *r);
char *pcu_output_string(const receipt_t *r);
void pcu_output_address(const receipt_t *r, uint8_t out[20]);

#endif
