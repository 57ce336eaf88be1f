/*
 * grader.c — exercise 06: which rows a table select returns (table_select.h).
 *
 * Known answers first: hand-made rows and conditions, one rule per test (the operators, what
 * is not an integer, a missing field, AND, the limit), then thousands of random rows compared
 * with the table layer's own rule (src/storage/condition.c). Last, the student's functions
 * become the table layer's (the hooks condition_match_rule and condition_window_rule) in a
 * 4-node PBFT cluster on the simulator: a table is created, rows are inserted, and select,
 * update and remove transactions to the CRUD precompile (0x1002) — what the console's
 * `select * from t where ...` sends — must act on exactly the right rows on every node.
 */
#include "grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterutil.h"
#include "pcutil.h"
#include "testutil.h"

#include "base/error.h"
#include "base/rng.h"
#include "ledger/status.h"
#include "node/group.h"
#include "table_select.h"

/* ---- known answers ---- */

/* A row from "field=value" texts (NULL-ended). */
static void make_row(entry_t *e, ...)
{
    va_list ap;
    const char *fv;

    entry_init(e);
    va_start(ap, e);
    while ((fv = va_arg(ap, const char *)) != NULL) {
        const char *eq = strchr(fv, '=');
        char name[64];

        assert_non_null(eq);
        snprintf(name, sizeof name, "%.*s", (int)(eq - fv), fv);
        entry_set_str(e, name, eq + 1);
    }
    va_end(ap);
}

/* Does the row pass the one clause "field op value"? */
static bool passes(const entry_t *row, const char *field, cond_op_t op, const char *value)
{
    condition_t c;
    bool ok;

    condition_init(&c);
    condition_add(&c, field, op, value);
    ok = ex_condition_matches(&c, row);
    condition_free(&c);
    return ok;
}

static void expect(const entry_t *row, const char *field, cond_op_t op, const char *value,
                   bool want)
{
    const bl_buf_t *v = entry_get(row, field);

    if (passes(row, field, op, value) != want)
        fail_msg("row %s%s%.*s%s, clause %s %s \"%s\": should %s", field, v ? "=\"" : "",
                 v ? (int)v->len : 0, v && v->len ? (const char *)v->data : "",
                 v ? "\"" : " (no such field)", field, cond_op_name(op), value,
                 want ? "pass" : "NOT pass");
}

/* FISCO's Condition EQ/NE (libstorage/Condition.cpp): the values compare as strings of bytes,
 * whole: "apple" is not "apples", "007" is not "7". */
static void eq_and_ne_compare_bytes(void **state)
{
    entry_t row;

    (void)state;
    make_row(&row, "name=apple", "code=007", "empty=", NULL);
    expect(&row, "name", COND_EQ, "apple", true);
    expect(&row, "name", COND_EQ, "apples", false);
    expect(&row, "name", COND_EQ, "appl", false);
    expect(&row, "name", COND_EQ, "Apple", false);
    expect(&row, "code", COND_EQ, "7", false);
    expect(&row, "code", COND_EQ, "007", true);
    expect(&row, "empty", COND_EQ, "", true);
    expect(&row, "empty", COND_EQ, "0", false);
    expect(&row, "name", COND_NE, "apple", false);
    expect(&row, "name", COND_NE, "apples", true);
    expect(&row, "code", COND_NE, "7", true);
    expect(&row, "empty", COND_NE, "", false);
    entry_free(&row);
    /* bytes, not C strings: a value may hold a NUL byte */
    entry_init(&row);
    entry_set(&row, "bin", "a\0b", 3);
    expect(&row, "bin", COND_EQ, "a", false);
    expect(&row, "bin", COND_NE, "a", true);
    entry_free(&row);
}

/* FISCO 2.x reads both sides of GT/GE/LT/LE as int64 (boost::lexical_cast<int64_t>): numbers,
 * not text, so "10" > "9" and "-5" < "-1". */
static void order_operators_compare_64_bit_integers(void **state)
{
    entry_t row;

    (void)state;
    make_row(&row, "n=10", "neg=-5", "zero=0", "big=9223372036854775807",
             "small=-9223372036854775808", NULL);
    expect(&row, "n", COND_GT, "9", true);
    expect(&row, "n", COND_GT, "10", false);
    expect(&row, "n", COND_GE, "10", true);
    expect(&row, "n", COND_GE, "11", false);
    expect(&row, "n", COND_LT, "9", false);
    expect(&row, "n", COND_LT, "100", true);
    expect(&row, "n", COND_LE, "10", true);
    expect(&row, "n", COND_LE, "9", false);
    expect(&row, "neg", COND_LT, "-1", true);
    expect(&row, "neg", COND_GT, "-10", true);
    expect(&row, "neg", COND_LE, "-5", true);
    expect(&row, "neg", COND_GE, "-4", false);
    expect(&row, "zero", COND_GE, "-0", true);
    expect(&row, "zero", COND_LE, "0", true);
    expect(&row, "big", COND_GT, "9223372036854775806", true);
    expect(&row, "big", COND_GE, "9223372036854775807", true);
    expect(&row, "small", COND_LT, "-9223372036854775807", true);
    expect(&row, "small", COND_LE, "-9223372036854775808", true);
    expect(&row, "small", COND_GT, "-9223372036854775808", false);
    entry_free(&row);
}

/* What lexical_cast<int64_t> refuses cannot be ordered: the row does not pass (and with a bad
 * value in the clause, no row does). FISCO's one exception: an empty row value is 0. */
static void what_is_not_an_integer_is_never_in_order(void **state)
{
    static const char *const not_integers[] = {
        "abc", "1.5", " 7", "7 ", "1e3", "0x10", "-", "--1", "12a",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
    };
    static const cond_op_t ops[] = { COND_GT, COND_GE, COND_LT, COND_LE };
    entry_t row;

    (void)state;
    for (size_t i = 0; i < sizeof not_integers / sizeof not_integers[0]; i++) {
        make_row(&row, "n=5", NULL);
        entry_set_str(&row, "bad", not_integers[i]);
        for (size_t k = 0; k < 4; k++) {
            expect(&row, "bad", ops[k], "0", false);
            expect(&row, "bad", ops[k], "-1000", false);
            expect(&row, "n", ops[k], not_integers[i], false);
        }
        entry_free(&row);
    }
    make_row(&row, "empty=", NULL);
    expect(&row, "empty", COND_GE, "0", true);
    expect(&row, "empty", COND_LE, "0", true);
    expect(&row, "empty", COND_GT, "-1", true);
    expect(&row, "empty", COND_LT, "0", false);
    expect(&row, "empty", COND_LT, "", false); /* the clause's own empty value is no number */
    entry_free(&row);
}

/* A row without the field passes no clause on it — not even NE (FISCO's Entry::getField gives
 * "" for it, but the table layer refuses a condition on a field the table lacks; a row that
 * lacks it cannot be said to differ). */
static void a_missing_field_passes_no_clause(void **state)
{
    static const cond_op_t ops[] = { COND_EQ, COND_NE, COND_GT, COND_GE, COND_LT, COND_LE };
    entry_t row;

    (void)state;
    make_row(&row, "name=apple", NULL);
    for (size_t k = 0; k < 6; k++) {
        expect(&row, "price", ops[k], "0", false);
        expect(&row, "price", ops[k], "", false);
    }
    expect(&row, "name", COND_NE, "pear", true); /* the field it has still counts */
    entry_free(&row);
}

/* Condition clauses are ANDed (FISCO's Condition holds one map of field -> ranges, all of
 * which must hold); a NULL or empty condition selects every row of the key. */
static void every_clause_must_pass(void **state)
{
    condition_t c;
    entry_t row;

    (void)state;
    make_row(&row, "name=apple", "id=3", NULL);
    assert_true(ex_condition_matches(NULL, &row));
    condition_init(&c);
    assert_true(ex_condition_matches(&c, &row));
    condition_add(&c, "id", COND_GE, "1");
    condition_add(&c, "id", COND_LT, "5");
    assert_true(ex_condition_matches(&c, &row));
    condition_add(&c, "name", COND_EQ, "apple");
    assert_true(ex_condition_matches(&c, &row));
    condition_add(&c, "name", COND_NE, "apple"); /* the fourth clause fails */
    assert_false(ex_condition_matches(&c, &row));
    condition_free(&c);
    condition_init(&c);
    condition_add(&c, "id", COND_GT, "3"); /* the first fails, the rest would pass */
    condition_add(&c, "name", COND_EQ, "apple");
    assert_false(ex_condition_matches(&c, &row));
    condition_set_limit(&c, 0, 0); /* a limit does not change whether a row matches */
    assert_false(ex_condition_matches(&c, &row));
    condition_free(&c);
    entry_free(&row);
}

static void expect_window(const condition_t *c, size_t matching, size_t want_skip,
                          size_t want_keep)
{
    size_t skip = 12345, keep = 12345;

    ex_condition_window(c, matching, &skip, &keep);
    if (skip != want_skip || keep != want_keep)
        fail_msg("limit %s(%zu, %zu) over %zu rows: skip %zu keep %zu, expected skip %zu keep "
                 "%zu", c && c->has_limit ? "" : "none ", c ? c->offset : 0,
                 c ? c->limit : 0, matching, skip, keep, want_skip, want_keep);
}

/* FISCO's Condition::limit(offset, count) (libstorage/Table.h): skip offset of the matching
 * rows, keep at most count; no limit keeps them all. */
static void limit_skips_offset_and_keeps_count(void **state)
{
    condition_t c;

    (void)state;
    expect_window(NULL, 7, 0, 7);
    condition_init(&c);
    expect_window(&c, 7, 0, 7);
    expect_window(&c, 0, 0, 0);
    condition_set_limit(&c, 0, 3);
    expect_window(&c, 7, 0, 3);
    expect_window(&c, 2, 0, 2);
    condition_set_limit(&c, 2, 3);
    expect_window(&c, 7, 2, 3);
    expect_window(&c, 4, 2, 2);
    expect_window(&c, 2, 2, 0);
    expect_window(&c, 1, 1, 0);
    condition_set_limit(&c, 5, 0);
    expect_window(&c, 7, 5, 0);
    condition_set_limit(&c, 100, 10);
    expect_window(&c, 7, 7, 0);
    condition_set_limit(&c, 0, (size_t)-1);
    expect_window(&c, 7, 0, 7);
    condition_free(&c);
}

/* A random value: mostly small numbers (so clauses often hold), some text and edge cases. */
static void random_value(bl_rng_t *rng, char *out, size_t cap)
{
    static const char *const odd[] = { "", "abc", "-", "1.5", "007", "-0",
                                       "9223372036854775807", "-9223372036854775808",
                                       "9223372036854775808", " 3" };
    uint64_t r = bl_rng_next(rng);

    if (r % 4 == 0)
        snprintf(out, cap, "%s", odd[(r >> 8) % (sizeof odd / sizeof odd[0])]);
    else
        snprintf(out, cap, "%lld", (long long)((r >> 8) % 21) - 10);
}

/* A value as text for a message (values in these tests are short text). */
static const char *buf_text(const bl_buf_t *v)
{
    static char text[4][64];
    static unsigned next;
    char *out = text[next++ % 4];

    snprintf(out, 64, "%.*s", v ? (int)v->len : 0, v && v->len ? (const char *)v->data : "");
    return out;
}

static const char *text_of(const entry_t *row, const char *field)
{
    return buf_text(entry_get(row, field));
}

static const char *clause_text(const cond_clause_t *cl)
{
    return buf_text(&cl->value);
}

/* The same answers as the table layer's own rule (src/storage/condition.c) on 5000 random
 * rows and conditions of 1 to 3 clauses, some on fields the row lacks. */
static void random_rows_agree_with_the_table_layer(void **state)
{
    static const char *const fields[] = { "a", "b", "c" };
    bl_rng_t rng;

    (void)state;
    bl_rng_seed(&rng, 6);
    for (int round = 0; round < 5000; round++) {
        condition_t c;
        entry_t row;
        char v[32];
        size_t nclauses = 1 + bl_rng_next(&rng) % 3;

        entry_init(&row);
        for (size_t f = 0; f < 2; f++) { /* "c" is never in the row */
            random_value(&rng, v, sizeof v);
            entry_set_str(&row, fields[f], v);
        }
        condition_init(&c);
        for (size_t k = 0; k < nclauses; k++) {
            random_value(&rng, v, sizeof v);
            condition_add(&c, fields[bl_rng_next(&rng) % 3],
                          (cond_op_t)(bl_rng_next(&rng) % 6), v);
        }
        if (ex_condition_matches(&c, &row) != condition_matches_builtin(&c, &row))
            fail_msg("round %d: a=\"%s\" b=\"%s\", first of %zu clauses %s %s \"%s\": the "
                     "table layer's answer is %s", round, text_of(&row, "a"),
                     text_of(&row, "b"), c.count, c.clauses[0].field,
                     cond_op_name(c.clauses[0].op), clause_text(&c.clauses[0]),
                     condition_matches_builtin(&c, &row) ? "pass" : "no pass");
        condition_free(&c);
        entry_free(&row);
    }
}

/* ---- the cluster ---- */

#define G 1
#define LIMIT_MS 20000
#define CRUD 0x1002
#define TABLE_FACTORY 0x1001

/* A call to `to` as a transaction from the cluster's client, submitted to node 0. */
static void submit(cu_cluster_t *c, uint16_t to, const char *sig, const char *const *args,
                   size_t nargs, uint8_t hash[32])
{
    bl_buf_t raw = BL_BUF_INIT;
    int status;

    cu_tx(c, G, to, sig, args, nargs, &raw);
    status = node_submit(cu_node(c, 0), G, bl_buf_span(&raw), hash);
    bl_buf_free(&raw);
    if (status != TX_OK)
        fail_msg("seed=%llu: node 0 refused %s: status %d", (unsigned long long)c->seed, sig,
                 status);
}

/* Run until node 0 committed every tx of hashes[0..n), then until every node has that
 * height; the receipts (receipt_free them). Fails with the seed and a trace if it takes
 * longer than LIMIT_MS of virtual time. */
static void wait_receipts(cu_cluster_t *c, uint8_t (*hashes)[32], size_t n, receipt_t *receipts)
{
    cu_wait_committed(c, G, (const uint8_t(*)[32])hashes, n, receipts, NULL, LIMIT_MS, NULL);
}

/* A CRUD call's receipt: status 0 and an int256 output. */
static int64_t receipt_int(const receipt_t *r)
{
    assert_int_equal(r->status, TX_OK);
    return pcu_output_int(r);
}

/* A select's receipt: the item_name of each row, in order, comma-separated, into out. */
static void receipt_names(const receipt_t *r, char *out, size_t cap)
{
    char *text;
    json_t *rows;
    json_error_t err;

    assert_int_equal(r->status, TX_OK);
    text = pcu_output_string(r);
    rows = json_loads(text, 0, &err);
    if (rows == NULL || !json_is_array(rows))
        fail_msg("select answered %s, not a JSON array of rows", text);
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *name = json_object_get(json_array_get(rows, i), "item_name");

        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
                 json_is_string(name) ? json_string_value(name) : "?");
    }
    json_decref(rows);
    free(text);
}

typedef struct {
    const char *key;
    const char *condition; /* CRUD's JSON condition */
    const char *want;      /* item_name of the rows, in _id_ order */
} select_case_t;

static void submit_select(cu_cluster_t *c, const select_case_t *s, uint8_t hash[32])
{
    const char *args[4] = { "t_fruit", s->key, s->condition, "" };

    submit(c, CRUD, "select(string,string,string,string)", args, 4, hash);
}

static void check_selects(cu_cluster_t *c, const select_case_t *cases, size_t n)
{
    uint8_t hashes[16][32];
    receipt_t receipts[16];
    char names[256];

    for (size_t i = 0; i < n; i++)
        submit_select(c, &cases[i], hashes[i]);
    wait_receipts(c, hashes, n, receipts);
    for (size_t i = 0; i < n; i++) {
        receipt_names(&receipts[i], names, sizeof names);
        if (strcmp(names, cases[i].want) != 0)
            cu_fail(c, "select from t_fruit where key = %s and %s: got rows [%s], "
                            "expected [%s]", cases[i].key, cases[i].condition, names,
                            cases[i].want);
        receipt_free(&receipts[i]);
    }
}

/* The rows of t_fruit: key, item_id, item_name. */
static const char *const fruit_rows[][3] = {
    { "fruit", "1", "apple" }, { "fruit", "2", "banana" }, { "fruit", "3", "cherry" },
    { "fruit", "9", "apple" }, { "fruit", "10", "kiwi" },  { "fruit", "", "melon" },
    { "veg", "4", "leek" },
};
#define NFRUIT (sizeof fruit_rows / sizeof fruit_rows[0])

static void create_and_fill(cu_cluster_t *c)
{
    const char *create[3] = { "t_fruit", "name", "item_id,item_name" };
    uint8_t hashes[NFRUIT][32];
    receipt_t receipts[NFRUIT];

    submit(c, TABLE_FACTORY, "createTable(string,string,string)", create, 3, hashes[0]);
    wait_receipts(c, hashes, 1, receipts);
    assert_int_equal(receipt_int(&receipts[0]), 0);
    receipt_free(&receipts[0]);
    /* One at a time: the rows' _id_ order, which a limit follows, is then the order here
     * (transactions sent together may reach the leader in another order). */
    for (size_t i = 0; i < NFRUIT; i++) {
        char entry[128];
        const char *args[4] = { "t_fruit", fruit_rows[i][0], entry, "" };

        snprintf(entry, sizeof entry, "{\"item_id\":\"%s\",\"item_name\":\"%s\"}",
                 fruit_rows[i][1], fruit_rows[i][2]);
        submit(c, CRUD, "insert(string,string,string,string)", args, 4, hashes[i]);
        wait_receipts(c, &hashes[i], 1, &receipts[i]);
        assert_int_equal(receipt_int(&receipts[i]), 1);
        receipt_free(&receipts[i]);
    }
}

/* Every node holds the same chain: the same newest block hash (so the same state roots). */
static void cluster_scenario(cu_cluster_t *c)
{
    static const select_case_t reads[] = {
        /* 10 is not <= 9 as a number (it is as text) */
        { "fruit", "{\"item_id\":{\"gt\":\"2\",\"le\":\"9\"}}", "cherry,apple" },
        { "fruit", "{\"item_id\":{\"lt\":\"1\"}}", "melon" }, /* empty counts as 0 */
        { "fruit", "{\"item_name\":{\"eq\":\"apple\"}}", "apple,apple" },
        { "fruit", "{\"item_name\":{\"ne\":\"apple\"},\"limit\":{\"limit\":\"1,2\"}}",
          "cherry,kiwi" },
        { "fruit", "{\"limit\":{\"limit\":\"4,10\"}}", "kiwi,melon" },
        { "veg", "{}", "leek" },
        { "fruit", "{\"item_id\":{\"ge\":\"100\"}}", "" },
    };
    static const select_case_t after[] = {
        { "fruit", "{}", "cherry,fig,fig" },
        { "fruit", "{\"item_name\":{\"eq\":\"fig\"}}", "fig,fig" },
    };
    const char *update[5] = { "t_fruit", "fruit", "{\"item_name\":\"fig\"}",
                              "{\"item_id\":{\"ge\":\"9\"}}", "" };
    const char *removal[4] = { "t_fruit", "fruit", "{\"item_id\":{\"lt\":\"3\"}}", "" };
    uint8_t hashes[2][32];
    receipt_t receipts[2];

    create_and_fill(c);
    check_selects(c, reads, sizeof reads / sizeof reads[0]);
    /* update and remove pick their rows with the same condition code */
    submit(c, CRUD, "update(string,string,string,string,string)", update, 5, hashes[0]);
    submit(c, CRUD, "remove(string,string,string,string)", removal, 4, hashes[1]);
    wait_receipts(c, hashes, 2, receipts);
    if (receipt_int(&receipts[0]) != 2)
        cu_fail(c, "update ... where item_id >= 9 changed %lld rows, expected 2 (9 "
                        "and 10)", (long long)pcu_output_int(&receipts[0]));
    if (receipt_int(&receipts[1]) != 3)
        cu_fail(c, "remove ... where item_id < 3 removed %lld rows, expected 3 (1, 2 "
                        "and the empty one)", (long long)pcu_output_int(&receipts[1]));
    receipt_free(&receipts[0]);
    receipt_free(&receipts[1]);
    check_selects(c, after, sizeof after / sizeof after[0]);
    cu_assert_tips_agree(c, G);
}

/* A node reads its own system tables (its members, its configuration) through the same two
 * functions, mostly with no condition at all: if they drop those rows, the nodes cannot even
 * start. Say so plainly rather than fail somewhere deep inside the cluster. */
static void assert_nodes_can_read_their_tables(void)
{
    entry_t row;
    size_t skip = 1, keep = 0;

    make_row(&row, "name=node", NULL);
    ex_condition_window(NULL, 3, &skip, &keep);
    if (!ex_condition_matches(NULL, &row) || skip != 0 || keep != 3)
        fail_msg("with no condition every row must be selected (ex_condition_matches(NULL, "
                 "row) true, ex_condition_window(NULL, 3, ...) skip 0 keep 3): nodes read "
                 "their system tables that way and could not even start");
    entry_free(&row);
}

/* AMDB's select/update/remove (fisco-2x-facts §6.1) with the student's rule inside the table
 * layer of every node of a 4-node PBFT group: the CRUD precompile's answers are the right
 * rows, and the nodes, which all execute every block, agree on every block. */
static void cluster_crud_acts_on_the_right_rows(void **state)
{
    cu_cluster_t c;
    const uint64_t seed = 61;

    (void)state;
    printf("cluster seed %llu\n", (unsigned long long)seed);
    assert_nodes_can_read_their_tables();
    condition_match_rule = ex_condition_matches;
    condition_window_rule = ex_condition_window;
    cu_open(&c, seed, 4);
    cu_group_with(&c, G, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(&c);
    cluster_scenario(&c);
    cu_close(&c);
    condition_match_rule = condition_matches_builtin;
    condition_window_rule = condition_window_builtin;
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "eq_and_ne_compare_bytes", eq_and_ne_compare_bytes, 10 },
        { "order_operators_compare_64_bit_integers", order_operators_compare_64_bit_integers,
          15 },
        { "what_is_not_an_integer_is_never_in_order", what_is_not_an_integer_is_never_in_order,
          10 },
        { "a_missing_field_passes_no_clause", a_missing_field_passes_no_clause, 5 },
        { "every_clause_must_pass", every_clause_must_pass, 10 },
        { "limit_skips_offset_and_keeps_count", limit_skips_offset_and_keeps_count, 10 },
        { "random_rows_agree_with_the_table_layer", random_rows_agree_with_the_table_layer,
          10 },
        { "cluster_crud_acts_on_the_right_rows", cluster_crud_acts_on_the_right_rows, 30 },
    };

    return grade_run("06-table-select", tests, sizeof tests / sizeof tests[0]);
}
