/*
 * mpt_node.c — trie nodes as bytes: nibble paths, hex-prefix encoding, and the RLP of the four
 * kinds of node (Yellow Paper, appendix D; the lesson on tries). mpt.h explains the node kinds
 * and the hex-prefix flag with examples; this file is the code for them.
 *
 * Encoding goes bottom-up: a node's RLP contains its children's references, so a child is
 * encoded (and its reference cached) before its parent. Decoding goes top-down and is strict,
 * because the bytes may come from a damaged database or from a stranger's Merkle proof: a node
 * must be a list of 2 items (leaf or extension) or 17 (branch), paths must be valid hex-prefix,
 * and a child must be a 32-byte hash or an inlined node of under 32 bytes — never a hash of
 * another length, and never an inlined node that should have been hashed.
 */
#include "storage/mpt_node.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

/* ---- nibble paths and hex-prefix ---- */

void
mpt_nibbles_from_bytes(bl_span_t key, bl_buf_t *path)
{
    bl_buf_reserve(path, 2 * key.len);
    for (size_t i = 0; i < key.len; i++) {
        bl_buf_push(path, key.ptr[i] >> 4);   /* the high half comes first */
        bl_buf_push(path, key.ptr[i] & 0x0f);
    }
}

void
mpt_hp_encode(const uint8_t *nibbles, size_t n, bool is_leaf, bl_buf_t *out)
{
    /* the flag nibble: bit 1 says "leaf", bit 0 says "odd number of nibbles" */
    uint8_t flag = (uint8_t)((is_leaf ? 2 : 0) + (n % 2));
    size_t i = 0;

    if (n % 2 == 1) {
        bl_buf_push(out, (uint8_t)(flag << 4 | nibbles[0])); /* odd: first nibble beside flag */
        i = 1;
    } else {
        bl_buf_push(out, (uint8_t)(flag << 4));              /* even: flag, then a 0 nibble */
    }
    for (; i < n; i += 2)
        bl_buf_push(out, (uint8_t)(nibbles[i] << 4 | nibbles[i + 1]));
}

int
mpt_hp_decode(bl_span_t hp, bl_buf_t *path, bool *is_leaf)
{
    uint8_t flag;

    if (hp.len == 0)
        return bl_fail(BL_E_FORMAT, "a hex-prefix path is empty; it needs at least its flag byte");
    flag = hp.ptr[0] >> 4;
    if (flag > 3)
        return bl_fail(BL_E_FORMAT, "hex-prefix flag nibble is %u; only 0 to 3 exist", flag);
    if (flag % 2 == 0 && (hp.ptr[0] & 0x0f) != 0)
        return bl_fail(BL_E_FORMAT, "hex-prefix padding nibble is %x; an even path pads with 0",
                       hp.ptr[0] & 0x0f);
    *is_leaf = flag >= 2;
    bl_buf_clear(path);
    if (flag % 2 == 1)
        bl_buf_push(path, hp.ptr[0] & 0x0f);
    mpt_nibbles_from_bytes(bl_span(hp.ptr + 1, hp.len - 1), path);
    return BL_OK;
}

/* ---- nodes in memory ---- */

mpt_node_t *
mpt_node_new(mpt_node_kind_t kind)
{
    mpt_node_t *n = bl_xcalloc(1, sizeof *n);

    n->kind = kind;
    bl_buf_init(&n->path);
    bl_buf_init(&n->value);
    return n;
}

void
mpt_node_free(mpt_node_t *n)
{
    if (n == NULL)
        return;
    mpt_node_free(n->next);
    for (int i = 0; i < 16; i++)
        mpt_node_free(n->children[i]);
    bl_buf_free(&n->path);
    bl_buf_free(&n->value);
    free(n);
}

void
mpt_node_touch(mpt_node_t *n)
{
    n->ref_len = 0;
    n->stored = false;
}

size_t
mpt_branch_items(const mpt_node_t *n)
{
    size_t items = n->value.len > 0 ? 1 : 0;

    for (int i = 0; i < 16; i++)
        if (n->children[i] != NULL)
            items++;
    return items;
}

/* ---- encoding ---- */

/* Remember how a parent refers to the node whose RLP is `rlp`. */
static void
set_ref(const suite_t *suite, mpt_node_t *n, bl_span_t rlp)
{
    if (rlp.len < MPT_HASH_LEN) {
        memcpy(n->ref, rlp.ptr, rlp.len);   /* small: the parent holds the node itself */
        n->ref_len = rlp.len;
    } else {
        suite->hash(rlp.ptr, rlp.len, n->ref); /* large: the parent holds its hash */
        n->ref_len = MPT_HASH_LEN;
    }
}

/* Write a child reference into a parent: "" for none, a 32-byte string for a hash, or the
 * child's own RLP items in place for an inlined node. */
static void
put_child(const suite_t *suite, bl_buf_t *out, mpt_node_t *child)
{
    if (child == NULL) {
        rlp_put_bytes(out, "", 0);
        return;
    }
    mpt_node_ref(suite, child);
    if (child->ref_len == MPT_HASH_LEN)
        rlp_put_bytes(out, child->ref, MPT_HASH_LEN);
    else
        rlp_put_raw(out, child->ref, child->ref_len);
}

static void
put_path(bl_buf_t *out, const bl_buf_t *path, bool is_leaf)
{
    bl_buf_t hp = BL_BUF_INIT;

    mpt_hp_encode(path->data, path->len, is_leaf, &hp);
    rlp_put_bytes(out, hp.data, hp.len);
    bl_buf_free(&hp);
}

/* Never called on an MPT_NODE_HASH node: its reference is always known, so mpt_node_ref()
 * does not encode it, and walks resolve a node before they encode it. */
void
mpt_node_encode(const suite_t *suite, mpt_node_t *n, bl_buf_t *out)
{
    size_t start;

    bl_buf_clear(out);
    start = rlp_list_begin(out);
    switch (n->kind) {
    case MPT_NODE_LEAF:
        put_path(out, &n->path, true);
        rlp_put_bytes(out, n->value.data, n->value.len);
        break;
    case MPT_NODE_EXTENSION:
        put_path(out, &n->path, false);
        put_child(suite, out, n->next);
        break;
    case MPT_NODE_BRANCH:
        for (int i = 0; i < 16; i++)
            put_child(suite, out, n->children[i]);
        rlp_put_bytes(out, n->value.data, n->value.len);
        break;
    case MPT_NODE_HASH:
        break;
    }
    rlp_list_end(out, start);
    set_ref(suite, n, bl_buf_span(out));
}

void
mpt_node_ref(const suite_t *suite, mpt_node_t *n)
{
    bl_buf_t rlp = BL_BUF_INIT;

    if (n->ref_len > 0)
        return;
    mpt_node_encode(suite, n, &rlp);
    bl_buf_free(&rlp);
}

void
mpt_node_hash(const suite_t *suite, mpt_node_t *n, uint8_t hash[MPT_HASH_LEN])
{
    mpt_node_ref(suite, n);
    if (n->ref_len == MPT_HASH_LEN)
        memcpy(hash, n->ref, MPT_HASH_LEN);
    else
        suite->hash(n->ref, n->ref_len, hash);
}

/* ---- decoding ---- */

static int decode_list(const suite_t *suite, const rlp_item_t *list, mpt_node_t **out);

/* One child reference: "" (no child, allowed only in a branch), a 32-byte hash, or an inlined
 * node of under 32 bytes. */
static int
decode_child(const suite_t *suite, const rlp_item_t *item, bool may_be_empty, mpt_node_t **out)
{
    int err;

    *out = NULL;
    if (!item->is_list && item->payload.len == 0) {
        if (may_be_empty)
            return BL_OK;
        return bl_fail(BL_E_FORMAT, "an extension must lead somewhere, but its child is empty");
    }
    if (!item->is_list) {
        if (item->payload.len != MPT_HASH_LEN)
            return bl_fail(BL_E_FORMAT, "a child reference of %zu bytes: it must be a 32-byte "
                           "hash or an inlined node", item->payload.len);
        *out = mpt_node_new(MPT_NODE_HASH);
        memcpy((*out)->ref, item->payload.ptr, MPT_HASH_LEN);
        (*out)->ref_len = MPT_HASH_LEN;
        (*out)->stored = true;
        return BL_OK;
    }
    if (item->raw.len >= MPT_HASH_LEN)
        return bl_fail(BL_E_FORMAT, "an inlined child of %zu bytes: nodes of 32 bytes or more "
                       "are referred to by hash", item->raw.len);
    if ((err = decode_list(suite, item, out)) != BL_OK)
        return err;
    memcpy((*out)->ref, item->raw.ptr, item->raw.len);
    (*out)->ref_len = item->raw.len;
    (*out)->stored = true;
    return BL_OK;
}

/* [HP(path), value] or [HP(path), child]: the flag in the path says which. */
static int
decode_short(const suite_t *suite, const rlp_item_t *items, mpt_node_t *n)
{
    bool is_leaf;
    int err;

    if (items[0].is_list)
        return bl_fail(BL_E_FORMAT, "a leaf or extension starts with a list, not a path");
    if ((err = mpt_hp_decode(items[0].payload, &n->path, &is_leaf)) != BL_OK)
        return err;
    if (is_leaf) {
        n->kind = MPT_NODE_LEAF;
        if (items[1].is_list || items[1].payload.len == 0)
            return bl_fail(BL_E_FORMAT, "a leaf's value must be a non-empty string");
        bl_buf_append(&n->value, items[1].payload.ptr, items[1].payload.len);
        return BL_OK;
    }
    n->kind = MPT_NODE_EXTENSION;
    if (n->path.len == 0)
        return bl_fail(BL_E_FORMAT, "an extension with an empty path");
    return decode_child(suite, &items[1], false, &n->next);
}

/* [child 0, ..., child 15, value] */
static int
decode_branch(const suite_t *suite, const rlp_item_t *items, mpt_node_t *n)
{
    int err;

    n->kind = MPT_NODE_BRANCH;
    for (int i = 0; i < 16; i++)
        if ((err = decode_child(suite, &items[i], true, &n->children[i])) != BL_OK)
            return err;
    if (items[16].is_list)
        return bl_fail(BL_E_FORMAT, "a branch's value must be a string, not a list");
    bl_buf_append(&n->value, items[16].payload.ptr, items[16].payload.len);
    return BL_OK;
}

static int
decode_list(const suite_t *suite, const rlp_item_t *list, mpt_node_t **out)
{
    rlp_item_t items[17];
    mpt_node_t *n = mpt_node_new(MPT_NODE_BRANCH);
    size_t count = 0;
    int err;

    if (!list->is_list) {
        err = bl_fail(BL_E_FORMAT, "a trie node must be an RLP list, not a string");
        goto out;
    }
    if ((err = rlp_list_count(list, &count)) != BL_OK)
        goto out;
    if (count == 2) {
        if ((err = rlp_list_exact(list, items, 2, "trie node")) == BL_OK)
            err = decode_short(suite, items, n);
    } else if (count == 17) {
        if ((err = rlp_list_exact(list, items, 17, "branch node")) == BL_OK)
            err = decode_branch(suite, items, n);
    } else {
        err = bl_fail(BL_E_FORMAT, "a trie node is a list of 2 or 17 items, not %zu", count);
    }
out:
    if (err != BL_OK) {
        mpt_node_free(n);
        n = NULL;
    }
    *out = n;
    return err;
}

int
mpt_node_decode(const suite_t *suite, bl_span_t rlp, mpt_node_t **out)
{
    rlp_item_t item;
    int err;

    *out = NULL;
    if ((err = rlp_decode(rlp, &item)) != BL_OK)
        return err;
    if ((err = decode_list(suite, &item, out)) != BL_OK)
        return err;
    set_ref(suite, *out, rlp);
    (*out)->stored = true;
    return BL_OK;
}
