/*
 * dot.h — pictures of the chain for Graphviz: the blocks, a block's transaction DAG, the
 * groups, one PBFT round and a Merkle Patricia Trie, each as a graph you can open as SVG or PNG
 * (DESIGN §2, viz/dot/).
 *
 * Graphviz is a program that lays out graphs: you say which boxes exist and which arrows join
 * them, and it decides where everything goes. Its C library (libcgraph) holds such a graph in
 * memory (an Agraph_t); the DOT language is the same graph as text; libgvc lays a graph out and
 * draws it. So every picture here is made in two steps:
 *
 *     Agraph_t *g = dot_chain(1, blocks, n, tips, ntips, names);   build: boxes and arrows
 *     dot_write(g, "chain.svg");                                    draw: .dot, .svg or .png
 *     dot_free(g);
 *
 * The builders take plain data — arrays of blocks, events, a DAG, a trie — never a running
 * cluster, so the TUI (its `e` key), `bcoslab export` and the tests can all feed them from
 * whatever they hold: a snapshot, the event log, a block read back from the ledger. A builder
 * returns NULL only for arguments it cannot use (bl_errmsg() says which); an empty input gives
 * a graph with just its title.
 *
 * Every graph has a title (the graph's label, at the top), uses two fonts (Helvetica for
 * words, Courier for hashes and paths) and never says anything with colour alone: a lagging
 * node is also dashed, a serial barrier also has a double border, a down node also says
 * "down". Objects carry a `class` attribute ("block", "tip", "tx", "msg", ...), which
 * becomes a CSS class in SVG and lets tests count what was drawn.
 *
 * Graphviz is not thread-safe: build and write graphs on one thread.
 */
#ifndef BL_VIZ_DOT_H
#define BL_VIZ_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <graphviz/cgraph.h>

#include "base/bytes.h"
#include "base/evlog.h"
#include "exec/executor.h"
#include "exec/txdag.h"
#include "storage/mpt.h"

/* ---- the chain of one group (dot_chain.c) ---- */

typedef struct {
    int64_t number;
    uint8_t hash[32];
    uint8_t parent[32];
    size_t txs;
    int sealer;          /* index into node_names, or -1 if unknown (genesis) */
} dot_block_t;

/* Where one node's copy of the chain ends. */
typedef struct {
    const char *node;    /* its name */
    int64_t height;
    bool down;
} dot_tip_t;

/* The blocks as a train of cars, genesis on the left, each joined to its parent by hash; each
 * node's tip as a small tag under the block it has reached (lagging nodes dashed, down nodes
 * dotted and grey). node_names may be NULL ("node 2"). */
Agraph_t *dot_chain(unsigned group, const dot_block_t *blocks, size_t n, const dot_tip_t *tips,
                    size_t ntips, const char *const *node_names);

/* ---- a block's transaction DAG (dot_dag.c) ---- */

/* One box per transaction with its critical fields, an arrow for each wait, the transactions
 * of one level side by side; serial barriers drawn double and grey. With a trace (NULL: none)
 * each box also says which worker ran it and for how long. */
Agraph_t *dot_dag(const txdag_t *dag, const pte_trace_t *trace, int64_t block_number);
/* The same with a planned schedule instead of a measured trace (the TUI's DAG view): each
 * run's start_ns is its time step, the schedule's end_ns the number of steps. */
Agraph_t *dot_dag_schedule(const txdag_t *dag, const pte_trace_t *schedule,
                           int64_t block_number);

/* ---- groups and their members (dot_groups.c) ---- */

typedef struct {
    unsigned nnodes;
    const char *const *node_names;  /* may be NULL */
    unsigned ngroups;
    const unsigned *group_ids;
    const char *const *consensus;   /* per group: "pbft", "raft", "solo" (may be NULL) */
    const uint8_t *role;            /* nnodes * ngroups, row by node: DOT_ROLE_* */
} dot_groups_t;

enum { DOT_ROLE_NONE = 0, DOT_ROLE_SEALER = 1, DOT_ROLE_OBSERVER = 2 };

/* Each group a framed cluster holding one box per member node (a node in two groups is drawn
 * in both), every node on the same row in every frame; the nodes in no group in a dotted
 * frame of their own. */
Agraph_t *dot_groups(const dot_groups_t *g);

/* ---- one PBFT round (dot_pbft.c) ---- */

/* The messages of group's round for `height` as a message sequence chart: one lane per node,
 * time running down, an arrow per PrepareReq/SignReq/CommitReq/ViewChangeReq sent, and the
 * phases each node entered noted on its lane. events: the event log, oldest first. */
Agraph_t *dot_pbft(const ev_t *events, size_t n, unsigned group, int64_t height,
                   unsigned nnodes, const char *const *node_names);

/* ---- a Merkle Patricia Trie (dot_mpt.c) ---- */

/* Every node of the trie reachable from its root: branches with their 16 slots, extensions
 * and leaves with their nibble paths, each with its short hash (or "inlined"). Reads the nodes
 * the handle has not read yet from its store (so t is not const); NULL if one cannot be read. */
Agraph_t *dot_mpt(mpt_t *t);

/* ---- drawing (dot.c) ---- */

/* Write g to path, in the format its extension names: .dot (the DOT text), .svg or .png (laid
 * out with `dot` and drawn). Any other extension: BL_E_INVALID, and no file is made. A file
 * that cannot be written: BL_E_IO. */
int dot_write(Agraph_t *g, const char *path);
void dot_free(Agraph_t *g);

/* ---- shared by the dot_*.c files (dot.c) ---- */

#define DOT_FONT "Helvetica"
#define DOT_MONO "Courier"

/* A new directed graph with a title on top and the fonts and defaults of every picture;
 * rankdir "TB" (top to bottom) or "LR"/"RL". */
Agraph_t *dot_graph_new(const char *name, const char *title, const char *rankdir);
/* A node or an edge (edges may repeat between the same two nodes). */
Agnode_t *dot_node_add(Agraph_t *g, const char *name);
Agedge_t *dot_edge_add(Agraph_t *g, Agnode_t *tail, Agnode_t *head);
/* A subgraph of g (a name starting "cluster" makes Graphviz frame it). */
Agraph_t *dot_subgraph(Agraph_t *g, const char *name);
/* Set an attribute of a graph, node or edge (declaring it if it is new). */
void dot_set(void *obj, const char *attr, const char *value);
/* Set an attribute to an HTML-like label (Graphviz's <TABLE> markup). */
void dot_set_html(void *obj, const char *attr, const char *html);

/* Appending text to a buffer that stays NUL-terminated (the NUL is not counted in len). */
void dot_cat(bl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, with & < > " written as HTML entities (for names inside HTML-like labels). */
void dot_cat_html(bl_buf_t *b, const char *s);
/* The buffer as a C string ("" if empty). */
const char *dot_str(const bl_buf_t *b);

/* "0x1a2b3c4d…": the first 4 bytes of a hash, enough to tell blocks apart by eye. */
#define DOT_SHORT_HASH 16
void dot_short_hash(const uint8_t *hash, char out[DOT_SHORT_HASH]);
/* A node's display name: node_names[i], or "node i" when there are no names. */
void dot_node_name(const char *const *node_names, int i, char *out, size_t cap);

#endif
