/*
 * dot_chain.c — a group's chain as a train: one car per block, coupled to the car before it.
 *
 * What makes a list of blocks a chain is that each header names its parent by hash: block 5
 * says "my parent is 0x1a2b3c4d…", and that is block 4's hash. So each car shows its own
 * hash, and the coupling arrow (child -> parent) is labelled with the parent hash the child
 * names: read along the train and every arrow's label is the hash printed in the car it points
 * to. Arrows are drawn by matching hashes, never by numbers: two blocks with consecutive numbers
 * whose hashes do not match (a tampered or forked block) get a dashed "broken" arrow instead.
 *
 * Under the cars, each node of the group hangs a tag on the block its copy of the chain has
 * reached (its tip). All tags under the last car: the nodes agree. A tag further back is a
 * node that lags (it will catch up by block sync): dashed and orange. A down node's tag is
 * grey, dotted and says "down".
 *
 * Layout: right to left (rankdir=RL) so that the child -> parent arrows point left and the
 * genesis block sits on the left, where a reader starts; each block and its tags share a rank,
 * which puts the tags in the block's column.
 */
#include "dot/dot.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

#define CAR_COLOUR "#dbe8f6"
#define TIP_OK "#d5f0d5"
#define TIP_LAG "#ffe0a8"
#define TIP_DOWN "#e0e0e0"

static void
block_name(const dot_block_t *b, char out[48])
{
    char hex[9];

    bl_hex_encode(b->hash, 4, hex);
    snprintf(out, 48, "b%" PRId64 "_%s", b->number, hex);
}

/* The car: a table with the number on top, then hash, transaction count and sealer. */
static void
car_label(const dot_block_t *b, const char *const *node_names, bl_buf_t *out)
{
    char hash[DOT_SHORT_HASH], sealer[64];

    dot_short_hash(b->hash, hash);
    dot_cat(out, "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\">");
    if (b->number == 0)
        dot_cat(out, "<TR><TD BGCOLOR=\"" CAR_COLOUR "\"><B>genesis</B> #0</TD></TR>");
    else
        dot_cat(out, "<TR><TD BGCOLOR=\"" CAR_COLOUR "\"><B>block #%" PRId64 "</B></TD></TR>",
                b->number);
    dot_cat(out, "<TR><TD><FONT FACE=\"" DOT_MONO "\">%s</FONT></TD></TR>", hash);
    dot_cat(out, "<TR><TD>%zu tx%s</TD></TR>", b->txs, b->txs == 1 ? "" : "s");
    if (b->sealer >= 0) {
        dot_node_name(node_names, b->sealer, sealer, sizeof sealer);
        dot_cat(out, "<TR><TD>sealed by ");
        dot_cat_html(out, sealer);
        dot_cat(out, "</TD></TR>");
    }
    dot_cat(out, "</TABLE>");
}

/* The block's car, in a same-rank subgraph that its tips will join. */
static Agnode_t *
add_car(Agraph_t *g, const dot_block_t *b, const char *const *node_names)
{
    bl_buf_t label = BL_BUF_INIT;
    char name[48], rank[64];
    Agnode_t *car;
    Agraph_t *col;

    block_name(b, name);
    snprintf(rank, sizeof rank, "rank_%s", name);
    col = dot_subgraph(g, rank);
    dot_set(col, "rank", "same");
    car = dot_node_add(col, name);
    car_label(b, node_names, &label);
    dot_set_html(car, "label", dot_str(&label));
    dot_set(car, "shape", "none");
    dot_set(car, "margin", "0");
    dot_set(car, "class", "block");
    bl_buf_free(&label);
    return car;
}

static const dot_block_t *
find_by_hash(const dot_block_t *blocks, size_t n, const uint8_t hash[32])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(blocks[i].hash, hash, 32) == 0)
            return &blocks[i];
    return NULL;
}

static const dot_block_t *
find_by_number(const dot_block_t *blocks, size_t n, int64_t number)
{
    for (size_t i = 0; i < n; i++)
        if (blocks[i].number == number)
            return &blocks[i];
    return NULL;
}

static Agnode_t *
car_of(Agraph_t *g, const dot_block_t *b)
{
    char name[48];

    block_name(b, name);
    return agnode(g, name, 0);
}

/* child -> parent, labelled with the parent hash the child names; if no block has that hash
 * but one has the parent's number, a dashed arrow says the link is broken. */
static void
add_coupling(Agraph_t *g, const dot_block_t *blocks, size_t n, const dot_block_t *child)
{
    const dot_block_t *parent = find_by_hash(blocks, n, child->parent);
    char hash[DOT_SHORT_HASH], label[64];
    Agedge_t *e;
    bool broken = parent == NULL;

    if (broken && child->number > 0)
        parent = find_by_number(blocks, n, child->number - 1);
    if (parent == NULL || parent == child)
        return;
    dot_short_hash(child->parent, hash);
    snprintf(label, sizeof label, "%s%s", broken ? "broken: names " : "", hash);
    e = dot_edge_add(g, car_of(g, child), car_of(g, parent));
    dot_set(e, "label", label);
    dot_set(e, "fontname", DOT_MONO);
    dot_set(e, "penwidth", "2");
    dot_set(e, "class", broken ? "broken" : "parent");
    if (broken) {
        dot_set(e, "style", "dashed");
        dot_set(e, "color", "red3");
        dot_set(e, "fontcolor", "red3");
    }
}

/* How a tip looks: up to date, lagging (dashed) or down (dotted, grey). */
static void
style_tip(Agnode_t *t, const dot_tip_t *tip, int64_t top, bool shown)
{
    char label[160];
    int len;

    len = snprintf(label, sizeof label, "%s\nheight %" PRId64, tip->node ? tip->node : "?",
                   tip->height);
    if (tip->down)
        snprintf(label + len, sizeof label - (size_t)len, "\ndown");
    else if (tip->height < top)
        snprintf(label + len, sizeof label - (size_t)len, "\nlagging by %" PRId64,
                 top - tip->height);
    if (!shown)
        snprintf(label + strlen(label), sizeof label - strlen(label), "\n(block not drawn)");
    dot_set(t, "label", label);
    dot_set(t, "fontsize", "10");
    dot_set(t, "class", "tip");
    if (tip->down) {
        dot_set(t, "style", "rounded,filled,dotted");
        dot_set(t, "fillcolor", TIP_DOWN);
        dot_set(t, "fontcolor", "gray35");
    } else if (tip->height < top) {
        dot_set(t, "style", "rounded,filled,dashed");
        dot_set(t, "fillcolor", TIP_LAG);
    } else {
        dot_set(t, "style", "rounded,filled,bold");
        dot_set(t, "fillcolor", TIP_OK);
    }
}

/* A tip tag in its block's column, pointing up at the block. */
static void
add_tip(Agraph_t *g, const dot_block_t *blocks, size_t n, size_t i, const dot_tip_t *tip,
        int64_t top)
{
    const dot_block_t *b = find_by_number(blocks, n, tip->height);
    char name[48], rank[64];
    Agraph_t *col = g;
    Agnode_t *t;
    Agedge_t *e;

    if (b != NULL) {
        block_name(b, name);
        snprintf(rank, sizeof rank, "rank_%s", name);
        col = dot_subgraph(g, rank);
    }
    snprintf(name, sizeof name, "tip%zu", i);
    t = dot_node_add(col, name);
    style_tip(t, tip, top, b != NULL);
    if (b == NULL)
        return;
    e = dot_edge_add(g, t, car_of(g, b));
    dot_set(e, "style", tip->down ? "dotted" : "solid");
    dot_set(e, "arrowsize", "0.7");
    dot_set(e, "class", "tipedge");
}

static int64_t
top_height(const dot_tip_t *tips, size_t ntips)
{
    int64_t top = INT64_MIN;

    for (size_t i = 0; i < ntips; i++)
        if (tips[i].height > top)
            top = tips[i].height;
    return top;
}

Agraph_t *
dot_chain(unsigned group, const dot_block_t *blocks, size_t n, const dot_tip_t *tips,
          size_t ntips, const char *const *node_names)
{
    char title[160];
    Agraph_t *g;
    int64_t top = top_height(tips, ntips);

    if ((blocks == NULL && n > 0) || (tips == NULL && ntips > 0)) {
        bl_fail(BL_E_INVALID, "dot_chain: no array for %zu blocks or %zu tips", n, ntips);
        return NULL;
    }
    snprintf(title, sizeof title, "Group %u: the chain (%zu block%s, tips of %zu node%s)\n"
             "each arrow points to the parent block and is labelled with the parent hash",
             group, n, n == 1 ? "" : "s", ntips, ntips == 1 ? "" : "s");
    g = dot_graph_new("chain", title, "RL");
    if (g == NULL)
        return NULL;
    dot_set(g, "nodesep", "0.25");
    dot_set(g, "ranksep", "0.6");
    for (size_t i = 0; i < n; i++)
        add_car(g, &blocks[i], node_names);
    for (size_t i = 0; i < n; i++)
        add_coupling(g, blocks, n, &blocks[i]);
    for (size_t i = 0; i < ntips; i++)
        add_tip(g, blocks, n, i, &tips[i], top);
    return g;
}
