/*
 * tui_int.h — what the TUI's files share: its state, the panes views draw into, and the small
 * drawing helpers (boxes, bars, sparklines) every view uses.
 */
#ifndef BL_VIZ_TUI_INT_H
#define BL_VIZ_TUI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <ncurses.h>

#include "model.h"
#include "tui/tui.h"
#include "world.h"

enum {
    TUI_VIEW_CHAIN = 1,
    TUI_VIEW_GROUPS,
    TUI_VIEW_PBFT,
    TUI_VIEW_DAG,
    TUI_VIEW_RAFT,
    TUI_VIEW_STATS,
    TUI_VIEWS = TUI_VIEW_STATS,
};

/* Colour pairs; without colours each has a monochrome attribute instead (tui_attr). */
enum {
    TUI_OK = 1,      /* committed, up, honest */
    TUI_WARN,        /* lagging, in progress, candidate */
    TUI_BAD,         /* down, Byzantine, dropped */
    TUI_TITLE,       /* headings */
    TUI_LEADER,      /* the leader, the selected thing */
    TUI_DIM,         /* not a member, not applicable */
    TUI_BAR,         /* the status bar */
};

typedef struct {
    int y, x, h, w;
} tui_rect_t;

typedef struct {
    world_t *w;
    model_t m;
    tui_opts_t o;
    unsigned view;
    unsigned group;          /* index of the selected group */
    unsigned node;           /* the selected node */
    int64_t block;           /* the selected block in the chain and DAG views, -1: follow the tip */
    bool colors;
    bool help;
    bool quit;
    char message[160];       /* the last thing a key did, shown in the key bar */
    uint64_t message_until;  /* real ms */
    /* the command line (`:`): the console's commands (console/console.h), made on first use */
    bool typing;
    char command[160];
    size_t command_len;
    struct console *console;
    char *output;            /* the last command's answer, shown until a key is pressed */
    /* playing a lesson (tui_lesson.c): its state, or NULL for the plain demo */
    struct tui_lesson *lesson;
    /* the DAG view's cached DAG */
    model_dag_t dag;
    bool have_dag;
    unsigned dag_group;
} tui_t;

/* ---- the loop's parts (tui.c), shared by the demo and the lesson player ---- */
/* Fill t for world w (NULL: none yet, a lesson may open one later). */
void tui_init(tui_t *t, world_t *w, const tui_opts_t *opts);
/* Show another world (a lesson opened one): what was read from the old one is dropped. */
void tui_set_world(tui_t *t, world_t *w);
void tui_release(tui_t *t);
/* Take over the terminal (returns the screen to give back to tui_screen_close). */
SCREEN *tui_screen_open(tui_t *t);
void tui_screen_close(SCREEN *screen);
void tui_key(tui_t *t, int ch);
void tui_draw(tui_t *t);
uint64_t tui_real_ms(void);

/* ---- the lesson's subtitle pane (tui_lesson.c): draws it under the status bar and returns
 * how many lines it took ---- */
int tui_lesson_draw(tui_t *t);

/* ---- drawing helpers (tui_draw.c) ---- */
void tui_start_colors(tui_t *t);
attr_t tui_attr(const tui_t *t, int kind);
/* Text clipped to the pane's width from (y, x) inside r; returns the columns written. */
int tui_put(const tui_rect_t *r, int y, int x, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tui_box(const tui_t *t, const tui_rect_t *r, const char *title);
/* A bar of `width` cells: filled for value of total, then "value/total". */
void tui_bar(const tui_t *t, const tui_rect_t *r, int y, int x, int width, int64_t value,
             int64_t total);
/* A sparkline of n values (oldest first) in `width` cells. */
void tui_sparkline(const tui_rect_t *r, int y, int x, int width, const double *values, size_t n,
                   attr_t attr);
/* "0x1a2b3c4d" from a hash */
void tui_short_hash(const uint8_t hash[32], char out[12]);
void tui_full_hash(const uint8_t hash[32], char out[67]);
/* The inside of a box. */
tui_rect_t tui_inner(const tui_rect_t *r);
/* The node's state as a word and the attribute to draw it with: up, down, cut off, Byzantine. */
const char *tui_node_state(const tui_t *t, unsigned i, attr_t *attr);

/* ---- the views (tui_views*.c): each draws into its rect ---- */
void tui_view_chain(tui_t *t, const tui_rect_t *r);
void tui_view_groups(tui_t *t, const tui_rect_t *r);
void tui_view_pbft(tui_t *t, const tui_rect_t *r);
void tui_view_dag(tui_t *t, const tui_rect_t *r);
void tui_view_raft(tui_t *t, const tui_rect_t *r);
void tui_view_stats(tui_t *t, const tui_rect_t *r);
const char *tui_view_name(unsigned view);

/* The block the chain and DAG views show: the selected one, or the newest (with transactions,
 * for the DAG). -1 if none yet. */
int64_t tui_shown_block(const tui_t *t, bool with_txs);

#endif
