/*
 * mpt_proof.c — Merkle proofs: showing one key's value (or its absence) to someone who knows
 * only the root hash (the lesson on tries; Ethereum's eth_getProof, EIP-1186).
 *
 * The proof is the list of nodes a lookup of the key reads, root first. The verifier trusts
 * nothing in it but hashes: it looks for the node whose hash is the root, follows the key's
 * nibbles through it, and each time the path goes on to a child referred to by hash, it looks
 * for the node with that hash among the proof's nodes. If the walk ends at the key's value, the
 * key is present with that value; if it ends where the path leaves the trie (an empty branch
 * slot, a leaf or extension with other nibbles), the key is absent. Either way every node read
 * was tied by its hash to the root, so no one can change a node, drop one or slip in another
 * without the walk failing to find the hash it needs.
 *
 * Verifying is therefore just a lookup in a trie whose store is the proof: mpt_verify_proof()
 * opens a trie with the proof in place of the key-value store and calls the same walk as
 * mpt_get(). Nodes small enough to be inlined sit inside their parent's bytes and need no entry
 * of their own.
 */
#include "storage/mpt.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/mpt_node.h"

void
mpt_proof_init(mpt_proof_t *p)
{
    p->nodes = NULL;
    p->count = 0;
}

void
mpt_proof_free(mpt_proof_t *p)
{
    for (size_t i = 0; i < p->count; i++)
        bl_buf_free(&p->nodes[i]);
    free(p->nodes);
    mpt_proof_init(p);
}

void
mpt_proof_add(mpt_proof_t *p, bl_span_t node)
{
    p->nodes = bl_xrealloc(p->nodes, (p->count + 1) * sizeof *p->nodes);
    bl_buf_init(&p->nodes[p->count]);
    bl_buf_append(&p->nodes[p->count], node.ptr, node.len);
    p->count++;
}

int
mpt_prove(mpt_t *t, bl_span_t key, mpt_proof_t *proof)
{
    bl_buf_t path = BL_BUF_INIT, value = BL_BUF_INIT;
    int err;

    mpt_proof_free(proof);
    mpt_key_path(t, key, &path);
    err = mpt_walk(t, path.data, path.len, &value, proof);
    if (err == BL_E_NOTFOUND)
        err = BL_OK; /* the nodes read prove the key is absent */
    if (err != BL_OK)
        mpt_proof_free(proof);
    bl_buf_free(&path);
    bl_buf_free(&value);
    return err;
}

int
mpt_verify_proof(const suite_t *suite, mpt_keys_t keys, const uint8_t root[MPT_HASH_LEN],
                 bl_span_t key, const mpt_proof_t *proof, bl_buf_t *value, bool *present)
{
    mpt_t t = { .kv = NULL, .proof = proof, .suite = suite, .keys = keys, .root = NULL };
    bl_buf_t path = BL_BUF_INIT;
    uint8_t empty[MPT_HASH_LEN];
    int err;

    *present = false;
    bl_buf_clear(value);
    mpt_empty_root(suite, empty);
    if (memcmp(root, empty, MPT_HASH_LEN) == 0)
        return BL_OK; /* nothing is in the empty trie; no node is needed to show it */
    t.root = mpt_node_new(MPT_NODE_HASH);
    memcpy(t.root->ref, root, MPT_HASH_LEN);
    t.root->ref_len = MPT_HASH_LEN;
    mpt_key_path(&t, key, &path);
    err = mpt_walk(&t, path.data, path.len, value, NULL);
    if (err == BL_OK)
        *present = true;
    else if (err == BL_E_NOTFOUND)
        err = BL_OK;
    else
        bl_buf_clear(value);
    mpt_node_free(t.root);
    bl_buf_free(&path);
    return err;
}
