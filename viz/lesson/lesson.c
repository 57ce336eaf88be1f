/*
 * lesson.c — reading a lesson's step script (the language of lessons/FORMAT.md).
 *
 * A script is read line by line. Each line is cleaned (comments cut off), split into words,
 * and its first word says what it is: `title` and `world` in the header, then `step` lines
 * that each start a step, and inside a step `say`, `view`, `world`, `do`, `wait`, `check`,
 * `snapshot` and `pause`. Every line becomes plain data (lesson_op_t) — nothing runs here.
 *
 * The whole script is checked before the player runs any of it: node names against the
 * number of nodes of the world in force at that line, groups against its groups, numbers,
 * modes, view names. A mistake is reported as "file:line: what is wrong" — the way a compiler
 * reports one, because a lesson author is editing a small program.
 */
#include "lesson/lesson.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lesson/lesson_int.h"

#define LESSON_MAX_WORDS 64
#define LESSON_DEFAULT_WITHIN 30000

int
lesson_perr(const lesson_parser_t *ps, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bl_fail(BL_E_INVALID, "%s:%d: %s", ps->path, ps->line, msg);
}

/* ---- names ---- */

static const char *const is_names[] = {
    "height", "txs", "leader", "viewchange", "no viewchange", "ms", "up", "down", "view",
    "stalls", "agree", "role", "ok", "failed", "output",
};

const char *
lesson_is_name(lesson_is_t is)
{
    return is_names[is];
}

static const char *const cmp_names[] = { ">=", ">", "==", "!=", "<=", "<" };

const char *
lesson_cmp_name(lesson_cmp_t cmp)
{
    return cmp_names[cmp];
}

bool
lesson_compare(int64_t a, lesson_cmp_t cmp, int64_t b)
{
    switch (cmp) {
    case LESSON_GE: return a >= b;
    case LESSON_GT: return a > b;
    case LESSON_EQ: return a == b;
    case LESSON_NE: return a != b;
    case LESSON_LE: return a <= b;
    default: return a < b;
    }
}

/* The subcommands `do run` may call (the others would take over the terminal or start a
 * lesson inside a lesson). */
static const char *const run_commands[] = { "util", "bench", "build-chain", "cert", "cluster",
                                            "export", NULL };

static bool
is_run_command(const char *name)
{
    for (size_t i = 0; run_commands[i] != NULL; i++)
        if (strcmp(run_commands[i], name) == 0)
            return true;
    return false;
}

/* ---- small parsers: numbers, nodes, groups ---- */

int
lesson_parse_number(const lesson_parser_t *ps, const char *what, const char *s, int64_t lo,
                    int64_t hi, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return lesson_perr(ps, "%s wants a whole number from %lld to %lld, not '%s'", what,
                    (long long)lo, (long long)hi, s);
    *out = v;
    return BL_OK;
}

int
lesson_parse_node(const lesson_parser_t *ps, const char *s, int *out)
{
    if (!ps->have_world)
        return lesson_perr(ps, "node '%s': there is no world yet (a `world` line must come "
                           "first)", s);
    if (strlen(s) == 1 && s[0] >= 'A' && s[0] < 'A' + (int)ps->nodes) {
        *out = s[0] - 'A';
        return BL_OK;
    }
    return lesson_perr(ps, "no node '%s': the world has nodes A..%c", s, 'A' + ps->nodes - 1);
}

int
lesson_parse_group(const lesson_parser_t *ps, const char *s, unsigned *out)
{
    int64_t g;

    if (lesson_parse_number(ps, "group=", s, 1, WORLD_MAX_GROUPS, &g) != BL_OK)
        return BL_E_INVALID;
    if (ps->have_world && (unsigned)g > ps->groups)
        return lesson_perr(ps, "group %lld: the world has %u group%s", (long long)g, ps->groups,
                    ps->groups == 1 ? "" : "s");
    *out = (unsigned)g - 1;
    return BL_OK;
}

/* ---- words and options ---- */

/* Cut the comment off a line, in place: a `#` at the start or after a blank; `\#` is a `#`. */
void
lesson_strip_comment(char *s)
{
    char *w = s;

    for (const char *r = s; *r != '\0'; r++) {
        if (r[0] == '\\' && r[1] == '#') {
            *w++ = '#';
            r++;
            continue;
        }
        if (*r == '#' && (r == s || r[-1] == ' ' || r[-1] == '\t'))
            break;
        *w++ = *r;
    }
    *w = '\0';
}

char *
lesson_trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

/* Split s (modified) at blanks; the words point into s. */
size_t
lesson_split_words(char *s, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL;

    for (char *w = strtok_r(s, " \t", &save); w != NULL && n < max;
         w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    return n;
}

static int
apply_option(const lesson_parser_t *ps, char *word, unsigned allowed, lesson_op_t *op)
{
    char *eq = strchr(word, '=');
    const char *key = word, *val = eq + 1;

    *eq = '\0';
    if (strcmp(key, "group") == 0 && (allowed & LESSON_OPT_GROUP)) {
        op->group_given = true;
        return lesson_parse_group(ps, val, &op->group);
    }
    if (strcmp(key, "node") == 0 && (allowed & LESSON_OPT_NODE_ALL) && strcmp(val, "all") == 0) {
        op->node = LESSON_NODE_ALL;
        return BL_OK;
    }
    if (strcmp(key, "node") == 0 && (allowed & (LESSON_OPT_NODE | LESSON_OPT_NODE_ALL)))
        return lesson_parse_node(ps, val, &op->node);
    if (strcmp(key, "within") == 0 && (allowed & LESSON_OPT_WITHIN)) {
        int64_t v;
        int rc = lesson_parse_number(ps, "within=", val, 1, 3600000, &v);

        op->within = (uint64_t)v;
        return rc;
    }
    if ((strcmp(key, "for") == 0 && (allowed & LESSON_OPT_FOR)) ||
        (strcmp(key, "block") == 0 && (allowed & LESSON_OPT_BLOCK)))
        return lesson_parse_number(ps, key, val, 0, 3600000, &op->n);
    return lesson_perr(ps, "option '%s=' does not belong here", key);
}

/* Take the key=value words out (applying them to op); the others stay, in order. */
int
lesson_take_options(const lesson_parser_t *ps, char **words, size_t *n, unsigned allowed,
                    lesson_op_t *op)
{
    size_t kept = 0;

    for (size_t i = 0; i < *n; i++) {
        if (strchr(words[i], '=') == NULL || strpbrk(words[i], "<>!") != NULL ||
            strstr(words[i], "==") != NULL) {
            words[kept++] = words[i];
            continue;
        }
        if (apply_option(ps, words[i], allowed, op) != BL_OK)
            return BL_E_INVALID;
    }
    *n = kept;
    return BL_OK;
}

int
lesson_want_words(const lesson_parser_t *ps, size_t n, size_t lo, size_t hi,
                  const char *usage)
{
    if (n < lo || n > hi)
        return lesson_perr(ps, "usage: %s", usage);
    return BL_OK;
}

/* ---- the world line ---- */

static int
check_consensus(const lesson_parser_t *ps, const char *list)
{
    char copy[64];
    char *save = NULL;

    if (strlen(list) >= sizeof copy || list[0] == '\0')
        return lesson_perr(ps, "consensus= is a list like pbft,raft");
    strcpy(copy, list);
    for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save))
        if (strcmp(w, "pbft") != 0 && strcmp(w, "raft") != 0 && strcmp(w, "solo") != 0)
            return lesson_perr(ps, "consensus '%s': pbft, raft or solo", w);
    return BL_OK;
}

static int
world_option(const lesson_parser_t *ps, const char *key, const char *val, lesson_world_t *w)
{
    int64_t v;
    int rc = BL_OK;

    if (strcmp(key, "seed") == 0) {
        rc = lesson_parse_number(ps, "seed=", val, 0, 0xffffffffLL, &v);
        w->o.seed = (uint64_t)v;
    } else if (strcmp(key, "nodes") == 0) {
        rc = lesson_parse_number(ps, "nodes=", val, 1, WORLD_MAX_NODES, &v);
        w->o.nodes = (unsigned)v;
    } else if (strcmp(key, "groups") == 0) {
        rc = lesson_parse_number(ps, "groups=", val, 1, WORLD_MAX_GROUPS, &v);
        w->o.groups = (unsigned)v;
    } else if (strcmp(key, "rate") == 0) {
        rc = lesson_parse_number(ps, "rate=", val, 0, 100000, &v);
        w->o.rate = (unsigned)v;
    } else if (strcmp(key, "sm") == 0) {
        if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
            return lesson_perr(ps, "sm= is yes or no, not '%s'", val);
        w->o.sm = strcmp(val, "yes") == 0;
    } else if (strcmp(key, "consensus") == 0) {
        rc = check_consensus(ps, val);
        snprintf(w->consensus, sizeof w->consensus, "%s", val);
    } else {
        rc = lesson_perr(ps, "world has no option '%s' (seed, nodes, groups, consensus, rate, sm)",
                  key);
    }
    return rc;
}

static int
parse_world(lesson_parser_t *ps, char **words, size_t n, lesson_world_t *w)
{
    w->o = world_default_opts();
    w->o.sim = true;
    w->o.rate = 0;
    snprintf(w->consensus, sizeof w->consensus, "%s", "pbft,raft");
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(words[i], '=');

        if (eq == NULL)
            return lesson_perr(ps, "world takes key=value options, not '%s'", words[i]);
        *eq = '\0';
        if (world_option(ps, words[i], eq + 1, w) != BL_OK)
            return BL_E_INVALID;
    }
    ps->have_world = true;
    ps->nodes = w->o.nodes;
    ps->groups = w->o.groups;
    return BL_OK;
}

/* ---- building the script ---- */

static lesson_op_t *
add_op(lesson_parser_t *ps, lesson_op_kind_t kind)
{
    lesson_step_t *s = ps->step;
    lesson_op_t *op;

    s->ops = bl_xrealloc(s->ops, (s->nops + 1) * sizeof *s->ops);
    op = &s->ops[s->nops++];
    *op = (lesson_op_t){ .line = ps->line, .kind = kind, .node = LESSON_NODE_NONE,
                         .within = LESSON_DEFAULT_WITHIN, .n = -1, .speed = 1.0,
                         .source = bl_xstrdup(ps->source) };
    return op;
}

static int
parse_view(lesson_parser_t *ps, char **words, size_t n)
{
    static const char *const names[] = { "chain", "groups", "pbft", "dag", "raft", "stats" };
    lesson_op_t *op = add_op(ps, LESSON_OP_VIEW);

    if (lesson_take_options(ps, words, &n, LESSON_OPT_GROUP | LESSON_OPT_NODE, op) != BL_OK ||
        lesson_want_words(ps, n, 1, 1, "view 1..6|chain|groups|pbft|dag|raft|stats [group=G] "
                   "[node=X]") != BL_OK)
        return BL_E_INVALID;
    for (unsigned v = 0; v < 6; v++)
        if (strcmp(words[0], names[v]) == 0 || (words[0][0] == (char)('1' + v) &&
                                                 words[0][1] == '\0'))
            op->view = v + 1;
    if (op->view == 0)
        return lesson_perr(ps, "no view '%s' (1..6, chain, groups, pbft, dag, raft, stats)",
                           words[0]);
    return BL_OK;
}

static int
parse_step_line(lesson_parser_t *ps, const char *kw, char *rest, char **words, size_t n)
{
    if (strcmp(kw, "say") == 0) {
        lesson_step_t *s = ps->step;

        s->say = bl_xrealloc(s->say, (s->nsay + 1) * sizeof *s->say);
        s->say[s->nsay++] = bl_xstrdup(rest);
        return BL_OK;
    }
    if (strcmp(kw, "view") == 0)
        return parse_view(ps, words, n);
    if (strcmp(kw, "world") == 0)
        return parse_world(ps, words, n, &add_op(ps, LESSON_OP_WORLD)->world);
    if (strcmp(kw, "do") == 0)
        return lesson_parse_do(ps, rest, add_op(ps, LESSON_OP_DO));
    if (strcmp(kw, "wait") == 0 || strcmp(kw, "check") == 0) {
        lesson_op_t *op = add_op(ps, kw[0] == 'w' ? LESSON_OP_WAIT : LESSON_OP_CHECK);

        return lesson_parse_condition(ps, rest, op);
    }
    if (strcmp(kw, "snapshot") == 0) {
        add_op(ps, LESSON_OP_SNAPSHOT);
        return lesson_want_words(ps, n, 0, 0, "snapshot");
    }
    if (strcmp(kw, "pause") == 0) {
        ps->paused = true;
        return lesson_want_words(ps, n, 0, 0, "pause (it ends the step)");
    }
    return lesson_perr(ps, "unknown directive '%s' (step, say, view, world, do, wait, check, "
                "snapshot, pause)", kw);
}

static int
parse_header_line(lesson_parser_t *ps, const char *kw, const char *rest, char **words,
                  size_t n)
{
    if (strcmp(kw, "title") == 0) {
        if (ps->l->title != NULL)
            return lesson_perr(ps, "a second title");
        if (rest[0] == '\0')
            return lesson_perr(ps, "usage: title TEXT");
        ps->l->title = bl_xstrdup(rest);
        return BL_OK;
    }
    if (strcmp(kw, "world") == 0) {
        if (ps->l->has_world)
            return lesson_perr(ps, "a second world in the header (a world line inside a step "
                               "opens a fresh one)");
        ps->l->has_world = true;
        ps->l->world_line = ps->line;
        return parse_world(ps, words, n, &ps->l->world);
    }
    return lesson_perr(ps, "'%s' before the first step (the header holds title and world)", kw);
}

static int
start_step(lesson_parser_t *ps, const char *rest)
{
    lesson_t *l = ps->l;

    if (rest[0] == '\0')
        return lesson_perr(ps, "usage: step SUBTITLE");
    if (l->title == NULL)
        return lesson_perr(ps, "the script must begin with a title line");
    l->steps = bl_xrealloc(l->steps, (l->nsteps + 1) * sizeof *l->steps);
    ps->step = &l->steps[l->nsteps++];
    *ps->step = (lesson_step_t){ .line = ps->line, .subtitle = bl_xstrdup(rest) };
    ps->paused = false;
    return BL_OK;
}

static int
parse_line(lesson_parser_t *ps, char *line)
{
    char *text = lesson_trim(line), *rest, *words[LESSON_MAX_WORDS], copy[1024], source[1100];
    size_t kwlen, n;
    char kw[32];

    if (text[0] == '\0')
        return BL_OK;
    kwlen = strcspn(text, " \t");
    if (kwlen >= sizeof kw)
        return lesson_perr(ps, "unknown directive '%.*s...'", 20, text);
    snprintf(kw, sizeof kw, "%.*s", (int)kwlen, text);
    rest = lesson_trim(text + kwlen);
    snprintf(source, sizeof source, "%s%s%s", kw, rest[0] ? " " : "", rest);
    ps->source = source;
    if (strlen(rest) >= sizeof copy)
        return lesson_perr(ps, "the line is too long (at most %zu characters)", sizeof copy - 1);
    strcpy(copy, rest);
    n = lesson_split_words(copy, words, LESSON_MAX_WORDS);
    if (strcmp(kw, "step") == 0)
        return start_step(ps, rest);
    if (ps->step == NULL)
        return parse_header_line(ps, kw, rest, words, n);
    if (ps->paused)
        return lesson_perr(ps, "'%s' after pause: pause is the last line of a step", kw);
    return parse_step_line(ps, kw, rest, words, n);
}

int
lesson_parse(const char *path, const char *text, lesson_t *out)
{
    lesson_parser_t ps = { .path = path, .l = out };
    const char *p = text;
    int rc = BL_OK;

    *out = (lesson_t){ .path = bl_xstrdup(path) };
    while (rc == BL_OK && *p != '\0') {
        size_t len = strcspn(p, "\n");
        char *line = bl_xmalloc(len + 1);

        memcpy(line, p, len);
        line[len] = '\0';
        ps.line++;
        lesson_strip_comment(line);
        rc = parse_line(&ps, line);
        free(line);
        p += len + (p[len] == '\n');
    }
    if (rc == BL_OK && out->title == NULL)
        rc = bl_fail(BL_E_INVALID, "%s:1: the script has no title line", path);
    else if (rc == BL_OK && out->nsteps == 0)
        rc = bl_fail(BL_E_INVALID, "%s:%d: the script has no step", path, ps.line);
    if (rc != BL_OK)
        lesson_free(out);
    return rc;
}

int
lesson_load(const char *path, lesson_t *out)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0, got;
    char buf[4096];
    int rc;

    *out = (lesson_t){ 0 };
    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot open the step script %s", path);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        text = bl_xrealloc(text, len + got + 1);
        memcpy(text + len, buf, got);
        len += got;
    }
    fclose(f);
    text = bl_xrealloc(text, len + 1);
    text[len] = '\0';
    rc = lesson_parse(path, text, out);
    free(text);
    return rc;
}

void
lesson_free(lesson_t *l)
{
    for (size_t i = 0; i < l->nsteps; i++) {
        lesson_step_t *s = &l->steps[i];

        free(s->subtitle);
        for (size_t j = 0; j < s->nsay; j++)
            free(s->say[j]);
        free(s->say);
        for (size_t j = 0; j < s->nops; j++) {
            free(s->ops[j].text);
            free(s->ops[j].source);
        }
        free(s->ops);
    }
    free(l->steps);
    free(l->title);
    free(l->path);
    *l = (lesson_t){ 0 };
}

bool
lesson_is_runnable(const char *name)
{
    return is_run_command(name);
}
