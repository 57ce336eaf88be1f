/*
 * lesson_ops.c — reading `do`, `wait` and `check` lines (lessons/FORMAT.md), and finding the
 * lessons on disk.
 *
 * Each line is turned into a lesson_op_t whose fields the player reads without parsing
 * anything again: the action or condition, the node and group, the number and comparison,
 * the console line or the subcommand's words.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "export.h"
#include "lesson/lesson_int.h"
#include "node/byzantine.h"
#include "node/group.h"

#define MAX_WORDS 64

/* ---- `do run` words ---- */

int
lesson_split_args(const char *s, char ***argv)
{
    size_t n = 0, len = strlen(s);
    char **v = bl_xcalloc(len / 2 + 2, sizeof *v);
    char *word = bl_xmalloc(len + 1);

    while (*s != '\0') {
        size_t w = 0;

        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        while (*s != '\0' && *s != ' ' && *s != '\t') {
            char q = *s;

            if (q != '\'' && q != '"') {
                word[w++] = *s++;
                continue;
            }
            for (s++; *s != '\0' && *s != q; s++)
                word[w++] = *s;
            if (*s != q) {
                v[n] = NULL;
                lesson_free_argv(v);
                free(word);
                *argv = NULL;
                return -1;
            }
            s++;
        }
        word[w] = '\0';
        v[n++] = bl_xstrdup(word);
    }
    v[n] = NULL;
    free(word);
    *argv = v;
    return (int)n;
}

void
lesson_free_argv(char **argv)
{
    for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

/* ---- do ---- */

static const char *const do_names[] = {
    "send", "rate", "crash", "restart", "cut", "heal", "byzantine", "console", "run", "export",
    "sleep", "speed",
};

static int
find_do(const lesson_parser_t *ps, const char *name)
{
    for (size_t i = 0; i < sizeof do_names / sizeof do_names[0]; i++)
        if (strcmp(do_names[i], name) == 0)
            return (int)i;
    return lesson_perr(ps, "unknown action '%s' (send, rate, crash, restart, cut, heal, "
                       "byzantine, console, run, export, sleep, speed)", name);
}

/* The text after the first `skip` words of s. */
static const char *
after_words(const char *s, unsigned skip)
{
    for (unsigned i = 0; i < skip; i++) {
        s += strspn(s, " \t");
        s += strcspn(s, " \t");
    }
    return s + strspn(s, " \t");
}

/* A node of an action: a name, or `leader` (the group's leader when the line runs). */
static int
parse_target(lesson_parser_t *ps, const char *s, int *out)
{
    if (strcmp(s, "leader") == 0) {
        *out = LESSON_NODE_LEADER;
        return BL_OK;
    }
    return lesson_parse_node(ps, s, out);
}

static int
parse_byzantine(lesson_parser_t *ps, char **words, size_t n, lesson_op_t *op)
{
    if (lesson_take_options(ps, words, &n, LESSON_OPT_GROUP, op) != BL_OK ||
        lesson_want_words(ps, n, 2, 2, "do byzantine X|leader MODE [group=G]") != BL_OK ||
        parse_target(ps, words[0], &op->node) != BL_OK)
        return BL_E_INVALID;
    for (int m = 0; m < BYZ_MODE_COUNT; m++)
        if (strcmp(byz_mode_name((byz_mode_t)m), words[1]) == 0) {
            op->mode = m;
            return BL_OK;
        }
    return lesson_perr(ps, "no Byzantine mode '%s' (honest, silent, garbage, replay, mute-half, "
                       "wrong-state, equivocate, double-vote)", words[1]);
}

static int
parse_run(lesson_parser_t *ps, const char *text, lesson_op_t *op)
{
    char **argv;
    int n = lesson_split_args(text, &argv);
    int rc = BL_OK;

    if (n < 0)
        return lesson_perr(ps, "an unclosed quote in '%s'", text);
    if (n == 0)
        rc = lesson_perr(ps, "usage: do run SUBCOMMAND ARGS... (util, bench, build-chain, cert, "
                         "cluster, export)");
    else if (!lesson_is_runnable(argv[0]))
        rc = lesson_perr(ps, "do run cannot run '%s' (util, bench, build-chain, cert, cluster, "
                         "export)", argv[0]);
    lesson_free_argv(argv);
    op->text = bl_xstrdup(text);
    return rc;
}

static int
parse_export(lesson_parser_t *ps, char **words, size_t n, lesson_op_t *op)
{
    if (lesson_take_options(ps, words, &n, LESSON_OPT_GROUP | LESSON_OPT_BLOCK, op) != BL_OK ||
        lesson_want_words(ps, n, 2, 2, "do export chain|dag|groups|pbft|mpt FILE [group=G] "
                          "[block=N]") != BL_OK)
        return BL_E_INVALID;
    if ((op->export_kind = export_kind_by_name(words[0])) < 0)
        return lesson_perr(ps, "cannot export '%s' (chain, dag, groups, pbft, mpt)", words[0]);
    op->text = bl_xstrdup(words[1]);
    return BL_OK;
}

static int
parse_speed(lesson_parser_t *ps, char **words, size_t n, lesson_op_t *op)
{
    char *end;

    if (lesson_want_words(ps, n, 1, 1, "do speed X") != BL_OK)
        return BL_E_INVALID;
    op->speed = strtod(words[0], &end);
    if (*end != '\0' || !(op->speed >= 1.0 / 16 && op->speed <= 64))
        return lesson_perr(ps, "speed wants a number from 0.0625 to 64, not '%s'", words[0]);
    return BL_OK;
}

/* The words after the action's name, by action. */
static int
parse_do_args(lesson_parser_t *ps, char **words, size_t n, const char *text, lesson_op_t *op)
{
    switch ((lesson_do_t)op->what) {
    case LESSON_DO_SEND:
        if (lesson_take_options(ps, words, &n, LESSON_OPT_GROUP | LESSON_OPT_NODE, op) != BL_OK ||
            lesson_want_words(ps, n, 1, 1, "do send N [group=G] [node=X]") != BL_OK)
            return BL_E_INVALID;
        return lesson_parse_number(ps, "send", words[0], 1, 100000, &op->n);
    case LESSON_DO_RATE:
        if (lesson_want_words(ps, n, 1, 1, "do rate N") != BL_OK)
            return BL_E_INVALID;
        return lesson_parse_number(ps, "rate", words[0], 0, 100000, &op->n);
    case LESSON_DO_CRASH: case LESSON_DO_CUT:
        if (lesson_take_options(ps, words, &n, LESSON_OPT_GROUP, op) != BL_OK ||
            lesson_want_words(ps, n, 1, 1, "do crash|cut X|leader [group=G]") != BL_OK)
            return BL_E_INVALID;
        return parse_target(ps, words[0], &op->node);
    case LESSON_DO_RESTART:
        if (lesson_want_words(ps, n, 1, 1, "do restart X") != BL_OK)
            return BL_E_INVALID;
        return lesson_parse_node(ps, words[0], &op->node);
    case LESSON_DO_HEAL:
        if (lesson_want_words(ps, n, 0, 1, "do heal [X]") != BL_OK)
            return BL_E_INVALID;
        return n == 0 ? BL_OK : lesson_parse_node(ps, words[0], &op->node);
    case LESSON_DO_BYZANTINE: return parse_byzantine(ps, words, n, op);
    case LESSON_DO_CONSOLE:
        if (text[0] == '\0')
            return lesson_perr(ps, "usage: do console COMMAND");
        op->text = bl_xstrdup(text);
        return BL_OK;
    case LESSON_DO_RUN: return parse_run(ps, text, op);
    case LESSON_DO_EXPORT: return parse_export(ps, words, n, op);
    case LESSON_DO_SLEEP:
        if (lesson_want_words(ps, n, 1, 1, "do sleep MS") != BL_OK)
            return BL_E_INVALID;
        return lesson_parse_number(ps, "sleep", words[0], 0, 3600000, &op->n);
    default: return parse_speed(ps, words, n, op);
    }
}

int
lesson_parse_do(lesson_parser_t *ps, char *rest, lesson_op_t *op)
{
    char copy[1024], *words[MAX_WORDS];
    size_t n, first = 0;
    int what;

    snprintf(copy, sizeof copy, "%s", rest);
    n = lesson_split_words(copy, words, MAX_WORDS);
    if (n > 0 && strcmp(words[0], "try") == 0) {
        op->may_fail = true;
        first = 1;
    }
    if (n <= first)
        return lesson_perr(ps, "usage: do [try] ACTION ARGS...");
    if ((what = find_do(ps, words[first])) < 0)
        return BL_E_INVALID;
    op->what = what;
    if (op->may_fail && what != LESSON_DO_CONSOLE && what != LESSON_DO_RUN)
        return lesson_perr(ps, "try goes with console and run only");
    if (what != LESSON_DO_RUN && !ps->have_world)
        return lesson_perr(ps, "do %s needs a world: put a `world` line before it", words[first]);
    return parse_do_args(ps, words + first + 1, n - first - 1,
                         after_words(rest, (unsigned)first + 1), op);
}

/* ---- wait and check ---- */

/* "height>=2", "height >= 2", "txs == 0": the comparison and the number after name. */
static int
parse_comparison(lesson_parser_t *ps, char **words, size_t n, size_t skip_name, lesson_op_t *op)
{
    static const char *const ops[] = { ">=", ">", "==", "!=", "<=", "<" };
    char joined[128] = "";
    const char *p;

    for (size_t i = 0; i < n; i++)
        strncat(joined, words[i], sizeof joined - strlen(joined) - 1);
    p = joined + skip_name;
    for (size_t i = 0; i < 6; i++) {
        size_t len = strlen(ops[i]);

        if (strncmp(p, ops[i], len) == 0 && (len == 2 || (p[1] != '=' && p[1] != '>'))) {
            op->cmp = (lesson_cmp_t)i;
            return lesson_parse_number(ps, joined, p + len, -1, INT64_MAX / 2, &op->n);
        }
    }
    return lesson_perr(ps, "'%s': want NAME OP NUMBER, OP one of >= > == != <= <", joined);
}

static const struct {
    const char *name;
    lesson_is_t is;
    bool wait, check;
} conditions[] = {
    { "height", LESSON_IS_HEIGHT, true, true }, { "txs", LESSON_IS_TXS, true, true },
    { "leader", LESSON_IS_LEADER, true, true }, { "viewchange", LESSON_IS_VIEWCHANGE, true, true },
    { "ms", LESSON_IS_MS, true, false }, { "up", LESSON_IS_UP, false, true },
    { "down", LESSON_IS_DOWN, false, true }, { "view", LESSON_IS_VIEW, false, true },
    { "stalls", LESSON_IS_STALLS, false, true }, { "agree", LESSON_IS_AGREE, false, true },
    { "role", LESSON_IS_ROLE, false, true }, { "ok", LESSON_IS_OK, false, true },
    { "failed", LESSON_IS_FAILED, false, true },
};

/* The condition's name: the leading letters of the first word ("height>=2" -> height). */
static int
find_condition(lesson_parser_t *ps, const char *word, bool wait, size_t *namelen)
{
    size_t len = strspn(word, "abcdefghijklmnopqrstuvwxyz");

    *namelen = len;
    for (size_t i = 0; i < sizeof conditions / sizeof conditions[0]; i++)
        if (strlen(conditions[i].name) == len && strncmp(conditions[i].name, word, len) == 0 &&
            (wait ? conditions[i].wait : conditions[i].check))
            return (int)conditions[i].is;
    return wait ? lesson_perr(ps, "cannot wait for '%s' (height, txs, leader, viewchange, ms)",
                              word)
                : lesson_perr(ps, "cannot check '%s' (height, txs, up, down, leader, view, "
                              "viewchange, no viewchange, stalls, agree, role, ok, failed, "
                              "output contains)", word);
}

static int
parse_role(lesson_parser_t *ps, char **words, size_t n, lesson_op_t *op)
{
    if (lesson_want_words(ps, n, 3, 3, "check role X sealer|observer|none [group=G]") != BL_OK ||
        lesson_parse_node(ps, words[1], &op->node) != BL_OK)
        return BL_E_INVALID;
    op->mode = strcmp(words[2], "sealer") == 0 ? GROUP_SEALER :
               strcmp(words[2], "observer") == 0 ? GROUP_OBSERVER :
               strcmp(words[2], "none") == 0 ? GROUP_NONE : -1;
    if (op->mode < 0)
        return lesson_perr(ps, "role is sealer, observer or none, not '%s'", words[2]);
    return BL_OK;
}

/* The words after the condition's name, by condition. */
static int
parse_condition_args(lesson_parser_t *ps, char **words, size_t n, size_t namelen,
                     lesson_op_t *op)
{
    bool wait = op->kind == LESSON_OP_WAIT;

    switch ((lesson_is_t)op->what) {
    case LESSON_IS_HEIGHT: case LESSON_IS_TXS: case LESSON_IS_MS:
        if (wait) {
            if (lesson_want_words(ps, n, 2, 2, "wait height|txs|ms N [group=G] ...") != BL_OK)
                return BL_E_INVALID;
            op->cmp = LESSON_GE;
            return lesson_parse_number(ps, words[0], words[1], 0, INT64_MAX / 2, &op->n);
        }
        return parse_comparison(ps, words, n, namelen, op);
    case LESSON_IS_VIEW: return parse_comparison(ps, words, n, namelen, op);
    case LESSON_IS_UP: case LESSON_IS_DOWN:
        if (lesson_want_words(ps, n, 2, 2, "check up|down X") != BL_OK)
            return BL_E_INVALID;
        return lesson_parse_node(ps, words[1], &op->node);
    case LESSON_IS_LEADER:
        if (lesson_want_words(ps, n, wait ? 1 : 2, wait ? 1 : 2, wait ? "wait leader [group=G]"
                              : "check leader X [group=G]") != BL_OK)
            return BL_E_INVALID;
        return wait ? BL_OK : lesson_parse_node(ps, words[1], &op->node);
    case LESSON_IS_STALLS:
        if (op->n < 1)
            return lesson_perr(ps, "usage: check stalls for=MS [group=G]");
        return lesson_want_words(ps, n, 1, 1, "check stalls for=MS [group=G]");
    case LESSON_IS_ROLE: return parse_role(ps, words, n, op);
    default:
        return lesson_want_words(ps, n, 1, 1, "check viewchange|agree|ok|failed [group=G]");
    }
}

int
lesson_parse_condition(lesson_parser_t *ps, char *rest, lesson_op_t *op)
{
    char copy[1024], *words[MAX_WORDS];
    size_t n, namelen;
    int what;
    unsigned allowed = LESSON_OPT_GROUP | (op->kind == LESSON_OP_WAIT ? LESSON_OPT_WITHIN : 0);

    if (op->kind == LESSON_OP_CHECK && strncmp(rest, "output contains ", 16) == 0) {
        op->what = LESSON_IS_OUTPUT;
        op->text = bl_xstrdup(lesson_trim(rest + 16));
        return op->text[0] != '\0' ? BL_OK : lesson_perr(ps, "check output contains TEXT");
    }
    snprintf(copy, sizeof copy, "%s", rest);
    n = lesson_split_words(copy, words, MAX_WORDS);
    if (op->kind == LESSON_OP_CHECK && n >= 2 && strcmp(words[0], "no") == 0 &&
        strcmp(words[1], "viewchange") == 0) {
        op->what = LESSON_IS_NO_VIEWCHANGE;
        return lesson_take_options(ps, words, &n, LESSON_OPT_GROUP, op) != BL_OK ? BL_E_INVALID
               : lesson_want_words(ps, n, 2, 2, "check no viewchange [group=G]");
    }
    if (n == 0)
        return lesson_perr(ps, "usage: %s CONDITION", op->kind == LESSON_OP_WAIT ? "wait"
                           : "check");
    if ((what = find_condition(ps, words[0], op->kind == LESSON_OP_WAIT, &namelen)) < 0)
        return BL_E_INVALID;
    op->what = what;
    if (what == LESSON_IS_HEIGHT)
        allowed |= op->kind == LESSON_OP_WAIT ? LESSON_OPT_NODE_ALL : LESSON_OPT_NODE;
    if (what == LESSON_IS_STALLS)
        allowed |= LESSON_OPT_FOR;
    if (lesson_take_options(ps, words, &n, allowed, op) != BL_OK)
        return BL_E_INVALID;
    if (what != LESSON_IS_OK && what != LESSON_IS_FAILED && !ps->have_world)
        return lesson_perr(ps, "%s needs a world: put a `world` line before it", words[0]);
    return parse_condition_args(ps, words, n, namelen, op);
}

/* ---- finding lessons ---- */

static int
compare_entries(const void *a, const void *b)
{
    const lesson_entry_t *x = a, *y = b;

    return x->number < y->number ? -1 : x->number > y->number;
}

/* "08-pbft" -> 8 and "pbft"; false for anything else. */
static bool
lesson_dir_name(const char *name, unsigned *number)
{
    return name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] == '-' && name[3] != '\0' && (*number = (unsigned)((name[0] - '0') * 10 +
                                                                      name[1] - '0'), true);
}

int
lesson_find_all(const char *dir, lesson_entry_t **out, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    *out = NULL;
    *n = 0;
    if (d == NULL)
        return bl_fail(BL_E_IO, "cannot open the lessons directory %s (use --dir or BL_LESSONS)",
                       dir);
    while ((e = readdir(d)) != NULL) {
        unsigned number;
        size_t len = strlen(dir) + strlen(e->d_name) + 8;
        char *steps = bl_xmalloc(len);
        struct stat st;

        snprintf(steps, len, "%s/%s/steps", dir, e->d_name);
        if (!lesson_dir_name(e->d_name, &number) || stat(steps, &st) != 0) {
            free(steps);
            continue;
        }
        *out = bl_xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[*n] = (lesson_entry_t){ .number = number, .slug = bl_xstrdup(e->d_name + 3),
                                       .steps = steps };
        (*out)[*n].dir = bl_xstrdup(steps);
        (*out)[*n].dir[strlen(steps) - 6] = '\0';
        (*n)++;
    }
    closedir(d);
    qsort(*out, *n, sizeof **out, compare_entries);
    return BL_OK;
}

void
lesson_entries_free(lesson_entry_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].slug);
        free(e[i].dir);
        free(e[i].steps);
    }
    free(e);
}
