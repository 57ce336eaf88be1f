/*
 * merkle.c — FISCO's 16-ary Merkle root, level by level.
 *
 * Each level is kept as one byte buffer of concatenated nodes plus their offsets, because the
 * leaves (RLP(i) ‖ hash, 33 to 37 bytes) are not all the same length while every node above
 * them is a 32-byte hash.
 */
#include "ledger/merkle.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"
#include "codec/rlp.h"

typedef struct {
    bl_buf_t bytes;   /* the nodes, one after another */
    size_t *offsets;  /* offsets[k] = where node k starts; offsets[count] = bytes.len */
    size_t count;
} level_t;

static void
level_init(level_t *lv, size_t count)
{
    bl_buf_init(&lv->bytes);
    lv->offsets = bl_xcalloc(count + 1, sizeof *lv->offsets);
    lv->count = 0;
}

static void
level_free(level_t *lv)
{
    bl_buf_free(&lv->bytes);
    free(lv->offsets);
}

static void
level_add(level_t *lv, const void *node, size_t len)
{
    bl_buf_append(&lv->bytes, node, len);
    lv->count++;
    lv->offsets[lv->count] = lv->bytes.len;
}

/* The leaves: RLP(i) followed by the item's hash. */
static void
make_leaves(level_t *lv, const uint8_t (*hashes)[32], size_t n)
{
    bl_buf_t leaf = BL_BUF_INIT;

    level_init(lv, n);
    for (size_t i = 0; i < n; i++) {
        bl_buf_clear(&leaf);
        rlp_put_uint(&leaf, i);
        bl_buf_append(&leaf, hashes[i], 32);
        level_add(lv, leaf.data, leaf.len);
    }
    bl_buf_free(&leaf);
}

/* One level up: every group of up to 16 consecutive nodes becomes the hash of their bytes. */
static void
make_parent_level(const suite_t *suite, const level_t *lv, level_t *up)
{
    size_t groups = (lv->count + MERKLE_FANOUT - 1) / MERKLE_FANOUT;
    uint8_t h[32];

    level_init(up, groups);
    for (size_t g = 0; g < groups; g++) {
        size_t first = g * MERKLE_FANOUT;
        size_t last = first + MERKLE_FANOUT < lv->count ? first + MERKLE_FANOUT : lv->count;
        size_t start = lv->offsets[first];

        suite->hash(lv->bytes.data + start, lv->offsets[last] - start, h);
        level_add(up, h, 32);
    }
}

void
merkle_root(const suite_t *suite, const uint8_t (*hashes)[32], size_t n, uint8_t root[32])
{
    level_t lv, up;

    if (n == 0) {
        suite->hash("", 0, root);
        return;
    }
    make_leaves(&lv, hashes, n);
    while (lv.count > 1) {
        make_parent_level(suite, &lv, &up);
        level_free(&lv);
        lv = up;
    }
    /* FISCO hashes the last node once more, even when it is a single leaf */
    suite->hash(lv.bytes.data, lv.bytes.len, root);
    level_free(&lv);
}
