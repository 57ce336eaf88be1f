/*
 * lesson_int.h — what the lesson module's files share: the parser's state and its small
 * helpers (lesson.c), used by the parsers of `do`, `wait` and `check` lines (lesson_ops.c).
 */
#ifndef BL_VIZ_LESSON_INT_H
#define BL_VIZ_LESSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lesson/lesson.h"

/* What the parser knows while it reads: where it is, and the world in force at this line
 * (node names and group numbers are checked against it). */
typedef struct {
    const char *path;
    int line;
    lesson_t *l;
    lesson_step_t *step;     /* the step being read; NULL in the header */
    bool paused;             /* the step had its `pause` line */
    const char *source;      /* the line being read, without its comment */
    bool have_world;
    unsigned nodes, groups;
} lesson_parser_t;

/* The key=value options a directive allows (lesson_take_options). */
enum {
    LESSON_OPT_GROUP = 1, LESSON_OPT_NODE = 2, LESSON_OPT_WITHIN = 4, LESSON_OPT_FOR = 8,
    LESSON_OPT_BLOCK = 16, LESSON_OPT_NODE_ALL = 32,
};

/* "path:line: message" into bl_errmsg; returns BL_E_INVALID. */
int lesson_perr(const lesson_parser_t *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int lesson_parse_number(const lesson_parser_t *ps, const char *what, const char *s, int64_t lo,
                        int64_t hi, int64_t *out);
/* "A".."H" within the world's nodes. */
int lesson_parse_node(const lesson_parser_t *ps, const char *s, int *out);
/* "1".. within the world's groups, to an index. */
int lesson_parse_group(const lesson_parser_t *ps, const char *s, unsigned *out);
/* Apply the key=value words to op and remove them from words; the others keep their order. */
int lesson_take_options(const lesson_parser_t *ps, char **words, size_t *n, unsigned allowed,
                        lesson_op_t *op);
int lesson_want_words(const lesson_parser_t *ps, size_t n, size_t lo, size_t hi,
                      const char *usage);

void lesson_strip_comment(char *s);
char *lesson_trim(char *s);
size_t lesson_split_words(char *s, char **words, size_t max);
/* May `do run` call this subcommand? */
bool lesson_is_runnable(const char *name);

/* Split a `do run` line into words, honouring 'single' and "double" quotes. Returns the
 * number of words (argv[n] = NULL), or -1 on an unclosed quote; each word and argv are
 * malloc'd (lesson_free_argv). */
int lesson_split_args(const char *s, char ***argv);
void lesson_free_argv(char **argv);

/* ---- the player (lesson_run.c, lesson_check.c) ---- */

struct console;

struct lesson_player {
    const lesson_t *l;
    lesson_play_opts_t o;
    FILE *out;               /* o.out, or a memory stream per step (log) */
    char *log;
    size_t loglen;
    bool quiet;              /* replaying steps quietly (goto) */
    world_t *w;
    unsigned generation;
    model_t m;
    struct console *console;
    lesson_state_t state;
    size_t step, op;         /* the current step and its next line */
    /* the line that takes time, once it has begun */
    bool op_started;
    uint64_t op_t0;
    int64_t op_base;
    uint64_t credit;         /* virtual ms the player was given and has not used yet */
    bool unlimited;          /* --text: all the time it wants */
    uint64_t step_nvcs[WORLD_MAX_GROUPS]; /* the model's view changes when the step began */
    unsigned view, group, node;
    double speed;
    char doing[300];
    char failure[700];
    /* the last console or run */
    bool have_last, last_ok;
    char *last_output;
    char tmp[64];            /* $TMP, "" until made */
};

/* Print on the step's output (nothing while replaying quietly). */
void lesson_out(lesson_player_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each line of text, indented under the action that printed it. */
void lesson_out_indented(lesson_player_t *p, const char *text);
/* Fail the lesson at op's line: "path:line: what" (also printed). */
void lesson_fail(lesson_player_t *p, const lesson_op_t *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* lesson_do.c: run a `do` line that takes no time (all but sleep). */
void lesson_do(lesson_player_t *p, const lesson_op_t *op);
/* Does the wait's or check's condition hold now? seen gets what was seen ("height 2"). */
bool lesson_holds(lesson_player_t *p, const lesson_op_t *op, char *seen, size_t cap);
/* The group's leader now (PBFT: (view + height) mod n; Raft: the leader up), -1 if none. */
int lesson_leader(lesson_player_t *p, unsigned k);
/* The group's height as the op means it: the top, node X's, or the lowest member up's. */
int64_t lesson_height(lesson_player_t *p, const lesson_op_t *op);

/* lesson_ops.c: the rest of a `do`, `wait` or `check` line into op. */
int lesson_parse_do(lesson_parser_t *ps, char *rest, lesson_op_t *op);
int lesson_parse_condition(lesson_parser_t *ps, char *rest, lesson_op_t *op);

#endif
