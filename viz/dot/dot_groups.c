/*
 * dot_groups.c — which nodes are in which group, as one framed column per group.
 *
 * FISCO BCOS runs several groups on the same nodes: each group is a separate chain with its
 * own ledger, its own consensus and its own members, and a node may be a member of several. A
 * member is a sealer (it votes and proposes blocks) or an observer (it keeps the ledger but
 * does not vote); a node that is not a member never even receives the group's messages.
 *
 * How the picture says it. Each group is a Graphviz cluster (a subgraph named "cluster_..."),
 * drawn as a frame titled with the group's id and consensus. Inside it, one box per member:
 * a node in two groups is drawn twice, once in each frame — it really does keep two separate
 * ledgers, so two boxes are closer to the truth than one box with two arrows. Sealers are
 * filled and bold; observers white and dashed. Every node keeps the same row in every frame
 * (invisible edges of the right length hold it there), so a non-member leaves a visible gap
 * in its row, and the frame's title also names who is not in it. A node that is in no group at
 * all is drawn dotted, in a dotted frame of its own, "in no group".
 */
#include "dot/dot.h"

#include <stdio.h>

#include "base/error.h"

#define SEALER_COLOUR "#cfe2f3"

static uint8_t
role_of(const dot_groups_t *g, unsigned node, unsigned group)
{
    return g->role[(size_t)node * g->ngroups + group];
}

/* "group 1 (pbft)\n3 sealers, 1 observer\nnot in it: node3" */
static void
cluster_title(const dot_groups_t *g, unsigned k, bl_buf_t *out)
{
    unsigned count[3] = { 0, 0, 0 };
    char name[64];
    bool first = true;

    for (unsigned i = 0; i < g->nnodes; i++)
        count[role_of(g, i, k) <= DOT_ROLE_OBSERVER ? role_of(g, i, k) : DOT_ROLE_NONE]++;
    dot_cat(out, "group %u", g->group_ids[k]);
    if (g->consensus != NULL && g->consensus[k] != NULL)
        dot_cat(out, " (%s)", g->consensus[k]);
    dot_cat(out, "\n%u sealer%s, %u observer%s", count[DOT_ROLE_SEALER],
            count[DOT_ROLE_SEALER] == 1 ? "" : "s", count[DOT_ROLE_OBSERVER],
            count[DOT_ROLE_OBSERVER] == 1 ? "" : "s");
    for (unsigned i = 0; i < g->nnodes; i++) {
        if (role_of(g, i, k) == DOT_ROLE_SEALER || role_of(g, i, k) == DOT_ROLE_OBSERVER)
            continue;
        dot_node_name(g->node_names, (int)i, name, sizeof name);
        dot_cat(out, "%s%s", first ? "\nnot in it: " : ", ", name);
        first = false;
    }
}

static void
style_member(Agnode_t *n, const char *name, uint8_t role)
{
    char label[96];

    if (role == DOT_ROLE_SEALER || role == DOT_ROLE_OBSERVER)
        snprintf(label, sizeof label, "%s\n%s", name,
                 role == DOT_ROLE_SEALER ? "sealer" : "observer");
    else
        snprintf(label, sizeof label, "%s", name); /* its frame says "in no group" */
    dot_set(n, "label", label);
    if (role == DOT_ROLE_SEALER) {
        dot_set(n, "style", "rounded,filled,bold");
        dot_set(n, "fillcolor", SEALER_COLOUR);
        dot_set(n, "class", "member sealer");
    } else if (role == DOT_ROLE_OBSERVER) {
        dot_set(n, "style", "rounded,dashed");
        dot_set(n, "class", "member observer");
    } else {
        dot_set(n, "style", "rounded,dotted");
        dot_set(n, "fontcolor", "gray35");
        dot_set(n, "class", "lonely");
    }
}

/* Hold node `row` below node `above_row` (invisibly), so it keeps its row in every frame.
 * Returns the invisible edge, or NULL if none was needed. */
static Agedge_t *
keep_row(Agraph_t *g, Agnode_t *above, unsigned above_row, Agnode_t *n, unsigned row)
{
    char len[16];
    Agedge_t *e;

    if (above == NULL || row == above_row)
        return NULL;
    e = row > above_row ? dot_edge_add(g, above, n) : dot_edge_add(g, n, above);
    snprintf(len, sizeof len, "%u", row > above_row ? row - above_row : above_row - row);
    dot_set(e, "minlen", len);
    dot_set(e, "style", "invis");
    return e;
}

/* One frame per group with its members, by row. Node names are "g<group>_n<node>". Returns
 * the top member (NULL if none) and its row. */
static Agnode_t *
add_cluster(Agraph_t *g, const dot_groups_t *d, unsigned k, unsigned *top_row)
{
    bl_buf_t title = BL_BUF_INIT;
    char name[64];
    Agraph_t *c;
    Agnode_t *above = NULL, *top = NULL;
    unsigned above_row = 0;

    snprintf(name, sizeof name, "cluster_g%u", d->group_ids[k]);
    c = dot_subgraph(g, name);
    cluster_title(d, k, &title);
    dot_set(c, "label", dot_str(&title));
    dot_set(c, "fontsize", "13");
    dot_set(c, "style", "rounded");
    dot_set(c, "class", "group");
    for (unsigned i = 0; i < d->nnodes; i++) {
        uint8_t role = role_of(d, i, k);
        Agnode_t *n;

        if (role != DOT_ROLE_SEALER && role != DOT_ROLE_OBSERVER)
            continue;
        snprintf(name, sizeof name, "g%u_n%u", d->group_ids[k], i);
        n = dot_node_add(c, name);
        dot_node_name(d->node_names, (int)i, name, sizeof name);
        style_member(n, name, role);
        keep_row(c, above, above_row, n, i);
        if (top == NULL) {
            top = n;
            *top_row = i;
        }
        above = n;
        above_row = i;
    }
    bl_buf_free(&title);
    return top;
}

static bool
in_no_group(const dot_groups_t *d, unsigned node)
{
    for (unsigned k = 0; k < d->ngroups; k++)
        if (role_of(d, node, k) == DOT_ROLE_SEALER || role_of(d, node, k) == DOT_ROLE_OBSERVER)
            return false;
    return true;
}

/* The nodes in no group, in a dotted frame of their own, each held in its row by an invisible
 * edge from the previous one (the first from a member of a group's frame, the anchor). */
static void
add_lonely(Agraph_t *g, const dot_groups_t *d, Agnode_t *anchor, unsigned anchor_row)
{
    Agnode_t *above = anchor;
    unsigned above_row = anchor_row;
    Agraph_t *c = NULL;
    char name[64];

    for (unsigned i = 0; i < d->nnodes; i++) {
        Agnode_t *n;
        Agedge_t *e;

        if (!in_no_group(d, i))
            continue;
        if (c == NULL) {
            c = dot_subgraph(g, "cluster_none");
            dot_set(c, "label", "in no group");
            dot_set(c, "fontsize", "13");
            dot_set(c, "style", "rounded,dotted");
            dot_set(c, "class", "nogroup");
        }
        snprintf(name, sizeof name, "n%u", i);
        n = dot_node_add(c, name);
        dot_node_name(d->node_names, (int)i, name, sizeof name);
        style_member(n, name, DOT_ROLE_NONE);
        e = keep_row(g, above, above_row, n, i);
        if (e != NULL && above == anchor) /* the edge from a frame: it sets the row only, and */
            dot_set(e, "weight", "0");    /* must not pull the frame's column askew */
        above = n;
        above_row = i;
    }
}

Agraph_t *
dot_groups(const dot_groups_t *d)
{
    char title[128];
    Agraph_t *g;
    Agnode_t *anchor = NULL;
    unsigned anchor_row = 0;

    if (d == NULL || (d->ngroups > 0 && (d->group_ids == NULL || d->role == NULL))) {
        bl_fail(BL_E_INVALID, "dot_groups: no groups description");
        return NULL;
    }
    snprintf(title, sizeof title, "Groups: %u node%s, %u group%s\n"
             "each frame is one group's chain; a node in two groups keeps two ledgers",
             d->nnodes, d->nnodes == 1 ? "" : "s", d->ngroups, d->ngroups == 1 ? "" : "s");
    g = dot_graph_new("groups", title, "TB");
    if (g == NULL)
        return NULL;
    dot_set(g, "ranksep", "0.25");
    dot_set(g, "nodesep", "0.4");
    for (unsigned k = 0; k < d->ngroups; k++) {
        unsigned row = 0;
        Agnode_t *top = add_cluster(g, d, k, &row);

        if (anchor == NULL && top != NULL) {
            anchor = top;
            anchor_row = row;
        }
    }
    add_lonely(g, d, anchor, anchor_row);
    return g;
}
