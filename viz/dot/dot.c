/*
 * dot.c — what every Graphviz picture shares: making a graph with a title, setting attributes,
 * building labels, and writing the result as DOT text, SVG or PNG (dot.h explains the two
 * steps, build then draw).
 *
 * Attributes. A Graphviz object (graph, node, edge) has named string attributes: label, shape,
 * style, color... An attribute must be declared on the root graph, with a default, before any
 * object can have it; dot_set declares it on first use. The defaults that matter are declared
 * up front in dot_graph_new: a node's label defaults to "\N" (its own name), so declaring
 * "label" with an empty default would silently blank every node that has no label of its own.
 *
 * HTML-like labels (<TABLE><TR><TD>...) draw a node as a small table: a block as a train car
 * with a row per field, a branch of the trie with a cell per slot. Graphviz tells them from
 * plain text by how the string was stored (agstrdup_html), not by its contents.
 *
 * Drawing. dot_write picks the format from the file name. DOT text needs no layout: agwrite
 * prints the graph as built. SVG and PNG need positions first: gvLayout runs the `dot` layout
 * (ranks top to bottom, or left to right), gvRenderFilename draws, gvFreeLayout forgets the
 * positions so the graph can be written again. One Graphviz context serves the whole run (see
 * context() below).
 */
#include "dot/dot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "base/error.h"

/* cgraph 2.43 takes `char *` for names and values it only reads (it keeps its own copies), so
 * a const string is passed through this one cast instead of being copied. */
static char *
mut(const char *s)
{
    return (char *)s;
}

/* Fonts, sizes and the defaults every node and edge starts from. */
static void
declare_defaults(Agraph_t *g)
{
    agattr(g, AGRAPH, mut("fontname"), mut(DOT_FONT));
    agattr(g, AGRAPH, mut("fontsize"), mut("18"));
    agattr(g, AGRAPH, mut("labelloc"), mut("t"));
    agattr(g, AGRAPH, mut("style"), mut(""));
    agattr(g, AGRAPH, mut("color"), mut("black"));
    agattr(g, AGNODE, mut("label"), mut("\\N"));
    agattr(g, AGNODE, mut("fontname"), mut(DOT_FONT));
    agattr(g, AGNODE, mut("fontsize"), mut("12"));
    agattr(g, AGNODE, mut("shape"), mut("box"));
    agattr(g, AGNODE, mut("style"), mut(""));
    agattr(g, AGNODE, mut("class"), mut(""));
    agattr(g, AGEDGE, mut("label"), mut(""));
    agattr(g, AGEDGE, mut("fontname"), mut(DOT_FONT));
    agattr(g, AGEDGE, mut("fontsize"), mut("10"));
    agattr(g, AGEDGE, mut("style"), mut(""));
    agattr(g, AGEDGE, mut("class"), mut(""));
}

Agraph_t *
dot_graph_new(const char *name, const char *title, const char *rankdir)
{
    Agraph_t *g = agopen(mut(name), Agdirected, NULL);

    if (g == NULL)
        return NULL;
    declare_defaults(g);
    dot_set(g, "label", title);
    dot_set(g, "rankdir", rankdir);
    dot_set(g, "nodesep", "0.3");
    dot_set(g, "ranksep", "0.4");
    dot_set(g, "bgcolor", "white");
    dot_set(g, "pad", "0.2");
    return g;
}

Agnode_t *
dot_node_add(Agraph_t *g, const char *name)
{
    return agnode(g, mut(name), 1);
}

Agedge_t *
dot_edge_add(Agraph_t *g, Agnode_t *tail, Agnode_t *head)
{
    /* No name: in a non-strict graph each call makes a new edge. */
    return agedge(g, tail, head, NULL, 1);
}

Agraph_t *
dot_subgraph(Agraph_t *g, const char *name)
{
    return agsubg(g, mut(name), 1);
}

void
dot_set(void *obj, const char *attr, const char *value)
{
    agsafeset(obj, mut(attr), mut(value), mut(""));
}

void
dot_set_html(void *obj, const char *attr, const char *html)
{
    Agraph_t *g = agraphof(obj);
    char *s = agstrdup_html(g, mut(html));

    /* agsafeset finds the string just stored, marked as HTML, and takes its own reference. */
    agsafeset(obj, mut(attr), s, mut(""));
    agstrfree(g, s);
}

/* ---- labels ---- */

void
dot_cat(bl_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int need;

    va_start(ap, fmt);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    bl_buf_reserve(b, (size_t)need + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

void
dot_cat_html(bl_buf_t *b, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': dot_cat(b, "&amp;"); break;
        case '<': dot_cat(b, "&lt;"); break;
        case '>': dot_cat(b, "&gt;"); break;
        case '"': dot_cat(b, "&quot;"); break;
        default: dot_cat(b, "%c", *s);
        }
    }
}

const char *
dot_str(const bl_buf_t *b)
{
    return b->len == 0 ? "" : (const char *)b->data;
}

void
dot_short_hash(const uint8_t *hash, char out[DOT_SHORT_HASH])
{
    char hex[9];

    bl_hex_encode(hash, 4, hex);
    snprintf(out, DOT_SHORT_HASH, "0x%s\xe2\x80\xa6", hex); /* U+2026 HORIZONTAL ELLIPSIS */
}

void
dot_node_name(const char *const *node_names, int i, char *out, size_t cap)
{
    if (node_names != NULL && i >= 0 && node_names[i] != NULL)
        snprintf(out, cap, "%s", node_names[i]);
    else
        snprintf(out, cap, "node %d", i);
}

/* ---- writing ---- */

typedef enum { FMT_NONE, FMT_DOT, FMT_SVG, FMT_PNG } dot_format_t;

static dot_format_t
format_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot == NULL || strchr(dot, '/') != NULL)
        return FMT_NONE;
    if (strcmp(dot, ".dot") == 0 || strcmp(dot, ".gv") == 0)
        return FMT_DOT;
    if (strcmp(dot, ".svg") == 0)
        return FMT_SVG;
    if (strcmp(dot, ".png") == 0)
        return FMT_PNG;
    return FMT_NONE;
}

static int
write_text(Agraph_t *g, const char *path)
{
    FILE *f = fopen(path, "w");
    int rc = BL_OK;

    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot create %s: %s", path, strerror(errno));
    if (agwrite(g, f) != 0)
        rc = bl_fail(BL_E_IO, "cannot write the graph to %s", path);
    if (fclose(f) != 0 && rc == BL_OK)
        rc = bl_fail(BL_E_IO, "cannot write %s: %s", path, strerror(errno));
    return rc;
}

/* The layout engine: `dot` (ranks), unless the graph asks for another with its own `layout`
 * attribute, as the `dot` program would honour it (the PBFT chart pins its points for neato). */
static const char *
layout_of(Agraph_t *g)
{
    const char *engine = agget(g, mut("layout"));

    return engine != NULL && engine[0] != '\0' ? engine : "dot";
}

/* The one Graphviz context of the program, made on first use and kept to the end. Graphviz's
 * text measuring keeps pointers into a context's font table between calls (the pango plugin
 * remembers the last font name it saw), so after a context is freed the next context's first
 * label would read freed memory: one context for the whole run is the safe way, and also what
 * Graphviz's own programs do. */
static GVC_t *
context(void)
{
    static GVC_t *gvc;

    if (gvc == NULL)
        gvc = gvContext();
    return gvc;
}

/* Lay out and draw. gvRenderFilename would report a file it cannot create only on stderr,
 * so the file is opened here first to give the caller a proper error. */
static int
write_drawing(Agraph_t *g, const char *path, const char *format)
{
    GVC_t *gvc = context();
    FILE *probe = fopen(path, "w");
    int rc = BL_OK;

    if (probe == NULL)
        return bl_fail(BL_E_IO, "cannot create %s: %s", path, strerror(errno));
    fclose(probe);
    if (gvLayout(gvc, g, layout_of(g)) != 0) {
        rc = bl_fail(BL_E_INVALID, "graphviz could not lay out the graph for %s", path);
        goto out;
    }
    if (gvRenderFilename(gvc, g, format, path) != 0)
        rc = bl_fail(BL_E_IO, "graphviz could not draw %s as %s", path, format);
    gvFreeLayout(gvc, g);
out:
    if (rc != BL_OK)
        remove(path);
    return rc;
}

int
dot_write(Agraph_t *g, const char *path)
{
    if (g == NULL || path == NULL)
        return bl_fail(BL_E_INVALID, "dot_write needs a graph and a file name");
    switch (format_of(path)) {
    case FMT_DOT: return write_text(g, path);
    case FMT_SVG: return write_drawing(g, path, "svg");
    case FMT_PNG: return write_drawing(g, path, "png");
    default:
        return bl_fail(BL_E_INVALID, "%s: unknown picture format (use .dot, .svg or .png)",
                       path);
    }
}

void
dot_free(Agraph_t *g)
{
    if (g != NULL)
        agclose(g);
}
