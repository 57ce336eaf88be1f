/*
 * tui.h — the live terminal views of a running chain (`bcoslab demo`).
 *
 * tui_run takes over the terminal (ncurses), runs the world — stepping the simulator or
 * watching the threads — and draws the views until the user presses q. See tui.c for the loop
 * and the keys, tui_views*.c for the views.
 */
#ifndef BL_VIZ_TUI_H
#define BL_VIZ_TUI_H

#include <stdatomic.h>
#include <stdio.h>

#include "lesson/lesson.h"
#include "world.h"

typedef struct {
    unsigned view;        /* the view to start on, 1..TUI_VIEWS */
    unsigned group;       /* the group to start on (index: 0 is group 1) */
    const char *export_dir; /* where `e` writes its picture ("." if NULL) */
    /* Drawing somewhere else than this terminal (bench tps --with-tui: a pseudo-terminal):
     * both NULL for stdin/stdout. */
    FILE *in, *out;
    /* When set, the loop ends as if q was pressed (NULL: only q ends it). */
    atomic_bool *stop;
} tui_opts_t;

/* Returns 0 when the user quits; the terminal is restored whatever happens. */
int tui_run(world_t *w, const tui_opts_t *opts);

/* Play a lesson (viz/lesson/lesson.h) in the TUI: its subtitles over the view each step
 * selects; Enter goes on, p goes back a step, r replays the step, q quits (tui_lesson.c).
 * popts.out is ignored (the pane shows the step's text). Returns 0 when the user quits. */
int tui_run_lesson(const lesson_t *l, const lesson_play_opts_t *popts, const tui_opts_t *opts);

#endif
