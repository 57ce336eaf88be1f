/*
 * mpt.c — reading and changing a Merkle Patricia Trie (Yellow Paper, appendix D; the lesson on
 * tries). mpt.h explains the four kinds of node, hex-prefix paths and inlining; mpt_node.c turns
 * nodes into bytes and back; mpt_proof.c makes and checks proofs.
 *
 * Reading follows the key's nibbles from the root: a branch spends one nibble to pick a child,
 * an extension spends all of its shared nibbles, and a leaf must hold exactly the nibbles left.
 *
 * Writing walks the same path and rebuilds it on the way back up:
 *   - insert: where the new key parts from an existing leaf or extension, a branch is put in,
 *     with an extension above it for the nibbles they still share;
 *   - delete: a branch left with a single item is no longer needed. If that item is its value
 *     it becomes a leaf with an empty path; if it is a child, the child moves up one level and
 *     takes the branch's nibble in front of its path (a branch child goes behind a one-nibble
 *     extension). An extension whose child became a leaf or an extension joins it into one
 *     node. This is what makes the shape of a trie depend only on its keys and values, never
 *     on the order of the writes that made it — and so its root hash too.
 *
 * A write that meets a node missing from the store fails before it changes anything: every
 * change is made after the recursive call below it has succeeded, and a delete reads the
 * sibling it might merge with before it goes down.
 */
#include "storage/mpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/mpt_node.h"

void
mpt_empty_root(const suite_t *suite, uint8_t root[MPT_HASH_LEN])
{
    const uint8_t empty_string = 0x80; /* RLP("") */

    suite->hash(&empty_string, 1, root);
}

void
mpt_key_path(const mpt_t *t, bl_span_t key, bl_buf_t *path)
{
    uint8_t hashed[MPT_HASH_LEN];

    bl_buf_clear(path);
    if (t->keys == MPT_SECURE) {
        t->suite->hash(key.ptr, key.len, hashed);
        key = bl_span(hashed, MPT_HASH_LEN);
    }
    mpt_nibbles_from_bytes(key, path);
}

/* ---- reading nodes from the store ---- */

/* The bytes stored under hash: among the proof's nodes while checking a proof, else in kv.
 * BL_E_NOTFOUND if they are not there. */
static int
load_bytes(mpt_t *t, const uint8_t hash[MPT_HASH_LEN], bl_buf_t *rlp)
{
    uint8_t h[MPT_HASH_LEN];

    if (t->proof == NULL)
        return kv_get(t->kv, bl_span(hash, MPT_HASH_LEN), rlp);
    for (size_t i = 0; i < t->proof->count; i++) {
        const bl_buf_t *node = &t->proof->nodes[i];
        t->suite->hash(node->data, node->len, h);
        if (memcmp(h, hash, MPT_HASH_LEN) == 0) {
            bl_buf_clear(rlp);
            bl_buf_append(rlp, node->data, node->len);
            return BL_OK;
        }
    }
    return bl_fail(BL_E_NOTFOUND, "no node with that hash in the proof");
}

/* Turn a failure to read the node `hex` into the message a person needs. */
static int
explain_missing(const mpt_t *t, bool is_root, const char *hex)
{
    if (t->proof != NULL)
        return bl_fail(BL_E_FORMAT, "the proof does not hold trie node %s, which the path "
                       "needs (a node is missing, changed, or the root is another)", hex);
    if (is_root)
        return bl_fail(BL_E_NOTFOUND, "no trie with root %s in the store", hex);
    return bl_fail(BL_E_DB, "trie node %s is missing from the store: the database is "
                   "incomplete", hex);
}

/* Read, check and decode the node stored under hash. */
static int
read_node(mpt_t *t, const uint8_t hash[MPT_HASH_LEN], bool is_root, mpt_node_t **out)
{
    bl_buf_t rlp = BL_BUF_INIT;
    uint8_t h[MPT_HASH_LEN];
    char hex[2 * MPT_HASH_LEN + 1], why[256];
    int err;

    bl_hex_encode(hash, MPT_HASH_LEN, hex);
    err = load_bytes(t, hash, &rlp);
    if (err == BL_E_NOTFOUND)
        err = explain_missing(t, is_root, hex);
    if (err != BL_OK)
        goto out;
    t->suite->hash(rlp.data, rlp.len, h);
    if (memcmp(h, hash, MPT_HASH_LEN) != 0) {
        err = bl_fail(BL_E_FORMAT, "trie node %s: the bytes stored under it have another hash; "
                      "the store is damaged", hex);
        goto out;
    }
    if ((err = mpt_node_decode(t->suite, bl_buf_span(&rlp), out)) != BL_OK) {
        snprintf(why, sizeof why, "%s", bl_errmsg()); /* bl_fail() overwrites the message */
        err = bl_fail(BL_E_FORMAT, "trie node %s is not a valid node: %s", hex, why);
    }
out:
    bl_buf_free(&rlp);
    return err;
}

int
mpt_resolve(mpt_t *t, mpt_node_t *n)
{
    mpt_node_t *read;
    int err;

    if (n->kind != MPT_NODE_HASH)
        return BL_OK;
    if ((err = read_node(t, n->ref, n == t->root, &read)) != BL_OK)
        return err;
    *n = *read; /* the node takes over what was read, in place: its parent still points to it */
    free(read);
    return BL_OK;
}

/* ---- opening ---- */

int
mpt_open(kv_t *kv, const suite_t *suite, const uint8_t root[MPT_HASH_LEN], mpt_keys_t keys,
         mpt_t **out)
{
    mpt_t *t = bl_xcalloc(1, sizeof *t);
    uint8_t empty[MPT_HASH_LEN];
    int err = BL_OK;

    t->kv = kv;
    t->suite = suite;
    t->keys = keys;
    mpt_empty_root(suite, empty);
    if (root != NULL && memcmp(root, empty, MPT_HASH_LEN) != 0) {
        t->root = mpt_node_new(MPT_NODE_HASH);
        memcpy(t->root->ref, root, MPT_HASH_LEN);
        t->root->ref_len = MPT_HASH_LEN;
        t->root->stored = true;
        /* read the root now: it may be under 32 bytes, and then its reference is its RLP */
        err = mpt_resolve(t, t->root);
    }
    if (err != BL_OK) {
        mpt_close(t);
        t = NULL;
    }
    *out = t;
    return err;
}

void
mpt_close(mpt_t *t)
{
    if (t == NULL)
        return;
    mpt_node_free(t->root);
    free(t);
}

/* ---- reading ---- */

static bool
has_prefix(const uint8_t *path, size_t len, const bl_buf_t *prefix)
{
    if (prefix->len == 0)
        return true; /* (and memcmp must not see the NULL of an empty buffer) */
    return prefix->len <= len && memcmp(path, prefix->data, prefix->len) == 0;
}

static int
found(const bl_buf_t *v, bl_buf_t *value)
{
    bl_buf_clear(value);
    bl_buf_append(value, v->data, v->len);
    return BL_OK;
}

/* One step down from the resolved node n, with `left` nibbles of the path still to go. Sets
 * *next to the node the path goes on in, or leaves it NULL when the value is found here. */
static int
step(const mpt_node_t *n, const uint8_t *rest, size_t left, size_t *used, mpt_node_t **next,
     bl_buf_t *value)
{
    *next = NULL;
    *used = 0;
    if (n->kind == MPT_NODE_LEAF && n->path.len == left && has_prefix(rest, left, &n->path))
        return found(&n->value, value);
    if (n->kind == MPT_NODE_EXTENSION && has_prefix(rest, left, &n->path)) {
        *used = n->path.len;
        *next = n->next;
        return BL_OK;
    }
    if (n->kind == MPT_NODE_BRANCH && left == 0 && n->value.len > 0)
        return found(&n->value, value);
    if (n->kind == MPT_NODE_BRANCH && left > 0 && n->children[rest[0]] != NULL) {
        *used = 1;
        *next = n->children[rest[0]];
        return BL_OK;
    }
    return bl_fail(BL_E_NOTFOUND, "the key is not in the trie");
}

int
mpt_walk(mpt_t *t, const uint8_t *path, size_t len, bl_buf_t *value, mpt_proof_t *proof)
{
    mpt_node_t *n = t->root, *next;
    bl_buf_t rlp = BL_BUF_INIT;
    size_t pos = 0, used;
    int err = BL_OK;

    if (n == NULL)
        return bl_fail(BL_E_NOTFOUND, "the trie is empty");
    while (n != NULL) {
        if ((err = mpt_resolve(t, n)) != BL_OK)
            break;
        if (proof != NULL) {
            /* the root, and every node its parent refers to by hash, goes into the proof;
             * smaller nodes are inside their parent's bytes already */
            mpt_node_encode(t->suite, n, &rlp);
            if (n == t->root || rlp.len >= MPT_HASH_LEN)
                mpt_proof_add(proof, bl_buf_span(&rlp));
        }
        if ((err = step(n, path + pos, len - pos, &used, &next, value)) != BL_OK)
            break;
        pos += used;
        n = next;
    }
    bl_buf_free(&rlp);
    return err;
}

int
mpt_get(mpt_t *t, bl_span_t key, bl_buf_t *value)
{
    bl_buf_t path = BL_BUF_INIT;
    int err;

    mpt_key_path(t, key, &path);
    err = mpt_walk(t, path.data, path.len, value, NULL);
    bl_buf_free(&path);
    return err;
}

/* ---- inserting ---- */

static mpt_node_t *
new_leaf(const uint8_t *path, size_t len, bl_span_t value)
{
    mpt_node_t *leaf = mpt_node_new(MPT_NODE_LEAF);

    bl_buf_append(&leaf->path, path, len);
    bl_buf_append(&leaf->value, value.ptr, value.len);
    return leaf;
}

static void
set_value(mpt_node_t *n, bl_span_t value)
{
    bl_buf_clear(&n->value);
    bl_buf_append(&n->value, value.ptr, value.len);
}

static size_t
common_prefix(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t i = 0;

    while (i < alen && i < blen && a[i] == b[i])
        i++;
    return i;
}

/* Cut the first `count` nibbles off a leaf's or an extension's path, because a branch above it
 * now stands for them. An extension left with no nibbles is dropped for its child. */
static mpt_node_t *
drop_nibbles(mpt_node_t *n, size_t count)
{
    mpt_node_t *child;

    if (n->kind == MPT_NODE_EXTENSION && n->path.len == count) {
        child = n->next;
        n->next = NULL;
        mpt_node_free(n);
        return child;
    }
    memmove(n->path.data, n->path.data + count, n->path.len - count);
    n->path.len -= count;
    mpt_node_touch(n);
    return n;
}

/* The leaf or extension `old` and the new key agree on their first `common` nibbles and then
 * part: a branch goes where they part, under an extension for the shared nibbles if any. */
static mpt_node_t *
split(mpt_node_t *old, size_t common, const uint8_t *key, size_t len, bl_span_t value)
{
    mpt_node_t *branch = mpt_node_new(MPT_NODE_BRANCH), *ext;

    if (old->path.len == common) { /* a leaf whose key ends where the new one goes on */
        set_value(branch, bl_buf_span(&old->value));
        mpt_node_free(old);
    } else {
        uint8_t slot = old->path.data[common];
        branch->children[slot] = drop_nibbles(old, common + 1);
    }
    if (len == common)
        set_value(branch, value);
    else
        branch->children[key[common]] = new_leaf(key + common + 1, len - common - 1, value);
    if (common == 0)
        return branch;
    ext = mpt_node_new(MPT_NODE_EXTENSION);
    bl_buf_append(&ext->path, key, common);
    ext->next = branch;
    return ext;
}

static int
insert(mpt_t *t, mpt_node_t **slot, const uint8_t *key, size_t len, bl_span_t value)
{
    mpt_node_t *n = *slot;
    size_t common;
    int err;

    if (n == NULL) {
        *slot = new_leaf(key, len, value);
        return BL_OK;
    }
    if ((err = mpt_resolve(t, n)) != BL_OK)
        return err;
    if (n->kind == MPT_NODE_BRANCH) {
        if (len == 0)
            set_value(n, value);
        else if ((err = insert(t, &n->children[key[0]], key + 1, len - 1, value)) != BL_OK)
            return err;
        mpt_node_touch(n);
        return BL_OK;
    }
    common = common_prefix(n->path.data, n->path.len, key, len);
    if (n->kind == MPT_NODE_LEAF && common == n->path.len && common == len) {
        set_value(n, value); /* the same key: a new value */
        mpt_node_touch(n);
    } else if (n->kind == MPT_NODE_EXTENSION && common == n->path.len) {
        if ((err = insert(t, &n->next, key + common, len - common, value)) != BL_OK)
            return err;
        mpt_node_touch(n);
    } else {
        *slot = split(n, common, key, len, value);
    }
    return BL_OK;
}

/* ---- deleting ---- */

/* An extension whose child changed: if the child is now a leaf or an extension, the two join
 * into one node with both paths. */
static mpt_node_t *
join_extension(mpt_node_t *ext)
{
    mpt_node_t *child = ext->next;

    mpt_node_touch(ext);
    if (child->kind != MPT_NODE_LEAF && child->kind != MPT_NODE_EXTENSION)
        return ext;
    bl_buf_insert(&child->path, 0, ext->path.data, ext->path.len);
    mpt_node_touch(child);
    ext->next = NULL;
    mpt_node_free(ext);
    return child;
}

/* A branch that lost an item: with two or more left it stays; with one, it gives way. */
static mpt_node_t *
collapse_branch(mpt_node_t *b)
{
    mpt_node_t *child = NULL;
    uint8_t nibble = 0;

    mpt_node_touch(b);
    if (mpt_branch_items(b) >= 2)
        return b;
    for (uint8_t i = 0; i < 16; i++) {
        if (b->children[i] != NULL) {
            child = b->children[i];
            nibble = i;
        }
    }
    if (child == NULL) { /* only the value is left: a leaf with an empty path */
        b->kind = MPT_NODE_LEAF;
        return b;
    }
    b->children[nibble] = NULL;
    /* the last child was read before the delete went down, so its kind is known */
    if (child->kind == MPT_NODE_LEAF || child->kind == MPT_NODE_EXTENSION) {
        bl_buf_insert(&child->path, 0, &nibble, 1);
        mpt_node_touch(child);
        mpt_node_free(b);
        return child;
    }
    b->kind = MPT_NODE_EXTENSION; /* a branch below: keep it, behind a one-nibble extension */
    bl_buf_push(&b->path, nibble);
    b->next = child;
    return b;
}

/* Read every child of branch b except the one at `down` (the one the path goes into). */
static int
resolve_siblings(mpt_t *t, mpt_node_t *b, mpt_node_t **down)
{
    int err;

    for (int i = 0; i < 16; i++) {
        if (&b->children[i] == down || b->children[i] == NULL)
            continue;
        if ((err = mpt_resolve(t, b->children[i])) != BL_OK)
            return err;
    }
    return BL_OK;
}

static int delete_key(mpt_t *t, mpt_node_t **slot, const uint8_t *key, size_t len,
                      bool *changed);

static int
delete_in_branch(mpt_t *t, mpt_node_t **slot, const uint8_t *key, size_t len, bool *changed)
{
    mpt_node_t *b = *slot, **down = len > 0 ? &b->children[key[0]] : NULL;
    int err;

    if ((len == 0 && b->value.len == 0) || (len > 0 && *down == NULL))
        return BL_OK; /* the key is not here */
    /* With two items, the delete may leave one, which then merges: read the other now, so a
     * node missing from the store stops us before anything has changed. */
    if (mpt_branch_items(b) == 2 && (err = resolve_siblings(t, b, down)) != BL_OK)
        return err;
    if (len == 0) {
        bl_buf_clear(&b->value);
        *changed = true;
    } else if ((err = delete_key(t, down, key + 1, len - 1, changed)) != BL_OK || !*changed) {
        return err;
    }
    *slot = collapse_branch(b);
    return BL_OK;
}

static int
delete_key(mpt_t *t, mpt_node_t **slot, const uint8_t *key, size_t len, bool *changed)
{
    mpt_node_t *n = *slot;
    int err;

    *changed = false;
    if (n == NULL)
        return BL_OK;
    if ((err = mpt_resolve(t, n)) != BL_OK)
        return err;
    if (n->kind == MPT_NODE_BRANCH)
        return delete_in_branch(t, slot, key, len, changed);
    if (!has_prefix(key, len, &n->path))
        return BL_OK;
    if (n->kind == MPT_NODE_LEAF) {
        if (n->path.len == len) {
            mpt_node_free(n);
            *slot = NULL;
            *changed = true;
        }
        return BL_OK;
    }
    err = delete_key(t, &n->next, key + n->path.len, len - n->path.len, changed);
    if (err == BL_OK && *changed)
        *slot = join_extension(n);
    return err;
}

int
mpt_delete(mpt_t *t, bl_span_t key)
{
    bl_buf_t path = BL_BUF_INIT;
    bool changed;
    int err;

    mpt_key_path(t, key, &path);
    err = delete_key(t, &t->root, path.data, path.len, &changed);
    bl_buf_free(&path);
    return err;
}

int
mpt_put(mpt_t *t, bl_span_t key, bl_span_t value)
{
    bl_buf_t path = BL_BUF_INIT;
    int err;

    if (value.len == 0) /* Ethereum's rule: setting a key to nothing removes it */
        return mpt_delete(t, key);
    mpt_key_path(t, key, &path);
    err = insert(t, &t->root, path.data, path.len, value);
    bl_buf_free(&path);
    return err;
}

/* ---- the root and committing ---- */

void
mpt_root(mpt_t *t, uint8_t root[MPT_HASH_LEN])
{
    if (t->root == NULL)
        mpt_empty_root(t->suite, root);
    else
        mpt_node_hash(t->suite, t->root, root); /* hashed even when under 32 bytes */
}

/* Add n and every unstored node below it that is referred to by hash. Children go first, so
 * that their references are known when n is encoded. */
static void
collect(const suite_t *suite, mpt_node_t *n, kv_batch_t *batch, bl_buf_t *rlp)
{
    uint8_t hash[MPT_HASH_LEN];

    if (n == NULL || n->stored)
        return;
    collect(suite, n->next, batch, rlp);
    for (int i = 0; i < 16; i++)
        collect(suite, n->children[i], batch, rlp);
    mpt_node_encode(suite, n, rlp);
    if (n->ref_len == MPT_HASH_LEN) { /* inlined nodes live inside their parent's bytes */
        mpt_node_hash(suite, n, hash);
        kv_batch_put(batch, bl_span(hash, MPT_HASH_LEN), bl_buf_span(rlp));
    }
    n->stored = true;
}

void
mpt_commit(mpt_t *t, kv_batch_t *batch)
{
    bl_buf_t rlp = BL_BUF_INIT;
    uint8_t hash[MPT_HASH_LEN];

    if (t->root == NULL)
        return; /* the empty root is known without reading anything */
    collect(t->suite, t->root, batch, &rlp);
    /* The root is stored under its hash even when it is small enough to be inlined, so that
     * mpt_open() can find it. It is one node, so it is simply written every time: whatever
     * changes led to this root, a short root can never be left out. */
    mpt_node_encode(t->suite, t->root, &rlp);
    mpt_node_hash(t->suite, t->root, hash);
    kv_batch_put(batch, bl_span(hash, MPT_HASH_LEN), bl_buf_span(&rlp));
    bl_buf_free(&rlp);
}

int
mpt_commit_write(mpt_t *t)
{
    kv_batch_t batch;
    int err;

    kv_batch_init(&batch);
    mpt_commit(t, &batch);
    err = kv_write(t->kv, &batch);
    kv_batch_free(&batch);
    return err;
}
