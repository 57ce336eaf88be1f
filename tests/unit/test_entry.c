/*
 * test_entry.c — rows (Entry), their encoding, table schemas (TableInfo) and conditions.
 *
 * Pins down the rules of storage/entry.h and storage/condition.h that the table layer builds
 * on (FISCO facts §6.1): a row's fields are kept sorted and unique; its key-value encoding has
 * exactly one form and the decoder refuses every other; EQ/NE compare bytes while GT/GE/LT/LE
 * compare 64-bit integers as FISCO's Condition::process does (so "10" > "9", "abc" never
 * passes, and an empty value is 0); the clauses of a condition are ANDed. How the limit cuts
 * a selection is the table layer's and is tested in test_amdb.c.
 */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "storage/condition.h"
#include "storage/entry.h"

/* ---- entries ---- */

/* Fields come back in name order whatever order they were set in, and setting a field again
 * replaces its value (one field per name, like FISCO's std::map). */
static void
entry_set_keeps_fields_sorted_and_unique(void **state)
{
    entry_t e;

    (void)state;
    entry_init(&e);
    entry_set_str(&e, "name", "alice");
    entry_set_str(&e, "age", "30");
    entry_set_str(&e, "zip", "100");
    entry_set_str(&e, "age", "31");
    assert_int_equal(e.nfields, 3);
    assert_string_equal(e.fields[0].name, "age");
    assert_string_equal(e.fields[1].name, "name");
    assert_string_equal(e.fields[2].name, "zip");
    assert_true(entry_field_is(&e, "age", "31"));
    assert_false(entry_field_is(&e, "age", "30"));
    assert_false(entry_field_is(&e, "city", ""));
    assert_null(entry_get(&e, "city"));
    assert_int_equal(e.status, ENTRY_NORMAL);
    entry_free(&e);
}

/* A value is bytes, not text: NULs and the empty value survive. */
static void
entry_values_are_bytes(void **state)
{
    entry_t e;
    const uint8_t bin[4] = { 0, 1, 0, 0xff };

    (void)state;
    entry_init(&e);
    entry_set(&e, "code", bin, sizeof bin);
    entry_set(&e, "empty", "", 0);
    assert_int_equal(entry_get(&e, "code")->len, 4);
    assert_memory_equal(entry_get(&e, "code")->data, bin, 4);
    assert_int_equal(entry_get(&e, "empty")->len, 0);
    assert_true(entry_field_is(&e, "empty", ""));
    entry_free(&e);
}

static void
entry_copy_is_deep(void **state)
{
    entry_t a, b;

    (void)state;
    entry_init(&a);
    entry_set_str(&a, "k", "v");
    a.id = 100001;
    a.num = 7;
    a.status = ENTRY_DELETED;
    entry_copy(&b, &a);
    entry_set_str(&a, "k", "changed");
    assert_true(entry_field_is(&b, "k", "v"));
    assert_int_equal(b.id, 100001);
    assert_int_equal(b.num, 7);
    assert_int_equal(b.status, ENTRY_DELETED);
    entry_free(&a);
    entry_free(&b);
}

/* Encode then decode gives the same row; encoding is RLP [id, num, status, [[n, v]...]]. */
static void
entry_encoding_round_trips(void **state)
{
    entry_t e, back;
    bl_buf_t raw = BL_BUF_INIT;
    const uint8_t bin[3] = { 0, 0x80, 0 };

    (void)state;
    entry_init(&e);
    e.id = 100042;
    e.num = 9;
    e.status = ENTRY_DELETED;
    entry_set_str(&e, "name", "bob");
    entry_set(&e, "blob", bin, sizeof bin);
    entry_set(&e, "none", "", 0);
    entry_encode(&e, &raw);
    assert_int_equal(entry_decode(bl_buf_span(&raw), &back), 0);
    assert_int_equal(back.id, 100042);
    assert_int_equal(back.num, 9);
    assert_int_equal(back.status, ENTRY_DELETED);
    assert_int_equal(back.nfields, 3);
    assert_memory_equal(entry_get(&back, "blob")->data, bin, 3);
    assert_true(entry_field_is(&back, "name", "bob"));
    assert_true(entry_field_is(&back, "none", ""));
    entry_free(&back);
    entry_free(&e);
    bl_buf_free(&raw);

    /* The exact bytes of a small row, written out by hand. */
    entry_init(&e);
    e.id = 1;
    entry_set_str(&e, "k", "v");
    entry_encode(&e, &raw);
    tu_assert_hex_eq(raw.data, raw.len, "c7" "01" "80" "80" "c3" "c2" "6b" "76");
    entry_free(&e);
    bl_buf_free(&raw);
}

/* Build [id, num, status, fields] where fields is given already encoded. */
static void
raw_row(bl_buf_t *out, uint64_t id, uint64_t status, const bl_buf_t *fields)
{
    size_t list = rlp_list_begin(out);

    rlp_put_uint(out, id);
    rlp_put_uint(out, 0);
    rlp_put_uint(out, status);
    rlp_put_raw(out, fields->data, fields->len);
    rlp_list_end(out, list);
}

/* Fields list from name/value pairs (NULL-terminated). */
static void
raw_fields(bl_buf_t *out, const char *const *pairs)
{
    size_t list = rlp_list_begin(out);

    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        size_t pair = rlp_list_begin(out);

        rlp_put_string(out, pairs[i]);
        rlp_put_string(out, pairs[i + 1]);
        rlp_list_end(out, pair);
    }
    rlp_list_end(out, list);
}

static void
assert_decode_fails(const bl_buf_t *raw, const char *why)
{
    entry_t e;
    int rc = entry_decode(bl_buf_span(raw), &e);

    if (rc == 0)
        fail_msg("a row that is %s decoded", why);
    assert_int_equal(e.nfields, 0); /* a failed decode leaves an empty entry */
}

/* The decoder accepts only what the encoder writes: one encoding per row. */
static void
entry_decode_is_strict(void **state)
{
    static const char *const unsorted[] = { "b", "1", "a", "2", NULL };
    static const char *const repeated[] = { "a", "1", "a", "2", NULL };
    static const char *const empty_name[] = { "", "1", NULL };
    static const char *const ok[] = { "a", "1", NULL };
    bl_buf_t f = BL_BUF_INIT, raw = BL_BUF_INIT;

    (void)state;
    raw_fields(&f, unsorted);
    raw_row(&raw, 1, 0, &f);
    assert_decode_fails(&raw, "out of order");
    bl_buf_clear(&f);
    bl_buf_clear(&raw);
    raw_fields(&f, repeated);
    raw_row(&raw, 1, 0, &f);
    assert_decode_fails(&raw, "a repeated name");
    bl_buf_clear(&f);
    bl_buf_clear(&raw);
    raw_fields(&f, empty_name);
    raw_row(&raw, 1, 0, &f);
    assert_decode_fails(&raw, "an empty name");
    bl_buf_clear(&f);
    bl_buf_clear(&raw);
    raw_fields(&f, ok);
    raw_row(&raw, 1, 2, &f);
    assert_decode_fails(&raw, "status 2");
    bl_buf_clear(&raw);
    raw_row(&raw, UINT64_MAX, 0, &f);
    assert_decode_fails(&raw, "an id over INT64_MAX");
    bl_buf_clear(&raw);
    raw_row(&raw, 1, 0, &f);
    bl_buf_push(&raw, 0x00);
    assert_decode_fails(&raw, "followed by a trailing byte");
    bl_buf_clear(&raw);
    bl_buf_append(&raw, "\x83" "abc", 4);
    assert_decode_fails(&raw, "a string, not a list");
    bl_buf_clear(&raw);
    bl_buf_append(&raw, "\xc3\x01\x80\x80", 4);
    assert_decode_fails(&raw, "three items, not four");
    bl_buf_clear(&raw);
    bl_buf_append(&raw, "\xc6\x82\x00\x01\x80\x80\xc0", 7);
    assert_decode_fails(&raw, "an id with a leading zero byte");
    bl_buf_clear(&raw);
    bl_buf_free(&f);
    /* A field name holding a NUL byte cannot be a C string name. */
    {
        bl_buf_t g = BL_BUF_INIT;
        size_t list = rlp_list_begin(&g), pair = rlp_list_begin(&g);

        rlp_put_bytes(&g, "a\0b", 3);
        rlp_put_string(&g, "v");
        rlp_list_end(&g, pair);
        rlp_list_end(&g, list);
        raw_row(&raw, 1, 0, &g);
        assert_decode_fails(&raw, "a name with a NUL byte");
        bl_buf_free(&g);
    }
    bl_buf_free(&raw);
}

static void
entries_add_copies_and_take_moves(void **state)
{
    entries_t l;
    entry_t e;

    (void)state;
    entries_init(&l);
    entry_init(&e);
    entry_set_str(&e, "k", "1");
    entries_add(&l, &e);
    entry_set_str(&e, "k", "2");
    entries_take(&l, &e);
    assert_int_equal(e.nfields, 0); /* taken: left empty */
    assert_int_equal(l.count, 2);
    assert_true(entry_field_is(&l.items[0], "k", "1"));
    assert_true(entry_field_is(&l.items[1], "k", "2"));
    entries_clear(&l);
    assert_int_equal(l.count, 0);
    entries_free(&l);
    entry_free(&e);
}

/* _sys_tables_ stores value fields as "a,b,c" (§6.2). */
static void
table_info_splits_the_value_field_list(void **state)
{
    table_info_t t, c;

    (void)state;
    table_info_init(&t, "u_demo", "name", "item_id,item_name", true, false);
    assert_int_equal(t.nvalue_fields, 2);
    assert_string_equal(t.value_fields[0], "item_id");
    assert_string_equal(t.value_fields[1], "item_name");
    assert_true(table_info_has_field(&t, "name"));
    assert_true(table_info_has_field(&t, "item_name"));
    assert_false(table_info_has_field(&t, "item"));
    assert_false(table_info_has_field(&t, "_id_"));
    table_info_copy(&c, &t);
    table_info_free(&t);
    assert_string_equal(c.name, "u_demo");
    assert_true(c.enable_consensus);
    assert_false(c.enable_cache);
    assert_int_equal(c.nvalue_fields, 2);
    table_info_free(&c);
}

/* ---- conditions ---- */

static entry_t
row_with(const char *field, const char *value)
{
    entry_t e;

    entry_init(&e);
    entry_set_str(&e, field, value);
    return e;
}

static bool
passes(cond_op_t op, const char *row_value, const char *cond_value)
{
    condition_t c;
    entry_t e = row_with("f", row_value);
    bool ok;

    condition_init(&c);
    condition_add(&c, "f", op, cond_value);
    ok = condition_matches(&c, &e);
    condition_free(&c);
    entry_free(&e);
    return ok;
}

/* EQ and NE compare the bytes, so "010" is not "10". */
static void
condition_eq_and_ne_compare_bytes(void **state)
{
    (void)state;
    assert_true(passes(COND_EQ, "abc", "abc"));
    assert_false(passes(COND_EQ, "abc", "abd"));
    assert_false(passes(COND_EQ, "010", "10"));
    assert_true(passes(COND_NE, "010", "10"));
    assert_false(passes(COND_NE, "x", "x"));
    assert_true(passes(COND_EQ, "", ""));
}

/* GT, GE, LT, LE compare signed 64-bit integers (FISCO: boost::lexical_cast<int64_t>). */
static void
condition_order_ops_compare_integers(void **state)
{
    (void)state;
    assert_true(passes(COND_GT, "10", "9")); /* as text "10" < "9" */
    assert_false(passes(COND_GT, "9", "9"));
    assert_true(passes(COND_GE, "9", "9"));
    assert_true(passes(COND_LT, "-5", "3"));
    assert_false(passes(COND_LT, "3", "3"));
    assert_true(passes(COND_LE, "3", "3"));
    assert_true(passes(COND_LE, "-9223372036854775808", "9223372036854775807"));
    assert_true(passes(COND_GT, "+5", "4"));
}

/* A value that is not an int64 cannot be ordered: the row does not pass — and if the
 * condition's own value is not one, no row passes. An empty row value counts as 0. */
static void
condition_order_ops_on_non_integers_do_not_pass(void **state)
{
    static const char *const bad[] = { "abc", "1.5", " 7", "7 ", "0x10", "-", "+",
                                       "9223372036854775808", "--1", "1e3" };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(passes(COND_GT, bad[i], "-100"));
        assert_false(passes(COND_LE, bad[i], "100"));
        assert_false(passes(COND_GE, "5", bad[i]));
    }
    assert_true(passes(COND_GE, "", "0"));
    assert_false(passes(COND_GT, "", "0"));
    assert_true(passes(COND_LT, "", "1"));
    assert_false(passes(COND_LT, "5", ""));
}

/* A row that lacks the condition's field never passes, whatever the operator. */
static void
condition_on_a_missing_field_does_not_pass(void **state)
{
    condition_t c;
    entry_t e = row_with("a", "1");

    (void)state;
    for (int op = COND_EQ; op <= COND_LE; op++) {
        condition_init(&c);
        condition_add(&c, "b", (cond_op_t)op, "1");
        assert_false(condition_matches(&c, &e));
        condition_free(&c);
    }
    entry_free(&e);
}

/* All clauses must pass (AND), including two on the same field forming a range. */
static void
condition_clauses_are_anded(void **state)
{
    condition_t c;
    entry_t e = row_with("age", "25");

    (void)state;
    entry_set_str(&e, "name", "alice");
    condition_init(&c);
    condition_add(&c, "age", COND_GE, "20");
    condition_add(&c, "age", COND_LT, "30");
    condition_add(&c, "name", COND_EQ, "alice");
    assert_true(condition_matches(&c, &e));
    condition_add(&c, "name", COND_NE, "alice");
    assert_false(condition_matches(&c, &e));
    condition_free(&c);
    entry_free(&e);
}

/* No condition, or an empty one, matches every row; the limit is only recorded here. */
static void
condition_empty_matches_all_and_records_limits(void **state)
{
    condition_t c;
    entry_t e = row_with("a", "1");
    const uint8_t bin[2] = { 0, 'x' };

    (void)state;
    condition_init(&c);
    assert_true(condition_matches(NULL, &e));
    assert_true(condition_matches(&c, &e));
    assert_false(c.has_limit);
    condition_set_limit(&c, 0, 3); /* limit(3) */
    assert_true(c.has_limit);
    assert_int_equal(c.offset, 0);
    assert_int_equal(c.limit, 3);
    condition_set_limit(&c, 2, 5); /* limit(2, 5) */
    assert_int_equal(c.offset, 2);
    assert_int_equal(c.limit, 5);
    assert_true(condition_matches(&c, &e));
    condition_add_bytes(&c, "a", COND_EQ, bin, 2);
    assert_false(condition_matches(&c, &e));
    condition_free(&c);
    entry_free(&e);
}

static void
cond_op_names_round_trip(void **state)
{
    cond_op_t op;

    (void)state;
    for (int i = COND_EQ; i <= COND_LE; i++) {
        assert_int_equal(cond_op_parse(cond_op_name((cond_op_t)i), &op), 0);
        assert_int_equal(op, i);
    }
    assert_string_equal(cond_op_name(COND_GE), "ge");
    assert_int_equal(cond_op_parse("EQ", &op), BL_E_INVALID);
    assert_int_equal(cond_op_parse("like", &op), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "like"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entry_set_keeps_fields_sorted_and_unique),
        cmocka_unit_test(entry_values_are_bytes),
        cmocka_unit_test(entry_copy_is_deep),
        cmocka_unit_test(entry_encoding_round_trips),
        cmocka_unit_test(entry_decode_is_strict),
        cmocka_unit_test(entries_add_copies_and_take_moves),
        cmocka_unit_test(table_info_splits_the_value_field_list),
        cmocka_unit_test(condition_eq_and_ne_compare_bytes),
        cmocka_unit_test(condition_order_ops_compare_integers),
        cmocka_unit_test(condition_order_ops_on_non_integers_do_not_pass),
        cmocka_unit_test(condition_on_a_missing_field_does_not_pass),
        cmocka_unit_test(condition_clauses_are_anded),
        cmocka_unit_test(condition_empty_matches_all_and_records_limits),
        cmocka_unit_test(cond_op_names_round_trip),
    };

    return cmocka_run_group_tests_name("entry", tests, NULL, NULL);
}
