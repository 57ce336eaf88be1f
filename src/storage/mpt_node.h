/*
 * mpt_node.h — inside the Merkle Patricia Trie: the node in memory, shared by mpt.c (reading and
 * changing the trie), mpt_node.c (encoding and decoding nodes) and mpt_proof.c (proofs). Code
 * outside the trie uses mpt.h only.
 *
 * A trie in memory is a tree of mpt_node_t. A NULL pointer is the empty node. A node that is
 * still only in the store is an MPT_NODE_HASH holding its hash; the first walk that reaches it
 * reads it from the store and turns it into the leaf, extension or branch it is (resolving), so
 * the trie is read lazily, one path at a time.
 *
 * Each node caches its reference, the bytes its parent writes for it: its RLP when that is
 * under 32 bytes, else the hash of its RLP. A reference of exactly 32 bytes is therefore always
 * a hash, and a shorter one always an inlined node. Changing a node clears its cache and that of
 * every node above it (the changes are made on the way back up the path), so computing the root
 * re-encodes only the changed path.
 */
#ifndef BL_STORAGE_MPT_NODE_H
#define BL_STORAGE_MPT_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "storage/kv.h"
#include "storage/mpt.h"

typedef enum {
    MPT_NODE_LEAF,
    MPT_NODE_EXTENSION,
    MPT_NODE_BRANCH,
    MPT_NODE_HASH /* not read from the store yet: only ref (its hash) is known */
} mpt_node_kind_t;

typedef struct mpt_node mpt_node_t;

struct mpt_node {
    mpt_node_kind_t kind;
    bl_buf_t path;              /* leaf, extension: nibbles, one per byte */
    bl_buf_t value;             /* leaf: the value; branch: the value ending here, or empty */
    mpt_node_t *next;           /* extension: the node the shared nibbles lead to */
    mpt_node_t *children[16];   /* branch: one per next nibble, NULL when empty */
    uint8_t ref[MPT_HASH_LEN];  /* the reference cache (see above) */
    size_t ref_len;             /* 0 while unknown */
    bool stored;                /* its bytes are in the store (read from it, or committed) */
};

/* The trie handle. The nodes come from kv, or, while a proof is checked, from the proof. */
struct mpt {
    kv_t *kv;
    const mpt_proof_t *proof;
    const suite_t *suite;
    mpt_keys_t keys;
    mpt_node_t *root;           /* NULL for the empty trie */
};

/* ---- mpt_node.c ---- */

mpt_node_t *mpt_node_new(mpt_node_kind_t kind);
/* Free a node and everything below it. */
void mpt_node_free(mpt_node_t *n);
/* Forget the node's cached reference and mark it unstored: it has changed. */
void mpt_node_touch(mpt_node_t *n);
/* Items a branch holds: its non-empty children, plus one if it has a value. */
size_t mpt_branch_items(const mpt_node_t *n);

/* The RLP of a node (not MPT_NODE_HASH), written to out (replacing its contents). Fills the
 * reference caches of the node and of every node below it that changed. */
void mpt_node_encode(const suite_t *suite, mpt_node_t *n, bl_buf_t *out);
/* Make sure n->ref holds the node's reference. */
void mpt_node_ref(const suite_t *suite, mpt_node_t *n);
/* The node's hash: its reference if that is a hash, else the hash of its (short) RLP. */
void mpt_node_hash(const suite_t *suite, mpt_node_t *n, uint8_t hash[MPT_HASH_LEN]);

/* Decode the RLP of a stored node, strictly: it must be a leaf, an extension or a branch with
 * valid hex-prefix paths and child references. Inlined children are decoded too; children
 * referred to by hash become MPT_NODE_HASH nodes. BL_E_FORMAT (or BL_E_RLP) on anything else. */
int mpt_node_decode(const suite_t *suite, bl_span_t rlp, mpt_node_t **out);

/* ---- mpt.c ---- */

/* Read an MPT_NODE_HASH node from the trie's store (kv or proof), checking that its bytes hash
 * to the hash asked for, and turn it into the node it is. Other nodes are left alone. */
int mpt_resolve(mpt_t *t, mpt_node_t *n);

/* Follow the nibble path from the root. Returns BL_OK with the value, BL_E_NOTFOUND if the path
 * leads nowhere, or an error reading a node. If proof is not NULL, the RLP of the root and of
 * every node on the way that its parent refers to by hash is appended to it. */
int mpt_walk(mpt_t *t, const uint8_t *path, size_t len, bl_buf_t *value, mpt_proof_t *proof);

/* The path for a key: its nibbles, or those of hash(key) in a secure trie. */
void mpt_key_path(const mpt_t *t, bl_span_t key, bl_buf_t *path);

#endif
