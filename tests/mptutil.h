/*
 * mptutil.h — helpers for the Merkle Patricia Trie tests (test_mpt.c, test_mpt_proof.c).
 *
 * Most trie tests start the same way: a fresh in-memory key-value store (tu_memory_kv in
 * testutil.h), an empty trie on it (plain or secure keys, the ECDSA suite's Keccak-256), and a
 * few string keys and values put into it. These helpers do those steps and fail the test if one
 * of them fails.
 */
#ifndef BL_TESTS_MPTUTIL_H
#define BL_TESTS_MPTUTIL_H

#include "storage/kv.h"
#include "storage/mpt.h"

/* An empty trie on kv; close it with mpt_close (before kv_close). */
mpt_t *tu_empty_trie(kv_t *kv, mpt_keys_t keys);
/* mpt_put of two C strings, failing the test if it fails. */
void tu_trie_put(mpt_t *t, const char *key, const char *value);

#endif
