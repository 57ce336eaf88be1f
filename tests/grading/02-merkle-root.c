/*
 * 02-merkle-root.c — reference solution of exercise 02 (exercises/02-merkle-root/merkle_root.h).
 *
 * The tree is built one level at a time. A level is an array of nodes, each a byte string: the
 * leaves are RLP(i) ‖ H_i (33 to 41 bytes), every node above them a 32-byte hash.
 */
#include "merkle_root.h"

#include <stdlib.h>

#include "base/bytes.h"
#include "base/error.h"
#include "codec/rlp.h"

#define FANOUT 16

static void free_level(bl_buf_t *nodes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        bl_buf_free(&nodes[i]);
    free(nodes);
}

/* The parent of nodes[0..count): the hash of their bytes, one after another. */
static void hash_group(const suite_t *suite, const bl_buf_t *nodes, size_t count, bl_buf_t *out)
{
    bl_buf_t joined = BL_BUF_INIT;
    uint8_t h[32];

    for (size_t i = 0; i < count; i++)
        bl_buf_append(&joined, nodes[i].data, nodes[i].len);
    suite->hash(joined.data, joined.len, h);
    bl_buf_append(out, h, 32);
    bl_buf_free(&joined);
}

void ex_merkle_root(const suite_t *suite, const uint8_t (*hashes)[32], size_t n,
                    uint8_t root[32])
{
    bl_buf_t *level;
    size_t count = n;

    if (n == 0) {
        suite->hash("", 0, root);
        return;
    }
    level = bl_xcalloc(n, sizeof *level);
    for (size_t i = 0; i < n; i++) {
        rlp_put_uint(&level[i], i);
        bl_buf_append(&level[i], hashes[i], 32);
    }
    while (count > 1) {
        size_t groups = (count + FANOUT - 1) / FANOUT;
        bl_buf_t *up = bl_xcalloc(groups, sizeof *up);

        for (size_t g = 0; g < groups; g++) {
            size_t first = g * FANOUT;
            size_t size = count - first < FANOUT ? count - first : FANOUT;

            hash_group(suite, level + first, size, &up[g]);
        }
        free_level(level, count);
        level = up;
        count = groups;
    }
    /* FISCO hashes the last node once more, even a lone leaf */
    suite->hash(level[0].data, level[0].len, root);
    free_level(level, 1);
}
