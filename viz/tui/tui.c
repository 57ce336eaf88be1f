/*
 * tui.c — the TUI's loop, its keys and its layout.
 *
 * The loop, about twenty times a second:
 *
 *     wait up to 50 ms for a key, and act on it (the knobs are world_* calls)
 *     let the world advance by the real time that passed (the simulator runs that much
 *       virtual time times the speed; real threads run anyway)
 *     fold the new events into the model; five times a second also take snapshots
 *     draw: the status bar, the views, the key bar (and help or the command line on top)
 *
 * The nodes never wait for the drawing: with real threads they run on their own, and the
 * snapshots are short calls on their threads (world_call). The layout follows the terminal:
 * one view at 80×24, four panes side by side when there is room for them (htop's manners:
 * the keys are always on the last line, `?` explains them).
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/error.h"
#include "console/console.h"
#include "export.h"
#include "tui/tui_int.h"

#define TUI_TICK_MS 50
#define TUI_SNAPSHOT_MS 200
#define TUI_BURST 100
#define TUI_BIG_COLS 160
#define TUI_BIG_LINES 44

static uint64_t
real_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

const char *
tui_view_name(unsigned view)
{
    static const char *const names[] = { "", "Chain", "Groups", "PBFT", "DAG", "Raft", "Stats" };

    return view >= 1 && view <= TUI_VIEWS ? names[view] : "?";
}

static void
say(tui_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(tui_t *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
    t->message_until = real_ms() + 4000;
}

/* ---- the knobs ---- */

static void
toggle_crash(tui_t *t)
{
    const char *name = world_node_name(t->w, t->node);

    if (world_node_up(t->w, t->node)) {
        world_crash(t->w, t->node);
        say(t, "node %s crashed: it lost everything but its disk", name);
    } else {
        world_restart(t->w, t->node);
        say(t, "node %s restarted from its disk; it catches up by sync", name);
    }
}

static void
toggle_partition(tui_t *t)
{
    bool cut = !world_isolated(t->w, t->node);

    world_isolate(t->w, t->node, cut);
    say(t, cut ? "node %s is cut off from every other node" : "node %s is back on the network",
        world_node_name(t->w, t->node));
}

static void
cycle_byzantine(tui_t *t)
{
    byz_mode_t mode = (byz_mode_t)((world_byzantine(t->w, t->node) + 1) % BYZ_MODE_COUNT);

    world_set_byzantine(t->w, t->node, mode);
    say(t, "node %s is now %s", world_node_name(t->w, t->node), byz_mode_name(mode));
}

static void
export_view(tui_t *t)
{
    char path[512];
    int rc = export_world_view(t->w, &t->m, t->view, t->group, tui_shown_block(t, t->view ==
                               TUI_VIEW_DAG), t->o.export_dir, path, sizeof path);

    if (rc == BL_OK)
        say(t, "wrote %s", path);
    else
        say(t, "export failed: %s", bl_errmsg());
}

/* ---- the command line (`:`) ----
 *
 * `rate`, `burst` and `speed` are the TUI's own (the load and the clock); everything else is a
 * console command (getBlockNumber, select ..., crash C, byzantine B silent, ...), run by the
 * same code as `bcoslab console`, its answer shown in a box until the next key. */

static bool
run_tui_command(tui_t *t, const char *line)
{
    char verb[32] = "", arg[64] = "";
    int n = sscanf(line, "%31s %63s", verb, arg);

    if (n != 2)
        return false;
    if (strcmp(verb, "rate") == 0) {
        world_set_rate(t->w, (unsigned)strtoul(arg, NULL, 10));
        say(t, "load: %u tx/s per group", world_rate(t->w));
    } else if (strcmp(verb, "burst") == 0) {
        say(t, "%u transactions accepted", world_burst(t->w, (unsigned)strtoul(arg, NULL, 10)));
    } else if (strcmp(verb, "speed") == 0) {
        world_set_speed(t->w, strtod(arg, NULL));
        say(t, "speed %gx", world_speed(t->w));
    } else {
        return false;
    }
    return true;
}

static void
run_command(tui_t *t, const char *line)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    if (run_tui_command(t, line))
        return;
    if (t->console == NULL && (t->console = console_new(t->w, world_opts(t->w)->seed)) == NULL) {
        say(t, "the console cannot attach to this chain");
        return;
    }
    if ((out = open_memstream(&text, &len)) == NULL)
        return;
    console_run_line(t->console, line, out);
    fclose(out);
    free(t->output);
    t->output = text;
}

static void
command_key(tui_t *t, int ch)
{
    if (ch == '\n' || ch == KEY_ENTER) {
        t->command[t->command_len] = '\0';
        t->typing = false;
        run_command(t, t->command);
    } else if (ch == 27) {
        t->typing = false;
    } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && t->command_len > 0) {
        t->command_len--;
    } else if (ch >= 32 && ch < 127 && t->command_len + 1 < sizeof t->command) {
        t->command[t->command_len++] = (char)ch;
    }
}

/* ---- keys ---- */

static void
select_block(tui_t *t, int delta)
{
    int64_t top = t->m.g[t->group].top;
    int64_t b = t->block < 0 ? top : t->block;

    b += delta;
    t->block = b >= top ? -1 : b < 0 ? 0 : b; /* past the tip: follow the tip again */
}

void
tui_key(tui_t *t, int ch)
{
    unsigned n = world_nnodes(t->w);

    if (t->typing) {
        command_key(t, ch);
        return;
    }
    if (t->help && ch != ERR && ch != KEY_RESIZE) {
        t->help = false;
        return;
    }
    if (t->output != NULL && ch != ERR && ch != KEY_RESIZE) {
        free(t->output);
        t->output = NULL;
        return;
    }
    switch (ch) {
    case 'q': case 'Q': t->quit = true; break;
    case '?': case 'h': t->help = true; break;
    case '\t': t->view = t->view % TUI_VIEWS + 1; break;
    case KEY_BTAB: t->view = (t->view + TUI_VIEWS - 2) % TUI_VIEWS + 1; break;
    case ' ':
        world_set_paused(t->w, !world_paused(t->w));
        say(t, world_paused(t->w) ? "paused" : "running");
        break;
    case 'n':
        if (!world_step(t->w))
            say(t, "stepping one event needs the simulator (bcoslab demo --sim)");
        break;
    case '+': case '=': world_set_speed(t->w, world_speed(t->w) * 2); break;
    case '-': case '_': world_set_speed(t->w, world_speed(t->w) / 2); break;
    case KEY_UP: t->node = (t->node + n - 1) % n; break;
    case KEY_DOWN: t->node = (t->node + 1) % n; break;
    case KEY_LEFT: select_block(t, -1); break;
    case KEY_RIGHT: select_block(t, +1); break;
    case KEY_HOME: t->block = 0; break;
    case KEY_END: t->block = -1; break;
    case 'c': toggle_crash(t); break;
    case 'p': toggle_partition(t); break;
    case 'b': cycle_byzantine(t); break;
    case 't': say(t, "burst: %u transactions accepted", world_burst(t->w, TUI_BURST)); break;
    case 'r': world_set_rate(t->w, world_rate(t->w) * 2 + (world_rate(t->w) == 0) * 50);
              say(t, "load: %u tx/s per group", world_rate(t->w)); break;
    case 'R': world_set_rate(t->w, world_rate(t->w) / 2);
              say(t, "load: %u tx/s per group", world_rate(t->w)); break;
    case 'g': t->group = (t->group + 1) % world_ngroups(t->w); t->block = -1; break;
    case 'e': export_view(t); break;
    case ':': t->typing = true; t->command_len = 0; break;
    default:
        if (ch >= '1' && ch <= '0' + TUI_VIEWS)
            t->view = (unsigned)(ch - '0');
    }
}

/* ---- drawing ---- */

static void
draw_view(tui_t *t, unsigned view, const tui_rect_t *r)
{
    switch (view) {
    case TUI_VIEW_CHAIN: tui_view_chain(t, r); break;
    case TUI_VIEW_GROUPS: tui_view_groups(t, r); break;
    case TUI_VIEW_PBFT: tui_view_pbft(t, r); break;
    case TUI_VIEW_DAG: tui_view_dag(t, r); break;
    case TUI_VIEW_RAFT: tui_view_raft(t, r); break;
    default: tui_view_stats(t, r); break;
    }
}

static void
draw_status(tui_t *t)
{
    tui_rect_t r = { 0, 0, 1, COLS };
    const world_opts_t *o = world_opts(t->w);
    uint64_t now = world_now(t->w);
    int x = 0;
    attr_t bar = tui_attr(t, TUI_BAR);

    attron(bar);
    mvhline(0, 0, ' ', COLS);
    attroff(bar);
    x += tui_put(&r, 0, x, bar | A_BOLD, " bcoslab ");
    if (o->sim)
        x += tui_put(&r, 0, x, bar, "│ sim seed %llu │ t=%llu.%03llus │ speed %gx ",
                     (unsigned long long)o->seed, (unsigned long long)(now / 1000),
                     (unsigned long long)(now % 1000), world_speed(t->w));
    else
        x += tui_put(&r, 0, x, bar, "│ threads │ t=%llu.%llus ", (unsigned long long)(now / 1000),
                     (unsigned long long)(now % 1000 / 100));
    x += tui_put(&r, 0, x, bar, "│ %s │ load %u tx/s │ node %s │ group %u (%s) ",
                 world_paused(t->w) ? "PAUSED" : "running", world_rate(t->w),
                 world_node_name(t->w, t->node), t->m.g[t->group].id, t->m.g[t->group].consensus);
    for (unsigned v = 1; v <= TUI_VIEWS; v++)
        x += tui_put(&r, 0, x, v == t->view ? tui_attr(t, TUI_LEADER) | A_REVERSE : bar,
                     "%u %s ", v, tui_view_name(v));
}

static void
draw_keys(tui_t *t)
{
    tui_rect_t r = { LINES - 1, 0, 1, COLS };

    move(LINES - 1, 0);
    clrtoeol();
    if (t->typing) {
        tui_put(&r, 0, 0, A_BOLD, ":%.*s", (int)t->command_len, t->command);
        return;
    }
    if (t->message[0] != '\0' && real_ms() < t->message_until) {
        tui_put(&r, 0, 0, tui_attr(t, TUI_WARN), "%s", t->message);
        return;
    }
    if (t->lesson != NULL) {
        tui_put(&r, 0, 0, tui_attr(t, TUI_DIM), "Enter/n/→ next step  p/← previous  r replay  "
                "space hold  o output  q quit  ? help  1-6 view  ↑↓ node  c crash  b byzantine"
                "  t txs  g group  : cmd");
        return;
    }
    tui_put(&r, 0, 0, tui_attr(t, TUI_DIM), "? help  q quit  1-6 view  ↑↓ node  space pause"
            "  c crash  p cut  b byzantine  t txs  g group  ←→ block  n step  +- speed  "
            "r/R rate  e export  : cmd");
}

/* The last console answer, in a box over the views (its last lines, if it is long). */
static void
draw_output(tui_t *t)
{
    int lines = 1, h, w = COLS - 4 < 120 ? COLS - 4 : 120, y = 0;
    const char *p = t->output;
    tui_rect_t r, in;

    for (const char *q = p; *q != '\0'; q++)
        lines += *q == '\n';
    h = lines + 2 < LINES - 3 ? lines + 2 : LINES - 3;
    r = (tui_rect_t){ 2, 2, h, w };
    in = tui_inner(&r);
    for (int i = 0; i < r.h; i++)
        mvhline(r.y + i, r.x, ' ', r.w);
    tui_box(t, &r, "console (any key closes)");
    for (int skip = lines - in.h; skip > 0 && p != NULL; skip--) /* keep the end in view */
        p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : NULL;
    while (p != NULL && *p != '\0' && y < in.h) {
        const char *nl = strchr(p, '\n');
        int n = nl != NULL ? (int)(nl - p) : (int)strlen(p);

        tui_put(&in, y++, 0, A_NORMAL, "%.*s", n, p);
        p = nl != NULL ? nl + 1 : NULL;
    }
}

static void
draw_help(tui_t *t)
{
    static const char *const lines[] = {
        "Views (number keys, Tab / Shift-Tab)",
        "  1 Chain   blocks as cars linked by parent hash, each node's tip, a header",
        "  2 Groups  node × group: role, state, height, pool",
        "  3 PBFT    the round: leader, phases, votes toward n − f, messages",
        "  4 DAG     a block's txs by level, conflicts as edges, the workers",
        "  5 Raft    terms, roles, logs and commit indexes, elections",
        "  6 Stats   TPS, commit latency, pools, messages and drops per second",
        "Selection   ↑ ↓ node · ← → block (End: the tip) · g next group",
        "Time        space pause · n one event (--sim) · + - speed (--sim)",
        "Faults      c crash/restart · p cut off/heal · b next Byzantine mode",
        "Load        t burst of 100 txs per group · r double the rate · R halve",
        "Other       e export the view (DOT + SVG) · : console command · q quit",
        "",
        "Every number comes from the nodes' event log or from their ledgers.",
        "Press any key.",
    };
    /* In a lesson, n p r space + - ← → belong to the player (tui_lesson.c). */
    static const char *const lesson_lines[] = {
        "Lesson      Enter n → next step · p ← previous step · r this step again",
        "            space hold the clock · + - faster, slower · o the step's output",
    };
    const char *const *extra = t->lesson != NULL ? lesson_lines : NULL;
    int nextra = extra != NULL ? 2 : 0;
    int h = (int)(sizeof lines / sizeof lines[0]) + nextra + 2, w = 84;
    tui_rect_t r = { (LINES - h) / 2, (COLS - w) / 2, h, w };

    if (r.y < 0) r.y = 0;
    if (r.x < 0) r.x = 0;
    if (r.w > COLS) r.w = COLS;
    if (r.h > LINES) r.h = LINES;
    for (int y = 0; y < r.h; y++)
        mvhline(r.y + y, r.x, ' ', r.w);
    tui_box(t, &r, "help");
    for (int i = 0; i < nextra; i++) {
        tui_rect_t in = tui_inner(&r);

        tui_put(&in, i, 0, A_BOLD, "%s", extra[i]);
    }
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        tui_rect_t in = tui_inner(&r);

        tui_put(&in, (int)i + nextra, 0, i == 0 || lines[i][0] != ' ' ? A_BOLD : A_NORMAL,
                "%s", lines[i]);
    }
}

/* The views: one at 80×24; on a big terminal the selected view and three others beside it.
 * They start on line `top` (under the status bar, and under a lesson's subtitles). */
static void
draw_views(tui_t *t, int top)
{
    int body = LINES - 1 - top;

    if (COLS >= TUI_BIG_COLS && LINES >= TUI_BIG_LINES) {
        int half_w = COLS / 2, half_h = body / 2;
        unsigned side = strcmp(t->m.g[t->group].consensus, "raft") == 0 ? TUI_VIEW_RAFT :
                        TUI_VIEW_PBFT;
        unsigned others[3] = { TUI_VIEW_GROUPS, side, TUI_VIEW_STATS };
        tui_rect_t panes[4] = { { top, 0, half_h, half_w }, { top, half_w, half_h, COLS - half_w },
                                { top + half_h, 0, body - half_h, half_w },
                                { top + half_h, half_w, body - half_h, COLS - half_w } };
        unsigned k = 0;

        draw_view(t, t->view, &panes[0]);
        for (unsigned i = 0; i < 3; i++)
            if (others[i] != t->view)
                draw_view(t, others[i], &panes[++k]);
        if (k < 3)
            draw_view(t, t->view == TUI_VIEW_CHAIN ? TUI_VIEW_DAG : TUI_VIEW_CHAIN, &panes[3]);
    } else {
        tui_rect_t r = { top, 0, body, COLS };

        draw_view(t, t->view, &r);
    }
}

void
tui_draw(tui_t *t)
{
    int top = 1;

    erase();
    if (t->lesson != NULL)
        top += tui_lesson_draw(t);
    if (t->w != NULL) {
        draw_status(t);
        if (top < LINES - 3)
            draw_views(t, top);
    }
    draw_keys(t);
    if (t->output != NULL)
        draw_output(t);
    if (t->help)
        draw_help(t);
    refresh();
}

void
tui_init(tui_t *t, world_t *w, const tui_opts_t *opts)
{
    t->w = w;
    t->o = *opts;
    t->view = opts->view >= 1 && opts->view <= TUI_VIEWS ? opts->view : TUI_VIEW_CHAIN;
    t->group = w != NULL && opts->group < world_ngroups(w) ? opts->group : 0;
    t->block = -1;
    if (w != NULL)
        model_init(&t->m, w);
}

/* Forget everything read from the old world (a lesson opened a new one). */
void
tui_set_world(tui_t *t, world_t *w)
{
    if (t->have_dag)
        model_dag_free(&t->dag);
    t->have_dag = false;
    if (t->console != NULL)
        console_free(t->console);
    t->console = NULL;
    if (t->w != NULL)
        model_free(&t->m);
    t->w = w;
    t->block = -1;
    if (w != NULL) {
        model_init(&t->m, w);
        if (t->group >= world_ngroups(w))
            t->group = 0;
        if (t->node >= world_nnodes(w))
            t->node = 0;
    }
}

void
tui_release(tui_t *t)
{
    tui_set_world(t, NULL);
    free(t->output);
    t->output = NULL;
}

SCREEN *
tui_screen_open(tui_t *t)
{
    SCREEN *screen = NULL;

    setlocale(LC_ALL, "");
    if (t->o.in != NULL || t->o.out != NULL)
        screen = newterm(NULL, t->o.out != NULL ? t->o.out : stdout,
                         t->o.in != NULL ? t->o.in : stdin);
    else
        initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(TUI_TICK_MS);
    tui_start_colors(t);
    return screen;
}

void
tui_screen_close(SCREEN *screen)
{
    endwin();
    if (screen != NULL)
        delscreen(screen);
}

uint64_t
tui_real_ms(void)
{
    return real_ms();
}

int
tui_run(world_t *w, const tui_opts_t *opts)
{
    tui_t *t = bl_xcalloc(1, sizeof *t);
    uint64_t last, last_snapshot = 0;
    SCREEN *screen;

    tui_init(t, w, opts);
    screen = tui_screen_open(t);
    last = real_ms();
    while (!t->quit && (opts->stop == NULL || !atomic_load(opts->stop))) {
        int ch = getch();
        uint64_t now;

        if (ch != ERR)
            tui_key(t, ch);
        now = real_ms();
        world_advance(w, now - last);
        last = now;
        model_update(&t->m, now - last_snapshot >= TUI_SNAPSHOT_MS);
        if (now - last_snapshot >= TUI_SNAPSHOT_MS)
            last_snapshot = now;
        tui_draw(t);
    }
    tui_screen_close(screen);
    tui_release(t);
    free(t);
    return 0;
}
