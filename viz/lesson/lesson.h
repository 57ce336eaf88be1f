/*
 * lesson.h — lessons as step scripts, and a player that runs them on the simulator.
 *
 * A lesson (lessons/NN-slug/) is a text for the student (README.md) and a script (steps) that
 * shows the text happening on a real chain: a subtitle, an action (crash a node, send
 * transactions, make a leader lie), a wait for something to happen, a check that it did, and a
 * pause — "The Secret Lives of Data" made of the same simulator the tests use. The language is
 * described in lessons/FORMAT.md; this header is its two halves:
 *
 *   - lesson_load / lesson_parse read a script and check ALL of it before anything runs, so a
 *     typo on line 40 is reported (as "file:40: ...") before step 1 starts;
 *   - the player (lesson_run.c) plays the steps on a world (viz/world.h). It owns the clock:
 *     virtual time runs in fixed slices while a step waits, and stands still at a pause. So a
 *     lesson played in the TUI, in --text mode or replayed from step 1 runs exactly the same
 *     events — which is what makes "replay the previous step" exact.
 *
 * The player never draws and never reads the keyboard: `bcoslab lesson --text` (src/app/
 * lesson_cmd.c) and the TUI (viz/tui/tui_lesson.c) both drive it, each in its own way.
 */
#ifndef BL_VIZ_LESSON_H
#define BL_VIZ_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "world.h"

/* ---- a parsed script ---- */

typedef enum {
    LESSON_OP_WORLD,      /* open a fresh world */
    LESSON_OP_VIEW,       /* which view the step shows */
    LESSON_OP_DO,         /* an action */
    LESSON_OP_WAIT,       /* let time run until a condition holds */
    LESSON_OP_CHECK,      /* an assertion */
    LESSON_OP_SNAPSHOT,   /* print the view now (text mode) */
} lesson_op_kind_t;

/* What a `do` line does. */
typedef enum {
    LESSON_DO_SEND, LESSON_DO_RATE, LESSON_DO_CRASH, LESSON_DO_RESTART, LESSON_DO_CUT,
    LESSON_DO_HEAL, LESSON_DO_BYZANTINE, LESSON_DO_CONSOLE, LESSON_DO_RUN, LESSON_DO_EXPORT,
    LESSON_DO_SLEEP, LESSON_DO_SPEED,
} lesson_do_t;

/* What a `wait` or `check` line looks at. */
typedef enum {
    LESSON_IS_HEIGHT, LESSON_IS_TXS, LESSON_IS_LEADER, LESSON_IS_VIEWCHANGE,
    LESSON_IS_NO_VIEWCHANGE, LESSON_IS_MS, LESSON_IS_UP, LESSON_IS_DOWN, LESSON_IS_VIEW,
    LESSON_IS_STALLS, LESSON_IS_AGREE, LESSON_IS_ROLE, LESSON_IS_OK, LESSON_IS_FAILED,
    LESSON_IS_OUTPUT,
} lesson_is_t;

/* A comparison of `check height >= 3`. */
typedef enum { LESSON_GE, LESSON_GT, LESSON_EQ, LESSON_NE, LESSON_LE, LESSON_LT } lesson_cmp_t;

#define LESSON_NODE_NONE (-1)
#define LESSON_NODE_ALL (-2)   /* wait height H node=all */
#define LESSON_NODE_LEADER (-3) /* do crash leader: the group's leader when the line runs */

/* A `world` line: options, with the consensus list kept here (o.consensus points into it
 * only once the player copies it). */
typedef struct {
    world_opts_t o;
    char consensus[64];
} lesson_world_t;

typedef struct {
    int line;               /* in the script, for messages */
    char *source;           /* the line as written (without its comment), for messages */
    lesson_op_kind_t kind;
    int what;               /* lesson_do_t for DO, lesson_is_t for WAIT and CHECK */
    bool may_fail;          /* `do try ...` */
    int node;               /* 0.. or LESSON_NODE_* */
    unsigned group;         /* index: 0 is group 1 */
    bool group_given;       /* an explicit group= (send without it goes to every group) */
    lesson_cmp_t cmp;
    int64_t n;              /* the number: count, height, view, ms, block (-1: newest) */
    uint64_t within;        /* wait: the deadline in virtual ms */
    double speed;
    int mode;               /* byz_mode_t; the role for `check role` (group_role_t) */
    char *text;             /* console line, run arguments, export file, output text */
    int export_kind;        /* export_kind_t */
    unsigned view;          /* view: 1..6 */
    lesson_world_t world;
} lesson_op_t;

typedef struct {
    int line;
    char *subtitle;
    char **say;
    size_t nsay;
    lesson_op_t *ops;
    size_t nops;
} lesson_step_t;

typedef struct {
    char *path;             /* the steps file */
    char *title;
    bool has_world;         /* a world line in the header: opened before step 1 */
    int world_line;
    lesson_world_t world;
    lesson_step_t *steps;
    size_t nsteps;
} lesson_t;

/* Parse a whole script (path only names it in messages). On an error: BL_E_INVALID with
 * bl_errmsg "path:line: what is wrong", and *out left empty. */
int lesson_parse(const char *path, const char *text, lesson_t *out);
/* Read and parse a steps file. */
int lesson_load(const char *path, lesson_t *out);
void lesson_free(lesson_t *l);

/* "height", "txs", ... for messages. */
const char *lesson_is_name(lesson_is_t is);
const char *lesson_cmp_name(lesson_cmp_t cmp);
bool lesson_compare(int64_t a, lesson_cmp_t cmp, int64_t b);

/* ---- finding lessons (lessons/NN-slug/steps) ---- */

typedef struct {
    unsigned number;        /* NN */
    char *slug;             /* "pbft" */
    char *dir;              /* "lessons/08-pbft" */
    char *steps;            /* "lessons/08-pbft/steps" */
} lesson_entry_t;

/* Every folder NN-slug of dir that holds a steps file, by number. */
int lesson_find_all(const char *dir, lesson_entry_t **out, size_t *n);
void lesson_entries_free(lesson_entry_t *e, size_t n);

/* ---- the player (lesson_run.c) ---- */

typedef enum {
    LESSON_RUNNING,         /* in a step: more to do, time to let pass */
    LESSON_PAUSED,          /* at the end of a step: waiting for "continue" */
    LESSON_FAILED,          /* a wait timed out, a check failed, an action failed */
    LESSON_DONE,            /* past the last step */
} lesson_state_t;

typedef struct {
    /* Where the step's text goes: stdout for --text. NULL: into a buffer per step that
     * lesson_player_log returns (the TUI's subtitle pane). */
    FILE *out;
    bool print_views;       /* print each step's view at its end (--text) */
    const char *export_dir; /* where relative export files and failure traces go (".") */
    /* A bcoslab subcommand, run in this process (argv[0] is its name: "util", "bench", ...);
     * returns its exit status. NULL: `do run` fails. */
    int (*run_command)(int argc, char **argv);
} lesson_play_opts_t;

typedef struct lesson_player lesson_player_t;

lesson_player_t *lesson_player_new(const lesson_t *l, const lesson_play_opts_t *o);
void lesson_player_free(lesson_player_t *p);

/* Start step k (0-based) afresh: close the world, reopen it from its seed and replay steps
 * 0..k-1 quietly and without pauses — the simulator makes them come out the same — then begin
 * step k. Going back one step is lesson_player_goto(p, current - 1). */
lesson_state_t lesson_player_goto(lesson_player_t *p, size_t k);
/* From a pause: begin the next step (or be DONE after the last). */
lesson_state_t lesson_player_next(lesson_player_t *p);
/* Do the current step's work until it pauses, fails, or has used budget_ms of virtual time
 * (UINT64_MAX: no limit). */
lesson_state_t lesson_player_run(lesson_player_t *p, uint64_t budget_ms);

lesson_state_t lesson_player_state(const lesson_player_t *p);
size_t lesson_player_step(const lesson_player_t *p);       /* the current step, 0-based */
const lesson_t *lesson_player_lesson(const lesson_player_t *p);
/* The world now (NULL before a world line); it changes at a `world` line and at goto: the
 * generation counts the changes, so a viewer knows when to start over. */
world_t *lesson_player_world(lesson_player_t *p);
unsigned lesson_player_generation(const lesson_player_t *p);
/* The player's own model of the world (what its waits and checks read). */
model_t *lesson_player_model(lesson_player_t *p);
/* What the step shows: view 1..6, group index, node. */
void lesson_player_view(const lesson_player_t *p, unsigned *view, unsigned *group,
                        unsigned *node);
/* The step's speed (`do speed`), 1 unless changed. */
double lesson_player_speed(const lesson_player_t *p);
/* What the step is doing now ("waiting for height 3 in group 1 (now 2)"), or "". */
const char *lesson_player_doing(const lesson_player_t *p);
/* Why the lesson failed ("" if it did not). */
const char *lesson_player_failure(const lesson_player_t *p);
/* With opts.out NULL: the current step's text so far. */
const char *lesson_player_log(lesson_player_t *p);

/* ---- text pictures of the views (lesson_text.c) ---- */

/* The text picture of view 1..6 for group index k, as --text prints it at the end of a
 * step: chain tip blocks, groups, PBFT phases, the DAG of a block, Raft roles, statistics. */
void lesson_print_view(FILE *out, model_t *m, unsigned view, unsigned k);

#endif
