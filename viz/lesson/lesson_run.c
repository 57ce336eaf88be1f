/*
 * lesson_run.c — the lesson player: steps played on a simulated world.
 *
 * The player walks the current step's lines in order. Most lines take no time at all (crash a
 * node, send transactions, print a view). Three kinds need time to pass — `wait`, `do sleep`
 * and `check stalls` — and for those the player runs the simulator itself, in slices of
 * LESSON_SLICE_MS virtual milliseconds, looking at the model after every slice. It never asks
 * the wall clock: the TUI hands it "you may use this much time now" (real time × speed) and
 * --text hands it all the time it wants, and the slices are the same either way. That is why a
 * step played in the TUI, printed by --text, or replayed by `p` runs exactly the same events.
 *
 * At the end of a step the player stops (LESSON_PAUSED) and the clock stands still until it
 * is told to go on (lesson_player_next) or to go back (lesson_player_goto).
 */
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "console/console.h"
#include "lesson/lesson_int.h"

#define LESSON_SLICE_MS 50

/* ---- output ---- */

void
lesson_out(lesson_player_t *p, const char *fmt, ...)
{
    va_list ap;

    if (p->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
}

/* Each line of text, indented, as an action's output. */
void
lesson_out_indented(lesson_player_t *p, const char *text)
{
    while (text != NULL && *text != '\0') {
        size_t n = strcspn(text, "\n");

        lesson_out(p, "   %.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

void
lesson_fail(lesson_player_t *p, const lesson_op_t *op, const char *fmt, ...)
{
    char msg[500];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->failure, sizeof p->failure, "%s:%d: %s: %s", p->l->path, op->line,
             op->source, msg);
    p->state = LESSON_FAILED;
    p->quiet = false; /* a failure while replaying is shown */
    lesson_out(p, " ✗ %s\n", p->failure);
}

/* A fresh memory stream for the step's text (the TUI's pane), unless output goes to a file. */
static void
reset_log(lesson_player_t *p)
{
    if (p->o.out != NULL) {
        p->out = p->o.out;
        return;
    }
    if (p->out != NULL)
        fclose(p->out);
    free(p->log);
    p->log = NULL;
    p->loglen = 0;
    p->out = open_memstream(&p->log, &p->loglen);
}

/* ---- the world ---- */

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void
remove_tmp(lesson_player_t *p)
{
    if (p->tmp[0] != '\0')
        nftw(p->tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    p->tmp[0] = '\0';
}

static void
close_world(lesson_player_t *p)
{
    if (p->console != NULL)
        console_free(p->console);
    p->console = NULL;
    if (p->w != NULL) {
        model_free(&p->m);
        world_close(p->w);
    }
    p->w = NULL;
    p->generation++;
}

static bool
open_world(lesson_player_t *p, const lesson_world_t *lw, const lesson_op_t *op)
{
    world_opts_t o = lw->o;

    close_world(p);
    o.consensus = lw->consensus;
    if ((p->w = world_open(&o)) == NULL) {
        lesson_fail(p, op, "cannot open the world: %s", bl_errmsg());
        return false;
    }
    model_init(&p->m, p->w);
    memset(p->step_nvcs, 0, sizeof p->step_nvcs);
    lesson_out(p, " > world seed=%llu nodes=%u groups=%u consensus=%s rate=%u%s\n",
               (unsigned long long)o.seed, o.nodes, o.groups, o.consensus, o.rate,
               o.sm ? " sm=yes" : "");
    return true;
}

/* ---- steps ---- */

static void
begin_step(lesson_player_t *p, size_t k)
{
    const lesson_step_t *s = &p->l->steps[k];

    reset_log(p);
    p->step = k;
    p->op = 0;
    p->op_started = false;
    p->credit = 0;
    p->state = LESSON_RUNNING;
    p->doing[0] = '\0';
    if (p->w != NULL)
        for (unsigned g = 0; g < p->m.ngroups; g++)
            p->step_nvcs[g] = p->m.g[g].nvcs;
    lesson_out(p, "\n── step %zu/%zu: %s ──\n", k + 1, p->l->nsteps, s->subtitle);
    for (size_t i = 0; i < s->nsay; i++)
        lesson_out(p, "   %s\n", s->say[i]);
    if (k == 0 && p->l->has_world) {
        char source[] = "world (the header's)";
        lesson_op_t header = { .line = p->l->world_line, .source = source };

        open_world(p, &p->l->world, &header);
    }
}

static void
print_view(lesson_player_t *p)
{
    if (p->w == NULL || p->quiet)
        return;
    model_update(&p->m, true);
    lesson_print_view(p->out, &p->m, p->view, p->group);
}

static void
end_step(lesson_player_t *p)
{
    if (p->o.print_views)
        print_view(p);
    p->doing[0] = '\0';
    p->state = LESSON_PAUSED;
}

/* ---- time ---- */

/* Run one slice of virtual time (less if only `left` is left); false when the time the player
 * was given is spent. */
static bool
run_slice(lesson_player_t *p, uint64_t left)
{
    uint64_t ms = left < LESSON_SLICE_MS ? left : LESSON_SLICE_MS;

    if (!p->unlimited) {
        if (p->credit < ms)
            return false;
        p->credit -= ms;
    }
    if (world_paused(p->w))
        world_set_paused(p->w, false); /* the player's clock is the only one that runs */
    world_advance(p->w, ms);
    model_update(&p->m, true);
    return true;
}

/* A wait: true when it is over (held, or failed); false when the budget ran out first. */
static bool
run_wait(lesson_player_t *p, const lesson_op_t *op)
{
    char seen[160];

    if (!p->op_started) {
        p->op_started = true;
        p->op_t0 = world_now(p->w);
    }
    for (;;) {
        uint64_t waited = world_now(p->w) - p->op_t0;
        uint64_t limit = op->what == LESSON_IS_MS ? (uint64_t)op->n : op->within;

        if (lesson_holds(p, op, seen, sizeof seen)) {
            lesson_out(p, " … %s: reached at t=%.3f s%s%s\n", op->source,
                       world_now(p->w) / 1000.0, seen[0] ? " — " : "", seen);
            return true;
        }
        if (waited >= limit) {
            lesson_fail(p, op, "not reached within %llu ms (%s)", (unsigned long long)limit,
                        seen);
            return true;
        }
        snprintf(p->doing, sizeof p->doing, "waiting: %.100s (now: %.80s) · %.1f s", op->source,
                 seen[0] ? seen : "-", waited / 1000.0);
        if (!run_slice(p, limit - waited))
            return false;
    }
}

/* `do sleep MS` and `check stalls for=MS`: let the time pass, then look. */
static bool
run_for(lesson_player_t *p, const lesson_op_t *op, uint64_t ms)
{
    if (!p->op_started) {
        p->op_started = true;
        p->op_t0 = world_now(p->w);
        p->op_base = p->m.g[op->group].top;
    }
    while (world_now(p->w) - p->op_t0 < ms) {
        snprintf(p->doing, sizeof p->doing, "%.100s · %.1f of %.1f s", op->source,
                 (world_now(p->w) - p->op_t0) / 1000.0, ms / 1000.0);
        if (!run_slice(p, ms - (world_now(p->w) - p->op_t0)))
            return false;
    }
    return true;
}

static void
run_check(lesson_player_t *p, const lesson_op_t *op)
{
    char seen[200];

    if (p->w != NULL)
        model_update(&p->m, true);
    if (lesson_holds(p, op, seen, sizeof seen))
        lesson_out(p, " ✓ %s%s%s\n", op->source, seen[0] ? " — " : "", seen);
    else
        lesson_fail(p, op, "does not hold (%s)", seen);
}

/* One line of the step; false when it needs more time than the budget had. */
static bool
run_op(lesson_player_t *p, const lesson_op_t *op)
{
    switch (op->kind) {
    case LESSON_OP_WORLD: open_world(p, &op->world, op); return true;
    case LESSON_OP_VIEW:
        p->view = op->view;
        p->group = op->group;
        p->node = op->node >= 0 ? (unsigned)op->node : p->node;
        return true;
    case LESSON_OP_SNAPSHOT: print_view(p); return true;
    case LESSON_OP_WAIT: return run_wait(p, op);
    case LESSON_OP_CHECK:
        if (op->what == LESSON_IS_STALLS && !run_for(p, op, (uint64_t)op->n))
            return false;
        run_check(p, op);
        return true;
    default:
        if (op->what == LESSON_DO_SLEEP) {
            if (!p->op_started)
                lesson_out(p, " > %s\n", op->source);
            return run_for(p, op, (uint64_t)op->n);
        }
        lesson_do(p, op);
        return true;
    }
}

lesson_state_t
lesson_player_run(lesson_player_t *p, uint64_t budget_ms)
{
    const lesson_step_t *s = &p->l->steps[p->step];

    p->unlimited = budget_ms == UINT64_MAX;
    if (!p->unlimited) /* what is left is less than a slice, unless the step stopped early */
        p->credit = (p->credit < LESSON_SLICE_MS ? p->credit : LESSON_SLICE_MS) + budget_ms;
    while (p->state == LESSON_RUNNING) {
        if (p->op == s->nops) {
            end_step(p);
            break;
        }
        if (!run_op(p, &s->ops[p->op]))
            break;
        if (p->state == LESSON_RUNNING) {
            p->op++;
            p->op_started = false;
            p->doing[0] = '\0';
        }
    }
    if (p->out != NULL)
        fflush(p->out);
    return p->state;
}

/* ---- the player ---- */

lesson_player_t *
lesson_player_new(const lesson_t *l, const lesson_play_opts_t *o)
{
    lesson_player_t *p = bl_xcalloc(1, sizeof *p);

    p->l = l;
    p->o = *o;
    if (p->o.export_dir == NULL)
        p->o.export_dir = ".";
    p->view = 1;
    p->speed = 1.0;
    lesson_player_goto(p, 0);
    return p;
}

void
lesson_player_free(lesson_player_t *p)
{
    if (p == NULL)
        return;
    close_world(p);
    remove_tmp(p);
    if (p->o.out == NULL && p->out != NULL)
        fclose(p->out);
    free(p->log);
    free(p->last_output);
    free(p);
}

lesson_state_t
lesson_player_goto(lesson_player_t *p, size_t k)
{
    if (k >= p->l->nsteps)
        k = p->l->nsteps - 1;
    close_world(p);
    remove_tmp(p);
    free(p->last_output);
    p->last_output = NULL;
    p->have_last = false;
    p->view = 1;
    p->group = p->node = 0;
    p->speed = 1.0;
    p->failure[0] = '\0';
    p->quiet = true;
    for (size_t i = 0; i < k; i++) {
        begin_step(p, i);
        if (lesson_player_run(p, UINT64_MAX) == LESSON_FAILED)
            return p->state;
    }
    p->quiet = false;
    begin_step(p, k);
    return p->state;
}

lesson_state_t
lesson_player_next(lesson_player_t *p)
{
    if (p->state != LESSON_PAUSED)
        return p->state;
    if (p->step + 1 >= p->l->nsteps)
        p->state = LESSON_DONE;
    else
        begin_step(p, p->step + 1);
    return p->state;
}

lesson_state_t lesson_player_state(const lesson_player_t *p) { return p->state; }
size_t lesson_player_step(const lesson_player_t *p) { return p->step; }
const lesson_t *lesson_player_lesson(const lesson_player_t *p) { return p->l; }
world_t *lesson_player_world(lesson_player_t *p) { return p->w; }
unsigned lesson_player_generation(const lesson_player_t *p) { return p->generation; }
model_t *lesson_player_model(lesson_player_t *p) { return &p->m; }
double lesson_player_speed(const lesson_player_t *p) { return p->speed; }
const char *lesson_player_doing(const lesson_player_t *p) { return p->doing; }
const char *lesson_player_failure(const lesson_player_t *p) { return p->failure; }

void
lesson_player_view(const lesson_player_t *p, unsigned *view, unsigned *group, unsigned *node)
{
    *view = p->view;
    *group = p->group;
    *node = p->node;
}

const char *
lesson_player_log(lesson_player_t *p)
{
    if (p->out != NULL)
        fflush(p->out);
    return p->log != NULL ? p->log : "";
}
