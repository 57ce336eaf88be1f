/*
 * test_export.c — `bcoslab export` and the TUI's `e`: pictures of a running world whose node and
 * edge counts match the chain and the DAG they were drawn from (issue #7), and the demo and
 * export command lines refusing bad input.
 *
 * The world runs on the simulator (seed 2), so every run draws the same chain.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

#include "export.h"
#include "exec/executor.h"
#include "model.h"
#include "world.h"

static world_t *w;
static model_t m;

static int
setup(void **state)
{
    world_opts_t o = world_default_opts();

    tu_setup_dir(state);
    o.sim = true;
    o.seed = 2;
    w = world_open(&o);
    if (w == NULL)
        return -1;
    model_init(&m, w);
    for (int t = 0; t < 40; t++) {
        world_advance(w, 100);
        model_update(&m, false);
    }
    model_update(&m, true);
    return 0;
}

static int
teardown(void **state)
{
    model_free(&m);
    world_close(w);
    return tu_teardown_dir(state);
}

/* Export kind into DIR/name.dot and read it back. */
static Agraph_t *
export_and_read(export_kind_t kind, unsigned k, int64_t number, const char *name)
{
    char path[512];
    FILE *f;
    Agraph_t *g;

    snprintf(path, sizeof path, "%s/%s.dot", tu_dir, name);
    assert_int_equal(export_graph(w, &m, kind, k, number, path), 0);
    f = fopen(path, "r");
    assert_non_null(f);
    g = agread(f, NULL);
    fclose(f);
    assert_non_null(g);
    return g;
}

static size_t
count_class(Agraph_t *g, bool edges, const char *prefix)
{
    size_t k = 0;

    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
        const char *c = agget(n, "class");

        if (!edges)
            k += c != NULL && strncmp(c, prefix, strlen(prefix)) == 0;
        for (Agedge_t *e = agfstout(g, n); edges && e != NULL; e = agnxtout(g, e)) {
            const char *ec = agget(e, "class");

            k += ec != NULL && strncmp(ec, prefix, strlen(prefix)) == 0;
        }
    }
    return k;
}

/* The chain picture has one car per block the model holds (genesis to the tip), a parent
 * coupling between each pair of cars, and one tag per member's tip. */
static void
exported_chain_has_a_car_per_block_and_a_tip_per_member(void **state)
{
    Agraph_t *g = export_and_read(EXPORT_CHAIN, 0, -1, "chain");
    size_t blocks = (size_t)m.g[0].fetched + 1;

    (void)state;
    assert_true(m.g[0].fetched >= 3);
    assert_int_equal(count_class(g, false, "block"), blocks);
    assert_int_equal(count_class(g, true, "parent"), blocks - 1);
    assert_int_equal(count_class(g, false, "tip"), model_members(&m, 0));
    agclose(g);
}

/* The DAG picture of a block has one box per transaction and one arrow per DAG edge, exactly
 * as txdag_build counts them for that block. */
static void
exported_dag_matches_the_blocks_dag(void **state)
{
    int64_t number = m.g[0].fetched;
    model_dag_t d;
    Agraph_t *g;

    (void)state;
    while (number > 0 && model_block(&m, 0, number)->txs == 0)
        number--;
    assert_int_equal(model_dag(&m, 0, number, 2, &d), 0);
    assert_true(d.dag.count > 0);
    g = export_and_read(EXPORT_DAG, 0, number, "dag");
    assert_int_equal(count_class(g, false, "tx"), d.dag.count);
    assert_int_equal(count_class(g, true, "wait"), d.dag.nedges);
    agclose(g);
    model_dag_free(&d);
}

/* The schedule the DAG view shows is a real run of the executor's scheduler: every
 * transaction runs after each one it waits for, and no step has more transactions than
 * workers. */
static void
dag_schedule_respects_every_edge_and_the_worker_count(void **state)
{
    model_dag_t d;

    (void)state;
    assert_int_equal(model_dag(&m, 0, m.g[0].fetched, 2, &d), 0);
    for (size_t i = 0; i < d.dag.count; i++) {
        size_t same_step = 0;

        for (size_t p = 0; p < d.dag.nodes[i].npreds; p++)
            assert_true(d.step[d.dag.nodes[i].preds[p]] < d.step[i]);
        for (size_t j = 0; j < d.dag.count; j++)
            same_step += d.step[j] == d.step[i];
        assert_true(same_step <= 2);
        assert_true(d.worker[i] >= 1 && d.worker[i] <= 2);
    }
    assert_true(d.steps >= d.dag.nlevels);
    assert_true(d.steps >= (d.dag.count + 1) / 2);
    model_dag_free(&d);
}

/* Groups: group 1 frames all four nodes, group 2 only A and B. PBFT: the round of a height has
 * messages. MPT: a trie of the block's transactions. */
static void
exported_groups_pbft_and_mpt_show_the_running_chain(void **state)
{
    Agraph_t *g = export_and_read(EXPORT_GROUPS, 0, -1, "groups");

    (void)state;
    assert_int_equal(count_class(g, false, "member"), 4 + 2);
    agclose(g);
    g = export_and_read(EXPORT_PBFT, 0, m.g[0].top, "pbft");
    assert_true(count_class(g, true, "msg") >= 3 * 3); /* n − f SignReqs to 3 peers at least */
    agclose(g);
    g = export_and_read(EXPORT_MPT, 0, m.g[0].fetched, "mpt");
    assert_true(count_class(g, false, "mpt") > 0);
    agclose(g);
}

/* The TUI's e key: a DOT and an SVG of the view on screen, the SVG an SVG. */
static void
e_key_writes_the_view_as_dot_and_svg(void **state)
{
    char path[512], *text;

    (void)state;
    assert_int_equal(export_world_view(w, &m, 1, 0, -1, tu_dir, path, sizeof path), 0);
    text = tu_read_file(path, NULL);
    assert_non_null(strstr(text, "<svg"));
    free(text);
    path[strlen(path) - 3] = '\0';
    strcat(path, "dot");
    text = tu_read_file(path, NULL);
    assert_non_null(strstr(text, "digraph"));
    free(text);
}

/* Bad command lines: a clear line on stderr, exit 2, nothing started. */
static void
demo_and_export_refuse_bad_command_lines(void **state)
{
    (void)state;
    tu_run_bad("what to draw", "export picture -o x.svg");
    tu_run_bad("-o FILE", "export chain");
    tu_run_bad("the chain has 2 groups", "export chain --group 3 -o x.svg");
    tu_run_bad("from 1 to 8", "demo --nodes 9");
    tu_run_bad("--consensus wants", "demo --consensus pow");
    tu_run_bad("needs the threads driver", "demo --sim --storage rocksdb");
    tu_run_bad("export's options", "demo -o x.svg");
    tu_run_bad("unexpected", "demo extra");
    tu_run_bad("unknown picture format", "export chain --for 100 -o %s/x.txt", tu_dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exported_chain_has_a_car_per_block_and_a_tip_per_member),
        cmocka_unit_test(exported_dag_matches_the_blocks_dag),
        cmocka_unit_test(dag_schedule_respects_every_edge_and_the_worker_count),
        cmocka_unit_test(exported_groups_pbft_and_mpt_show_the_running_chain),
        cmocka_unit_test(e_key_writes_the_view_as_dot_and_svg),
        cmocka_unit_test(demo_and_export_refuse_bad_command_lines),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
