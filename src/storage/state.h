/*
 * state.h — the world state: every account's balance, nonce, code and storage, and a root
 * hash that commits to all of it.
 *
 * The executive reads and writes accounts only through this interface, so the same
 * transactions run on either of FISCO BCOS's two state models (chosen per group in its genesis,
 * `[state] type=storage|mpt`):
 *
 *   storage (StorageState, state_table.c) — each account is an AMDB table c_<address> with one
 *       row per property (balance, nonce, code, codeHash, alive) and one row per storage slot.
 *       Fast, and the rows are plain to look at; but only the latest state is kept, and the
 *       state root is the block's dbHash (a hash of what the block changed).
 *   mpt (MPTState, state_mpt.c) — Ethereum's model: a secure Merkle Patricia Trie from address
 *       to the account RLP [nonce, balance, storageRoot, codeHash], and one storage trie per
 *       account. Slower (every write rehashes a path to the root), but the root commits to the
 *       whole state, any key can be proven against it, and every earlier block's state can
 *       still be read (state_at_block).
 *
 * Writes go into the current block; state_commit() makes them durable in one atomic write and
 * returns the root to put in the block header. state_checkpoint()/state_revert() undo the writes
 * of one failed transaction. An account that was never written has balance 0, nonce 0, no code
 * and zero storage, and does not exist.
 */
#ifndef BL_STORAGE_STATE_H
#define BL_STORAGE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/u256.h"
#include "crypto/suite.h"
#include "storage/amdb.h"
#include "storage/kv.h"

typedef struct state state_t;

typedef struct {
    const char *name; /* "storage" or "mpt" */
    int (*exists)(state_t *s, const uint8_t addr[20], bool *out);
    int (*get_balance)(state_t *s, const uint8_t addr[20], bl_u256_t *out);
    int (*set_balance)(state_t *s, const uint8_t addr[20], const bl_u256_t *v);
    int (*get_nonce)(state_t *s, const uint8_t addr[20], bl_u256_t *out);
    int (*set_nonce)(state_t *s, const uint8_t addr[20], const bl_u256_t *v);
    int (*get_code)(state_t *s, const uint8_t addr[20], bl_buf_t *out);
    int (*set_code)(state_t *s, const uint8_t addr[20], bl_span_t code);
    int (*get_storage)(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                       uint8_t value[32]);
    int (*set_storage)(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                       const uint8_t value[32]);
    int (*remove_account)(state_t *s, const uint8_t addr[20]);
    size_t (*checkpoint)(state_t *s);
    int (*revert)(state_t *s, size_t mark);
    int (*root)(state_t *s, uint8_t out[32]);
    int (*commit)(state_t *s, int64_t number, uint8_t root[32]);
    int (*at_block)(state_t *s, int64_t number, state_t **out);
    void (*close)(state_t *s);
} state_ops_t;

struct state {
    const state_ops_t *ops;
    void *impl;
};

/* StorageState over a group's AMDB tables (borrowed: closing the state leaves db open). */
int state_table_open(amdb_t *db, const suite_t *suite, state_t **out);
/* MPTState with its trie nodes and per-block roots in kv (borrowed), continuing from the last
 * committed block found there. */
int state_mpt_open(kv_t *kv, const suite_t *suite, state_t **out);

/* The model a group's genesis names ([state] type): "storage" (over db) or "mpt" (over kv);
 * BL_E_INVALID for any other name. */
int state_open_by_type(const char *type, amdb_t *db, kv_t *kv, const suite_t *suite,
                       state_t **out);

int state_exists(state_t *s, const uint8_t addr[20], bool *out);
int state_get_balance(state_t *s, const uint8_t addr[20], bl_u256_t *out);
int state_set_balance(state_t *s, const uint8_t addr[20], const bl_u256_t *v);
int state_get_nonce(state_t *s, const uint8_t addr[20], bl_u256_t *out);
int state_set_nonce(state_t *s, const uint8_t addr[20], const bl_u256_t *v);
int state_get_code(state_t *s, const uint8_t addr[20], bl_buf_t *out);
int state_set_code(state_t *s, const uint8_t addr[20], bl_span_t code);
int state_get_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                      uint8_t value[32]);
int state_set_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                      const uint8_t value[32]);
int state_remove_account(state_t *s, const uint8_t addr[20]);
/* A mark to revert to; marks nest (revert to an earlier mark undoes the later ones too). */
size_t state_checkpoint(state_t *s);
int state_revert(state_t *s, size_t mark);
/* The root of the state as it is now, committed or not. */
int state_root(state_t *s, uint8_t out[32]);
/* Make the block's writes durable (one atomic write) and give the block's state root. */
int state_commit(state_t *s, int64_t number, uint8_t root[32]);
/* A read-only view of the state as block `number` left it. MPTState only; StorageState
 * answers BL_E_NOTFOUND with a message that table storage keeps no history. Writing to a view
 * gives BL_E_DENIED. Close the view with state_close(). */
int state_at_block(state_t *s, int64_t number, state_t **out);
void state_close(state_t *s);

#endif
