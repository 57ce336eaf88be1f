/*
 * 05-mpt-insert.c — the reference solution of exercise 05 (exercises/05-mpt-insert): inserting
 * a key into a Merkle Patricia Trie kept in memory.
 *
 * The key becomes a path of nibbles, and the insert walks down it from the top:
 *   - an empty slot gets a new leaf holding the whole rest of the path;
 *   - a branch spends one nibble to choose the child to go on in (or, when no nibble is left,
 *     takes the value itself);
 *   - a leaf or an extension first counts how many nibbles of its path the key shares. An
 *     extension whose whole path is shared is passed through; the same key in a leaf gets the
 *     new value. Otherwise the two part there, and `split` puts a branch at that point.
 * The real thing, which also reads nodes from a store, is src/storage/mpt.c.
 */
#include "mpt_insert.h"

/* The nibbles of key, high half of each byte first: 0x1a2b -> 1,a,2,b. */
static size_t
key_to_path(const uint8_t *key, size_t key_len, uint8_t path[EX_MPT_MAX_PATH])
{
    for (size_t i = 0; i < key_len; i++) {
        path[2 * i] = key[i] >> 4;
        path[2 * i + 1] = key[i] & 0x0f;
    }
    return 2 * key_len;
}

static size_t
shared_nibbles(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t i = 0;

    while (i < alen && i < blen && a[i] == b[i])
        i++;
    return i;
}

static ex_mpt_node_t *
new_leaf(const uint8_t *path, size_t len, const uint8_t *value, size_t value_len)
{
    ex_mpt_node_t *leaf = ex_mpt_node_new(EX_MPT_LEAF);

    memcpy(leaf->path, path, len);
    leaf->path_len = len;
    ex_mpt_set_value(leaf, value, value_len);
    return leaf;
}

/* A leaf or an extension goes one level down, under a branch that now spends the first
 * `count` nibbles of its path. An extension left with no nibbles gives way to its branch. */
static ex_mpt_node_t *
drop_nibbles(ex_mpt_node_t *n, size_t count)
{
    ex_mpt_node_t *below;

    if (n->kind == EX_MPT_EXTENSION && n->path_len == count) {
        below = n->next;
        n->next = NULL;
        ex_mpt_free(n);
        return below;
    }
    memmove(n->path, n->path + count, n->path_len - count);
    n->path_len -= count;
    return n;
}

/* The leaf or extension `old` and the new key's path share their first `common` nibbles and
 * then part (or one of them ends there). The result: a branch at the parting point, holding
 * both, under an extension for the shared nibbles when there are any. */
static ex_mpt_node_t *
split(ex_mpt_node_t *old, size_t common, const uint8_t *path, size_t len, const uint8_t *value,
      size_t value_len)
{
    ex_mpt_node_t *branch = ex_mpt_node_new(EX_MPT_BRANCH), *ext;

    if (old->path_len == common) {
        /* only a leaf can end here (an extension this short would have been passed through):
         * its key ends at the branch, so its value becomes the branch's value */
        ex_mpt_set_value(branch, old->value, old->value_len);
        ex_mpt_free(old);
    } else {
        uint8_t slot = old->path[common];
        branch->children[slot] = drop_nibbles(old, common + 1);
    }
    if (len == common)
        ex_mpt_set_value(branch, value, value_len);
    else
        branch->children[path[common]] =
            new_leaf(path + common + 1, len - common - 1, value, value_len);
    if (common == 0)
        return branch;
    ext = ex_mpt_node_new(EX_MPT_EXTENSION);
    memcpy(ext->path, path, common);
    ext->path_len = common;
    ext->next = branch;
    return ext;
}

/* Insert the rest of a path into the subtree whose top is *slot. */
static void
insert_path(ex_mpt_node_t **slot, const uint8_t *path, size_t len, const uint8_t *value,
            size_t value_len)
{
    ex_mpt_node_t *n = *slot;
    size_t common;

    if (n == NULL) {
        *slot = new_leaf(path, len, value, value_len);
        return;
    }
    if (n->kind == EX_MPT_BRANCH) {
        if (len == 0)
            ex_mpt_set_value(n, value, value_len);
        else
            insert_path(&n->children[path[0]], path + 1, len - 1, value, value_len);
        return;
    }
    common = shared_nibbles(n->path, n->path_len, path, len);
    if (n->kind == EX_MPT_LEAF && common == n->path_len && common == len)
        ex_mpt_set_value(n, value, value_len); /* the same key: a new value */
    else if (n->kind == EX_MPT_EXTENSION && common == n->path_len)
        insert_path(&n->next, path + common, len - common, value, value_len);
    else
        *slot = split(n, common, path, len, value, value_len);
}

int
ex_mpt_insert(ex_mpt_node_t **root, const uint8_t *key, size_t key_len, const uint8_t *value,
              size_t value_len)
{
    uint8_t path[EX_MPT_MAX_PATH];
    size_t len;

    if (root == NULL)
        return bl_fail(BL_E_INVALID, "no trie to insert into (root is NULL)");
    if (key == NULL && key_len > 0)
        return bl_fail(BL_E_INVALID, "the key is NULL but said to be %zu bytes", key_len);
    if (key_len > EX_MPT_MAX_KEY)
        return bl_fail(BL_E_INVALID, "a key of %zu bytes; at most %d fit", key_len,
                       EX_MPT_MAX_KEY);
    if (value == NULL || value_len == 0)
        return bl_fail(BL_E_INVALID, "an empty value (in Ethereum it would delete the key; "
                       "this trie only inserts)");
    len = key_to_path(key, key_len, path);
    insert_path(root, path, len, value, value_len);
    return BL_OK;
}
