/*
 * test_hashmap.c — the byte-string hash map (base/hashmap.h).
 *
 * Pins down: a missing key reads as NULL; put replaces and returns the old value; keys are
 * bytes (NULs and the empty key included) and are copied; remove leaves the other keys
 * reachable even when they sit beyond the removed one in the probe sequence (tombstones);
 * the map grows and rebuilds without losing anything; bl_map_next visits every entry once;
 * and a few thousand random operations agree with a plain array model.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hashmap.h"

static void
hashmap_missing_key_is_null_and_put_replaces(void **state)
{
    bl_map_t m;
    int a = 1, b = 2;

    (void)state;
    bl_map_init(&m);
    assert_null(bl_map_get_str(&m, "x"));
    assert_null(bl_map_remove_str(&m, "x"));
    assert_null(bl_map_put_str(&m, "x", &a));
    assert_ptr_equal(bl_map_put_str(&m, "x", &b), &a);
    assert_ptr_equal(bl_map_get_str(&m, "x"), &b);
    assert_int_equal(m.count, 1);
    bl_map_free(&m, NULL);
}

/* Keys are any bytes, copied by the map: "a\0b" and "a\0c" differ, "" is a key. */
static void
hashmap_keys_are_copied_bytes(void **state)
{
    bl_map_t m;
    char key[4] = { 'a', 0, 'b', 0 };
    int v1 = 1, v2 = 2, v3 = 3;

    (void)state;
    bl_map_init(&m);
    bl_map_put(&m, key, 3, &v1);
    key[2] = 'c';
    bl_map_put(&m, key, 3, &v2);
    bl_map_put(&m, "", 0, &v3);
    assert_ptr_equal(bl_map_get(&m, "a\0b", 3), &v1);
    assert_ptr_equal(bl_map_get(&m, "a\0c", 3), &v2);
    assert_ptr_equal(bl_map_get(&m, "", 0), &v3);
    assert_null(bl_map_get(&m, "a", 1));
    bl_map_free(&m, NULL);
}

static void
free_int(void *p)
{
    free(p);
}

/* Many keys: growth keeps them all; removing half keeps the other half reachable; the walk
 * sees each live entry once. */
static void
hashmap_grows_removes_and_walks(void **state)
{
    bl_map_t m;
    char key[16];
    size_t pos = 0, seen = 0;
    bl_span_t k;
    void *v;

    (void)state;
    bl_map_init(&m);
    for (int i = 0; i < 5000; i++) {
        int *p = malloc(sizeof *p);

        *p = i;
        snprintf(key, sizeof key, "key%d", i);
        bl_map_put_str(&m, key, p);
    }
    for (int i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        free(bl_map_remove_str(&m, key));
    }
    assert_int_equal(m.count, 2500);
    for (int i = 0; i < 5000; i++) {
        int *p;

        snprintf(key, sizeof key, "key%d", i);
        p = bl_map_get_str(&m, key);
        if (i % 2 == 0)
            assert_null(p);
        else
            assert_int_equal(*p, i);
    }
    while (bl_map_next(&m, &pos, &k, &v)) {
        assert_true(k.len > 3 && memcmp(k.ptr, "key", 3) == 0);
        assert_int_equal(*(int *)v % 2, 1);
        seen++;
    }
    assert_int_equal(seen, 2500);
    bl_map_clear(&m, free_int);
    assert_int_equal(m.count, 0);
    assert_null(bl_map_get_str(&m, "key1"));
    bl_map_free(&m, NULL);
}

/* Put and remove at random over a small key space, again and again (tombstones pile up and
 * the table rebuilds in place): the map always agrees with an array. */
static void
hashmap_random_ops_match_a_model(void **state)
{
    bl_map_t m;
    int model[64] = { 0 }, values[64];
    uint64_t s = 99;

    (void)state;
    bl_map_init(&m);
    for (int i = 0; i < 64; i++)
        values[i] = i;
    for (int op = 0; op < 20000; op++) {
        char key[16];
        int k;

        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        k = (int)((s >> 33) % 64);
        snprintf(key, sizeof key, "k%d", k);
        if ((s >> 20) % 2) {
            bl_map_put_str(&m, key, &values[k]);
            model[k] = 1;
        } else {
            bl_map_remove_str(&m, key);
            model[k] = 0;
        }
        assert_true((bl_map_get_str(&m, key) != NULL) == model[k]);
    }
    for (int k = 0; k < 64; k++) {
        char key[16];

        snprintf(key, sizeof key, "k%d", k);
        assert_true((bl_map_get_str(&m, key) == &values[k]) == model[k]);
    }
    assert_true(m.count + m.tombs < m.cap);
    bl_map_free(&m, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hashmap_missing_key_is_null_and_put_replaces),
        cmocka_unit_test(hashmap_keys_are_copied_bytes),
        cmocka_unit_test(hashmap_grows_removes_and_walks),
        cmocka_unit_test(hashmap_random_ops_match_a_model),
    };

    return cmocka_run_group_tests_name("hashmap", tests, NULL, NULL);
}
