/*
 * hashmap.h — a map from byte-string keys to pointers (a hash table).
 *
 * Looking something up by name — a table by its name, a row list by its primary key, a cached
 * entry by (table, key) — must not mean walking a list, or a block with ten thousand writes
 * slows to a crawl. A hash table turns a key into a number (its hash), uses the number to pick
 * a slot in an array, and finds the key there or a few slots further on.
 *
 * This one uses "open addressing with linear probing": all entries live in one array; a key
 * goes to slot hash % capacity, or, if that slot is taken, to the next free one after it. A
 * lookup walks from the home slot until it finds the key or an empty slot. Removing an entry
 * leaves a "tombstone" so that walks for keys stored beyond it do not stop early. When the
 * array is 70% full (entries + tombstones) it doubles and every entry is placed again.
 *
 * The map copies keys (any bytes, NULs allowed) and stores values as void pointers it does not
 * own: the caller frees its values (bl_map_clear/bl_map_free can call a function on each). The
 * order in which bl_map_next() visits entries is arbitrary: sort if order matters.
 */
#ifndef BL_BASE_HASHMAP_H
#define BL_BASE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

typedef struct {
    uint8_t *key;   /* NULL: empty slot (or a tombstone, if tomb is set) */
    size_t len;
    uint64_t hash;
    void *value;
    bool tomb;
} bl_map_slot_t;

typedef struct {
    bl_map_slot_t *slots;
    size_t cap;    /* number of slots: 0 or a power of two */
    size_t count;  /* live entries */
    size_t tombs;  /* removed entries still marking their slot */
} bl_map_t;

void bl_map_init(bl_map_t *m);
/* Forget every entry; free_value (may be NULL) is called on each value first. */
void bl_map_clear(bl_map_t *m, void (*free_value)(void *value));
void bl_map_free(bl_map_t *m, void (*free_value)(void *value));

/* The value stored under key, or NULL if there is none. */
void *bl_map_get(const bl_map_t *m, const void *key, size_t len);
/* Store value under key; returns the value it replaces, or NULL. */
void *bl_map_put(bl_map_t *m, const void *key, size_t len, void *value);
/* Remove key; returns its value, or NULL if it was not there. */
void *bl_map_remove(bl_map_t *m, const void *key, size_t len);

/* The same with a NUL-terminated key. */
void *bl_map_get_str(const bl_map_t *m, const char *key);
void *bl_map_put_str(bl_map_t *m, const char *key, void *value);
void *bl_map_remove_str(bl_map_t *m, const char *key);

/* Visit every entry: start with *pos = 0, call while it returns true. The map must not change
 * during the walk. */
bool bl_map_next(const bl_map_t *m, size_t *pos, bl_span_t *key, void **value);

#endif
