/*
 * dot_pbft.c — one PBFT round as a message sequence chart, drawn from the event log.
 *
 * A message sequence chart gives every node a lane, a vertical line, with time running down
 * the page. A message is an arrow from the sender's lane to the receiver's, on the row of the
 * moment it was sent. For a PBFT round (fisco-2x-facts §2.2) the chart shows the protocol's
 * shape at a glance:
 *
 *     PrepareReq     the leader's proposal, leader -> every other sealer   (thick, blue)
 *     SignReq        "I executed it and got this hash", all -> all          (green)
 *     CommitReq      "n-f of us agree: I am ready to commit", all -> all    (orange)
 *     ViewChangeReq  "the leader failed me, next view please"              (red, dashed)
 *
 * and, written on the lanes, the phase each node enters (prepared, signed, committed, view
 * change), crashes and restarts. A message the network lost is dotted and says "lost". The
 * colours only repeat what the labels say, so a black-and-white print loses nothing.
 *
 * Which events belong to the round. EV_MSG_SENT does not say which height a message is for, so
 * the round is a stretch of the log: from the first event that names the height (the leader
 * sealing the block, a Prepare accepted, a vote counted, a view change asked for, a phase
 * entered — but not "idle, waiting for height h", which each node logs the moment it commits
 * h-1, while the slower nodes may still be voting on h-1) to the last node's commit of it.
 * Every PBFT message of the group sent in that stretch is drawn.
 *
 * Layout. The `dot` layout puts each row on a rank, but draws an arrow between two lanes that
 * are not neighbours as an arc around the lanes between, and lets lanes wander. A chart is a
 * grid, so this graph pins every point to its place (pos "x,y!") and asks for the `neato`
 * layout (graph attribute layout=neato, which dot_write and the `dot` program both honour):
 * straight lanes, straight arrows.
 */
#include "dot/dot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/pbft.h"
#include "net/frame.h"

#define LANE_GAP 1.9  /* inches between lanes */
#define ROW_GAP 0.42  /* inches between rows */
#define PBFT_MAX_LANES 256

typedef struct {
    const char *name;
    const char *colour;
    const char *style;
    const char *width;
} packet_look_t;

static const packet_look_t looks[PBFT_PACKET_TYPES] = {
    [PBFT_PREPARE] = { "PrepareReq", "#1f4e9c", "bold", "2.2" },
    [PBFT_SIGN] = { "SignReq", "#2e7d32", "solid", "1.2" },
    [PBFT_COMMIT] = { "CommitReq", "#b35900", "solid", "1.2" },
    [PBFT_VIEW_CHANGE] = { "ViewChangeReq", "#b71c1c", "dashed", "1.2" },
};

/* The chart as it is drawn, row by row. */
typedef struct {
    Agraph_t *g;
    unsigned group;
    int64_t height;
    unsigned nlanes;
    const char *const *names;
    int row;              /* the last row made, -1 before the first */
    uint64_t row_time;
    uint64_t shown_time;  /* the last time written in the time column */
    bool row_has_message; /* the current row carries an arrow: no notes on it */
    bool *noted;          /* per lane: the current row's point has a note already */
    size_t messages;
} chart_t;

/* ---- which events ---- */

static bool
is_pbft_message(const ev_t *e, unsigned group, unsigned nlanes)
{
    return (e->kind == EV_MSG_SENT || e->kind == EV_MSG_DROPPED) && e->group == group &&
           e->module == MODULE_PBFT && e->a >= 0 && e->a < PBFT_PACKET_TYPES && e->node >= 0 &&
           (unsigned)e->node < nlanes && e->peer >= 0 && (unsigned)e->peer < nlanes;
}

/* Does the event name this height as the round's own (see the top of the file)? */
static bool
starts_round(const ev_t *e, unsigned group, int64_t height)
{
    if (e->group != group || e->a != height)
        return false;
    switch (e->kind) {
    case EV_BLOCK_SEALED:
    case EV_PBFT_PREPARE:
    case EV_PBFT_SIGN:
    case EV_PBFT_COMMIT:
    case EV_PBFT_VIEW_CHANGE:
    case EV_PBFT_VIEW_SWITCHED:
        return true;
    case EV_PBFT_PHASE:
        return e->b != PBFT_PHASE_IDLE;
    default:
        return false;
    }
}

/* The round's stretch of the log: [*first, *last]; false if nothing names the height. */
static bool
find_round(const ev_t *ev, size_t n, unsigned group, int64_t height, size_t *first,
           size_t *last, bool *committed)
{
    bool found = false;

    *committed = false;
    for (size_t i = 0; i < n; i++) {
        if (!found && starts_round(&ev[i], group, height)) {
            *first = i;
            found = true;
        }
        if (found && ev[i].kind == EV_BLOCK_COMMITTED && ev[i].group == group &&
            ev[i].a == height) {
            *last = i;
            *committed = true;
        }
    }
    if (found && !*committed)
        *last = n - 1;
    return found;
}

/* ---- the grid ---- */

static void
set_pos(Agnode_t *n, double x, double y)
{
    char pos[64];

    snprintf(pos, sizeof pos, "%.2f,%.2f!", x, y);
    dot_set(n, "pos", pos);
}

static Agnode_t *
cell(chart_t *c, int row, unsigned lane)
{
    char name[48];

    if (row < 0)
        snprintf(name, sizeof name, "lane%u", lane);
    else
        snprintf(name, sizeof name, "r%d_%u", row, lane);
    return agnode(c->g, name, 0);
}

/* The lane heads: the node's name, "leader" if it sent a PrepareReq, "silent" if it did and
 * received nothing in the round. */
static void
add_heads(chart_t *c, const bool *leader, const bool *active)
{
    Agnode_t *t = dot_node_add(c->g, "time");

    dot_set(t, "shape", "plaintext");
    dot_set(t, "label", "time");
    dot_set(t, "fontname", DOT_FONT "-Bold");
    set_pos(t, 0, 0);
    for (unsigned i = 0; i < c->nlanes; i++) {
        char name[48], label[96];
        Agnode_t *h;

        snprintf(name, sizeof name, "lane%u", i);
        h = dot_node_add(c->g, name);
        dot_node_name(c->names, (int)i, name, sizeof name);
        snprintf(label, sizeof label, "%s%s", name,
                 leader[i] ? "\nleader" : active[i] ? "" : "\n(silent)");
        dot_set(h, "label", label);
        dot_set(h, "style", leader[i] ? "filled,bold" : active[i] ? "filled" : "dashed");
        dot_set(h, "fillcolor", leader[i] ? "#cfe2f3" : "#f2f2f2");
        dot_set(h, "class", "lane");
        set_pos(h, (i + 1) * LANE_GAP, 0);
    }
}

/* A lane's point on a row: invisible until a message or a note lands on it. */
static Agnode_t *
add_point(chart_t *c, unsigned lane, double y)
{
    char name[48];
    Agnode_t *p;
    Agedge_t *e;

    snprintf(name, sizeof name, "r%d_%u", c->row, lane);
    p = dot_node_add(c->g, name);
    dot_set(p, "shape", "point");
    dot_set(p, "width", "0.01");
    dot_set(p, "style", "invis");
    dot_set(p, "class", "point");
    set_pos(p, (lane + 1) * LANE_GAP, y);
    e = dot_edge_add(c->g, cell(c, c->row - 1, lane), p);
    dot_set(e, "arrowhead", "none");
    dot_set(e, "style", "dashed");
    dot_set(e, "color", "gray60");
    dot_set(e, "class", "lifeline");
    return p;
}

static void
new_row(chart_t *c, uint64_t time_ms)
{
    double y = -(c->row + 2) * ROW_GAP;
    char name[48], label[48] = "";
    Agnode_t *t;

    c->row++;
    c->row_time = time_ms;
    c->row_has_message = false;
    memset(c->noted, 0, c->nlanes * sizeof *c->noted);
    snprintf(name, sizeof name, "t%d", c->row);
    if (c->row == 0 || time_ms != c->shown_time)
        snprintf(label, sizeof label, "%" PRIu64 " ms", time_ms);
    c->shown_time = time_ms;
    t = dot_node_add(c->g, name);
    dot_set(t, "shape", "plaintext");
    dot_set(t, "label", label);
    dot_set(t, "fontsize", "10");
    dot_set(t, "class", "time");
    set_pos(t, 0, y);
    for (unsigned i = 0; i < c->nlanes; i++)
        add_point(c, i, y);
}

/* ---- what goes on the rows ---- */

static void
add_message(chart_t *c, const ev_t *e)
{
    const packet_look_t *look = &looks[e->a];
    Agnode_t *from, *to;
    Agedge_t *m;

    new_row(c, e->time_ms);
    c->row_has_message = true;
    from = cell(c, c->row, (unsigned)e->node);
    to = cell(c, c->row, (unsigned)e->peer);
    dot_set(from, "style", "filled");
    dot_set(from, "width", "0.06");
    dot_set(to, "style", "filled");
    dot_set(to, "width", "0.06");
    m = dot_edge_add(c->g, from, to);
    dot_set(m, "xlabel", look->name);
    dot_set(m, "color", look->colour);
    dot_set(m, "fontcolor", look->colour);
    dot_set(m, "style", look->style);
    dot_set(m, "penwidth", look->width);
    dot_set(m, "class", "msg");
    c->messages++;
}

/* A lost message: the last arrow of that type from node to peer turns dotted and grey. */
static void
mark_lost(chart_t *c, const ev_t *e)
{
    for (int r = c->row; r >= 0; r--) {
        Agedge_t *m = agedge(c->g, cell(c, r, (unsigned)e->node), cell(c, r, (unsigned)e->peer),
                             NULL, 0);
        char label[48];

        /* the latest arrow of this type between them that is not marked lost yet */
        if (m == NULL || strcmp(agget(m, "class"), "msg") != 0 ||
            strcmp(agget(m, "xlabel"), looks[e->a].name) != 0)
            continue;
        snprintf(label, sizeof label, "%s (lost)", looks[e->a].name);
        dot_set(m, "xlabel", label);
        dot_set(m, "style", "dotted");
        dot_set(m, "color", "gray45");
        dot_set(m, "fontcolor", "gray35");
        dot_set(m, "class", "msg lost");
        return;
    }
}

/* The note an event writes on its node's lane, or NULL for none. */
static const char *
note_of(const chart_t *c, const ev_t *e, char *buf, size_t cap)
{
    static const char *const phases[] = { "idle", "prepared", "signed", "committed",
                                          "view change" };

    if (e->kind == EV_NODE_CRASHED)
        return "crashed";
    if (e->kind == EV_NODE_STARTED)
        return e->a == 1 ? "restarted" : "started";
    if (e->group != c->group || e->a != c->height)
        return NULL;
    if (e->kind == EV_PBFT_PHASE && e->b > PBFT_PHASE_IDLE && e->b <= PBFT_PHASE_VIEW_CHANGE)
        return phases[e->b];
    if (e->kind == EV_PBFT_VIEW_SWITCHED) {
        snprintf(buf, cap, "now view %" PRId64, e->b);
        return buf;
    }
    return NULL;
}

/* Notes of the same moment share a row, one per lane; a note never goes on a row with an
 * arrow, which could cross it. */
static void
add_note(chart_t *c, const ev_t *e, const char *text)
{
    unsigned lane = (unsigned)e->node;
    Agnode_t *p;

    if (c->row < 0 || c->row_has_message || c->row_time != e->time_ms || c->noted[lane])
        new_row(c, e->time_ms);
    c->noted[lane] = true;
    p = cell(c, c->row, lane);
    dot_set(p, "shape", "box");
    dot_set(p, "style", e->kind == EV_NODE_CRASHED ? "rounded,filled,bold" : "rounded,filled");
    dot_set(p, "fillcolor", e->kind == EV_NODE_CRASHED ? "#f4cccc" : "#fff8d6");
    dot_set(p, "label", text);
    dot_set(p, "fontsize", "9");
    dot_set(p, "width", "0");
    dot_set(p, "height", "0");
    dot_set(p, "margin", "0.04,0.02");
    dot_set(p, "class", "note");
}

static void
add_event(chart_t *c, const ev_t *e)
{
    char buf[48];
    const char *note;

    if (is_pbft_message(e, c->group, c->nlanes)) {
        if (e->kind == EV_MSG_SENT)
            add_message(c, e);
        else
            mark_lost(c, e);
        return;
    }
    if (e->node < 0 || (unsigned)e->node >= c->nlanes)
        return;
    note = note_of(c, e, buf, sizeof buf);
    if (note != NULL)
        add_note(c, e, note);
}

/* ---- the whole chart ---- */

/* Who proposed (sent a PrepareReq) and who took any part, for the lane heads. */
static void
scan_lanes(const ev_t *ev, size_t first, size_t last, chart_t *c, bool *leader, bool *active)
{
    for (size_t i = first; i <= last; i++) {
        const ev_t *e = &ev[i];

        if (is_pbft_message(e, c->group, c->nlanes) && e->kind == EV_MSG_SENT) {
            leader[e->node] |= e->a == PBFT_PREPARE;
            active[e->node] = active[e->peer] = true;
        } else if (e->node >= 0 && (unsigned)e->node < c->nlanes && e->group == c->group &&
                   e->a == c->height) {
            active[e->node] = true;
        }
    }
}

static void
set_title(chart_t *c, const ev_t *ev, bool found, size_t first, size_t last, bool committed)
{
    char title[512];
    int len;

    if (!found) {
        snprintf(title, sizeof title, "Group %u: no PBFT round for block #%" PRId64
                 " in this event log", c->group, c->height);
        dot_set(c->g, "label", title);
        return;
    }
    len = snprintf(title, sizeof title, "Group %u: the PBFT round for block #%" PRId64
                   " (%zu messages, %" PRIu64 " ms to %" PRIu64 " ms%s)\n", c->group,
                   c->height, c->messages, ev[first].time_ms, ev[last].time_ms,
                   committed ? "" : ", not committed in this log");
    snprintf(title + len, sizeof title - (size_t)len,
             "PrepareReq: the leader proposes   SignReq: I executed it   "
             "CommitReq: n-f agree, I commit   ViewChangeReq: next leader please");
    dot_set(c->g, "label", title);
}

static void
draw_round(chart_t *c, const ev_t *ev, size_t first, size_t last)
{
    bool *leader = bl_xcalloc(c->nlanes, sizeof *leader);
    bool *active = bl_xcalloc(c->nlanes, sizeof *active);

    scan_lanes(ev, first, last, c, leader, active);
    add_heads(c, leader, active);
    for (size_t i = first; i <= last; i++)
        add_event(c, &ev[i]);
    free(leader);
    free(active);
}

Agraph_t *
dot_pbft(const ev_t *events, size_t n, unsigned group, int64_t height, unsigned nnodes,
         const char *const *node_names)
{
    chart_t c = { .group = group, .height = height, .nlanes = nnodes, .names = node_names,
                  .row = -1 };
    size_t first = 0, last = 0;
    bool found, committed;

    if ((events == NULL && n > 0) || nnodes == 0 || nnodes > PBFT_MAX_LANES) {
        bl_fail(BL_E_INVALID, "dot_pbft: need the events and 1 to %d nodes (got %u)",
                PBFT_MAX_LANES, nnodes);
        return NULL;
    }
    c.g = dot_graph_new("pbft", "", "TB");
    if (c.g == NULL)
        return NULL;
    dot_set(c.g, "layout", "neato");
    dot_set(c.g, "splines", "false");
    dot_set(c.g, "fontsize", "14");
    c.noted = bl_xcalloc(nnodes, sizeof *c.noted);
    found = find_round(events, n, group, height, &first, &last, &committed);
    if (found)
        draw_round(&c, events, first, last);
    set_title(&c, events, found, first, last, committed);
    free(c.noted);
    return c.g;
}
