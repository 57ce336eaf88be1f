/*
 * mpt.h — Ethereum's Merkle Patricia Trie: a key-value map with one hash that commits to all
 * of it (Yellow Paper, appendix D).
 *
 * The world state of an MPT chain (`state=mpt` in a group's genesis) is one of these tries: the
 * keys are accounts (or storage slots), and the root hash of the trie is the block header's
 * stateRoot. Two nodes that agree on the root agree on every key and value, and a single key
 * can be proven to a node that holds nothing but the root (a Merkle proof).
 *
 * How a key finds its value. A key is read as a path of nibbles (half-bytes, 0–15): the key
 * 0x1a2b is the path 1,a,2,b. The trie is made of four kinds of node:
 *
 *   empty      — nothing; written as the RLP empty string 0x80;
 *   leaf       — [HP(rest of the path, leaf), value]: the path ends here;
 *   extension  — [HP(shared nibbles, not a leaf), child]: every key below shares these nibbles,
 *                so they are written once instead of as a chain of one-child branches;
 *   branch     — [child 0, ..., child 15, value]: one slot per next nibble, plus the value of a
 *                key that ends exactly at this node ("" when none ends here).
 *
 * Every node is stored as RLP. A parent refers to a child by the child's RLP itself when that is
 * shorter than 32 bytes (it is "inlined" in the parent) and otherwise by the 32-byte hash of the
 * RLP, under which the child is kept in a key-value store. Inlining is the cheaper choice for
 * small nodes: a hash is 32 bytes, so writing a shorter node in place costs less space and saves
 * a lookup, and the parent's hash still covers every byte of it. The root is always referred to
 * by its hash, however short it is; the empty trie's root is hash(0x80), for Keccak-256
 * 56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421.
 *
 * Hex-prefix (HP) encoding packs a nibble path into bytes and says what kind of node holds it.
 * The first nibble is a flag: 2 if the node is a leaf, plus 1 if the path has an odd number of
 * nibbles. An odd path puts its first nibble beside the flag; an even path pads the flag byte
 * with a 0 nibble:
 *
 *   flag 0  extension, even   1,2,3,4  ->  00 12 34
 *   flag 1  extension, odd    1,2,3    ->  11 23
 *   flag 2  leaf, even        1,2,3,4  ->  20 12 34
 *   flag 3  leaf, odd         1,2,3    ->  31 23
 *
 * A worked example (Keccak-256): the trie holding only 0x0123 -> "a" is a single leaf with the
 * path 0,1,2,3: RLP [HP(0,1,2,3 leaf) = 20 01 23, "a" = 61] = c5 83200123 61. That is 6 bytes;
 * were it a child it would be inlined, but as the root it is hashed: the root is
 * keccak(c58320012361) = 085a27f6251ac62bdb178db46b3fef133f098e69ce3d3cfeb0921de04b5e7353.
 * Add 0x0124 -> "b" and the two paths part after 0,1,2. The leaves become [HP(no nibbles,
 * leaf) = 20, "a"] = c2 20 61 and c2 20 62, inlined in slots 3 and 4 of a branch (22 bytes, so
 * inlined too), under an extension for the shared 0,1,2 (HP = 10 12):
 *   d9 821012 d5 808080 c22061 c22062 8080808080808080808080 80
 *   (extension [10 12, branch [3 empty, leaf, leaf, 11 empty, no value]])
 * One 26-byte node holds the whole trie, and the root is its hash,
 * e8e69196038a4ce772a6c3e76b9f4d97ad7b00e9291770b6edddcb19b7258ed0
 * (`bcoslab util trie-root '[["0x0123","a"],["0x0124","b"]]'`).
 *
 * The "secure" trie (MPT_SECURE) uses hash(key) as the path instead of the key. Ethereum does
 * this for its account and storage tries: paths then have an even spread and a fixed length of
 * 64 nibbles, so nobody can build a deep, slow trie by choosing keys.
 *
 * History: nodes are never overwritten or deleted. A write makes new nodes along the changed
 * path; mpt_commit() adds them to a batch the caller writes (together with its block), and every
 * earlier root stays readable by opening the trie at it.
 *
 * Hashing goes through the chain's suite: Keccak-256 on ECDSA chains (Ethereum's roots, which
 * the conformance tests check), SM3 on SM chains.
 */
#ifndef BL_STORAGE_MPT_H
#define BL_STORAGE_MPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "storage/kv.h"

#define MPT_HASH_LEN 32

typedef struct mpt mpt_t;

/* How keys become paths: as they are, or hashed first (the secure trie). */
typedef enum { MPT_PLAIN, MPT_SECURE } mpt_keys_t;

/* ---- nibble paths and hex-prefix encoding ---- */

/* Append the nibbles of key to path, one nibble (0–15) per byte, high half first. */
void mpt_nibbles_from_bytes(bl_span_t key, bl_buf_t *path);
/* Append HP(nibbles, is_leaf) to out. */
void mpt_hp_encode(const uint8_t *nibbles, size_t n, bool is_leaf, bl_buf_t *out);
/* Decode hex-prefix bytes: the nibbles replace the contents of path. BL_E_FORMAT for an empty
 * input, a flag above 3, or a non-zero padding nibble. */
int mpt_hp_decode(bl_span_t hp, bl_buf_t *path, bool *is_leaf);

/* ---- the trie ---- */

/* The root of the empty trie: hash(RLP("")) = hash(0x80). */
void mpt_empty_root(const suite_t *suite, uint8_t root[MPT_HASH_LEN]);

/* Open the trie whose nodes live in kv at `root` (NULL, or the empty root, for a new empty
 * trie). The root node is read at once: BL_E_NOTFOUND if the store does not hold it.
 * A handle keeps every node it reads or writes in memory until it is closed, and even a read
 * adds to them, so a handle is used by one thread at a time (the world state opens one per
 * block). */
int mpt_open(kv_t *kv, const suite_t *suite, const uint8_t root[MPT_HASH_LEN], mpt_keys_t keys,
             mpt_t **out);
void mpt_close(mpt_t *t);

/* The value of key, replacing the contents of *value; BL_E_NOTFOUND if the key is absent.
 * Nodes missing from the store give BL_E_DB, nodes that do not decode BL_E_FORMAT. */
int mpt_get(mpt_t *t, bl_span_t key, bl_buf_t *value);
/* Set key to value. An empty value deletes the key, as in Ethereum. If a node cannot be read,
 * the error is returned and the trie is left as it was. */
int mpt_put(mpt_t *t, bl_span_t key, bl_span_t value);
/* Remove key (no error if it is absent). */
int mpt_delete(mpt_t *t, bl_span_t key);

/* The root hash of the trie as it is now (committed or not). */
void mpt_root(mpt_t *t, uint8_t root[MPT_HASH_LEN]);

/* Add every node written since the last commit, keyed by its hash, to batch. The caller writes
 * the batch (with its other data, atomically); until then the new root cannot be reopened.
 * The handle counts those nodes as stored from now on, so if the batch is dropped or its write
 * fails, close the handle and reopen the trie at the last root that was written. */
void mpt_commit(mpt_t *t, kv_batch_t *batch);
/* The same, writing the batch to the trie's store at once (kv_write's error if that fails). */
int mpt_commit_write(mpt_t *t);

/* ---- Merkle proofs ---- */

/* A proof: the RLP of each node on a key's path, root first (as eth_getProof returns them).
 * Nodes inlined in their parent are inside the parent's bytes and are not listed. */
typedef struct {
    bl_buf_t *nodes;
    size_t count;
} mpt_proof_t;

void mpt_proof_init(mpt_proof_t *p);
void mpt_proof_free(mpt_proof_t *p);
/* Append a copy of one node's RLP. */
void mpt_proof_add(mpt_proof_t *p, bl_span_t node);

/* The proof for key, present or absent, replacing the contents of *proof. The empty trie's
 * proof has no nodes. */
int mpt_prove(mpt_t *t, bl_span_t key, mpt_proof_t *proof);

/* Check a proof against a root, with no store: the nodes are found by their hashes among the
 * proof's own. On success *present says whether the key is in the trie and *value holds its
 * value (emptied when absent). A proof that lacks a node of the path, holds a changed node or
 * belongs to another root fails with BL_E_FORMAT and says which node. */
int mpt_verify_proof(const suite_t *suite, mpt_keys_t keys, const uint8_t root[MPT_HASH_LEN],
                     bl_span_t key, const mpt_proof_t *proof, bl_buf_t *value, bool *present);

#endif
