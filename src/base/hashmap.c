/*
 * hashmap.c — open addressing with linear probing (see hashmap.h for the idea).
 *
 * The hash is 64-bit FNV-1a: for each byte, xor it in and multiply by a large prime. It is not
 * secure against someone choosing keys to collide, but the keys here come from the node's own
 * tables and a collision only costs time, never a wrong answer.
 */
#include "base/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define MAP_MIN_CAP 16

static uint64_t
fnv1a(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint64_t h = 14695981039346656037ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void
bl_map_init(bl_map_t *m)
{
    memset(m, 0, sizeof *m);
}

void
bl_map_clear(bl_map_t *m, void (*free_value)(void *value))
{
    for (size_t i = 0; i < m->cap; i++) {
        bl_map_slot_t *s = &m->slots[i];

        if (s->key != NULL && free_value != NULL)
            free_value(s->value);
        free(s->key);
        memset(s, 0, sizeof *s);
    }
    m->count = 0;
    m->tombs = 0;
}

void
bl_map_free(bl_map_t *m, void (*free_value)(void *value))
{
    bl_map_clear(m, free_value);
    free(m->slots);
    bl_map_init(m);
}

/* The slot holding key, or NULL. */
static bl_map_slot_t *
find(const bl_map_t *m, const void *key, size_t len, uint64_t h)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        bl_map_slot_t *s = &m->slots[i];

        if (s->key == NULL && !s->tomb)
            return NULL; /* an empty slot ends every walk */
        if (s->key != NULL && s->hash == h && s->len == len &&
            (len == 0 || memcmp(s->key, key, len) == 0))
            return s;
    }
}

/* Place an entry whose key is not in the map, in the first free slot of its walk. */
static void
place(bl_map_t *m, uint8_t *key, size_t len, uint64_t h, void *value)
{
    size_t i = h & (m->cap - 1);

    while (m->slots[i].key != NULL)
        i = (i + 1) & (m->cap - 1);
    if (m->slots[i].tomb)
        m->tombs--;
    m->slots[i] = (bl_map_slot_t){ key, len, h, value, false };
    m->count++;
}

/* Make room for one more entry. At 70% full the array is rebuilt: twice as big, or the same
 * size if most of the used slots are only tombstones. */
static void
grow_if_needed(bl_map_t *m)
{
    bl_map_slot_t *old = m->slots;
    size_t old_cap = m->cap;

    if (old_cap != 0 && (m->count + m->tombs + 1) * 10 < old_cap * 7)
        return;
    if (old_cap == 0)
        m->cap = MAP_MIN_CAP;
    else if (m->count * 10 < old_cap * 3)
        m->cap = old_cap;
    else
        m->cap = 2 * old_cap;
    m->slots = bl_xcalloc(m->cap, sizeof *m->slots);
    m->count = 0;
    m->tombs = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != NULL)
            place(m, old[i].key, old[i].len, old[i].hash, old[i].value);
    free(old);
}

void *
bl_map_get(const bl_map_t *m, const void *key, size_t len)
{
    bl_map_slot_t *s = find(m, key, len, fnv1a(key, len));

    return s ? s->value : NULL;
}

void *
bl_map_put(bl_map_t *m, const void *key, size_t len, void *value)
{
    uint64_t h = fnv1a(key, len);
    bl_map_slot_t *s = find(m, key, len, h);
    uint8_t *copy;

    if (s != NULL) {
        void *old = s->value;

        s->value = value;
        return old;
    }
    grow_if_needed(m);
    copy = bl_xmalloc(len ? len : 1);
    if (len)
        memcpy(copy, key, len);
    place(m, copy, len, h, value);
    return NULL;
}

void *
bl_map_remove(bl_map_t *m, const void *key, size_t len)
{
    bl_map_slot_t *s = find(m, key, len, fnv1a(key, len));
    void *value;

    if (s == NULL)
        return NULL;
    value = s->value;
    free(s->key);
    *s = (bl_map_slot_t){ NULL, 0, 0, NULL, true };
    m->count--;
    m->tombs++;
    return value;
}

void *
bl_map_get_str(const bl_map_t *m, const char *key)
{
    return bl_map_get(m, key, strlen(key));
}

void *
bl_map_put_str(bl_map_t *m, const char *key, void *value)
{
    return bl_map_put(m, key, strlen(key), value);
}

void *
bl_map_remove_str(bl_map_t *m, const char *key)
{
    return bl_map_remove(m, key, strlen(key));
}

bool
bl_map_next(const bl_map_t *m, size_t *pos, bl_span_t *key, void **value)
{
    while (*pos < m->cap) {
        const bl_map_slot_t *s = &m->slots[(*pos)++];

        if (s->key != NULL) {
            if (key != NULL)
                *key = bl_span(s->key, s->len);
            if (value != NULL)
                *value = s->value;
            return true;
        }
    }
    return false;
}
