/*
 * tui_lesson.c — a lesson in the TUI: subtitles over the live views (`bcoslab lesson N`).
 *
 * "The Secret Lives of Data" shows one idea at a time: a sentence, the picture moving, a stop
 * until the reader clicks on. Here the sentence is the step's subtitle and its `say` lines,
 * in a pane under the status bar; the picture is the view the step chose, drawn by the same
 * code as `bcoslab demo`; the stop is the step's pause. The lesson player (viz/lesson/) does
 * the work and keeps the clock, this file only hands it time and keys:
 *
 *   Enter, n, →   go on to the next step (while a step is still running: finish it now)
 *   p, ←          back to the previous step: the player reopens the world from its seed and
 *                 replays the steps before it quietly — the simulator makes that exact
 *   r             this step again, from its start
 *   space         hold the clock;  + -  faster, slower;  o  the step's whole output
 *   q             quit
 *
 * Every other key is the demo's: crash a node, switch the view, type a console command.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "tui/tui_int.h"

#define PANE_LOG_LINES 4   /* the step's newest output lines shown under the subtitles */

struct tui_lesson {
    lesson_player_t *p;
    bool held;             /* space: the clock stands still */
    double speed;          /* the student's + and -, times the step's `do speed` */
    unsigned generation;   /* of the player's world, to notice a new one */
    unsigned view, group, node; /* the player's choice last applied to the TUI */
    bool chose;
};

/* ---- following the player ---- */

/* A new world, or a new view chosen by the step: show it. */
static void
follow(tui_t *t, struct tui_lesson *ls)
{
    unsigned view, group, node;

    if (lesson_player_generation(ls->p) != ls->generation) {
        ls->generation = lesson_player_generation(ls->p);
        tui_set_world(t, lesson_player_world(ls->p));
    }
    lesson_player_view(ls->p, &view, &group, &node);
    if (!ls->chose || view != ls->view || group != ls->group || node != ls->node) {
        t->view = view;
        t->group = t->w != NULL && group < world_ngroups(t->w) ? group : 0;
        t->node = t->w != NULL && node < world_nnodes(t->w) ? node : 0;
        ls->view = view;
        ls->group = group;
        ls->node = node;
        ls->chose = true;
    }
}

/* Let the player use the real time that passed (times the speeds) unless held or paused. */
static void
tick(tui_t *t, struct tui_lesson *ls, uint64_t real_ms)
{
    bool running = lesson_player_state(ls->p) == LESSON_RUNNING && !ls->held;

    if (t->w != NULL)
        world_set_paused(t->w, !running);
    if (running)
        lesson_player_run(ls->p, (uint64_t)(real_ms * ls->speed *
                                             lesson_player_speed(ls->p) + 0.5));
    follow(t, ls);
    if (t->w != NULL)
        world_set_paused(t->w, lesson_player_state(ls->p) != LESSON_RUNNING || ls->held);
}

static void
go_to(tui_t *t, struct tui_lesson *ls, size_t step)
{
    snprintf(t->message, sizeof t->message, "replaying steps 1..%zu from the seed...", step);
    t->message_until = tui_real_ms() + 1000;
    if (step > 0)
        tui_draw(t);
    lesson_player_goto(ls->p, step);
    t->message[0] = '\0';
    ls->held = false;
    follow(t, ls);
}

/* The step to go back to: the last one when the lesson is over. */
static size_t
current_step(const struct tui_lesson *ls)
{
    return lesson_player_step(ls->p);
}

static void
continue_key(tui_t *t, struct tui_lesson *ls)
{
    lesson_state_t st = lesson_player_state(ls->p);

    if (st == LESSON_RUNNING) {
        lesson_player_run(ls->p, UINT64_MAX); /* finish the step now */
    } else if (st == LESSON_PAUSED) {
        lesson_player_next(ls->p);
        ls->held = false;
    }
    follow(t, ls);
}

static void
lesson_key(tui_t *t, struct tui_lesson *ls, int ch)
{
    size_t step = current_step(ls);

    if (t->typing || t->help || t->output != NULL) {
        tui_key(t, ch); /* the command line, help and the output box have the keys first */
        return;
    }
    switch (ch) {
    case '\n': case '\r': case KEY_ENTER: case 'n': case KEY_RIGHT: continue_key(t, ls); break;
    case 'p': case KEY_LEFT: go_to(t, ls, step > 0 ? step - 1 : 0); break;
    case 'r': go_to(t, ls, step); break;
    case ' ': ls->held = !ls->held; break;
    case '+': case '=': ls->speed = ls->speed * 2 > 64 ? 64 : ls->speed * 2; break;
    case '-': case '_': ls->speed = ls->speed / 2 < 1.0 / 16 ? 1.0 / 16 : ls->speed / 2; break;
    case 'o':
        free(t->output);
        t->output = bl_xstrdup(lesson_player_log(ls->p));
        break;
    case 'q': case 'Q': t->quit = true; break;
    default:
        if (t->w != NULL || ch == '?')
            tui_key(t, ch);
    }
}

/* ---- the pane ---- */

/* text wrapped at blanks to the width, from line y; returns the lines used (at most max). */
static int
put_wrapped(const tui_rect_t *r, int y, attr_t attr, const char *text, int max)
{
    int used = 0;

    while (*text != '\0' && used < max) {
        size_t len = strlen(text), cut = len;

        if ((int)len > r->w - 2) {
            cut = (size_t)(r->w - 2);
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (size_t)(r->w - 2);
        }
        tui_put(r, y + used++, 1, attr, "%.*s", (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return used;
}

/* The step's output lines after its subtitle and say lines: the newest `max` of them. */
static int
put_log(const tui_rect_t *r, int y, const char *log, size_t skip, int max, attr_t attr)
{
    const char *lines[256];
    size_t n = 0, first;
    int used = 0;

    for (const char *p = log; *p != '\0' && n < 256;) {
        if (skip > 0)
            skip--;
        else
            lines[n++] = p;
        p += strcspn(p, "\n");
        p += *p == '\n';
    }
    first = n > (size_t)max ? n - (size_t)max : 0;
    for (size_t i = first; i < n; i++)
        tui_put(r, y + used++, 0, attr, "%.*s", (int)strcspn(lines[i], "\n"), lines[i]);
    return used;
}

static int
put_status(tui_t *t, struct tui_lesson *ls, const tui_rect_t *r, int y)
{
    switch (lesson_player_state(ls->p)) {
    case LESSON_RUNNING:
        tui_put(r, y, 1, tui_attr(t, TUI_WARN), "%s%s", ls->held ? "[held: space goes on] " :
                "", lesson_player_doing(ls->p)[0] ? lesson_player_doing(ls->p) : "working...");
        return 1;
    case LESSON_PAUSED:
        tui_put(r, y, 1, tui_attr(t, TUI_OK), "▶ Enter: next step · p: previous step · "
                "r: replay this step · q: quit");
        return 1;
    case LESSON_FAILED: /* the ✗ line above says why */
        tui_put(r, y, 1, tui_attr(t, TUI_BAD), "✗ This step failed (seed %llu). r: replay it · "
                "p: previous step · q: quit", t->w != NULL ?
                (unsigned long long)world_opts(t->w)->seed : 0ull);
        return 1;
    default:
        tui_put(r, y, 1, tui_attr(t, TUI_OK), "The lesson is over. p: back a step · q: quit");
        return 1;
    }
}

int
tui_lesson_draw(tui_t *t)
{
    struct tui_lesson *ls = t->lesson;
    const lesson_t *l = lesson_player_lesson(ls->p);
    const lesson_step_t *s = &l->steps[current_step(ls)];
    tui_rect_t r = { 1, 0, LINES - 2, COLS };
    int y = 0, room = t->w != NULL ? PANE_LOG_LINES : LINES - 8 - (int)s->nsay;

    tui_put(&r, y, 1, tui_attr(t, TUI_TITLE) | A_BOLD, "%s", l->title);
    tui_put(&r, y++, COLS - 14 > 0 ? COLS - 14 : 0, tui_attr(t, TUI_TITLE), "step %zu/%zu",
            current_step(ls) + 1, l->nsteps);
    y += put_wrapped(&r, y, A_BOLD, s->subtitle, 2);
    for (size_t i = 0; i < s->nsay && y < r.h / 2; i++)
        y += put_wrapped(&r, y, A_NORMAL, s->say[i], 3);
    y += put_log(&r, y, lesson_player_log(ls->p), 2 + s->nsay, room > 1 ? room : 1,
                 tui_attr(t, TUI_DIM));
    y += put_status(t, ls, &r, y);
    mvhline(r.y + y, 0, ACS_HLINE, COLS);
    return y + 1;
}

/* ---- the loop ---- */

int
tui_run_lesson(const lesson_t *l, const lesson_play_opts_t *popts, const tui_opts_t *opts)
{
    lesson_play_opts_t po = *popts;
    struct tui_lesson ls = { .speed = 1.0 };
    tui_t *t = bl_xcalloc(1, sizeof *t);
    uint64_t last, last_snapshot = 0;
    SCREEN *screen;

    po.out = NULL;
    po.print_views = false;
    ls.p = lesson_player_new(l, &po);
    ls.generation = lesson_player_generation(ls.p);
    tui_init(t, lesson_player_world(ls.p), opts);
    t->lesson = &ls;
    follow(t, &ls);
    screen = tui_screen_open(t);
    last = tui_real_ms();
    while (!t->quit && (opts->stop == NULL || !atomic_load(opts->stop))) {
        int ch = getch();
        uint64_t now;

        if (ch != ERR)
            lesson_key(t, &ls, ch);
        now = tui_real_ms();
        tick(t, &ls, now - last);
        last = now;
        if (t->w != NULL)
            model_update(&t->m, now - last_snapshot >= 200);
        if (now - last_snapshot >= 200)
            last_snapshot = now;
        tui_draw(t);
    }
    tui_screen_close(screen);
    tui_release(t);
    lesson_player_free(ls.p);
    free(t);
    return 0;
}
