/*
 * test_txdag.c — the transaction DAG (exec/txdag.c, fisco-2x-facts §5.2) on hand-drawn blocks:
 * no conflicts, all conflicts, chains, diamonds, barriers in the middle; the edges, the
 * in-degrees and the levels of each; then the critical fields of real transactions.
 *
 * A block is written as one line, one transaction per '|': "a,b" is a parallel transaction
 * with critical fields a and b, "*" a serial barrier, "-" a parallel transaction with no
 * fields. Expected edges are written per transaction as the sorted list of the transactions it
 * waits for ("" for none).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "exec/txdag.h"

static void
build(txdag_t *d, const char *spec)
{
    char *copy = strdup(spec), *save = NULL;

    txdag_init(d);
    for (char *tx = strtok_r(copy, "|", &save); tx != NULL; tx = strtok_r(NULL, "|", &save)) {
        critical_t fields;
        char *fsave = NULL;

        critical_init(&fields);
        if (strcmp(tx, "*") == 0) {
            txdag_add(d, false, NULL);
            continue;
        }
        for (char *f = strtok_r(tx, ",", &fsave); f != NULL; f = strtok_r(NULL, ",", &fsave))
            if (strcmp(f, "-") != 0)
                critical_add(&fields, f);
        txdag_add(d, true, &fields);
        critical_free(&fields);
    }
    free(copy);
}

static int
compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* "0,2" — the sorted predecessors of tx i. */
static void
preds_text(const txdag_t *d, size_t i, char *out, size_t cap)
{
    const txdag_node_t *n = &d->nodes[i];
    size_t *sorted = malloc((n->npreds + 1) * sizeof *sorted);

    if (n->npreds > 0)
        memcpy(sorted, n->preds, n->npreds * sizeof *sorted);
    qsort(sorted, n->npreds, sizeof *sorted, compare_size);
    out[0] = '\0';
    for (size_t k = 0; k < n->npreds; k++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%zu", k ? "," : "", sorted[k]);
    free(sorted);
}

/* The edges seen from both ends agree: every pred of j has j as a succ, and nedges counts
 * them. */
static void
assert_consistent(const txdag_t *d)
{
    size_t edges = 0;

    for (size_t j = 0; j < d->count; j++) {
        const txdag_node_t *n = &d->nodes[j];

        edges += n->npreds;
        for (size_t k = 0; k < n->npreds; k++) {
            const txdag_node_t *p = &d->nodes[n->preds[k]];
            bool found = false;

            assert_true(n->preds[k] < j);
            for (size_t s = 0; s < p->nsuccs; s++)
                found = found || p->succs[s] == j;
            assert_true(found);
        }
    }
    assert_int_equal(edges, d->nedges);
}

/* How many items a list like "0,2" has. */
static size_t
count_items(const char *list)
{
    size_t n = *list != '\0';

    for (; *list != '\0'; list++)
        n += *list == ',';
    return n;
}

/* Check a hand-drawn block: `preds` has one entry per tx, `levels` one digit per tx. */
static void
check(const char *spec, const char *const *preds, const char *levels, unsigned nlevels)
{
    txdag_t d;
    char text[256];

    build(&d, spec);
    assert_int_equal(d.count, strlen(levels));
    for (size_t i = 0; i < d.count; i++) {
        preds_text(&d, i, text, sizeof text);
        if (strcmp(text, preds[i]) != 0)
            fail_msg("%s: tx %zu waits for {%s}, expected {%s}", spec, i, text, preds[i]);
        assert_int_equal(d.nodes[i].npreds, count_items(preds[i])); /* the in-degree */
        if (d.nodes[i].level != (unsigned)(levels[i] - '0'))
            fail_msg("%s: tx %zu at level %u, expected %c", spec, i, d.nodes[i].level,
                     levels[i]);
    }
    assert_int_equal(d.nlevels, nlevels);
    assert_consistent(&d);
    txdag_free(&d);
}

static void
txdag_no_conflicts_is_one_level(void **state)
{
    static const char *const preds[] = { "", "", "", "" };

    (void)state;
    check("a|b|c,d|e", preds, "0000", 1);
}

static void
txdag_all_conflicting_is_a_chain(void **state)
{
    static const char *const preds[] = { "", "0", "1", "2", "3" };

    (void)state;
    check("a|a|a|a|a", preds, "01234", 5);
}

/* Each tx shares one field with the one before: a chain again, through different fields. */
static void
txdag_chain_through_different_fields(void **state)
{
    static const char *const preds[] = { "", "0", "1", "2" };

    (void)state;
    check("a,b|b,c|c,d|d,e", preds, "0123", 4);
}

/* a,b fans out to a and b, which join again in a,b. */
static void
txdag_diamond(void **state)
{
    static const char *const preds[] = { "", "0", "0", "1,2" };

    (void)state;
    check("a,b|a|b|a,b", preds, "0112", 3);
}

/* Only the LAST tx of a field is waited for: tx3 waits for tx2, not for tx0 as well. */
static void
txdag_waits_only_for_the_last_writer(void **state)
{
    static const char *const preds[] = { "", "", "0", "1,2" };

    (void)state;
    check("a|b|a|a,b", preds, "0012", 3);
}

/* A barrier in the middle waits for everything before it; everything after waits for it. */
static void
txdag_barrier_in_the_middle(void **state)
{
    static const char *const preds[] = { "", "", "0", "1,2", "3", "3", "4" };

    (void)state;
    check("a|b|a|*|a|c|a", preds, "0012334", 5);
}

/* The drawing at the top of txdag.c. */
static void
txdag_example_from_the_source(void **state)
{
    static const char *const preds[] = { "", "", "0", "0,1,2", "3", "3" };

    (void)state;
    check("alice,bob|carol,dave|bob,erin|*|alice,frank|gina,hal", preds, "001233", 4);
}

/* Barriers at the start and back to back: each waits for the one before (the last one
 * also for the txs since). */
static void
txdag_barriers_in_a_row(void **state)
{
    static const char *const preds[] = { "", "0", "1", "2", "2", "2,3,4" };

    (void)state;
    check("*|*|*|a|b|*", preds, "012334", 5);
}

/* A field named twice by one tx (a transfer from bob to bob) gives one edge, not two. */
static void
txdag_repeated_field_gives_one_edge(void **state)
{
    static const char *const preds[] = { "", "0" };
    txdag_t d;

    (void)state;
    check("b,b|b,b", preds, "01", 2);
    build(&d, "b,b|b,b");
    assert_int_equal(d.nedges, 1);
    assert_int_equal(d.nodes[0].nsuccs, 1);
    txdag_free(&d);
}

/* FISCO's rule for a parallel tx with no fields: it waits for nobody, even after a barrier
 * (it touches nothing, so it may run at any time). */
static void
txdag_fieldless_parallel_tx_waits_for_nobody(void **state)
{
    static const char *const preds[] = { "", "", "0", "" };

    (void)state;
    check("a|-|*|-", preds, "0010", 2);
}

static void
txdag_empty_block(void **state)
{
    txdag_t d;

    (void)state;
    txdag_init(&d);
    assert_int_equal(d.count, 0);
    assert_int_equal(d.nlevels, 0);
    txdag_free(&d);
}

/* ---- critical fields of real transactions ---- */

static void
call_tx(tx_t *tx, uint16_t to, const char *sig, const char *const *args, size_t n)
{
    tx_init(tx);
    tx->has_to = true;
    precompile_address(to, tx->to);
    assert_int_equal(abi_encode_call_text(suite_ecdsa(), sig, args, n, &tx->data), BL_OK);
}

static void
txdag_criticals_of_real_transactions(void **state)
{
    static const char *const transfer[] = { "alice", "bob", "5" };
    static const char *const config[] = { "0x0000000000000000000000000000000000005002", "f()",
                                          "1" };
    tx_t tx;
    critical_t fields;
    bool parallel;

    (void)state;
    /* DagTransfer: its user names, with 0x...5002 appended */
    call_tx(&tx, 0x5002, "userTransfer(string,string,uint256)", transfer, 3);
    critical_init(&fields);
    assert_int_equal(txdag_tx_criticals(suite_ecdsa(), NULL, &tx, &parallel, &fields), BL_OK);
    assert_true(parallel);
    assert_int_equal(fields.count, 2);
    assert_string_equal(fields.fields[0], "alice0000000000000000000000000000000000005002");
    assert_string_equal(fields.fields[1], "bob0000000000000000000000000000000000005002");
    critical_free(&fields);
    tx_free(&tx);
    /* ParallelConfig is not parallel: a barrier */
    call_tx(&tx, 0x1006, "registerParallelFunctionInternal(address,string,uint256)", config, 3);
    assert_int_equal(txdag_tx_criticals(suite_ecdsa(), NULL, &tx, &parallel, &fields), BL_OK);
    assert_false(parallel);
    assert_int_equal(fields.count, 0);
    /* a deployment, and a call to a contract without a config (no db): barriers */
    tx.has_to = false;
    assert_int_equal(txdag_tx_criticals(suite_ecdsa(), NULL, &tx, &parallel, &fields), BL_OK);
    assert_false(parallel);
    tx.has_to = true;
    memset(tx.to, 0x77, 20);
    assert_int_equal(txdag_tx_criticals(suite_ecdsa(), NULL, &tx, &parallel, &fields), BL_OK);
    assert_false(parallel);
    tx_free(&tx);
}

/* txdag_build over a block: the DagTransfer txs that share a user are ordered, the deployment
 * is a barrier. */
static void
txdag_build_from_transactions(void **state)
{
    static const char *const t1[] = { "alice", "bob", "1" }, *const t2[] = { "carol", "dan", "1" },
                             *const t3[] = { "bob", "erin", "1" };
    tx_t txs[4];
    txdag_t d;

    (void)state;
    call_tx(&txs[0], 0x5002, "userTransfer(string,string,uint256)", t1, 3);
    call_tx(&txs[1], 0x5002, "userTransfer(string,string,uint256)", t2, 3);
    call_tx(&txs[2], 0x5002, "userTransfer(string,string,uint256)", t3, 3);
    tx_init(&txs[3]);
    txdag_init(&d);
    assert_int_equal(txdag_build(&d, suite_ecdsa(), NULL, txs, 4), BL_OK);
    assert_int_equal(d.count, 4);
    assert_int_equal(d.nodes[1].npreds, 0);
    assert_int_equal(d.nodes[2].npreds, 1);
    assert_int_equal(d.nodes[2].preds[0], 0);
    assert_false(d.nodes[3].parallel);
    assert_int_equal(d.nodes[3].npreds, 3); /* last[alice]=0, last[bob]=last[erin]=2, carol/dan=1 */
    assert_int_equal(d.nlevels, 3);
    txdag_free(&d);
    for (int i = 0; i < 4; i++)
        tx_free(&txs[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(txdag_no_conflicts_is_one_level),
        cmocka_unit_test(txdag_all_conflicting_is_a_chain),
        cmocka_unit_test(txdag_chain_through_different_fields),
        cmocka_unit_test(txdag_diamond),
        cmocka_unit_test(txdag_waits_only_for_the_last_writer),
        cmocka_unit_test(txdag_barrier_in_the_middle),
        cmocka_unit_test(txdag_example_from_the_source),
        cmocka_unit_test(txdag_barriers_in_a_row),
        cmocka_unit_test(txdag_repeated_field_gives_one_edge),
        cmocka_unit_test(txdag_fieldless_parallel_tx_waits_for_nobody),
        cmocka_unit_test(txdag_empty_block),
        cmocka_unit_test(txdag_criticals_of_real_transactions),
        cmocka_unit_test(txdag_build_from_transactions),
    };

    return cmocka_run_group_tests_name("txdag", tests, NULL, NULL);
}
