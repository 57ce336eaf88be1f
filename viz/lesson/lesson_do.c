/*
 * lesson_do.c — the lessons' actions: `do send`, `do crash`, `do console`, `do run`, ...
 *
 * Each action is one call on the world (viz/world.h) — the same knobs the TUI's keys turn —
 * or a console command (src/console/console.h), or a whole `bcoslab` subcommand run in this
 * process with its output caught, so a lesson about hashes or storage can show the real
 * output of `bcoslab util dag` without leaving the lesson.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bytes.h"
#include "base/error.h"
#include "console/console.h"
#include "export.h"
#include "lesson/lesson_int.h"
#include "node/byzantine.h"

/* ---- $TMP, $SEED, $ID_A ---- */

static const char *
tmp_dir(lesson_player_t *p)
{
    if (p->tmp[0] == '\0') {
        snprintf(p->tmp, sizeof p->tmp, "/tmp/bcoslab-lesson-XXXXXX");
        if (mkdtemp(p->tmp) == NULL)
            p->tmp[0] = '\0';
    }
    return p->tmp;
}

/* What `$NAME` at s stands for (written to out), and how long the name is; 0 if nothing. */
static size_t
variable(lesson_player_t *p, const char *s, char *out, size_t cap)
{
    if (strncmp(s, "$TMP", 4) == 0) {
        snprintf(out, cap, "%s", tmp_dir(p));
        return 4;
    }
    if (strncmp(s, "$SEED", 5) == 0 && p->w != NULL) {
        snprintf(out, cap, "%llu", (unsigned long long)world_opts(p->w)->seed);
        return 5;
    }
    if (strncmp(s, "$ID_", 4) == 0 && p->w != NULL && s[4] >= 'A' &&
        s[4] < 'A' + (int)world_nnodes(p->w) && cap > 128) {
        bl_hex_encode(world_node_id(p->w, (unsigned)(s[4] - 'A')), 64, out);
        return 5;
    }
    return 0;
}

/* `$(cat FILE)`: the file's first line (a node ID written by build-chain, say). */
static size_t
file_variable(const char *s, char *out, size_t cap)
{
    const char *end = strchr(s, ')');
    char path[1024];
    FILE *f;

    if (strncmp(s, "$(cat ", 6) != 0 || end == NULL || (size_t)(end - s - 6) >= sizeof path)
        return 0;
    snprintf(path, sizeof path, "%.*s", (int)(end - s - 6), s + 6);
    out[0] = '\0';
    if ((f = fopen(path, "r")) != NULL) {
        if (fgets(out, (int)cap, f) == NULL)
            out[0] = '\0';
        fclose(f);
    }
    out[strcspn(out, "\r\n")] = '\0';
    return (size_t)(end - s) + 1;
}

/* One pass over text: the simple variables, or (files) the $(cat FILE)s. Caller frees. */
static char *
substitute_pass(lesson_player_t *p, const char *text, bool files)
{
    size_t cap = strlen(text) * 4 + 1024, n = 0;
    char *out = bl_xmalloc(cap), value[512];

    for (const char *s = text; *s != '\0';) {
        size_t len = *s != '$' ? 0 : files ? file_variable(s, value, sizeof value)
                                           : variable(p, s, value, sizeof value);

        if (len == 0) {
            value[0] = *s;
            value[1] = '\0';
            len = 1;
        }
        if (n + strlen(value) + 1 > cap)
            out = bl_xrealloc(out, cap = (n + strlen(value) + 1) * 2);
        memcpy(out + n, value, strlen(value));
        n += strlen(value);
        s += len;
    }
    out[n] = '\0';
    return out;
}

/* text with its variables replaced (caller frees): $TMP, $SEED and $ID_X first, then
 * $(cat FILE), whose FILE may use them. */
static char *
substitute(lesson_player_t *p, const char *text)
{
    char *simple = substitute_pass(p, text, false), *all = substitute_pass(p, simple, true);

    free(simple);
    return all;
}

/* ---- the last console / run ---- */

static void
keep_result(lesson_player_t *p, const lesson_op_t *op, bool ok, char *output,
            const char *why)
{
    free(p->last_output);
    p->last_output = output;
    p->have_last = true;
    p->last_ok = ok;
    lesson_out(p, " > %s\n", op->source);
    lesson_out_indented(p, output);
    if (!ok && !op->may_fail)
        lesson_fail(p, op, "%s", why);
    else if (!ok)
        lesson_out(p, "   (refused, as the lesson expects)\n");
}

static void
do_console(lesson_player_t *p, const lesson_op_t *op)
{
    char *line = substitute(p, op->text), *text = NULL;
    size_t len = 0;
    FILE *out;
    int rc = BL_OK;

    if (p->console == NULL)
        p->console = console_new(p->w, world_opts(p->w)->seed);
    if (p->console == NULL) {
        free(line);
        lesson_fail(p, op, "the console cannot attach to this world");
        return;
    }
    out = open_memstream(&text, &len);
    rc = console_run_line(p->console, line, out);
    fclose(out);
    free(line);
    keep_result(p, op, rc == BL_OK, text, "the console command failed");
}

/* ---- `do run`: a subcommand in this process, its stdout and stderr caught in a file ---- */

static char *
read_all(FILE *f)
{
    long len;
    char *text;

    fflush(f);
    len = ftell(f);
    text = bl_xmalloc((size_t)(len > 0 ? len : 0) + 1);
    rewind(f);
    len = (long)fread(text, 1, (size_t)(len > 0 ? len : 0), f);
    text[len > 0 ? len : 0] = '\0';
    return text;
}

static int
run_caught(lesson_player_t *p, char **argv, int argc, char **output)
{
    FILE *f = tmpfile();
    int saved_out, saved_err, rc;

    *output = NULL;
    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot make a temporary file for the output");
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(STDOUT_FILENO);
    saved_err = dup(STDERR_FILENO);
    dup2(fileno(f), STDOUT_FILENO);
    dup2(fileno(f), STDERR_FILENO);
    optind = 0; /* glibc: start getopt afresh for the subcommand */
    rc = p->o.run_command(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    *output = read_all(f);
    fclose(f);
    return rc;
}

static void
do_run(lesson_player_t *p, const lesson_op_t *op)
{
    char *line = substitute(p, op->text), **argv, *output = NULL;
    int argc = lesson_split_args(line, &argv), rc = -1;
    char why[80];

    free(line);
    if (argc <= 0 || p->o.run_command == NULL) {
        lesson_free_argv(argv);
        lesson_fail(p, op, "this player cannot run subcommands");
        return;
    }
    rc = run_caught(p, argv, argc, &output);
    lesson_free_argv(argv);
    snprintf(why, sizeof why, "the command exited with status %d", rc);
    keep_result(p, op, rc == 0, output, why);
}

/* ---- the others ---- */

static void
do_export(lesson_player_t *p, const lesson_op_t *op)
{
    char *file = substitute(p, op->text), path[1024];

    if (file[0] == '/')
        snprintf(path, sizeof path, "%s", file);
    else
        snprintf(path, sizeof path, "%s/%s", p->o.export_dir, file);
    free(file);
    model_update(&p->m, true);
    lesson_out(p, " > %s\n", op->source);
    if (export_graph(p->w, &p->m, (export_kind_t)op->export_kind, op->group, op->n, path) !=
        BL_OK)
        lesson_fail(p, op, "%s", bl_errmsg());
    else
        lesson_out(p, "   wrote %s\n", path);
}

static void
do_send(lesson_player_t *p, const lesson_op_t *op)
{
    unsigned accepted = 0, asked = 0;

    for (unsigned k = 0; k < world_ngroups(p->w); k++)
        if (!op->group_given || k == op->group) {
            accepted += world_send(p->w, k, op->node, (unsigned)op->n);
            asked += (unsigned)op->n;
        }
    /* A group's first send opens its users (userAdd) before the transfers: say so, or the
     * count would not add up for the reader. */
    if (accepted > asked)
        lesson_out(p, " > %s\n   %u transactions accepted: %u userAdd opening the accounts "
                   "first, then the transfers\n", op->source, accepted, accepted - asked);
    else
        lesson_out(p, " > %s\n   %u transactions accepted\n", op->source, accepted);
}

static void
do_heal(lesson_player_t *p, const lesson_op_t *op)
{
    for (unsigned i = 0; i < world_nnodes(p->w); i++)
        if (op->node == (int)i || (op->node < 0 && world_isolated(p->w, i)))
            world_isolate(p->w, i, false);
    lesson_out(p, " > %s\n", op->source);
}

void
lesson_do(lesson_player_t *p, const lesson_op_t *op)
{
    int leader = op->node == LESSON_NODE_LEADER ? lesson_leader(p, op->group) : -1;
    unsigned x = op->node >= 0 ? (unsigned)op->node : (unsigned)leader;

    if (op->node == LESSON_NODE_LEADER && leader < 0) {
        lesson_fail(p, op, "the group has no leader now");
        return;
    }
    switch ((lesson_do_t)op->what) {
    case LESSON_DO_CONSOLE: do_console(p, op); return;
    case LESSON_DO_RUN: do_run(p, op); return;
    case LESSON_DO_EXPORT: do_export(p, op); return;
    case LESSON_DO_SEND: do_send(p, op); return;
    case LESSON_DO_HEAL: do_heal(p, op); return;
    case LESSON_DO_RATE: world_set_rate(p->w, (unsigned)op->n); break;
    case LESSON_DO_CRASH: world_crash(p->w, x); break;
    case LESSON_DO_RESTART: world_restart(p->w, x); break;
    case LESSON_DO_CUT: world_isolate(p->w, x, true); break;
    case LESSON_DO_BYZANTINE: world_set_byzantine(p->w, x, (byz_mode_t)op->mode); break;
    case LESSON_DO_SPEED: p->speed = op->speed; break;
    default: break; /* sleep takes time: lesson_run.c */
    }
    lesson_out(p, " > %s\n", op->source);
    if (leader >= 0)
        lesson_out(p, "   (the leader was node %s)\n", world_node_name(p->w, x));
}
