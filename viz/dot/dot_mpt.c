/*
 * dot_mpt.c — a Merkle Patricia Trie (storage/mpt.h) drawn node by node.
 *
 * The picture shows what mpt.h describes in words. A key is a path of nibbles (hex digits);
 * reading the trie from the root along its arrows spells the path:
 *
 *   branch     16 slots, 0 to f, one per next nibble; an arrow leaves each slot that
 *              holds a child (a run of empty slots is one grey cell, "4-7 empty"), and a
 *              branch may hold the value of a key ending there;
 *   extension  "these nibbles are shared by every key below": written once, then one arrow;
 *   leaf       the rest of the path and the value.
 *
 * Each node also says how its parent refers to it: by hash ("0x1a2b3c4d…", the node is kept
 * in the key-value store under that hash) or, for a node whose RLP is under 32 bytes, inlined
 * in the parent's own bytes (dashed border, "inlined, 6 bytes"). The root is always referred
 * to by its hash: the state root of a block header. Change any value and every hash on the way
 * up to the root changes with it.
 *
 * The root is on the left and the paths run to the right: a branch's 16 slots make a column,
 * and its children fan out downwards, which stays readable for a few dozen keys (drawn top
 * down, a secure trie's first branch alone would be 16 leaves wide).
 *
 * The walk reads nodes the handle has not read yet from the trie's store, as mpt_get does on
 * its way down (mpt_node.h: nodes stay MPT_NODE_HASH until someone needs them).
 */
#include "dot/dot.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "storage/mpt_node.h"

#define PATH_SHOWN 16   /* nibbles of a path written out before "…" */
#define VALUE_SHOWN 12  /* characters (or bytes, in hex) of a value */

#define BRANCH_COLOUR "#dbe8f6"
#define EXTENSION_COLOUR "#fff2cc"
#define LEAF_COLOUR "#d9ead3"

typedef struct {
    mpt_t *t;
    Agraph_t *g;
    size_t count[3];  /* leaves, extensions, branches drawn (mpt_node_kind_t order) */
    size_t hashed;    /* of them, referred to by hash */
} walk_t;

/* "0 1 2" — up to PATH_SHOWN nibbles, then "… (64 nibbles)". */
static void
cat_path(bl_buf_t *out, const bl_buf_t *path)
{
    size_t shown = path->len < PATH_SHOWN ? path->len : PATH_SHOWN;

    dot_cat(out, "<FONT FACE=\"" DOT_MONO "\">");
    if (path->len == 0)
        dot_cat(out, "(none)");
    for (size_t i = 0; i < shown; i++)
        dot_cat(out, "%x", path->data[i]);
    if (path->len > shown)
        dot_cat(out, "\xe2\x80\xa6 (%zu nibbles)", path->len);
    dot_cat(out, "</FONT>");
}

static bool
printable(const bl_buf_t *v)
{
    for (size_t i = 0; i < v->len; i++)
        if (v->data[i] < 0x20 || v->data[i] > 0x7e)
            return false;
    return true;
}

/* "\"alice\"" for text, "0x0a0b… (40 bytes)" for anything else; cut to VALUE_SHOWN. */
static void
cat_value(bl_buf_t *out, const bl_buf_t *v)
{
    size_t shown = v->len < VALUE_SHOWN ? v->len : VALUE_SHOWN;
    char text[VALUE_SHOWN + 1];

    dot_cat(out, "<FONT FACE=\"" DOT_MONO "\">");
    if (printable(v)) {
        snprintf(text, sizeof text, "%.*s", (int)shown, (const char *)v->data);
        dot_cat(out, "&quot;");
        dot_cat_html(out, text);
        dot_cat(out, "%s&quot;", v->len > shown ? "\xe2\x80\xa6" : "");
    } else {
        shown = shown > 8 ? 8 : shown;
        dot_cat(out, "0x");
        for (size_t i = 0; i < shown; i++)
            dot_cat(out, "%02x", v->data[i]);
        dot_cat(out, "%s", v->len > shown ? "\xe2\x80\xa6" : "");
    }
    dot_cat(out, "</FONT>");
    if (v->len > shown)
        dot_cat(out, " (%zu bytes)", v->len);
}

/* The node's heading: its kind and how its parent refers to it. */
static void
cat_heading(walk_t *w, mpt_node_t *n, bool is_root, const char *colour, bl_buf_t *out)
{
    static const char *const kinds[] = { "leaf", "extension", "branch" };
    char hash[DOT_SHORT_HASH];
    uint8_t h[MPT_HASH_LEN];

    mpt_node_ref(w->t->suite, n);
    dot_cat(out, "<TR><TD BGCOLOR=\"%s\"><B>%s%s</B> ", colour,
            is_root ? "root: " : "", kinds[n->kind]);
    if (is_root || n->ref_len == MPT_HASH_LEN) {
        mpt_node_hash(w->t->suite, n, h);
        dot_short_hash(h, hash);
        dot_cat(out, "<FONT FACE=\"" DOT_MONO "\">%s</FONT>", hash);
    } else {
        dot_cat(out, "<I>inlined, %zu bytes</I>", n->ref_len);
    }
    dot_cat(out, "</TD></TR>");
}

/* A run of empty slots, first..last, as one grey cell: "4-7". */
static void
cat_empty_slots(bl_buf_t *out, int first, int last)
{
    dot_cat(out, "<TR><TD ALIGN=\"RIGHT\"><FONT POINT-SIZE=\"9\" COLOR=\"gray45\">");
    if (first == last)
        dot_cat(out, "%x empty", first);
    else
        dot_cat(out, "%x\xe2\x80\x93%x empty", first, last); /* U+2013 EN DASH */
    dot_cat(out, "</FONT></TD></TR>");
}

/* A branch: the heading over a column of its 16 slots, each slot with a child a cell of its
 * own (ports s0..sf, for the arrows, which leave to the right), each run of empty slots one
 * grey cell; then its value. */
static void
branch_label(walk_t *w, mpt_node_t *n, bool is_root, bl_buf_t *out)
{
    int empty_from = -1;

    cat_heading(w, n, is_root, BRANCH_COLOUR, out);
    for (int i = 0; i < 16; i++) {
        if (n->children[i] == NULL) {
            empty_from = empty_from < 0 ? i : empty_from;
            continue;
        }
        if (empty_from >= 0)
            cat_empty_slots(out, empty_from, i - 1);
        empty_from = -1;
        dot_cat(out, "<TR><TD PORT=\"s%x\" BGCOLOR=\"" BRANCH_COLOUR "\" ALIGN=\"RIGHT\">"
                "<FONT POINT-SIZE=\"10\">slot </FONT><B>%x</B></TD></TR>", i, i);
    }
    if (empty_from >= 0)
        cat_empty_slots(out, empty_from, 15);
    if (n->value.len > 0) {
        dot_cat(out, "<TR><TD>value ");
        cat_value(out, &n->value);
        dot_cat(out, "</TD></TR>");
    }
}

static void
node_label(walk_t *w, mpt_node_t *n, bool is_root, bl_buf_t *out)
{
    dot_cat(out, "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">");
    if (n->kind == MPT_NODE_BRANCH) {
        branch_label(w, n, is_root, out);
    } else {
        bool leaf = n->kind == MPT_NODE_LEAF;

        cat_heading(w, n, is_root, leaf ? LEAF_COLOUR : EXTENSION_COLOUR, out);
        dot_cat(out, "<TR><TD>%s ", leaf ? "rest of path" : "shared nibbles");
        cat_path(out, &n->path);
        dot_cat(out, "</TD></TR>");
        if (leaf) {
            dot_cat(out, "<TR><TD>value ");
            cat_value(out, &n->value);
            dot_cat(out, "</TD></TR>");
        }
    }
    dot_cat(out, "</TABLE>");
}

static Agnode_t *
add_node(walk_t *w, mpt_node_t *n, bool is_root)
{
    bl_buf_t label = BL_BUF_INIT;
    char name[32];
    Agnode_t *v;
    bool inlined;

    snprintf(name, sizeof name, "m%zu", w->count[0] + w->count[1] + w->count[2]);
    v = dot_node_add(w->g, name);
    node_label(w, n, is_root, &label);
    inlined = !is_root && n->ref_len < MPT_HASH_LEN;
    dot_set_html(v, "label", dot_str(&label));
    dot_set(v, "shape", "box");
    dot_set(v, "margin", "0");
    dot_set(v, "style", inlined ? "dashed" : is_root ? "bold" : "solid");
    dot_set(v, "class", inlined ? "mpt inlined" : "mpt hashed");
    w->count[n->kind]++;
    w->hashed += !inlined;
    bl_buf_free(&label);
    return v;
}

static int draw(walk_t *w, mpt_node_t *n, bool is_root, Agnode_t **out);

/* Draw child and an arrow to it, from the parent's slot `port` (NULL: from the node). */
static int
draw_child(walk_t *w, Agnode_t *parent, const char *port, mpt_node_t *child)
{
    Agnode_t *v;
    Agedge_t *e;
    int err = draw(w, child, false, &v);

    if (err != BL_OK)
        return err;
    e = dot_edge_add(w->g, parent, v);
    if (port != NULL)
        dot_set(e, "tailport", port);
    dot_set(e, "class", "child");
    return BL_OK;
}

/* Read the node if it is still only a hash, draw it, then everything below it. */
static int
draw(walk_t *w, mpt_node_t *n, bool is_root, Agnode_t **out)
{
    int err = mpt_resolve(w->t, n);

    if (err != BL_OK)
        return err;
    *out = add_node(w, n, is_root);
    if (n->kind == MPT_NODE_EXTENSION)
        return draw_child(w, *out, NULL, n->next);
    for (int i = 0; n->kind == MPT_NODE_BRANCH && i < 16; i++) {
        char port[8];

        if (n->children[i] == NULL)
            continue;
        snprintf(port, sizeof port, "s%x:e", i);
        if ((err = draw_child(w, *out, port, n->children[i])) != BL_OK)
            return err;
    }
    return BL_OK;
}

static void
set_title(walk_t *w)
{
    uint8_t root[MPT_HASH_LEN];
    char hash[DOT_SHORT_HASH], title[400];
    size_t total = w->count[0] + w->count[1] + w->count[2];

    mpt_root(w->t, root);
    dot_short_hash(root, hash);
    snprintf(title, sizeof title, "Merkle Patricia Trie, root %s%s\n%zu nodes: %zu branches, "
             "%zu extensions, %zu leaves; %zu stored by hash, %zu inlined (dashed)\n"
             "follow a key's nibbles from the root (left) to its leaf", hash,
             w->t->keys == MPT_SECURE ? " (secure: paths are hash(key))" : "", total,
             w->count[MPT_NODE_BRANCH], w->count[MPT_NODE_EXTENSION], w->count[MPT_NODE_LEAF],
             w->hashed, total - w->hashed);
    dot_set(w->g, "label", title);
}

Agraph_t *
dot_mpt(mpt_t *t)
{
    walk_t w = { .t = t };
    Agnode_t *root;
    int err = BL_OK;

    if (t == NULL) {
        bl_fail(BL_E_INVALID, "dot_mpt: no trie");
        return NULL;
    }
    w.g = dot_graph_new("mpt", "", "LR");
    if (w.g == NULL)
        return NULL;
    dot_set(w.g, "nodesep", "0.15");
    dot_set(w.g, "ranksep", "0.5");
    if (t->root != NULL)
        err = draw(&w, t->root, true, &root);
    if (err != BL_OK)
        goto out;
    set_title(&w);
out:
    if (err != BL_OK) {
        agclose(w.g);
        w.g = NULL;
    }
    return w.g;
}
