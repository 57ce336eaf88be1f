/*
 * test_cluster_cmd.c — `bcoslab cluster DIR`, run as a user would: build a chain with
 * build-chain, then run its nodes in one process.
 *
 * Pins down: the nodes of a build-chain directory admit each other by certificate and run
 * their groups (every node reaches height 1 in every group it hosts; node3, of agency C, hosts
 * only group 1); every simulated run prints its seed and an event digest, and
 * --check-determinism runs it twice and finds the same digest (anchors §5, madsim); another
 * seed gives another digest; the threads driver runs the same nodes in real time; and bad
 * command lines exit 2 with one line.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char chain_dir[1024];

static int
setup(void **state)
{
    char *out;

    if (tu_setup_dir(state) != 0)
        return -1;
    snprintf(chain_dir, sizeof chain_dir, "%s/chain", tu_dir);
    out = tu_run_ok("build-chain -n 4 -g 2 --consensus solo -o %s", chain_dir);
    free(out);
    return 0;
}

static char *
digest_of(const char *out)
{
    const char *d = strstr(out, "digest 0x");

    assert_non_null(d);
    return strndup(d + 9, 64);
}

/* Every node runs its groups to height 1; the digest is the same on a second run. */
static void
cluster_sim_runs_every_group_and_is_deterministic(void **state)
{
    char *out = tu_run_ok("cluster %s --check-determinism --txs 3", chain_dir);

    (void)state;
    assert_non_null(strstr(out, "seed=1 driver=sim"));
    assert_non_null(strstr(out, "node0  group1 height 1 pool 0  group2 height 1 pool 0"));
    assert_non_null(strstr(out, "node2  group1 height 1 pool 0  group2 height 1 pool 0"));
    assert_non_null(strstr(out, "node3  group1 height 1 pool 0\n"));
    assert_non_null(strstr(out, "deterministic: a second run with seed 1 gave the same digest"));
    free(out);
}

/* The seed is the run: the same seed, the same digest; another seed, another one. */
static void
cluster_digest_follows_the_seed(void **state)
{
    char *a = tu_run_ok("cluster %s --seed 7 --for 3000", chain_dir);
    char *b = tu_run_ok("cluster %s --seed 7 --for 3000", chain_dir);
    char *c = tu_run_ok("cluster %s --seed 8 --for 3000", chain_dir);
    char *da = digest_of(a), *db = digest_of(b), *dc = digest_of(c);

    (void)state;
    assert_string_equal(da, db);
    assert_string_not_equal(da, dc);
    free(da);
    free(db);
    free(dc);
    free(a);
    free(b);
    free(c);
}

/* The same nodes on real threads. */
static void
cluster_threads_driver_runs_the_same_nodes(void **state)
{
    /* real time: room for a loaded machine (the nodes commit height 1 in ~0.5 s when idle) */
    char *out = tu_run_ok("cluster %s --driver threads --for 4000 --txs 3", chain_dir);

    (void)state;
    assert_non_null(strstr(out, "driver=threads"));
    assert_non_null(strstr(out, "node1  group1 height 1 pool 0  group2 height 1 pool 0"));
    assert_non_null(strstr(out, "node3  group1 height 1 pool 0"));
    free(out);
}

/* Bad command lines: exit 2, one line on stderr, no output. */
static void
cluster_refuses_bad_command_lines(void **state)
{
    (void)state;
    tu_run_bad("which directory?", "cluster");
    tu_run_bad("is it a build-chain directory?", "cluster /nonexistent/dir");
    tu_run_bad("--driver is sim or threads", "cluster %s --driver tcp", chain_dir);
    tu_run_bad("--for", "cluster %s --for 0", chain_dir);
    tu_run_bad("needs the simulator", "cluster %s --driver threads --check-determinism",
               chain_dir);
    tu_run_bad("one directory", "cluster %s extra", chain_dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cluster_sim_runs_every_group_and_is_deterministic),
        cmocka_unit_test(cluster_digest_follows_the_seed),
        cmocka_unit_test(cluster_threads_driver_runs_the_same_nodes),
        cmocka_unit_test(cluster_refuses_bad_command_lines),
    };

    return cmocka_run_group_tests_name("cluster_cmd", tests, setup, tu_teardown_dir);
}
