/*
 * tui_replay.c — the trace viewer (tui_replay.h says what it shows and why).
 *
 * Everything on the screen comes from two things: the trace's events, and a trace_summary_t
 * folded up to the cursor (base/trace.h). Moving the cursor forward folds in the events it
 * passes; moving it back folds again from the first event (small records: even the quarter of
 * a million a cluster test's log holds take milliseconds), the way the simulator would replay
 * the seed from the start.
 *
 * The screen, top to bottom: a status line (file, seed, event k of N, virtual time), one line
 * in plain words about the current event, the table of nodes, the list of events with the
 * current one highlighted, and the keys.
 *
 * The words — names, phases, one sentence per event — are in tui_replay_text.c.
 *
 * Drawing reuses the demo's helpers (tui_draw.c: tui_put, tui_box, tui_attr). They take a
 * tui_t, of which they read only `colors`; the viewer keeps one for that alone, and sets up
 * the demo's colour pairs with tui_start_colors.
 */
#include "tui/tui_replay.h"

#include <ctype.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/error.h"
#include "consensus/pbft.h"
#include "tui/tui_int.h"

#define REPLAY_JUMP 100          /* events N and P jump */
/* The nodes' table: where each column starts; the groups' columns follow the drops. */
enum { COL_STATE = 5, COL_CRASH = 13, COL_SENT = 18, COL_RECV = 25, COL_DROP = 32,
       COL_GROUPS = 40 };
#define REPLAY_MIN_CELL 16       /* the narrowest a group's column gets */
#define REPLAY_FILTER_MAX 24

typedef struct {
    const trace_t *tr;
    const char *path;
    tui_t *look;              /* for the drawing helpers: only its `colors` is used */
    trace_summary_t sum;      /* the events up to and including the cursor */
    size_t cursor;            /* the current event: an index into tr->events */
    int filter_node;          /* only this node's events; -1: every node's */
    char filter_kind[REPLAY_FILTER_MAX]; /* only kinds whose name holds this; "": any kind */
    size_t *shown;            /* the indices of the events the filter lets through, ascending */
    size_t nshown;
    bool typing;              /* reading a filter after `/` */
    char input[REPLAY_FILTER_MAX];
    size_t input_len;
    bool help, quit;
    char message[160];        /* what the last key did, shown in the key bar until the next key */
} replay_t;

/* ---- the cursor and the filter ---- */

static bool
event_passes(const ev_t *ev, int node, const char *kind)
{
    return (node < 0 || ev->node == node) &&
           (kind[0] == '\0' || strstr(ev_kind_name(ev->kind), kind) != NULL);
}

/* The cursor's place among the shown events: the first shown event at or after it. */
static size_t
shown_pos(const replay_t *r)
{
    size_t lo = 0, hi = r->nshown;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->shown[mid] < r->cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Put the cursor on shown event pos (clamped) and fold the summary up to it. */
static void
move_to(replay_t *r, long long pos)
{
    if (r->nshown == 0)
        return;
    if (pos < 0)
        pos = 0;
    if (pos >= (long long)r->nshown)
        pos = (long long)r->nshown - 1;
    r->cursor = r->shown[pos];
    trace_summary_to(&r->sum, r->tr, r->cursor + 1);
}

static void
step(replay_t *r, long long delta)
{
    move_to(r, (long long)shown_pos(r) + delta);
}

/* Show only node's events (-1: all) of kinds holding kind (""). False, and nothing changed,
 * if no event passes. The cursor stays, or moves to the nearest event that passes. */
static bool
set_filter(replay_t *r, int node, const char *kind)
{
    size_t *shown = bl_xmalloc((r->tr->nevents + 1) * sizeof *shown), n = 0, pos;

    for (size_t i = 0; i < r->tr->nevents; i++)
        if (event_passes(&r->tr->events[i], node, kind))
            shown[n++] = i;
    if (n == 0 && r->tr->nevents > 0) {
        free(shown);
        return false;
    }
    free(r->shown);
    r->shown = shown;
    r->nshown = n;
    r->filter_node = node;
    snprintf(r->filter_kind, sizeof r->filter_kind, "%s", kind);
    pos = shown_pos(r);
    move_to(r, pos < n ? (long long)pos : (long long)n - 1);
    return true;
}

static void
say(replay_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(replay_t *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

static bool
is_commit(const ev_t *ev)
{
    return ev->kind == EV_BLOCK_COMMITTED;
}

static bool
is_view_change(const ev_t *ev)
{
    return ev->kind == EV_PBFT_VIEW_CHANGE || ev->kind == EV_PBFT_VIEW_SWITCHED ||
           ev->kind == EV_RAFT_ELECTION || ev->kind == EV_RAFT_LEADER;
}

/* Move to the next shown event that `is` picks out. */
static void
jump_next(replay_t *r, bool (*is)(const ev_t *ev), const char *what)
{
    for (size_t p = shown_pos(r) + 1; p < r->nshown; p++) {
        if (is(&r->tr->events[r->shown[p]])) {
            move_to(r, (long long)p);
            return;
        }
    }
    say(r, "no %s after this event%s", what,
        r->nshown < r->tr->nevents ? " among the filtered ones" : "");
}

/* A node named as the user types it: a letter (A, b) or a number. -1 if text is not one. */
static int
parse_node(const replay_t *r, const char *text)
{
    long n = -1;
    char *end;

    if (isalpha((unsigned char)text[0]) && text[1] == '\0') {
        n = toupper((unsigned char)text[0]) - 'A';
    } else if (isdigit((unsigned char)text[0])) {
        n = strtol(text, &end, 10);
        if (*end != '\0')
            n = -1;
    }
    return n >= 0 && n < (long)r->tr->nodes ? (int)n : -1;
}

/* The filter typed after `/`: "all" (or nothing), a node, or part of a kind's name. */
static void
apply_input(replay_t *r)
{
    char text[REPLAY_FILTER_MAX], name[8];
    int node;

    snprintf(text, sizeof text, "%.*s", (int)r->input_len, r->input);
    if (text[0] == '\0' || strcasecmp(text, "all") == 0) {
        set_filter(r, -1, "");
        say(r, "showing every event");
        return;
    }
    if ((node = parse_node(r, text)) >= 0) {
        tui_replay_node_name(node, name);
        if (set_filter(r, node, ""))
            say(r, "showing node %s's %zu events", name, r->nshown);
        else
            say(r, "node %s did nothing in this trace; the filter is unchanged", name);
        return;
    }
    for (char *p = text; *p != '\0'; p++)
        *p = (char)toupper((unsigned char)*p);
    if (set_filter(r, -1, text))
        say(r, "showing the %zu events whose kind holds %s", r->nshown, text);
    else
        say(r, "no event's kind holds '%s'; the filter is unchanged", text);
}

/* ---- keys ---- */

static void
typing_key(replay_t *r, int ch)
{
    if (ch == '\n' || ch == KEY_ENTER) {
        r->typing = false;
        apply_input(r);
    } else if (ch == 27) {
        r->typing = false;
    } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && r->input_len > 0) {
        r->input_len--;
    } else if (ch > ' ' && ch < 127 && r->input_len + 1 < sizeof r->input) {
        r->input[r->input_len++] = (char)ch;
    }
}

static void
key(replay_t *r, int ch)
{
    r->message[0] = '\0';
    if (r->typing) {
        typing_key(r, ch);
        return;
    }
    if (r->help && ch != KEY_RESIZE) {
        r->help = false;
        return;
    }
    switch (ch) {
    case 'q': case 'Q': r->quit = true; break;
    case '?': case 'h': r->help = true; break;
    case 'n': case KEY_RIGHT: case KEY_DOWN: step(r, 1); break;
    case 'p': case KEY_LEFT: case KEY_UP: step(r, -1); break;
    case 'N': case KEY_NPAGE: step(r, REPLAY_JUMP); break;
    case 'P': case KEY_PPAGE: step(r, -REPLAY_JUMP); break;
    case 'g': case KEY_HOME: move_to(r, 0); break;
    case 'G': case KEY_END: move_to(r, (long long)r->nshown - 1); break;
    case 'c': jump_next(r, is_commit, "commit"); break;
    case 'v': jump_next(r, is_view_change, "view change or election"); break;
    case '/': r->typing = true; r->input_len = 0; break;
    case KEY_RESIZE: break;
    default: say(r, "that key does nothing here; ? lists the keys"); break;
    }
}

/* ---- drawing ---- */

/* Does the event's peer send to its node (a message or vote received, a status heard)? */
static bool
from_peer(ev_kind_t kind)
{
    return kind == EV_MSG_DELIVERED || kind == EV_PBFT_PREPARE || kind == EV_PBFT_SIGN ||
           kind == EV_PBFT_COMMIT || kind == EV_SYNC_STATUS || kind == EV_SYNC_DOWNLOADED;
}

/* One event as a line of the list: seq, time, who (← or → whom), group, kind, a, b, hash. */
static void
event_text(const ev_t *ev, char *buf, size_t len)
{
    char me[8], peer[8], group[8] = "", hash[16] = "";
    static const uint8_t zero[8];

    tui_replay_node_name(ev->node, me);
    tui_replay_node_name(ev->peer, peer);
    if (ev->group != 0)
        snprintf(group, sizeof group, "g%u", ev->group);
    if (memcmp(ev->hash, zero, 8) != 0)
        snprintf(hash, sizeof hash, " #%02x%02x%02x%02x", ev->hash[0], ev->hash[1],
                 ev->hash[2], ev->hash[3]);
    snprintf(buf, len, "%6llu %6llu.%03llus %3s%s%-3s %-3s %-18s a=%lld b=%lld%s",
             (unsigned long long)ev->seq, (unsigned long long)(ev->time_ms / 1000),
             (unsigned long long)(ev->time_ms % 1000), me,
             ev->peer < 0 ? " " : from_peer(ev->kind) ? "←" : "→",
             ev->peer >= 0 ? peer : "", group, ev_kind_name(ev->kind), (long long)ev->a,
             (long long)ev->b, hash);
}

static int
kind_colour(ev_kind_t kind)
{
    switch (kind) {
    case EV_BLOCK_COMMITTED: case EV_SYNC_DOWNLOADED: case EV_RAFT_LEADER:
        return TUI_OK;
    case EV_NODE_CRASHED: case EV_MSG_DROPPED: case EV_BLOCK_REFUSED: case EV_TX_REJECTED:
    case EV_PEER_REFUSED: case EV_QUERY_REFUSED:
        return TUI_BAD;
    case EV_PBFT_VIEW_CHANGE: case EV_PBFT_VIEW_SWITCHED: case EV_RAFT_ELECTION:
    case EV_NODE_STARTED:
        return TUI_WARN;
    case EV_MSG_SENT: case EV_MSG_DELIVERED: case EV_TIMER_FIRED:
        return TUI_DIM;
    default:
        return 0;
    }
}

static const ev_t *
current(const replay_t *r)
{
    return r->nshown > 0 ? &r->tr->events[r->cursor] : NULL;
}

static void
draw_status(const replay_t *r)
{
    tui_rect_t line = { 0, 0, 1, COLS };
    attr_t bar = tui_attr(r->look, TUI_BAR);
    const char *file = strrchr(r->path, '/') != NULL ? strrchr(r->path, '/') + 1 : r->path;
    const ev_t *ev = current(r);
    uint64_t t = ev != NULL ? ev->time_ms : 0;
    int x = 0;

    attron(bar);
    mvhline(0, 0, ' ', COLS);
    attroff(bar);
    x += tui_put(&line, 0, x, bar | A_BOLD, " replay ");
    x += tui_put(&line, 0, x, bar, "%s │ seed %llu │ event %zu of %zu │ t=%llu.%03llus ", file,
                 (unsigned long long)r->tr->seed, ev != NULL ? r->cursor + 1 : 0,
                 r->tr->nevents, (unsigned long long)(t / 1000),
                 (unsigned long long)(t % 1000));
    if (r->nshown < r->tr->nevents)
        x += tui_put(&line, 0, x, bar, "│ %zu shown ", r->nshown);
    if (r->tr->missed > 0)
        tui_put(&line, 0, x, bar, "│ %llu older events lost ",
                (unsigned long long)r->tr->missed);
}

static void
draw_explanation(const replay_t *r)
{
    tui_rect_t line = { 1, 0, 1, COLS };
    char text[256] = "no events in this trace";

    if (current(r) != NULL)
        tui_replay_explain(current(r), text, sizeof text);
    tui_put(&line, 0, 1, A_BOLD, "%s", text);
}

/* One node's row of the table. */
static void
draw_node_row(const replay_t *r, const tui_rect_t *in, int y, unsigned i, int cell)
{
    const trace_node_t *n = &r->sum.nodes[i];
    char name[8], text[64];
    int st = n->status == TRACE_NODE_UP ? TUI_OK : n->status == TRACE_NODE_DOWN ? TUI_BAD :
             n->status == TRACE_NODE_STOPPED ? TUI_WARN : TUI_DIM;

    tui_replay_node_name((int)i, name);
    tui_put(in, y, 0, A_BOLD, "%s", name);
    tui_put(in, y, COL_STATE, tui_attr(r->look, st), "%s",
            tui_replay_status_name(n->status, r->tr->missed > 0));
    tui_put(in, y, COL_CRASH, n->crashes > 0 ? tui_attr(r->look, TUI_BAD) : A_NORMAL, "%5u",
            n->crashes);
    tui_put(in, y, COL_SENT, A_NORMAL, "%6llu", (unsigned long long)n->sent);
    tui_put(in, y, COL_RECV, A_NORMAL, "%6llu", (unsigned long long)n->delivered);
    tui_put(in, y, COL_DROP, n->dropped > 0 ? tui_attr(r->look, TUI_BAD) : A_NORMAL, "%6llu",
            (unsigned long long)n->dropped);
    for (size_t k = 0; k < r->sum.ngroups; k++) {
        const trace_member_t *m = &n->groups[k];
        bool changing = m->pbft_phase == PBFT_PHASE_VIEW_CHANGE ||
                        m->raft_role == TRACE_RAFT_CANDIDATE;
        int look = m->raft_role == TRACE_RAFT_LEADER ? TUI_LEADER : changing ? TUI_WARN : 0;

        tui_replay_member_text(m, text, sizeof text);
        /* one column of space between groups, whatever the text */
        tui_put(in, y, COL_GROUPS + (int)k * cell, m->seen ? tui_attr(r->look, look) :
                tui_attr(r->look, TUI_DIM), "%.*s", cell - 1, m->seen ? text : "·");
    }
}

static void
draw_nodes(const replay_t *r, const tui_rect_t *box)
{
    tui_rect_t in = tui_inner(box);
    int cell = r->sum.ngroups > 0 ? (in.w - COL_GROUPS) / (int)r->sum.ngroups : 0;

    if (cell < REPLAY_MIN_CELL)
        cell = REPLAY_MIN_CELL;
    tui_box(r->look, box, "nodes, after this event");
    tui_put(&in, 0, 0, A_UNDERLINE, "node");
    tui_put(&in, 0, COL_STATE, A_UNDERLINE, "state");
    tui_put(&in, 0, COL_CRASH, A_UNDERLINE, "crash");
    tui_put(&in, 0, COL_SENT, A_UNDERLINE, "  sent");
    tui_put(&in, 0, COL_RECV, A_UNDERLINE, "  recv");
    tui_put(&in, 0, COL_DROP, A_UNDERLINE, "  drop");
    for (size_t k = 0; k < r->sum.ngroups; k++)
        tui_put(&in, 0, COL_GROUPS + (int)k * cell, A_UNDERLINE, "group %u",
                r->tr->groups[k]);
    for (unsigned i = 0; i < r->sum.nnodes && (int)i + 1 < in.h; i++)
        draw_node_row(r, &in, (int)i + 1, i, cell);
    if ((int)r->sum.nnodes + 1 > in.h)
        tui_put(&in, in.h - 1, 0, tui_attr(r->look, TUI_DIM), "… %u nodes do not fit",
                r->sum.nnodes - (unsigned)in.h + 2);
}

static void
draw_events(const replay_t *r, const tui_rect_t *box)
{
    tui_rect_t in = tui_inner(box);
    char title[64], text[256], name[8];
    size_t pos = shown_pos(r), top;

    tui_replay_node_name(r->filter_node, name);
    if (r->filter_node >= 0)
        snprintf(title, sizeof title, "events of node %s", name);
    else if (r->filter_kind[0] != '\0')
        snprintf(title, sizeof title, "events: kinds with %s", r->filter_kind);
    else
        snprintf(title, sizeof title, "events");
    tui_box(r->look, box, title);
    if (in.h <= 0)
        return;
    /* keep the cursor in the middle of the list, unless near either end */
    top = pos > (size_t)in.h / 2 ? pos - (size_t)in.h / 2 : 0;
    if (r->nshown > (size_t)in.h && top > r->nshown - (size_t)in.h)
        top = r->nshown - (size_t)in.h;
    for (int y = 0; y < in.h && top + (size_t)y < r->nshown; y++) {
        size_t i = r->shown[top + (size_t)y];
        const ev_t *ev = &r->tr->events[i];
        bool here = i == r->cursor;
        attr_t attr = here ? A_REVERSE | A_BOLD : tui_attr(r->look, kind_colour(ev->kind));
        int used;

        event_text(ev, text, sizeof text);
        used = tui_put(&in, y, 0, attr, "%s%s", here ? "▶" : " ", text);
        if (here && used < in.w)
            tui_put(&in, y, used, attr, "%*s", in.w - used, "");
    }
}

static void
draw_keys(const replay_t *r)
{
    tui_rect_t line = { LINES - 1, 0, 1, COLS };

    move(LINES - 1, 0);
    clrtoeol();
    if (r->typing)
        tui_put(&line, 0, 0, A_BOLD, "filter (A..%c, all, or part of a kind; Enter, Esc): %.*s",
                'A' + (int)(r->tr->nodes < 26 ? r->tr->nodes - 1 : 25), (int)r->input_len,
                r->input);
    else if (r->message[0] != '\0')
        tui_put(&line, 0, 0, tui_attr(r->look, TUI_WARN), "%s", r->message);
    else
        tui_put(&line, 0, 0, tui_attr(r->look, TUI_DIM), "?:help q:quit n/→ p/←:step "
                "N/P:±100 g/G:ends c:commit v:view change /:filter");
}

static void
draw_help(const replay_t *r)
{
    static const char *const lines[] = {
        "Replaying a trace: the events of a simulated run, one at a time",
        "  n → ↓   next event            p ← ↑   previous event",
        "  N PgDn  100 events on         P PgUp  100 events back",
        "  g Home  first event           G End   last event",
        "  c       next block commit     v       next view change or election",
        "  /       filter: a node (A, B, ...), all, or part of a kind: SIGN, DROP",
        "  q       quit                  ?       this help",
        "",
        "The table adds up the events up to the cursor for each node: up or down,",
        "crashes, messages sent, received and dropped, and for each group its height",
        "(h), PBFT view (v) and phase, or Raft term (t) and role.",
        "Press any key.",
    };
    int h = (int)(sizeof lines / sizeof lines[0]) + 2, w = 80;
    tui_rect_t box = { (LINES - h) / 2, (COLS - w) / 2, h, w };

    if (box.y < 0) box.y = 0;
    if (box.x < 0) box.x = 0;
    if (box.w > COLS) box.w = COLS;
    if (box.h > LINES) box.h = LINES;
    for (int y = 0; y < box.h; y++)
        mvhline(box.y + y, box.x, ' ', box.w);
    tui_box(r->look, &box, "help");
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        tui_rect_t in = tui_inner(&box);

        tui_put(&in, (int)i, 0, i == 0 ? A_BOLD : A_NORMAL, "%s", lines[i]);
    }
}

/* Status, explanation, the nodes' table (as tall as it needs, at most half the screen), the
 * events below it, the keys. */
static void
draw(const replay_t *r)
{
    int body = LINES - 3, table = (int)r->sum.nnodes + 3;
    tui_rect_t nodes, events;

    if (table > body / 2)
        table = body / 2;
    nodes = (tui_rect_t){ 2, 0, table, COLS };
    events = (tui_rect_t){ 2 + table, 0, body - table, COLS };
    erase();
    draw_status(r);
    draw_explanation(r);
    draw_nodes(r, &nodes);
    draw_events(r, &events);
    draw_keys(r);
    if (r->help)
        draw_help(r);
    refresh();
}

int
tui_replay_run(const trace_t *trace, const char *path)
{
    replay_t r = { .tr = trace, .path = path, .filter_node = -1 };
    SCREEN *screen;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return bl_fail(BL_E_INVALID, "the viewer needs a terminal; --text prints the summary "
                       "instead");
    setlocale(LC_ALL, "");
    if ((screen = newterm(NULL, stdout, stdin)) == NULL)
        return bl_fail(BL_E_INVALID, "cannot draw on this terminal (TERM=%s); --text prints "
                       "the summary instead", getenv("TERM") != NULL ? getenv("TERM") : "unset");
    r.look = bl_xcalloc(1, sizeof *r.look);
    trace_summary_init(&r.sum, trace);
    set_filter(&r, -1, "");
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    tui_start_colors(r.look);
    while (!r.quit) {
        int ch;

        draw(&r);
        /* blocking: nothing moves here unless a key is pressed; ERR means input is gone */
        if ((ch = getch()) == ERR)
            break;
        key(&r, ch);
    }
    endwin();
    delscreen(screen);
    trace_summary_free(&r.sum);
    free(r.shown);
    free(r.look);
    return BL_OK;
}
