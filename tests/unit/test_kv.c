/*
 * test_kv.c — the key-value backends: one set of behaviour tests, run on memory, RocksDB and
 * SQLite alike.
 *
 * Pins down kv.h: a missing key is BL_E_NOTFOUND; empty keys, empty values and keys with zero
 * bytes are ordinary keys; a batch applies its ops in order (later ones win); scans visit the
 * half-open range [from, to) in bytewise order, which is therefore the same on every backend;
 * a scan stops when visit says so and passes visit's error on; a store reopened from disk has
 * everything written to it; and a few thousand random operations leave every backend exactly
 * where a simple model says it should be. Crash safety is in test_kv_crash.c.
 *
 * main() registers every behaviour test once per backend, named <rule>_<backend>, so a failure
 * says which backend broke the rule.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "storage/kv.h"

/* Mutable arrays because cmocka's initial_state is a plain void pointer. */
static char backends[3][8] = { "memory", "rocksdb", "sqlite" };

/* ---- a fresh store per test ---- */

typedef struct {
    const char *backend;
    char path[512];
    kv_t *kv;
} fixture_t;

/* Each store gets its own path in the group's scratch directory. */
static void
fresh_path(const char *backend, char *path, size_t size)
{
    static int made;

    snprintf(path, size, "%s/%d-%s%s", tu_dir, ++made, backend,
             strcmp(backend, "sqlite") == 0 ? ".db" : "");
}

static int
open_store(void **state)
{
    fixture_t *f = bl_xcalloc(1, sizeof *f);

    f->backend = *state;
    fresh_path(f->backend, f->path, sizeof f->path);
    if (kv_open(f->backend, f->path, &f->kv) != BL_OK) {
        print_error("cannot open a %s store: %s\n", f->backend, bl_errmsg());
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int
close_store(void **state)
{
    fixture_t *f = *state;

    kv_close(f->kv);
    free(f);
    return 0;
}

/* ---- small helpers ---- */

static void
put_ok(kv_t *kv, bl_span_t key, bl_span_t value)
{
    assert_int_equal(kv_put(kv, key, value), BL_OK);
}

static void
assert_value(kv_t *kv, bl_span_t key, bl_span_t want)
{
    bl_buf_t got = BL_BUF_INIT;

    if (kv_get(kv, key, &got) != BL_OK)
        fail_msg("get failed: %s", bl_errmsg());
    assert_true(bl_span_eq(bl_buf_span(&got), want));
    bl_buf_free(&got);
}

static void
assert_missing(kv_t *kv, bl_span_t key)
{
    bl_buf_t got = BL_BUF_INIT;

    assert_int_equal(kv_get(kv, key, &got), BL_E_NOTFOUND);
    bl_buf_free(&got);
}

/* What a scan visited, in order. visit answers 1 ("stop") after stop_after pairs, or
 * fail_with (a BL_E_* code) when it sees the fail_at'th pair, counting from 1. */
typedef struct {
    bl_buf_t *keys;
    bl_buf_t *values;
    size_t count;
    size_t stop_after;
    size_t fail_at;
    int fail_with;
} seen_t;

static int
collect(void *arg, bl_span_t key, bl_span_t value)
{
    seen_t *s = arg;

    s->keys = bl_xrealloc(s->keys, (s->count + 1) * sizeof *s->keys);
    s->values = bl_xrealloc(s->values, (s->count + 1) * sizeof *s->values);
    bl_buf_init(&s->keys[s->count]);
    bl_buf_init(&s->values[s->count]);
    bl_buf_append(&s->keys[s->count], key.ptr, key.len);
    bl_buf_append(&s->values[s->count], value.ptr, value.len);
    s->count++;
    if (s->fail_at != 0 && s->count == s->fail_at)
        return s->fail_with;
    return s->stop_after != 0 && s->count == s->stop_after;
}

static void
seen_free(seen_t *s)
{
    for (size_t i = 0; i < s->count; i++) {
        bl_buf_free(&s->keys[i]);
        bl_buf_free(&s->values[i]);
    }
    free(s->keys);
    free(s->values);
    memset(s, 0, sizeof *s);
}

/* Fail unless the scan visited exactly these keys, in this order. */
static void
assert_seen_keys(const seen_t *s, const bl_span_t *want, size_t n)
{
    assert_int_equal(s->count, n);
    for (size_t i = 0; i < n; i++) {
        if (!bl_span_eq(bl_buf_span(&s->keys[i]), want[i])) {
            char *got = bl_hex_string(s->keys[i].data, s->keys[i].len);
            char *exp = bl_hex_string(want[i].ptr, want[i].len);

            print_error("scan position %zu holds key %s, expected %s\n", i, got, exp);
            free(got);
            free(exp);
            fail();
        }
    }
}

static void
assert_scan(kv_t *kv, bl_span_t from, bl_span_t to, const bl_span_t *want, size_t n)
{
    seen_t s = { 0 };

    assert_int_equal(kv_scan(kv, from, to, collect, &s), BL_OK);
    assert_seen_keys(&s, want, n);
    seen_free(&s);
}

static void
assert_prefix_scan(kv_t *kv, bl_span_t prefix, const bl_span_t *want, size_t n)
{
    seen_t s = { 0 };

    assert_int_equal(kv_scan_prefix(kv, prefix, collect, &s), BL_OK);
    assert_seen_keys(&s, want, n);
    seen_free(&s);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the behaviour tests (each runs once per backend) ---- */

/* kv.h: BL_E_NOTFOUND with the value untouched, and a message that names the store. */
static void
kv_get_of_a_missing_key_is_notfound(void **state)
{
    fixture_t *f = *state;
    bl_buf_t value = BL_BUF_INIT;

    bl_buf_append(&value, "keep", 4);
    assert_int_equal(kv_get(f->kv, tu_str("nothing"), &value), BL_E_NOTFOUND);
    assert_true(bl_span_eq(bl_buf_span(&value), tu_str("keep")));
    assert_non_null(strstr(bl_errmsg(), f->backend));
    assert_string_equal(kv_backend_name(f->kv), f->backend);
    bl_buf_free(&value);
}

/* A put is readable at once; a second put replaces the value (and kv_get replaces what the
 * buffer held); a delete removes the key; deleting a missing key is not an error. */
static void
kv_put_get_overwrite_delete(void **state)
{
    fixture_t *f = *state;

    put_ok(f->kv, tu_str("alpha"), tu_str("one"));
    assert_value(f->kv, tu_str("alpha"), tu_str("one"));
    put_ok(f->kv, tu_str("alpha"), tu_str("twenty-two"));
    assert_value(f->kv, tu_str("alpha"), tu_str("twenty-two"));
    put_ok(f->kv, tu_str("alpha"), tu_str("3"));
    assert_value(f->kv, tu_str("alpha"), tu_str("3"));
    assert_int_equal(kv_delete(f->kv, tu_str("alpha")), BL_OK);
    assert_missing(f->kv, tu_str("alpha"));
    assert_int_equal(kv_delete(f->kv, tu_str("alpha")), BL_OK);
    assert_int_equal(kv_delete(f->kv, tu_str("never-there")), BL_OK);
}

/* The empty key is a key like any other, and an empty value is a value — not a missing key. */
static void
kv_empty_key_and_empty_value_are_legal(void **state)
{
    fixture_t *f = *state;
    bl_span_t order[] = { tu_str(""), tu_str("k") };

    put_ok(f->kv, bl_span(NULL, 0), tu_str("x"));
    put_ok(f->kv, tu_str("k"), bl_span(NULL, 0));
    assert_value(f->kv, tu_str(""), tu_str("x"));
    assert_value(f->kv, tu_str("k"), tu_str(""));
    assert_scan(f->kv, tu_str(""), tu_str(""), order, COUNT(order));
    assert_int_equal(kv_delete(f->kv, tu_str("")), BL_OK);
    assert_missing(f->kv, tu_str(""));
    assert_value(f->kv, tu_str("k"), tu_str(""));
}

/* Keys are bytes, not C strings: a zero byte is part of the key. */
static void
kv_binary_keys_with_zero_bytes_are_distinct(void **state)
{
    fixture_t *f = *state;
    bl_span_t keys[] = { bl_span("\0", 1), bl_span("\0\0", 2), tu_str("a"), bl_span("a\0", 2),
                         bl_span("a\0b", 3), bl_span("a\0c", 3) };
    uint8_t v[2];

    for (size_t i = 0; i < COUNT(keys); i++) {
        v[0] = (uint8_t)i;
        v[1] = 0;
        put_ok(f->kv, keys[i], bl_span(v, 2));
    }
    for (size_t i = 0; i < COUNT(keys); i++) {
        v[0] = (uint8_t)i;
        assert_value(f->kv, keys[i], bl_span(v, 2));
    }
    assert_scan(f->kv, tu_str(""), tu_str(""), keys, COUNT(keys));
}

/* A batch applies its ops in the order they were added: a later op on the same key wins, so
 * put-then-delete leaves nothing and delete-then-put leaves the new value. */
static void
kv_batch_applies_ops_in_order_later_ones_win(void **state)
{
    fixture_t *f = *state;
    kv_batch_t b;

    put_ok(f->kv, tu_str("old"), tu_str("before"));
    kv_batch_init(&b);
    assert_int_equal(kv_write(f->kv, &b), BL_OK); /* empty: a no-op */
    kv_batch_put(&b, tu_str("x"), tu_str("1"));
    kv_batch_put(&b, tu_str("y"), tu_str("2"));
    kv_batch_put(&b, tu_str("x"), tu_str("3"));
    kv_batch_put(&b, tu_str("gone"), tu_str("soon"));
    kv_batch_delete(&b, tu_str("gone"));
    kv_batch_delete(&b, tu_str("old"));
    kv_batch_put(&b, tu_str("old"), tu_str("after"));
    kv_batch_delete(&b, tu_str("never"));
    assert_int_equal(b.count, 8);
    assert_int_equal(kv_write(f->kv, &b), BL_OK);
    assert_value(f->kv, tu_str("x"), tu_str("3"));
    assert_value(f->kv, tu_str("y"), tu_str("2"));
    assert_missing(f->kv, tu_str("gone"));
    assert_value(f->kv, tu_str("old"), tu_str("after"));
    assert_missing(f->kv, tu_str("never"));
    kv_batch_clear(&b);
    assert_int_equal(b.count, 0);
    kv_batch_delete(&b, tu_str("x"));
    assert_int_equal(kv_write(f->kv, &b), BL_OK);
    assert_missing(f->kv, tu_str("x"));
    kv_batch_free(&b);
}

/* kv.h promise 3: bytewise order, shorter first on a tie, bytes unsigned (0x80 and 0xff after
 * 'b'). Every backend must produce this one list, so scans are identical across backends. */
static void
kv_scan_order_is_bytewise(void **state)
{
    fixture_t *f = *state;
    bl_span_t sorted[] = { tu_str(""), bl_span("\0", 1), tu_str("a"), bl_span("a\0", 2),
                           tu_str("a\x01"), tu_str("ab"), tu_str("b"), tu_str("\x7f"),
                           tu_str("\x80"), tu_str("\xff"), tu_str("\xff\xff") };
    /* inserted in a scrambled order */
    static const size_t order[] = { 6, 10, 1, 3, 8, 0, 5, 9, 2, 7, 4 };

    for (size_t i = 0; i < COUNT(order); i++)
        put_ok(f->kv, sorted[order[i]], tu_str("v"));
    assert_scan(f->kv, tu_str(""), tu_str(""), sorted, COUNT(sorted));
}

/* A scan visits from <= key < to; an empty `to` means "to the end"; an empty or backwards
 * range visits nothing; `from` need not be a key that exists. */
static void
kv_scan_visits_exactly_the_half_open_range(void **state)
{
    fixture_t *f = *state;
    bl_span_t all[] = { tu_str("a"), tu_str("b"), tu_str("c"), tu_str("d") };

    for (size_t i = 0; i < COUNT(all); i++)
        put_ok(f->kv, all[i], all[i]);
    assert_scan(f->kv, tu_str("b"), tu_str("d"), all + 1, 2);
    assert_scan(f->kv, tu_str("b"), tu_str(""), all + 1, 3);
    assert_scan(f->kv, tu_str(""), tu_str(""), all, 4);
    assert_scan(f->kv, tu_str("bb"), tu_str(""), all + 2, 2);
    assert_scan(f->kv, tu_str("a"), bl_span("c\0", 2), all, 3);
    assert_scan(f->kv, tu_str("c"), tu_str("c"), NULL, 0);
    assert_scan(f->kv, tu_str("d"), tu_str("b"), NULL, 0);
    assert_scan(f->kv, tu_str("e"), tu_str(""), NULL, 0);
}

/* A prefix scan visits the keys that start with the prefix, including when the prefix ends in
 * 0xff bytes (where "the next key after the prefix" needs a carry) or is only 0xff bytes. */
static void
kv_scan_prefix_visits_keys_that_start_with_it(void **state)
{
    fixture_t *f = *state;
    bl_span_t all[] = { tu_str("ap"), tu_str("app"), tu_str("apple"), tu_str("apq"),
                        tu_str("a\xff"), tu_str("a\xff\x01"), tu_str("b"), tu_str("\xff"),
                        tu_str("\xff\xff"), bl_span("\xff\xff\0", 3) };

    for (size_t i = COUNT(all); i-- > 0;)
        put_ok(f->kv, all[i], tu_str("v"));
    assert_prefix_scan(f->kv, tu_str("ap"), all, 4);
    assert_prefix_scan(f->kv, tu_str("app"), all + 1, 2);
    assert_prefix_scan(f->kv, tu_str("a\xff"), all + 4, 2);
    assert_prefix_scan(f->kv, tu_str("a"), all, 6);
    assert_prefix_scan(f->kv, tu_str("\xff"), all + 7, 3);
    assert_prefix_scan(f->kv, tu_str("\xff\xff"), all + 8, 2);
    assert_prefix_scan(f->kv, tu_str(""), all, COUNT(all));
    assert_prefix_scan(f->kv, tu_str("c"), NULL, 0);
}

/* visit answering 1 stops the scan, which then succeeds; a negative answer stops it too and is
 * what kv_scan returns. */
static void
kv_scan_stops_early_and_passes_visit_errors_on(void **state)
{
    fixture_t *f = *state;
    seen_t s = { 0 };
    const char *keys[] = { "k1", "k2", "k3", "k4" };

    for (size_t i = 0; i < COUNT(keys); i++)
        put_ok(f->kv, tu_str(keys[i]), tu_str("v"));
    s.stop_after = 2;
    assert_int_equal(kv_scan(f->kv, tu_str(""), tu_str(""), collect, &s), BL_OK);
    assert_int_equal(s.count, 2);
    seen_free(&s);
    s.fail_at = 3;
    s.fail_with = BL_E_FORMAT;
    assert_int_equal(kv_scan(f->kv, tu_str(""), tu_str(""), collect, &s), BL_E_FORMAT);
    assert_int_equal(s.count, 3);
    seen_free(&s);
    s.stop_after = 1;
    assert_int_equal(kv_scan_prefix(f->kv, tu_str("k"), collect, &s), BL_OK);
    assert_int_equal(s.count, 1);
    seen_free(&s);
}

/* Reading inside visit is allowed (kv.h forbids only writing): a get and a whole second scan
 * in the middle of a scan see the same data and do not disturb the outer scan. */
typedef struct {
    kv_t *kv;
    size_t outer, inner;
} nested_t;

static int
visit_and_read(void *arg, bl_span_t key, bl_span_t value)
{
    nested_t *n = arg;
    seen_t s = { 0 };
    bl_buf_t again = BL_BUF_INIT;
    int rc = kv_get(n->kv, key, &again);

    if (rc == BL_OK && !bl_span_eq(bl_buf_span(&again), value))
        rc = BL_E_INVALID;
    if (rc == BL_OK)
        rc = kv_scan(n->kv, tu_str(""), tu_str(""), collect, &s);
    n->inner += s.count;
    n->outer++;
    seen_free(&s);
    bl_buf_free(&again);
    return rc;
}

static void
kv_visit_may_read_the_store(void **state)
{
    fixture_t *f = *state;
    nested_t n = { f->kv, 0, 0 };

    put_ok(f->kv, tu_str("one"), tu_str("1"));
    put_ok(f->kv, tu_str("two"), tu_str("2"));
    put_ok(f->kv, tu_str("three"), tu_str("3"));
    assert_int_equal(kv_scan(f->kv, tu_str(""), tu_str(""), visit_and_read, &n), BL_OK);
    assert_int_equal(n.outer, 3);
    assert_int_equal(n.inner, 9);
}

/* ---- persistence (RocksDB and SQLite) ---- */

static void
key_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "key-%05zu", i);
}

/* kv.h promise 2: close, open again, and everything the completed writes left is there —
 * overwritten values in their last version, deleted keys gone. */
static void
kv_reopened_store_has_everything_written(void **state)
{
    fixture_t *f = *state;
    kv_batch_t b;
    seen_t s = { 0 };
    char key[32];

    kv_batch_init(&b);
    for (size_t round = 0; round < 4; round++) {
        for (size_t i = round * 250; i < round * 250 + 500; i++) {
            key_of(i % 1000, key, sizeof key);
            kv_batch_put(&b, tu_str(key), tu_str(round % 2 ? "odd round" : "even round"));
        }
        assert_int_equal(kv_write(f->kv, &b), BL_OK);
        kv_batch_clear(&b);
    }
    for (size_t i = 0; i < 1000; i += 10) {
        key_of(i, key, sizeof key);
        kv_batch_delete(&b, tu_str(key));
    }
    assert_int_equal(kv_write(f->kv, &b), BL_OK);
    kv_batch_free(&b);
    kv_close(f->kv);
    f->kv = NULL;
    if (kv_open(f->backend, f->path, &f->kv) != BL_OK)
        fail_msg("reopen failed: %s", bl_errmsg());
    assert_int_equal(kv_scan(f->kv, tu_str(""), tu_str(""), collect, &s), BL_OK);
    assert_int_equal(s.count, 900);
    for (size_t i = 0; i < 1000; i++) {
        key_of(i, key, sizeof key);
        if (i % 10 == 0)
            assert_missing(f->kv, tu_str(key));
        else /* rounds 0..3 wrote 0-499, 250-749, 500-999, 750-999 and 0-249: round 2 (even)
              * was the last to write 500-749, an odd round the last for every other key */
            assert_value(f->kv, tu_str(key),
                         tu_str(i >= 500 && i < 750 ? "even round" : "odd round"));
    }
    seen_free(&s);
}

/* ---- the randomized model test ---- */

#define MODEL_KEYS 48

/* The reference model: a fixed set of keys and, for each, whether it is present and its value.
 * Nothing clever, so that it is obviously right. sorted[] lists the keys in kv.h order, worked
 * out with its own comparison below, written apart from the backends'. */
typedef struct {
    bl_buf_t key[MODEL_KEYS];
    bool present[MODEL_KEYS];
    bl_buf_t value[MODEL_KEYS];
    size_t sorted[MODEL_KEYS];
} model_t;

static int
model_cmp(const bl_buf_t *a, const bl_buf_t *b)
{
    for (size_t i = 0; i < a->len && i < b->len; i++)
        if (a->data[i] != b->data[i])
            return a->data[i] < b->data[i] ? -1 : 1;
    return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
}

/* Keys of 0 to 3 bytes drawn from bytes that test the order's edges (0x00, 0x7f, 0x80, 0xff),
 * so prefixes and ties are frequent; duplicates are drawn again. */
static void
model_init(model_t *m, bl_rng_t *rng)
{
    static const uint8_t alphabet[] = { 0x00, 0x01, 'a', 'b', 0x7f, 0x80, 0xff };
    size_t n = 0;

    memset(m, 0, sizeof *m);
    while (n < MODEL_KEYS) {
        size_t len = bl_rng_below(rng, 4);
        bool dup = false;

        bl_buf_clear(&m->key[n]);
        for (size_t i = 0; i < len; i++)
            bl_buf_push(&m->key[n], alphabet[bl_rng_below(rng, sizeof alphabet)]);
        for (size_t j = 0; j < n && !dup; j++)
            dup = model_cmp(&m->key[j], &m->key[n]) == 0;
        if (!dup)
            n++;
    }
    for (size_t i = 0; i < MODEL_KEYS; i++) { /* insertion sort of the indexes */
        size_t j = i;

        while (j > 0 && model_cmp(&m->key[m->sorted[j - 1]], &m->key[i]) > 0) {
            m->sorted[j] = m->sorted[j - 1];
            j--;
        }
        m->sorted[j] = i;
    }
}

static void
model_free(model_t *m)
{
    for (size_t i = 0; i < MODEL_KEYS; i++) {
        bl_buf_free(&m->key[i]);
        bl_buf_free(&m->value[i]);
    }
}

/* Usually 0 to 40 random bytes; one time in eight a long value of up to a few pages. */
static void
random_value(bl_rng_t *rng, bl_buf_t *v)
{
    size_t len = bl_rng_below(rng, 8) == 0 ? 300 + bl_rng_below(rng, 5000)
                                          : bl_rng_below(rng, 41);

    bl_buf_clear(v);
    for (size_t i = 0; i < len; i++)
        bl_buf_push(v, (uint8_t)bl_rng_next(rng));
}

/* Fill a batch with 1 to 12 random puts (70%) and deletes (30%) and apply each to the model as
 * it is added: in order, later ops winning, which is what the batch promises. Returns the number
 * of ops. */
static size_t
random_batch(model_t *m, bl_rng_t *rng, kv_batch_t *b)
{
    size_t n = 1 + bl_rng_below(rng, 12);
    bl_buf_t v = BL_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        size_t k = bl_rng_below(rng, MODEL_KEYS);

        if (bl_rng_below(rng, 10) < 3) {
            kv_batch_delete(b, bl_buf_span(&m->key[k]));
            m->present[k] = false;
        } else {
            random_value(rng, &v);
            kv_batch_put(b, bl_buf_span(&m->key[k]), bl_buf_span(&v));
            m->present[k] = true;
            bl_buf_clear(&m->value[k]);
            bl_buf_append(&m->value[k], v.data, v.len);
        }
    }
    bl_buf_free(&v);
    return n;
}

/* Scan [from, to) and compare, pair by pair, with the model's present keys in that range. */
static void
assert_range_matches_model(kv_t *kv, const model_t *m, const bl_buf_t *from, const bl_buf_t *to)
{
    seen_t s = { 0 };
    size_t at = 0;

    assert_int_equal(kv_scan(kv, bl_buf_span(from), bl_buf_span(to), collect, &s), BL_OK);
    for (size_t i = 0; i < MODEL_KEYS; i++) {
        size_t k = m->sorted[i];

        if (!m->present[k] || model_cmp(&m->key[k], from) < 0 ||
            (to->len > 0 && model_cmp(&m->key[k], to) >= 0))
            continue;
        if (at >= s.count)
            fail_msg("the scan is missing keys: it stopped after %zu", s.count);
        assert_int_equal(model_cmp(&s.keys[at], &m->key[k]), 0);
        assert_int_equal(model_cmp(&s.values[at], &m->value[k]), 0);
        at++;
    }
    assert_int_equal(s.count, at);
    seen_free(&s);
}

/* The whole store, one random range and a few random gets agree with the model. */
static void
assert_matches_model(kv_t *kv, const model_t *m, bl_rng_t *rng)
{
    bl_buf_t empty = BL_BUF_INIT, got = BL_BUF_INIT;
    const bl_buf_t *from = &m->key[bl_rng_below(rng, MODEL_KEYS)];
    const bl_buf_t *to = &empty;

    if (bl_rng_below(rng, 4) != 0) /* three times in four a bounded range */
        to = &m->key[bl_rng_below(rng, MODEL_KEYS)];
    assert_range_matches_model(kv, m, &empty, &empty);
    assert_range_matches_model(kv, m, from, to);
    for (int i = 0; i < 4; i++) {
        size_t k = bl_rng_below(rng, MODEL_KEYS);
        int rc = kv_get(kv, bl_buf_span(&m->key[k]), &got);

        assert_int_equal(rc, m->present[k] ? BL_OK : BL_E_NOTFOUND);
        if (m->present[k])
            assert_int_equal(model_cmp(&got, &m->value[k]), 0);
    }
    bl_buf_free(&got);
}

/* A few thousand random puts and deletes in random batches, over a small key set full of
 * prefixes and edge bytes; after every batch the store must equal the model. The seed is fixed,
 * so every backend gets the same operations. */
static void
kv_random_ops_match_a_reference_model(void **state)
{
    fixture_t *f = *state;
    model_t *m = bl_xmalloc(sizeof *m);
    bl_rng_t rng;
    size_t ops = 0;

    bl_rng_seed(&rng, 20240603);
    model_init(m, &rng);
    for (int round = 0; round < 400; round++) {
        kv_batch_t b;

        kv_batch_init(&b);
        ops += random_batch(m, &rng, &b);
        if (kv_write(f->kv, &b) != BL_OK)
            fail_msg("batch %d failed: %s", round, bl_errmsg());
        kv_batch_free(&b);
        assert_matches_model(f->kv, m, &rng);
    }
    assert_true(ops >= 2000);
    model_free(m);
    free(m);
}

/* ---- the memory backend at benchmark size ---- */

static int
check_ascending(void *arg, bl_span_t key, bl_span_t value)
{
    bl_buf_t *prev = arg;
    size_t n = key.len < prev->len ? key.len : prev->len;
    int c = n ? memcmp(prev->data, key.ptr, n) : 0;

    (void)value;
    if (c > 0 || (c == 0 && prev->len >= key.len))
        return BL_E_INVALID;
    bl_buf_clear(prev);
    bl_buf_append(prev, key.ptr, key.len);
    return 0;
}

/* The memory store backs the storage benchmark, so it must take a million keys (in the
 * optimised build; 100000 under the sanitizers) in random order, keep them sorted, and find and
 * delete them (a sample: every 16th). */
static void
kv_memory_holds_a_million_keys_in_order(void **state)
{
    fixture_t *f = *state;
    size_t n = getenv("BL_SLOW_TESTS") != NULL ? 1000000 : 100000;
    bl_rng_t rng;
    uint8_t key[8];
    bl_buf_t prev = BL_BUF_INIT;
    kv_batch_t b;

    bl_rng_seed(&rng, 7);
    kv_batch_init(&b);
    for (size_t i = 0; i < n; i++) {
        bl_put_be(key, bl_rng_next(&rng), 8);
        kv_batch_put(&b, bl_span(key, 8), bl_span(key, 4));
        if (b.count == 10000 || i == n - 1) {
            assert_int_equal(kv_write(f->kv, &b), BL_OK);
            kv_batch_clear(&b);
        }
    }
    assert_int_equal(kv_scan(f->kv, tu_str(""), tu_str(""), check_ascending, &prev), BL_OK);
    bl_rng_seed(&rng, 7); /* the same keys again */
    for (size_t i = 0; i < n; i++) { /* every 16th key: found, then deleted */
        bl_put_be(key, bl_rng_next(&rng), 8);
        if (i % 16 != 0)
            continue;
        assert_value(f->kv, bl_span(key, 8), bl_span(key, 4));
        kv_batch_delete(&b, bl_span(key, 8));
    }
    assert_int_equal(kv_write(f->kv, &b), BL_OK);
    assert_int_equal(tu_kv_count(f->kv), n - (n + 15) / 16);
    kv_batch_free(&b);
    bl_buf_free(&prev);
}

/* ---- opening: bad names and bad files ---- */

/* Only the three backend names are accepted, and the message lists them. */
static void
kv_open_unknown_backend_is_invalid(void **state)
{
    kv_t *kv = (kv_t *)state; /* anything not NULL: kv_open must set it to NULL */

    assert_int_equal(kv_open("leveldb", "/tmp/x", &kv), BL_E_INVALID);
    assert_null(kv);
    assert_non_null(strstr(bl_errmsg(), "leveldb"));
    assert_non_null(strstr(bl_errmsg(), "memory, rocksdb or sqlite"));
    assert_int_equal(kv_open(NULL, "/tmp/x", &kv), BL_E_INVALID);
    assert_int_equal(kv_open("rocksdb", "", &kv), BL_E_INVALID);
    assert_int_equal(kv_open("sqlite", NULL, &kv), BL_E_INVALID);
    assert_null(kv);
}

static void
write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    for (int i = 0; i < 64; i++) /* a few kilobytes, more than a database header */
        fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* A RocksDB directory that is a regular file: BL_E_DB, with the path and RocksDB's reason. */
static void
kv_open_rocksdb_on_a_regular_file_is_a_db_error(void **state)
{
    char path[512];
    kv_t *kv = NULL;

    (void)state;
    snprintf(path, sizeof path, "%s/plain-file", tu_dir);
    write_file(path, "this is a text file, not a RocksDB directory\n");
    assert_int_equal(kv_open("rocksdb", path, &kv), BL_E_DB);
    assert_null(kv);
    assert_non_null(strstr(bl_errmsg(), path));
    assert_true(strlen(bl_errmsg()) > strlen(path) + 20);
    print_message("    rocksdb says: %s\n", bl_errmsg());
}

/* An SQLite file that holds something else: BL_E_DB, with the path and SQLite's reason. */
static void
kv_open_sqlite_on_a_file_that_is_not_a_database_is_a_db_error(void **state)
{
    char path[512];
    kv_t *kv = NULL;

    (void)state;
    snprintf(path, sizeof path, "%s/not-a-database.db", tu_dir);
    write_file(path, "this is a text file, not an SQLite database\n");
    assert_int_equal(kv_open("sqlite", path, &kv), BL_E_DB);
    assert_null(kv);
    assert_non_null(strstr(bl_errmsg(), path));
    assert_non_null(strstr(bl_errmsg(), "not a database"));
    print_message("    sqlite says: %s\n", bl_errmsg());
}

/* ---- registration: every behaviour test once per backend ---- */

typedef struct {
    const char *name;
    CMUnitTestFunction fn;
    const char *only;        /* NULL: every backend; otherwise just this one */
    bool persistent;         /* only the backends that write files */
} kv_case_t;

static const kv_case_t cases[] = {
    { "kv_get_of_a_missing_key_is_notfound", kv_get_of_a_missing_key_is_notfound, NULL, false },
    { "kv_put_get_overwrite_delete", kv_put_get_overwrite_delete, NULL, false },
    { "kv_empty_key_and_empty_value_are_legal", kv_empty_key_and_empty_value_are_legal, NULL,
      false },
    { "kv_binary_keys_with_zero_bytes_are_distinct", kv_binary_keys_with_zero_bytes_are_distinct,
      NULL, false },
    { "kv_batch_applies_ops_in_order_later_ones_win",
      kv_batch_applies_ops_in_order_later_ones_win, NULL, false },
    { "kv_scan_order_is_bytewise", kv_scan_order_is_bytewise, NULL, false },
    { "kv_scan_visits_exactly_the_half_open_range", kv_scan_visits_exactly_the_half_open_range,
      NULL, false },
    { "kv_scan_prefix_visits_keys_that_start_with_it",
      kv_scan_prefix_visits_keys_that_start_with_it, NULL, false },
    { "kv_scan_stops_early_and_passes_visit_errors_on",
      kv_scan_stops_early_and_passes_visit_errors_on, NULL, false },
    { "kv_visit_may_read_the_store", kv_visit_may_read_the_store, NULL, false },
    { "kv_reopened_store_has_everything_written", kv_reopened_store_has_everything_written, NULL,
      true },
    { "kv_random_ops_match_a_reference_model", kv_random_ops_match_a_reference_model, NULL,
      false },
    { "kv_memory_holds_a_million_keys_in_order", kv_memory_holds_a_million_keys_in_order,
      "memory", false },
};

#define MAX_TESTS (COUNT(cases) * COUNT(backends) + 3)

int
main(void)
{
    static struct CMUnitTest tests[MAX_TESTS];
    static char names[MAX_TESTS][96];
    size_t n = 0;

    for (size_t c = 0; c < COUNT(cases); c++) {
        for (size_t b = 0; b < COUNT(backends); b++) {
            if ((cases[c].only != NULL && strcmp(cases[c].only, backends[b]) != 0) ||
                (cases[c].persistent && strcmp(backends[b], "memory") == 0))
                continue;
            snprintf(names[n], sizeof names[n], "%s_%s", cases[c].name, backends[b]);
            tests[n] = (struct CMUnitTest){ .name = names[n], .test_func = cases[c].fn,
                                            .setup_func = open_store,
                                            .teardown_func = close_store,
                                            .initial_state = backends[b] };
            n++;
        }
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(kv_open_unknown_backend_is_invalid);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(
        kv_open_rocksdb_on_a_regular_file_is_a_db_error);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(
        kv_open_sqlite_on_a_file_that_is_not_a_database_is_a_db_error);
    /* The count is only known here, so we call the function behind cmocka_run_group_tests. */
    return _cmocka_run_group_tests("kv", tests, n, tu_setup_dir, tu_teardown_dir);
}
