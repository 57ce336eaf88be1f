/*
 * lesson_cmd.c — `bcoslab lesson`: the course's lessons, played.
 *
 *   bcoslab lesson list            every lessons/NN-slug/steps: number, slug, title, steps
 *   bcoslab lesson 8               lesson 8 in the TUI: Enter next step, p previous, q quit
 *   bcoslab lesson 8 --text        the same steps printed for a plain terminal (or a test)
 *   bcoslab lesson check FILE      only check a step script (for lesson authors)
 *
 * The script language is lessons/FORMAT.md; the player is viz/lesson/. This file finds the
 * lessons, drives the player in --text mode, and gives it the subcommands a lesson may run
 * in this process (`do run util dag --txs 12`).
 */
#include "app/lesson_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/bench.h"
#include "app/build_chain.h"
#include "app/cli.h"
#include "app/cluster_cmd.h"
#include "app/demo_cmd.h"
#include "app/util.h"
#include "base/error.h"
#include "lesson/lesson.h"
#include "tui/tui.h"

const char lesson_help[] =
    "  list               the lessons: number, slug, title, number of steps\n"
    "  N                  play lesson N in the TUI: Enter/n/→ next step, p/← previous step,\n"
    "                     r replay this step, q quit (the demo's other keys work too)\n"
    "  N --text           print the steps instead (plain terminal; exit 1 if a check fails)\n"
    "  check FILE...      check step scripts without playing them\n"
    "\n"
    "  --dir DIR          where the lessons are (default $BL_LESSONS, else ./lessons)\n"
    "  --no-pause         --text: do not wait for Enter at the end of each step\n"
    "  --export-dir DIR   where pictures and, on a failure, the trace go (default .;\n"
    "                     made if missing)\n"
    "N may also be the path of a steps file. The script language: lessons/FORMAT.md.\n";

typedef struct {
    const char *dir;
    const char *export_dir;
    bool text;
    bool no_pause;
} lesson_opts_t;

/* ---- the subcommands a lesson may run (`do run ...`) ---- */

static const cli_command_t runnable[] = {
    { .name = "util", .args = "", .summary = "", .run = util_main, .is_group = true },
    { .name = "bench", .args = "", .summary = "", .run = bench_main, .is_group = true },
    { .name = "build-chain", .args = "", .summary = "", .run = build_chain_main,
      .help = build_chain_help },
    { .name = "cert", .args = "", .summary = "", .run = cert_main, .is_group = true },
    { .name = "cluster", .args = "", .summary = "", .run = cluster_main, .help = cluster_help },
    { .name = "export", .args = "", .summary = "", .run = export_main, .help = export_help },
    { .name = NULL },
};

static int
run_subcommand(int argc, char **argv)
{
    return cli_dispatch("", runnable, argc, argv);
}

/* ---- finding a lesson ---- */

static const char *
lessons_dir(const lesson_opts_t *o)
{
    if (o->dir != NULL)
        return o->dir;
    return getenv("BL_LESSONS") != NULL ? getenv("BL_LESSONS") : "lessons";
}

/* "lessons/08-pbft/steps" -> 8: the number of the folder a steps file is in (0 if none). */
static unsigned
number_of_path(const char *path)
{
    const char *end = strrchr(path, '/'), *start = end;

    while (start > path && start[-1] != '/')
        start--;
    if (end - start > 3 && start[0] >= '0' && start[0] <= '9' && start[1] >= '0' &&
        start[1] <= '9' && start[2] == '-')
        return (unsigned)((start[0] - '0') * 10 + start[1] - '0');
    return 0;
}

/* The steps file of lesson `which` (a number, or a path): caller frees. */
static char *
find_lesson(const lesson_opts_t *o, const char *which, unsigned *number)
{
    lesson_entry_t *e;
    size_t n;
    unsigned want;
    char *path = NULL;

    *number = 0;
    if (strchr(which, '/') != NULL) {
        *number = number_of_path(which);
        return bl_xstrdup(which);
    }
    if (which[0] < '0' || which[0] > '9' || strlen(which) > 2 || strspn(which, "0123456789")
        != strlen(which) || (want = (unsigned)atoi(which)) < 1) {
        cli_fail(NULL, "which lesson? '%s' is neither a number 1..99 nor a steps file", which);
        return NULL;
    }
    if (lesson_find_all(lessons_dir(o), &e, &n) != BL_OK) {
        cli_fail(NULL, "%s", bl_errmsg());
        return NULL;
    }
    for (size_t i = 0; i < n && path == NULL; i++)
        if (e[i].number == want)
            path = bl_xstrdup(e[i].steps);
    lesson_entries_free(e, n);
    if (path == NULL)
        cli_fail(NULL, "no lesson %u in %s (bcoslab lesson list shows them)", want,
                 lessons_dir(o));
    *number = want;
    return path;
}

static int
list_lessons(const lesson_opts_t *o)
{
    lesson_entry_t *e;
    size_t n;
    int rc = CLI_OK;

    if (lesson_find_all(lessons_dir(o), &e, &n) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    for (size_t i = 0; i < n; i++) {
        lesson_t l;

        if (lesson_load(e[i].steps, &l) != BL_OK) {
            fprintf(stderr, "bcoslab lesson: %s\n", bl_errmsg());
            rc = CLI_BAD_INPUT;
            continue;
        }
        printf("%2u  %-14s %s (%zu steps)\n", e[i].number, e[i].slug, l.title, l.nsteps);
        lesson_free(&l);
    }
    lesson_entries_free(e, n);
    return rc;
}

static int
check_scripts(int argc, char **argv)
{
    int rc = CLI_OK;

    if (argc < 1)
        return cli_fail(NULL, "check what? give one or more steps files");
    for (int i = 0; i < argc; i++) {
        lesson_t l;

        if (lesson_load(argv[i], &l) != BL_OK) {
            rc = cli_fail(NULL, "%s", bl_errmsg());
            continue;
        }
        printf("%s: %zu steps, fine\n", argv[i], l.nsteps);
        lesson_free(&l);
    }
    return rc;
}

/* ---- playing as text ---- */

/* At a pause: wait for Enter when a person is there. */
static void
wait_for_enter(const lesson_opts_t *o)
{
    char line[64];

    if (o->no_pause || !isatty(STDIN_FILENO))
        return;
    printf("   [Enter: next step]");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        printf("\n");
}

static int
report_failure(lesson_player_t *p, const lesson_opts_t *o, unsigned number)
{
    world_t *w = lesson_player_world(p);
    char trace[1024];

    printf("\nlesson failed at step %zu of %zu\n", lesson_player_step(p) + 1,
           lesson_player_lesson(p)->nsteps);
    if (w != NULL) {
        snprintf(trace, sizeof trace, "%s/bcoslab-lesson-%02u-trace.txt", o->export_dir,
                 number);
        printf("seed %llu", (unsigned long long)world_opts(w)->seed);
        if (world_write_trace(w, trace) == BL_OK)
            printf("; the simulator's trace: %s", trace);
        printf("\n");
    }
    fflush(stdout);
    fprintf(stderr, "bcoslab lesson: %s\n", lesson_player_failure(p));
    return 1;
}

static int
play_text(const lesson_t *l, const lesson_opts_t *o, unsigned number)
{
    lesson_play_opts_t po = { .out = stdout, .print_views = true, .export_dir = o->export_dir,
                              .run_command = run_subcommand };
    lesson_player_t *p;
    int rc = 0;

    printf("Lesson %u — %s\n", number, l->title);
    p = lesson_player_new(l, &po);
    for (;;) {
        lesson_state_t st = lesson_player_run(p, UINT64_MAX);

        if (st == LESSON_FAILED) {
            rc = report_failure(p, o, number);
            break;
        }
        if (st == LESSON_PAUSED) {
            wait_for_enter(o);
            if (lesson_player_next(p) != LESSON_DONE)
                continue;
        }
        printf("\nlesson complete: %zu steps\n", l->nsteps);
        break;
    }
    lesson_player_free(p);
    return rc;
}

/* ---- the command ---- */

enum { OPT_DIR = 256, OPT_TEXT, OPT_NO_PAUSE, OPT_EXPORT_DIR };

static const struct option lesson_options[] = {
    { "dir", required_argument, NULL, OPT_DIR },
    { "text", no_argument, NULL, OPT_TEXT },
    { "no-pause", no_argument, NULL, OPT_NO_PAUSE },
    { "export-dir", required_argument, NULL, OPT_EXPORT_DIR },
    { NULL, 0, NULL, 0 },
};

static int
parse_opts(int argc, char **argv, lesson_opts_t *o)
{
    int opt;

    *o = (lesson_opts_t){ .export_dir = "." };
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", lesson_options, NULL)) != -1) {
        switch (opt) {
        case OPT_DIR: o->dir = optarg; break;
        case OPT_TEXT: o->text = true; break;
        case OPT_NO_PAUSE: o->no_pause = true; break;
        case OPT_EXPORT_DIR: o->export_dir = optarg; break;
        default: return cli_fail(NULL, "unknown or incomplete option; see --help");
        }
    }
    if (optind >= argc)
        return cli_fail(NULL, "which lesson? a number, list, or check FILE (see --help)");
    /* a lesson's `do export` writes there: make the folder now rather than fail mid-lesson */
    if (mkdir(o->export_dir, 0755) != 0 && errno != EEXIST)
        return cli_fail(NULL, "cannot make the export folder %s: %s", o->export_dir,
                        strerror(errno));
    return CLI_OK;
}

static int
play(const lesson_opts_t *o, const char *which)
{
    unsigned number;
    char *path = find_lesson(o, which, &number);
    lesson_t l;
    int rc;

    if (path == NULL)
        return CLI_BAD_INPUT;
    rc = lesson_load(path, &l);
    free(path);
    if (rc != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if (o->text) {
        rc = play_text(&l, o, number);
    } else {
        tui_opts_t to = { .view = 1, .export_dir = o->export_dir };
        lesson_play_opts_t po = { .export_dir = o->export_dir, .run_command = run_subcommand };

        rc = tui_run_lesson(&l, &po, &to);
    }
    lesson_free(&l);
    return rc;
}

int
lesson_main(int argc, char **argv)
{
    lesson_opts_t o;
    int rc = parse_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    if (strcmp(argv[optind], "list") == 0)
        return optind + 1 == argc ? list_lessons(&o) : cli_fail(NULL, "list takes no argument");
    if (strcmp(argv[optind], "check") == 0)
        return check_scripts(argc - optind - 1, argv + optind + 1);
    if (optind + 1 != argc)
        return cli_fail(NULL, "unexpected '%s'; see --help", argv[optind + 1]);
    return play(&o, argv[optind]);
}
