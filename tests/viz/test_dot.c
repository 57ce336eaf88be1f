/*
 * test_dot.c — the Graphviz pictures (viz/dot/): each builder draws exactly what its data
 * holds, and dot_write produces files that Graphviz itself accepts.
 *
 * The counting tests build a graph from hand-made data (blocks, a DAG, a membership matrix, an
 * event log, a trie) and count the nodes and edges, or the objects of one `class` (every
 * object the builders draw carries one: "block", "tip", "msg", ...). The writing tests write
 * .dot, .svg and .png files into a scratch directory and check them: the DOT text parses with
 * the `dot` program, an SVG is XML, a PNG starts with the PNG signature, and a name with any
 * other extension is refused without making a file. The last test draws a real simulated PBFT
 * cluster.
 *
 * BL_DOT_KEEP=DIR also writes a PNG of each kind of picture into DIR, to look at.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "clusterutil.h"
#include "consensus/pbft.h"
#include "dot/dot.h"
#include "exec/txdag.h"
#include "ledger/block.h"
#include "mptutil.h"
#include "net/frame.h"
#include "node/group.h"

static const char *const names[] = { "node0", "node1", "node2", "node3" };

/* ---- helpers ---- */

/* How many nodes, or edges, of g have this class. */
static size_t
count_nodes(Agraph_t *g, const char *class)
{
    size_t k = 0;

    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        k += strcmp(agget(n, "class"), class) == 0;
    return k;
}

static size_t
count_edges(Agraph_t *g, const char *class)
{
    size_t k = 0;

    for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e != NULL; e = agnxtout(g, e))
            k += strcmp(agget(e, "class"), class) == 0;
    return k;
}

/* "<tu_dir>/name" */
static char *
scratch(const char *name)
{
    size_t len = strlen(tu_dir) + strlen(name) + 2;
    char *path = malloc(len);

    snprintf(path, len, "%s/%s", tu_dir, name);
    return path;
}

static bool
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* With BL_DOT_KEEP set, also draw g as DIR/name.png. */
static void
keep(Agraph_t *g, const char *name)
{
    const char *dir = getenv("BL_DOT_KEEP");
    char path[512];

    if (dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    assert_int_equal(dot_write(g, path), BL_OK);
}

/* k blocks 0..k-1, each naming the one before by hash, sealed in turn by nodes 0..3. */
static void
make_blocks(dot_block_t *b, size_t k)
{
    memset(b, 0, k * sizeof *b);
    for (size_t i = 0; i < k; i++) {
        b[i].number = (int64_t)i;
        memset(b[i].hash, (int)(0x10 + i), 32);
        if (i > 0)
            memcpy(b[i].parent, b[i - 1].hash, 32);
        b[i].txs = i;
        b[i].sealer = i == 0 ? -1 : (int)(i % 4);
    }
}

/* A block as one line, one transaction per '|' (as in test_txdag.c): "a,b" is a parallel
 * transaction with critical fields a and b, "*" a serial barrier. */
static void
build_dag(txdag_t *d, const char *spec)
{
    char *copy = strdup(spec), *save = NULL;

    txdag_init(d);
    for (char *tx = strtok_r(copy, "|", &save); tx != NULL; tx = strtok_r(NULL, "|", &save)) {
        critical_t fields;
        char *fsave = NULL;

        if (strcmp(tx, "*") == 0) {
            txdag_add(d, false, NULL);
            continue;
        }
        critical_init(&fields);
        for (char *f = strtok_r(tx, ",", &fsave); f != NULL; f = strtok_r(NULL, ",", &fsave))
            critical_add(&fields, f);
        txdag_add(d, true, &fields);
        critical_free(&fields);
    }
    free(copy);
}

/* ---- the chain ---- */

/* A chain of k blocks with t tips is k + t nodes; every block but genesis is coupled to its
 * parent (k - 1 edges), and every tip whose block is drawn points at it. */
static void
chain_counts_blocks_tips_and_couplings(void **state)
{
    dot_block_t b[6];
    const dot_tip_t tips[] = {
        { "node0", 5, false }, { "node1", 5, false }, { "node2", 3, false },
        { "node3", 1, true },
    };
    Agraph_t *g;

    (void)state;
    make_blocks(b, 6);
    g = dot_chain(1, b, 6, tips, 4, names);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 6 + 4);
    assert_int_equal(agnedges(g), 5 + 4);
    assert_int_equal(count_nodes(g, "block"), 6);
    assert_int_equal(count_nodes(g, "tip"), 4);
    assert_int_equal(count_edges(g, "parent"), 5);
    assert_int_equal(count_edges(g, "tipedge"), 4);
    /* the lagging tip is dashed, the down one dotted: readable without colour */
    assert_non_null(strstr(agget(agnode(g, "tip2", 0), "style"), "dashed"));
    assert_non_null(strstr(agget(agnode(g, "tip3", 0), "style"), "dotted"));
    assert_non_null(strstr(agget(agnode(g, "tip3", 0), "label"), "down"));
    keep(g, "chain");
    dot_free(g);
}

/* Blocks are coupled by hash, not by number: a block naming a parent hash no block has gets a
 * dashed "broken" arrow to the block with the parent's number; a tip at a height that is not
 * drawn has no arrow; no blocks at all is a graph with a title only. */
static void
chain_couples_by_hash_not_number(void **state)
{
    dot_block_t b[4];
    const dot_tip_t tip = { "node0", 9, false };
    Agraph_t *g;

    (void)state;
    make_blocks(b, 4);
    b[2].parent[0] ^= 1; /* block 2 no longer names block 1 */
    g = dot_chain(1, b, 4, &tip, 1, NULL);
    assert_non_null(g);
    assert_int_equal(count_edges(g, "parent"), 2);
    assert_int_equal(count_edges(g, "broken"), 1);
    assert_int_equal(count_edges(g, "tipedge"), 0);
    assert_int_equal(agnnodes(g), 5);
    dot_free(g);
    g = dot_chain(2, NULL, 0, NULL, 0, NULL);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 0);
    assert_non_null(strstr(agget(g, "label"), "Group 2"));
    dot_free(g);
}

/* ---- the DAG ---- */

/* One node per transaction and one edge per DAG edge, for a chain, a diamond and a block with
 * a barrier in the middle; each level is one same-rank row; barriers are drawn apart. */
static void
dag_counts_txs_and_edges(void **state)
{
    static const struct {
        const char *spec;
        size_t edges;
        unsigned levels;
    } cases[] = {
        { "a|a|a|a", 3, 4 },          /* a chain: each waits for the one before */
        { "a,b|a|b|a,b", 4, 3 },      /* a diamond: 0 -> 1, 2 -> 3 */
        { "a|b|*|c|d", 4, 3 },        /* two in parallel, the barrier, two in parallel */
        { "x|y|z", 0, 1 },            /* nothing shared: one row, no edges */
    };

    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        txdag_t d;
        Agraph_t *g;
        size_t barriers = 0;

        build_dag(&d, cases[k].spec);
        assert_int_equal(d.nedges, cases[k].edges);
        assert_int_equal(d.nlevels, cases[k].levels);
        g = dot_dag(&d, NULL, 7);
        assert_non_null(g);
        assert_int_equal(agnnodes(g), d.count);
        assert_int_equal(agnedges(g), d.nedges);
        for (unsigned level = 0; level < d.nlevels; level++) {
            char row[32];
            size_t want = 0;
            Agraph_t *sub;

            for (size_t i = 0; i < d.count; i++)
                want += d.nodes[i].level == level;
            snprintf(row, sizeof row, "level%u", level);
            sub = agsubg(g, row, 0);
            assert_non_null(sub);
            assert_string_equal(agget(sub, "rank"), "same");
            assert_int_equal(agnnodes(sub), want);
        }
        for (size_t i = 0; i < d.count; i++)
            barriers += !d.nodes[i].parallel;
        assert_int_equal(count_nodes(g, "tx barrier"), barriers);
        if (k == 2)
            keep(g, "dag");
        dot_free(g);
        txdag_free(&d);
    }
}

/* With the executor's trace each transaction names its worker; a trace of another block
 * (another length) is refused. */
static void
dag_with_trace_names_workers(void **state)
{
    pte_run_t runs[3] = { { 1, 0, 5000, false }, { 2, 0, 7000, false }, { 1, 5000, 9000, false } };
    pte_trace_t trace = { .runs = runs, .count = 3, .workers = 2 };
    txdag_t d;
    Agraph_t *g;

    (void)state;
    build_dag(&d, "a|b|a,b");
    g = dot_dag(&d, &trace, 3);
    assert_non_null(g);
    assert_non_null(strstr(agget(agnode(g, "tx1", 0), "label"), "worker 2, 7"));
    assert_non_null(strstr(agget(g, "label"), "2 workers"));
    keep(g, "dag_trace");
    dot_free(g);
    trace.count = 2;
    assert_null(dot_dag(&d, &trace, 3));
    assert_null(dot_dag(NULL, NULL, 3));
    txdag_free(&d);
}

/* ---- the groups ---- */

/* Each group is a cluster holding exactly its members (a node in two groups is drawn in
 * both); a node in no group stands outside every cluster; a non-member is named in the
 * cluster's title. */
static void
groups_clusters_hold_their_members(void **state)
{
    const unsigned ids[] = { 1, 2 };
    const char *const cons[] = { "pbft", "raft" };
    /* rows are nodes, columns groups: 0 none, 1 sealer, 2 observer */
    const uint8_t role[] = {
        1, 1, /* node0: sealer in both */
        1, 0, /* node1: group 1 only */
        2, 1, /* node2: observer in 1, sealer in 2 */
        0, 0, /* node3: in no group */
    };
    dot_groups_t d = { 4, names, 2, ids, cons, role };
    Agraph_t *g = dot_groups(&d), *c1, *c2;

    (void)state;
    assert_non_null(g);
    c1 = agsubg(g, "cluster_g1", 0);
    c2 = agsubg(g, "cluster_g2", 0);
    assert_non_null(c1);
    assert_non_null(c2);
    assert_int_equal(agnnodes(c1), 3);
    assert_int_equal(agnnodes(c2), 2);
    assert_non_null(agnode(c1, "g1_n1", 0));
    assert_null(agnode(c2, "g2_n1", 0));
    assert_non_null(agnode(c2, "g2_n2", 0));
    assert_int_equal(agnnodes(g), 3 + 2 + 1);
    assert_int_equal(count_nodes(g, "member sealer"), 4);
    assert_int_equal(count_nodes(g, "member observer"), 1);
    assert_int_equal(count_nodes(g, "lonely"), 1);
    assert_non_null(strstr(agget(c2, "label"), "not in it: node1, node3"));
    assert_non_null(strstr(agget(c1, "label"), "(pbft)"));
    keep(g, "groups");
    dot_free(g);
}

/* ---- the PBFT round ---- */

static ev_t
ev(uint64_t t, ev_kind_t kind, int node, int peer, unsigned group, int64_t a, int64_t b)
{
    ev_t e = { .time_ms = t, .kind = kind, .node = node, .peer = peer,
               .group = (uint16_t)group, .a = a, .b = b };

    if (kind == EV_MSG_SENT || kind == EV_MSG_DROPPED)
        e.module = MODULE_PBFT;
    return e;
}

/* A 4-node round for block 5 of group 1 (node 0 leads), with traffic before and after it. */
static size_t
make_round(ev_t *e)
{
    size_t n = 0;

    /* before: a late CommitReq of round 4, and node 1 idle for height 5 (not the start) */
    e[n++] = ev(900, EV_MSG_SENT, 3, 2, 1, PBFT_COMMIT, 0);
    e[n++] = ev(905, EV_PBFT_PHASE, 1, -1, 1, 5, PBFT_PHASE_IDLE);
    /* the round */
    e[n++] = ev(1000, EV_BLOCK_SEALED, 0, -1, 1, 5, 3);
    for (int to = 1; to < 4; to++)
        e[n++] = ev(1000, EV_MSG_SENT, 0, to, 1, PBFT_PREPARE, 0);
    for (int i = 0; i < 4; i++) {
        e[n++] = ev(1010, EV_PBFT_PHASE, i, -1, 1, 5, PBFT_PHASE_PREPARED);
        for (int to = 0; to < 4; to++)
            if (to != i)
                e[n++] = ev(1010, EV_MSG_SENT, i, to, 1, PBFT_SIGN, 0);
    }
    e[n++] = ev(1011, EV_MSG_DROPPED, 2, 3, 1, PBFT_SIGN, 0); /* node 2's SignReq to 3 lost */
    e[n++] = ev(1015, EV_MSG_SENT, 0, 1, 2, PBFT_SIGN, 0);    /* another group's */
    e[n++] = ev(1015, EV_MSG_SENT, 0, 1, 1, 0, 0);           /* another module's (below) */
    e[n - 1].module = MODULE_SYNC;
    for (int i = 0; i < 4; i++) {
        e[n++] = ev(1020, EV_PBFT_PHASE, i, -1, 1, 5, PBFT_PHASE_SIGNED);
        for (int to = 0; to < 4; to++)
            if (to != i)
                e[n++] = ev(1020, EV_MSG_SENT, i, to, 1, PBFT_COMMIT, 0);
    }
    for (int i = 0; i < 4; i++) {
        e[n++] = ev(1030, EV_PBFT_PHASE, i, -1, 1, 5, PBFT_PHASE_COMMITTED);
        e[n++] = ev(1030, EV_BLOCK_COMMITTED, i, -1, 1, 5, 3);
    }
    /* after: round 6 begins */
    e[n++] = ev(1530, EV_BLOCK_SEALED, 1, -1, 1, 6, 1);
    e[n++] = ev(1530, EV_MSG_SENT, 1, 0, 1, PBFT_PREPARE, 0);
    return n;
}

/* Every PBFT message of the group sent between the round's first event and its last commit
 * is one arrow, and nothing else is: not the round before or after, not another group, not
 * another module. A lost message is still an arrow, marked lost; the phases are notes. */
static void
pbft_draws_the_round_messages(void **state)
{
    ev_t e[128];
    size_t n = make_round(e);
    Agraph_t *g = dot_pbft(e, n, 1, 5, 4, names);

    (void)state;
    assert_non_null(g);
    /* 3 PrepareReq + 12 SignReq + 12 CommitReq, one of the SignReqs lost */
    assert_int_equal(count_edges(g, "msg"), 3 + 11 + 12);
    assert_int_equal(count_edges(g, "msg lost"), 1);
    assert_int_equal(count_nodes(g, "lane"), 4);
    assert_int_equal(count_nodes(g, "note"), 12);
    assert_non_null(strstr(agget(agnode(g, "lane0", 0), "label"), "leader"));
    assert_non_null(strstr(agget(g, "label"), "27 messages"));
    assert_string_equal(agget(g, "layout"), "neato");
    keep(g, "pbft");
    dot_free(g);
    /* a height the log never names: a title and nothing else */
    g = dot_pbft(e, n, 1, 42, 4, names);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 0);
    assert_non_null(strstr(agget(g, "label"), "no PBFT round"));
    dot_free(g);
    assert_null(dot_pbft(e, n, 1, 5, 0, names));
}

/* ---- the trie ---- */

/* mpt.h's worked example, 0x0123 -> "a" and 0x0124 -> "b", is four nodes: an extension for the
 * shared 0,1,2, a branch, two leaves; only the root is stored by hash, the rest is inlined in
 * it. The empty trie is no nodes at all. */
static void
mpt_draws_every_node(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_PLAIN);
    const uint8_t k1[] = { 0x01, 0x23 }, k2[] = { 0x01, 0x24 };
    Agraph_t *g;

    (void)state;
    g = dot_mpt(t);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 0);
    dot_free(g);
    assert_int_equal(mpt_put(t, bl_span(k1, 2), tu_str("a")), BL_OK);
    assert_int_equal(mpt_put(t, bl_span(k2, 2), tu_str("b")), BL_OK);
    g = dot_mpt(t);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), 4);
    assert_int_equal(agnedges(g), 3);
    assert_int_equal(count_nodes(g, "mpt hashed"), 1);
    assert_int_equal(count_nodes(g, "mpt inlined"), 3);
    assert_non_null(strstr(agget(g, "label"), "1 branches, 1 extensions, 2 leaves"));
    dot_free(g);
    mpt_close(t);
    kv_close(kv);
}

/* A trie read back from its store: the walk reads every node it has not read yet, and the
 * nodes stored by hash are exactly the store's entries (one root, nothing overwritten). It is
 * a tree: one edge fewer than nodes. */
static void
mpt_reads_nodes_from_the_store(void **state)
{
    kv_t *kv = tu_memory_kv();
    mpt_t *t = tu_empty_trie(kv, MPT_SECURE);
    uint8_t root[MPT_HASH_LEN];
    Agraph_t *g;

    (void)state;
    for (int i = 0; i < 40; i++) {
        char key[16], value[48];

        snprintf(key, sizeof key, "user%d", i);
        snprintf(value, sizeof value, "balance of user %d is %d", i, i * 100);
        tu_trie_put(t, key, value);
    }
    assert_int_equal(mpt_commit_write(t), BL_OK);
    mpt_root(t, root);
    mpt_close(t);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), root, MPT_SECURE, &t), BL_OK);
    g = dot_mpt(t);
    assert_non_null(g);
    assert_int_equal(count_nodes(g, "mpt hashed"), tu_kv_count(kv));
    assert_int_equal(agnedges(g), agnnodes(g) - 1);
    assert_non_null(strstr(agget(g, "label"), "40 leaves"));
    keep(g, "mpt");
    dot_free(g);
    mpt_close(t);
    kv_close(kv);
}

/* ---- writing ---- */

/* One graph of each kind, for the writing tests. */
static Agraph_t *
graph_of_kind(int kind, txdag_t *d, kv_t *kv, mpt_t **t)
{
    static const unsigned ids[] = { 1 };
    static const uint8_t role[] = { 1, 1, 2, 0 };
    static const dot_groups_t groups = { 4, names, 1, ids, NULL, role };
    static ev_t e[128];
    dot_block_t b[3];
    const dot_tip_t tip = { "node<&>\"0\"", 2, false }; /* a name to escape */

    switch (kind) {
    case 0:
        make_blocks(b, 3);
        return dot_chain(1, b, 3, &tip, 1, names);
    case 1:
        build_dag(d, "a|a,b|*|c");
        return dot_dag(d, NULL, 1);
    case 2:
        return dot_groups(&groups);
    case 3:
        return dot_pbft(e, make_round(e), 1, 5, 4, names);
    default:
        *t = tu_empty_trie(kv, MPT_PLAIN);
        tu_trie_put(*t, "do", "verb");
        tu_trie_put(*t, "dog", "puppy");
        tu_trie_put(*t, "doge", "coin");
        tu_trie_put(*t, "horse", "stallion");
        return dot_mpt(*t);
    }
}

/* The DOT text dot_write produces for every kind of picture is accepted by the `dot` program
 * (HTML-like labels, escaped names, the PBFT chart's pinned neato layout included). */
static void
dot_text_parses_with_the_dot_program(void **state)
{
    (void)state;
    for (int kind = 0; kind < 5; kind++) {
        txdag_t d;
        kv_t *kv = tu_memory_kv();
        mpt_t *t = NULL;
        Agraph_t *g;
        char name[32], *dot, *svg, cmd[1024];

        txdag_init(&d);
        g = graph_of_kind(kind, &d, kv, &t);
        assert_non_null(g);
        snprintf(name, sizeof name, "kind%d.dot", kind);
        dot = scratch(name);
        snprintf(name, sizeof name, "kind%d.svg", kind);
        svg = scratch(name);
        assert_int_equal(dot_write(g, dot), BL_OK);
        snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o '%s' 2>/dev/null", dot, svg);
        assert_int_equal(system(cmd), 0);
        assert_true(exists(svg));
        if (kind == 4)
            keep(g, "mpt_small");
        free(dot);
        free(svg);
        dot_free(g);
        txdag_free(&d);
        if (t != NULL)
            mpt_close(t);
        kv_close(kv);
    }
}

/* .svg is drawn as SVG (XML), .png as PNG (its 8-byte signature); both through libgvc. */
static void
svg_and_png_are_what_they_say(void **state)
{
    static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    txdag_t d;
    Agraph_t *g;
    char *svg = scratch("dag.svg"), *png = scratch("dag.png"), *text;
    size_t len;

    (void)state;
    build_dag(&d, "a|a,b|*|c");
    g = dot_dag(&d, NULL, 1);
    assert_int_equal(dot_write(g, svg), BL_OK);
    text = tu_read_file(svg, &len);
    assert_true(strncmp(text, "<?xml", 5) == 0 || strstr(text, "<svg") != NULL);
    assert_non_null(strstr(text, "class=\"node tx barrier\""));
    free(text);
    assert_int_equal(dot_write(g, png), BL_OK);
    text = tu_read_file(png, &len);
    assert_true(len > sizeof png_magic);
    assert_memory_equal(text, png_magic, sizeof png_magic);
    free(text);
    /* the same graph can be drawn again after a drawing */
    assert_int_equal(dot_write(g, svg), BL_OK);
    dot_free(g);
    txdag_free(&d);
    free(svg);
    free(png);
}

/* A file name with another extension, or none, is refused (BL_E_INVALID, with the name in
 * the message) and no file is made; a file that cannot be created is BL_E_IO. */
static void
unknown_extension_fails_cleanly(void **state)
{
    static const char *const bad[] = { "pic.jpg", "pic", "pic.svg.txt", "dir.png/pic" };
    txdag_t d;
    Agraph_t *g;

    (void)state;
    build_dag(&d, "a|a");
    g = dot_dag(&d, NULL, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *path = scratch(bad[i]);

        assert_int_equal(dot_write(g, path), BL_E_INVALID);
        assert_non_null(strstr(bl_errmsg(), bad[i]));
        assert_false(exists(path));
        free(path);
    }
    assert_int_equal(dot_write(g, "/nonexistent-dir/pic.svg"), BL_E_IO);
    assert_int_equal(dot_write(g, "/nonexistent-dir/pic.dot"), BL_E_IO);
    assert_int_equal(dot_write(NULL, "pic.dot"), BL_E_INVALID);
    dot_free(g);
    txdag_free(&d);
}

/* ---- a real cluster ---- */

/* The cluster index of the sealer that sealed blk (by its node ID), or -1. */
static int
sealer_of(const cu_cluster_t *c, const block_t *blk)
{
    if (blk->header.sealer >= blk->header.nsealers)
        return -1;
    for (unsigned i = 0; i < c->n; i++)
        if (memcmp(c->ids[i], blk->header.sealer_list[blk->header.sealer], 64) == 0)
            return (int)i;
    return -1;
}

static void
cluster_blocks(cu_cluster_t *c, int64_t height, dot_block_t *out)
{
    group_t *grp = node_group(cu_node(c, 0), 1);

    for (int64_t h = 0; h <= height; h++) {
        block_t blk;

        assert_int_equal(group_block(grp, h, &blk), BL_OK);
        out[h].number = h;
        block_hash(c->suite, &blk, out[h].hash);
        memcpy(out[h].parent, blk.header.parent_hash, 32);
        out[h].txs = blk.ntxs;
        out[h].sealer = h == 0 ? -1 : sealer_of(c, &blk);
        block_free(&blk);
    }
}

/* The chain of a real 4-node PBFT group: every block read back from node 0 is a car coupled
 * to its parent, plus one tip per node; and its event log draws round 1 with at least the
 * leader's 3 PrepareReqs. */
static void
real_cluster_chain_and_round(void **state)
{
    cu_cluster_t c;
    dot_block_t b[8];
    dot_tip_t tips[4];
    int64_t height;
    ev_t *events = malloc(200000 * sizeof *events);
    size_t nev;
    Agraph_t *g;

    (void)state;
    cu_open(&c, 7, 4);
    cu_group_with(&c, 1, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(&c);
    cu_submit_users(&c, 0, 1, 3);
    cu_run_until_height(&c, 1, NULL, 1, 60000);
    cu_submit_users(&c, 1, 1, 2);
    cu_run_until_height(&c, 1, NULL, 2, 60000);
    height = cu_height(&c, 0, 1);
    assert_true(height >= 2 && height < 8);
    cluster_blocks(&c, height, b);
    for (unsigned i = 0; i < 4; i++)
        tips[i] = (dot_tip_t){ names[i], cu_height(&c, i, 1), false };
    g = dot_chain(1, b, (size_t)height + 1, tips, 4, names);
    assert_non_null(g);
    assert_int_equal(agnnodes(g), height + 1 + 4);
    assert_int_equal(count_edges(g, "parent"), height);
    keep(g, "chain_cluster");
    dot_free(g);
    nev = evlog_read(c.log, 0, events, 200000, NULL);
    g = dot_pbft(events, nev, 1, 1, 4, names);
    assert_non_null(g);
    assert_true(count_edges(g, "msg") >= 3);
    keep(g, "pbft_cluster");
    dot_free(g);
    free(events);
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_counts_blocks_tips_and_couplings),
        cmocka_unit_test(chain_couples_by_hash_not_number),
        cmocka_unit_test(dag_counts_txs_and_edges),
        cmocka_unit_test(dag_with_trace_names_workers),
        cmocka_unit_test(groups_clusters_hold_their_members),
        cmocka_unit_test(pbft_draws_the_round_messages),
        cmocka_unit_test(mpt_draws_every_node),
        cmocka_unit_test(mpt_reads_nodes_from_the_store),
        cmocka_unit_test(dot_text_parses_with_the_dot_program),
        cmocka_unit_test(svg_and_png_are_what_they_say),
        cmocka_unit_test(unknown_extension_fails_cleanly),
        cmocka_unit_test(real_cluster_chain_and_round),
    };

    return cmocka_run_group_tests_name("dot", tests, tu_setup_dir, tu_teardown_dir);
}
